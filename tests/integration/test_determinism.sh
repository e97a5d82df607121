#!/usr/bin/env bash
# Same scenario + seed => byte-identical outputs; the window and per-CPU
# engines give byte-identical outputs; another seed changes them.
set -u
bin=$1; src=$2
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
scn=$src/scenarios/default.json
# Under ASan+UBSan (NICSTEER_SANITIZED=1, ~40x slower) the same checks on a quarter of
# the traffic: byte-identity does not depend on the length.
s2_dur=0.02
if [ -n "${NICSTEER_SANITIZED:-}" ]; then
    sed -e 's/"duration_s": 0.05/"duration_s": 0.0125/' "$scn" > "$out/default.json"
    scn=$out/default.json
    s2_dur=0.005
fi
"$bin" run "$scn" --seed 7 --engine percpu --out "$out/a" >/dev/null || { echo "FAIL: run a"; exit 1; }
"$bin" run "$scn" --seed 7 --engine percpu --out "$out/b" >/dev/null || { echo "FAIL: run b"; exit 1; }
"$bin" run "$scn" --seed 7 --engine window --out "$out/w" >/dev/null || { echo "FAIL: run w"; exit 1; }
"$bin" run "$scn" --seed 8 --engine window --out "$out/s8" >/dev/null || { echo "FAIL: run s8"; exit 1; }
fails=0
diff -r -I '"engine": ' "$out/a" "$out/b" >/dev/null && echo "ok   same seed twice: identical" || { echo "FAIL same seed twice differs"; fails=1; }
diff -r -I '"engine": ' "$out/a" "$out/w" >/dev/null && echo "ok   percpu == window" || { echo "FAIL percpu and window differ"; diff -r -I '"engine": ' "$out/a" "$out/w" | head; fails=1; }
cmp -s "$out/a/summary.json" "$out/s8/summary.json" && { echo "FAIL seed 8 gives the same summary"; fails=1; } || echo "ok   another seed changes the result"
# The 16-CPU seed scenario too (more actors, more baton passing), cut to 20 ms (5 ms)
sed -e "s/\"duration_s\": 0.1/\"duration_s\": $s2_dur/" "$src/scenarios/s2-rss-16q.json" > "$out/s2.json"
"$bin" run "$out/s2.json" --engine percpu --out "$out/p2" >/dev/null &&
"$bin" run "$out/s2.json" --engine window --out "$out/w2" >/dev/null &&
diff -r -I '"engine": ' "$out/p2" "$out/w2" >/dev/null && echo "ok   s2: percpu == window" || { echo "FAIL s2 engines differ"; fails=1; }
exit $fails
