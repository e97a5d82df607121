#!/usr/bin/env bash
# NIC profiles (/nic/model, steer --nic): an X710 spreads over 64 RSS queues
# where the 82599 stops at 16; symmetric-xor puts both directions of a flow on
# one queue; an X710 `ethtool -x` dump (512 rows, 52-byte key) is taken, its
# hashes equal an independent Python Toeplitz; a table the profile cannot have
# is a one-line error.
set -u
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
command -v python3 >/dev/null || { echo "SKIP: python3 needed"; exit 77; }

# 1. x710-rss64: every one of the 64 queues receives, near the even share;
#    the same traffic on an 82599 with 63 queues reaches only queues 0-15.
"$bin" run "$src/scenarios/x710-rss64.json" --out "$tmp/x710" -q || fail "run x710-rss64"
"$bin" run "$src/scenarios/x710-rss64.json" --set /nic/model='"82599"' --set /nic/rx_queues=63 \
    --out "$tmp/ix" -q || fail "run x710-rss64 as an 82599"
spread() { awk -F, 'NR > 1 && $4 > 0 { n++; if ($4 > mx) mx = $4; s += $4; if ($1 > hi) hi = $1 }
                    END { printf "%d %.3f %d\n", n, mx * n / s, hi }' "$1/queues.csv"; }
read -r n ratio hi <<<"$(spread "$tmp/x710")"
echo "x710: $n queues receive, busiest/mean $ratio"
[ "$n" = 64 ] || fail "x710: $n of 64 queues receive"
awk -v r="$ratio" 'BEGIN { exit !(r < 1.3) }' || fail "x710: busiest queue $ratio x the mean"
read -r n ratio hi <<<"$(spread "$tmp/ix")"
echo "82599 (63 queues): $n queues receive, highest $hi"
[ "$n" = 16 ] && [ "$hi" = 15 ] || fail "82599: $n queues receive up to $hi, expected 16 (0-15)"

# 2. generic-symmetric: flow i and its reverse 32+i share a queue with
#    symmetric-xor (32 of 32); without it only by chance.
pairs() { python3 - "$1/flows.csv" <<'PY'
import csv, sys
q = {int(r['flow']): int(r['rxq']) for r in csv.DictReader(open(sys.argv[1]))}
print(sum(q[i] == q[32 + i] for i in range(1, 33)))
PY
}
"$bin" run "$src/scenarios/generic-symmetric.json" --out "$tmp/sym" -q || fail "run generic-symmetric"
"$bin" run "$src/scenarios/generic-symmetric.json" --set /nic/steering/rss/xfrm='"none"' \
    --out "$tmp/plain" -q || fail "run generic-symmetric, xfrm none"
s=$(pairs "$tmp/sym"); p=$(pairs "$tmp/plain")
echo "direction pairs on one queue: symmetric-xor $s/32, none $p/32"
[ "$s" = 32 ] || fail "symmetric-xor: $s of 32 pairs on one queue"
[ "$p" -lt 8 ] || fail "no transform: $p of 32 pairs on one queue (expected ~2)"
msg=$("$bin" check "$src/scenarios/generic-symmetric.json" 2>&1 >/dev/null)
[ -z "$msg" ] || fail "check generic-symmetric: $msg"
printf '{"nic": {"model": "x710", "steering": {"rss": {"xfrm": "symmetric-xor"}}}, "traffic": {"duration_s": 0.01, "flows": [{"rate_pps": 1000}]}}' >"$tmp/s1.json"
msg=$("$bin" check "$tmp/s1.json" 2>&1)
case "$msg" in *"/nic/steering/rss/xfrm: the x710 (i40e) has no symmetric-xor"*) ;; *) fail "xfrm on x710: $msg" ;; esac
printf '{"nic": {"model": "e1000"}, "traffic": {"duration_s": 0.01, "flows": [{"rate_pps": 1000}]}}' >"$tmp/s2.json"
msg=$("$bin" check "$tmp/s2.json" 2>&1)
case "$msg" in *'/nic/model: unknown NIC model "e1000", expected one of 82599, x710, x722, generic'*) ;; *) fail "bad model: $msg" ;; esac
printf '{"cpus": 4, "nic": {"model": "x710", "rx_queues": 65}, "traffic": {"duration_s": 0.01, "flows": [{"rate_pps": 1000}]}}' >"$tmp/s3.json"
msg=$("$bin" check "$tmp/s3.json" 2>&1)
case "$msg" in *"/nic/rx_queues: 65 queues, expected at most 64 (the x710"*) ;; *) fail "65 queues: $msg" ;; esac

# 3. steer --nic x710 on an X710 dump: 512 rows (64 rings, entry i = i % 64,
#    but 300 -> 7) and a 52-byte key. Hashes = Python's bit-window Toeplitz.
key=6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa0102030405060708090a0b0c
python3 - "$tmp" $key <<'PY'
import socket, struct, sys, random
d, key = sys.argv[1], bytes.fromhex(sys.argv[2])
def dump(name, size, rings, k):
    ent = [i % rings for i in range(size)]
    if size > 300: ent[300] = 7
    out = "RX flow hash indirection table for eth0 with %d RX ring(s):\n" % rings
    for r in range(0, size, 8):
        out += "%5u: " % r + "".join(" %5u" % e for e in ent[r:r + 8]) + "\n"
    out += "RSS hash key:\n" + ":".join("%02x" % b for b in k) + "\n"
    out += "RSS hash function:\n    toeplitz: on\n    xor: off\n    crc32: off\n"
    open("%s/%s" % (d, name), "w").write(out)
    return ent
ent = dump("x710.txt", 512, 64, key)
dump("ixgbe.txt", 128, 16, key[:40])
def toeplitz(k, data):
    kv, kl, h = int.from_bytes(k, 'big'), len(k) * 8, 0
    for i in range(len(data) * 8):
        if data[i // 8] & (0x80 >> (i % 8)):
            h ^= (kv >> (kl - 32 - i)) & 0xffffffff
    return h
MAC = b'\x02\0\0\0\0\x02\x02\0\0\0\0\x01'
rng = random.Random(7)
out = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
want = ["packet,queue,hash"]
for n in range(200):
    s, t = bytes(rng.randrange(256) for _ in range(4)), bytes(rng.randrange(256) for _ in range(4))
    sp, dp, udp = rng.randrange(1, 65536), rng.randrange(1, 65536), n % 2
    l4 = struct.pack('!HHHH', sp, dp, 8, 0) if udp else struct.pack('!HHIIBBHHH', sp, dp, 1, 0, 0x50, 0x10, 65535, 0, 0)
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 1, 0, 64, 17 if udp else 6, 0, s, t)
    f = MAC + b'\x08\x00' + ip + l4
    out += struct.pack('<IIII', 1700000000, n, len(f), len(f)) + f
    h = toeplitz(key, s + t + struct.pack('!HH', sp, dp))  # i40e: UDP 4-tuple too
    want.append("%d,%d,0x%08x" % (n + 1, ent[h & 511], h))
open(d + "/x.pcap", "wb").write(out)
open(d + "/want.csv", "w").write("\n".join(want) + "\n")
PY
"$bin" steer --nic x710 --pcap "$tmp/x.pcap" --ethtool-x "$tmp/x710.txt" --per-packet "$tmp/got.csv" \
    --json >"$tmp/x.json" || fail "steer --nic x710 --ethtool-x"
diff -q "$tmp/want.csv" "$tmp/got.csv" >/dev/null && echo "x710 dump: 200 packets, hashes and queues = Python" \
    || fail "x710 dump: per-packet queues/hashes differ from the Python Toeplitz"
msg=$("$bin" steer --nic 82599 --pcap "$tmp/x.pcap" --ethtool-x "$tmp/x710.txt" 2>&1); st=$?
[ $st != 0 ] && [ "$(printf '%s\n' "$msg" | wc -l)" = 1 ] &&
    case "$msg" in *"x710.txt:1: indirection table of 512 entries, expected 128 (the 82599's table size)"*) ;; *) false ;; esac ||
    fail "82599 given a 512-entry dump: $st $msg"
msg=$("$bin" steer --nic x710 --pcap "$tmp/x.pcap" --ethtool-x "$tmp/ixgbe.txt" 2>&1); st=$?
[ $st != 0 ] && case "$msg" in *"ixgbe.txt:1: indirection table of 128 entries, expected 512"*) ;; *) false ;; esac ||
    fail "x710 given a 128-entry dump: $st $msg"
"$bin" steer --nic 82599 --pcap "$tmp/x.pcap" --ethtool-x "$tmp/ixgbe.txt" >/dev/null || fail "82599 dump on --nic 82599"
msg=$("$bin" steer --nic generic --queues 300 --pcap "$tmp/x.pcap" 2>&1); st=$?
case "$msg" in *"--queues: 300, expected at most 256 (the generic's RX queues)"*) ;; *) fail "300 queues on generic: $msg" ;; esac
"$bin" steer --nic generic --queues 200 --reta "equal 200" --pcap "$tmp/x.pcap" >/dev/null ||
    fail "generic: 200 RSS queues refused"
msg=$("$bin" steer --nic 82599 --queues 32 --reta "equal 32" --pcap "$tmp/x.pcap" 2>&1)
case "$msg" in *"max_rss_queues 16"*) ;; *) fail "82599 equal 32: $msg" ;; esac

# 4. RSS contexts (generic): `ethtool -X eth0 context new equal 4` and
#    `ethtool -N eth0 flow-type udp4 context 1 action 60`: every UDP packet on
#    60 + RETA_1[hash] (60..63), TCP on the default context.
printf '{"rss": {"contexts": [{"reta": "equal 4"}], "rules": [{"flow_type": "udp4", "context": 1, "action": 60}]}}' >"$tmp/ctx.json"
"$bin" steer --nic generic --queues 64 --config "$tmp/ctx.json" --pcap "$tmp/x.pcap" \
    --per-packet "$tmp/ctx.csv" >/dev/null || fail "steer with an RSS context"
bad=$(python3 - "$tmp/ctx.csv" <<'PY'
import csv, sys
bad = 0
for r in csv.DictReader(open(sys.argv[1])):
    h, q, udp = int(r['hash'], 16), int(r['queue']), int(r['packet']) % 2 == 0
    bad += q != (60 + h % 4 if udp else h % 64)
print(bad)
PY
)
[ "$bad" = 0 ] && echo "RSS context: 100 UDP packets on 60 + RETA_1[hash], 100 TCP on the default table" ||
    fail "RSS context: $bad packets off their context's queue"
msg=$("$bin" steer --nic x710 --queues 64 --config "$tmp/ctx.json" --pcap "$tmp/x.pcap" 2>&1)
case "$msg" in *"has no additional RSS contexts"*) ;; *) fail "contexts on x710: $msg" ;; esac

[ $fails = 0 ] && echo "ok   NIC profiles"
exit $fails
