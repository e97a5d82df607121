#!/usr/bin/env bash
# Bad inputs as data (Jansson's test-suite layout): tests/invalid/<case>/
#   args            nicsteer arguments, one per line; @CASE@ = this folder, @OUT@ = a scratch dir
#   expected-error  a substring the one-line error on stderr must contain
#   status          expected exit status (default 1)
# Every case must fail with that status, print the expected message, not crash
# (no signal, no sanitizer report) and leave no file in @OUT@.
set -u
bin=$1; src=$2
fails=0; n=0
for dir in "$src"/tests/invalid/*/; do
    [ -f "$dir/args" ] || continue
    n=$((n + 1))
    name=$(basename "$dir")
    out=$(mktemp -d)
    mapfile -t args < <(sed -e "s|@CASE@|${dir%/}|g" -e "s|@OUT@|$out/o|g" -e "s|@SRC@|$src|g" "$dir/args")
    want_status=$(cat "$dir/status" 2>/dev/null || echo 1)
    want_err=$(cat "$dir/expected-error")
    stderr=$("$bin" "${args[@]}" 2>&1 >/dev/null); st=$?
    bad=""
    [ "$st" = "$want_status" ] || bad="exit status $st, expected $want_status"
    case "$stderr" in *"$want_err"*) ;; *) bad="$bad; stderr lacks '$want_err'" ;; esac
    case "$stderr" in *Sanitizer*|*"runtime error"*) bad="$bad; sanitizer report" ;; esac
    if [ -n "$(ls -A "$out" 2>/dev/null)" ]; then bad="$bad; left files: $(ls -A "$out")"; fi
    if [ -n "$bad" ]; then
        echo "FAIL invalid/$name: $bad"; echo "  stderr: $stderr"; fails=$((fails + 1))
    else
        echo "ok   invalid/$name"
    fi
    rm -rf "$out"
done
echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
