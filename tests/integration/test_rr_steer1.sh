#!/usr/bin/env bash
# Seed case 1 with the request/response workload (rr-steer1-*.json), in the latency-bound
# regime of the real RPC test (100 threads, not pinned, CPUs not saturated by the
# application): on a 16-CPU host with a single-queue NIC, RPS raises transactions/s over no
# steering and RFS raises them further with the lowest p99 (real figures for scale: an RPC
# test 103K -> 174K (RPS) -> 223K tps (RFS), p99 2468 -> 1382 us; netperf TCP_RR 108K ->
# 311K tps with RPS). Prints the mpstat tables before (none) and after (RPS, RFS).
set -u
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
command -v python3 >/dev/null || { echo "SKIP: python3 needed to read summary.json"; exit 77; }
for m in none rps rfs; do
    # the window engine: byte-identical to the per-CPU one (test_determinism) and ~20x faster
    "$bin" run "$src/scenarios/rr-steer1-$m.json" --engine window --out "$tmp/$m" > "$tmp/$m.mpstat" || { echo "FAIL: $m"; exit 1; }
    echo "== rr-steer1-$m: mpstat"; cat "$tmp/$m.mpstat"
done
python3 - "$tmp" <<'PY'
import json, sys
S = lambda m: json.load(open(f"{sys.argv[1]}/{m}/summary.json"))
n, p, f = S("none"), S("rps"), S("rfs")
bad = 0
def check(ok, what):
    global bad
    print(("ok   " if ok else "FAIL ") + what)
    bad += not ok
tps = lambda s: s["requests"]["tps"]
lat = lambda s, q: s["requests"]["latency_us"][q]
busy = lambda s: sum(100 - c["idle"] for c in s["cpus"]) / 100
cpt = lambda s: busy(s) / tps(s) * 1e6
for m, s in (("none", n), ("rps", p), ("rfs", f)):
    print(f"{m:5} tps {tps(s):9.0f}  p50 {lat(s, 'p50'):6.1f}  p99 {lat(s, 'p99'):6.1f} us  "
          f"busy CPUs {busy(s):5.2f}  CPU/transaction {cpt(s):5.2f} us  "
          "%soft " + " ".join("%.0f" % c["soft"] for c in s["cpus"]))
check(n["cpus"][0]["soft"] > 95, f"none: CPU0 %soft {n['cpus'][0]['soft']} (the bottleneck)")
check(tps(p) > 1.5 * tps(n), f"tps none {tps(n)} -> rps {tps(p)} (> 1.5x)")
check(lat(p, "p50") < 0.6 * lat(n, "p50"), f"p50 none {lat(n, 'p50')} -> rps {lat(p, 'p50')} us")
soft_rps = [c["soft"] for c in p["cpus"][1:]]
check(min(soft_rps) > 3 and p["cpus"][0]["soft"] < 80,
      f"rps: softirq spread over CPUs 1-15 (min {min(soft_rps)}%), CPU0 no longer saturated")
usr_rfs = [c["usr"] for c in f["cpus"][1:]]
check(min(usr_rfs) > 5, f"rfs: application time on every CPU 1-15 (min {min(usr_rfs)}%)")
# RFS takes one cross-CPU hop out of every request (no wake-up IPI and C-state exit on a
# third CPU, no remote socket lines) and keeps threads where their flows are processed
# (fewer wake-up migrations): in this latency-bound closed loop that is more tps.
check(tps(f) > 1.03 * tps(p), f"tps rps {tps(p)} -> rfs {tps(f)} (RFS > 3% higher)")
check(lat(f, "p50") < lat(p, "p50"), f"p50 rps {lat(p, 'p50')} -> rfs {lat(f, 'p50')} us (RFS lower)")
check(lat(f, "p99") <= lat(p, "p99"), f"p99 rps {lat(p, 'p99')} -> rfs {lat(f, 'p99')} us (RFS not higher)")
check(cpt(f) < 0.98 * cpt(p), f"CPU per transaction rps {cpt(p):.2f} -> rfs {cpt(f):.2f} us (RFS > 2% lower)")
check(tps(f) < 1.6 * tps(p), f"rfs/rps tps {tps(f) / tps(p):.2f} (plausible: the field saw 1.28)")
sys.exit(1 if bad else 0)
PY
