#!/usr/bin/env python3
"""Compare policies across a sweep: read the table of `nicsteer collect DIR --csv T.csv`
and draw, against one axis column (the offered load, say), delivered packets/s and p99
latency with one line per value of another column (the policy), seeds as error bars
(mean +- standard deviation), and the mean %soft per CPU of each series.

    /usr/bin/python3 notebooks-data/plot_sweep.py T.csv OUT.png \\
        --x /traffic/flows/0/rate_pps --series /nic/steering/chain

Needs pandas and matplotlib (Debian: python3-pandas, python3-matplotlib).
"""
import argparse
import re
import sys


def load(table, x, series):
    try:
        import pandas as pd
    except ImportError:
        sys.exit("plot_sweep.py: pandas is not installed (Debian: apt-get install python3-pandas;"
                 " run with /usr/bin/python3)")
    df = pd.read_csv(table)
    for col in (x, series):
        if col not in df.columns:
            sys.exit("plot_sweep.py: %s has no column %s (columns: %s)"
                     % (table, col, ", ".join(df.columns[:8])))
    df = df[df["status"] == "ok"]
    if df.empty:
        sys.exit("plot_sweep.py: %s has no run with status ok" % table)
    return df


def per_cpu_soft(df):
    cols = sorted((c for c in df.columns if re.fullmatch(r"cpu\d+_soft", c)),
                  key=lambda c: int(c[3:-5]))
    return cols


def plot(table, out_png, x, series):
    df = load(table, x, series)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (ax_pps, ax_p99, ax_soft) = plt.subplots(1, 3, figsize=(16, 4.5))
    soft_cols = per_cpu_soft(df)
    names = list(dict.fromkeys(df[series]))  # first-seen order: the sweep's
    width = 0.8 / max(len(names), 1)
    for i, name in enumerate(names):
        g = df[df[series] == name].groupby(x)
        pps, p99 = g["delivered_pps"], g["latency_p99_us"]
        xs = list(pps.mean().index)
        ax_pps.errorbar(xs, pps.mean(), yerr=pps.std().fillna(0), marker="o", capsize=3,
                        label=str(name))
        ax_p99.errorbar(xs, p99.mean(), yerr=p99.std().fillna(0), marker="o", capsize=3,
                        label=str(name))
        soft = df[df[series] == name][soft_cols].mean()
        ax_soft.bar([j + i * width for j in range(len(soft_cols))], soft.values, width=width,
                    label=str(name))
    ax_pps.set_xlabel(x)
    ax_pps.set_ylabel("delivered packets/s")
    ax_pps.set_title("throughput (mean +- sd over seeds)")
    ax_p99.set_xlabel(x)
    ax_p99.set_ylabel("p99 latency (us, log)")
    ax_p99.set_yscale("log")
    ax_p99.set_title("p99 latency")
    ax_soft.set_xticks([j + 0.4 - width / 2 for j in range(len(soft_cols))])
    ax_soft.set_xticklabels([c[3:-5] for c in soft_cols])
    ax_soft.set_xlabel("CPU")
    ax_soft.set_ylabel("%soft (mean over runs)")
    ax_soft.set_title("softirq time per CPU")
    ax_soft.legend(title=series, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    fig.tight_layout()
    fig.savefig(out_png, dpi=100)
    plt.close(fig)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("table")
    ap.add_argument("out_png")
    ap.add_argument("--x", required=True, help="column on the x axis (an axis of the sweep)")
    ap.add_argument("--series", required=True, help="column whose values are the lines")
    a = ap.parse_args(argv[1:])
    plot(a.table, a.out_png, a.x, a.series)


if __name__ == "__main__":
    main(sys.argv)
