#!/usr/bin/env bash
# /app/sockets "per_cpu" (reuseport_select_sock with an SKF_AD_CPU program): one
# sink pinned per CPU, both engines give identical outputs, and because every read
# is CPU-local the same 16 sinks deliver more than with 16 sockets shared by flow.
set -u
bin=$1; src=$2
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
scn=$src/scenarios/linerate-reuseport-cpu.json
sed -e 's/"sockets": "per_cpu"/"sockets": 16/' "$scn" > "$out/shared.json"
"$bin" run "$scn" --engine window --out "$out/w" >/dev/null || { echo "FAIL: run window"; exit 1; }
"$bin" run "$scn" --engine percpu --out "$out/p" >/dev/null || { echo "FAIL: run percpu"; exit 1; }
"$bin" run "$out/shared.json" --engine window --out "$out/s" >/dev/null || { echo "FAIL: run shared"; exit 1; }
diff -r -I '"engine": ' "$out/w" "$out/p" >/dev/null || { echo "FAIL: engines differ"; diff -r -I '"engine": ' "$out/w" "$out/p" | head; exit 1; }
python3 - "$out/w/summary.json" "$out/s/summary.json" <<'PY' || exit 1
import json, sys
w = json.load(open(sys.argv[1]))
s = json.load(open(sys.argv[2]))
sinks = [t for t in w["threads"] if t["name"].startswith("sink/")]
assert len(sinks) == 16, [t["name"] for t in sinks]
for t in sinks:
    c = int(t["name"].split("/")[1])
    assert t["cpu"] == c and t["allowed"] == str(c), t
    assert t["run_ms"] > 0, t
assert w["packets"]["offered"] == s["packets"]["offered"] > 70000, (w["packets"], s["packets"])
assert w["packets"]["delivered"] > s["packets"]["delivered"] * 1.1, (w["packets"], s["packets"])
print("ok   per_cpu: 16 pinned sinks, engines identical, delivered %d vs %d shared"
      % (w["packets"]["delivered"], s["packets"]["delivered"]))
PY
