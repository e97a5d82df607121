#!/usr/bin/env bash
# Issue 4, seed case 1: a 16-CPU host with a single-queue NIC (IRQ on CPU0):
# none vs RPS vs RFS. Without RPS CPU0 carries all softirq; RPS spreads the
# stack over the backlogs of CPUs 1-15 (IPIs, received_rps) and latency falls;
# RFS processes every flow on the CPU where its reader runs.
set -u
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for v in none rps rfs; do
    if ! "$bin" run "$src/scenarios/steer1-sink-$v.json" --engine window --out "$tmp/$v" > "$tmp/$v.mpstat"; then
        echo "FAIL: run steer1-sink-$v"; exit 1
    fi
    echo "== steer1-sink-$v: mpstat"; cat "$tmp/$v.mpstat"
done
# The per-CPU-actor engine gives the same bytes (RPS IPIs cross CPUs).
# Under ASan+UBSan (NICSTEER_SANITIZED=1) both engines compare on a quarter of the traffic.
cmp_scn=$src/scenarios/steer1-sink-rfs.json; cmp_ref=$tmp/rfs
if [ -n "${NICSTEER_SANITIZED:-}" ]; then
    python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); s["traffic"]["duration_s"] /= 4; json.dump(s, open(sys.argv[2], "w"))' \
        "$cmp_scn" "$tmp/rfs-short.json" || { echo "FAIL: short scenario"; exit 1; }
    cmp_scn=$tmp/rfs-short.json; cmp_ref=$tmp/rfs-short
    "$bin" run "$cmp_scn" --engine window --out "$cmp_ref" > /dev/null || { echo "FAIL: short run"; exit 1; }
fi
"$bin" run "$cmp_scn" --engine percpu --out "$tmp/rfs-percpu" > /dev/null || { echo "FAIL: percpu run"; exit 1; }
for f in summary.json flows.csv softnet_stat.txt; do
    diff -q -I '"engine": ' "$cmp_ref/$f" "$tmp/rfs-percpu/$f" >/dev/null || { echo "FAIL: engines differ in $f"; exit 1; }
done
echo "ok   window and percpu engines byte-identical on steer1-sink-rfs"
python3 - "$tmp" <<'PY'
import csv, json, sys
t = sys.argv[1]
S = {v: json.load(open(f"{t}/{v}/summary.json")) for v in ("none", "rps", "rfs")}
F = {v: list(csv.DictReader(open(f"{t}/{v}/flows.csv"))) for v in ("none", "rps", "rfs")}
bad = []
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        bad.append(what)
soft = {v: [c["soft"] for c in S[v]["cpus"]] for v in S}
rps = {v: sum(c["softnet"]["received_rps"] for c in S[v]["cpus"]) for v in S}
p99 = {v: S[v]["latency_us"]["p99"] for v in S}
print("soft%:", {v: [round(x, 1) for x in soft[v]] for v in soft})
print("received_rps:", rps, "p99 us:", p99)
check(soft["none"][0] > 95 and max(soft["none"][1:]) < 1, "none: CPU0 %soft > 95, CPUs 1-15 < 1")
check(rps["none"] == 0, "none: no RPS IPIs")
spread = sum(1 for x in soft["rps"][1:] if x > 5)
check(spread >= 14, f"rps: softirq on >= 14 of CPUs 1-15 (got {spread})")
check(soft["rps"][0] < soft["none"][0] - 10, "rps: CPU0 %soft falls by > 10 points")
check(rps["rps"] > 1000, "rps: received_rps counted on the targets")
check(S["rps"]["cpus"][0]["softnet"]["processed"] == 0, "rps: CPU0 processes nothing itself")
check(p99["rps"] < 0.5 * p99["none"], "rps: p99 latency at least halves")
cpus = list(range(1, 16))
flows = [r for r in F["rfs"] if int(r["delivered"]) > 0]
follow = sum(1 for r in flows if int(r["cpu"]) == cpus[(int(r["flow"]) - 1) % 15])
check(follow == len(flows) and len(flows) == 64, f"rfs: all 64 flows processed on their reader's CPU ({follow})")
follow_rps = sum(1 for r in F["rps"] if int(r["delivered"]) > 0 and int(r["cpu"]) == cpus[(int(r["flow"]) - 1) % 15])
check(follow_rps < 32, f"rps: the hash ignores the reader ({follow_rps} of 64 by chance)")
for v in S:
    check(S[v]["packets"]["delivered"] >= 0.99 * S[v]["packets"]["offered"], f"{v}: >= 99% delivered")
sys.exit(1 if bad else 0)
PY
