#!/usr/bin/env bash
# `nicsteer run --mpstat-interval-ms`: mpstat -P ALL STEP samples from the same per-CPU
# accounting as mpstat.txt's Average lines (their duration-weighted mean is the average),
# byte-identical from both engines, s1's CPU0 handed to ksoftirqd from the first samples
# on, and nothing extra written without the option.
set -u
bin=$1; src=$2
command -v python3 >/dev/null || { echo "SKIP: python3 needed"; exit 77; }
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
s=$src/scenarios/s1-single-queue-cpu0.json
for e in window percpu; do
    "$bin" run "$s" --engine $e --mpstat-interval-ms 7 --quiet --out "$out/$e" || { echo "FAIL: run --engine $e"; exit 1; }
done
for f in mpstat_intervals.txt mpstat_intervals.csv; do
    cmp -s "$out/window/$f" "$out/percpu/$f" || { echo "FAIL: $f differs between engines"; exit 1; }
done
"$bin" run "$s" --quiet --out "$out/none" || { echo "FAIL: run without intervals"; exit 1; }
[ ! -e "$out/none/mpstat_intervals.txt" ] && [ ! -e "$out/none/mpstat_intervals.csv" ] ||
    { echo "FAIL: mpstat_intervals written without --mpstat-interval-ms"; exit 1; }
cmp -s "$out/none/mpstat.txt" "$out/window/mpstat.txt" || { echo "FAIL: mpstat.txt changed by intervals"; exit 1; }
msg=$("$bin" run "$s" --mpstat-interval-ms 0.05 --out "$out/bad" 2>&1) && { echo "FAIL: 0.05 ms accepted"; exit 1; }
case $msg in *--mpstat-interval-ms*) ;; *) echo "FAIL: error does not name the option: $msg"; exit 1;; esac
# too many samples is refused before the run, naming the limit
msg=$("$bin" run "$s" --set /duration_ms=200000 --mpstat-interval-ms 0.1 --out "$out/big" 2>&1) && { echo "FAIL: 2,000,000 samples x 4 CPUs accepted"; exit 1; }
case $msg in *"2000000 samples x 4 CPUs is more than 4000000 rows"*) ;; *) echo "FAIL: too many samples: $msg"; exit 1;; esac
# the scenario key does the same (a sweep's runs write them too); the option overrides it
"$bin" run "$s" --set /outputs/mpstat_interval_ms=7 --quiet --out "$out/key" || { echo "FAIL: /outputs/mpstat_interval_ms"; exit 1; }
cmp -s "$out/key/mpstat_intervals.csv" "$out/window/mpstat_intervals.csv" || { echo "FAIL: the scenario key differs from the option"; exit 1; }
"$bin" run "$s" --set /outputs/mpstat_interval_ms=50 --mpstat-interval-ms 7 --quiet --out "$out/over" || { echo "FAIL: option over key"; exit 1; }
cmp -s "$out/over/mpstat_intervals.csv" "$out/window/mpstat_intervals.csv" || { echo "FAIL: the option does not override the key"; exit 1; }
python3 - "$out/window" <<'PY' || exit 1
import csv, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/mpstat_intervals.csv")))
cols = ["usr", "sys", "irq", "soft", "idle"]
# 100 ms in 7 ms steps: 14 whole intervals and a 2 ms one
ts = sorted({float(r["t_ms"]) for r in rows})
assert len(ts) == 15 and ts[-1] == 100.0, ts
assert float([r for r in rows if float(r["t_ms"]) == 100.0][0]["dt_ms"]) == 2.0
avg = {}
for line in open(d + "/mpstat.txt"):
    f = line.split()
    if f[0] == "Average:" and f[1] != "CPU":
        avg[f[1]] = dict(zip(["usr", "nice", "sys", "iowait", "irq", "soft", "steal", "guest", "gnice", "idle"], map(float, f[2:])))
for cpu, a in avg.items():
    mine = [r for r in rows if r["cpu"] == cpu]
    tot = sum(float(r["dt_ms"]) for r in mine)
    for c in cols:
        m = sum(float(r[c]) * float(r["dt_ms"]) for r in mine) / tot
        # each sample and the average are rounded to 0.01
        assert abs(m - a[c]) <= 0.01, (cpu, c, m, a[c])
# the text file says the same as the CSV, sample by sample
txt = [l.split() for l in open(d + "/mpstat_intervals.txt") if l.strip() and not l.startswith("Average") and "CPU" not in l]
assert len(txt) == len(rows), (len(txt), len(rows))
for t, r in zip(txt, rows):
    assert t[1] == r["cpu"] and float(t[4]) == float(r["sys"]) and float(t[7]) == float(r["soft"]), (t, r)
# s1: CPU0 takes every interrupt; after the first sample its softirqs run in ksoftirqd/0
cpu0 = [r for r in rows if r["cpu"] == "0"]
assert all(float(r["soft"]) >= 99 and float(r["ksoftirqd"]) >= 99 for r in cpu0[1:]), cpu0[:3]
print("ok: %d samples x %d CPUs, weighted mean = Average" % (len(ts), len(avg) - 1))
PY
echo PASS
