#!/usr/bin/env bash
# A 256-CPU host with RPS over all CPUs (scenarios/rps256.json, issue 14 point 1): every
# CPU's backlog processes packets, both engines agree, and the /proc-shaped outputs are as
# wide as the host: mpstat.txt one row per CPU, interrupts.txt one column per CPU (CPU0 ..
# CPU255, as /proc/interrupts), softnet_stat.txt one line per CPU, and rps_cpus printed back
# as the kernel prints a 256-bit mask.
set -u
bin=$1; src=$2
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
scn=$src/scenarios/rps256.json
"$bin" check "$scn" >/dev/null || { echo "FAIL: check"; exit 1; }
"$bin" run "$scn" --engine window --out "$out/w" >/dev/null || { echo "FAIL: run window"; exit 1; }
"$bin" run "$scn" --engine percpu --out "$out/p" >/dev/null || { echo "FAIL: run percpu"; exit 1; }
diff -r -I '"engine": ' "$out/w" "$out/p" >/dev/null || { echo "FAIL: engines differ"; exit 1; }
python3 - "$out/w" <<'PY' || exit 1
import json, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
cpus = s["cpus"]
assert len(cpus) == 256, len(cpus)
proc = [c["softnet"]["processed"] for c in cpus]
# With rps_cpus on every queue, each packet is processed (__netif_receive_skb) in the backlog
# get_rps_cpu chose: all 256 backlogs get some of the 4096 flows.
idle = [c["cpu"] for c in cpus if c["softnet"]["processed"] == 0]
assert not idle, "CPUs without backlog packets: %s" % idle
# CPUs 16..255 take no device interrupt: their backlogs were kicked by RPS IPIs.
assert all(c["softnet"]["received_rps"] > 0 for c in cpus[16:]), "a remote CPU got no IPI"
# Every delivered datagram went through a backlog; the rest were still in flight at the end.
assert s["packets"]["delivered"] <= sum(proc) <= s["packets"]["offered"], (sum(proc), s["packets"])
sinks = [t for t in s["threads"] if t["name"].startswith("sink/")]
assert len(sinks) == 256 and all(t["run_ms"] > 0 for t in sinks), len(sinks)

mp = [l.split() for l in open(d + "/mpstat.txt") if l.strip()]
rows = [r[1] for r in mp[2:] if r[0] == "Average:"]
assert rows == [str(i) for i in range(256)], rows[:3] + rows[-3:]
irq = open(d + "/interrupts.txt").read().splitlines()
assert irq[0].split() == ["CPU%d" % i for i in range(256)], irq[0][:80]
for line in irq[1:]:
    f = line.split()
    if f[0].rstrip(":").isdigit():  # numbered IRQ rows: one count per CPU, then chip and name
        assert all(x.isdigit() for x in f[1:257]), line[:80]
    else:  # NMI, LOC, ..., RES: one count per CPU, then the description
        assert all(x.isdigit() for x in f[1:257]) and not f[257].isdigit(), line[:80]
sn = open(d + "/softnet_stat.txt").read().splitlines()
assert len(sn) == 256, len(sn)
for i, line in enumerate(sn):
    f = line.split()
    assert int(f[0], 16) == proc[i] and int(f[12], 16) == i, (i, line)  # processed, cpu index
full = ",".join(["ffffffff"] * 8)
scn = json.load(open(d + "/scenario.json"))
assert scn["nic"]["rx"]["rps_cpus"] == full
print("ok   256 CPUs: every backlog processed packets (min %d, max %d), engines identical, "
      "256 rows/columns in mpstat, interrupts, softnet_stat" % (min(proc), max(proc)))
PY
# smp_affinity in sysfs hex form, any width: vector 0 on CPU 255 (the top bit of 8 groups).
top="80000000$(printf ',00000000%.0s' 1 2 3 4 5 6 7)"
"$bin" run "$scn" --set "/nic/irq_affinity=[{\"smp_affinity\": \"$top\"}]" --out "$out/a" \
    --quiet || { echo "FAIL: run with smp_affinity"; exit 1; }
python3 - "$out/a/interrupts.txt" <<'PY' || exit 1
import sys
rows = {l.split()[0]: l.split() for l in open(sys.argv[1]).read().splitlines()[1:]}
r = [v for v in rows.values() if v[-1] == "eth0-TxRx-0"][0]
counts = [int(x) for x in r[1:257]]
assert counts[255] > 0 and sum(counts) == counts[255], r[:4]
print("ok   smp_affinity %s... puts eth0-TxRx-0 on CPU255 (%d interrupts)" % ("80000000,", counts[255]))
PY
# /outputs/sysfs: the steering files as the kernel prints them at 256 CPUs.
"$bin" run "$scn" --set /outputs/sysfs=true --out "$out/s" --quiet || { echo "FAIL: run sysfs"; exit 1; }
python3 - "$out/s/sysfs.txt" "$out/w" "$out/s" <<'PY' || exit 1
import filecmp, sys
kv = dict(l.rstrip("\n").split(":", 1) for l in open(sys.argv[1]))
full = ",".join(["ffffffff"] * 8)
q = "/sys/class/net/eth0/queues/"
for n in range(16):
    assert kv[q + "rx-%d/rps_cpus" % n] == full, n
    assert kv[q + "rx-%d/rps_flow_cnt" % n] == "0"
    assert kv[q + "tx-%d/xps_cpus" % n] == ",".join(["00000000"] * 8)  # no XPS without ATR
    assert kv[q + "tx-%d/xps_rxqs" % n] == "0000"                       # 16 RX queues: 16 bits
    irq = "/proc/irq/%d/" % (40 + n)
    assert kv[irq + "smp_affinity"] == full and kv[irq + "smp_affinity_list"] == "0-255"
    eff = int(kv[irq + "effective_affinity"].replace(",", ""), 16)
    assert eff == 1 << n and kv[irq + "effective_affinity_list"] == str(n), (n, eff)
assert kv["/proc/irq/56/smp_affinity_list"] == "0-255"  # the other-causes vector
# the dump is an extra file: the other outputs are those of the run without it (summary.json
# differs in its provenance, the --set list)
for f in ("interrupts.txt", "softnet_stat.txt", "mpstat.txt", "threads.csv"):
    assert filecmp.cmp(sys.argv[2] + "/" + f, sys.argv[3] + "/" + f, shallow=False), f
print("ok   sysfs.txt: 16 rps_cpus of 8 groups, smp_affinity full, effective CPU = vector")
PY
# The top of the range: 1024 CPUs, RPS over a 32-group mask; every backlog takes packets.
full=$(python3 -c "print(','.join(['ffffffff'] * 32))")
"$bin" run "$scn" --set /cpus=1024 --set "/nic/rx/rps_cpus=\"$full\"" --out "$out/k" --quiet ||
    { echo "FAIL: run 1024 CPUs"; exit 1; }
python3 - "$out/k" <<'PY' || exit 1
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
p = [c["softnet"]["processed"] for c in s["cpus"]]
assert len(p) == 1024 and min(p) > 0, (len(p), min(p))
assert len(open(sys.argv[1] + "/softnet_stat.txt").read().splitlines()) == 1024
assert len(open(sys.argv[1] + "/interrupts.txt").readline().split()) == 1024
print("ok   1024 CPUs: every backlog processed packets (min %d), 1024 softnet lines and columns" % min(p))
PY
