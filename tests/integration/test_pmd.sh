#!/usr/bin/env bash
# DPDK-style poll-mode receive (#15 point 1; field-figures.md "Kernel bypass"). The kernel
# path against a run-to-completion PMD at the same offered load: CPU per packet (the kernel's
# busy time over delivered packets vs the lcores' time in calls that got packets), the
# lcores' CPUs at 100% usr even without traffic, no eth0 interrupt, lower latency. Then
# run-to-completion against the pipeline as per-packet work grows (sweeps/pmd-work.json):
# RTC has the lower latency at small work, the pipeline the fewer drops at large work.
set -u
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for v in pmd-kernel pmd-rtc pmd-rtc-work pmd-pipeline-work; do
    "$bin" check "$src/scenarios/$v.json" > /dev/null || { echo "FAIL: check $v"; exit 1; }
    "$bin" run "$src/scenarios/$v.json" --out "$tmp/$v" > "$tmp/$v.mpstat" || { echo "FAIL: run $v"; exit 1; }
done
echo "== pmd-kernel: mpstat"; cat "$tmp/pmd-kernel.mpstat"
echo "== pmd-rtc: mpstat"; cat "$tmp/pmd-rtc.mpstat"
"$bin" run "$src/scenarios/pmd-rtc.json" --set /traffic/flows/0/rate_pps=1000 --out "$tmp/idle" > /dev/null || { echo "FAIL: idle run"; exit 1; }
"$bin" run "$src/scenarios/pmd-rtc.json" --set '/app/pmd/hugepage="4k"' --out "$tmp/4k" > /dev/null || { echo "FAIL: 4k run"; exit 1; }
# one lcore, one queue, offered 60 Mpps: full bursts, the drop path's rate per core
"$bin" run "$src/scenarios/pmd-rtc.json" --set /nic/rx_queues=1 --set '/app/pmd/lcores=[0]' \
    --set '/nic/steering={"chain":["rss"]}' --set /traffic/flows/0/rate_pps=60000000 \
    --set /traffic/duration_s=0.002 --set /duration_ms=2 --out "$tmp/sat" > /dev/null || { echo "FAIL: saturation run"; exit 1; }
"$bin" run "$src/scenarios/pmd-pipeline-work.json" --engine percpu --out "$tmp/pipe-percpu" > /dev/null || { echo "FAIL: percpu run"; exit 1; }
diff -q -I '"engine": ' "$tmp/pmd-pipeline-work/summary.json" "$tmp/pipe-percpu/summary.json" >/dev/null || { echo "FAIL: engines differ"; exit 1; }
echo "ok   window and percpu engines byte-identical on pmd-pipeline-work"
"$bin" sweep "$src/scenarios/sweeps/pmd-work.json" --out "$tmp/sweep" --quiet -j 2 || { echo "FAIL: sweep"; exit 1; }
python3 - "$tmp" <<'PY'
import json, sys
t = sys.argv[1]
bad = []
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        bad.append(what)
def load(d):
    return json.load(open(f"{t}/{d}/summary.json"))
K, P, I, P4 = load("pmd-kernel"), load("pmd-rtc"), load("idle"), load("4k")
def busy_ns_per_pkt(s):  # mpstat's busy columns over the packets delivered
    pct = sum(c["usr"] + c["sys"] + c["irq"] + c["soft"] for c in s["cpus"])
    return pct / 100 * s["sim_time_s"] * 1e9 / s["packets"]["delivered"]
kn, pn = busy_ns_per_pkt(K), P["pmd"]["busy_ns_per_pkt"]
print(f"kernel {kn:.0f} ns/pkt busy, p50 {K['latency_us']['p50']} p99 {K['latency_us']['p99']} us; "
      f"PMD {pn:.1f} ns/pkt busy, p50 {P['latency_us']['p50']} p99 {P['latency_us']['p99']} us; "
      f"4 KB pages {P4['pmd']['busy_ns_per_pkt']:.1f} ns/pkt (STLB miss {P4['pmd']['stlb']['miss_probability']})")
check(K["packets"]["offered"] == P["packets"]["offered"], "same offered load")
check(P["packets"]["delivered"] >= P["packets"]["offered"] - 64 and P["packets"]["dropped"] == 0, "PMD does every packet")
check(kn > 10 * pn, f"kernel CPU per packet {kn:.0f} ns > 10x the PMD's busy {pn:.1f} ns")
check(10 < pn < 200, f"PMD busy per packet {pn:.1f} ns: tens of ns (field: ~23 ns at 43.5 Mpps/core)")
check(P["latency_us"]["p99"] * 10 < K["latency_us"]["p99"], "PMD p99 latency a tenth of the kernel's or less")
check(all(c["usr"] >= 99.9 for c in P["cpus"]), "every lcore CPU 100% usr under load")
check(all(c["usr"] >= 99.9 for c in I["cpus"]) and I["packets"]["offered"] < 100,
      f"every lcore CPU 100% usr with {I['packets']['offered']} packets in 50 ms")
check(all(l["spin_ms"] > 0.99 * 50 for l in I["pmd"]["lcores"]), "idle lcores spin (empty polls) the whole run")
check(all(c["idle"] > 10 for c in K["cpus"]), "the kernel path leaves CPU idle at the same load")
check(sum(q["irqs"] for q in P["queues"]) == 0 and sum(q["irqs"] for q in K["queues"]) > 1000,
      "no eth0 interrupt with the PMD; the kernel path takes thousands")
S = load("sat")
mpps = S["pmd"]["done"] / S["sim_time_s"] / 1e6
print(f"one lcore at 60 Mpps offered: {mpps:.1f} Mpps done, {S['pmd']['busy_ns_per_pkt']} ns/pkt")
check(S["pmd"]["busy_ns_per_pkt"] < pn / 2 and 30 < mpps < 60,
      f"full bursts amortise the call: {mpps:.1f} Mpps on one core (field: DPDK 43.5 Mpps drop)")
check(S["queues"][0]["drops"] > 0, "beyond one core's rate the NIC drops (rx_missed)")
check(P4["pmd"]["busy_ns_per_pkt"] > pn + 10, "4 KB pages cost more per packet (STLB misses)")
# RTC vs pipeline over work_ns
sw = json.load(open(f"{t}/sweep/sweep.json"))
rows = {}
for r in sw["runs"]:
    s = load(f"sweep/{r['id']}")
    rows[(r["axes"]["/app/pmd/mode"], r["axes"]["/app/pmd/work_ns"])] = s
works = sorted({w for _, w in rows})
print("work_ns  rtc: drops p50 p99 us | pipeline: drops p50 p99 us")
cross = None
for w in works:
    a, b = rows[("rtc", w)], rows[("pipeline", w)]
    print(f"{w:6d}   {a['packets']['dropped']:6d} {a['latency_us']['p50']:9.3f} {a['latency_us']['p99']:9.3f} | "
          f"{b['packets']['dropped']:6d} {b['latency_us']['p50']:9.3f} {b['latency_us']['p99']:9.3f}")
    if cross is None and b["latency_us"]["p99"] < a["latency_us"]["p99"]:
        cross = w
print(f"pipeline p99 below RTC's from work_ns = {cross}")
for w in works[:2]:
    check(rows[("rtc", w)]["latency_us"]["p99"] < rows[("pipeline", w)]["latency_us"]["p99"],
          f"work {w} ns: RTC p99 below the pipeline's (no ring, no handoff)")
big = works[-1]
rd, pd = rows[("rtc", big)]["packets"]["dropped"], rows[("pipeline", big)]["packets"]["dropped"]
check(rd > 1000 and pd < rd / 10, f"work {big} ns: pipeline drops {pd} << RTC drops {rd}")
check(cross is not None and works[1] < cross <= big, f"a crossover inside the sweep ({cross} ns)")
sys.exit(1 if bad else 0)
PY
