#!/usr/bin/python3
"""The veth bundles' workload (../shared/traces/veth/*/config.json "workload"), for
validate/record-veth.sh: 16 UDP + 6 TCP flows, each flow with its own payload length (UDP flow k:
200+k bytes to port 9000+k%4 from port 20000+k; TCP flow k: 200+udp_flows+k bytes to port 5201
from port 21000+k, TCP_NODELAY), messages_per_flow messages per flow, gap_us between rounds.

  veth-workload.py rx --addr A --out FILE --stop FILE [--threads 2] [--tcp-flows 6]
                      [--duration S]
  veth-workload.py tx --dst A [--threads 2] [--udp-flows 16] [--tcp-flows 6]
                      [--messages 180] [--gap-us 2000] [--settle-s 0.3]

rx: one process, --threads threads; thread i owns UDP ports 9000+i, 9000+i+threads, ... and
every threads-th accepted TCP connection (accept order i -> thread i % threads); each thread
loops over its own sockets, recv() on each with a 50 ms timeout (CPython: poll(2), then
recvfrom(2) when readable), so it sleeps on one socket at a time. Thread 0 also accepts on the
listening socket (in the same loop, until --tcp-flows connections came). Runs until the
stop file exists (or --duration), then writes {"mode": "rx", "pid", "threads": [{thread, tid,
udp_pkts, tcp_bytes, cpus_seen}], "sockets": {fd: {kind, port|peer, thread}}} to --out.
tx: one process; connects the TCP flows, waits --settle-s, then --threads threads send: thread t
owns flows k with k % threads == t (UDP first, then TCP), one message per flow per round, then
sleeps gap_us. Prints {"mode": "tx", "pid", "threads": [{thread, tid, flows, payload_len, sent}],
"elapsed_s"} on stdout.
Python's threads share the GIL: the receiver threads wake each other through it, as in the
shared bundles (their workload was python3 threads too).
"""
import argparse
import json
import os
import socket
import sys
import threading
import time

UDP_PORT0, TCP_PORT, UDP_SRC0, TCP_SRC0 = 9000, 5201, 20000, 21000
RX_TIMEOUT_S = 0.05  # the shared bundles' idle receivers wake every 50 ms


def rx(a):
    udp = []
    for i in range(4):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.bind((a.addr, UDP_PORT0 + i))
        s.settimeout(RX_TIMEOUT_S)
        udp.append((s, UDP_PORT0 + i))
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind((a.addr, TCP_PORT))
    lst.listen(64)
    lst.settimeout(RX_TIMEOUT_S)
    lock = threading.Lock()
    socks, results = {}, []
    new_conns = [[] for _ in range(a.threads)]
    accepted = [0]
    deadline = time.monotonic() + a.duration

    def stopped():
        return os.path.exists(a.stop) or time.monotonic() > deadline

    def accept(idx, rset):
        try:
            c, peer = lst.accept()
        except (socket.timeout, BlockingIOError):
            return
        c.settimeout(RX_TIMEOUT_S)
        with lock:
            owner = accepted[0] % a.threads
            accepted[0] += 1
            socks[str(c.fileno())] = {"kind": "tcp", "peer": "%s:%d" % peer, "thread": owner}
            new_conns[owner].append(c)
        if accepted[0] >= a.tcp_flows:
            rset.remove(lst)

    def run(idx):
        mine = [s for s, p in udp if (p - UDP_PORT0) % a.threads == idx]
        kind = {s: "udp" for s in mine}
        with lock:
            for s, p in udp:
                if s in kind:
                    socks[str(s.fileno())] = {"kind": "udp", "port": p, "thread": idx}
        res = {"thread": idx, "tid": threading.get_native_id(), "udp_pkts": 0, "tcp_bytes": 0}
        seen = 0
        rset = mine + ([lst] if idx == 0 and a.tcp_flows else [])
        while not stopped():
            with lock:
                for c in new_conns[idx]:
                    kind[c] = "tcp"
                    rset.append(c)
                new_conns[idx].clear()
            for s in list(rset):
                if s is lst:
                    accept(idx, rset)
                    continue
                try:  # poll(fd, 50 ms) then recvfrom(2) when readable (CPython sock_call)
                    data = s.recv(65536)
                except (socket.timeout, BlockingIOError, ConnectionError):
                    continue
                if kind[s] == "udp":
                    res["udp_pkts"] += 1
                elif data:
                    res["tcp_bytes"] += len(data)
                else:  # the peer closed
                    rset.remove(s)
                    continue
                seen += 1
        res["cpus_seen"] = {"?": seen}  # the CPU is not read per message (no sched_getcpu)
        with lock:
            results.append(res)

    ts = [threading.Thread(target=run, args=(i,)) for i in range(a.threads)]
    for t in ts:
        t.start()
    open(a.stop + ".ready", "w").close()
    for t in ts:
        t.join()
    out = {"mode": "rx", "pid": os.getpid(), "threads": results, "sockets": socks}
    with open(a.out + ".tmp", "w") as f:
        json.dump(out, f)
    os.replace(a.out + ".tmp", a.out)


def connect(dst, k):
    for _ in range(50):  # the receiver may still be starting: retry, bounded
        c = socket.socket()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind(("0.0.0.0", TCP_SRC0 + k))
        try:
            c.connect((dst, TCP_PORT))
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return c
        except OSError:
            c.close()
            time.sleep(0.1)
    sys.exit("veth-workload.py tx: cannot connect to %s:%d" % (dst, TCP_PORT))


def tx(a):
    flows = []  # (name, send(), payload)
    for k in range(a.udp_flows):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", UDP_SRC0 + k))
        s.connect((a.dst, UDP_PORT0 + k % 4))
        flows.append(("udp%d" % k, k, s, b"u" * (200 + k)))
    for k in range(a.tcp_flows):
        flows.append(("tcp%d" % k, k, connect(a.dst, k), b"t" * (200 + a.udp_flows + k)))
    time.sleep(a.settle_s)
    results, lock = [], threading.Lock()

    def run(idx):
        mine = [f for f in flows if f[1] % a.threads == idx]
        sent = 0
        for _ in range(a.messages):
            for _, _, s, payload in mine:
                s.send(payload)
                sent += 1
            time.sleep(a.gap_us / 1e6)
        with lock:
            results.append({"thread": idx, "tid": threading.get_native_id(),
                            "flows": [f[0] for f in mine],
                            "payload_len": {f[0]: len(f[3]) for f in mine}, "sent": sent})

    t0 = time.monotonic()
    ts = [threading.Thread(target=run, args=(i,)) for i in range(a.threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.monotonic() - t0
    time.sleep(0.2)  # let the receivers drain before the connections close
    for _, _, s, _ in flows:
        s.close()
    print(json.dumps({"mode": "tx", "pid": os.getpid(), "threads": results,
                      "elapsed_s": elapsed}))


def main():
    p = argparse.ArgumentParser(description="veth bundles' UDP+TCP workload")
    sub = p.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("rx")
    r.add_argument("--addr", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--stop", required=True)
    r.add_argument("--duration", type=float, default=60)
    r.add_argument("--tcp-flows", type=int, default=6)
    t = sub.add_parser("tx")
    t.add_argument("--dst", required=True)
    t.add_argument("--messages", type=int, default=180)
    t.add_argument("--gap-us", type=int, default=2000)
    t.add_argument("--settle-s", type=float, default=0.3)
    t.add_argument("--udp-flows", type=int, default=16)
    t.add_argument("--tcp-flows", type=int, default=6)
    for q in (r, t):
        q.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    for name in ("threads", "udp_flows", "tcp_flows", "messages", "gap_us"):
        v = getattr(a, name, 1)
        if v < (1 if name in ("threads", "messages") else 0):
            p.error("--%s %d: expected %s" % (name.replace("_", "-"), v,
                    "a positive integer" if name in ("threads", "messages")
                    else "a non-negative integer"))
    rx(a) if a.mode == "rx" else tx(a)


if __name__ == "__main__":
    main()
