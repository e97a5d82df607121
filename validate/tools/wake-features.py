#!/usr/bin/python3
"""Receiver wake-ups of a capture bundle against the state the guest trace shows (#12 point 3).

For every sched_waking -> sched_wakeup of a receiving thread (workload.rx_result.threads) whose
waker CPU differs from the task's previous CPU, tabulates where the host put it (W: the waker's
CPU, P: the previous CPU) against what the trace shows at that moment: the waker's context
(softirq / hardirq / task), whether the waker and the previous CPU run the idle task, PELT-like
utilisation of the waker's CPU and of the task (32 ms half-life over the sched_switch timeline),
the time since the previous CPU's last traced event, and the host's previous decision for the
same task. Also prints the agreement of the trivial rules "always the waker's CPU" and "always
the previous CPU" over all wake-ups. A rule the host follows shows up as a column that
separates W from P; on the shared unpinned 2-CPU bundles none does (see the README).
Usage: validate/tools/wake-features.py BUNDLE
"""
import collections
import json
import math
import re
import sys

LINE = re.compile(r"^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+(\S+)\s+([\d.]+): (\w+): (.*)$")
KV = re.compile(r"(\w+)=(\S+)")
DECAY = 0.5 ** (1 / 32.0)  # PELT: y^32 = 1/2 per 1024 us period


class Pelt:
    def __init__(self):
        self.u, self.t, self.run = 0.0, None, False

    def at(self, t, run=None):
        if self.t is not None and t > self.t:
            d = DECAY ** ((t - self.t) / 1.024e-3)
            self.u = self.u * d + (1024 * (1 - d) if self.run else 0)
        self.t = t
        if run is not None:
            self.run = run
        return self.u


def main(bdir):
    cfg = json.load(open(bdir + "/config.json"))
    try:
        rx = {int(t["tid"]) for t in cfg["workload"]["rx_result"]["threads"]}
    except (KeyError, TypeError, ValueError):
        sys.exit("%s/config.json: /workload/rx_result/threads: expected the receiving threads" % bdir)
    ncpu = int(cfg["host"]["ncpus"])
    cpu = [Pelt() for _ in range(ncpu)]
    task = collections.defaultdict(Pelt)
    cur, last_ev, last_dec, pend, rows = [None] * ncpu, [0.0] * ncpu, {}, {}, []
    for line in open(bdir + "/trace.txt", errors="replace"):
        m = LINE.match(line)
        if not m:
            continue
        _, pid, c, flags, ts, ev, rest = m.groups()
        pid, c, ts = int(pid), int(c), float(ts)
        if c >= ncpu:
            continue
        if ev == "sched_switch":
            d = dict(KV.findall(rest))
            prev_pid, next_pid = int(d["prev_pid"]), int(d["next_pid"])
            task[prev_pid].at(ts, False)
            task[next_pid].at(ts, next_pid != 0)
            cpu[c].at(ts, next_pid != 0)
            cur[c] = next_pid
        elif ev == "sched_waking":
            d = dict(KV.findall(rest))
            p, prev = int(d["pid"]), int(d["target_cpu"])
            if p in rx and prev < ncpu:
                pend[p] = dict(wc=c, prev=prev, ctx={"s": "softirq", "h": "hardirq"}.get(
                    flags[2] if len(flags) > 2 else ".", "task"), waker_idle=pid == 0,
                    prev_idle=cur[prev] == 0, wcu=cpu[c].at(ts), tu=task[p].at(ts),
                    gap=(ts - last_ev[prev]) * 1e6, last=last_dec.get(p))
        elif ev == "sched_wakeup":
            d = dict(KV.findall(rest))
            p = int(d["pid"])
            if p in pend:
                r = pend.pop(p)
                r["to"] = int(d["target_cpu"])
                rows.append(r)
                if r["wc"] != r["prev"]:
                    last_dec[p] = "W" if r["to"] == r["wc"] else "P"
        last_ev[c] = ts
    if not rows:
        sys.exit("%s: no wake-up of a receiving thread traced" % bdir)
    n = len(rows)
    print("%s: %d wake-ups; always the waker's CPU %.3f, always the previous CPU %.3f" % (
        bdir, n, sum(r["to"] == r["wc"] for r in rows) / n, sum(r["to"] == r["prev"] for r in rows) / n))
    cross = [r for r in rows if r["wc"] != r["prev"]]
    print("waker CPU != previous CPU: %d (W: placed on the waker's CPU, P: on the previous)" % len(cross))
    tables = [
        ("waker context, waker idle, previous idle", lambda r: (r["ctx"], r["waker_idle"], r["prev_idle"])),
        ("waker CPU utilisation (/1024)", lambda r: int(r["wcu"] // 128) * 128),
        ("task utilisation (/1024)", lambda r: int(r["tu"] // 32) * 32),
        ("us since the previous CPU's last event (log2)", lambda r: int(math.log2(r["gap"] + 1))),
        ("the host's previous decision for the task", lambda r: r["last"] or "-"),
    ]
    for title, key in tables:
        g = collections.defaultdict(lambda: [0, 0])
        for r in cross:
            g[key(r)][0 if r["to"] == r["wc"] else 1] += 1
        print("  by %s:" % title)
        for k in sorted(g, key=str):
            w, p = g[k]
            print("    %-28s W %4d  P %4d  (%.0f%% W)" % (k, w, p, 100.0 * w / (w + p)))


def _quiet_pipe():
    import signal
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)


if __name__ == "__main__":
    _quiet_pipe()
    if len(sys.argv) != 2:
        sys.exit("usage: wake-features.py BUNDLE")
    try:
        main(sys.argv[1].rstrip("/"))
    except OSError as e:
        sys.exit("wake-features: %s: %s" % (e.filename, e.strerror))
    except (ValueError, KeyError) as e:
        sys.exit("wake-features: %s/config.json: %s" % (sys.argv[1].rstrip("/"), e))
