#!/bin/sh
# Benchmark of `nicsteer validate` (issue #10 point 14, #14 point 7): trace lines per second of
# CPU time (user + sys: one core) and peak RSS, on BUNDLE enlarged 1x and Nx in time by
# validate/tools/enlarge-bundle.py, and the marginal rate between the two (the (Nx - 1x) lines
# over the (Nx - 1x) CPU time: the per-line throughput without the fixed start-up of loading the
# libraries and the bundle's snapshots). Not a test: prints figures, asserts nothing.
# usage: validate/bench-validate.sh NICSTEER BUNDLE [N=8] [TMPDIR=/dev/shm]
set -eu
bin=$1 bundle=$2 n=${3:-8} tmp=${4:-/dev/shm}
here=$(dirname "$0")
work=$(mktemp -d "$tmp/nicsteer-bench.XXXXXX")
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
for k in 1 "$n"; do
    python3 "$here/tools/enlarge-bundle.py" "$bundle" "$work/x$k" "$k"
    lines=$(wc -l <"$work/x$k/trace.txt")
    mb=$(du -m "$work/x$k/trace.txt" | cut -f1)
    pmb=$(du -m "$work/x$k/pcap.pcap" | cut -f1)
    /usr/bin/time -f '%M %U %S' -o "$work/t$k" "$bin" validate "$work/x$k" >/dev/null
    read -r rss u s <"$work/t$k"
    awk -v k="$k" -v l="$lines" -v u="$u" -v s="$s" -v r="$rss" -v mb="$mb" -v pmb="$pmb" 'BEGIN {
        c = u + s; if (c < 0.01) c = 0.01
        printf "%3dx  trace %6d MB %9d lines  pcap %5d MB  cpu %6.2f s  %6.2f M lines/s  peak RSS %7.1f MB\n",
               k, mb, l, pmb, c, l / c / 1e6, r / 1024 }'
    echo "$lines $u $s" >>"$work/sums"
    chmod -R u+w "$work/x$k"
    rm -rf "$work/x$k"
done
awk -v n="$n" 'NR == 1 { l1 = $1; c1 = $2 + $3 } NR == 2 { dl = $1 - l1; dc = $2 + $3 - c1 }
    END { if (dc > 0.005) printf "1x -> %dx marginal: %.2f M lines per CPU second\n", n, dl / dc / 1e6
          else printf "1x -> %dx marginal: CPU time difference too small to measure\n", n }' "$work/sums"
