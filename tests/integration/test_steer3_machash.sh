#!/usr/bin/env bash
# Issue 4, seed case 3: behind an L3 switch every frame has the router's MAC, so
# MAC-based queue selection puts all 64 connections on one queue (one CPU does
# the work); RSS and round-robin assignment spread them over the 8 queues.
set -u
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for v in mac rss rr; do
    "$bin" run "$src/scenarios/steer3-$v.json" --engine window --out "$tmp/$v" > "$tmp/$v.mpstat" || { echo "FAIL: run steer3-$v"; exit 1; }
    echo "== steer3-$v: mpstat"; cat "$tmp/$v.mpstat"; echo "-- queues.csv"; cat "$tmp/$v/queues.csv"
done
python3 - "$tmp" <<'PY'
import csv, json, sys
t = sys.argv[1]
bad = []
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        bad.append(what)
Q = {v: list(csv.DictReader(open(f"{t}/{v}/queues.csv"))) for v in ("mac", "rss", "rr")}
S = {v: json.load(open(f"{t}/{v}/summary.json")) for v in Q}
conns = {v: [int(q["flows"]) for q in Q[v]] for v in Q}
print("connections per queue:", conns)
check(sorted(conns["mac"]) == [0] * 7 + [64], "mac: all 64 connections on one queue")
busy = [int(q["irq_cpu"]) for q in Q["mac"] if int(q["flows"])][0]
soft = [c["soft"] for c in S["mac"]["cpus"]]
check(soft[busy] > 50 and all(s < 1 for i, s in enumerate(soft) if i != busy),
      f"mac: CPU{busy} carries the softirq ({soft[busy]}%), the others idle")
check(sum(1 for c in conns["rss"] if c) >= 7 and max(conns["rss"]) <= 16, "rss: >= 7 queues used, none above 16 connections")
check(conns["rr"] == [8] * 8, "rr: exactly 8 connections per queue")
for v in ("rss", "rr"):
    s = [c["soft"] for c in S[v]["cpus"]]
    check(max(s) < 0.4 * soft[busy], f"{v}: busiest CPU below 40% of mac's ({max(s)}%)")
    check(S[v]["latency_us"]["p99"] < S["mac"]["latency_us"]["p99"], f"{v}: p99 latency below mac's")
sys.exit(1 if bad else 0)
PY
