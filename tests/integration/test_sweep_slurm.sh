#!/usr/bin/env bash
# nicsteer sweep --emit slurm on a real single-node Slurm cluster (Debian slurm-wlm + munge),
# configured and started here in a temporary directory and stopped at the end: the job
# array's runs collect into a table byte-identical to the same sweep run by GNU parallel.
# Skipped, with the reason, when not root or when slurm-wlm/munge/parallel are missing.
# Args: <nicsteer binary> <source dir>.
set -u
bin=$(realpath "$1"); src=$(cd "$2" && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (slurmctld, slurmd and munged run as root here)"
for c in slurmctld slurmd sbatch munged parallel; do
    command -v "$c" >/dev/null || skip "$c not installed (Debian: slurm-wlm munge parallel)"
done
T=$(mktemp -d /tmp/nicsteer-slurm.XXXXXX)
chmod 755 "$T"
stop() {
    for p in "$T"/run/slurmd.pid "$T"/run/slurmctld.pid "$T"/munge/munged.pid; do
        [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
    done
    sleep 1
    rm -rf "$T"
}
trap stop EXIT
mkdir -p "$T"/munge "$T"/state "$T"/spool "$T"/log "$T"/run
dd if=/dev/urandom of="$T/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$T/munge.key"
sock=$T/munge/munge.socket
munged --key-file="$T/munge.key" --socket="$sock" --pid-file="$T/munge/munged.pid" \
    --log-file="$T/munge/munged.log" --seed-file="$T/munge/seed" -f 2>/dev/null ||
    skip "munged does not start here"
host=$(hostname -s)
# Two free ports away from a system Slurm's 6817/6818 (another checkout's suite may run this
# test at the same time); no systemd, no cgroups: linuxproc + task/none.
port_free() { ! ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }
for i in $(seq 50); do
    p1=$((20000 + RANDOM % 20000)); p2=$((p1 + 1))
    port_free $p1 && port_free $p2 && break
done
cat >"$T/slurm.conf" <<EOF
ClusterName=nicsteer-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/run/slurmctld.pid
SlurmdPidFile=$T/run/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
SlurmctldPort=$p1
SlurmdPort=$p2
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$T/slurm.conf
slurmctld -f "$SLURM_CONF" && slurmd -f "$SLURM_CONF" || { echo "FAIL: slurm daemons"; exit 1; }
for i in $(seq 30); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 0.5; done
sinfo -h -o %T | grep -q idle || { echo "FAIL: the node never became idle"; cat "$T"/log/*; exit 1; }
cat >"$T/spec.json" <<JSON
{"base": "$src/scenarios/default.json",
 "axes": {"/traffic/flows/0/rate_pps": [200000, 400000], "/nic/steering/chain": [["rss"], ["rr"]]}}
JSON
fails=0
"$bin" sweep "$T/spec.json" --out "$T/par" -j 2 >/dev/null || { echo "FAIL: parallel sweep"; fails=1; }
"$bin" sweep "$T/spec.json" --out "$T/arr" --emit slurm >/dev/null || { echo "FAIL: --emit slurm"; fails=1; }
timeout 120 sbatch --wait --quiet "$T/arr/sweep.sbatch" || { echo "FAIL: sbatch --wait"; fails=1; }
"$bin" collect "$T/par" --csv "$T/par.csv" && "$bin" collect "$T/arr" --csv "$T/arr.csv" ||
    { echo "FAIL: collect"; fails=1; }
cmp -s "$T/par.csv" "$T/arr.csv" && echo "ok   Slurm array table == GNU parallel table ($(($(wc -l <"$T/arr.csv") - 1)) runs)" ||
    { echo "FAIL: tables differ"; diff "$T/par.csv" "$T/arr.csv" | head; fails=1; }
exit $fails
