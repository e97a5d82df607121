#!/usr/bin/env python3
"""Plot a `nicsteer validate --json` report: the model against the trace.

    nicsteer validate --json BUNDLE > report.json
    /usr/bin/python3 notebooks-data/plot_validate.py report.json OUT.png

Four panels: NAPI poll sizes (napi_poll.model_hist vs trace_hist, packets per poll, log
counts), NET_RX softirq durations (softirq.model_hist vs trace_hist in ns, drawn in us, log counts; the KS
distance in the title), IRQs per MSI-X vector (irq.vectors: model, trace, /proc/interrupts;
a bundle without hardware interrupts, e.g. veth, says why instead) and per-CPU packets
processed (per_cpu[]: model, trace, softnet_stat delta).
"""
import json
import sys


def hist_xy(h, scale=1.0, group=1):
    """(left edges, counts, width) of a report histogram {bin_width, bins[]}, the edges
    times scale, `group` bins merged into one (thousands of 100 ns bins would draw as
    hairlines); None stays empty."""
    if not h or not h.get("bins"):
        return [], [], 0
    b = h["bins"]
    w = h.get("bin_width", 1) * scale * group
    c = [sum(b[i:i + group]) for i in range(0, len(b), group)]
    return [i * w for i in range(len(c))], c, w


def load(path):
    with open(path) if path != "-" else sys.stdin as f:
        try:
            r = json.load(f)
        except json.JSONDecodeError as e:
            raise SystemExit("plot_validate.py: %s: not JSON (%s); expected `nicsteer validate --json` output" % (path, e))
    missing = [k for k in ("napi_poll", "softirq", "irq", "per_cpu") if k not in r]
    if missing:
        raise SystemExit("plot_validate.py: %s: no %s (expected `nicsteer validate --json` output)" % (path, ", ".join(missing)))
    return r


def ks_text(v):
    return "KS %.3f" % v if isinstance(v, (int, float)) else "KS n/a"


def hist_panel(ax, model, trace, title, xlabel, ks, scale=1.0, max_bins=150):
    longest = max(len((h or {}).get("bins") or []) for h in (model, trace))
    group = max(1, -(-longest // max_bins))  # the same grouping for both: comparable heights
    w = 0
    for h, label, style in ((trace, "trace", dict(color="tab:gray", alpha=0.5)),
                            (model, "model", dict(color="tab:blue", histtype="step", linewidth=1.5))):
        x, c, w = hist_xy(h, scale, group)
        if not x:
            continue
        ax.hist(x, bins=[e for e in x] + [x[-1] + w], weights=c, label="%s (%d)" % (label, sum(c)), **style)
    ax.set_yscale("log")
    ax.set_title("%s, %s" % (title, ks_text(ks)), fontsize="medium")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("count per %.3g %s" % (w, xlabel) if group > 1 and w else "count")
    ax.legend(fontsize="small")


def bars(ax, labels, series, title, ylabel):
    n = len(series)
    width = 0.8 / max(n, 1)
    for k, (name, vals, colour) in enumerate(series):
        xs = [i + (k - (n - 1) / 2) * width for i in range(len(labels))]
        ax.bar(xs, [v if v is not None else 0 for v in vals], width, label=name, color=colour)
    vals = [v for _, vs, _ in series for v in vs if v]
    if vals and max(vals) > 20 * min(vals):
        ax.set_yscale("log")  # a short trace's counts next to the whole snapshot's delta
        ax.set_ylim(top=max(vals) * 8)
    elif vals:
        ax.set_ylim(0, max(vals) * 1.3)  # room for the legend above the bars
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=30 if len(labels) > 8 else 0, fontsize="small")
    ax.set_title(title, fontsize="medium")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small", ncol=len(series), loc="upper center")


def irq_panel(ax, r):
    vecs = r["irq"].get("vectors")
    if not vecs:
        why = (r["irq"].get("model") or {}).get("why_not") or "no IRQ vectors in the report"
        ax.axis("off")
        ax.set_title("IRQs per vector", fontsize="medium")
        ax.text(0.5, 0.5, "not applicable:\n" + why, ha="center", va="center", wrap=True, fontsize="small",
                transform=ax.transAxes)
        return
    bars(ax, [v["name"] for v in vecs],
         [("model", [v.get("model") for v in vecs], "tab:blue"),
          ("trace", [v.get("trace") for v in vecs], "tab:gray"),
          ("/proc/interrupts", [v.get("procfs") for v in vecs], "tab:orange")],
         "IRQs per vector", "interrupts")


def main(argv):
    if len(argv) != 2:
        raise SystemExit("usage: plot_validate.py REPORT.json|- OUT.png")
    r = load(argv[0])
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(2, 2, figsize=(12, 8))
    n, s = r["napi_poll"], r["softirq"]
    hist_panel(ax[0, 0], n.get("model_hist"), n.get("trace_hist"), "NAPI poll sizes (%s)" % n.get("kind", "?"),
               "packets per poll", n.get("ks_distance"))
    # softirq histograms are in ns (100 ns bins), drawn in us
    hist_panel(ax[0, 1], s.get("model_hist"), s.get("trace_hist"), "NET_RX softirq durations", "us",
               s.get("ks_distance"), scale=1e-3)
    irq_panel(ax[1, 0], r)
    cpus = r["per_cpu"]
    bars(ax[1, 1], ["CPU%d" % c["cpu"] for c in cpus],
         [("model", [c.get("model_processed") for c in cpus], "tab:blue"),
          ("trace", [c.get("trace_processed") for c in cpus], "tab:gray"),
          ("softnet_stat", [c.get("softnet_processed") for c in cpus], "tab:orange")],
         "packets processed per CPU (CPU agreement %s)" % r.get("agreement", {}).get("cpu"), "packets")
    fig.suptitle("nicsteer validate: %s (%s, kernel %s)" % (r.get("bundle") or r.get("case"), r.get("rx_driver"),
                                                            r.get("kernel")))
    fig.tight_layout()
    fig.savefig(argv[1], dpi=80)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
