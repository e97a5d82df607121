#!/usr/bin/env bash
# Several hosts in one run (#15 point 5): scenarios/multihost-proxy-{hash,xps}.json put a
# client, a two-NIC proxy and a server on cables. Pinned: DIR/<host>/ holds each host's
# single-host file set and DIR/summary.json the cross-host summary; every frame a NIC puts
# on a cable is accounted for at the other end (arrived + still on the cable = sent, and
# what arrived is what that host's NIC received); the cable's latency shows in the client's
# end-to-end latency; XPS on the proxy's eth1 removes the hash's migrations; same bytes
# twice; the per-CPU engine is refused; the output rules hold for the whole DIR.
set -u
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
for s in hash xps; do
    "$bin" run "$src/scenarios/multihost-proxy-$s.json" --out "$tmp/$s" -q ||
        { echo "FAIL: run $s"; exit 1; }
done
for h in client proxy server; do
    for f in summary.json mpstat.txt interrupts.txt softnet_stat.txt softirqs.txt queues.csv \
        flows.csv threads.csv .nicsteer-output; do
        [ -s "$tmp/hash/$h/$f" ] || { echo "FAIL: no $h/$f"; fail=1; }
    done
done
for f in summary.json scenario.json .nicsteer-output; do
    [ -s "$tmp/hash/$f" ] || { echo "FAIL: no top-level $f"; fail=1; }
done
/usr/bin/python3 - "$tmp" <<'PY' || fail=1
import json, sys
t = sys.argv[1]
ok = True
def check(cond, what):
    global ok
    if not cond:
        print("FAIL:", what); ok = False
S = {s: json.load(open(f"{t}/{s}/summary.json")) for s in ("hash", "xps")}
H = {s: {h: json.load(open(f"{t}/{s}/{h}/summary.json")) for h in ("client", "proxy", "server")}
     for s in S}
for s, d in S.items():
    L = {(l["from"], l["to"]): l for l in d["links"]}
    cp, ps = L[("client/eth0", "proxy/eth0")], L[("proxy/eth1", "server/eth0")]
    for l in (cp, ps):
        for k in ("from_to", "to_from"):
            x = l[k]
            check(x["sent"] == x["arrived"] + x["in_flight"], f"{s}: {l['from']} {k}: {x}")
            check(x["sent"] > 500, f"{s}: {l['from']} {k} carried only {x['sent']}")
    # every frame the client's TX queues sent went down the cable
    check(sum(H[s]["client"]["steering"]["tx_packets"]) == cp["from_to"]["sent"],
          f"{s}: client tx_packets {H[s]['client']['steering']['tx_packets']} != cable {cp['from_to']}")
    # what arrived is what the receiving NICs were offered (eth0 + eth1 of the proxy)
    pk = H[s]["proxy"]["packets"]
    check(pk["offered"] == cp["from_to"]["arrived"] + ps["to_from"]["arrived"],
          f"{s}: proxy offered {pk['offered']} != arrived {cp['from_to']['arrived']} + {ps['to_from']['arrived']}")
    check(pk["delivered"] + pk["dropped"] <= pk["offered"], f"{s}: proxy {pk}")
    check(H[s]["server"]["packets"]["offered"] == ps["from_to"]["arrived"], f"{s}: server offered")
    check(H[s]["client"]["packets"]["offered"] == cp["to_from"]["arrived"], f"{s}: client offered")
    e = d["end_to_end"]
    check(e["client"] == "client" and e["completed"] > 500, f"{s}: end_to_end {e}")
    # a round trip crosses two cables twice (4 x 5 us) and the server's 5 us service
    check(e["latency_us"]["p50"] > 25, f"{s}: end-to-end p50 {e['latency_us']['p50']} below 25 us")
    check(d["hosts"]["proxy"]["cpus"][0]["idle"] == 0.0, f"{s}: the proxy's CPUs are not busy")
mh = S["hash"]["hosts"]["proxy"]["migration_refill_ms"]
mx = S["xps"]["hosts"]["proxy"]["migration_refill_ms"]
check(mx * 10 < mh, f"XPS refill {mx} ms not far below the hash's {mh} ms")
mig = {s: sum(c["migrations_in"] for c in S[s]["hosts"]["proxy"]["cpus"]) for s in S}
check(mig["xps"] * 10 < mig["hash"], f"proxy migrations xps {mig['xps']} vs hash {mig['hash']}")
p99 = {s: S[s]["end_to_end"]["latency_us"]["p99"] for s in S}
p50 = {s: S[s]["end_to_end"]["latency_us"]["p50"] for s in S}
tps = {s: S[s]["end_to_end"]["tps"] for s in S}
check(p99["xps"] < p99["hash"], f"end-to-end p99 xps {p99['xps']} not below hash {p99['hash']}")
check(p50["xps"] < p50["hash"], f"end-to-end p50 xps {p50['xps']} not below hash {p50['hash']}")
check(tps["xps"] > 1.1 * tps["hash"], f"client tps xps {tps['xps']} not 10% above hash {tps['hash']}")
print("hash: refill %.3f ms, migrations %d, e2e p50 %.1f p99 %.1f us, %d tps; "
      "xps: %.3f ms, %d, %.1f / %.1f us, %d tps"
      % (mh, mig["hash"], p50["hash"], p99["hash"], tps["hash"], mx, mig["xps"], p50["xps"],
         p99["xps"], tps["xps"]))
sys.exit(0 if ok else 1)
PY
# the cable's latency is the simulated one: +45 us each way on both cables = +180 us per round trip
"$bin" run "$src/scenarios/multihost-proxy-hash.json" --set /links/0/latency_us=50 \
    --set /links/1/latency_us=50 --out "$tmp/far" -q || { echo "FAIL: run far"; fail=1; }
/usr/bin/python3 - "$tmp" <<'PY' || fail=1
import json, sys
t = sys.argv[1]
near = json.load(open(f"{t}/hash/summary.json"))["end_to_end"]["latency_us"]["mean"]
far = json.load(open(f"{t}/far/summary.json"))["end_to_end"]["latency_us"]["mean"]
print(f"end-to-end mean: 5 us cables {near:.1f} us, 50 us cables {far:.1f} us")
sys.exit(0 if 150 < far - near < 220 else print("FAIL: latency +180 us expected") or 1)
PY
"$bin" run "$src/scenarios/multihost-proxy-hash.json" --out "$tmp/again" -q
diff -r "$tmp/hash" "$tmp/again" >/dev/null || { echo "FAIL: two runs differ"; fail=1; }
msg=$("$bin" run "$src/scenarios/multihost-proxy-hash.json" --engine percpu --out "$tmp/p" 2>&1); st=$?
[ $st = 2 ] && [ ! -e "$tmp/p" ] && case "$msg" in *"window engine only"*) ;; *) false ;; esac ||
    { echo "FAIL: percpu not refused: $st $msg"; fail=1; }
# --out: an earlier multi-host output is replaced whole; a foreign directory is refused
"$bin" run "$src/scenarios/multihost-proxy-xps.json" --out "$tmp/hash" -q || { echo "FAIL: replace"; fail=1; }
diff -r "$tmp/xps" "$tmp/hash" >/dev/null || { echo "FAIL: replaced output differs from xps"; fail=1; }
mkdir -p "$tmp/foreign" && echo mine > "$tmp/foreign/notes.txt"
"$bin" run "$src/scenarios/multihost-proxy-xps.json" --out "$tmp/foreign" -q 2>/dev/null &&
    { echo "FAIL: wrote into a foreign directory"; fail=1; }
[ "$(ls "$tmp/foreign")" = notes.txt ] || { echo "FAIL: foreign directory touched"; fail=1; }
# a sweep over a cable's latency, collected: the client's end-to-end p50 grows with it
printf '{"base": "%s", "axes": {"/links/0/latency_us": [5, 50]}, "seeds": [1]}' \
    "$(cd "$src" && pwd)/scenarios/multihost-proxy-hash.json" > "$tmp/sweep.json"
if "$bin" sweep "$tmp/sweep.json" --out "$tmp/sw" -j 1 --quiet &&
    "$bin" collect "$tmp/sw" --csv "$tmp/sw.csv"; then
    /usr/bin/python3 - "$tmp/sw.csv" <<'PY' || fail=1
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
p50 = [float(r["e2e_latency_p50_us"]) for r in rows]
ok = len(rows) == 2 and rows[0]["proxy_offered"] != "0" and p50[1] > p50[0] + 50
print(("ok  " if ok else "FAIL") + " sweep: e2e p50 %s" % p50)
sys.exit(0 if ok else 1)
PY
else
    echo "FAIL: sweep/collect of a multi-host scenario"; fail=1
fi
for s in hash xps; do
    out=$("$bin" check "$src/scenarios/multihost-proxy-$s.json") && [ "$out" = ok ] ||
        { echo "FAIL: check $s"; fail=1; }
done
[ $fail = 0 ] && echo "ok   multi-host"
exit $fail
