#!/usr/bin/env bash
# validate/record-veth.sh (root) records a bundle like the shared veth ones: the settings it was
# given are what config.json and the receiver's sysfs show, the workload's rx/tx results are in
# config.json (2 receiver threads owning their UDP and TCP sockets, every message sent), the
# bundle validates (CPU agreement >= 0.98, RX queue >= 0.99) with receiver wake-ups compared, the global knobs
# (rps_sock_flow_entries, kernel.sched_vcpu_pack) are restored and no namespace is left; a
# --vcpu-pack the kernel refuses is a one-line error that changes nothing; other load during
# the capture is a warning.
# Args: <nicsteer binary> <source dir>. Exit 0 pass, 77 skip, 1 fail.
set -u
BIN=$1
SRC=$2
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
[[ $(id -u) -eq 0 ]] || skip "needs root"
for c in ip python3 tcpdump timeout ethtool jq; do
    command -v "$c" >/dev/null || skip "$c not installed"
done
(($(getconf _NPROCESSORS_ONLN) >= 2)) || skip "needs 2 CPUs"
probe=nicsteer-probe-$$
ip netns add "$probe" 2>/dev/null || skip "cannot create network namespaces (ip netns)"
ip netns del "$probe"
if [[ ! -e /sys/kernel/tracing/instances ]] && [[ ! -e /sys/kernel/debug/tracing/instances ]]; then
    mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null && umount /sys/kernel/tracing ||
        skip "tracefs cannot be mounted"
fi
TMP=$(mktemp -d /tmp/nicsteer-recveth.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
rfs0=$(cat /proc/sys/net/core/rps_sock_flow_entries)
PACKF=/proc/sys/kernel/sched_vcpu_pack
pack0=$(cat "$PACKF" 2>/dev/null || echo absent)
before_ns=$(ip netns list | grep -c nicsteer-veth- || true)

timeout 120 bash "$SRC/validate/record-veth.sh" --out "$TMP/b" --preset rps-rfs-unpinned \
    --xps-tx "1 1 2 2" --messages 30 --duration 2 >"$TMP/log" 2>&1
rc=$?
tail -3 "$TMP/log"
[[ $rc -eq 0 ]] || fail "record-veth.sh exited $rc"
[[ $(cat /proc/sys/net/core/rps_sock_flow_entries) == "$rfs0" ]] ||
    fail "rps_sock_flow_entries not restored ($rfs0 before)"
[[ $(ip netns list | grep -c nicsteer-veth- || true) -eq $before_ns ]] ||
    fail "record-veth.sh left network namespaces behind"
C=$TMP/b/config.json
[[ $(jq -r '.sysctl_net_core.rps_sock_flow_entries' "$C") == 32768 ]] ||
    fail "config.json does not record rps_sock_flow_entries 32768"
[[ $(jq -r '[.sysfs_queues.vB | to_entries[] | select(.key | startswith("rx-")) |
    .value.rps_cpus + "/" + .value.rps_flow_cnt] | join(" ")' "$C") == "3/8192 3/8192 3/8192 3/8192" ]] ||
    fail "vB rx queues do not show rps_cpus 3 / rps_flow_cnt 8192"
[[ $(jq -r '.settings.xps_sender_tx_queues | join(" ")' "$C") == "1 1 2 2" ]] ||
    fail "settings.xps_sender_tx_queues is not the --xps-tx given"
[[ $(jq '.workload.rx_result.threads | length' "$C") == 2 ]] || fail "config.json lacks the rx_result threads"
[[ $(jq '[.workload.rx_result.sockets[] | select(.kind == "tcp")] | length' "$C") == 6 ]] ||
    fail "the receiver did not accept the 6 TCP flows"
[[ $(jq '[.workload.rx_result.threads[].udp_pkts] | add' "$C") == 480 ]] ||
    fail "the receivers did not get the 16 x 30 UDP datagrams"
[[ $(jq '[.workload.tx_result.threads[].sent] | add' "$C") == 660 ]] ||
    fail "tx_result does not show 22 flows x 30 messages sent"
"$BIN" validate --json --out "$TMP/r.json" "$TMP/b" 2>"$TMP/verr" ||
    fail "validate failed on the bundle: $(tail -3 "$TMP/verr")"
# RPS + RFS: the CPU follows the hash and the socket's last recvmsg (shared bundle: 0.9997; on
# 30 messages a flow the few packets around connect and close, where the RFS entry is not yet or
# no longer the reader's, weigh more: 0.990 in two recordings); the sender's XPS maps
# (snapshotted on vA) pick the rx queue.
jq -e '.agreement.cpu >= 0.98' "$TMP/r.json" >/dev/null || fail "CPU agreement below 0.98"
[[ $(jq -r '.agreement.rx_queue_mode' "$TMP/r.json") == "veth: sender's xps" ]] ||
    fail "validate did not find the sender's XPS maps"
jq -e '.agreement.rx_queue >= 0.99' "$TMP/r.json" >/dev/null || fail "RX queue agreement below 0.99"
[[ $(jq '.wakeups.count' "$TMP/r.json") -gt 0 ]] || fail "no receiver wake-up compared"

# An --out that holds anything is refused, not written into.
mkdir -p "$TMP/full" && echo keep >"$TMP/full/pcap.pcap"
bash "$SRC/validate/record-veth.sh" --out "$TMP/full" --messages 1 >"$TMP/flog" 2>&1 &&
    fail "record-veth.sh wrote into a non-empty --out"
grep -q "exists and is not an empty directory" "$TMP/flog" && [[ $(cat "$TMP/full/pcap.pcap") == keep ]] ||
    fail "a non-empty --out: $(cat "$TMP/flog")"

# --vcpu-pack: refused (no CAP_SYS_RESOURCE, or no such knob) is a one-line error before
# anything is set up; accepted, it is what the capture records and restored afterwards.
if [[ -e $PACKF ]]; then
    want=$((pack0 == 0 ? 15 : 0))
    timeout 120 bash "$SRC/validate/record-veth.sh" --out "$TMP/p" --messages 10 --duration 1 \
        --vcpu-pack "$want" >"$TMP/plog" 2>&1
    prc=$?
    [[ $(cat "$PACKF") == "$pack0" ]] || fail "kernel.sched_vcpu_pack not restored to $pack0"
    if ((prc != 0)); then
        [[ $(wc -l <"$TMP/plog") -eq 1 ]] && grep -q "vcpu-pack $want: writing $PACKF refused" "$TMP/plog" ||
            fail "a refused --vcpu-pack is not a one-line error: $(cat "$TMP/plog")"
        [[ ! -e $TMP/p ]] || fail "a refused --vcpu-pack still wrote $TMP/p"
    else
        [[ $(jq -r '.host.sched.sched_vcpu_pack' "$TMP/p/config.json") == "$want" ]] ||
            fail "config.json does not record kernel.sched_vcpu_pack $want"
    fi
fi
# Other load during the capture (here a spinning process, a whole CPU of two) is named in
# config.json warnings[] with the busiest task.
python3 -c 'while True: pass' &
spin=$!
timeout 120 bash "$SRC/validate/record-veth.sh" --out "$TMP/l" --messages 10 --duration 1 \
    >"$TMP/llog" 2>&1
lrc=$?
kill "$spin"
wait "$spin" 2>/dev/null
[[ $lrc -eq 0 ]] || fail "record-veth.sh under load exited $lrc: $(tail -1 "$TMP/llog")"
jq -e '[.warnings[] | select(test("^other tasks ran [0-9]+% of the CPU time .*python3"))] |
    length == 1' "$TMP/l/config.json" >/dev/null ||
    fail "a spinning process during the capture is not in warnings[]: $(jq -c .warnings "$TMP/l/config.json")"
echo "PASS: veth bundle recorded ($(jq '.wakeups.count' "$TMP/r.json") wake-ups compared)"
