#!/usr/bin/env bash
# Issue 15 point 7: a load-aware policy (RSS++, CoNEXT 2019) against static RSS
# on skewed traffic (scenarios/rsspp-skewed.json, same seed): the rsspp stage
# rewrites the RETA from per-CPU softirq load, so the busiest CPU's %soft and the
# per-queue packet imbalance fall, drops and p99 fall, and the flows whose
# buckets moved mid-stream show reordering (ooo_segments > 0). Both engines
# call on_load at the same simulated times: byte-identical outputs.
set -u
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
scn="$src/scenarios/rsspp-skewed.json"
"$bin" run "$scn" --out "$tmp/static" --set '/nic/steering={"chain": ["rss"]}' >"$tmp/static.mpstat" ||
    { echo "FAIL: run static"; exit 1; }
"$bin" run "$scn" --out "$tmp/rsspp" >"$tmp/rsspp.mpstat" || { echo "FAIL: run rsspp"; exit 1; }
"$bin" run "$scn" --out "$tmp/percpu" --engine percpu -q || { echo "FAIL: run rsspp percpu"; exit 1; }
for v in static rsspp; do echo "== $v"; cat "$tmp/$v.mpstat"; cat "$tmp/$v/queues.csv"; done
fails=0
diff -r -I '"engine": ' "$tmp/rsspp" "$tmp/percpu" >/dev/null && echo "ok   rsspp: percpu == window" ||
    { echo "FAIL rsspp: engines differ"; diff -r -I '"engine": ' "$tmp/rsspp" "$tmp/percpu" | head; fails=1; }
python3 - "$tmp" <<'PY' || fails=1
import csv, json, sys
t = sys.argv[1]
bad = []
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        bad.append(what)
S = {v: json.load(open(f"{t}/{v}/summary.json")) for v in ("static", "rsspp")}
Q = {v: [int(q["packets"]) + int(q["drops"]) for q in csv.DictReader(open(f"{t}/{v}/queues.csv"))] for v in S}
imb = {v: max(Q[v]) / (sum(Q[v]) / len(Q[v])) for v in S}
soft = {v: max(c["soft"] for c in S[v]["cpus"]) for v in S}
drops = {v: S[v]["packets"]["dropped"] for v in S}
p99 = {v: S[v]["latency_us"]["p99"] for v in S}
ooo = {v: S[v]["steering"]["ooo_segments"] for v in S}
print("max/mean queue packets", imb, "max %soft", soft, "drops", drops, "p99 us", p99, "ooo", ooo)
fb = S["rsspp"]["classifier"].get("feedback", {})
st = S["rsspp"]["classifier"]["stages"]["rsspp"]["state"]
print("feedback", fb, "rsspp", st)
check(S["static"]["packets"]["offered"] == S["rsspp"]["packets"]["offered"], "same offered traffic")
check("feedback" not in S["static"]["classifier"], "static RSS: no feedback loop armed")
check(fb.get("calls") == 9 and fb.get("period_ms") == 10 and fb.get("staleness_ms") == 1,
      "rsspp: on_load every 10 ms (9 calls in 100 ms) with a 1 ms old snapshot")
check(1 <= fb.get("reta_rewrites", 0) <= 9 and st["moves"] >= 4, "rsspp: the RETA rewritten, buckets moved")
check(imb["static"] > 1.4, f"static RSS: skewed (busiest queue {imb['static']:.2f}x the mean)")
check(imb["rsspp"] < imb["static"] - 0.2, "rsspp: per-queue imbalance falls by more than 0.2")
check(soft["rsspp"] < soft["static"] - 8 and soft["rsspp"] > soft["static"] / 2,
      "rsspp: busiest CPU's %soft falls by 8 to 50% of static's")
check(drops["rsspp"] < 0.7 * drops["static"], "rsspp: drops fall by more than 30%")
check(p99["rsspp"] < p99["static"], "rsspp: p99 latency falls")
check(ooo["static"] == 0 and ooo["rsspp"] > 0, "reordering from moved buckets counted (static 0, rsspp > 0)")
sys.exit(1 if bad else 0)
PY
[ "$fails" = 0 ] || exit 1
