#!/usr/bin/env bash
# validate/capture.sh --selftest records a bundle between two veth namespaces; the bundle loads
# with the C loader (tests/unit/test_bundle via NICSTEER_TEST_BUNDLE) and its trace holds
# netif_receive_skb lines; no namespace or tracefs instance is left behind.
# Args: <nicsteer binary> <source dir>. Exit 0 pass, 77 skip, 1 fail.
set -u
BIN=$1
SRC=$2
skip() {
    echo "SKIP: $*"
    exit 77
}
fail() {
    echo "FAIL: $*"
    exit 1
}

[[ $(id -u) -eq 0 ]] || skip "needs root"
for c in ip python3 tcpdump timeout; do
    command -v "$c" >/dev/null || skip "$c not installed"
done
probe=nicsteer-probe-$$
ip netns add "$probe" 2>/dev/null || skip "cannot create network namespaces (ip netns)"
ip netns del "$probe"
[[ -d /sys/kernel/tracing ]] || skip "no /sys/kernel/tracing (CONFIG_TRACING off)"
if [[ ! -e /sys/kernel/tracing/instances ]] && [[ ! -e /sys/kernel/debug/tracing/instances ]]; then
    mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null && umount /sys/kernel/tracing ||
        skip "tracefs cannot be mounted"
fi
TEST_BUNDLE_BIN=$(dirname "$BIN")/tests/test_bundle
[[ -x $TEST_BUNDLE_BIN ]] || fail "$TEST_BUNDLE_BIN not built"

TMP=$(mktemp -d /tmp/nicsteer-selftest.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
before_ns=$(ip netns list | grep -c nicsteer-st- || true)

timeout 180 bash "$SRC/validate/capture.sh" --selftest "$TMP/bundle" >"$TMP/log" 2>&1
rc=$?
cat "$TMP/log"
[[ $rc -eq 0 ]] || fail "capture.sh --selftest exited $rc"
for f in config.json trace.txt pcap.pcap; do
    [[ -s $TMP/bundle/$f ]] || fail "bundle lacks $f"
done
grep -q ' netif_receive_skb: dev=vB ' "$TMP/bundle/trace.txt" || fail "no netif_receive_skb on vB"
# The IPIs a NET_RX run sends (RPS kicks its target with csd_queue_cpu): calibrate prices them, so
# a kernel with the csd tracepoint must have them in the bundle.
tfs=$(awk '$3 == "tracefs" {print $2; exit}' /proc/mounts)
if [[ -n $tfs && -d $tfs/events/csd/csd_queue_cpu ]]; then
    grep -q ' csd_queue_cpu: ' "$TMP/bundle/trace.txt" || fail "no csd_queue_cpu in the trace"
    grep -q 'csd:csd_queue_cpu' "$TMP/bundle/config.json" || fail "config.json trace.events lacks csd:csd_queue_cpu"
fi
# ethtool -g (ring size), -S and -n are recorded beside -x -l -k -c (#10): keys exist even
# where veth answers "Operation not supported".
if command -v ethtool >/dev/null; then
    for f in g S n; do
        python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); sys.exit(0 if "ethtool_'$f'_vB" in c.get("ethtool", {}) else 1)' \
            "$TMP/bundle/config.json" || fail "config.json lacks ethtool/ethtool_${f}_vB"
    done
fi
after_ns=$(ip netns list | grep -c nicsteer-st- || true)
[[ $after_ns -eq $before_ns ]] || fail "capture.sh left network namespaces behind"
if ls -d /sys/kernel/tracing/instances/nicsteer-* >/dev/null 2>&1; then
    # Only instances of a finished capture.sh count (a concurrent run may own one).
    for d in /sys/kernel/tracing/instances/nicsteer-*; do
        pid=${d##*-}
        kill -0 "$pid" 2>/dev/null || fail "tracefs instance $d left behind"
    done
fi

NICSTEER_TEST_BUNDLE=$TMP/bundle "$TEST_BUNDLE_BIN" >"$TMP/unit.log" 2>&1
rc=$?
grep -E 'bundle .*netif_receive_skb|FAIL|asserts' "$TMP/unit.log"
[[ $rc -eq 0 ]] || fail "test_bundle on the self-test bundle failed (see above)"
grep -q 'netif_receive_skb on vB' "$TMP/unit.log" || fail "C loader did not read the trace"
echo "PASS: capture self-test bundle recorded and loaded"
