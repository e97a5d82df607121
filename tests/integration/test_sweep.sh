#!/usr/bin/env bash
# nicsteer sweep / collect / run --set: a 2 x 2 x 2 sweep runs through GNU parallel and each
# run is byte for byte `nicsteer run BASE --set ... --seed S` made alone; collect gives one
# row per run with the axes as columns, the same bytes twice; a second sweep resumes; a user's
# directory is refused; --emit slurm writes a job array of the same lines (run on a real
# single-node Slurm by test_sweep_slurm.sh).
# Args: <nicsteer binary> <source dir>.
set -u
bin=$(realpath "$1"); src=$(cd "$2" && pwd)
command -v parallel >/dev/null || { echo "SKIP: GNU parallel not installed (Debian: parallel)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
cat >"$tmp/spec.json" <<JSON
{"base": "$src/scenarios/default.json",
 "axes": {"/traffic/flows/0/rate_pps": [200000, 400000], "/nic/steering/chain": [["rss"], ["rr"]]},
 "seeds": [1, 2]}
JSON
"$bin" sweep "$tmp/spec.json" --out "$tmp/sw" -j 2 >"$tmp/log" || fail "sweep exit $?: $(cat "$tmp/log")"
n=$(jq '.runs | length' "$tmp/sw/sweep.json")
[ "$n" = 8 ] || fail "sweep.json has $n runs, expected 8"
[ "$(wc -l <"$tmp/sw/jobs.txt")" = 8 ] || fail "jobs.txt is not one line per run"
# Each run is what the same run made alone gives.
for i in $(seq 0 $((n - 1))); do
    id=$(jq -r ".runs[$i].id" "$tmp/sw/sweep.json")
    seed=$(jq -r ".runs[$i].seed" "$tmp/sw/sweep.json")
    mapfile -t sets < <(jq -r ".runs[$i].set[]" "$tmp/sw/sweep.json")
    args=(); for s in "${sets[@]}"; do args+=(--set "$s"); done
    "$bin" run "$src/scenarios/default.json" "${args[@]}" --seed "$seed" --quiet --out "$tmp/one-$id" ||
        fail "run $id alone"
    diff -r -x .nicsteer-output "$tmp/sw/$id" "$tmp/one-$id" >/dev/null || fail "run $id differs from the same run alone"
    jq -e --argjson s "$seed" '.provenance.seed == $s and (.provenance.set | length) == 2 and
        (.provenance.scenario_sha256 | length) == 64' "$tmp/sw/$id/summary.json" >/dev/null ||
        fail "run $id: provenance $(jq -c .provenance "$tmp/sw/$id/summary.json")"
done
# The axes moved what they say: rr spreads, the rate doubles the packets.
a=$(jq -r '[.runs[] | select(.axes["/traffic/flows/0/rate_pps"] == 400000)][0].id' "$tmp/sw/sweep.json")
b=$(jq -r '[.runs[] | select(.axes["/traffic/flows/0/rate_pps"] == 200000)][0].id' "$tmp/sw/sweep.json")
[ "$(jq .packets.offered "$tmp/sw/$a/summary.json")" = $((2 * $(jq .packets.offered "$tmp/sw/$b/summary.json"))) ] ||
    fail "rate axis: offered $(jq .packets.offered "$tmp/sw/$a/summary.json") vs $(jq .packets.offered "$tmp/sw/$b/summary.json")"
# collect: one row per run, axes and seed as columns, deterministic.
"$bin" collect "$tmp/sw" --csv "$tmp/t1.csv" && "$bin" collect "$tmp/sw" --csv "$tmp/t2.csv" ||
    fail "collect exit"
cmp -s "$tmp/t1.csv" "$tmp/t2.csv" || fail "collect twice differs"
[ "$(wc -l <"$tmp/t1.csv")" = 9 ] || fail "table has $(wc -l <"$tmp/t1.csv") lines, expected 9"
head -1 "$tmp/t1.csv" | grep -q '^id,seed,status,/nic/steering/chain,/traffic/flows/0/rate_pps,offered,delivered,dropped,delivered_pps,latency_p50_us' ||
    fail "header: $(head -1 "$tmp/t1.csv" | cut -c1-150)"
grep -c ',ok,' "$tmp/t1.csv" | grep -qx 8 || fail "not every row ok"
"$bin" collect "$tmp/sw" --long | awk -F, 'NR > 1 { m[$1] ++ } END { exit !(length(m) == 8) }' ||
    fail "--long: not 8 runs"
# A second sweep of the same spec resumes: nothing is run again.
touch -d '2001-01-01' "$tmp/sw/r00001/summary.json"
"$bin" sweep "$tmp/spec.json" --out "$tmp/sw" -j 2 >/dev/null || fail "resume exit"
[ "$(stat -c %Y "$tmp/sw/r00001/summary.json")" = "$(date -d 2001-01-01 +%s)" ] || fail "resume ran r00001 again"
# A run that failed (exit 1 in the job log, its output absent) is made again by the next
# sweep, the others are kept.
rm -rf "$tmp/sw/r00003"
awk -F'\t' -v OFS='\t' '$1 == 3 { $7 = 1 } { print }' "$tmp/sw/joblog.txt" >"$tmp/jl" && cat "$tmp/jl" >"$tmp/sw/joblog.txt"
"$bin" sweep "$tmp/spec.json" --out "$tmp/sw" -j 2 >/dev/null || fail "retry exit"
[ -f "$tmp/sw/r00003/summary.json" ] || fail "the failed run r00003 was not retried"
# A user's directory is refused before anything runs.
mkdir "$tmp/mine" && echo data >"$tmp/mine/thesis.tex"
"$bin" sweep "$tmp/spec.json" --out "$tmp/mine" >/dev/null 2>&1 && fail "sweep into a user's directory"
[ "$(ls "$tmp/mine")" = thesis.tex ] || fail "the user's directory changed"
# --emit slurm: a job array over the same jobs file, nothing run.
"$bin" sweep "$tmp/spec.json" --out "$tmp/sl" --emit slurm >/dev/null || fail "--emit slurm exit"
grep -q '^#SBATCH --array=1-8$' "$tmp/sl/sweep.sbatch" || fail "sweep.sbatch: $(cat "$tmp/sl/sweep.sbatch")"
[ ! -e "$tmp/sl/r00001" ] || fail "--emit slurm ran something"
# --set: bad values are one-line errors; --print-scenario shows the effect.
"$bin" check "$src/scenarios/default.json" --set /cpus=2 >/dev/null || fail "check --set /cpus=2"
err=$("$bin" check "$src/scenarios/default.json" --set /cpus=four 2>&1); st=$?
[ "$st" = 1 ] && case "$err" in *'/cpus: expected integer in [1, 1024], got "four"'*) ;; *) false ;; esac || fail "check --set /cpus=four: $st '$err'"
err=$("$bin" run "$src/scenarios/default.json" --set cpus=2 --out "$tmp/x" 2>&1); st=$?
[ "$st" = 2 ] || fail "run --set without a pointer: exit $st ($err)"
[ "$("$bin" run "$src/scenarios/default.json" --set /cpus=2 --print-scenario | jq .cpus)" = 2 ] || fail "--print-scenario"
# The progress line: on stderr with --progress (here not a TTY), never on stdout; none
# without it when stderr is not a terminal; nothing at all with --quiet.
"$bin" run "$src/scenarios/default.json" --progress --out "$tmp/pg" >"$tmp/pg.out" 2>"$tmp/pg.err"
grep -q 'nicsteer run: .* / 0.05 simulated s' "$tmp/pg.err" || fail "--progress: stderr '$(cat "$tmp/pg.err")'"
grep -q 'simulated s' "$tmp/pg.out" && fail "progress on stdout"
"$bin" run "$src/scenarios/default.json" --out "$tmp/pg" 2>"$tmp/pg2.err" >/dev/null
[ -s "$tmp/pg2.err" ] && fail "a progress line without a TTY or --progress: $(cat "$tmp/pg2.err")"
[ -z "$("$bin" run "$src/scenarios/default.json" --progress --quiet --out "$tmp/pg" 2>&1)" ] ||
    fail "--quiet printed something"
# The README's worked example: its committed spec expands to 36 checked runs.
"$bin" sweep "$src/scenarios/sweeps/policies-load.json" --out "$tmp/we" --emit jobs >/dev/null || fail "policies-load.json"
[ "$(wc -l <"$tmp/we/jobs.txt")" = 36 ] || fail "policies-load.json: $(wc -l <"$tmp/we/jobs.txt") runs, expected 36"
# sweep's progress: runs done / total from parallel's job log, on stderr only; stdout and the
# runs as without it; nothing at all with --quiet.
"$bin" sweep "$tmp/spec.json" --out "$tmp/sp" -j 2 --progress >"$tmp/sp.out" 2>"$tmp/sp.err" || fail "sweep --progress exit"
tr '\r' '\n' <"$tmp/sp.err" | grep -q '^nicsteer sweep: 8 / 8 runs (100%), .* runs per wall s, ETA 0 s' ||
    fail "sweep --progress: stderr '$(cat "$tmp/sp.err")'"
[ "$(sed "s|$tmp/sp|DIR|g" "$tmp/sp.out")" = "$(sed "s|$tmp/sw|DIR|g" <<<"8 runs in $tmp/sw (collect: nicsteer collect $tmp/sw --csv table.csv)")" ] ||
    fail "sweep --progress: stdout '$(cat "$tmp/sp.out")'"
"$bin" collect "$tmp/sp" --csv "$tmp/sp.csv" && cmp -s "$tmp/sp.csv" "$tmp/t1.csv" || fail "sweep --progress: a different table"
rm -rf "$tmp/sp"
[ -z "$("$bin" sweep "$tmp/spec.json" --out "$tmp/sp" -j 2 --progress --quiet 2>&1)" ] || fail "sweep --quiet printed something"
[ -f "$tmp/sp/r00008/summary.json" ] || fail "sweep --quiet ran nothing"

echo "$fails failed"
[ "$fails" = 0 ]
