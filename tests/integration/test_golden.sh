#!/usr/bin/env bash
# Golden outputs: `nicsteer run` of each golden scenario and `validate --json` of each
# shared bundle are byte for byte the committed files in tests/golden/ (but for
# nicsteer_version). A deliberate model change regenerates them (tests/golden/regen.sh)
# and the diff is reviewed with it. Args: <nicsteer binary> <source dir>.
set -u
bin=$(realpath "$1"); src=$(cd "$2" && pwd)
. "$src/tests/golden/cases.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
for s in "${GOLDEN_SCENARIOS[@]}"; do
    "$bin" run "$src/scenarios/$s.json" --out "$tmp/$s" >/dev/null || { echo "FAIL run $s"; fails=$((fails + 1)); continue; }
    rm -f "$tmp/$s/.nicsteer-output"
    golden_strip "$tmp/$s/summary.json"
    if diff -r "$src/tests/golden/run/$s" "$tmp/$s" >"$tmp/d"; then
        echo "ok   run/$s"
    else
        echo "FAIL run/$s differs from tests/golden (regen: bash tests/golden/regen.sh):"
        head -20 "$tmp/d"; fails=$((fails + 1))
    fi
done
shared=${NICSTEER_SHARED:-$src/../shared}
for b in "${GOLDEN_BUNDLES[@]}"; do
    n=$(basename "$b")
    [ -d "$shared/$b" ] || { echo "skip validate/$n ($shared/$b absent)"; continue; }
    (cd "$shared" && "$bin" validate --json "$b" 2>/dev/null) >"$tmp/$n.json"
    golden_strip "$tmp/$n.json"
    if diff "$src/tests/golden/validate/$n.json" "$tmp/$n.json" >"$tmp/d"; then
        echo "ok   validate/$n"
    else
        echo "FAIL validate/$n differs from tests/golden (regen: bash tests/golden/regen.sh):"
        head -20 "$tmp/d"; fails=$((fails + 1))
    fi
done
echo "$fails failed"
[ "$fails" = 0 ]
