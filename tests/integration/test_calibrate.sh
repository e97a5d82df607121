#!/usr/bin/env bash
# nicsteer calibrate and run --costs (issue 12 point 1):
#  - calibrate on a shared bundle writes a /costs object that validate --costs and run --costs take;
#  - run --costs changes the run's CPU time, and --set /costs/KEY=V is applied after --costs;
#  - a --costs file with an unknown key is a one-line error naming the file and the key (exit 1);
#  - costs belong to a host: calibrate records the hosts (kernel build, CPUs) it fitted and warns
#    when the bundles come from several; validate --costs warns on a bundle of another host.
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
# per bundle and CPU: the fitted total against the traced NET_RX time
grep -Eq "^  .*veth/rps2: [0-9.]+ ms traced, fitted [-+][0-9.]+%; cpu0 [-+][0-9]+% cpu1 [-+][0-9]+%$" "$tmp/cal.txt" ||
    fail "calibrate: no per-bundle fit line: $(grep -A2 'per bundle' "$tmp/cal.txt")"
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

mini=$src/tests/data/validate-mini
other=$tmp/other-host
cp -r "$mini" "$other"
jq '.host.kernel = "6.18.44-fc-v657-gpu"' "$mini/config.json" >"$other/config.json"
"$bin" calibrate "$mini" --out "$tmp/m.json" >/dev/null 2>"$tmp/m.err" || fail "calibrate mini: exit $?"
jq -e '.calibration.hosts == ["6.18.44-fc-v769, 2 CPUs"]' "$tmp/m.json" >/dev/null ||
    fail "calibrate: hosts $(jq -c .calibration.hosts "$tmp/m.json")"
grep -q warning "$tmp/m.err" && fail "calibrate on one host warned: $(cat "$tmp/m.err")"
"$bin" validate --json --costs "$tmp/m.json" "$mini" >"$tmp/vm.json" 2>/dev/null
jq -e '[.warnings[] | select(test("calibrated on"))] | length == 0' "$tmp/vm.json" >/dev/null ||
    fail "validate --costs, same host: warned"
"$bin" validate --json --costs "$tmp/m.json" "$other" >"$tmp/vo.json" 2>/dev/null
jq -e '[.warnings[] | select(test("calibrated on 6.18.44-fc-v769, 2 CPUs, this bundle.s host is 6.18.44-fc-v657-gpu"))] | length == 1' \
    "$tmp/vo.json" >/dev/null || fail "validate --costs, other host: warnings $(jq -c .warnings "$tmp/vo.json")"
"$bin" calibrate "$mini" "$other" --out "$tmp/mo.json" >/dev/null 2>"$tmp/mo.err" ||
    fail "calibrate two hosts: exit $?"
grep -q "come from 2 hosts" "$tmp/mo.err" || fail "calibrate two hosts: no warning: $(cat "$tmp/mo.err")"
jq -e '.calibration.hosts | length == 2' "$tmp/mo.json" >/dev/null || fail "calibrate two hosts: hosts"
echo '{"calibration": {"hosts": [3]}}' >"$tmp/h.json"
err=$("$bin" validate --costs "$tmp/h.json" "$mini" 2>&1 >/dev/null)
case "$err" in *h.json*/calibration/hosts/0*string*) ;; *) fail "bad hosts: '$err'" ;; esac

[ "$fails" = 0 ] && echo "PASS test_calibrate" || exit 1
