#!/usr/bin/env bash
# `nicsteer bench-toeplitz --json`: the documented keys are present and the
# table-driven Toeplitz beats the bitwise reference measured in the same run.
set -u
bin=$1
out=$("$bin" bench-toeplitz --json --count 300000) || { echo "FAIL: exit status $?"; exit 1; }
for k in table_mhps bitwise_mhps ratio_vs_bitwise count; do
    echo "$out" | grep -q "\"$k\": " || { echo "FAIL: key $k missing in: $out"; exit 1; }
done
ratio=$(echo "$out" | sed -n 's/.*"ratio_vs_bitwise": \([0-9.e+-]*\).*/\1/p')
awk -v r="$ratio" 'BEGIN { exit !(r > 1) }' || { echo "FAIL: ratio_vs_bitwise $ratio <= 1"; exit 1; }
if echo "$out" | grep -q rte_softrss_mhps; then
    echo "$out" | grep -q '"ratio_vs_rte_softrss": ' || { echo "FAIL: ratio_vs_rte_softrss missing"; exit 1; }
fi
"$bin" bench-toeplitz --count 0 2>/dev/null; st=$?
[ "$st" = 2 ] || { echo "FAIL: --count 0 exit $st, expected 2"; exit 1; }
echo "ok bench-toeplitz ratio_vs_bitwise=$ratio"
