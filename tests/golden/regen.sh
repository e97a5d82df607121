#!/usr/bin/env bash
# Regenerate the golden outputs: tests/golden/run/<scenario>/ (the files of
# `nicsteer run`) and tests/golden/validate/<bundle>.json (`validate --json` of
# the shared capture bundles). Run it after a deliberate model change and
# commit the diff with the change, so every change of result is reviewed.
#   bash tests/golden/regen.sh [BUILD_DIR]      (default: build)
# nicsteer_version is left out of the files (it changes with every commit).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
bin=$src/${1:-build}/nicsteer
[ -x "$bin" ] || { echo "regen: $bin not built" >&2; exit 1; }
. "$src/tests/golden/cases.sh"
gold=$src/tests/golden
for s in "${GOLDEN_SCENARIOS[@]}"; do
    rm -rf "$gold/run/$s"
    "$bin" run "$src/scenarios/$s.json" --out "$gold/run/$s" >/dev/null
    rm -f "$gold/run/$s/.nicsteer-output"
    golden_strip "$gold/run/$s/summary.json"
done
shared=${NICSTEER_SHARED:-$src/../shared}
mkdir -p "$gold/validate"
for b in "${GOLDEN_BUNDLES[@]}"; do
    [ -d "$shared/$b" ] || { echo "regen: $shared/$b missing, kept the old file" >&2; continue; }
    (cd "$shared" && "$bin" validate --json "$b" 2>/dev/null) >"$gold/validate/$(basename "$b").json"
    golden_strip "$gold/validate/$(basename "$b").json"
done
echo "regenerated; review with: git diff --stat tests/golden"
