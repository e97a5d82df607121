#!/usr/bin/env bash
# nicsteer validate on the real capture bundles of ../shared/traces (issue 5 targets):
#  - CPU agreement >= 0.995 on every bundle, exactly 1 where RFS is off;
#  - every pcap-matched packet joined, per-CPU trace processed within 1% of softnet_stat deltas
#    and the model's per-CPU counts within 1% of them too;
#  - --min-cpu-agreement sets the exit status; --out is written atomically and is deterministic;
#  - the 17 MB high-rate trace replays in under 10 s.
# Args: <nicsteer binary> <source dir>. Exit 0 pass, 77 skip, 1 fail.
set -u
bin=$1
shared=${NICSTEER_SHARED:-$2/../shared}
traces=$shared/traces
[ -d "$traces/veth" ] || { echo "SKIP: $traces/veth not found (shared/ folder absent)"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

check_bundle() { # name min_cpu
    local dir=$1 min=$2 name
    name=$(basename "$dir")
    local out=$tmp/$name.json
    local t0 t1
    t0=$(date +%s%N)
    # built-in costs: these checks are of placement and of the bundle's own facts (the costs
    # library's choice is checked below, with its in-sample warning)
    "$bin" validate --json --builtin-costs --out "$out" --min-cpu-agreement "$min" "$dir"
    local st=$?
    t1=$(date +%s%N)
    [ "$st" = 0 ] || { fail "$name: exit $st with --min-cpu-agreement $min"; return; }
    local secs=$(((t1 - t0) / 1000000000))
    [ "$secs" -lt 10 ] || fail "$name: took ${secs}s (> 10 s)"
    jq -e '.packets.matched == .packets.trace and .packets.matched > 0' "$out" >/dev/null ||
        fail "$name: not every receive entry matched a pcap frame: $(jq -c .packets "$out")"
    jq -e --argjson m "$min" '.agreement.cpu >= $m' "$out" \
        >/dev/null || fail "$name: agreement $(jq -c .agreement "$out") (want cpu >= $min)"
    # veth: the RX queue is the sender's TX queue (veth_xmit), predicted when the sender's
    # transmits are in the trace; >= 99.5% is the issue's target on traces/veth.
    if [ "${3:-}" = need_rxq ]; then
        jq -e '.agreement.rx_queue != null and .agreement.rx_queue >= 0.995' "$out" >/dev/null ||
            fail "$name: RX queue agreement $(jq -c '[.agreement.rx_queue, .agreement.rx_queue_mode, .counts.rx_queue]' "$out") (want >= 0.995)"
    else
        jq -e '.agreement.rx_queue == null or .agreement.rx_queue >= 0.995' "$out" >/dev/null ||
            fail "$name: RX queue agreement $(jq -c '[.agreement.rx_queue, .counts.rx_queue]' "$out")"
    fi
    jq -e '[.per_cpu[] | select(.softnet_processed > 0) |
            ((.trace_processed - .softnet_processed) / .softnet_processed | fabs) <= 0.01 and
            ((.model_processed - .softnet_processed) / .softnet_processed | fabs) <= 0.01] | all' \
        "$out" >/dev/null || fail "$name: per-CPU processed beyond 1% of softnet: $(jq -c .per_cpu "$out")"
    # veth: the sender's TX queue (XPS or skb_tx_hash, socket caching) is the RX queue.
    jq -e '.agreement.tx_queue == null or .agreement.tx_queue >= 0.999' "$out" >/dev/null ||
        fail "$name: sender TX queue agreement $(jq -c '[.agreement.tx_queue, .counts.tx_queue]' "$out")"
    jq -e '.napi_poll.ks_distance != null and .napi_poll.ks_distance < 0.05' "$out" >/dev/null ||
        fail "$name: NAPI poll KS distance $(jq .napi_poll.ks_distance "$out")"
    jq -e '.partial == false and (.warnings | length) == 0' "$out" >/dev/null ||
        fail "$name: unexpected warnings/partial: $(jq -c '[.partial, .warnings]' "$out")"
    # NET_RX run durations priced by the cost model: a distance and both medians.
    jq -e '.softirq.ks_distance != null and .softirq.model_p50_ns != null and
           .softirq.trace_p50_ns > 0 and .softirq.model_hist.count == .softirq.trace_hist.count' \
        "$out" >/dev/null || fail "$name: softirq model $(jq -c '.softirq | del(.model_hist, .trace_hist)' "$out")"
    jq -e '.wakeups.count > 0 and .wakeups.agreement != null' "$out" >/dev/null ||
        fail "$name: no receiver wake-up compared: $(jq -c '.wakeups | del(.disagreements)' "$out")"
    echo "ok   $name: cpu $(jq .agreement.cpu "$out") rx queue $(jq .agreement.rx_queue "$out") matched $(jq .packets.matched "$out")/$(jq .packets.trace "$out") ks $(jq .napi_poll.ks_distance "$out") (${secs}s)"
}

for b in rps2 rps-perqueue-xps udp-burst-rps2; do
    check_bundle "$traces/veth/$b" 1.0 need_rxq
done
check_bundle "$traces/veth/rps-rfs-unpinned" 0.995 need_rxq
if [ -d "$traces/veth-highrate/backlog-default" ]; then
    check_bundle "$traces/veth-highrate/backlog-default" 1.0
    # 689 backlog polls of which 153 full in the trace (traces/README.md); the model's replay
    # must find the same shape.
    jq -e '.napi_poll.trace_hist.count == 689 and .napi_poll.trace_full_polls == 153 and
           (.napi_poll.model_hist.bins[64] // 0) > 100' "$tmp/backlog-default.json" >/dev/null ||
        fail "backlog-default: backlog polls $(jq -c '[.napi_poll.trace_hist.count, .napi_poll.trace_full_polls, .napi_poll.model_hist.bins[64]]' "$tmp/backlog-default.json")"
    # NET_RX ran in ksoftirqd for 7.4% of its time, 7.6% of the packets (traces/README.md).
    jq -e '.per_cpu[1] | (.net_rx_ksoftirqd_ns / .net_rx_ns * 1000 | round) == 74 and
           (.trace_processed_ksoftirqd / .trace_processed * 1000 | round) == 76' \
        "$tmp/backlog-default.json" >/dev/null ||
        fail "backlog-default: ksoftirqd share $(jq -c '.per_cpu[1]' "$tmp/backlog-default.json")"
fi

# The 16-CPU VM bundle has host.hz null (no /proc/config.gz): it validates, HZ estimated from
# the trace's tick-driven softirq raises and said in warnings[] (#10).
if [ -d "$traces/veth16/rps16" ]; then
    "$bin" validate --json --out "$tmp/rps16.json" "$traces/veth16/rps16" ||
        fail "rps16: validate exit $?"
    jq -e '.agreement.cpu == 1 and (.warnings[0] | startswith("host.hz not recorded: HZ=250 estimated"))' \
        "$tmp/rps16.json" >/dev/null || fail "rps16: $(jq -c '[.agreement.cpu, .warnings]' "$tmp/rps16.json")"
fi

# Receiver wake placement (select_task_rq_fair, one LLC, idle = swapper): agreement measured
# on these bundles minus 0.02, so a regression shows (see README "How validate compares").
for pair in rps2:0.63 rps-perqueue-xps:0.61 rps-rfs-unpinned:0.59 udp-burst-rps2:0.96 \
    backlog-default:1.0; do
    n=${pair%%:*} min=${pair#*:}
    [ -f "$tmp/$n.json" ] || continue
    jq -e --argjson m "$min" '.wakeups.agreement >= $m' "$tmp/$n.json" >/dev/null ||
        fail "$n: wake agreement $(jq .wakeups.agreement "$tmp/$n.json") < $min"
done
# Free receiver threads migrate on the real host; the model migrates them too.
jq -e '.wakeups.trace_migrations > 100 and .wakeups.model_migrations > 100 and
       (.wakeups.disagreements[0].trace_line > 0)' "$tmp/rps-rfs-unpinned.json" >/dev/null ||
    fail "rps-rfs-unpinned: wake migrations $(jq -c '.wakeups | del(.disagreements)' "$tmp/rps-rfs-unpinned.json")"
# Pinned receivers (rx_pin 1) never move, in the trace or the model.
[ -f "$tmp/backlog-default.json" ] &&
    { jq -e '.wakeups.trace_migrations == 0 and .wakeups.model_migrations == 0' \
        "$tmp/backlog-default.json" >/dev/null || fail "backlog-default: pinned receivers migrated"; }
# --costs calibrates the softirq model: doubling every per-packet cost raises the model median.
printf '{"stack_skb": 900, "sock_enqueue": 400, "drv_rx_pkt": 400, "gro_pkt": 120, "wakeup": 1200}' >"$tmp/costs.json"
"$bin" validate --json --costs "$tmp/costs.json" "$traces/veth/rps2" >"$tmp/rps2-costs.json" ||
    fail "rps2: --costs rejected"
jq -e --slurpfile d "$tmp/rps2.json" '.softirq.model_hist.mean > $d[0].softirq.model_hist.mean' \
    "$tmp/rps2-costs.json" >/dev/null || fail "rps2: --costs did not change the softirq model"
printf '{"stack_skbb": 1}' >"$tmp/bad.json"
err=$("$bin" validate --costs "$tmp/bad.json" "$traces/veth/rps2" 2>&1 >/dev/null)
st=$?
[ "$st" = 1 ] || fail "--costs with an unknown key: exit $st, expected 1"
case "$err" in *bad.json*stack_skbb*) ;; *) fail "--costs unknown key: stderr '$err'" ;; esac
text=$("$bin" validate --builtin-costs "$traces/veth/rps-rfs-unpinned")
case "$text" in *"Xeon-class"*"receiver wake-ups"*) ;; *) fail "text report lacks softirq/wake lines" ;; esac

# RFS is not perfect on the unpinned case: demanding 1.0 must fail with status 3 and say why.
err=$("$bin" validate --min-cpu-agreement 1 "$traces/veth/rps-rfs-unpinned" 2>&1 >/dev/null)
st=$?
[ "$st" = 3 ] || fail "rps-rfs-unpinned --min-cpu-agreement 1: exit $st, expected 3 (below a threshold)"
case "$err" in *"CPU agreement"*"below"*) ;; *) fail "rps-rfs-unpinned: stderr '$err'" ;; esac

# A threshold on each reported figure; missing one exits 3 and names the figure and option.
"$bin" validate --max-napi-ks 0.5 --min-wake-agreement 0.3 "$traces/veth/rps2" >/dev/null ||
    fail "rps2: thresholds it meets gave exit $?"
for t in "--max-softirq-ks 0.1:NET_RX softirq duration KS distance" \
    "--min-wake-agreement 0.99:wake-up CPU agreement" \
    "--max-device-napi-ks 0.5:device NAPI poll size KS distance n/a"; do
    opt=${t%%:*} want=${t#*:}
    err=$("$bin" validate $opt "$traces/veth/rps2" 2>&1 >/dev/null)
    st=$?
    [ "$st" = 3 ] || fail "rps2 $opt: exit $st, expected 3"
    case "$err" in *"$want"*) ;; *) fail "rps2 $opt: stderr '$err'" ;; esac
done
"$bin" validate --max-softirq-ks 2 "$traces/veth/rps2" >/dev/null 2>&1
[ $? = 2 ] || fail "--max-softirq-ks 2 is not a usage error"

# The costs library: a bundle of a host class it holds (scenarios/costs/veth-host.json was
# calibrated on these bundles' host) is priced with that host's costs without --costs, and the
# report says which file and that this bundle was one it was fitted on (in sample).
"$bin" validate --json "$traces/veth/rps2" >"$tmp/lib.json" 2>"$tmp/lib.err" || fail "rps2: library costs"
jq -e '.costs == {"file": "veth-host.json", "selected_by": "host", "in_sample": true} and
       (.warnings | any(test("fitted on this bundle")))' "$tmp/lib.json" >/dev/null ||
    fail "rps2: costs library not used or not flagged: $(jq -c '[.costs, .warnings]' "$tmp/lib.json")"
jq -e --slurpfile d "$tmp/rps2.json" '.softirq.ks_distance < $d[0].softirq.ks_distance and
       $d[0].costs.selected_by == "built-in"' "$tmp/lib.json" >/dev/null ||
    fail "rps2: the host's costs did not bring the softirq model closer than the built-in ones"
"$bin" validate --costs "$tmp/costs.json" --builtin-costs "$traces/veth/rps2" >/dev/null 2>&1
[ $? = 2 ] || fail "--costs with --builtin-costs: expected usage error (2)"
# A library file that is not a costs object is named; an empty library leaves the built-in costs.
mkdir -p "$tmp/lib"
printf '{"stack_skb": "fast"}' >"$tmp/lib/a.json"
err=$(NICSTEER_COSTS_PATH=$tmp/lib "$bin" validate "$traces/veth/rps2" 2>&1 >/dev/null)
case "$err" in *lib/a.json*stack_skb*) ;; *) fail "bad library file: stderr '$err'" ;; esac
host=$(jq -r '"\(.host.kernel), \(.host.ncpus) CPUs"' "$traces/veth/rps2/config.json")
jq -n --arg h "$host" '{"stack_skb": 5000, "calibration": {"hosts": [$h], "bundles": []}}' >"$tmp/lib/a.json"
NICSTEER_COSTS_PATH=$tmp/lib "$bin" validate --json "$traces/veth/rps2" 2>/dev/null >"$tmp/lib2.json"
jq -e '.costs == {"file": "a.json", "selected_by": "host", "in_sample": false}' "$tmp/lib2.json" \
    >/dev/null || fail "NICSTEER_COSTS_PATH not searched first: $(jq -c .costs "$tmp/lib2.json")"

# The disagreements are listed with their trace lines in the text report.
"$bin" validate --max-disagreements 3 "$traces/veth/rps-rfs-unpinned" >"$tmp/rfs.txt"
grep -q "trace line [0-9]*, pcap packet [0-9]*: model [01], trace [01]" "$tmp/rfs.txt" ||
    fail "rps-rfs-unpinned: no disagreement listed in the text report"

# Deterministic: the same bundle gives byte-identical JSON.
"$bin" validate --json --builtin-costs "$traces/veth/rps2" >"$tmp/a.json" &&
    "$bin" validate --json --builtin-costs "$traces/veth/rps2" >"$tmp/b.json" &&
    cmp -s "$tmp/a.json" "$tmp/b.json" || fail "rps2: JSON differs between two runs"
cmp -s "$tmp/a.json" "$tmp/rps2.json" || fail "rps2: --out differs from stdout"

# Progress (#13 point 6): --progress forces the line on stderr (trace MB read), stdout is the
# same report; --quiet prints no progress; calibrate reports the same way per bundle.
bl=$traces/veth-highrate/backlog-default
"$bin" validate --json --progress "$bl" >"$tmp/p.json" 2>"$tmp/p.err" || fail "validate --progress"
tr '\r' '\n' <"$tmp/p.err" | grep -Eq '^nicsteer validate: [0-9.]+ / [0-9.]+ MB of trace \( *[0-9]+%\)' ||
    fail "validate --progress: no progress line on stderr: $(head -c 300 "$tmp/p.err")"
"$bin" validate --json "$bl" >"$tmp/np.json" 2>/dev/null
cmp -s "$tmp/p.json" "$tmp/np.json" || fail "validate --progress changed stdout"
"$bin" validate --json --quiet "$bl" >/dev/null 2>"$tmp/q.err"
grep -q "MB of trace" "$tmp/q.err" && fail "validate --quiet printed progress"
"$bin" calibrate --progress --out "$tmp/c.json" "$bl" >/dev/null 2>"$tmp/c.err" || fail "calibrate --progress"
tr '\r' '\n' <"$tmp/c.err" | grep -q '^nicsteer calibrate: .* MB of trace' ||
    fail "calibrate --progress: no progress line"

echo "$fails failed"
[ "$fails" = 0 ]
