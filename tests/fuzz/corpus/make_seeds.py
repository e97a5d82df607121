#!/usr/bin/env python3
"""Cut the frame/capture/trace/bundle seeds of tests/fuzz/corpus/ from the real
captures in ../shared/traces (see README.md here). Run from the repository
root: python3 tests/fuzz/corpus/make_seeds.py [shared-dir]."""
import json
import os
import struct
import sys

SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join("..", "shared")
OUT = os.path.join("tests", "fuzz", "corpus")


def records(path, n):
    """First n (ts_sec, ts_frac, caplen, wirelen, bytes) records and the global header."""
    d = open(os.path.join(SHARED, path), "rb").read()
    hdr, off, out = d[:24], 24, []
    while off + 16 <= len(d) and len(out) < n:
        ts, frac, cap, wire = struct.unpack("<IIII", d[off:off + 16])
        out.append((ts, frac, cap, wire, d[off + 16:off + 16 + cap]))
        off += 16 + cap
    return hdr, out


def write(sub, name, data):
    os.makedirs(os.path.join(OUT, sub), exist_ok=True)
    with open(os.path.join(OUT, sub, name), "wb") as f:
        f.write(data)


def pcap(magic, linktype, recs, snap=65535):
    b = struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snap, linktype)
    for ts, frac, cap, wire, data in recs:
        b += struct.pack("<IIII", ts, frac, len(data), wire - cap + len(data)) + data
    return b


def pcapng(linktype, recs):
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
    b = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    b += block(1, struct.pack("<HHI", linktype, 0, 65535))
    for ts, frac, cap, wire, data in recs:
        t = ts * 1000000 + frac
        b += block(6, struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(data),
                                  wire - cap + len(data)) + data)
    return b


# pcap_src: Ethernet (µs and ns magic), pcapng, raw IP, Linux cooked v1, a cut record
_, gnutella = records("traces/public/pcap/ndpi-gnutella.pcap", 6)
_, teams = records("traces/public/pcap/ndpi-teams.pcap", 4)
_, veth = records("traces/veth/rps2/pcap.pcap", 4)
write("pcap_src", "gnutella-6.pcap", pcap(0xA1B2C3D4, 1, gnutella))
write("pcap_src", "veth-rps2-ns-4.pcap", pcap(0xA1B23C4D, 1, veth, 128))
write("pcap_src", "teams-4.pcapng", pcapng(1, teams))
raw = [(t, f, c - 14, w - 14, d[14:]) for t, f, c, w, d in veth]
write("pcap_src", "veth-raw-ip.pcap", pcap(0xA1B2C3D4, 101, raw))
sll = [(t, f, c + 2, w + 2, struct.pack(">HHH8sH", 0, 1, 6, d[6:12] + b"\0\0", 0x0800) + d[14:])
       for t, f, c, w, d in veth]
write("pcap_src", "veth-sll.pcap", pcap(0xA1B2C3D4, 113, sll))
write("pcap_src", "gnutella-cut-record.pcap", pcap(0xA1B2C3D4, 1, gnutella[:2])[:-10])

# pkt_parse: byte 0 = link (0 Ethernet via parse_link, 0x80 traffic_pkt_parse,
# 3 raw IP, 1 cooked v1), byte 1 = wire bytes beyond the capture
for i, (t, f, c, w, d) in enumerate(gnutella[:4] + teams[:3]):
    write("pkt_parse", "eth-%d" % i, bytes([0x80 if i % 2 else 0, min(w - c, 255)]) + d)
write("pkt_parse", "veth-udp-snap128", bytes([0, min(veth[0][3] - veth[0][2], 255)]) + veth[0][4])
write("pkt_parse", "raw-ip", bytes([3, 0]) + raw[1][4])
write("pkt_parse", "sll", bytes([1, 0]) + sll[2][4])

# trace: the first event lines of a veth capture and the public snippets
lines = open(os.path.join(SHARED, "traces/veth/rps2/trace.txt"), "rb").read().split(b"\n")
write("trace", "veth-rps2-head.txt", b"\n".join(lines[:60]) + b"\n")
for name in os.listdir(os.path.join(SHARED, "traces/public/trace-snippets")):
    write("trace", name, open(os.path.join(SHARED, "traces/public/trace-snippets", name), "rb").read())

# bundle: two real config.json; snapshot: their embedded /proc and ethtool texts
for case in ("rps2", "rps-perqueue-xps"):
    write("bundle", case + ".json",
          open(os.path.join(SHARED, "traces/veth", case, "config.json"), "rb").read())

# snapshot: byte 0 = parser (0 mask, 1 list, 2 interrupts, 3 softnet_stat,
# 4 softirqs, 5 ethtool -l, 6 ethtool -c, 7 ethtool -k), texts from the bundle
cfg = json.load(open(os.path.join(SHARED, "traces/veth/rps-perqueue-xps/config.json")))
snap = {
    "rps-cpus-mask": (0, cfg["settings"]["rps_cpus"][2] + "\n"),
    "cpulist": (1, "0-1\n"),
    "interrupts": (2, cfg["interrupts"]["before"]),
    "softnet-stat": (3, cfg["softnet_stat"]["after"]),
    "softirqs": (4, cfg["softirqs"]["after"]),
    "ethtool-l": (5, cfg["ethtool"]["ethtool_l_vB"]),
    # ethtool -c as printed by ethtool 6.1 (test_snapshot.c has the same text)
    "ethtool-c": (6, "Coalesce parameters for eth0:\nAdaptive RX: on  TX: off\n"
                     "stats-block-usecs: n/a\nsample-interval: n/a\n\nrx-usecs: 1\n"
                     "rx-frames: n/a\nrx-usecs-irq: n/a\n\ntx-usecs: 0\ntx-frames-irq: 256\n"),
    "ethtool-k": (7, cfg["ethtool"]["ethtool_k_vB"]),
}
for name, (sel, text) in snap.items():
    write("snapshot", name, bytes([sel]) + text.encode())
