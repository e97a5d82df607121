#!/usr/bin/env bash
# A host with two NICs (/nic_b): eth1's vectors are requested after eth0's
# "other" vector and listed in interrupts.txt; both engines agree.
set -u
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for e in window percpu; do
    "$bin" run "$src/scenarios/two-nics.json" --engine $e --out "$tmp/$e" > /dev/null || { echo "FAIL: run ($e)"; exit 1; }
done
cat "$tmp/window/interrupts.txt"
fail=0
for n in 0 1 2 3; do
    grep -q " eth1-TxRx-$n\$" "$tmp/window/interrupts.txt" || { echo "FAIL: no eth1-TxRx-$n row"; fail=1; }
done
grep -q '^ 45:.*eth1-TxRx-0$' "$tmp/window/interrupts.txt" || { echo "FAIL: eth1-TxRx-0 is not IRQ 45 (after eth0's 40-44)"; fail=1; }
grep -q ' eth1$' "$tmp/window/interrupts.txt" || { echo "FAIL: no eth1 other-causes row"; fail=1; }
for f in summary.json interrupts.txt flows.csv; do
    diff -q -I '"engine": ' "$tmp/window/$f" "$tmp/percpu/$f" >/dev/null || { echo "FAIL: engines differ in $f"; fail=1; }
done
mkdir -p "$tmp/bad"
printf '{"cpus": 4, "nic_b": {"irq_affinity": [7]}, "traffic": {"duration_s": 0.01, "flows": [{"rate_pps": 1000}]}}' > "$tmp/bad/s.json"
msg=$("$bin" check "$tmp/bad/s.json" 2>&1); st=$?
[ $st = 1 ] && case "$msg" in *"/nic_b/irq_affinity/0: CPU 7 does not exist (4 CPUs)"*) ;; *) false ;; esac || { echo "FAIL: bad /nic_b: $st $msg"; fail=1; }
[ $fail = 0 ] && echo "ok   two NICs"
exit $fail
