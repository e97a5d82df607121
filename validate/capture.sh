#!/usr/bin/env bash
# Records a nicsteer capture bundle (spec/capture-bundle.md, schema "nicsteer-capture/1") on a
# real Linux host: tcpdump on the receiving interface, kernel tracepoints through a dedicated
# tracefs instance, /proc + sysfs + ethtool snapshots before/after, realtime-mono clock offset.
#
# Usage (root):
#   capture.sh --iface eth0 --out DIR [--duration S] [--count N] [--netns NS]
#              [--case NAME] [--buffer-kb KB] [--with-read] [--also DEV[@NETNS]]...
#              [-- workload command ...]
#   capture.sh --selftest OUTDIR      # veth pair in two netns, short UDP+TCP workload
#
# Without a workload command the capture lasts --duration seconds (default 5) while the user
# drives traffic. A workload command is run under `timeout --duration` between trace start and
# stop. --also snapshots another device's queues, ethtool and link too (the sender's XPS maps
# on a veth pair). Everything is bounded: tcpdump stops after --count packets or at the end,
# tracing is done in instances/nicsteer-<pid> (the user's global tracing state is never
# touched), and an EXIT/INT/TERM trap disables and removes the instance, kills helpers and
# deletes temp files.
#
# Tracepoints enabled (system:event). A kernel lacking one is not an error: the event is
# skipped and listed in config.json trace.missing_events and warnings[]; the validator then
# falls back to what is present (e.g. old kernels without net:napi_gro_receive_entry lose the
# hash/queue fields, without napi:napi_poll the NAPI work/budget comparison is skipped):
#   irq:irq_handler_entry irq:irq_handler_exit irq:softirq_raise irq:softirq_entry
#   irq:softirq_exit napi:napi_poll net:napi_gro_receive_entry net:netif_receive_skb_entry
#   net:netif_receive_skb_list_entry net:netif_rx_entry net:netif_receive_skb net:netif_rx
#   net:net_dev_queue net:net_dev_start_xmit net:net_dev_xmit sched:sched_switch
#   sched:sched_wakeup sched:sched_waking sched:sched_migrate_task
#   syscalls:sys_enter_recvfrom syscalls:sys_enter_recvmsg syscalls:sys_enter_recvmmsg
#   syscalls:sys_enter_accept syscalls:sys_enter_accept4 skb:kfree_skb (drops with their reason,
#   e.g. CPU_BACKLOG from enqueue_to_backlog) csd:csd_queue_cpu irq_vectors:call_function_single_entry
#   irq_vectors:call_function_single_exit irq_vectors:reschedule_entry timer:hrtimer_expire_entry
#   (the IPIs a NET_RX run sends and the hardirqs nested in it: what calibrate prices as
#   csd_queue / csd_enqueue / nested_irq; on a VM an IPI send is the costliest step of a run)
#   (+ sys_enter_read with --with-read;
#   off by default because every read() on the host would be traced)
# Needs: bash, python3 (config.json and clock sampling), tcpdump, ethtool (optional), ip.
set -euo pipefail

PROG=${0##*/}
TRACEFS=""
MOUNTED_TRACEFS=0
INSTANCE=""
STAGE=""
TCPDUMP_PID=""
WORKLOAD_PID=""
SELFTEST_NS=()
SELFTEST_PIDS=()

EVENTS="irq:irq_handler_entry irq:irq_handler_exit irq:softirq_raise irq:softirq_entry
irq:softirq_exit napi:napi_poll net:napi_gro_receive_entry net:netif_receive_skb_entry
net:netif_receive_skb_list_entry net:netif_rx_entry net:netif_receive_skb net:netif_rx
net:net_dev_queue net:net_dev_start_xmit net:net_dev_xmit sched:sched_switch
sched:sched_wakeup sched:sched_waking sched:sched_migrate_task syscalls:sys_enter_recvfrom
syscalls:sys_enter_recvmsg syscalls:sys_enter_recvmmsg syscalls:sys_enter_accept
syscalls:sys_enter_accept4 skb:kfree_skb csd:csd_queue_cpu irq_vectors:call_function_single_entry
irq_vectors:call_function_single_exit irq_vectors:reschedule_entry timer:hrtimer_expire_entry"

SYSCTLS="rps_sock_flow_entries netdev_budget netdev_budget_usecs dev_weight netdev_max_backlog
flow_limit_cpu_bitmap flow_limit_table_len netdev_tstamp_prequeue busy_read busy_poll
gro_normal_batch dev_weight_rx_bias dev_weight_tx_bias"

die() {
    echo "$PROG: $*" >&2
    exit 1
}
warn() {
    echo "$PROG: warning: $*" >&2
    if [[ -n $STAGE ]]; then printf '%s\n' "$*" >>"$STAGE/warnings.txt"; fi
}

cleanup() {
    local rc=$?
    set +e
    if [[ -n $INSTANCE && -d $INSTANCE ]]; then
        echo 0 >"$INSTANCE/tracing_on" 2>/dev/null
        echo >"$INSTANCE/set_event" 2>/dev/null
        rmdir "$INSTANCE" 2>/dev/null || echo "$PROG: could not remove $INSTANCE" >&2
    fi
    for p in $TCPDUMP_PID $WORKLOAD_PID "${SELFTEST_PIDS[@]}"; do
        [[ -n $p ]] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    for ns in "${SELFTEST_NS[@]}"; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
        ip netns del "$ns" 2>/dev/null
    done
    [[ -n $STAGE && -d $STAGE ]] && rm -rf "$STAGE"
    # Unmount what we mounted, unless another capture is still tracing in its own
    # instance (a concurrent run saw tracefs mounted and did not mount it itself).
    if ((MOUNTED_TRACEFS)) && [[ -z $(ls "$TRACEFS/instances" 2>/dev/null | grep '^nicsteer-') ]]; then
        umount "$TRACEFS" 2>/dev/null
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command inside the interface's netns when one is given.
nsrun() {
    if [[ -n ${NETNS:-} ]]; then ip netns exec "$NETNS" "$@"; else "$@"; fi
}

find_tracefs() {
    local d
    for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
        if [[ -e $d/instances ]]; then
            TRACEFS=$d
            return 0
        fi
    done
    [[ -d /sys/kernel/tracing ]] || die "no tracefs: kernel built without CONFIG_TRACING?"
    mount -t tracefs nodev /sys/kernel/tracing || die "cannot mount tracefs on /sys/kernel/tracing"
    MOUNTED_TRACEFS=1
    TRACEFS=/sys/kernel/tracing
}

# A staged value becomes config.json key path (dirs = objects, file = string; *.int = number,
# *.json = raw JSON).
stage() { # stage <key/path> <text>
    mkdir -p "$STAGE/json/$(dirname "$1")"
    printf '%s' "$2" >"$STAGE/json/$1"
}
stage_file() { # stage_file <key/path> <file>
    mkdir -p "$STAGE/json/$(dirname "$1")"
    cat "$2" >"$STAGE/json/$1"
}

clock_sample() { # realtime - mono offset, best of 7 (smallest realtime bracket)
    python3 - <<'EOF'
import time, json
best = None
for _ in range(7):
    r1 = time.clock_gettime_ns(time.CLOCK_REALTIME)
    m = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    r2 = time.clock_gettime_ns(time.CLOCK_REALTIME)
    if best is None or r2 - r1 < best[2] - best[0]:
        best = (r1, m, r2)
r1, m, r2 = best
rt = (r1 + r2) // 2
print(json.dumps({"realtime_ns": rt, "mono_ns": m, "realtime_minus_mono_ns": rt - m,
                  "uncertainty_ns": r2 - r1}))
EOF
}

detect_hz() { # CONFIG_HZ from the kernel config, else from jiffies over 0.5 s
    local hz=""
    if [[ -r /proc/config.gz ]]; then
        hz=$(zcat /proc/config.gz | sed -n 's/^CONFIG_HZ=//p')
    elif [[ -r /boot/config-$(uname -r) ]]; then
        hz=$(sed -n 's/^CONFIG_HZ=//p' "/boot/config-$(uname -r)")
    fi
    if [[ -n $hz ]]; then
        echo "$hz config"
        return
    fi
    python3 - <<'EOF'
import time
def j():
    for l in open("/proc/timer_list"):
        if l.startswith("jiffies:"):
            return int(l.split()[1])
a, t0 = j(), time.monotonic(); time.sleep(0.5); b, t1 = j(), time.monotonic()
est = (b - a) / (t1 - t0)
print(min((100, 250, 300, 1000), key=lambda h: abs(h - est)), "timer_list")
EOF
}

snapshot() { # snapshot before|after <dev[@netns]...> (no @netns: --netns / current)
    local when=$1 dev q f v spec
    shift
    stage "softnet_stat/$when" "$(nsrun cat /proc/net/softnet_stat)"
    stage "interrupts/$when" "$(cat /proc/interrupts)"
    stage "softirqs/$when" "$(cat /proc/softirqs)"
    # The cpu lines of /proc/stat: per-CPU steal time (column 8) tells how long the hypervisor
    # kept each vCPU from running, state a guest's scheduler decisions may follow unseen.
    stage "stat/$when" "$(grep '^cpu' /proc/stat)"
    stage_json "clock/$when.json" "$(clock_sample)"
    [[ $when == before ]] || return 0
    for v in $SYSCTLS; do
        f=/proc/sys/net/core/$v
        # netdev_max_backlog, netdev_budget, dev_weight ... are global (net_core_table is
        # registered for init_net only): a netns shows only its own, read the rest here.
        if nsrun test -r "$f"; then
            stage "sysctl_net_core/$v" "$(nsrun cat "$f")"
        elif [[ -r $f ]]; then
            stage "sysctl_net_core/$v" "$(cat "$f")"
        fi
    done
    for spec in "$@"; do
        dev=${spec%@*}
        local NETNS=$NETNS
        [[ $spec == *@* ]] && NETNS=${spec#*@}
        if ! nsrun test -e "/sys/class/net/$dev"; then
            warn "snapshot: no interface $dev${NETNS:+ in netns $NETNS}"
            continue
        fi
        for q in $(nsrun ls "/sys/class/net/$dev/queues"); do
            for f in rps_cpus rps_flow_cnt xps_cpus xps_rxqs tx_maxrate; do
                v=/sys/class/net/$dev/queues/$q/$f
                if nsrun test -r "$v"; then
                    stage "sysfs_queues/$dev/$q/$f" "$(nsrun cat "$v" 2>/dev/null || true)"
                fi
            done
        done
        if command -v ethtool >/dev/null; then
            for f in x l k c g S n; do
                stage "ethtool/ethtool_${f}_$dev" "$(nsrun ethtool -"$f" "$dev" 2>&1 || true)"
            done
        fi
        stage "links/$dev" "$(nsrun ip -s link show dev "$dev")"
    done
}

stage_json() { # raw JSON value
    mkdir -p "$STAGE/json/$(dirname "$1")"
    printf '%s' "$2" >"$STAGE/json/$1"
}

setup_instance() { # setup_instance <buffer_kb> <with_read>
    INSTANCE=$TRACEFS/instances/nicsteer-$$
    mkdir "$INSTANCE" || die "cannot create tracefs instance $INSTANCE"
    echo 0 >"$INSTANCE/tracing_on"
    echo "$1" >"$INSTANCE/buffer_size_kb"
    # Keep the start of the capture when the buffer fills (the workload's first packets),
    # dropping later events instead; losses still show in per_cpu/*/stats -> per_cpu_overrun.
    echo 0 >"$INSTANCE/options/overwrite" 2>/dev/null || warn "cannot clear options/overwrite"
    local clock=mono ev enabled=() missing=()
    grep -qw mono "$INSTANCE/trace_clock" || clock=global
    echo "$clock" >"$INSTANCE/trace_clock"
    local list=$EVENTS
    (($2)) && list="$list syscalls:sys_enter_read"
    for ev in $list; do
        if [[ -e $INSTANCE/events/${ev%%:*}/${ev#*:}/enable ]] &&
            echo 1 >"$INSTANCE/events/${ev%%:*}/${ev#*:}/enable" 2>/dev/null; then
            enabled+=("$ev")
        else
            missing+=("$ev")
            warn "tracepoint $ev not available on $(uname -r): skipped"
        fi
    done
    stage trace/clock "$clock"
    stage trace/file trace.txt
    stage trace/buffer_size_kb_per_cpu.int "$1"
    stage_json trace/events.json "$(printf '%s\n' "${enabled[@]}" | python3 -c \
        'import json,sys; print(json.dumps([l.strip() for l in sys.stdin if l.strip()]))')"
    stage_json trace/missing_events.json "$(printf '%s\n' "${missing[@]}" | python3 -c \
        'import json,sys; print(json.dumps([l.strip() for l in sys.stdin if l.strip()]))')"
}

marker() {
    local rt
    rt=$(python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_REALTIME))')
    # A full non-overwrite buffer refuses the write (EBADF): the capture goes on, the
    # overrun is recorded in trace.per_cpu_overrun.
    { echo "nicsteer $1 realtime_ns=$rt" >"$INSTANCE/trace_marker"; } 2>/dev/null ||
        warn "trace buffer full: '$1' marker not recorded"
}

write_config() { # write_config <out>
    python3 - "$STAGE" "$1/config.json" <<'EOF'
import json, os, sys
stage, out = sys.argv[1], sys.argv[2]
def walk(d):
    obj = {}
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if os.path.isdir(p):
            obj[name] = walk(p)
            continue
        text = open(p, encoding="utf-8", errors="replace").read()
        if name.endswith(".int"):
            obj[name[:-4]] = int(text)
        elif name.endswith(".json"):
            obj[name[:-5]] = json.loads(text)
        else:
            obj[name] = text
    return obj
cfg = walk(os.path.join(stage, "json"))
cfg["schema"] = "nicsteer-capture/1"
w = os.path.join(stage, "warnings.txt")
cfg["warnings"] = [l.rstrip("\n") for l in open(w)] if os.path.exists(w) else []
tmp = out + ".tmp"
with open(tmp, "w") as f:
    json.dump(cfg, f, indent=1, sort_keys=True)
    f.write("\n")
os.replace(tmp, out)
EOF
}

# record <out> <iface> <duration> <count> <buffer_kb> <with_read> <workload function or "">
# [extra dev[@netns] for snapshots...]
record() {
    local out=$1 dev=$2 dur=$3 count=$4 bufkb=$5 with_read=$6 workload=$7
    shift 7
    local devs=("$dev" "$@") cpu q
    mkdir -p "$out" || die "cannot create $out"
    nsrun test -e "/sys/class/net/$dev" || die "no interface $dev${NETNS:+ in netns $NETNS}"
    command -v tcpdump >/dev/null || die "tcpdump not found"
    command -v python3 >/dev/null || die "python3 not found (needed to write config.json)"
    find_tracefs
    setup_instance "$bufkb" "$with_read"

    local hz
    hz=$(detect_hz)
    stage host/kernel "$(uname -r)"
    stage host/machine "$(uname -m)"
    stage host/ncpus.int "$(getconf _NPROCESSORS_ONLN)"
    stage host/hz.int "${hz%% *}"
    stage host/hz_source "${hz#* }"
    # The scheduler's sysctls and the boot command line: a host running a scheduler patch
    # (e.g. kernel.sched_vcpu_pack) places wake-ups in ways upstream does not (validate says so).
    stage host/cmdline "$(tr -d '\n' </proc/cmdline 2>/dev/null || true)"
    local knob
    for knob in /proc/sys/kernel/sched_*; do
        [[ -r $knob && -f $knob ]] || continue
        stage "host/sched/$(basename "$knob")" "$(tr '\n\t' '  ' <"$knob" | sed 's/ *$//')"
    done
    stage topology/receiver/dev "$dev"
    [[ -n ${NETNS:-} ]] && stage topology/receiver/netns "$NETNS"
    local drv
    drv=$(nsrun ethtool -i "$dev" 2>/dev/null | sed -n 's/^driver: //p' || true)
    if [[ -z $drv ]]; then
        drv=$(basename "$(nsrun readlink -f "/sys/class/net/$dev/device/driver" 2>/dev/null)" \
            2>/dev/null || true)
    fi
    stage topology/receiver/driver "${drv:-unknown}"
    local addr
    addr=$(nsrun ip -4 -o addr show dev "$dev" | awk '{print $4}' | head -1 | cut -d/ -f1)
    stage topology/receiver/addr "$addr"
    stage topology/queues_per_side.int "$(nsrun ls "/sys/class/net/$dev/queues" | grep -c '^rx-')"

    snapshot before "${devs[@]}"

    local snaplen=128
    # --immediate-mode: frames reach tcpdump as they arrive, not when a TPACKET_V3 block retires
    # (a starved tcpdump killed before its first block retired wrote no frame); -B: a 16 MB
    # capture buffer (the default 2 MB lost about half the frames at backlog-overflow rates).
    nsrun timeout "$((dur + 10))" tcpdump -i "$dev" -s "$snaplen" -c "$count" -n -U \
        --immediate-mode -B 16384 \
        --time-stamp-precision=nano -w "$out/pcap.pcap" 2>"$STAGE/tcpdump.log" &
    TCPDUMP_PID=$!
    for _ in $(seq 50); do
        grep -q listening "$STAGE/tcpdump.log" 2>/dev/null && break
        sleep 0.1
    done
    grep -q listening "$STAGE/tcpdump.log" || die "tcpdump did not start: $(cat "$STAGE/tcpdump.log")"

    echo >"$INSTANCE/trace"
    echo 1 >"$INSTANCE/tracing_on"
    marker start
    if [[ -n $workload ]]; then
        "$workload" "$dur" || warn "workload exited with status $?"
    else
        sleep "$dur"
    fi
    marker stop
    echo 0 >"$INSTANCE/tracing_on"
    sleep 0.2
    kill -TERM "$TCPDUMP_PID" 2>/dev/null || true
    wait "$TCPDUMP_PID" 2>/dev/null || true
    TCPDUMP_PID=""

    snapshot after "${devs[@]}"

    cat "$INSTANCE/trace" >"$out/trace.txt"
    local ov=""
    for cpu in "$INSTANCE"/per_cpu/cpu*; do
        q=${cpu##*/}
        ov+="$q overrun: $(sed -n 's/^overrun: //p' "$cpu/stats") dropped events: $(sed -n \
            's/^dropped events: //p' "$cpu/stats") "$'\n'
    done
    stage trace/per_cpu_overrun "$ov"
    stage pcap/file pcap.pcap
    stage pcap/iface "$dev"
    stage pcap/snaplen.int "$snaplen"
    stage pcap/tstamp "nano, CLOCK_REALTIME (tcpdump --time-stamp-precision=nano)"
    stage pcap/tcpdump_log "$(cat "$STAGE/tcpdump.log")"
    write_config "$out"
    [[ -n ${CASE:-} ]] && echo "$CASE" >"$out/README"
    echo "$PROG: bundle written to $out ($(grep -vc '^#' "$out/trace.txt") trace lines)" >&2
}

# ---------------------------------------------------------------- self-test workload

selftest_receiver() { # python3 receiver in netns B: 4 UDP ports + TCP 5201, 2 threads, until <out>.stop
    cat <<'EOF'
import json, os, socket, sys, threading, time
out, deadline = sys.argv[1], time.monotonic() + float(sys.argv[2])
udp = []
for port in range(9000, 9004):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", port))
    s.settimeout(0.2); udp.append((s, port))
lst = socket.socket(); lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lst.bind(("0.0.0.0", 5201)); lst.listen(8); lst.settimeout(0.2)
socks, threads, lock = {}, [], threading.Lock()
def run(idx, mine):
    with lock:
        threads.append({"thread": idx, "tid": threading.get_native_id()})
    for s, port in mine:
        with lock:
            socks[str(s.fileno())] = {"kind": "udp", "port": port, "thread": idx}
    conns = []
    while time.monotonic() < deadline and not os.path.exists(out + ".stop"):
        if idx == 0:
            try:
                c, peer = lst.accept(); c.settimeout(0.05)
                with lock:
                    socks[str(c.fileno())] = {"kind": "tcp", "peer": "%s:%d" % peer, "thread": idx}
                conns.append(c)
            except socket.timeout:
                pass
        for s in [m[0] for m in mine] + conns:
            s.settimeout(0.02)
            try:
                s.recv(65536)
            except (socket.timeout, BlockingIOError):
                pass
ts = [threading.Thread(target=run, args=(i, udp[i::2])) for i in range(2)]
for t in ts: t.start()
open(out + ".ready", "w").close()
for t in ts: t.join()
json.dump({"mode": "rx", "pid": os.getpid(), "threads": threads, "sockets": socks}, open(out, "w"))
EOF
}

selftest_sender() { # 8 UDP flows x 30 datagrams + 2 TCP flows x 30 messages, 2 ms apart
    cat <<'EOF'
import socket, sys, time
dst = sys.argv[1]
udp = []
for k in range(8):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 20000 + k))
    udp.append((s, 9000 + k % 4, b"u" * (200 + k)))
tcp = []
def connect(k):  # the receiver may still be starting on a loaded host: retry, bounded
    for attempt in range(50):
        c = socket.socket(); c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind(("0.0.0.0", 21000 + k))
        try:
            c.connect((dst, 5201)); return c
        except OSError:
            c.close(); time.sleep(0.1)
    sys.exit("self-test sender: cannot connect to %s:5201" % dst)
for k in range(2):
    c = connect(k)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1); tcp.append((c, b"t" * (208 + k)))
for i in range(30):
    for s, port, payload in udp:
        s.sendto(payload, (dst, port))
    for c, payload in tcp:
        c.send(payload)
    time.sleep(0.002)
time.sleep(0.2)
EOF
}

ST_DIR=""
selftest_workload() { # runs the sender in netns A (bounded)
    timeout "$1" ip netns exec "${SELFTEST_NS[0]}" python3 "$ST_DIR/tx.py" 192.0.2.2
    sleep 0.5 # let the receiver threads drain their sockets while tracing
    : >"$ST_DIR/rx.json.stop" # the receiver runs until the sender is done, not a fixed time
}

selftest() {
    local out=$1 a=nicsteer-st-a-$$ b=nicsteer-st-b-$$ q ncpu mask
    [[ $(id -u) -eq 0 ]] || die "--selftest needs root"
    ip netns add "$a"
    SELFTEST_NS+=("$a")
    ip netns add "$b"
    SELFTEST_NS+=("$b")
    ip -n "$a" link add vA numtxqueues 4 numrxqueues 4 type veth peer name vB netns "$b" \
        numtxqueues 4 numrxqueues 4
    ip -n "$a" addr add 192.0.2.1/24 dev vA
    ip -n "$b" addr add 192.0.2.2/24 dev vB
    ip -n "$a" link set lo up
    ip -n "$b" link set lo up
    ip -n "$a" link set vA up
    ip -n "$b" link set vB up
    # GRO on the receiver makes veth use its NAPI (napi_gro_receive_entry), TSO off on the sender
    # keeps one trace entry per datagram, as in the shared veth bundles.
    ip netns exec "$b" ethtool -K vB gro on >/dev/null 2>&1 || true
    ip netns exec "$a" ethtool -K vA tso off >/dev/null 2>&1 || true
    ncpu=$(getconf _NPROCESSORS_ONLN)
    ((ncpu > 32)) && ncpu=32
    mask=$(printf '%x' $(((1 << ncpu) - 1)))
    for q in 0 1 2 3; do
        ip netns exec "$b" sh -c "echo $mask > /sys/class/net/vB/queues/rx-$q/rps_cpus"
    done

    STAGE=$(mktemp -d /tmp/nicsteer-capture.XXXXXX)
    ST_DIR=$STAGE
    selftest_receiver >"$ST_DIR/rx.py"
    selftest_sender >"$ST_DIR/tx.py"
    ip netns exec "$b" timeout 60 python3 "$ST_DIR/rx.py" "$ST_DIR/rx.json" 50 &
    SELFTEST_PIDS+=($!)
    for _ in $(seq 50); do
        [[ -e $ST_DIR/rx.json.ready ]] && break
        sleep 0.1
    done
    [[ -e $ST_DIR/rx.json.ready ]] || die "self-test receiver did not start"

    stage topology/sender/netns "$a"
    stage topology/sender/dev vA
    stage topology/sender/addr 192.0.2.1
    stage topology/sender/driver veth
    stage workload/tool "capture.sh --selftest"
    stage workload/udp_flows.int 8
    stage workload/tcp_flows.int 2
    stage workload/payload_bytes "udp k: 200+k, tcp k: 208+k"
    stage case selftest
    NETNS=$b CASE="capture.sh --selftest: veth 4 queues, RPS all CPUs, 8 UDP + 2 TCP flows" \
        record "$out" vB 3 2000 4096 0 selftest_workload "vA@$a"
    wait "${SELFTEST_PIDS[0]}" || true
    SELFTEST_PIDS=()
    if [[ -s $ST_DIR/rx.json ]]; then
        python3 - "$out/config.json" "$ST_DIR/rx.json" <<'EOF'
import json, os, sys
cfg = json.load(open(sys.argv[1]))
cfg.setdefault("workload", {})["rx_result"] = json.load(open(sys.argv[2]))
tmp = sys.argv[1] + ".tmp"
json.dump(cfg, open(tmp, "w"), indent=1, sort_keys=True)
os.replace(tmp, sys.argv[1])
EOF
    else
        echo "$PROG: warning: receiver wrote no result" >&2
    fi
}

# ---------------------------------------------------------------- main

usage() {
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-2}"
}

IFACE="" OUT="" DURATION=5 COUNT=200000 BUFKB=32768 WITH_READ=0 NETNS="" CASE="" SELFTEST=""
WORKLOAD_CMD=() ALSO=()
while (($#)); do
    case $1 in
    --iface) IFACE=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --count) COUNT=$2; shift 2 ;;
    --netns) NETNS=$2; shift 2 ;;
    --case) CASE=$2; shift 2 ;;
    --buffer-kb) BUFKB=$2; shift 2 ;;
    --with-read) WITH_READ=1; shift ;;
    --also) ALSO+=("$2"); shift 2 ;; # another device whose queues/ethtool/link are snapshotted
    --selftest) SELFTEST=$2; shift 2 ;;
    -h | --help) usage 0 ;;
    --) shift; WORKLOAD_CMD=("$@"); break ;;
    *) echo "$PROG: unknown argument $1" >&2; usage 2 ;;
    esac
done
[[ $DURATION =~ ^[0-9]+$ && $DURATION -ge 1 && $DURATION -le 3600 ]] ||
    die "--duration must be 1..3600 seconds"
[[ $COUNT =~ ^[0-9]+$ && $COUNT -ge 1 ]] || die "--count must be a positive integer"

if [[ -n $SELFTEST ]]; then
    selftest "$SELFTEST"
    exit 0
fi
[[ -n $IFACE && -n $OUT ]] || usage 2
[[ $(id -u) -eq 0 ]] || die "needs root (tracefs, tcpdump)"
STAGE=$(mktemp -d /tmp/nicsteer-capture.XXXXXX)
user_workload() {
    timeout "$1" "${WORKLOAD_CMD[@]}"
}
if ((${#WORKLOAD_CMD[@]})); then
    record "$OUT" "$IFACE" "$DURATION" "$COUNT" "$BUFKB" "$WITH_READ" user_workload "${ALSO[@]}"
else
    record "$OUT" "$IFACE" "$DURATION" "$COUNT" "$BUFKB" "$WITH_READ" "" "${ALSO[@]}"
fi
