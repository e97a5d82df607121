#!/usr/bin/env bash
# Records a "backlog under pressure" capture bundle (#12 point 4) with capture.sh: two network
# namespaces joined by a 4-queue veth pair, GRO off on the receiver (veth_xmit -> netif_rx ->
# enqueue_to_backlog), RPS sending every rx queue to one target CPU, udpblast senders pinned to
# another CPU pushing UDP GSO bursts faster than the target drains its backlog, receivers pinned
# to the target CPU. net.core.netdev_max_backlog / netdev_budget are set for the capture and
# restored on exit (they are global: other captures running at the same time see them too).
#
# Usage (root): record-backlog.sh --out DIR --udpblast BIN [--max-backlog N] [--budget N]
#     [--rx-cpu C] [--tx-cpu C] [--flows N] [--gso SEG] [--batch B] [--count C] [--duration S]
# Defaults: backlog 100, budget 64, rx CPU 1, tx CPU 0, 32 flows, GSO 48, batch 4, 150 datagrams
# per flow (4,800 datagrams: a bundle of a few MB), 1 s.
set -euo pipefail
PROG=${0##*/}
HERE=$(cd "$(dirname "$0")" && pwd)
FILTER=0 OUT="" BLAST="" MAXBL=100 BUDGET=64 RXCPU=1 TXCPU=0 FLOWS=32 GSO=48 BATCH=4 COUNT=150 DUR=1
while (($#)); do
    case $1 in
    --out) OUT=$2; shift 2 ;;
    --udpblast) BLAST=$2; shift 2 ;;
    --max-backlog) MAXBL=$2; shift 2 ;;
    --budget) BUDGET=$2; shift 2 ;;
    --rx-cpu) RXCPU=$2; shift 2 ;;
    --tx-cpu) TXCPU=$2; shift 2 ;;
    --flows) FLOWS=$2; shift 2 ;;
    --gso) GSO=$2; shift 2 ;;
    --batch) BATCH=$2; shift 2 ;;
    --count) COUNT=$2; shift 2 ;;
    --duration) DUR=$2; shift 2 ;;
    --filter-insns) FILTER=$2; shift 2 ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "$PROG: unknown argument $1" >&2; exit 2 ;;
    esac
done
die() { echo "$PROG: $*" >&2; exit 1; }
[[ -n $OUT && -n $BLAST ]] || die "--out and --udpblast are required (see --help)"
[[ -x $BLAST ]] || die "--udpblast $BLAST: not an executable"
[[ $(id -u) -eq 0 ]] || die "needs root"
for v in MAXBL BUDGET RXCPU TXCPU; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "${v,,} ${!v}: expected a non-negative integer"
done
NCPU=$(getconf _NPROCESSORS_ONLN)
((RXCPU < NCPU && TXCPU < NCPU && RXCPU != TXCPU)) || die "--rx-cpu/--tx-cpu: two distinct CPUs below $NCPU"

A=nicsteer-bl-a-$$ B=nicsteer-bl-b-$$
TMP=$(mktemp -d /tmp/nicsteer-backlog.XXXXXX)
OLD_BL=$(cat /proc/sys/net/core/netdev_max_backlog)
OLD_BUDGET=$(cat /proc/sys/net/core/netdev_budget)
RXPID=""
cleanup() {
    set +e
    echo "$OLD_BL" >/proc/sys/net/core/netdev_max_backlog
    echo "$OLD_BUDGET" >/proc/sys/net/core/netdev_budget
    [[ -n $RXPID ]] && kill "$RXPID" 2>/dev/null && wait "$RXPID" 2>/dev/null
    for ns in "$A" "$B"; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
        ip netns del "$ns" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$A"
ip netns add "$B"
ip -n "$A" link add vA numtxqueues 4 numrxqueues 4 type veth peer name vB netns "$B" \
    numtxqueues 4 numrxqueues 4
ip -n "$A" addr add 192.0.2.1/24 dev vA
ip -n "$B" addr add 192.0.2.2/24 dev vB
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
ip -n "$A" link set vA up
ip -n "$B" link set vB up
# Static neighbours: no ARP exchange inside the capture.
ip -n "$A" neigh replace 192.0.2.2 lladdr "$(ip -n "$B" -br link show vB | awk '{print $3}')" dev vA
ip -n "$B" neigh replace 192.0.2.1 lladdr "$(ip -n "$A" -br link show vA | awk '{print $3}')" dev vB
# GRO off: veth has no NAPI of its own, every packet takes netif_rx -> enqueue_to_backlog.
ip netns exec "$B" ethtool -K vB gro off >/dev/null 2>&1 || true
# No UDP GSO offload on the sender: validate_xmit_skb() segments each GSO buffer on the sending
# CPU, so the receiver's backlog sees one netif_rx() per datagram.
ip netns exec "$A" ethtool -K vA tx-udp-segmentation off >/dev/null 2>&1 ||
    die "cannot turn tx-udp-segmentation off on vA (ethtool missing?)"
MASK=$(printf '%x' $((1 << RXCPU)))
for q in 0 1 2 3; do
    ip netns exec "$B" sh -c "echo $MASK > /sys/class/net/vB/queues/rx-$q/rps_cpus"
done
echo "$MAXBL" >/proc/sys/net/core/netdev_max_backlog
echo "$BUDGET" >/proc/sys/net/core/netdev_budget

ip netns exec "$B" taskset -c "$RXCPU" "$BLAST" rx --ports 9000:4 --threads 2 \
    --filter-insns "$FILTER" --duration $((DUR + 20)) --stop "$TMP/stop" --out "$TMP/rx.json" &
RXPID=$!
sleep 0.3
WL=(ip netns exec "$A" taskset -c "$TXCPU" "$BLAST" tx --dst 192.0.2.2 --flows "$FLOWS"
    --threads 2 --gso "$GSO" --batch "$BATCH" --count "$COUNT" --duration "$DUR")
CASE="backlog-mb$MAXBL-b$BUDGET: veth 4 queues, GRO off on vB, RPS all rx queues -> CPU$RXCPU,"
CASE+=" udpblast: 2 sender threads on CPU$TXCPU, $FLOWS UDP flows x $COUNT datagrams (payload"
CASE+=" 200+k), UDP GSO $GSO, sendmmsg batch $BATCH; 2 receiver threads on CPU$RXCPU;"
CASE+=" netdev_max_backlog $MAXBL, netdev_budget $BUDGET, static neighbours"
bash "$HERE/capture.sh" --iface vB --netns "$B" --out "$OUT" --duration "$DUR" \
    --case "$CASE" -- "${WL[@]}" >"$TMP/tx.json"
: >"$TMP/stop"
wait "$RXPID" || true
RXPID=""
python3 - "$OUT/config.json" "$TMP/rx.json" "$TMP/tx.json" "$A" "$MAXBL" "$BUDGET" "$FLOWS" \
    "$COUNT" "$GSO" "$BATCH" "$RXCPU" "$TXCPU" <<'EOF'
import json, os, sys
cfg_path, rx, tx, ns = sys.argv[1:5]
mb, budget, flows, count, gso, batch, rxcpu, txcpu = map(int, sys.argv[5:13])
cfg = json.load(open(cfg_path))
cfg["topology"]["sender"] = {"netns": ns, "dev": "vA", "addr": "192.0.2.1", "driver": "veth"}
w = cfg.setdefault("workload", {})
w.update({"tool": "udpblast (validate/record-backlog.sh)", "udp_flows": flows, "tcp_flows": 0,
          "messages_per_flow": count, "payload_bytes": "udp k: 200+k", "udp_gso_segments": gso,
          "udp_batch_sendmmsg": batch, "udp_dst_ports": [9000, 9001, 9002, 9003],
          "udp_src_ports": "20000+k", "rx_threads": 2, "tx_threads": 2})
if os.path.getsize(rx):
    w["rx_result"] = json.load(open(rx))
lines = [l for l in open(tx) if l.startswith("{")]
if lines:
    w["tx_result"] = json.loads(lines[-1])
cfg["case"] = "backlog-mb%d-b%d" % (mb, budget)
cfg["settings"] = {"rps_cpus": [format(1 << rxcpu, "x")] * 4, "gro_vB": "off",
                   "rx_pin": str(rxcpu), "tx_pin": str(txcpu), "static_neigh": True,
                   "sysctl_overrides": {"netdev_max_backlog": str(mb),
                                        "netdev_budget": str(budget)}}
tmp = cfg_path + ".tmp"
json.dump(cfg, open(tmp, "w"), indent=1, sort_keys=True)
open(tmp, "a").write("\n")
os.replace(tmp, cfg_path)
EOF
# softnet_stat deltas per CPU: processed, dropped, time_squeeze (what validate compares).
python3 - "$OUT/config.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))["softnet_stat"]
rows = [[[int(x, 16) for x in l.split()] for l in s[w].splitlines() if l.strip()]
        for w in ("before", "after")]
for cpu, (b, a) in enumerate(zip(*rows)):
    print("record-backlog.sh: cpu%d processed %d dropped %d time_squeeze %d"
          % (cpu, a[0] - b[0], a[1] - b[1], a[2] - b[2]), file=sys.stderr)
EOF
