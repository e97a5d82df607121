#!/usr/bin/env bash
# `run --out DIR` never loses what nicsteer did not write: a user's directory is
# refused before the simulation, an earlier output is swapped in whole, --force
# keeps the user's files, nothing temporary is left behind, modes follow the
# umask, and a full filesystem is reported up front or cleanly during the write.
set -u
bin=$1; src=$2
t=$(mktemp -d); trap 'umount "$t/full" "$t/tight" 2>/dev/null; rm -rf "$t"' EXIT
scn=$src/scenarios/default.json
fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=1; }
leftovers() { find "$t" -maxdepth 2 -name '*.nicsteer-tmp.*' | grep -q . && echo yes || echo no; }

# A long scenario: refusal must come before it runs (no mpstat table printed).
sed -e 's/"duration_s": 0.05/"duration_s": 30/' "$scn" >"$t/long.json"
mkdir "$t/thesis"; echo precious >"$t/thesis/ch1.tex"
out=$("$bin" run "$t/long.json" --out "$t/thesis" 2>"$t/err"); rc=$?
[ $rc = 1 ] && [ -z "$out" ] && grep -q "ch1.tex" "$t/err" && ok "a user's directory is refused before the run" ||
    bad "user dir: rc=$rc stdout=$(echo "$out" | head -1) err=$(cat "$t/err")"
[ "$(cat "$t/thesis/ch1.tex")" = precious ] && [ "$(ls -A "$t/thesis")" = ch1.tex ] &&
    ok "the user's files are untouched" || bad "the user's directory changed: $(ls -A "$t/thesis")"

"$bin" run "$scn" --out "$t/r" >/dev/null && [ -f "$t/r/.nicsteer-output" ] &&
    ok "an output carries the marker" || bad "no marker in a fresh output"
ino=$(stat -c %i "$t/r")
"$bin" run "$scn" --seed 9 --out "$t/r" >/dev/null && [ "$(stat -c %i "$t/r")" != "$ino" ] &&
    [ "$(leftovers)" = no ] && ok "an earlier output is swapped, nothing left beside it" ||
    bad "rewrite: inode $ino -> $(stat -c %i "$t/r"), leftovers $(leftovers)"

echo mine >"$t/r/notes.txt"
"$bin" run "$scn" --out "$t/r" >/dev/null 2>"$t/err" && bad "an output with a user's file was replaced" ||
    { grep -q notes.txt "$t/err" && ok "an output with a user's file is refused"; }
"$bin" run "$scn" --out "$t/r" --force >/dev/null && [ "$(cat "$t/r/notes.txt")" = mine ] &&
    ok "--force keeps the user's file" || bad "--force lost notes.txt"

mkdir "$t/real"; ln -s real "$t/link"
"$bin" run "$scn" --out "$t/link" >/dev/null && "$bin" run "$scn" --out "$t/link" >/dev/null &&
    [ -L "$t/link" ] && [ -f "$t/real/summary.json" ] && [ "$(leftovers)" = no ] &&
    ok "a symlinked DIR: the link stays, its target is replaced" || bad "symlinked DIR"

(umask 027; "$bin" run "$scn" --out "$t/m" >/dev/null)
[ "$(stat -c %a "$t/m")" = 750 ] && [ "$(stat -c %a "$t/m/summary.json")" = 640 ] &&
    ok "modes follow the umask (027: 750/640)" || bad "modes $(stat -c %a "$t/m" "$t/m/summary.json")"

# A crashed run's pending directory (dead pid) is removed by the next run.
mkdir "$t/.c.nicsteer-tmp.ZZZZZZ"
printf 'nicsteer-output 1\npid 4194305\nfile summary.json\n' >"$t/.c.nicsteer-tmp.ZZZZZZ/.nicsteer-output"
echo half >"$t/.c.nicsteer-tmp.ZZZZZZ/summary.json"
"$bin" run "$scn" --out "$t/c" >/dev/null && [ "$(leftovers)" = no ] &&
    ok "a crash's leftover is cleaned" || bad "leftover of a crash kept"

if [ "$(id -u)" = 0 ] && mkdir -p "$t/full" "$t/tight" && mount -t tmpfs -o size=512k tmpfs "$t/full" 2>/dev/null &&
    mount -t tmpfs -o size=1200k tmpfs "$t/tight" 2>/dev/null; then
    out=$("$bin" run "$t/long.json" --out "$t/full/r" 2>"$t/err"); rc=$?
    [ $rc = 1 ] && [ -z "$out" ] && grep -q "free on its filesystem" "$t/err" &&
        [ -z "$(ls -A "$t/full")" ] && ok "a full filesystem is reported before the run" ||
        bad "full fs: rc=$rc $(cat "$t/err") $(ls -A "$t/full")"
    "$bin" run "$scn" --out "$t/tight/r" >/dev/null || bad "tight fs: the small output did not fit"
    before=$(md5sum <"$t/tight/r/summary.json")
    # A timeline of many MB cannot fit: the write fails, the old output stays whole.
    "$bin" run "$scn" --timeline-ms 50 --out "$t/tight/r" >/dev/null 2>"$t/err"; rc=$?
    [ $rc = 1 ] && grep -q "No space left" "$t/err" && [ "$(md5sum <"$t/tight/r/summary.json")" = "$before" ] &&
        [ "$(ls -A "$t/tight")" = r ] && ok "filling up during the write: clean error, old output kept" ||
        bad "ENOSPC: rc=$rc $(cat "$t/err"); $(ls -A "$t/tight")"
else
    echo "SKIP full-filesystem cases: need root to mount a small tmpfs"
fi
exit $fails
