#!/usr/bin/env bash
# Issue 4, seed case 1 with the request/response workload: a 16-CPU host with a
# single-queue NIC (IRQ on CPU0), 128 netperf TCP_RR-like clients, netserver
# threads pinned on CPUs 1-15. RPS spreads the stack and raises transactions/s;
# RFS runs each connection's stack on its thread's CPU (application time
# follows the softirq CPU) and lowers p99 further.
set -u
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for v in none rps rfs; do
    "$bin" run "$src/scenarios/steer1-$v.json" --engine window --out "$tmp/$v" > "$tmp/$v.mpstat" || { echo "FAIL: run steer1-$v"; exit 1; }
    echo "== steer1-$v: mpstat"; cat "$tmp/$v.mpstat"
done
python3 - "$tmp" <<'PY'
import csv, json, sys
t = sys.argv[1]
bad = []
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        bad.append(what)
S = {v: json.load(open(f"{t}/{v}/summary.json")) for v in ("none", "rps", "rfs")}
tps = {v: S[v]["requests"]["tps"] for v in S}
p99 = {v: S[v]["requests"]["latency_us"]["p99"] for v in S}
soft = {v: [c["soft"] for c in S[v]["cpus"]] for v in S}
print("tps:", tps, "p99 us:", p99)
check(soft["none"][0] > 95, "none: CPU0 saturated with softirq")
check(tps["rps"] > 1.5 * tps["none"], "rps: transactions/s up by > 1.5x")
check(p99["rps"] < 0.6 * p99["none"], "rps: p99 down by > 40%")
check(sum(1 for x in soft["rps"][1:] if x > 3) >= 14, "rps: softirq on >= 14 of CPUs 1-15")
check(tps["rfs"] > 0.97 * tps["rps"], "rfs: transactions/s within 3% of RPS or above")
check(p99["rfs"] < p99["rps"], "rfs: p99 below RPS's")
flows = [r for r in csv.DictReader(open(f"{t}/rfs/flows.csv")) if int(r["delivered"])]
follow = sum(1 for r in flows if int(r["cpu"]) == [c for c in range(1, 16)][(int(r["flow"]) - 1) % 15])
check(follow == len(flows) == 128, f"rfs: every connection's stack runs on its thread's CPU ({follow})")
flows_rps = [r for r in csv.DictReader(open(f"{t}/rps/flows.csv")) if int(r["delivered"])]
follow_rps = sum(1 for r in flows_rps if int(r["cpu"]) == (int(r["flow"]) - 1) % 15 + 1)
check(follow_rps < 32, f"rps: the hash ignores the thread ({follow_rps} of 128 by chance)")
sys.exit(1 if bad else 0)
PY
