#!/usr/bin/env bash
# Records the veth presets under several kernel.sched_vcpu_pack values (the capture hosts'
# non-upstream scheduler knob; 0 = upstream placement) with validate/record-veth.sh and prints,
# per bundle, the receiver wake-ups validate compares, its wake agreement and migrations (model
# vs trace) and wake-features.py's trivial rules (#12 point 3). Writing the knob needs
# CAP_SYS_RESOURCE: where it is refused the first such recording stops the sweep with
# record-veth.sh's one-line error.
#
# Usage (root): vcpu-pack-sweep.sh --out DIR [--values "15 0 1 2 4 8"]
#     [--presets "rps2 rps-rfs-unpinned rps-perqueue-xps"] [--repeat N] [--messages N]
#     [--nicsteer BIN] [--lock FILE]
# --lock FILE wraps each recording in flock FILE (a shared machine's CPU lock). Bundles are
# DIR/PRESET-packV-R; the table (tab-separated) goes to stdout and DIR/sweep.tsv.
set -euo pipefail
PROG=${0##*/}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT="" VALUES="15 0 1 2 4 8" PRESETS="rps2 rps-rfs-unpinned rps-perqueue-xps" REPEAT=1 MSGS=180
BIN=$HERE/../../build/nicsteer LOCK=""
while (($#)); do
    case $1 in
    --out) OUT=$2; shift 2 ;;
    --values) VALUES=$2; shift 2 ;;
    --presets) PRESETS=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --messages) MSGS=$2; shift 2 ;;
    --nicsteer) BIN=$2; shift 2 ;;
    --lock) LOCK=$2; shift 2 ;;
    -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "$PROG: unknown argument $1" >&2; exit 2 ;;
    esac
done
die() { echo "$PROG: $*" >&2; exit 1; }
[[ -n $OUT ]] || die "--out is required (see --help)"
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "--repeat $REPEAT: expected a positive integer"
[[ -x $BIN ]] || die "--nicsteer $BIN: not an executable (build first)"
command -v jq >/dev/null || die "jq not found"
mkdir -p "$OUT"
TSV=$OUT/sweep.tsv
printf 'bundle\tpack\twakeups\tagreement\ttrace_migrations\tmodel_migrations\talways_waker\talways_prev\n' |
    tee "$TSV"
for v in $VALUES; do
    for p in $PRESETS; do
        for r in $(seq "$REPEAT"); do
            b=$OUT/$p-pack$v-$r
            [[ -e $b ]] && die "$b exists: not overwritten"
            rec=(bash "$HERE/../record-veth.sh" --out "$b" --preset "$p" --vcpu-pack "$v"
                --messages "$MSGS")
            if [[ -n $LOCK ]]; then
                flock "$LOCK" "${rec[@]}" >/dev/null 2>"$OUT/record.err" || die "$(tail -1 "$OUT/record.err")"
            else
                "${rec[@]}" >/dev/null 2>"$OUT/record.err" || die "$(tail -1 "$OUT/record.err")"
            fi
            "$BIN" validate --json -q --out "$b.validate.json" "$b" 2>/dev/null ||
                die "validate failed on $b"
            rules=$(python3 "$HERE/wake-features.py" "$b" | sed -n \
                "s/.*always the waker's CPU \([0-9.]*\), always the previous CPU \([0-9.]*\).*/\1\t\2/p")
            [[ -n $rules ]] || die "wake-features.py printed no rule line for $b"
            printf '%s\t%s\t%s\t%s\n' "${b##*/}" \
                "$(jq -r '.host.sched.sched_vcpu_pack // "absent"' "$b/config.json")" \
                "$(jq -r '.wakeups | [.count, .agreement, .trace_migrations, .model_migrations] |
                    map(tostring) | join("\t")' "$b.validate.json")" "$rules" | tee -a "$TSV"
        done
    done
done
