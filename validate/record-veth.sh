#!/usr/bin/env bash
# Records a capture bundle like the shared veth ones (../shared/traces/veth/*, #12 point 3) with
# capture.sh: two network namespaces joined by a 4-queue veth pair, GRO on vB (veth's NAPI, one
# per rx queue, runs on the sending CPU), TSO/GSO off on both ends, RPS masks per vB rx queue,
# optional RFS (net.core.rps_sock_flow_entries + vB rx-N/rps_flow_cnt) and sender XPS (vA tx-N/
# xps_cpus); validate/tools/veth-workload.py: 16 UDP + 6 TCP flows (payload 200 + flow index),
# 2 receiver threads owning their sockets and 2 sender threads, unpinned. --vcpu-pack sets
# kernel.sched_vcpu_pack (the capture hosts' non-upstream scheduler knob; 0 = upstream
# placement) for the capture. Every global knob changed is restored on exit.
#
# Usage (root): record-veth.sh --out DIR [--preset rps2|rps-rfs-unpinned|rps-perqueue-xps]
#     [--rps-cpus "M0 M1 M2 M3"] [--rfs ENTRIES/FLOW_CNT] [--xps-tx "M0 M1 M2 M3"]
#     [--messages N] [--gap-us US] [--vcpu-pack N] [--duration S]
# Defaults: preset rps2 (rps_cpus 3 3 3 3, no RFS, no XPS), 180 messages per flow, gap 2000 us,
# vcpu_pack left as it is, 4 s. rps-rfs-unpinned: RFS 32768/8192; rps-perqueue-xps: rps_cpus
# 1 2 3 2, sender XPS 1 1 2 2. Masks are hex as sysfs takes them.
set -euo pipefail
PROG=${0##*/}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT="" PRESET=rps2 RPS="" RFS="" XPS="" MSGS=180 GAP=2000 PACK="" DUR=4
while (($#)); do
    case $1 in
    --out) OUT=$2; shift 2 ;;
    --preset) PRESET=$2; shift 2 ;;
    --rps-cpus) RPS=$2; shift 2 ;;
    --rfs) RFS=$2; shift 2 ;;
    --xps-tx) XPS=$2; shift 2 ;;
    --messages) MSGS=$2; shift 2 ;;
    --gap-us) GAP=$2; shift 2 ;;
    --vcpu-pack) PACK=$2; shift 2 ;;
    --duration) DUR=$2; shift 2 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "$PROG: unknown argument $1" >&2; exit 2 ;;
    esac
done
die() { echo "$PROG: $*" >&2; exit 1; }
[[ -n $OUT ]] || die "--out is required (see --help)"
if [[ -e $OUT && -n $(ls -A "$OUT" 2>/dev/null || echo x) ]]; then
    die "--out $OUT: exists and is not an empty directory (not overwritten)"
fi
[[ $(id -u) -eq 0 ]] || die "needs root"
case $PRESET in
rps2) P_RPS="3 3 3 3" P_RFS="0/0" P_XPS="" ;;
rps-rfs-unpinned) P_RPS="3 3 3 3" P_RFS="32768/8192" P_XPS="" ;;
rps-perqueue-xps) P_RPS="1 2 3 2" P_RFS="0/0" P_XPS="1 1 2 2" ;;
*) die "--preset $PRESET: expected rps2, rps-rfs-unpinned or rps-perqueue-xps" ;;
esac
RPS=${RPS:-$P_RPS} RFS=${RFS:-$P_RFS} XPS=${XPS:-$P_XPS}
read -ra RPSQ <<<"$RPS"
read -ra XPSQ <<<"$XPS"
((${#RPSQ[@]} == 4)) || die "--rps-cpus '$RPS': expected 4 hex masks, one per rx queue"
((${#XPSQ[@]} == 0 || ${#XPSQ[@]} == 4)) || die "--xps-tx '$XPS': expected 4 hex masks or none"
for m in "${RPSQ[@]}" "${XPSQ[@]}"; do
    [[ $m =~ ^[0-9a-fA-F]+$ ]] || die "mask $m: expected a hex CPU mask"
done
[[ $RFS =~ ^([0-9]+)/([0-9]+)$ ]] || die "--rfs $RFS: expected ENTRIES/FLOW_CNT (e.g. 32768/8192)"
RFS_ENTRIES=${BASH_REMATCH[1]} RFS_CNT=${BASH_REMATCH[2]}
for v in MSGS GAP DUR; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "${v,,} ${!v}: expected a non-negative integer"
done
((MSGS >= 1)) || die "--messages 0: expected a positive integer"
PACKF=/proc/sys/kernel/sched_vcpu_pack
if [[ -n $PACK ]]; then
    [[ $PACK =~ ^[0-9]+$ ]] || die "--vcpu-pack $PACK: expected a non-negative integer"
    [[ -e $PACKF ]] || die "--vcpu-pack: no $PACKF on $(uname -r) (an upstream kernel has none)"
fi
WL_PY=$HERE/tools/veth-workload.py
[[ -r $WL_PY ]] || die "$WL_PY: not found"

A=nicsteer-veth-a-$$ B=nicsteer-veth-b-$$
NET=10.200.$(($$ % 250 + 1))
TMP=$(mktemp -d /tmp/nicsteer-veth.XXXXXX)
OLD_RFS=$(cat /proc/sys/net/core/rps_sock_flow_entries)
OLD_PACK=""
cleanup() {
    set +e
    echo "$OLD_RFS" >/proc/sys/net/core/rps_sock_flow_entries
    [[ -n $OLD_PACK ]] && echo "$OLD_PACK" >"$PACKF"
    for ns in "$A" "$B"; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
        ip netns del "$ns" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The knob is global: set before anything else, restored by cleanup. Writing it needs
# CAP_SYS_RESOURCE (a container that drops it gets EPERM even as root).
if [[ -n $PACK && $(cat "$PACKF") != "$PACK" ]]; then
    CUR_PACK=$(cat "$PACKF")
    { echo "$PACK" >"$PACKF"; } 2>/dev/null ||
        die "--vcpu-pack $PACK: writing $PACKF refused ($CUR_PACK kept; needs CAP_SYS_RESOURCE)"
    OLD_PACK=$CUR_PACK
fi

ip netns add "$A"
ip netns add "$B"
ip -n "$A" link add vA numtxqueues 4 numrxqueues 4 type veth peer name vB netns "$B" \
    numtxqueues 4 numrxqueues 4
ip -n "$A" addr add "$NET.1/24" dev vA
ip -n "$B" addr add "$NET.2/24" dev vB
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
ip -n "$A" link set vA up
ip -n "$B" link set vB up
# Static neighbours: no ARP exchange inside the capture.
ip -n "$A" neigh replace "$NET.2" lladdr "$(ip -n "$B" -br link show vB | awk '{print $3}')" dev vA
ip -n "$B" neigh replace "$NET.1" lladdr "$(ip -n "$A" -br link show vA | awk '{print $3}')" dev vB
# GRO on vB: veth_xmit() hands each packet to the peer rx queue's NAPI (veth_poll on the sending
# CPU, napi_gro_receive_entry); TSO/GSO off: one trace entry per message, as in the shared ones.
ip netns exec "$B" ethtool -K vB gro on tso off gso off >/dev/null ||
    die "cannot set gro on / tso, gso off on vB (ethtool missing?)"
ip netns exec "$A" ethtool -K vA tso off gso off >/dev/null || die "cannot set tso, gso off on vA"
for q in 0 1 2 3; do
    ip netns exec "$B" sh -c "echo ${RPSQ[q]} > /sys/class/net/vB/queues/rx-$q/rps_cpus"
    ip netns exec "$B" sh -c "echo $RFS_CNT > /sys/class/net/vB/queues/rx-$q/rps_flow_cnt"
    if ((${#XPSQ[@]})); then
        ip netns exec "$A" sh -c "echo ${XPSQ[q]} > /sys/class/net/vA/queues/tx-$q/xps_cpus"
    fi
done
echo "$RFS_ENTRIES" >/proc/sys/net/core/rps_sock_flow_entries

# The workload runs inside the capture, as the shared bundles' did: the receiver starts first and
# runs for the capture's duration (its threads idle in 50 ms timeouts before and after the
# traffic); the sender connects, waits, sends and exits.
cat >"$TMP/workload.sh" <<EOF
ip netns exec "$B" python3 "$WL_PY" rx --addr "$NET.2" --out "$TMP/rx.json" \\
    --stop "$TMP/stop" --duration "$DUR" --tcp-flows 6 &
for _ in \$(seq 100); do [ -e "$TMP/stop.ready" ] && break; sleep 0.05; done
[ -e "$TMP/stop.ready" ] || { echo "record-veth.sh: the receiver did not start" >&2; exit 1; }
ip netns exec "$A" python3 "$WL_PY" tx --dst "$NET.2" --messages "$MSGS" --gap-us "$GAP" \\
    >"$TMP/tx.json"
wait
EOF
CASE="$PRESET-like: veth 4 queues, GRO on vB, rps_cpus '$RPS', RFS $RFS_ENTRIES/$RFS_CNT,"
CASE+=" sender XPS '${XPS}', veth-workload.py 16 UDP + 6 TCP flows x $MSGS messages, gap"
CASE+=" $GAP us, 2 rx + 2 tx threads unpinned, kernel.sched_vcpu_pack $(cat "$PACKF" 2>/dev/null ||
    echo absent) (validate/record-veth.sh)"
# capture.sh stops the workload at DUR + 3 s: the receiver's DUR s, its start, the drain.
# vA's queues are snapshotted too: validate reads the sender's XPS maps there.
bash "$HERE/capture.sh" --iface vB --netns "$B" --also "vA@$A" --out "$OUT" \
    --duration $((DUR + 3)) --case "$CASE" -- bash "$TMP/workload.sh"
[[ -s $TMP/rx.json ]] || die "the receiver wrote no result ($OUT is incomplete)"
python3 - "$OUT/config.json" "$TMP/rx.json" "$TMP/tx.json" "$A" "$NET.1" "$PRESET" "$RPS" \
    "$RFS_ENTRIES" "$RFS_CNT" "$XPS" "$MSGS" "$GAP" "$DUR" "$PACK" <<'EOF'
import json, os, sys
cfg_path, rx, tx, ns, addr, preset, rps, rfs_e, rfs_c, xps, msgs, gap, dur, pack = sys.argv[1:]
cfg = json.load(open(cfg_path))
cfg["topology"]["sender"] = {"netns": ns, "dev": "vA", "addr": addr, "driver": "veth"}
w = cfg.setdefault("workload", {})
w.update({"tool": "validate/tools/veth-workload.py (validate/record-veth.sh)", "rx_threads": 2,
          "tx_threads": 2, "udp_flows": 16, "tcp_flows": 6, "messages_per_flow": int(msgs),
          "payload_bytes": "200 + flow index (udp k: +k, tcp k: +udp_flows+k)",
          "gap_us": int(gap), "duration_s": int(dur), "udp_dst_ports": [9000, 9001, 9002, 9003],
          "tcp_dst_port": 5201, "udp_src_ports": "20000+k", "tcp_src_ports": "21000+k"})
if os.path.exists(rx) and os.path.getsize(rx):
    w["rx_result"] = json.load(open(rx))
lines = [l for l in open(tx) if l.startswith("{")]
if lines:
    w["tx_result"] = json.loads(lines[-1])
cfg["case"] = preset + "-like"
cfg["settings"] = {"rps_cpus": rps.split(), "rfs_sock_flow_entries": int(rfs_e),
                   "rfs_flow_cnt": int(rfs_c), "xps_receiver_tx_queues": [],
                   "xps_sender_tx_queues": xps.split(), "gro_vB": "on", "rx_pin": "",
                   "tx_pin": "", "static_neigh": True}
if pack:
    cfg["settings"]["sysctl_overrides"] = {"kernel.sched_vcpu_pack": pack}
tmp = cfg_path + ".tmp"
json.dump(cfg, open(tmp, "w"), indent=1, sort_keys=True)
open(tmp, "a").write("\n")
os.replace(tmp, cfg_path)
EOF
# Other load during the capture (a build on a shared machine) changes where wake-ups go: the
# CPU time of tasks that are neither the workload's threads, the idle tasks nor tcpdump, from
# the trace's sched_switch pairs; above 20% it is a warning in config.json warnings[] (the
# workload's own start-up, pyenv shims and ip netns exec, is about 6%).
python3 - "$OUT/config.json" "$OUT/trace.txt" <<'EOF'
import collections, json, os, re, sys
cfg_path, trace = sys.argv[1:3]
cfg = json.load(open(cfg_path))
ours = {0}
for k in ("rx_result", "tx_result"):
    r = cfg.get("workload", {}).get(k) or {}
    ours.add(int(r.get("pid", -1)))
    ours.update(int(t.get("tid", -1)) for t in r.get("threads", []))
SW = re.compile(r"^\s*.+?-\d+\s+\[(\d+)\]\s+\S+\s+([\d.]+): sched_switch: prev_comm=(.+?) "
                r"prev_pid=(\d+) .*==> next_comm=.+? next_pid=(\d+)")
busy, last, t0, t1 = collections.Counter(), {}, None, None
for line in open(trace, errors="replace"):
    m = SW.match(line)
    if not m:
        continue
    cpu, t, comm, pid, nxt = int(m.group(1)), float(m.group(2)), m.group(3), int(m.group(4)), int(m.group(5))
    t0 = t if t0 is None else t0
    t1 = t
    if cpu in last and last[cpu][1] == pid and pid not in ours and comm != "tcpdump":
        busy[comm] += t - last[cpu][0]
    last[cpu] = (t, nxt)
span = (t1 - t0) * int(cfg["host"]["ncpus"]) if t0 is not None and t1 > t0 else 0
frac = sum(busy.values()) / span if span else 0.0
if frac > 0.20:
    top = ", ".join("%s %.0f ms" % (c, v * 1e3) for c, v in busy.most_common(3))
    msg = ("other tasks ran %.0f%% of the CPU time during the capture (%s): wake-ups were "
           "placed on a loaded host" % (100 * frac, top))
    print("record-veth.sh: warning: " + msg, file=sys.stderr)
    cfg.setdefault("warnings", []).append(msg)
    tmp = cfg_path + ".tmp"
    json.dump(cfg, open(tmp, "w"), indent=1, sort_keys=True)
    open(tmp, "a").write("\n")
    os.replace(tmp, cfg_path)
EOF
echo "$PROG: $OUT: kernel.sched_vcpu_pack $(python3 -c 'import json,sys
print(json.load(open(sys.argv[1]))["host"].get("sched", {}).get("sched_vcpu_pack", "absent"))' \
    "$OUT/config.json") during the capture" >&2
