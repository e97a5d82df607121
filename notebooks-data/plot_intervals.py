#!/usr/bin/env python3
"""Plot a run's mpstat intervals (`nicsteer run --mpstat-interval-ms MS`): per CPU, the
%usr/%sys/%irq/%soft of every sample stacked against simulated time, %soft split into
softirqs run inline (at irq_exit) and in ksoftirqd/N, so a ksoftirqd take-over shows as
the hatched band replacing the plain one (s1-single-queue-cpu0: CPU0 at ~0.9 ms).

    /usr/bin/python3 notebooks-data/plot_intervals.py RUN_DIR OUT.png [--until-ms MS] [--cpus 0,1]

Reads RUN_DIR/mpstat_intervals.csv (t_ms,dt_ms,cpu,usr,...,idle,ksoftirqd).
"""
import argparse
import csv
import os
import sys

LAYERS = [  # (label, colour, hatch, value of a row)
    ("%usr", "tab:blue", None, lambda r: r["usr"]),
    ("%sys", "tab:orange", None, lambda r: r["sys"]),
    ("%irq", "tab:red", None, lambda r: r["irq"]),
    ("%soft inline", "tab:green", None, lambda r: max(r["soft"] - r["ksoftirqd"], 0.0)),
    ("%soft in ksoftirqd", "tab:green", "///", lambda r: min(r["ksoftirqd"], r["soft"])),
]


def load_intervals(run_dir):
    """Rows of mpstat_intervals.csv, numbers as floats, cpu as "all" or int."""
    path = os.path.join(run_dir, "mpstat_intervals.csv")
    if not os.path.exists(path):
        raise SystemExit("plot_intervals.py: %s: not found (run with --mpstat-interval-ms MS)" % path)
    rows = []
    with open(path) as f:
        for r in csv.DictReader(f):
            cpu = r.pop("cpu")
            row = {k: float(v) for k, v in r.items()}
            row["cpu"] = cpu if cpu == "all" else int(cpu)
            rows.append(row)
    return rows


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir")
    ap.add_argument("out_png")
    ap.add_argument("--until-ms", type=float, default=None, help="only the samples ending by then")
    ap.add_argument("--cpus", default=None, help="comma-separated CPUs (default: all)")
    a = ap.parse_args(argv)
    rows = load_intervals(a.run_dir)
    if a.until_ms is not None:
        rows = [r for r in rows if r["t_ms"] <= a.until_ms + 1e-9]
    cpus = sorted({r["cpu"] for r in rows if r["cpu"] != "all"})
    if a.cpus:
        want = [int(c) for c in a.cpus.split(",")]
        missing = [c for c in want if c not in cpus]
        if missing:
            raise SystemExit("plot_intervals.py: no CPU %s in %s" % (missing, a.run_dir))
        cpus = want
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(cpus), 1, figsize=(9, 1.6 * len(cpus) + 1), sharex=True, squeeze=False)
    for ax, cpu in zip(axes[:, 0], cpus):
        mine = [r for r in rows if r["cpu"] == cpu]
        # each sample covers (t - dt, t]: draw it as a step over its own interval
        xs = [mine[0]["t_ms"] - mine[0]["dt_ms"]] + [r["t_ms"] for r in mine]
        base = [0.0] * len(mine)
        for label, colour, hatch, val in LAYERS:
            top = [b + val(r) for b, r in zip(base, mine)]
            ax.stairs(top, xs, baseline=base, fill=True, color=colour, hatch=hatch,
                      edgecolor="darkgreen" if hatch else None, linewidth=0, label=label)
            base = top
        ax.set_ylim(0, 100)
        ax.set_ylabel("CPU%d %%" % cpu)
    axes[0, 0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    axes[-1, 0].set_xlabel("simulated time (ms), one sample every %g ms" % rows[0]["dt_ms"])
    fig.suptitle("mpstat -P ALL intervals: %s" % os.path.basename(os.path.normpath(a.run_dir)))
    fig.tight_layout()
    fig.savefig(a.out_png, dpi=80)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
