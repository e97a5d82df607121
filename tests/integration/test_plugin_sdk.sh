#!/usr/bin/env bash
# The plugin SDK (#15 point 8): `cmake --install` puts the policy headers under
# include/nicsteer/ and nicsteer.pc; the example policy builds out of tree with
# `cc -shared -fPIC $(pkg-config --cflags nicsteer)`, runs in a scenario's chain and reports
# its state in summary.json as the in-tree build does; a module built for another policy
# ABI is refused at load with both numbers named.
# Args: <nicsteer binary> <source dir>. Exit 0 pass, 1 fail, 77 skip.
set -u
bin=$1; src=$2
build=$(dirname "$bin")
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
for c in cc pkg-config jq; do command -v $c >/dev/null || skip "$c not installed"; done
T=$(mktemp -d /tmp/nicsteer-sdk.XXXXXX)
trap 'rm -rf "$T"' EXIT
cmake --install "$build" --prefix "$T/pfx" >"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "cmake --install"; }
for f in include/nicsteer/models/nic/steer.h include/nicsteer/models/traffic/pkt.h \
    include/nicsteer/models/nic/nic_profile.h lib/pkgconfig/nicsteer.pc bin/nicsteer; do
    [ -f "$T/pfx/$f" ] || fail "cmake --install did not install $f"
done
export PKG_CONFIG_PATH=$T/pfx/lib/pkgconfig
abi=$(sed -n 's/^#define NICSTEER_STEER_ABI \([0-9]*\)u.*/\1/p' "$src/models/nic/steer.h")
[ -n "$abi" ] && [ "$(pkg-config --variable=abi nicsteer)" = "$abi" ] ||
    fail "nicsteer.pc's abi is not steer.h's NICSTEER_STEER_ABI"
# Out of tree: a copy of the example, only the installed headers on the include path.
cp "$src/models/nic/plugins/steer_dport.c" "$T/my_policy.c"
build_so() { cc -shared -fPIC -Wall -Werror $(pkg-config --cflags nicsteer) "$1" -o "$2" 2>"$T/cc.log" ||
    { cat "$T/cc.log"; fail "out-of-tree build of $1"; }; }
build_so "$T/my_policy.c" "$T/steer_my.so"
run() { # chain-head output-dir (the policy's defaults: queue = dport % queues)
    "$bin" run "$src/scenarios/default.json" --quiet --out "$2" \
        --set "/nic/steering/chain=[\"$1\", \"rss\"]" 2>"$T/err"
}
run dport "$T/intree" || { cat "$T/err"; fail "run with the in-tree dport plugin"; }
# The module's own name is "dport": a chain stage names the policy, the path selects the file.
run "$T/steer_my.so" "$T/oot" || { cat "$T/err"; fail "run with the out-of-tree plugin"; }
a=$(jq -c '.classifier.stages | to_entries | map(.value)' "$T/intree/summary.json")
b=$(jq -c '.classifier.stages | to_entries | map(.value)' "$T/oot/summary.json")
[ -n "$a" ] && [ "$a" = "$b" ] || fail "plugin state differs: in tree $a, out of tree $b"
modulo=$(jq '[.classifier.stages[] | .state.modulo? // empty] | add' "$T/oot/summary.json")
offered=$(jq '.packets.offered' "$T/oot/summary.json")
[ "${modulo:-0}" = "$offered" ] ||
    fail "summary.json: the plugin decided $modulo packets by port, expected all $offered"
echo "ok   out-of-tree plugin == in-tree plugin in summary.json ($modulo packets by port)"
# Another ABI, and none at all: refused at load, one line naming both numbers.
sed 's/\.abi_version = NICSTEER_STEER_ABI/.abi_version = 999/' "$T/my_policy.c" >"$T/bad.c"
build_so "$T/bad.c" "$T/steer_bad.so"
"$bin" run "$src/scenarios/default.json" --quiet --out "$T/bad" \
    --set "/nic/steering/chain=[\"$T/steer_bad.so\", \"rss\"]" 2>"$T/err" && fail "ABI 999 module accepted"
grep -q "policy ABI 999, this nicsteer takes ABI $abi:" "$T/err" || fail "ABI error does not name both: $(cat "$T/err")"
[ "$(wc -l <"$T/err")" = 1 ] || fail "ABI error is not one line: $(cat "$T/err")"
[ ! -e "$T/bad" ] || fail "a refused plugin left an output directory"
sed '/\.abi_version = NICSTEER_STEER_ABI,/d' "$T/my_policy.c" >"$T/none.c"
build_so "$T/none.c" "$T/steer_none.so"
"$bin" steer --pcap "$src/tests/data/truncated-steer/truncated.pcap" --queues 4 --policy "$T/steer_none.so" \
    >/dev/null 2>"$T/err" && fail "module without an ABI version accepted"
grep -q "policy ABI 0," "$T/err" || fail "no-ABI error: $(cat "$T/err")"
echo "ok   modules of another ABI refused at load"
