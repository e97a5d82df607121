#!/usr/bin/env bash
# A capture cut off mid-record (tcpdump or capture.sh killed) is read up to its last whole
# record by steer, validate and run (pcap replay): one warning line naming the file and the
# packet, the report marked partial, exit 0; a trace out of time order is named (#10). Args: <nicsteer binary> <source dir>.
set -u
bin=$1; src=$2
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
pcap=$(cd "$src" && pwd)/tests/data/truncated-steer/truncated.pcap

"$bin" steer --pcap "$pcap" --queues 16 --json >"$tmp/steer.json" 2>"$tmp/steer.err"; st=$?
[ "$st" = 0 ] || fail "steer: exit $st"
[ "$(wc -l <"$tmp/steer.err")" = 1 ] && grep -q "truncated.pcap: packet 3: truncated record" "$tmp/steer.err" ||
    fail "steer: stderr '$(cat "$tmp/steer.err")'"
jq -e '.schema_version == 1 and .partial == true and .packets_total == 2 and (.warnings[0] | test("packet 3: truncated"))' \
    "$tmp/steer.json" >/dev/null || fail "steer: $(jq -c '[.partial, .packets_total, .warnings]' "$tmp/steer.json")"

"$bin" validate --json --out "$tmp/v.json" "$src/tests/data/truncated-bundle/bundle" 2>"$tmp/v.err"; st=$?
[ "$st" = 0 ] || fail "validate: exit $st ($(cat "$tmp/v.err"))"
grep -q "pcap.pcap: packet 52: truncated record" "$tmp/v.err" || fail "validate: stderr '$(cat "$tmp/v.err")'"
jq -e '.partial == true and .packets.pcap == 51 and (.partial_reasons | any(test("packet 52: truncated")))' \
    "$tmp/v.json" >/dev/null || fail "validate: $(jq -c '[.partial, .packets.pcap, .partial_reasons]' "$tmp/v.json")"
# The report names its producer, so a second --out replaces the first (sim_out_file).
jq -e '(.nicsteer_version | length) > 0 and .schema_version == 1' "$tmp/v.json" >/dev/null ||
    fail "validate: no nicsteer_version/schema_version"
"$bin" validate --json --out "$tmp/v.json" "$src/tests/data/truncated-bundle/bundle" 2>/dev/null ||
    fail "validate: a second --out over its own report refused"

cat >"$tmp/replay.json" <<JSON
{"cpus": 2, "nic": {"rx_queues": 2}, "traffic": {"pcap": "$pcap"}}
JSON
"$bin" run "$tmp/replay.json" --out "$tmp/run" >/dev/null 2>"$tmp/run.err"; st=$?
[ "$st" = 0 ] || fail "run: exit $st ($(cat "$tmp/run.err"))"
grep -q "truncated.pcap: packet 3: truncated record" "$tmp/run.err" || fail "run: stderr '$(cat "$tmp/run.err")'"
jq -e '(.nicsteer_version | length) > 0 and .schema_version == 1 and .partial == true and .packets.offered == 2 and (.warnings[0] | test("packet 3"))' \
    "$tmp/run/summary.json" >/dev/null || fail "run: $(jq -c '[.partial, .packets, .warnings]' "$tmp/run/summary.json")"
# A whole capture is not partial.
jq -e '.partial == false and .warnings == []' <("$bin" steer --pcap "$src/tests/invalid/steer-bad-key-length/two.pcap" --queues 4 --json) >/dev/null ||
    fail "steer: a whole capture reported partial"

# A trace out of time order (its first events moved to the end, as a concatenation would)
# is named with its line in warnings[], not silently joined worse (#10).
cp -r "$src/tests/data/validate-mini" "$tmp/mini"
tf=$tmp/mini/$(jq -r '.trace.file // "trace.txt"' "$tmp/mini/config.json")
hdr=$(grep -c '^#' "$tf")
{ grep '^#' "$tf"; grep -v '^#' "$tf" | tail -n +201; grep -v '^#' "$tf" | head -n 200; } >"$tmp/t" && mv "$tmp/t" "$tf"
line=$(( $(grep -vc '^#' "$tf") - 200 + hdr + 1 ))
"$bin" validate --json "$tmp/mini" >"$tmp/mini.json" 2>/dev/null
jq -e --arg l ":$line: timestamp" '.warnings | any(contains($l) and contains("not in time order"))' \
    "$tmp/mini.json" >/dev/null || fail "backwards trace: warnings $(jq -c .warnings "$tmp/mini.json") (want line $line)"

echo "$fails failed"
[ "$fails" = 0 ]
