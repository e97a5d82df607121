#!/usr/bin/env python3
"""Make a synthetic large capture bundle for benchmarks: the trace body and the pcap frames of
BUNDLE repeated COPIES times, each copy shifted in time by the capture's span (plus a gap), on
both clocks alike (trace TIMESTAMP and hrtimer now=, pcap realtime stamps), so the pcap <-> trace
join sees the same frames at the same offsets. config.json is copied as is (its counters are
those of one copy). Never commit the output: write it under /tmp or /dev/shm.

usage: enlarge-bundle.py BUNDLE OUT_DIR COPIES"""
import os
import re
import shutil
import struct
import sys

TS = re.compile(rb"^(.*?\] \S+ +)(\d+)\.(\d{6}): ")
NOW = re.compile(rb"now=(\d+)")
MARK = re.compile(rb"nicsteer (start|stop) realtime_ns=(\d+)")
GAP_US = 10000  # between copies: more than the +-2 ms join window


def trace_span(lines):
    first = last = None
    for ln in lines:
        m = TS.match(ln)
        if m:
            t = int(m.group(2)) * 1000000 + int(m.group(3))
            first = t if first is None else first
            last = t
    return first, last


def write_trace(src, dst, copies, pcap_span_ns):
    """The copies' shift covers the longer of the trace's and the pcap's spans: no overlap."""
    with open(src, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    head = [ln for ln in lines if ln.startswith(b"#")]
    body = [ln for ln in lines if not ln.startswith(b"#")]
    first, last = trace_span(body)
    span_us = max(last - first, (pcap_span_ns + 999) // 1000) + GAP_US
    with open(dst, "wb") as out:
        out.writelines(head)
        for k in range(copies):
            d_us = k * span_us
            for ln in body:
                mk = MARK.search(ln)
                if mk and ((mk.group(1) == b"start" and k > 0) or
                           (mk.group(1) == b"stop" and k < copies - 1)):
                    continue
                m = TS.match(ln)
                if not m or d_us == 0:
                    out.write(ln)
                    continue
                t = int(m.group(2)) * 1000000 + int(m.group(3)) + d_us
                rest = ln[m.end():]
                rest = NOW.sub(lambda n: b"now=%d" % (int(n.group(1)) + d_us * 1000), rest)
                rest = MARK.sub(lambda n: b"nicsteer %s realtime_ns=%d" %
                                (n.group(1), int(n.group(2)) + d_us * 1000), rest)
                out.write(b"%s%d.%06d: %s" % (m.group(1), t // 1000000, t % 1000000, rest))
    return span_us * 1000


def read_pcap(src):
    with open(src, "rb") as f:
        data = f.read()
    magic = data[:4]
    end = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    if magic not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4",
                     b"\xa1\xb2\x3c\x4d"):
        sys.exit("%s: offset 0: expected a pcap magic, found %s (pcapng not supported)"
                 % (src, magic.hex()))
    unit = 1 if nano else 1000
    frames = []
    off = 24
    hdr = struct.Struct(end + "IIII")
    while off + 16 <= len(data):
        sec, frac, incl, orig = hdr.unpack_from(data, off)
        frames.append((sec * 1000000000 + frac * unit, data[off + 8:off + 16 + incl]))
        off += 16 + incl
    return data[:24], end, unit, frames


def write_pcap(dst, pcap, copies, span_ns):
    head, end, unit, frames = pcap
    with open(dst, "wb") as out:
        out.write(head)
        for k in range(copies):
            for ts, rest in frames:
                t = ts + k * span_ns
                out.write(struct.pack(end + "II", t // 1000000000, (t % 1000000000) // unit))
                out.write(rest)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    src, dst, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(dst, exist_ok=True)
    pcap = read_pcap(os.path.join(src, "pcap.pcap"))
    stamps = [ts for ts, _ in pcap[3]]
    pspan = max(stamps) - min(stamps) if stamps else 0
    span_ns = write_trace(os.path.join(src, "trace.txt"), os.path.join(dst, "trace.txt"), copies,
                          pspan)
    write_pcap(os.path.join(dst, "pcap.pcap"), pcap, copies, span_ns)
    shutil.copy(os.path.join(src, "config.json"), os.path.join(dst, "config.json"))


if __name__ == "__main__":
    main()
