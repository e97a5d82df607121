#!/usr/bin/env python3
"""Cut a small real bundle out of ../shared/traces/veth/rps2 (provenance of this folder).

Usage: excerpt.py SRC_BUNDLE OUT_DIR FIRST_LINE LAST_LINE
Keeps the tracefs header (lines 1-12) and trace lines FIRST..LAST unchanged, every pcap record
whose time (realtime - clock offset) lies within the kept trace span +-1 ms unchanged, and
config.json unchanged (its softnet/interrupt snapshots still describe the whole run)."""
import json, struct, sys

src, out, first, last = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
lines = open(f"{src}/trace.txt").read().split("\n")
kept = lines[:12] + lines[first - 1:last]
def ts(l):
    return float(l.split(": ", 1)[0].split()[-1])
t0, t1 = ts(lines[first - 1]), ts(lines[last - 1])
open(f"{out}/trace.txt", "w").write("\n".join(kept) + "\n")
cfg = json.load(open(f"{src}/config.json"))
off = (cfg["clock"]["before"]["realtime_minus_mono_ns"] + cfg["clock"]["after"]["realtime_minus_mono_ns"]) // 2
raw = open(f"{src}/pcap.pcap", "rb").read()
magic = struct.unpack("<I", raw[:4])[0]
scale = 1 if magic == 0xA1B23C4D else 1000
res, pos = [raw[:24]], 24
while pos + 16 <= len(raw):
    sec, frac, incl, orig = struct.unpack("<IIII", raw[pos:pos + 16])
    mono = (sec * 10**9 + frac * scale - off) / 1e9
    if t0 - 0.001 <= mono <= t1 + 0.001:
        res.append(raw[pos:pos + 16 + incl])
    pos += 16 + incl
open(f"{out}/pcap.pcap", "wb").write(b"".join(res))
open(f"{out}/config.json", "w").write(open(f"{src}/config.json").read())
