# Checks a timeline.json as Perfetto reads it: slices on each CPU track nest (a child
# lies inside its parent), every flow's two ends lie strictly inside a slice of the
# kind the arrow names (clear of any slice edge, so the binding is unambiguous) with
# the start no later than the end, and counters are non-negative.
# Usage: timeline_check.py FILE MIN_FLOWS KIND...  (KIND: softirq, wakeup: flows of that kind;
# ksoftirqd, busypoll: NAPI polls inside NET_RX run by ksoftirqd / inside a thread's slice)
import bisect, collections, json, sys

path, min_flows, kinds = sys.argv[1], int(sys.argv[2]), set(sys.argv[3:])
d = json.load(open(path))
T = d["traceEvents"]
ns = lambda us: round(us * 1000)
fails = []
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        fails.append(what)

tracks = collections.defaultdict(list)
for e in T:
    if e["ph"] == "X":
        tracks[e["tid"]].append((ns(e["ts"]), ns(e["ts"]) + ns(e["dur"]), e))
crossing, total, example = 0, 0, None
for tid, sl in tracks.items():
    sl.sort(key=lambda x: (x[0], x[0] - x[1]))
    stack = []
    for a, b, e in sl:
        total += 1
        while stack and stack[-1][1] <= a:
            stack.pop()
        if stack and b > stack[-1][1]:
            crossing += 1
            example = example or f"{e['name']} at {e['ts']} us on CPU {tid} crosses {stack[-1][2]['name']}"
        stack.append((a, b, e))
check(crossing == 0, f"{crossing} of {total} slices cross their parent" + (f" ({example})" if example else ""))

# After the nesting check, each level (top: irq/softirq/thread, napi) is a list of
# disjoint intervals per track: bisect finds the slice holding a time.
level = {}
edges = collections.defaultdict(set)
for tid, sl in tracks.items():
    for a, b, e in sl:
        edges[tid].update((a, b))
    for name, pick in (("top", lambda e: e["cat"] != "napi"), ("napi", lambda e: e["cat"] == "napi")):
        iv = sorted((a, b, e) for a, b, e in sl if pick(e))
        level[(tid, name)] = ([a for a, _, _ in iv], iv)
def holder(tid, t):
    if t in edges[tid]:
        return None
    for name in ("napi", "top"):
        starts, iv = level.get((tid, name), ([], []))
        i = bisect.bisect_right(starts, t) - 1
        if i >= 0 and iv[i][0] < t < iv[i][1]:
            return iv[i][2]
    return None

def top_at(tid, t):
    starts, iv = level.get((tid, "top"), ([], []))
    i = bisect.bisect_right(starts, t) - 1
    return iv[i][2] if i >= 0 and iv[i][0] <= t < iv[i][1] else None
parents = collections.Counter()
for (tid, name), (starts, iv) in level.items():
    for a, b, e in iv if name == "napi" else ():
        p = top_at(tid, a)
        parents[p["name"] if p and p["cat"] == "softirq" else p["cat"] if p else None] += 1
if "ksoftirqd" in kinds:
    check(parents["NET_RX (ksoftirqd)"] > 0, f"{parents['NET_RX (ksoftirqd)']} NAPI polls in NET_RX (ksoftirqd)")
if "busypoll" in kinds:
    check(parents["sys"] > 0, f"{parents['sys']} NAPI polls busy-polled from a thread")
kinds -= {"ksoftirqd", "busypoll"}

flows = collections.defaultdict(dict)
for e in T:
    if e["ph"] in ("s", "f"):
        flows[(e["cat"], e["id"])][e["ph"]] = e
want = {"NET_RX raised": ("softirq", lambda s: s["cat"] == "irq", lambda f: f["cat"] == "softirq"),
        "sched_wakeup": ("wakeup", lambda s: True, lambda f: f["cat"] in ("sys", "usr"))}
seen, wrong, example = collections.Counter(), 0, None
for key, f in flows.items():
    s, t = f.get("s"), f.get("f")
    ok = s is not None and t is not None and s["name"] in want and t.get("bp") == "e"
    if ok:
        kind, src_ok, dst_ok = want[s["name"]]
        a, b = holder(s["tid"], ns(s["ts"])), holder(t["tid"], ns(t["ts"]))
        ok = a is not None and b is not None and src_ok(a) and dst_ok(b) and s["ts"] <= t["ts"]
        if ok:
            seen[kind] += 1
    if not ok:
        wrong += 1
        example = example or f"flow {key}"
check(wrong == 0, f"{len(flows)} flows, {wrong} not joining the slices they name" + (f" ({example})" if wrong else ""))
for k in sorted(kinds):
    check(seen[k] >= min_flows, f"{seen[k]} {k} flows (at least {min_flows})")

counters = collections.defaultdict(list)
for e in T:
    if e["ph"] == "C":
        counters[e["name"]].append((e["ts"], list(e["args"].values())[0]))
check(any(n.startswith("eth0 rx ring") for n in counters), "an RX ring fill counter track")
neg = [n for n, v in counters.items() if min(x for _, x in v) < 0]
check(not neg, f"{len(counters)} counter tracks, none negative" + (f" ({neg[0]})" if neg else ""))
dup = [n for n, v in counters.items() if any(a[1] == b[1] or a[0] >= b[0] for a, b in zip(v, v[1:]))]
check(not dup, "counter samples only when the value changes, in time order" + (f" ({dup[0]})" if dup else ""))
sys.exit(1 if fails else 0)
