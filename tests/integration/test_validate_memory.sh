#!/usr/bin/env bash
# validate streams the pcap <-> trace join (#10 point 14): a bundle enlarged 4x in time
# (validate/tools/enlarge-bundle.py) joins 4x the packets with the same peak RSS as 1x, within
# a small margin (the old whole-pcap replay grew ~7 MB per copy of this bundle).
# Args: <nicsteer binary> <source dir>.
set -u
bin=$1; src=$2
bundle=/work/shared/traces/veth-highrate/backlog-default
[ -d "$bundle" ] || bundle=$src/tests/data/shared/veth-highrate/backlog-default
[ -d "$bundle" ] || { echo "SKIP: no veth-highrate/backlog-default bundle"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
# Peak RSS (kB) of the child, from getrusage(RUSAGE_CHILDREN).
peak() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys
rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}
for k in 1 4; do
    python3 "$src/validate/tools/enlarge-bundle.py" "$bundle" "$tmp/x$k" "$k" || fail "enlarge x$k"
    read -r rc rss < <(peak "$bin" validate --json --out "$tmp/v$k.json" "$tmp/x$k")
    [ "$rc" = 0 ] || fail "validate x$k: exit $rc"
    eval "rss$k=$rss"
done
m1=$(jq .packets.matched "$tmp/v1.json"); m4=$(jq .packets.matched "$tmp/v4.json")
[ "$m1" -gt 0 ] && [ "$m4" = $((4 * m1)) ] || fail "matched: 1x $m1, 4x $m4 (expected 4x)"
jq -e '.warnings | all(test("out of|stamped more than") | not)' "$tmp/v4.json" >/dev/null ||
    fail "4x: a join-order warning: $(jq -c .warnings "$tmp/v4.json")"
echo "peak RSS: 1x ${rss1} kB, 4x ${rss4} kB"
if [ "${NICSTEER_SANITIZED:-}" = 1 ]; then
    echo "SKIP the RSS bound under ASan: its quarantine keeps freed memory resident (the join checks above ran)"
else
    [ "$rss4" -le $((rss1 + 4096)) ] || fail "peak RSS grows with the capture: 1x ${rss1} kB, 4x ${rss4} kB"
fi
[ "$fails" = 0 ] || exit 1
echo "OK"
