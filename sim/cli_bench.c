/* `nicsteer bench [--json] [--duration-ms N]`: the line-rate scenario (10 GbE,
 * 64-byte frames = 14.88 Mpps, 4096 flows, 16 queues, RSS, ITR 20 µs, sink
 * threads) simulated by each engine, in simulated packets per wall second,
 * against a plain-C baseline (traffic generation + classification only)
 * measured in the same invocation. Each engine runs in a child process
 * (SimGrid keeps one engine per process). */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/nic/classifier.h"
#include "models/traffic/gen.h"
#include "sim/cli.h"
#include "sim/engine.h"
#include "sim/scenario.h"

static json_t *bench_scenario(double duration_ms)
{
    json_t *j = json_pack(
        "{s:s, s:i, s:f, s:i, s:{s:i, s:i, s:i, s:{s:[s], s:{s:i, s:s}}}, s:{s:s},"
        " s:{s:f, s:[{s:i, s:s, s:s, s:i, s:s}]}}",
        "description", "line rate: 10 GbE, 64 B frames, 4096 UDP flows, 16-queue RSS", "seed", 1,
        "duration_ms", duration_ms, "cpus", 16, "nic", "rx_queues", 16, "ring_size", 512, "itr_us",
        20, "steering", "chain", "rss", "rss", "reta_size", 128, "reta", "equal 16", "app",
        "sockets", "per_flow", "traffic", "duration_s", duration_ms / 1e3, "flows", "count", 4096,
        "vary", "sport", "proto", "udp", "frame_len", 64, "line", "10G");
    return j;
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

/* Child: run one engine, write "packets wall_s" to fd. */
static int engine_child(const json_t *scn, enum sim_engine_kind kind, int fd)
{
    GError *err = NULL;
    struct sim_scenario *sc = sim_scenario_from_json(scn, "bench", ".", &err);
    struct sim_run *r = sc ? sim_run_new(sc, 1, &err) : NULL;
    if (!r) {
        fprintf(stderr, "nicsteer bench: %s\n", err->message);
        return 1;
    }
    double t0 = now_s();
    bool ok = sim_engine_run(sim_run_machine(r), kind, 10000, &err);
    double wall = now_s() - t0;
    if (!ok) {
        fprintf(stderr, "nicsteer bench: %s\n", err->message);
        return 1;
    }
    char buf[128];
    int len = g_snprintf(buf, sizeof buf, "%llu %.6f\n",
                         (unsigned long long)sim_machine_offered(sim_run_machine(r)), wall);
    bool wrote = write(fd, buf, (size_t)len) == len;
    sim_run_free(r);
    sim_scenario_free(sc);
    return wrote ? 0 : 1;
}

static bool run_engine(const json_t *scn, enum sim_engine_kind kind, double *mpps, double *wall)
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
        sscanf(buf, "%llu %lf", &pkts, wall) != 2)
        return false;
    *mpps = *wall > 0 ? (double)pkts / *wall / 1e6 : 0;
    return true;
}

int sim_cli_bench(int argc, char **argv)
{
    gboolean as_json = FALSE;
    gdouble duration_ms = 1000;
    GOptionEntry entries[] = {
        {"json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print JSON", NULL},
        {"duration-ms", 0, 0, G_OPTION_ARG_DOUBLE, &duration_ms,
         "Simulated time per engine (default 1000)", "MS"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("- engine throughput on the line-rate scenario");
    g_option_context_add_main_entries(ctx, entries, NULL);
    bool parsed = sim_cli_parse(ctx, &argc, &argv, "bench");
    g_option_context_free(ctx);
    if (!parsed)
        return SIM_EXIT_USAGE;
    if (argc != 1 || duration_ms <= 0)
        return sim_cli_fail("bench", SIM_EXIT_USAGE, "expected no arguments and --duration-ms > 0");
    json_t *scn = bench_scenario(duration_ms);
    GError *err = NULL;
    double base = 0, mpps[2] = {0}, wall[2] = {0};
    int rc = SIM_EXIT_OK;
    if (!baseline(scn, &base, &err)) {
        rc = sim_cli_fail_error("bench", err);
        goto out;
    }
    for (int k = 0; k < 2; k++) {
        if (!run_engine(scn, k == 0 ? SIM_ENGINE_WINDOW : SIM_ENGINE_PERCPU, &mpps[k], &wall[k])) {
            rc = sim_cli_fail("bench", SIM_EXIT_INPUT, "%s engine failed",
                              sim_engine_name(k == 0 ? SIM_ENGINE_WINDOW : SIM_ENGINE_PERCPU));
            goto out;
        }
    }
    struct rusage self, kids;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    double rss_mb = (double)MAX(self.ru_maxrss, kids.ru_maxrss) / 1024.0;
    if (as_json) {
        json_t *j =
            json_pack("{s:f, s:[{s:s, s:f, s:f, s:f}, {s:s, s:f, s:f, s:f}], s:f, s:f}",
                      "baseline_mpps", base, "engines", "name", "window", "mpps", mpps[0], "wall_s",
                      wall[0], "ratio", base > 0 ? mpps[0] / base : 0, "name", "percpu", "mpps",
                      mpps[1], "wall_s", wall[1], "ratio", base > 0 ? mpps[1] / base : 0,
                      "peak_rss_mb", rss_mb, "sim_time_s", duration_ms / 1e3);
        char *s = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_REAL_PRECISION(6));
        printf("%s\n", s);
        free(s);
        json_decref(j);
    } else {
        printf("line-rate scenario, %.3f s simulated\n", duration_ms / 1e3);
        printf("  baseline (generation + classification): %8.2f Mpps\n", base);
        for (int k = 0; k < 2; k++)
            printf("  %-7s engine: %8.2f Mpps  %7.3f s wall  %5.2fx of baseline\n",
                   sim_engine_name(k == 0 ? SIM_ENGINE_WINDOW : SIM_ENGINE_PERCPU), mpps[k],
                   wall[k], base > 0 ? mpps[k] / base : 0);
        printf("  peak RSS: %.1f MB\n", rss_mb);
    }
out:
    json_decref(scn);
    return rc;
}
