/* `nicsteer bench [--json] [--sim-seconds S] [--runs N]`: the line-rate
 * scenario (10 GbE, 64-byte frames = 14.88 Mpps, 4096 flows, 16 queues, RSS,
 * ITR 20 µs, one SO_REUSEPORT socket + pinned sink thread per CPU) simulated by each engine, in
 * simulated packets per wall second (best of N runs), against a plain-C baseline (traffic
 * generation + classification only) measured in the same invocation; peak
 * RSS and the memory each extra flow costs. Each engine run is a child
 * process (SimGrid keeps one engine per process). */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "models/nic/classifier.h"
#include "models/traffic/gen.h"
#include "sim/cli/cli.h"
#include "sim/core/version.h"
#include "sim/host/engine.h"
#include "sim/host/scenario.h"

#define BENCH_FLOWS 4096
/* Extra flows of the memory probe: bytes per flow = RSS difference / this. */
#define PROBE_EXTRA_FLOWS 65536
#define PROBE_SECONDS     0.001

/* Flows differ by source address: the 82599 hashes UDP on the IP 2-tuple by
 * default (ixgbe_setup_mrqc), so flows varying only a port would all land in
 * one queue and leave 15 of the 16 queues idle (what pktgen/TRex RSS tests do). */
/* `sockets`: > 0 shared round-robin, 0 = one socket and sink thread per flow,
 * < 0 = the line-rate receiver's layout, one SO_REUSEPORT socket per CPU picked
 * by the receiving CPU (reuseport_bpf_cpu) and one pinned sink thread each. */
static json_t *bench_scenario_cpus(double sim_s, int flows, int sockets, int cpus)
{
    json_t *j = json_pack(
        "{s:s, s:i, s:f, s:i, s:{s:i, s:i, s:i, s:{s:[s], s:{s:i, s:s}}}, s:{s:o},"
        " s:{s:f, s:[{s:i, s:s, s:s, s:i, s:s}]}}",
        "description", "line rate: 10 GbE, 64 B frames, 4096 UDP flows, 16-queue RSS", "seed", 1,
        "duration_ms", sim_s * 1e3, "cpus", cpus, "nic", "rx_queues", 16, "ring_size", 512,
        "itr_us", 20, "steering", "chain", "rss", "rss", "reta_size", 128, "reta", "equal 16",
        "app", "sockets",
        sockets > 0 ? json_integer(sockets) : json_string(sockets < 0 ? "per_cpu" : "per_flow"),
        "traffic", "duration_s", sim_s, "flows", "count", flows, "vary", "src", "proto", "udp",
        "frame_len", 64, "line", "10G");
    return j;
}

static json_t *bench_scenario(double sim_s, int flows, int sockets)
{
    return bench_scenario_cpus(sim_s, flows, sockets, 16);
}

static double now_s(void)
{
    return (double)g_get_monotonic_time() / 1e6;
}

/* Traffic generation + classification only. */
static bool baseline(const json_t *scn, double *mpps, GError **err)
{
    struct traffic_gen_env env = {.seed = 1, .base_dir = "."};
    struct traffic_gen *g = traffic_gen_new(json_object_get(scn, "traffic"), "/traffic", &env, err);
    if (!g)
        return false;
    struct steer_env senv = {.n_rx_queues = 16, .n_tx_queues = 16, .n_cpus = 16, .seed = 1};
    struct nic_classifier *c = nic_classifier_new(
        json_object_get(json_object_get(scn, "nic"), "steering"), "/nic/steering", &senv, err);
    if (!c) {
        traffic_gen_free(g);
        return false;
    }
    struct traffic_pkt p;
    struct nic_rx_decision d;
    uint64_t n = 0, sum = 0;
    double t0 = now_s();
    while (traffic_gen_next(g, &p)) {
        nic_classifier_select(c, &p, &d);
        sum += (unsigned)d.queue;
        n++;
    }
    double wall = now_s() - t0;
    *mpps = wall > 0 ? (double)n / wall / 1e6 : 0;
    nic_classifier_free(c);
    traffic_gen_free(g);
    return sum != UINT64_MAX;
}

struct engine_stat {
    double mpps, wall_s, cpu_s, mpps_cpu, rss_kb;
};

/* CPU time of this process: on a shared machine the wall time includes
 * waiting for a core, the CPU time does not. */
static double cpu_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Child: run one engine, write "packets wall_s maxrss_kb" to fd. */
static int engine_child(const json_t *scn, enum sim_engine_kind kind, int fd)
{
    GError *err = NULL;
    struct sim_scenario *sc = sim_scenario_from_json(scn, "bench", ".", &err);
    struct sim_run *r = sc ? sim_run_new(sc, 1, &err) : NULL;
    if (!r) {
        fprintf(stderr, "nicsteer bench: %s\n", err->message);
        return 1;
    }
    double t0 = now_s(), c0 = cpu_now_s();
    bool ok = sim_engine_run(sim_run_machine(r), kind, 10000, &err);
    double wall = now_s() - t0, cpu = cpu_now_s() - c0;
    if (!ok) {
        fprintf(stderr, "nicsteer bench: %s\n", err->message);
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    char buf[128];
    int len = g_snprintf(buf, sizeof buf, "%llu %.6f %.6f %ld\n",
                         (unsigned long long)sim_machine_offered(sim_run_machine(r)), wall, cpu,
                         ru.ru_maxrss);
    bool wrote = write(fd, buf, (size_t)len) == len;
    sim_run_free(r);
    sim_scenario_free(sc);
    return wrote ? 0 : 1;
}

static bool run_engine(const json_t *scn, enum sim_engine_kind kind, struct engine_stat *st)
{
    int p[2];
    if (pipe(p) != 0)
        return false;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        close(p[0]);
        _exit(engine_child(scn, kind, p[1]));
    }
    close(p[1]);
    char buf[128] = "";
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    close(p[0]);
    int status;
    waitpid(pid, &status, 0);
    unsigned long long pkts;
    if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        sscanf(buf, "%llu %lf %lf %lf", &pkts, &st->wall_s, &st->cpu_s, &st->rss_kb) != 4)
        return false;
    st->mpps = st->wall_s > 0 ? (double)pkts / st->wall_s / 1e6 : 0;
    st->mpps_cpu = st->cpu_s > 0 ? (double)pkts / st->cpu_s / 1e6 : 0;
    return true;
}

/* Best (fastest) of `runs`; peak RSS the largest seen. */
static bool best_engine(const json_t *scn, enum sim_engine_kind kind, int runs,
                        struct engine_stat *best)
{
    *best = (struct engine_stat){0};
    for (int i = 0; i < runs; i++) {
        struct engine_stat st;
        if (!run_engine(scn, kind, &st))
            return false;
        double rss = MAX(best->rss_kb, st.rss_kb);
        if (st.mpps > best->mpps)
            *best = st;
        best->rss_kb = rss;
    }
    return true;
}

/* Memory an extra flow costs: peak RSS of the window engine with
 * PROBE_EXTRA_FLOWS more flows, short runs, minus the same with BENCH_FLOWS;
 * with `sockets` shared sockets (flow state only) or 0 = one socket and sink
 * thread per flow. */
static bool bytes_per_flow(int sockets, double *out)
{
    json_t *a = bench_scenario(PROBE_SECONDS, BENCH_FLOWS, sockets);
    json_t *b = bench_scenario(PROBE_SECONDS, BENCH_FLOWS + PROBE_EXTRA_FLOWS, sockets);
    struct engine_stat sa, sb;
    bool ok = run_engine(a, SIM_ENGINE_WINDOW, &sa) && run_engine(b, SIM_ENGINE_WINDOW, &sb);
    json_decref(a);
    json_decref(b);
    if (ok)
        *out = (sb.rss_kb - sa.rss_kb) * 1024.0 / PROBE_EXTRA_FLOWS;
    return ok;
}

/* One row of the scaling table (#14): the line-rate scenario with one thing
 * changed. `base` is the index of the row it is compared with (itself for the
 * reference rows); `max_slowdown` the target wall-time ratio to it (0 = none). */
struct scale_row {
    const char *axis, *label;
    int flows, cpus, sockets, base;
    double max_slowdown;
};

static const struct scale_row SCALE_ROWS[] = {
    {"flows", "4K flows", 4096, 16, -1, 0, 0},
    {"flows", "64K flows", 65536, 16, -1, 0, 0},
    {"flows", "1M flows", 1048576, 16, -1, 0, 1.5},
    {"cpus", "16 CPUs", 4096, 16, -1, 3, 0},
    {"cpus", "64 CPUs", 4096, 64, -1, 3, 0},
    {"cpus", "256 CPUs", 4096, 256, -1, 3, 0},
    {"sockets", "per-CPU sockets", 4096, 16, -1, 6, 0},
    {"sockets", "per-flow sockets", 4096, 16, 0, 6, 2.0},
};
#define N_SCALE_ROWS (sizeof SCALE_ROWS / sizeof SCALE_ROWS[0])
/* The memory target: peak-RSS slope between 4K and 1M flows. */
#define MAX_BYTES_PER_FLOW 200.0

/* A row the scenario check refuses (e.g. more CPUs than the model takes)
 * is reported with the reason, not dropped. */
static json_t *scale_row_json(const struct scale_row *row, double sim_s, double base_mpps,
                              const struct engine_stat *st, const struct engine_stat *ref,
                              const char *error)
{
    json_t *j = json_pack("{s:s, s:s, s:i, s:i, s:s}", "axis", row->axis, "label", row->label,
                          "flows", row->flows, "cpus", row->cpus, "sockets",
                          row->sockets < 0 ? "per_cpu" : "per_flow");
    json_object_set_new(j, "sim_time_s", json_real(sim_s));
    if (error) {
        json_object_set_new(j, "error", json_string(error));
        return j;
    }
    json_object_set_new(j, "mpps", json_real(st->mpps));
    json_object_set_new(j, "ratio", json_real(base_mpps > 0 ? st->mpps / base_mpps : 0));
    json_object_set_new(j, "wall_s", json_real(st->wall_s));
    json_object_set_new(j, "mpps_cpu", json_real(st->mpps_cpu));
    json_object_set_new(j, "peak_rss_mb", json_real(st->rss_kb / 1024.0));
    if (ref && ref != st) {
        /* CPU seconds, not wall: other load on a shared machine does not count. */
        double slow = ref->mpps_cpu > 0 && st->mpps_cpu > 0 ? ref->mpps_cpu / st->mpps_cpu : 0;
        json_object_set_new(j, "slowdown", json_real(slow));
        if (row->max_slowdown > 0) {
            json_object_set_new(j, "target_max_slowdown", json_real(row->max_slowdown));
            json_object_set_new(j, "met", json_boolean(slow > 0 && slow <= row->max_slowdown));
        }
    }
    return j;
}

/* The scaling rows, best of `runs` each on the window engine (the default).
 * Appends the 4K -> 1M peak-RSS slope as bytes per flow. */
static json_t *bench_scaling(double sim_s, int runs, double base_mpps, double *bpf_1m)
{
    json_t *rows = json_array();
    struct engine_stat st[N_SCALE_ROWS];
    bool ok[N_SCALE_ROWS];
    for (size_t i = 0; i < N_SCALE_ROWS; i++) {
        const struct scale_row *row = &SCALE_ROWS[i];
        json_t *scn = bench_scenario_cpus(sim_s, row->flows, row->sockets, row->cpus);
        GError *err = NULL;
        struct sim_scenario *sc = sim_scenario_from_json(scn, "bench", ".", &err);
        ok[i] = sc && best_engine(scn, SIM_ENGINE_WINDOW, runs, &st[i]);
        sim_scenario_free(sc);
        json_decref(scn);
        const char *why = ok[i] ? NULL : err ? err->message : "engine run failed";
        const struct engine_stat *ref = ok[row->base] ? &st[row->base] : NULL;
        json_array_append_new(rows, scale_row_json(row, sim_s, base_mpps, &st[i], ref, why));
        g_clear_error(&err);
    }
    *bpf_1m = ok[0] && ok[2] ? (st[2].rss_kb - st[0].rss_kb) * 1024.0 /
                                   (SCALE_ROWS[2].flows - SCALE_ROWS[0].flows)
                             : -1;
    return rows;
}

static void print_scaling(const json_t *rows, double bpf_1m)
{
    printf("scaling (window engine, best of the same runs):\n");
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        const char *label = json_string_value(json_object_get(r, "label"));
        const char *error = json_string_value(json_object_get(r, "error"));
        if (error) {
            printf("  %-17s refused: %s\n", label, error);
            continue;
        }
        printf("  %-17s %8.2f Mpps  %5.2fx of baseline  %7.1f MB peak", label,
               json_real_value(json_object_get(r, "mpps")),
               json_real_value(json_object_get(r, "ratio")),
               json_real_value(json_object_get(r, "peak_rss_mb")));
        json_t *slow = json_object_get(r, "slowdown");
        if (slow)
            printf("  %.2fx slower (CPU s)", json_real_value(slow));
        json_t *met = json_object_get(r, "met");
        if (met)
            printf(" (target <= %.1fx: %s)",
                   json_real_value(json_object_get(r, "target_max_slowdown")),
                   json_is_true(met) ? "met" : "NOT met");
        printf("\n");
    }
    if (bpf_1m >= 0)
        printf("  bytes per flow, 4K -> 1M flows: %.0f (target <= %.0f: %s)\n", bpf_1m,
               MAX_BYTES_PER_FLOW, bpf_1m <= MAX_BYTES_PER_FLOW ? "met" : "NOT met");
}

/* The engine targets (#14 point 4), in simulated Mpps. */
static double engine_target_mpps(int k)
{
    return k == 0 ? 40.0 : 15.0;
}

int sim_cli_bench(int argc, char **argv)
{
    gboolean as_json = FALSE;
    gdouble sim_s = 1.0, duration_ms = 0;
    gint runs = 3;
    gboolean scaling = FALSE;
    gdouble scaling_s = 0.2;
    GOptionEntry entries[] = {
        {"scaling", 0, 0, G_OPTION_ARG_NONE, &scaling,
         "Also the scaling rows: flows 4K/64K/1M, CPUs 16/64/256, per-CPU vs per-flow sockets",
         NULL},
        {"scaling-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &scaling_s,
         "Simulated time of each scaling row (default 0.2)", "S"},
        {"json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print JSON", NULL},
        {"sim-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &sim_s, "Simulated time per run (default 1.0)",
         "S"},
        {"duration-ms", 0, 0, G_OPTION_ARG_DOUBLE, &duration_ms,
         "Simulated time per run in ms (overrides --sim-seconds)", "MS"},
        {"runs", 0, 0, G_OPTION_ARG_INT, &runs,
         "Runs per engine and baseline, best kept (default 3)", "N"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("- engine throughput on the line-rate scenario");
    g_option_context_add_main_entries(ctx, entries, NULL);
    bool parsed = sim_cli_parse(ctx, &argc, &argv, "bench");
    g_option_context_free(ctx);
    if (!parsed)
        return SIM_EXIT_USAGE;
    if (duration_ms > 0)
        sim_s = duration_ms / 1e3;
    if (argc != 1 || !(sim_s > 0) || duration_ms < 0 || runs < 1 || !(scaling_s > 0))
        return sim_cli_fail("bench", SIM_EXIT_USAGE,
                            "expected no arguments, --sim-seconds > 0, --scaling-seconds > 0 "
                            "and --runs >= 1");
    json_t *scn = bench_scenario(sim_s, BENCH_FLOWS, -1);
    GError *err = NULL;
    double base = 0, bpf = 0, bpf_sock = 0;
    struct engine_stat es[2];
    int rc = SIM_EXIT_OK;
    for (int i = 0; i < runs; i++) {
        double mpps;
        if (!baseline(scn, &mpps, &err)) {
            rc = sim_cli_fail_error("bench", err);
            goto out;
        }
        base = MAX(base, mpps);
    }
    for (int k = 0; k < 2; k++) {
        enum sim_engine_kind kind = k == 0 ? SIM_ENGINE_WINDOW : SIM_ENGINE_PERCPU;
        if (!best_engine(scn, kind, runs, &es[k])) {
            rc = sim_cli_fail("bench", SIM_EXIT_INPUT, "%s engine failed", sim_engine_name(kind));
            goto out;
        }
    }
    if (!bytes_per_flow(BENCH_FLOWS, &bpf) || !bytes_per_flow(0, &bpf_sock)) {
        rc = sim_cli_fail("bench", SIM_EXIT_INPUT, "memory probe run failed");
        goto out;
    }
    double rss_mb = MAX(es[0].rss_kb, es[1].rss_kb) / 1024.0;
    double bpf_1m = -1;
    json_t *rows = scaling ? bench_scaling(scaling_s, runs, base, &bpf_1m) : NULL;
    if (as_json) {
        json_t *engines = json_array();
        for (int k = 0; k < 2; k++)
            json_array_append_new(
                engines,
                json_pack("{s:s, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:b}", "name",
                          sim_engine_name(k == 0 ? SIM_ENGINE_WINDOW : SIM_ENGINE_PERCPU), "mpps",
                          es[k].mpps, "wall_s", es[k].wall_s, "ratio",
                          base > 0 ? es[k].mpps / base : 0, "peak_rss_mb", es[k].rss_kb / 1024.0,
                          "cpu_s", es[k].cpu_s, "mpps_cpu", es[k].mpps_cpu, "target_mpps",
                          engine_target_mpps(k), "met", es[k].mpps >= engine_target_mpps(k)));
        json_t *j = json_pack("{s:f, s:o, s:f, s:f, s:f, s:f, s:i, s:i, s:s}", "baseline_mpps",
                              base, "engines", engines, "peak_rss_mb", rss_mb, "bytes_per_flow",
                              bpf, "bytes_per_flow_with_socket", bpf_sock, "sim_time_s", sim_s,
                              "runs", runs, "flows", BENCH_FLOWS, "sockets", "per_cpu");
        if (rows) {
            json_object_set_new(j, "scaling", rows);
            json_object_set_new(j, "bytes_per_flow_1m", json_real(bpf_1m));
            json_object_set_new(j, "bytes_per_flow_1m_target", json_real(MAX_BYTES_PER_FLOW));
            rows = NULL;
        }
        sim_version_stamp(j, 1);
        char *s = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_REAL_PRECISION(6));
        printf("%s\n", s);
        free(s);
        json_decref(j);
    } else {
        printf("line-rate scenario (a SO_REUSEPORT socket + pinned sink per CPU), %.3f s "
               "simulated, best of %d run(s)\n",
               sim_s, runs);
        printf("  baseline (generation + classification): %8.2f Mpps\n", base);
        for (int k = 0; k < 2; k++)
            printf("  %-7s engine: %8.2f Mpps  %7.3f s wall  %5.2fx of baseline  %6.1f MB peak"
                   "  (%.2f Mpps per CPU second)\n",
                   sim_engine_name(k == 0 ? SIM_ENGINE_WINDOW : SIM_ENGINE_PERCPU), es[k].mpps,
                   es[k].wall_s, base > 0 ? es[k].mpps / base : 0, es[k].rss_kb / 1024.0,
                   es[k].mpps_cpu);
        printf("  peak RSS: %.1f MB; per extra flow: %.0f bytes (sockets shared), %.0f bytes "
               "(own socket + sink thread)\n",
               rss_mb, bpf, bpf_sock);
        if (rows)
            print_scaling(rows, bpf_1m);
    }
    json_decref(rows);
out:
    json_decref(scn);
    return rc;
}
