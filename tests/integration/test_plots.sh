#!/usr/bin/env bash
# The plots: notebooks-data/plot_results.ipynb executes (jupyter nbconvert --execute) on a run
# and an 18-run sweep it makes itself, writing run.png and sweep.png under the build tree;
# plot_sweep.py names a missing column. Debian's /usr/bin/python3 with python3-matplotlib,
# python3-pandas, jupyter-nbconvert, python3-ipykernel (what .ci/setup installs); skipped
# with the reason otherwise. Also plot_intervals.py on s1 and plot_validate.py on validate
# --json reports. Args: <nicsteer binary> <source dir>.
set -u
bin=$(realpath "$1"); src=$(cd "$2" && pwd)
py=/usr/bin/python3
$py -c 'import matplotlib, pandas, ipykernel' 2>/dev/null ||
    { echo "SKIP: $py lacks matplotlib/pandas/ipykernel (Debian: python3-matplotlib python3-pandas python3-ipykernel)"; exit 77; }
command -v jupyter-nbconvert >/dev/null || { echo "SKIP: jupyter-nbconvert not installed"; exit 77; }
command -v parallel >/dev/null || { echo "SKIP: GNU parallel not installed"; exit 77; }
plots=$(dirname "$bin")/plots
rm -rf "$plots" && mkdir -p "$plots"
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
(cd "$src/notebooks-data" && NICSTEER_BIN=$bin NICSTEER_PLOT_DIR=$plots \
    jupyter-nbconvert --to notebook --execute plot_results.ipynb --output "$plots/executed.ipynb" \
    >"$plots/nbconvert.log" 2>&1) || { fail "notebook did not execute:"; tail -20 "$plots/nbconvert.log"; }
for p in run.png sweep.png; do
    [ "$(head -c 8 "$plots/$p" 2>/dev/null | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] &&
        [ "$(stat -c %s "$plots/$p")" -gt 10000 ] || fail "$p missing or not a PNG"
done
[ "$(grep -c ',ok,' "$plots/sweep.csv")" = 18 ] || fail "the notebook's sweep: $(grep -c ',ok,' "$plots/sweep.csv") runs ok of 18"
err=$($py "$src/notebooks-data/plot_sweep.py" "$plots/sweep.csv" "$plots/x.png" --x /nope --series /nic/steering/chain 2>&1)
[ $? -ne 0 ] && case "$err" in *"has no column /nope"*) ;; *) false ;; esac || fail "plot_sweep.py bad column: '$err'"
# mpstat intervals: s1's CPU0 handed to ksoftirqd inside the first ms, 0.1 ms samples
"$bin" run "$src/scenarios/s1-single-queue-cpu0.json" --mpstat-interval-ms 0.1 --quiet --out "$plots/s1-intervals" ||
    fail "run --mpstat-interval-ms"
$py "$src/notebooks-data/plot_intervals.py" "$plots/s1-intervals" "$plots/intervals.png" --until-ms 5 ||
    fail "plot_intervals.py"
[ "$(stat -c %s "$plots/intervals.png" 2>/dev/null || echo 0)" -gt 10000 ] || fail "intervals.png missing or empty"
err=$($py "$src/notebooks-data/plot_intervals.py" "$plots/x" "$plots/x.png" 2>&1)
[ $? -ne 0 ] && case "$err" in *"--mpstat-interval-ms"*) ;; *) false ;; esac || fail "plot_intervals.py without intervals: '$err'"
# validate figures: the small bundle of tests/data, one shared capture bundle when the
# shared/ folder is there, and the IRQ-per-vector panel fed vectors (veth bundles have none)
png_ok() { [ "$(head -c 8 "$1" 2>/dev/null | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] && [ "$(stat -c %s "$1")" -gt 10000 ]; }
"$bin" validate --json "$src/tests/data/validate-mini" >"$plots/validate-mini.json" 2>/dev/null || fail "validate --json validate-mini"
$py "$src/notebooks-data/plot_validate.py" "$plots/validate-mini.json" "$plots/validate-mini.png" && png_ok "$plots/validate-mini.png" ||
    fail "plot_validate.py validate-mini"
shared=${NICSTEER_SHARED:-$src/../shared}
if [ -d "$shared/traces/veth/rps2" ]; then
    (cd "$shared" && "$bin" validate --json traces/veth/rps2 2>/dev/null) >"$plots/validate-rps2.json" || fail "validate --json rps2"
    $py "$src/notebooks-data/plot_validate.py" "$plots/validate-rps2.json" "$plots/validate-rps2.png" && png_ok "$plots/validate-rps2.png" ||
        fail "plot_validate.py rps2"
else
    echo "SKIP (validate figure of a shared bundle): $shared/traces/veth/rps2 not found (shared/ folder absent)"
fi
$py - "$plots/validate-mini.json" "$plots/validate-vectors.json" <<'PY' || fail "vectors fixture"
import json, sys
r = json.load(open(sys.argv[1]))
r["irq"]["vectors"] = [{"name": "eth0-TxRx-%d" % q, "vector": q, "model": 900 + q, "trace": 880 + q, "procfs": 905,
                        "model_cpu": q, "rel_error_trace": None, "rel_error_procfs": None} for q in range(4)]
json.dump(r, open(sys.argv[2], "w"))
PY
$py "$src/notebooks-data/plot_validate.py" "$plots/validate-vectors.json" "$plots/validate-vectors.png" && png_ok "$plots/validate-vectors.png" ||
    fail "plot_validate.py with IRQ vectors"
echo '{"agreement": {}}' >"$plots/not-validate.json"
err=$($py "$src/notebooks-data/plot_validate.py" "$plots/not-validate.json" "$plots/x.png" 2>&1)
[ $? -ne 0 ] && case "$err" in *"no napi_poll, softirq, irq, per_cpu"*) ;; *) false ;; esac || fail "plot_validate.py bad input: '$err'"
echo "$fails failed (plots in $plots)"
[ "$fails" = 0 ]
