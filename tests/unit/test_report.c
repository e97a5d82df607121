/* sim/report.c: every writer's layout pinned by literal text for a hand-built
 * result (mpstat, /proc/interrupts, softnet_stat, CSVs, summary.json), and the
 * result directory written all-or-nothing. */
#include <glib/gstdio.h>
#include <string.h>

#include "sim/core/err.h"
#include "sim/host/report.h"
#include "tests/unit/cu_main.h"

struct fixture {
    struct sim_result r;
    struct sim_cpu_result cpus[2];
    struct sim_queue_result queues[2];
    struct sim_flow_result flows[2];
    struct sim_vector_result vectors[3];
    uint64_t per_cpu[3][2];
};

/* 2 CPUs, 2 queues (TxRx vectors 0, 1 + "other" vector 2), 2 flows, 1 s. */
static struct fixture *fixture_new(void)
{
    struct fixture *f = g_new0(struct fixture, 1);
    struct sim_result *r = &f->r;
    r->sim_time_s = 1.0;
    r->n_cpus = 2;
    r->n_queues = 2;
    r->n_flows = 2;
    r->n_vectors = 3;
    r->offered = 4020;
    r->delivered = 4010;
    r->dropped = 10;
    r->stack_calls = 1234;
    r->cpus = f->cpus;
    r->queues = f->queues;
    r->flows = f->flows;
    r->vectors = f->vectors;

    f->cpus[0] = (struct sim_cpu_result){.usr_ns = 100000000,
                                         .sys_ns = 50000000,
                                         .irq_ns = 12345678,
                                         .soft_ns = 250000000,
                                         .idle_ns = 587654322,
                                         .irqs = 1001,
                                         .processed = 0x1234,
                                         .dropped = 3,
                                         .time_squeeze = 17,
                                         .ksoftirqd_ns = 20000000,
                                         .ipi_cal = 4,
                                         .loc = 999};
    f->cpus[1] = (struct sim_cpu_result){.irq_ns = 5000000,
                                         .soft_ns = 5000000,
                                         .idle_ns = 990000000,
                                         .irqs = 7,
                                         .processed = 100,
                                         .received_rps = 250,
                                         .flow_limit_count = 2,
                                         .input_qlen = 5,
                                         .process_qlen = 3,
                                         .ipi_cal = 470,
                                         .loc = 12};
    f->queues[0] = (struct sim_queue_result){5000, 7500000, 12, 1000, 1500, 3, 0, 0};
    f->queues[1] = (struct sim_queue_result){20, 1280, 0, 7, 7, 1, 1, 1};

    f->flows[0] = (struct sim_flow_result){
        .packets = 4000, .delivered = 3990, .drops = 10, .ooo = 2, .rxq = 0, .cpu = 0};
    sim_flow_lat_init(&f->flows[0].latency);
    sim_hist_init(&r->latency);
    for (int i = 0; i < 99; i++) {
        sim_flow_lat_add(&f->flows[0].latency, 10000);
        sim_hist_add(&r->latency, 10000);
    }
    sim_flow_lat_add(&f->flows[0].latency, 250000);
    sim_hist_add(&r->latency, 250000);
    f->flows[1] = (struct sim_flow_result){
        .packets = 20, .delivered = 20, .drops = 0, .ooo = 0, .rxq = 1, .cpu = 1};
    sim_flow_lat_init(&f->flows[1].latency);

    const char *names[3] = {"eth0-TxRx-0", "eth0-TxRx-1", "eth0"};
    uint64_t counts[3][2] = {{1000, 0}, {0, 7}, {1, 0}};
    for (int v = 0; v < 3; v++) {
        g_strlcpy(f->vectors[v].name, names[v], sizeof(f->vectors[v].name));
        f->vectors[v].irq = 40 + v;
        memcpy(f->per_cpu[v], counts[v], sizeof(counts[v]));
        f->vectors[v].per_cpu = f->per_cpu[v];
    }
    r->napi_poll_hist[3] = 30;
    r->napi_poll_hist[64] = 10;
    return f;
}

static void fixture_free(struct fixture *f)
{
    sim_hist_clear(&f->r.latency);
    g_free(f);
}

static void test_report_mpstat_layout_matches_sysstat_average_block(void)
{
    struct fixture *f = fixture_new();
    char *t = sim_report_mpstat_text(&f->r);
    CU_ASSERT_STRING_EQUAL(
        t, "Average:     CPU    %usr   %nice    %sys %iowait    %irq   %soft  %steal  %guest  "
           "%gnice   %idle\n"
           "Average:     all    5.00    0.00    2.50    0.00    0.87   12.75    0.00    0.00    "
           "0.00   78.88\n"
           "Average:       0   10.00    0.00    5.00    0.00    1.23   25.00    0.00    0.00    "
           "0.00   58.77\n"
           "Average:       1    0.00    0.00    0.00    0.00    0.50    0.50    0.00    0.00    "
           "0.00   99.00\n");
    g_free(t);
    fixture_free(f);
}

/* mpstat -P ALL 0.4 over the fixture's 1 s: samples at 0.4, 0.8 and a short last one at
 * 1.0 s, each block as sysstat prints it, then the Average block; the CSV tidy. */
static void test_report_mpstat_intervals_blocks_then_average(void)
{
    struct fixture *f = fixture_new();
    const uint64_t ms = 1000000;
    uint64_t iv[2][3][SIM_IV_COLS] = {{{40 * ms, 20 * ms, 0, 200 * ms, 140 * ms, 20 * ms},
                                       {40 * ms, 20 * ms, 12345678, 50 * ms, 277654322, 0},
                                       {20 * ms, 10 * ms, 0, 0, 170 * ms, 0}},
                                      {{0, 0, 0, 0, 400 * ms, 0},
                                       {0, 0, 5 * ms, 5 * ms, 390 * ms, 0},
                                       {0, 0, 0, 0, 200 * ms, 0}}};
    f->r.iv_step_ns = 400 * ms;
    f->r.n_intervals = 3;
    f->r.intervals = &iv[0][0][0];
    char *t = sim_report_mpstat_intervals_text(&f->r);
    char **l = g_strsplit(t, "\n", -1);
    CU_ASSERT_FATAL(g_strv_length(l) == 3 * 5 + 4 + 1);
    CU_ASSERT_STRING_EQUAL(l[0], "00:00:00.400  CPU    %usr   %nice    %sys %iowait    %irq   "
                                 "%soft  %steal  %guest  %gnice   %idle");
    CU_ASSERT_STRING_EQUAL(l[1], "00:00:00.400  all    5.00    0.00    2.50    0.00    0.00   "
                                 "25.00    0.00    0.00    0.00   67.50");
    CU_ASSERT_STRING_EQUAL(l[2], "00:00:00.400    0   10.00    0.00    5.00    0.00    0.00   "
                                 "50.00    0.00    0.00    0.00   35.00");
    CU_ASSERT_STRING_EQUAL(l[4], "");
    CU_ASSERT_STRING_EQUAL(l[13], "00:00:01.000    1    0.00    0.00    0.00    0.00    0.00    "
                                  "0.00    0.00    0.00    0.00  100.00");
    char *avg = sim_report_mpstat_text(&f->r);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, avg));
    CU_ASSERT(g_str_has_suffix(t, avg));
    char *c = sim_report_mpstat_intervals_csv(&f->r);
    CU_ASSERT(g_str_has_prefix(c, "t_ms,dt_ms,cpu,usr,nice,sys,iowait,irq,soft,steal,guest,gnice,"
                                  "idle,ksoftirqd\n"
                                  "400.0000,400.0000,all,5.00,0.00,2.50,0.00,0.00,25.00,0.00,0.00,"
                                  "0.00,67.50,2.50\n"
                                  "400.0000,400.0000,0,10.00,0.00,5.00,0.00,0.00,50.00,0.00,0.00,"
                                  "0.00,35.00,5.00\n"));
    CU_ASSERT(g_str_has_suffix(c, "1000.0000,200.0000,1,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,"
                                  "0.00,100.00,0.00\n"));
    /* the step in whole seconds: sysstat's own HH:MM:SS stamp */
    f->r.iv_step_ns = 1000 * ms;
    f->r.n_intervals = 1;
    char *t1 = sim_report_mpstat_intervals_text(&f->r);
    CU_ASSERT(g_str_has_prefix(t1, "00:00:01     CPU"));
    g_free(t1);
    g_free(c);
    g_free(avg);
    g_strfreev(l);
    g_free(t);
    fixture_free(f);
}

static void test_report_mpstat_zero_time_prints_zeros_not_nan(void)
{
    struct fixture *f = fixture_new();
    f->r.sim_time_s = 0;
    char *t = sim_report_mpstat_text(&f->r);
    CU_ASSERT_PTR_NULL(strstr(t, "nan"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "Average:       1    0.00    0.00"));
    g_free(t);
    fixture_free(f);
}

static void test_report_interrupts_layout_linux_6_12(void)
{
    struct fixture *f = fixture_new();
    char *t = sim_report_interrupts_text(&f->r);
    CU_ASSERT_STRING_EQUAL(
        t, "           CPU0       CPU1       \n"
           " 40:       1000          0  PCI-MSIX-0000:03:00.0   0-edge      eth0-TxRx-0\n"
           " 41:          0          7  PCI-MSIX-0000:03:00.0   1-edge      eth0-TxRx-1\n"
           " 42:          1          0  PCI-MSIX-0000:03:00.0   2-edge      eth0\n"
           "LOC:        999         12   Local timer interrupts\n"
           "RES:          0          0   Rescheduling interrupts\n"
           "CAL:          4        470   Function call interrupts\n");
    g_free(t);
    fixture_free(f);
}

/* fs/proc/softirqs.c: 20 spaces, "CPU%-8d" per CPU, "%12s:" and " %10u" per vector. */
static void test_report_softirqs_layout(void)
{
    struct fixture *f = fixture_new();
    f->cpus[0].softirqs[3] = 1694; /* NET_RX */
    f->cpus[1].softirqs[4] = 12;   /* BLOCK */
    char *t = sim_report_softirqs_text(&f->r);
    char **l = g_strsplit(t, "\n", -1);
    CU_ASSERT_FATAL(g_strv_length(l) == 12);
    CU_ASSERT_STRING_EQUAL(l[0], "                    CPU0       CPU1       ");
    CU_ASSERT_STRING_EQUAL(l[1], "          HI:          0          0");
    CU_ASSERT_STRING_EQUAL(l[4], "      NET_RX:       1694          0");
    CU_ASSERT_STRING_EQUAL(l[5], "       BLOCK:          0         12");
    CU_ASSERT_STRING_EQUAL(l[10], "         RCU:          0          0");
    g_strfreev(l);
    g_free(t);
    fixture_free(f);
}

/* The real line of spec §4.9 (virtio, per-device MSI-X domain, hwirq 1). It has a
 * single space before the chip: the >= 6.13 layout. */
static void test_report_interrupts_row_equals_real_virtio_line(void)
{
    struct fixture *f = fixture_new();
    f->r.n_vectors = 2;
    g_strlcpy(f->r.irq_chip, "PCI-MSIX-0000:00:04.0", sizeof(f->r.irq_chip));
    g_strlcpy(f->vectors[0].name, "virtio3-config", sizeof(f->vectors[0].name));
    g_strlcpy(f->vectors[1].name, "virtio3-rx", sizeof(f->vectors[1].name));
    f->per_cpu[1][0] = 2168;
    f->per_cpu[1][1] = 0;
    f->r.procfs_kernel = 613;
    char *t = sim_report_interrupts_text(&f->r);
    char **lines = g_strsplit(t, "\n", -1);
    CU_ASSERT_FATAL(g_strv_length(lines) == 7); /* header, 2 vectors, LOC, RES, CAL, "" */
    CU_ASSERT_STRING_EQUAL(
        lines[2], " 41:       2168          0 PCI-MSIX-0000:00:04.0   1-edge      virtio3-rx");
    g_strfreev(lines);
    g_free(t);
    /* 6.12 prints "%10u " per CPU then " %8s": two spaces before the chip. */
    f->r.procfs_kernel = 0;
    t = sim_report_interrupts_text(&f->r);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(t, " 41:       2168          0  PCI-MSIX-0000:00:04.0   1-edge      virtio3-rx\n"));
    g_free(t);
    fixture_free(f);
}

static void test_report_interrupts_prec_grows_from_nr_irqs_1000(void)
{
    struct fixture *f = fixture_new();
    f->r.n_vectors = 1;
    f->vectors[0].irq = 998; /* nr_irqs 999: still 3 wide */
    char *t = sim_report_interrupts_text(&f->r);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "           CPU0"));
    CU_ASSERT(g_str_has_prefix(strchr(t, '\n') + 1, "998:       1000"));
    g_free(t);
    f->vectors[0].irq = 1000; /* nr_irqs 1001 >= 1000: 4 wide, hwirq too */
    t = sim_report_interrupts_text(&f->r);
    CU_ASSERT_STRING_EQUAL(
        t, "            CPU0       CPU1       \n"
           "1000:       1000          0  PCI-MSIX-0000:03:00.0    0-edge      eth0-TxRx-0\n"
           " LOC:        999         12   Local timer interrupts\n"
           " RES:          0          0   Rescheduling interrupts\n"
           " CAL:          4        470   Function call interrupts\n");
    g_free(t);
    fixture_free(f);
}

static void test_report_interrupts_rows_in_irq_order(void)
{
    struct fixture *f = fixture_new();
    f->vectors[0].irq = 50; /* vector 0 got a higher IRQ number than the others */
    char *t = sim_report_interrupts_text(&f->r);
    char **lines = g_strsplit(t, "\n", -1);
    CU_ASSERT(g_str_has_prefix(lines[1], " 41:"));
    CU_ASSERT(g_str_has_prefix(lines[2], " 42:"));
    CU_ASSERT(g_str_has_prefix(lines[3], " 50:"));
    CU_ASSERT(g_str_has_suffix(lines[3], "   0-edge      eth0-TxRx-0"));
    g_strfreev(lines);
    g_free(t);
    fixture_free(f);
}

static void test_report_softnet_stat_15_columns_linux_6_12(void)
{
    struct fixture *f = fixture_new();
    char *t = sim_report_softnet_text(&f->r);
    CU_ASSERT_STRING_EQUAL(t, "00001234 00000003 00000011 00000000 00000000 00000000 00000000 "
                              "00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
                              "00000000\n"
                              "00000064 00000000 00000000 00000000 00000000 00000000 00000000 "
                              "00000000 00000000 000000fa 00000002 00000008 00000001 00000005 "
                              "00000003\n");
    g_free(t);
    /* the kernel's counters are unsigned int: they wrap */
    f->cpus[0].processed = 0x100000005ull;
    t = sim_report_softnet_text(&f->r);
    CU_ASSERT(g_str_has_prefix(t, "00000005 "));
    g_free(t);
    fixture_free(f);
}

static void test_report_queues_csv_layout(void)
{
    struct fixture *f = fixture_new();
    char *t = sim_report_queues_csv(&f->r);
    CU_ASSERT_STRING_EQUAL(t, "queue,vector,irq_cpu,packets,bytes,drops,irqs,polls,flows\n"
                              "0,0,0,5000,7500000,12,1000,1500,3\n"
                              "1,1,1,20,1280,0,7,7,1\n");
    g_free(t);
    fixture_free(f);
}

static void test_report_flows_csv_layout_and_latency_percentiles(void)
{
    struct fixture *f = fixture_new();
    char *t = sim_report_flows_csv(&f->r);
    /* 99 x 10 us + 1 x 250 us: the per-flow summary's p50/p99 = upper edge of
     * [8192, 10239] ns; p99.9 and max = 250 us (its bucket's edge is capped at max). */
    CU_ASSERT_STRING_EQUAL(t, "flow,packets,delivered,drops,ooo,rxq,cpu,lat_p50_us,lat_p99_us,"
                              "lat_p999_us,lat_max_us\n"
                              "0,4000,3990,10,2,0,0,10.239,10.239,250.000,250.000\n"
                              "1,20,20,0,0,1,1,0.000,0.000,0.000,0.000\n");
    g_free(t);
    fixture_free(f);
}

static void test_report_summary_json_fields(void)
{
    struct fixture *f = fixture_new();
    json_t *j = sim_report_summary_json(&f->r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    char *cpu1 = json_dumps(json_array_get(json_object_get(j, "cpus"), 1),
                            JSON_SORT_KEYS | JSON_COMPACT | JSON_REAL_PRECISION(10));
    CU_ASSERT_STRING_EQUAL(
        cpu1,
        "{\"cpu\":1,\"ctx_switches\":0,\"idle\":99.0,\"irq\":0.5,\"irqs\":7,\"ksoftirqd_pct\":"
        "0.0,\"migrations_in\":0,\"soft\":0.5,\"softirq_restarts_exhausted\":0,\"softnet\":{"
        "\"dropped\":0,\"flow_limit_count\":2,\"processed\":100,\"received_rps\":250,"
        "\"time_squeeze\":0},\"sys\":0.0,\"usr\":0.0}");
    free(cpu1);
    double usr0, irq0, idle0, ksoft0, p50, p99, p999, max, mean_work, sim_time;
    json_int_t offered, delivered, dropped, stack, polls, full, q0pk, q0vec, q1cpu;
    json_error_t e;
    int rc = json_unpack_ex(j, &e, 0,
                            "{s:F,s:{s:I,s:I,s:I},s:I,s:[{s:F,s:F,s:F,s:F},*],s:[{s:I,s:I},{s:I}],"
                            "s:{s:F,s:F,s:F,s:F},s:{s:I,s:F,s:I}}",
                            "sim_time_s", &sim_time, "packets", "offered", &offered, "delivered",
                            &delivered, "dropped", &dropped, "stack_calls", &stack, "cpus", "usr",
                            &usr0, "irq", &irq0, "idle", &idle0, "ksoftirqd_pct", &ksoft0, "queues",
                            "packets", &q0pk, "vector", &q0vec, "irq_cpu", &q1cpu, "latency_us",
                            "p50", &p50, "p99", &p99, "p999", &p999, "max", &max, "napi_poll",
                            "polls", &polls, "mean_work", &mean_work, "full", &full);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    if (rc != 0)
        fprintf(stderr, "%s\n", e.text);
    CU_ASSERT_DOUBLE_EQUAL(sim_time, 1.0, 1e-12);
    CU_ASSERT_EQUAL(offered, 4020);
    CU_ASSERT_EQUAL(delivered, 4010);
    CU_ASSERT_EQUAL(dropped, 10);
    CU_ASSERT_EQUAL(stack, 1234);
    CU_ASSERT_DOUBLE_EQUAL(usr0, 10.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(irq0, 1.23, 1e-9); /* 1.2345678 rounded to 0.01 */
    CU_ASSERT_DOUBLE_EQUAL(idle0, 58.77, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(ksoft0, 2.0, 1e-9);
    CU_ASSERT_EQUAL(q0pk, 5000);
    CU_ASSERT_EQUAL(q0vec, 0);
    CU_ASSERT_EQUAL(q1cpu, 1);
    CU_ASSERT_DOUBLE_EQUAL(p50, 10.111, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(p99, 10.111, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(p999, 250.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(max, 250.0, 1e-9);
    CU_ASSERT_EQUAL(polls, 40);
    CU_ASSERT_DOUBLE_EQUAL(mean_work, 18.25, 1e-9); /* (30 * 3 + 10 * 64) / 40 */
    CU_ASSERT_EQUAL(full, 10);
    json_t *hist = json_object_get(json_object_get(j, "napi_poll"), "hist");
    CU_ASSERT_EQUAL(json_array_size(hist), 65);
    CU_ASSERT_EQUAL(json_integer_value(json_array_get(hist, 3)), 30);
    json_decref(j);
    fixture_free(f);
}

static char *tmpdir_new(void)
{
    char *d = g_dir_make_tmp("nicsteer-report-XXXXXX", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    return d;
}

static void rm_rf(const char *path)
{
    char *argv[] = {"rm", "-rf", (char *)path, NULL};
    g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

static char *slurp(const char *dir, const char *name)
{
    char *p = g_build_filename(dir, name, NULL), *s = NULL;
    g_file_get_contents(p, &s, NULL, NULL);
    g_free(p);
    return s;
}

static unsigned count_entries(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    unsigned n = 0;
    while (d && g_dir_read_name(d))
        n++;
    if (d)
        g_dir_close(d);
    return n;
}

static const char *const files[] = {"summary.json", "mpstat.txt",       "interrupts.txt",
                                    "softirqs.txt", "softnet_stat.txt", "queues.csv",
                                    "flows.csv",    "threads.csv"};

static void test_report_write_creates_all_files_byte_identical_across_runs(void)
{
    struct fixture *f = fixture_new();
    char *tmp = tmpdir_new();
    char *a = g_build_filename(tmp, "a", NULL), *b = g_build_filename(tmp, "b", NULL);
    GError *err = NULL;
    CU_ASSERT(sim_report_write(&f->r, a, &err));
    CU_ASSERT(sim_report_write(&f->r, b, &err));
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_EQUAL(count_entries(a), G_N_ELEMENTS(files) + 1); /* + .nicsteer-output */
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        char *sa = slurp(a, files[i]), *sb = slurp(b, files[i]);
        CU_ASSERT_PTR_NOT_NULL(sa);
        CU_ASSERT(sa && sb && strcmp(sa, sb) == 0);
        g_free(sa);
        g_free(sb);
    }
    char *mp = slurp(a, "mpstat.txt"), *mt = sim_report_mpstat_text(&f->r);
    CU_ASSERT_STRING_EQUAL(mp, mt);
    g_free(mp);
    g_free(mt);
    char *js = slurp(a, "summary.json");
    CU_ASSERT_PTR_NOT_NULL(strstr(js, "\"mean_work\": 18.25,\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(js, "\"irq\": 1.23,\n"));
    g_free(js);
    rm_rf(tmp);
    g_free(a);
    g_free(b);
    g_free(tmp);
    fixture_free(f);
}

static void test_report_write_under_a_file_fails_and_leaves_nothing(void)
{
    struct fixture *f = fixture_new();
    char *tmp = tmpdir_new();
    char *file = g_build_filename(tmp, "plain", NULL);
    CU_ASSERT(g_file_set_contents(file, "x", 1, NULL));
    char *dir = g_build_filename(file, "run", NULL);
    GError *err = NULL;
    CU_ASSERT_FALSE(sim_report_write(&f->r, dir, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT(g_error_matches(err, SIM_ERROR, SIM_ERROR_IO));
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "plain"));
    g_clear_error(&err);
    CU_ASSERT_EQUAL(count_entries(tmp), 1); /* only "plain" */
    rm_rf(tmp);
    g_free(dir);
    g_free(file);
    g_free(tmp);
    fixture_free(f);
}

static void test_report_rewrite_replaces_its_own_dir_and_keeps_a_users(void)
{
    struct fixture *f = fixture_new();
    char *tmp = tmpdir_new();
    char *dir = g_build_filename(tmp, "run", NULL);
    char *stray = g_build_filename(dir, "notes.txt", NULL);
    GError *err = NULL;
    CU_ASSERT(sim_report_write(&f->r, dir, &err));
    f->cpus[0].processed = 0xabcdef;
    CU_ASSERT(sim_report_write(&f->r, dir, &err));
    CU_ASSERT_PTR_NULL(err);
    char *sn = slurp(dir, "softnet_stat.txt");
    CU_ASSERT(sn && g_str_has_prefix(sn, "00abcdef "));
    g_free(sn);
    CU_ASSERT_EQUAL(count_entries(tmp), 1); /* no temporary or old copies left */
    /* A file the user put there: the directory is no longer only nicsteer's. */
    CU_ASSERT(g_file_set_contents(stray, "mine", -1, NULL));
    f->cpus[0].processed = 0x123;
    CU_ASSERT_FALSE(sim_report_write(&f->r, dir, &err));
    CU_ASSERT(err && strstr(err->message, "notes.txt"));
    g_clear_error(&err);
    CU_ASSERT(g_file_test(stray, G_FILE_TEST_EXISTS));
    sn = slurp(dir, "softnet_stat.txt");
    CU_ASSERT(sn && g_str_has_prefix(sn, "00abcdef "));
    g_free(sn);
    CU_ASSERT_EQUAL(count_entries(tmp), 1);
    rm_rf(tmp);
    g_free(stray);
    g_free(dir);
    g_free(tmp);
    fixture_free(f);
}

static void test_report_inconsistent_result_refused_and_old_dir_kept(void)
{
    struct fixture *f = fixture_new();
    char *tmp = tmpdir_new();
    char *dir = g_build_filename(tmp, "run", NULL);
    GError *err = NULL;
    CU_ASSERT(sim_report_write(&f->r, dir, &err));
    char *before = slurp(dir, "interrupts.txt");
    f->vectors[2].per_cpu = NULL;
    CU_ASSERT_FALSE(sim_report_write(&f->r, dir, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "vectors/2"));
    g_clear_error(&err);
    f->vectors[2].per_cpu = f->per_cpu[2];
    f->r.cpus = NULL;
    CU_ASSERT_FALSE(sim_report_write(&f->r, dir, &err));
    CU_ASSERT(err && strstr(err->message, "n_cpus = 2"));
    g_clear_error(&err);
    char *after = slurp(dir, "interrupts.txt");
    CU_ASSERT(before && after && strcmp(before, after) == 0);
    CU_ASSERT_EQUAL(count_entries(tmp), 1);
    g_free(before);
    g_free(after);
    rm_rf(tmp);
    g_free(dir);
    g_free(tmp);
    fixture_free(f);
}

static CU_TestInfo cases[] = {
    {"mpstat intervals: blocks then average", test_report_mpstat_intervals_blocks_then_average},
    {"test_report_softirqs_layout", test_report_softirqs_layout},
    {"mpstat layout matches sysstat Average block",
     test_report_mpstat_layout_matches_sysstat_average_block},
    {"mpstat zero time prints zeros", test_report_mpstat_zero_time_prints_zeros_not_nan},
    {"interrupts layout Linux 6.12", test_report_interrupts_layout_linux_6_12},
    {"interrupts row equals real virtio line", test_report_interrupts_row_equals_real_virtio_line},
    {"interrupts prec grows at nr_irqs 1000", test_report_interrupts_prec_grows_from_nr_irqs_1000},
    {"interrupts rows in IRQ order", test_report_interrupts_rows_in_irq_order},
    {"softnet_stat 15 columns", test_report_softnet_stat_15_columns_linux_6_12},
    {"queues.csv layout", test_report_queues_csv_layout},
    {"flows.csv layout and percentiles", test_report_flows_csv_layout_and_latency_percentiles},
    {"summary.json fields", test_report_summary_json_fields},
    {"write creates all files, deterministic",
     test_report_write_creates_all_files_byte_identical_across_runs},
    {"write under a file fails, leaves nothing",
     test_report_write_under_a_file_fails_and_leaves_nothing},
    {"rewrite replaces its own dir, refuses one with a user file",
     test_report_rewrite_replaces_its_own_dir_and_keeps_a_users},
    {"inconsistent result refused, old dir kept",
     test_report_inconsistent_result_refused_and_old_dir_kept},
    CU_TEST_INFO_NULL,
};

CU_MAIN("report", cases)
