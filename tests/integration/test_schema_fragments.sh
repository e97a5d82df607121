#!/usr/bin/env bash
# scenarios/schema.json (what `nicsteer check` reads) is assembled from the rooms' schema
# fragments (sim/host/schema.host.json + models/*/schema.*.json) by
# scenarios/schema-assemble.sh: the committed file must be exactly what they assemble to,
# and the assembler refuses a fragment key it cannot place.
# Args: <nicsteer binary> <source dir>. Exit 0 pass, 1 fail, 77 skip.
set -u
src=$2
fail() { echo "FAIL: $*"; exit 1; }
[ -x /usr/bin/python3 ] || command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
asm=$src/scenarios/schema-assemble.sh
if ! bash "$asm" --check 2>"${TMPDIR:-/tmp}/schema-check.$$"; then
    msg=$(cat "${TMPDIR:-/tmp}/schema-check.$$"); rm -f "${TMPDIR:-/tmp}/schema-check.$$"
    fail "$msg"
fi
rm -f "${TMPDIR:-/tmp}/schema-check.$$"
echo "ok   scenarios/schema.json == its assembled fragments"

# The assembler on a copy of the tree: an edited fragment is a difference, an unplaced key
# and a placeholder naming no fragment are errors, each naming the file.
T=$(mktemp -d /tmp/nicsteer-schema.XXXXXX)
trap 'rm -rf "$T"' EXIT
(cd "$src" && cp --parents scenarios/schema.json sim/host/schema.host.json models/*/schema.*.json "$T/")
bash "$asm" --root "$T" --check || fail "the copied tree does not assemble to its schema.json"
sed -i 's/"Online CPUs of the host/"Online CPUs of this host/' "$T/sim/host/schema.host.json"
bash "$asm" --root "$T" --check 2>"$T/err" && fail "an edited fragment was not a difference"
grep -q "scenarios/schema.json differs from its fragments" "$T/err" || fail "difference message: $(cat "$T/err")"
bash "$asm" --root "$T" && bash "$asm" --root "$T" --check ||
    fail "writing the assembled file did not make --check pass"
grep -q '"Online CPUs of this host' "$T/scenarios/schema.json" || fail "the fragment's edit is not in the assembled file"
/usr/bin/python3 - "$T/models/app/schema.app.json" <<'PY'
import sys
p = sys.argv[1]
t = open(p).read()
i = t.index('  "properties": {\n') + len('  "properties": {\n')
open(p, "w").write(t[:i] + '    "orphan": {"type": "integer"},\n' + t[i:])
PY
bash "$asm" --root "$T" --check 2>"$T/err" && fail "a fragment key with no placeholder was accepted"
grep -q 'models/app/schema.app.json: /properties/orphan is placed nowhere' "$T/err" ||
    fail "orphan message: $(cat "$T/err")"
sed -i 's#"models/sched/schema.sched.json"}#"models/sched/schema.nope.json"}#' "$T/sim/host/schema.host.json"
bash "$asm" --root "$T" --check 2>"$T/err" && fail "a placeholder naming no fragment was accepted"
grep -q 'names no fragment (models/sched/schema.nope.json' "$T/err" || fail "placeholder message: $(cat "$T/err")"
echo "ok   the assembler names an edited, an unplaced and a misplaced fragment"

# --split, the reverse (after a merge edited scenarios/schema.json): each key goes back to the
# fragment that owns it, and the result assembles to the edited file.
S=$(mktemp -d /tmp/nicsteer-schema.XXXXXX)
trap 'rm -rf "$T" "$S"' EXIT
(cd "$src" && cp --parents scenarios/schema.json sim/host/schema.host.json models/*/schema.*.json "$S/")
sed -i 's/"The 82599-like NIC and its ixgbe-like driver/"The 82599-like NIC and its ixgbe driver model/' "$S/scenarios/schema.json"
bash "$asm" --root "$S" --split || fail "--split of an edited nic description failed"
grep -q '"The 82599-like NIC and its ixgbe driver model' "$S/models/nic/schema.nic.json" ||
    fail "--split did not write the edit into models/nic/schema.nic.json"
bash "$asm" --root "$S" --check || fail "after --split the fragments do not assemble to the edited file"
sed -i 's/  "properties": {/  "properties": {\n    "zzz": {"type": "integer"},/' "$S/scenarios/schema.json"
bash "$asm" --root "$S" --split 2>"$S/err" && fail "--split accepted a key the skeleton does not place"
grep -q '/properties/zzz is placed nowhere' "$S/err" || fail "--split message: $(cat "$S/err")"
echo "ok   --split writes an edited schema.json back into its fragments"
