#!/usr/bin/env bash
# Leave-one-out cross-validation of `nicsteer calibrate`: for each bundle, calibrate on the
# others OF THE SAME HOST (host.kernel + host.ncpus: one host's costs do not predict another's),
# then validate it with those costs; prints softirq KS and each CPU's NET_RX total error
# (model_net_rx_ns vs net_rx_ns). A bundle alone on its host is listed, not predicted.
# Usage: validate/crossval.sh [--nicsteer BIN] BUNDLE...
set -euo pipefail
bin=build/nicsteer
if [ "${1:-}" = --nicsteer ]; then bin=$2; shift 2; fi
[ $# -ge 2 ] || { echo "usage: $0 [--nicsteer BIN] BUNDLE BUNDLE..." >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf '| predicted bundle | runs | softirq KS | model/trace p50 (us) | per-CPU NET_RX total error |\n'
printf '|---|---|---|---|---|\n'
host() { jq -r '"\(.host.kernel), \(.host.ncpus) CPUs"' "$1/config.json"; }
for k in "$@"; do
    hk=$(host "$k")
    rest=(); for b in "$@"; do [ "$b" = "$k" ] || [ "$(host "$b")" != "$hk" ] || rest+=("$b"); done
    if [ ${#rest[@]} = 0 ]; then
        printf '| %s | - | only bundle of host %s: not predicted | | |\n' \
            "$(basename "$(dirname "$k")")/$(basename "$k")" "$hk"
        continue
    fi
    "$bin" calibrate "${rest[@]}" --out "$tmp/c.json" >/dev/null 2>&1
    "$bin" validate "$k" --costs "$tmp/c.json" --json 2>/dev/null |
        jq -r --arg b "$(basename "$(dirname "$k")")/$(basename "$k")" \
            '"| \($b) | \(.softirq.trace_hist.count) | \(.softirq.ks_distance*1000|round/1000) | \(.softirq.model_p50_ns/1000) / \(.softirq.trace_p50_ns/1000) | \([.per_cpu[] | select(.net_rx_ns > 0) | "cpu\(.cpu) \(.model_net_rx_error*1000|round/10)% (\(.model_net_rx_ns/1e6*10|round/10)/\(.net_rx_ns/1e6*10|round/10) ms)"] | join(", ")) |"'
    rm -f "$tmp/c.json"
done
