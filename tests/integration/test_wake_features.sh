#!/usr/bin/env bash
# validate/tools/wake-features.py (#12 point 3) reads the same receiver wake-ups validate
# compares: on the shared rps2 bundle its count equals validate's wakeups.count, its trivial
# rules are fractions, and the table of the host's decisions covers every cross-CPU wake-up.
# Args: <nicsteer binary> <source dir>. Exit 0 pass, 77 skip, 1 fail.
set -u
bin=$1
src=$2
shared=${NICSTEER_SHARED:-$src/../shared}
b=$shared/traces/veth/rps2
[ -d "$b" ] || { echo "SKIP: $b not found (shared/ folder absent)"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 absent"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
out=$(/usr/bin/python3 "$src/validate/tools/wake-features.py" "$b") || fail "exit $?"
n=$(printf '%s\n' "$out" | sed -n 's/.*: \([0-9]*\) wake-ups;.*/\1/p' | head -1)
v=$("$bin" validate --json "$b" 2>/dev/null | jq '.wakeups.count')
[ -n "$n" ] && [ "$n" = "$v" ] || fail "wake-ups: tool '$n', validate '$v'"
printf '%s\n' "$out" | grep -Eq "always the waker's CPU 0\.[0-9]{3}, always the previous CPU 0\.[0-9]{3}" ||
    fail "trivial rules line: $(printf '%s\n' "$out" | head -1)"
cross=$(printf '%s\n' "$out" | sed -n 's/^waker CPU != previous CPU: \([0-9]*\).*/\1/p')
# the first table's rows add up to every cross-CPU wake-up
sum=$(printf '%s\n' "$out" | awk '/^  by /{t++} t==1 && /W +[0-9]+ +P +[0-9]+/ {
    for (i = 1; i <= NF; i++) { if ($i == "W") s += $(i+1); if ($i == "P") s += $(i+1) } } END { print s }')
[ "$sum" = "$cross" ] || fail "first table sums to $sum, cross-CPU wake-ups $cross"
err=$(/usr/bin/python3 "$src/validate/tools/wake-features.py" /nonexistent 2>&1) && fail "a missing bundle exited 0"
case "$err" in "wake-features: /nonexistent/config.json: "*) ;; *) fail "missing bundle: '$err'" ;; esac
echo "PASS: wake-features.py on rps2: $n wake-ups, $cross cross-CPU"
