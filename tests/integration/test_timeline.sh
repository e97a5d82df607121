#!/usr/bin/env bash
# `nicsteer run --timeline-ms`: the seed-1 host's timeline shows what a teacher
# wants to point at (CPU0's NET_RX handed to ksoftirqd, its NAPI polls, the
# other CPUs running the sinks), is the same from both engines, and is valid
# Chrome trace-event JSON. On RPS, RFS, ksoftirqd and busy-poll hosts its slices
# nest, its flow arrows join the slices they name, its counters are sane
# (timeline_check.py), and it is the same run to run.
set -u
bin=$1; src=$2
command -v python3 >/dev/null || { echo "SKIP: python3 needed"; exit 77; }
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
s=$src/scenarios/s1-single-queue-cpu0.json
for e in window percpu; do
    "$bin" run "$s" --engine $e --timeline-ms 5 --out "$out/$e" >/dev/null || { echo "FAIL: run --engine $e"; exit 1; }
done
cmp -s "$out/window/timeline.json" "$out/percpu/timeline.json" || { echo "FAIL: timeline.json differs between engines"; exit 1; }
"$bin" run "$s" --engine window --out "$out/none" >/dev/null || { echo "FAIL: run without timeline"; exit 1; }
[ ! -e "$out/none/timeline.json" ] || { echo "FAIL: timeline.json written without --timeline-ms"; exit 1; }
cmp -s "$out/window/summary.json" "$out/none/summary.json" || { echo "FAIL: recording a timeline changed summary.json"; exit 1; }
"$bin" run "$s" --timeline-ms -1 --out "$out/bad" >/dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: --timeline-ms -1 not a usage error"; exit 1; }
python3 - "$out/window/timeline.json" <<'PY'
import json, sys, collections
d = json.load(open(sys.argv[1]))
ev = [e for e in d["traceEvents"] if e["ph"] == "X"]
fails = []
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond: fails.append(what)
busy = collections.defaultdict(float)
for e in ev:
    if e["cat"] != "napi": busy[(e["tid"], e["cat"])] += e["dur"]
win = d["otherData"]["until_us"]
check(win == 5000 and not d["otherData"]["truncated"], "5 ms recorded, not truncated")
check(busy[(0, "softirq")] > 0.9 * win, f"CPU0 softirq {busy[(0, 'softirq')]:.0f} of {win} us")
check(any(e["tid"] == 0 and e["name"] == "NET_RX (ksoftirqd)" for e in ev), "CPU0: NET_RX in ksoftirqd")
check(all(busy[(c, "softirq")] == 0 for c in (1, 2, 3)), "CPUs 1-3: no softirq")
check(all(busy[(c, "sys")] + busy[(c, "usr")] > 0 for c in (1, 2, 3)), "CPUs 1-3 run the sinks")
polls = [e for e in ev if e["cat"] == "napi"]
check(polls and all(e["tid"] == 0 and 0 <= e["args"]["work"] <= 64 for e in polls), f"{len(polls)} NAPI polls on CPU0, work <= weight 64")
soft = sorted((e["ts"], e["ts"] + e["dur"]) for e in ev if e["tid"] == 0 and e["cat"] == "softirq")
import bisect
starts = [a for a, _ in soft]
def inside(p):
    i = bisect.bisect_right(starts, p["ts"] + 1e-6) - 1
    return i >= 0 and p["ts"] + p["dur"] <= soft[i][1] + 1e-3
check(all(inside(p) for p in polls), "every NAPI poll nests inside a softirq slice")
for c in range(4):
    spans = sorted((e["ts"], e["ts"] + e["dur"]) for e in ev if e["tid"] == c and e["cat"] != "napi")
    check(all(b[0] >= a[1] - 1e-3 for a, b in zip(spans, spans[1:])), f"CPU{c}: slices do not overlap")
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] || exit 1
py=/usr/bin/python3; [ -x $py ] || py=python3
# scenario, the least number of flows of each kind, what else must be there
while read -r name min kinds; do
    "$bin" run "$src/scenarios/$name.json" --timeline-ms 10 --out "$out/$name" >/dev/null ||
        { echo "FAIL: run $name"; exit 1; }
    echo "--- $name"
    $py "$src/tests/integration/timeline_check.py" "$out/$name/timeline.json" $min $kinds ||
        { echo "FAIL: $name timeline"; exit 1; }
done <<'LIST'
steer1-rps 100 softirq wakeup
rr-steer1-rfs 100 softirq wakeup
sched5-ksoftirqd-fifo 1 softirq wakeup ksoftirqd
sched5-rx-busypoll 1 softirq busypoll
LIST
"$bin" run "$src/scenarios/steer1-rps.json" --timeline-ms 10 --out "$out/again" >/dev/null || { echo "FAIL: rerun"; exit 1; }
cmp -s "$out/steer1-rps/timeline.json" "$out/again/timeline.json" || { echo "FAIL: timeline.json differs run to run"; exit 1; }
"$bin" run "$src/scenarios/steer1-rps.json" --out "$out/rps-none" >/dev/null || { echo "FAIL: RPS run without timeline"; exit 1; }
cmp -s "$out/steer1-rps/summary.json" "$out/rps-none/summary.json" || { echo "FAIL: the RPS timeline changed summary.json"; exit 1; }
echo "ok   timeline.json the same run to run; summary.json the same with and without it"
