#!/usr/bin/env bash
# `nicsteer steer`: Toeplitz queues of a crafted capture (Microsoft RSS
# vectors), JSON report invariants and per-packet CSV on the public captures.
set -u
bin=$1; src=$2
shared=${NICSTEER_SHARED:-$src/../shared}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
command -v python3 >/dev/null || { echo "SKIP: python3 needed to craft the capture"; exit 77; }
mskey=6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa

# Crafted capture: the Microsoft vectors as frames, plus ARP and a fragment.
python3 - "$tmp/ms.pcap" <<'PY'
import socket, struct, sys
MAC = b'\x02\0\0\0\0\x02\x02\0\0\0\0\x01'
def v4(proto, src, dst, l4, frag=0):
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 1, frag, 64, proto, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    return MAC + b'\x08\x00' + ip + l4
def v6(nh, src, dst, l4):
    ip = struct.pack('!IHBB16s16s', 0x60000000, len(l4), nh, 64,
                     socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst))
    return MAC + b'\x86\xdd' + ip + l4
tcp = lambda s, d: struct.pack('!HHIIBBHHH', s, d, 1, 0, 0x50, 0x10, 65535, 0, 0)
udp = lambda s, d: struct.pack('!HHHH', s, d, 8, 0)
arp = MAC + b'\x08\x06' + bytes([0, 1, 8, 0, 6, 4, 0, 1]) + bytes(20)
frames = [
    v4(6, '66.9.149.187', '161.142.100.80', tcp(2794, 1766)),
    v4(17, '66.9.149.187', '161.142.100.80', udp(2794, 1766)),
    arp,
    v4(6, '66.9.149.187', '161.142.100.80', tcp(2794, 1766), frag=0x2000),
    v6(6, '3ffe:2501:200:1fff::7', '3ffe:2501:200:3::1', tcp(2794, 1766)),
    v4(6, '199.92.111.2', '65.69.140.83', tcp(14230, 4739)),
]
out = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
for i, f in enumerate(frames):
    out += struct.pack('<IIII', 1700000000, i, len(f), len(f)) + f
open(sys.argv[1], 'wb').write(out)
PY

# Expected: hash & 127 -> RETA "equal 16" entry (i % 16). UDP/IPv4 and
# fragments hash the 2-tuple unless udp4 is on; ARP is not hashed (queue 0).
"$bin" steer --pcap "$tmp/ms.pcap" --queues 16 --key $mskey --reta "equal 16" \
    --per-packet "$tmp/ms.csv" >"$tmp/ms.txt" || fail "steer on the crafted capture failed"
cat >"$tmp/want.csv" <<'CSV'
packet,queue,hash
1,8,0x51ccc178
2,2,0x323e8fc2
3,0,
4,2,0x323e8fc2
5,13,0x40207d3d
6,10,0xc626b0ea
CSV
diff -u "$tmp/want.csv" "$tmp/ms.csv" || fail "crafted capture: per-packet queues/hashes differ"
"$bin" steer --pcap "$tmp/ms.pcap" --queues 16 --key $mskey --udp4 \
    --per-packet "$tmp/udp4.csv" >/dev/null || fail "steer --udp4 failed"
grep -qx '2,8,0x51ccc178' "$tmp/udp4.csv" || fail "--udp4: UDP packet not hashed on its 4-tuple"
grep -q 'imbalance' "$tmp/ms.txt" || fail "text report lacks the imbalance line"

# RETA and key from an `ethtool -x` dump (4 rings, entry 120 moved to
# queue 3): packet 1 (hash & 127 = 120) follows the dump, not i % 4.
python3 - "$tmp/ethtool-x.txt" $mskey <<'PY'
import sys
ent = [i % 4 for i in range(128)]; ent[120] = 3; key = sys.argv[2]
out = "RX flow hash indirection table for eth0 with 4 RX ring(s):\n"
for r in range(0, 128, 8):
    out += "%5u: " % r + "".join(" %5u" % e for e in ent[r:r + 8]) + "\n"
out += "RSS hash key:\n" + ":".join(key[i:i + 2] for i in range(0, len(key), 2)) + "\n"
out += "RSS hash function:\n    toeplitz: on\n    xor: off\n    crc32: off\n"
open(sys.argv[1], "w").write(out)
PY
"$bin" steer --pcap "$tmp/ms.pcap" --ethtool-x "$tmp/ethtool-x.txt" \
    --per-packet "$tmp/ex.csv" >/dev/null || fail "steer --ethtool-x failed"
grep -qx '1,3,0x51ccc178' "$tmp/ex.csv" || fail "--ethtool-x: RETA/key of the dump not used"
grep -qx '6,2,0xc626b0ea' "$tmp/ex.csv" || fail "--ethtool-x: packet 6 not on RETA[106] = 2"

# Same input twice: byte-identical output.
"$bin" steer --pcap "$tmp/ms.pcap" --queues 16 --key $mskey --json >"$tmp/a.json"
"$bin" steer --pcap "$tmp/ms.pcap" --queues 16 --key $mskey --json >"$tmp/b.json"
cmp -s "$tmp/a.json" "$tmp/b.json" || fail "two identical runs differ"

check_json() { # file packets
    python3 - "$1" "$2" <<'PY' || return 1
import json, sys
j = json.load(open(sys.argv[1])); want = int(sys.argv[2])
for k in ('queues', 'imbalance', 'packets_total', 'non_ip', 'policy', 'classifier'):
    assert k in j, 'missing key ' + k
assert j['packets_total'] == want, (j['packets_total'], want)
for q in j['queues']:
    for k in ('queue', 'packets', 'bytes', 'flows'):
        assert k in q, 'queue lacks ' + k
assert [q['queue'] for q in j['queues']] == list(range(len(j['queues'])))
assert sum(q['packets'] for q in j['queues']) + j.get('dropped', 0) == want, 'queue sums'
n = len(j['queues']); mx = max(q['packets'] for q in j['queues'])
assert abs(j['imbalance'] - (mx * n / want if want else 0)) < 1e-6, 'imbalance'
PY
}
check_json "$tmp/a.json" 6 || fail "crafted capture: JSON report invariants"
# Flow Director perfect filter (ethtool -N) ahead of RSS, from --config:
# packet 6 (dport 4739) goes to queue 5, the others keep their RSS queue.
cat >"$tmp/fdir.json" <<JSON
{"chain": ["fdir", "rss"], "rss": {"key": "$mskey"},
 "fdir": {"mode": "perfect", "filters": ["flow-type tcp4 dst-port 4739 action 5 loc 1"]}}
JSON
"$bin" steer --pcap "$tmp/ms.pcap" --queues 16 --config "$tmp/fdir.json" --json \
    --per-packet "$tmp/fdir.csv" >"$tmp/fdir-report.json" || fail "steer --config fdir failed"
grep -qx '6,5,0xc626b0ea' "$tmp/fdir.csv" || fail "fdir perfect filter: packet 6 not on queue 5"
grep -qx '1,8,0x51ccc178' "$tmp/fdir.csv" || fail "fdir perfect filter: packet 1 left RSS queue 8"
grep -q '"policy": "fdir+rss"' "$tmp/fdir-report.json" || fail "policy of a configured chain"

# A policy loaded from a module (models/nic/plugins) goes through the same report.
"$bin" steer --pcap "$tmp/ms.pcap" --queues 4 --policy dport --json >"$tmp/plugin.json" \
    && check_json "$tmp/plugin.json" 6 || fail "--policy dport (plugin module) failed"

if [ ! -d "$shared/traces/public/pcap" ]; then
    echo "SKIP part: $shared/traces/public/pcap absent"
else
    for spec in ndpi-gnutella:3905 ndpi-teams:1540 tcpreplay-test:179; do
        name=${spec%%:*}; n=${spec##*:}
        pcap=$shared/traces/public/pcap/$name.pcap
        for policy in rss mac rr single; do
            "$bin" steer --pcap "$pcap" --queues 8 --policy $policy --json \
                --per-packet "$tmp/$name.csv" >"$tmp/$name.json" \
                || { fail "$name/$policy: steer failed"; continue; }
            check_json "$tmp/$name.json" "$n" || fail "$name/$policy: JSON report invariants"
            lines=$(wc -l <"$tmp/$name.csv")
            [ "$lines" = $((n + 1)) ] || fail "$name/$policy: per-packet CSV has $lines lines, want $((n + 1))"
        done
    done
fi
[ "$fails" = 0 ] && echo "ok" 
[ "$fails" = 0 ]
