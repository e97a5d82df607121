#!/usr/bin/env bash
# nicsteer calibrate and run --costs (issue 12 point 1):
#  - calibrate on a shared bundle writes a /costs object that validate --costs and run --costs take;
#  - run --costs changes the run's CPU time, and --set /costs/KEY=V is applied after --costs;
#  - a --costs file with an unknown key is a one-line error naming the file and the key (exit 1).
# Args: <nicsteer binary> <source dir>. Exit 0 pass, 77 skip, 1 fail.
set -u
bin=$1
src=$2
shared=${NICSTEER_SHARED:-$src/../shared}
traces=$shared/traces
[ -d "$traces/veth/rps2" ] || { echo "SKIP: $traces/veth not found (shared/ folder absent)"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

"$bin" calibrate "$traces/veth/rps2" --out "$tmp/c.json" >"$tmp/cal.txt" || fail "calibrate: exit $?"
grep -q 'R^2' "$tmp/cal.txt" || fail "calibrate: no fit quality printed: $(cat "$tmp/cal.txt")"
jq -e '.calibration.runs > 0 and (.net_rx_jitter_ns | length) > 0' "$tmp/c.json" >/dev/null ||
    fail "calibrate: COSTS.json lacks calibration/jitter: $(head -c 300 "$tmp/c.json")"
"$bin" validate --json --costs "$tmp/c.json" "$traces/veth/rps2" >"$tmp/v.json" ||
    fail "validate --costs COSTS.json: exit $?"

scn=$src/scenarios/default.json
"$bin" run "$scn" --quiet --out "$tmp/r0" || fail "run: exit $?"
"$bin" run "$scn" --quiet --costs "$tmp/c.json" --out "$tmp/r1" || fail "run --costs: exit $?"
cmp -s "$tmp/r0/summary.json" "$tmp/r1/summary.json" && fail "run --costs: summary unchanged"
"$bin" run "$scn" --costs "$tmp/c.json" --set /costs/stack_skb=12345 --print-scenario \
    >"$tmp/eff.json" || fail "run --costs --set --print-scenario: exit $?"
jq -e '.costs.stack_skb == 12345 and .costs.calibration.runs > 0' "$tmp/eff.json" >/dev/null ||
    fail "--set /costs/stack_skb after --costs: $(jq -c '.costs.stack_skb' "$tmp/eff.json")"

echo '{"stack_skbb": 1}' >"$tmp/bad.json"
err=$("$bin" run "$scn" --costs "$tmp/bad.json" --out "$tmp/r2" 2>&1 >/dev/null)
st=$?
[ "$st" = 1 ] || fail "run --costs unknown key: exit $st, expected 1"
case "$err" in *bad.json*stack_skbb*) ;; *) fail "run --costs unknown key: stderr '$err'" ;; esac
[ "$(printf '%s\n' "$err" | wc -l)" = 1 ] || fail "run --costs unknown key: not one line: '$err'"
[ -e "$tmp/r2" ] && fail "run --costs bad file: wrote $tmp/r2"

[ "$fails" = 0 ] && echo "PASS test_calibrate" || exit 1
