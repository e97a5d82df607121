#!/usr/bin/env bash
# Issue 4, seed case 4: Flow Director ATR follows a bulk TCP receiver whose
# thread moves every k ms (its ACKs leave on the new CPU's TX ring, ATR re-points
# the flow's RX queue): out-of-order segments appear and grow as k shrinks.
# RFS (last_qtail rule) and a perfect filter keep the flow in order; so does
# XPS sending every ACK on one TX ring (ATR then never moves the flow).
set -u
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for v in atr-k20 atr-k5 atr-k1 atr-xps0-k1 rfs-k1 perfect-k1; do
    "$bin" run "$src/scenarios/steer4-$v.json" --engine window --out "$tmp/$v" > "$tmp/$v.mpstat" || { echo "FAIL: run steer4-$v"; exit 1; }
    echo "== steer4-$v: mpstat"; cat "$tmp/$v.mpstat"
done
# Same bytes from the per-CPU-actor engine (TX write-back IRQs, thread moves).
"$bin" run "$src/scenarios/steer4-atr-k5.json" --engine percpu --out "$tmp/k5-percpu" > /dev/null || { echo "FAIL: percpu run"; exit 1; }
for f in summary.json flows.csv queues.csv; do
    diff -q -I '"engine": ' "$tmp/atr-k5/$f" "$tmp/k5-percpu/$f" >/dev/null || { echo "FAIL: engines differ in $f"; exit 1; }
done
echo "ok   window and percpu engines byte-identical on steer4-atr-k5"
# Deterministic: a second run gives the same bytes.
"$bin" run "$src/scenarios/steer4-atr-k5.json" --engine window --out "$tmp/k5-again" > /dev/null
cmp -s "$tmp/atr-k5/flows.csv" "$tmp/k5-again/flows.csv" || { echo "FAIL: second run differs"; exit 1; }
python3 - "$tmp" <<'PY'
import csv, json, sys
t = sys.argv[1]
bad = []
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        bad.append(what)
V = ("atr-k20", "atr-k5", "atr-k1", "atr-xps0-k1", "rfs-k1", "perfect-k1")
flow = {v: [r for r in csv.DictReader(open(f"{t}/{v}/flows.csv")) if r["flow"] == "1"][0] for v in V}
queues = {v: [int(q["packets"]) for q in csv.DictReader(open(f"{t}/{v}/queues.csv"))] for v in V}
ooo = {v: int(flow[v]["ooo"]) for v in V}
print("out-of-order segments:", ooo)
print("packets per RX queue:", queues)
check(0 < ooo["atr-k20"] < ooo["atr-k5"] < ooo["atr-k1"], "atr: ooo > 0 and grows as k shrinks (20 > 5 > 1 ms)")
check(ooo["atr-k1"] < 0.05 * int(flow["atr-k1"]["delivered"]), "atr: ooo a small share of the segments (< 5%)")
check(sum(1 for p in queues["atr-k1"] if p) >= 6, "atr: the flow visited >= 6 RX queues")
check(ooo["atr-xps0-k1"] <= 10 and ooo["atr-xps0-k1"] * 10 < ooo["atr-k1"],
      "atr with every CPU sending on tx-0: only the first RSS -> ATR switch reorders")
check(ooo["rfs-k1"] == 0, "rfs: no out-of-order segment")
check(ooo["perfect-k1"] == 0, "perfect filter: no out-of-order segment")
check(sorted(queues["perfect-k1"])[-2] == 0, "perfect filter: one RX queue only")
for v in V:
    check(int(flow[v]["delivered"]) >= 0.99 * int(flow[v]["packets"]), f"{v}: >= 99% delivered")
sys.exit(1 if bad else 0)
PY
