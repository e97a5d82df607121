#!/usr/bin/env bash
# TSO/GSO on transmit (#15 point 3): a bulk TCP sender on a 10 GbE 82599. With TSO the
# stack runs once per 64 KB super-packet and the NIC cuts the MSS frames: line rate at a
# small share of the CPU; without TSO/GSO every MSS skb pays the whole stack and the
# sender's CPU saturates below line rate; GSO alone sits between (field-figures: 2.87 vs
# 8.16 Gb/s, 53.5% vs 26.8% CPU).
set -u
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for v in tso-off gso-only tso-on; do
    "$bin" run "$src/scenarios/$v.json" --out "$tmp/$v" > "$tmp/$v.mpstat" || { echo "FAIL: run $v"; exit 1; }
    echo "== $v: mpstat"; cat "$tmp/$v.mpstat"
done
"$bin" run "$src/scenarios/tso-on.json" --engine percpu --out "$tmp/on-percpu" > /dev/null || { echo "FAIL: percpu run"; exit 1; }
diff -q -I '"engine": ' "$tmp/tso-on/summary.json" "$tmp/on-percpu/summary.json" >/dev/null || { echo "FAIL: engines differ"; exit 1; }
echo "ok   window and percpu engines byte-identical on tso-on"
python3 - "$tmp" <<'PY'
import json, sys
t = sys.argv[1]
bad = []
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        bad.append(what)
T = {v: json.load(open(f"{t}/{v}/summary.json"))["transmit"] for v in ("tso-off", "gso-only", "tso-on")}
S = {v: json.load(open(f"{t}/{v}/summary.json")) for v in T}
for v, x in T.items():
    print(f"{v:9s} {x['payload_gbps']:.2f} Gb/s  CPU {x['cpu_busy_pct']:.1f}%  {x['cpu_ns_per_kb']:.0f} ns/KB  "
          f"skbs/s {x['skbs_per_s']:.0f}  gso segs/s {x['gso_segs_per_s']:.0f}  frames/s {x['wire_frames_per_s']:.0f}  "
          f"descs/s {x['descriptors_per_s']:.0f}")
on, off, gso = T["tso-on"], T["tso-off"], T["gso-only"]
line = 10 * 1448 / (1514 + 24)  # payload Gb/s of 1514-byte frames on 10 GbE
check(on["payload_gbps"] > 0.97 * line and on["payload_gbps"] <= line * 1.001,
      f"tso-on: line rate ({on['payload_gbps']:.2f} of {line:.2f} Gb/s)")
check(off["payload_gbps"] < 0.8 * line, f"tso-off: below line rate ({off['payload_gbps']:.2f} Gb/s)")
ratio = on["payload_gbps"] / off["payload_gbps"]
check(ratio > 1.3, f"throughput on/off {ratio:.2f} > 1.3 (field 2.84)")
cpb = off["cpu_ns_per_kb"] / on["cpu_ns_per_kb"]
check(cpb > 4, f"CPU per byte off/on {cpb:.1f} > 4 (field 5.7)")
check(on["cpu_busy_pct"] < off["cpu_busy_pct"] / 3, f"tso-on CPU {on['cpu_busy_pct']:.1f}% < a third of off's {off['cpu_busy_pct']:.1f}%")
check(on["cpu_ns_per_kb"] < gso["cpu_ns_per_kb"] < off["cpu_ns_per_kb"], "CPU per byte: tso-on < gso-only < tso-off")
check(gso["payload_gbps"] > 0.97 * line, "gso-only: still line rate on one sender CPU")
# who segments: TSO one skb per 64 KB and the NIC cuts ~45 frames; GSO the same skbs cut in
# software (one xmit per segment); off: one skb per frame
check(on["gso_segs"] == 0 and 40 < on["wire_frames"] / on["skbs"] <= 45, f"tso-on: ~45 wire frames per skb ({on['wire_frames'] / on['skbs']:.1f})")
check(gso["gso_segs"] == gso["xmits"] and 40 < gso["gso_segs"] / gso["skbs"] <= 45, "gso-only: software segments, one xmit each")
check(off["gso_segs"] == 0 and off["skbs"] == off["xmits"], "tso-off: one skb per xmit, no segmentation")
# descriptors: a 64 KB skb = 1 context + 1 head + 4-5 for its 16 KB pieces; an MSS skb = 1 + 1 + 1 (or 2)
check(5 < on["descriptors"] / on["xmits"] < 8, f"tso-on: {on['descriptors'] / on['xmits']:.2f} descriptors per super-packet")
check(3 <= off["descriptors"] / off["xmits"] < 3.1, f"tso-off: {off['descriptors'] / off['xmits']:.2f} descriptors per MSS skb")
sys.exit(1 if bad else 0)
PY
