#!/usr/bin/env python3
"""Plot one nicsteer run directory: per-CPU %usr/%sys/%irq/%soft stacked bars
(from summary.json, the same numbers as mpstat.txt) and the NAPI poll-size
histogram (napi_poll.hist: polls by work done, 0..weight).

    /usr/bin/python3 notebooks-data/plot_results.py RUN_DIR OUT.png

Needs only the standard library to read the data; matplotlib to draw.
"""
import json
import os
import sys

# mpstat.txt columns after the label and CPU: sysstat's -P ALL order.
MPSTAT_COLUMNS = ["usr", "nice", "sys", "iowait", "irq", "soft", "steal", "guest", "gnice", "idle"]


def load_summary(run_dir):
    with open(os.path.join(run_dir, "summary.json")) as f:
        return json.load(f)


def load_mpstat(run_dir):
    """Rows of mpstat.txt as {"cpu": "all"|int, "usr": float, ...}."""
    rows = []
    with open(os.path.join(run_dir, "mpstat.txt")) as f:
        for line in f:
            fields = line.split()
            if len(fields) != 2 + len(MPSTAT_COLUMNS) or fields[1] == "CPU":
                continue
            row = {"cpu": fields[1] if fields[1] == "all" else int(fields[1])}
            row.update({k: float(v) for k, v in zip(MPSTAT_COLUMNS, fields[2:])})
            rows.append(row)
    return rows


def cpu_split(summary):
    """Per-CPU percentages to stack, in drawing order."""
    cpus = summary["cpus"]
    return [c["cpu"] for c in cpus], {k: [c[k] for c in cpus] for k in ("usr", "sys", "irq", "soft")}


def napi_hist(summary):
    napi = summary["napi_poll"]
    return list(range(len(napi["hist"]))), napi["hist"], napi


def import_pyplot():
    try:
        import matplotlib
    except ImportError:
        sys.exit("plot_results.py: matplotlib is not installed "
                 "(Debian: apt-get install python3-matplotlib; run with /usr/bin/python3)")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def plot(run_dir, out_png):
    summary = load_summary(run_dir)
    plt = import_pyplot()
    fig, (ax_cpu, ax_napi) = plt.subplots(1, 2, figsize=(12, 4.5))

    cpus, split = cpu_split(summary)
    bottom = [0.0] * len(cpus)
    colors = {"usr": "tab:blue", "sys": "tab:orange", "irq": "tab:red", "soft": "tab:purple"}
    for key, values in split.items():
        ax_cpu.bar(cpus, values, bottom=bottom, label="%" + key, color=colors[key])
        bottom = [b + v for b, v in zip(bottom, values)]
    ax_cpu.set_xlabel("CPU")
    ax_cpu.set_ylabel("% of simulated time")
    ax_cpu.set_ylim(0, 100)
    ax_cpu.set_xticks(cpus)
    ax_cpu.set_title("CPU time per CPU (mpstat)")
    # outside the bars: on 16 CPUs a legend inside covered CPUs 13-15
    ax_cpu.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")

    work, counts, napi = napi_hist(summary)
    ax_napi.bar(work, counts, width=1.0, color="tab:green")
    ax_napi.set_xlabel("packets per napi_poll (work)")
    ax_napi.set_ylabel("polls (log)")
    if any(counts):
        ax_napi.set_yscale("log")  # a few full polls next to thousands of small ones
    ax_napi.set_title("NAPI poll size: %d polls, mean %.2f, %d full"
                      % (napi["polls"], napi["mean_work"], napi["full"]))

    fig.suptitle(os.path.basename(os.path.normpath(run_dir)))
    fig.tight_layout()
    fig.savefig(out_png, dpi=100)
    plt.close(fig)


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: python3 notebooks-data/plot_results.py RUN_DIR OUT.png")
    plot(argv[1], argv[2])


if __name__ == "__main__":
    main(sys.argv)
