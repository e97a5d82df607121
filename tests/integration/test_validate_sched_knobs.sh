#!/usr/bin/env bash
# A bundle's host.sched (capture.sh records every /proc/sys/kernel/sched_*): a knob upstream
# Linux does not have, set non-zero (the capture hosts' kernel.sched_vcpu_pack = 15), is said in
# warnings[], since wake-ups are placed by upstream select_task_rq_fair(); upstream knobs and
# zero values are not; a wrong type is a one-line error naming the key. Args: <nicsteer> <src>.
set -u
bin=$1; src=$2
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
mini=$src/tests/data/validate-mini

bundle() { # bundle <dir> <jq filter on config.json>
    mkdir -p "$1"
    ln -s "$mini/trace.txt" "$1/trace.txt"
    ln -s "$mini/pcap.pcap" "$1/pcap.pcap"
    jq "$2" "$mini/config.json" >"$1/config.json"
}

bundle "$tmp/plain" '.'
"$bin" validate --json --out "$tmp/plain.json" "$tmp/plain" 2>/dev/null || fail "plain: exit $?"
jq -e '[.warnings[]? | select(test("host.sched"))] | length == 0' "$tmp/plain.json" >/dev/null ||
    fail "plain: $(jq -c .warnings "$tmp/plain.json")"

bundle "$tmp/pack" '.host.sched = {"sched_vcpu_pack": "15", "sched_rt_period_us": "1000000",
    "sched_other_patch": "0"}'
"$bin" validate --json --out "$tmp/pack.json" "$tmp/pack" 2>/dev/null || fail "pack: exit $?"
jq -e '[.warnings[] | select(test("host.sched"))] as $w | ($w | length) == 1 and
    ($w[0] | test("kernel.sched_vcpu_pack = 15 is not an upstream scheduler knob"))' \
    "$tmp/pack.json" >/dev/null || fail "pack: $(jq -c .warnings "$tmp/pack.json")"
# The placement itself is unchanged by the note.
[ "$(jq -c .wakeups.agreement "$tmp/pack.json")" = "$(jq -c .wakeups.agreement "$tmp/plain.json")" ] ||
    fail "pack: wake agreement changed"

bundle "$tmp/bad" '.host.sched = {"sched_vcpu_pack": 15}'
"$bin" validate --json --out "$tmp/bad.json" "$tmp/bad" 2>"$tmp/bad.err"; st=$?
[ "$st" != 0 ] && [ "$(wc -l <"$tmp/bad.err")" = 1 ] &&
    grep -q 'config.json: /host/sched/sched_vcpu_pack: expected a string' "$tmp/bad.err" ||
    fail "bad: exit $st, stderr '$(cat "$tmp/bad.err")'"
[ ! -e "$tmp/bad.json" ] || fail "bad: a report was written"

[ "$fails" = 0 ] && echo "PASS" || exit 1
