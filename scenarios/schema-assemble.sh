#!/usr/bin/env bash
# Assemble scenarios/schema.json (what `nicsteer check` reads) from the fragments owned by the
# rooms whose keys they describe: sim/host/schema.host.json is the document itself (header,
# the host's own keys, the order of every key) where another room's key is a placeholder
#     "nic": {"$fragment": "models/nic/schema.nic.json"}
# replaced by that fragment's /properties/nic (or /$defs/NAME under "$defs") exactly as it is
# written there. A fragment is {"$comment": ..., "properties": {...}, "$defs": {...}} laid out
# as in the assembled file (members at four spaces), so the result is their text, spliced.
#   bash scenarios/schema-assemble.sh            write scenarios/schema.json
#   bash scenarios/schema-assemble.sh --check    fail when the committed file differs
#   bash scenarios/schema-assemble.sh --stdout   print it
#   bash scenarios/schema-assemble.sh --split    the reverse: write each key of an edited
#       scenarios/schema.json back into the fragment (or skeleton) that owns it (after a merge
#       that touched scenarios/schema.json); a key the skeleton does not place is an error
# (--root DIR: another source tree; the CMake target `schema` runs the first form.)
# Needs only /usr/bin/python3 (its json module); jq is not assumed.
set -euo pipefail
mode=write
root=$(cd "$(dirname "$0")/.." && pwd)
while [ $# -gt 0 ]; do
    case $1 in
    --check) mode=check ;;
    --stdout) mode=stdout ;;
    --split) mode=split ;;
    --root) root=$(cd "$2" && pwd); shift ;;
    *) echo "schema-assemble: unknown argument $1 (expected --check, --stdout, --split, --root DIR)" >&2; exit 2 ;;
    esac
    shift
done
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) || { echo "schema-assemble: python3 not found" >&2; exit 2; }
exec "$py" - "$root" "$mode" <<'PY'
import json, os, sys

root, mode = sys.argv[1], sys.argv[2]
SKELETON = "sim/host/schema.host.json"
OUT = "scenarios/schema.json"
ROOMS = ("sim", "models", "nicdrv-model", "validate")
SECTIONS = ("properties", "$defs")
dec = json.JSONDecoder()


def die(msg):
    sys.stderr.write("schema-assemble: %s\n" % msg)
    sys.exit(1)


def skip(t, i):
    while i < len(t) and t[i] in " \t\r\n":
        i += 1
    return i


def members(t, i, name):
    """t[i] is '{': (key, value start, value end) of each member, in order."""
    if t[i] != "{":
        die("%s: expected an object" % name)
    i = skip(t, i + 1)
    if t[i] == "}":
        return
    while True:
        key, i = dec.raw_decode(t, i)
        i = skip(t, i)
        i = skip(t, i + 1)  # ':'
        _, end = dec.raw_decode(t, i)
        yield key, i, end
        i = skip(t, end)
        if t[i] == "}":
            return
        i = skip(t, i + 1)  # ','


def load(rel):
    path = os.path.join(root, rel)
    try:
        text = open(path, encoding="utf-8").read()
        json.loads(text)
    except OSError as e:
        die("%s: %s" % (rel, e.strerror))
    except ValueError as e:
        die("%s: not JSON: %s" % (rel, e))
    return text


def fragment_files():
    found = []
    for room in ROOMS:
        for d, dirs, files in os.walk(os.path.join(root, room)):
            dirs.sort()
            for f in sorted(files):
                if f.startswith("schema.") and f.endswith(".json"):
                    found.append(os.path.relpath(os.path.join(d, f), root))
    return [f for f in found if f != SKELETON]


# Every fragment: its members by section, as text spans.
frags = {}
for rel in fragment_files():
    text = load(rel)
    spans = {}
    for key, a, b in members(text, skip(text, 0), rel):
        if key == "$comment":
            continue
        if key not in SECTIONS:
            die("%s: /%s: expected only $comment, properties and $defs" % (rel, key))
        spans[key] = {k: (x, y) for k, x, y in members(text, a, "%s: /%s" % (rel, key))}
    frags[rel] = (text, spans, set())

def spans_of(text, rel):
    """{top-level key: (a, b)} and {section: {key: (a, b)}} of a document's text."""
    top, secs = {}, {}
    for key, a, b in members(text, skip(text, 0), rel):
        top[key] = (a, b)
        if key in SECTIONS:
            secs[key] = {k: (x, y) for k, x, y in members(text, a, "%s: /%s" % (rel, key))}
    return top, secs


def splice(text, edits):
    for x, y, repl in sorted(edits, reverse=True):
        text = text[:x] + repl + text[y:]
    return text


if mode == "split":
    sch = load(OUT)
    skel = load(SKELETON)
    s_top, s_secs = spans_of(sch, OUT)
    k_top, k_secs = spans_of(skel, SKELETON)
    skel_edits, frag_edits = [], {}
    for key, (a, b) in s_top.items():
        if key in SECTIONS:
            continue
        if key not in k_top:
            die("%s: /%s is not in %s: add it there" % (OUT, key, SKELETON))
        skel_edits.append(k_top[key] + (sch[a:b],))
    for sec, keys in s_secs.items():
        for key, (a, b) in keys.items():
            if key not in k_secs.get(sec, {}):
                die("%s: /%s/%s is placed nowhere: add it (or a {\"$fragment\": FILE} "
                    "placeholder) under \"%s\" in %s" % (OUT, sec, key, sec, SKELETON))
            x, y = k_secs[sec][key]
            v = json.loads(skel[x:y])
            if isinstance(v, dict) and "$fragment" in v:
                rel = v["$fragment"]
                if rel not in frags or key not in frags[rel][1].get(sec, {}):
                    die("%s: /%s/%s: no such fragment member %s" % (SKELETON, sec, key, rel))
                frag_edits.setdefault(rel, []).append(frags[rel][1][sec][key] + (sch[a:b],))
            else:
                skel_edits.append((x, y, sch[a:b]))
    for sec, keys in k_secs.items():
        for key in keys:
            if key not in s_secs.get(sec, {}):
                die("%s: /%s/%s is gone from %s: remove it from %s (and its fragment)"
                    % (SKELETON, sec, key, OUT, SKELETON))
    writes = [(SKELETON, splice(skel, skel_edits))]
    writes += [(rel, splice(frags[rel][0], e)) for rel, e in sorted(frag_edits.items())]
    for rel, text in writes:
        json.loads(text)
        with open(os.path.join(root, rel) + ".tmp", "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(os.path.join(root, rel) + ".tmp", os.path.join(root, rel))
    # re-read everything and assemble below: the result must equal the file split
    frags = {}
    for rel in fragment_files():
        text = load(rel)
        spans = {}
        for key, a, b in members(text, skip(text, 0), rel):
            if key in SECTIONS:
                spans[key] = {k: (x, y) for k, x, y in members(text, a, rel)}
        frags[rel] = (text, spans, set())
    mode = "check"

# The skeleton, its placeholders replaced from the end so earlier offsets stay valid.
skel = load(SKELETON)
edits = []
for sec, a, _ in members(skel, skip(skel, 0), SKELETON):
    if sec not in SECTIONS:
        continue
    for key, x, y in members(skel, a, "%s: /%s" % (SKELETON, sec)):
        v = json.loads(skel[x:y])
        if not (isinstance(v, dict) and "$fragment" in v):
            continue
        rel = v["$fragment"]
        if len(v) != 1 or rel not in frags:
            die("%s: /%s/%s: {\"$fragment\": FILE} names no fragment (%s; fragments: %s)"
                % (SKELETON, sec, key, rel, ", ".join(sorted(frags))))
        text, spans, used = frags[rel]
        if key not in spans.get(sec, {}):
            die("%s: no /%s/%s, which %s places there" % (rel, sec, key, SKELETON))
        fa, fb = spans[sec][key]
        used.add((sec, key))
        edits.append((x, y, text[fa:fb]))
out = skel
for x, y, repl in sorted(edits, reverse=True):
    out = out[:x] + repl + out[y:]

for rel, (_, spans, used) in sorted(frags.items()):
    for sec in SECTIONS:
        for key in spans.get(sec, {}):
            if (sec, key) not in used:
                die("%s: /%s/%s is placed nowhere: add \"%s\": {\"$fragment\": \"%s\"} under "
                    "\"%s\" in %s, where it belongs in the order" % (rel, sec, key, key, rel, sec,
                                                                    SKELETON))
try:
    json.loads(out)
except ValueError as e:
    die("assembled schema is not JSON: %s" % e)

target = os.path.join(root, OUT)
if mode == "stdout":
    sys.stdout.write(out)
elif mode == "check":
    try:
        committed = open(target, encoding="utf-8").read()
    except OSError:
        committed = None
    if committed != out:
        die("%s differs from its fragments (%s + %s): edit the fragment, not %s, then run "
            "`cmake --build build --target schema` (or bash scenarios/schema-assemble.sh) and "
            "commit both" % (OUT, SKELETON, ", ".join(sorted(frags)), OUT))
else:
    tmp = target + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(out)
    os.replace(tmp, target)
PY
