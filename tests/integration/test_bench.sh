#!/usr/bin/env bash
# `nicsteer bench --json` on a short line-rate run: the documented keys are
# present, both engines simulated packets, memory per flow is reported and the
# flow state without sockets stays well under the socket-per-flow figure.
set -u
bin=$1
out=$("$bin" bench --json --sim-seconds 0.002 --runs 1) || { echo "FAIL: exit status $?"; exit 1; }
for k in baseline_mpps engines peak_rss_mb bytes_per_flow bytes_per_flow_with_socket sim_time_s runs; do
    echo "$out" | grep -q "\"$k\": " || { echo "FAIL: key $k missing in: $out"; exit 1; }
done
python3 - "$out" <<'PY' || exit 1
import json, sys
j = json.loads(sys.argv[1])
names = [e["name"] for e in j["engines"]]
assert names == ["window", "percpu"], names
for e in j["engines"]:
    assert e["mpps"] > 0 and e["wall_s"] > 0 and e["ratio"] > 0, e
assert j["baseline_mpps"] > 0 and j["peak_rss_mb"] > 0 and j["sockets"] == "per_cpu"
assert 0 < j["bytes_per_flow"] < j["bytes_per_flow_with_socket"], j
PY
# The scaling rows (#14): every axis present, each row either measured or
# refused with the scenario check's reason; targets marked met or not.
out=$("$bin" bench --json --sim-seconds 0.002 --runs 1 --scaling --scaling-seconds 0.002) ||
    { echo "FAIL: --scaling exit status $?"; exit 1; }
python3 - "$out" <<'PY' || exit 1
import json, sys
j = json.loads(sys.argv[1])
rows = j["scaling"]
assert [r["axis"] for r in rows].count("flows") == 3, rows
assert {r["axis"] for r in rows} == {"flows", "cpus", "sockets"}, rows
by = {r["label"]: r for r in rows}
assert by["1M flows"]["flows"] == 1048576 and by["256 CPUs"]["cpus"] == 256
for r in rows:
    assert ("error" in r) != ("mpps" in r), r
    if "mpps" in r:
        assert r["mpps"] > 0 and r["peak_rss_mb"] > 0, r
for lab in ("1M flows", "per-flow sockets"):
    r = by[lab]
    assert "error" in r or isinstance(r["met"], bool) and r["target_max_slowdown"] > 0, r
# 1M flows hold more state than 4K: the slope is positive.
assert j["bytes_per_flow_1m"] > 0 and j["bytes_per_flow_1m_target"] == 200, j
assert all(isinstance(e["met"], bool) and e["target_mpps"] > 0 for e in j["engines"])
PY
"$bin" bench --scaling-seconds 0 2>/dev/null; st=$?
[ "$st" = 2 ] || { echo "FAIL: --scaling-seconds 0 exit $st, expected 2"; exit 1; }
"$bin" bench --runs 0 2>/dev/null; st=$?
[ "$st" = 2 ] || { echo "FAIL: --runs 0 exit $st, expected 2"; exit 1; }
"$bin" bench --sim-seconds -1 2>/dev/null; st=$?
[ "$st" = 2 ] || { echo "FAIL: --sim-seconds -1 exit $st, expected 2"; exit 1; }
echo "ok bench keys and figures"
