#!/usr/bin/env bash
# aRFS: with ntuple filters and /nic/arfs the driver steers each RFS-moved flow
# in hardware to the RX queue whose IRQ is on its reader's CPU: the flows land
# on their readers' queues and RPS IPIs all but vanish; without it RFS alone
# needs an IPI-kicked backlog per flow.
set -u
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for v in off on; do
    "$bin" run "$src/scenarios/arfs-$v.json" --engine window --out "$tmp/$v" > "$tmp/$v.mpstat" || { echo "FAIL: run arfs-$v"; exit 1; }
    echo "== arfs-$v: mpstat"; cat "$tmp/$v.mpstat"
done
# Same bytes from the per-CPU-actor engine (filters installed at run time). Under
# ASan+UBSan (NICSTEER_SANITIZED=1) both engines compare on a quarter of the traffic.
cmp_scn=$src/scenarios/arfs-on.json; cmp_ref=$tmp/on
if [ -n "${NICSTEER_SANITIZED:-}" ]; then
    sed -e 's/"duration_s": 0.05/"duration_s": 0.0125/' "$cmp_scn" > "$tmp/arfs-on-short.json"
    cmp_scn=$tmp/arfs-on-short.json; cmp_ref=$tmp/on-short
    "$bin" run "$cmp_scn" --engine window --out "$cmp_ref" > /dev/null || { echo "FAIL: short run"; exit 1; }
fi
"$bin" run "$cmp_scn" --engine percpu --out "$tmp/on-percpu" > /dev/null || { echo "FAIL: percpu run"; exit 1; }
for f in summary.json flows.csv queues.csv; do
    diff -q -I '"engine": ' "$cmp_ref/$f" "$tmp/on-percpu/$f" >/dev/null || { echo "FAIL: engines differ in $f"; exit 1; }
done
echo "ok   window and percpu engines byte-identical on arfs-on"
python3 - "$tmp" <<'PY'
import csv, json, sys
t = sys.argv[1]
bad = []
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        bad.append(what)
S = {v: json.load(open(f"{t}/{v}/summary.json")) for v in ("off", "on")}
F = {v: [r for r in csv.DictReader(open(f"{t}/{v}/flows.csv")) if int(r["delivered"])] for v in S}
ipis = {v: sum(c["softnet"]["received_rps"] for c in S[v]["cpus"]) for v in S}
pk = {v: S[v]["packets"]["delivered"] for v in S}
print("received_rps:", ipis, "delivered:", pk)
reader = lambda f: [1, 2, 3, 4, 5, 6, 7][(int(f) - 1) % 7]
on_q = sum(1 for r in F["on"] if int(r["rxq"]) == reader(r["flow"]))
off_q = sum(1 for r in F["off"] if int(r["rxq"]) == reader(r["flow"]))
check(on_q == len(F["on"]) == 16, f"on: all 16 flows arrive on their reader's queue ({on_q})")
check(off_q < 8, f"off: RSS puts few flows on their reader's queue ({off_q})")
check(all(int(r["cpu"]) == reader(r["flow"]) for r in F["off"] + F["on"]), "both: RFS processes every flow on its reader's CPU")
check(ipis["on"] < 0.01 * pk["on"], "on: RPS IPIs below 1% of packets")
check(ipis["off"] > 0.1 * pk["off"], "off: RPS IPIs above 10% of packets")
check(all(int(r["ooo"]) == 0 for r in F["on"]), "on: moving flows in hardware reorders nothing here")
sys.exit(1 if bad else 0)
PY
