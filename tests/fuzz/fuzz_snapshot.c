/* libFuzzer target: host snapshot text (validate/snapshot.c). Byte 0 picks
 * the parser: sysfs CPU mask, CPU list (models/kernel/cpumask.c), /proc/interrupts, softnet_stat,
 * /proc/softirqs, ethtool -l, -c or -k; the rest is the text. What parses is
 * queried (lookups, deltas against itself, which must be zero). */
#include <stdio.h>

#include "sim/core/cpumask.h"
#include "tests/fuzz/fuzz.h"
#include "validate/snapshot.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_glib_fatal();
    return 0;
}

/* Snapshots' sysfs masks are read by models/kernel/cpumask.c (bundle.c). */
static void masks(const char *text, bool list)
{
    struct sim_cpumask m;
    GError *err = NULL;
    bool ok = list ? sim_cpumask_parselist(&m, text, SIM_NR_CPUS, &err)
                   : sim_cpumask_parse(&m, text, SIM_NR_CPUS, &err);
    FUZZ_CHECK(ok == (err == NULL));
    if (ok) {
        unsigned w = sim_cpumask_weight(&m), n = 0;
        for (int cpu = sim_cpumask_next(&m, -1), prev = -1; cpu >= 0;
             prev = cpu, cpu = sim_cpumask_next(&m, cpu), n++)
            FUZZ_CHECK(sim_cpumask_test(&m, (unsigned)cpu) && cpu > prev);
        FUZZ_CHECK(n == w);
    }
    g_clear_error(&err);
}

static void interrupts(const char *text)
{
    GError *err = NULL;
    struct val_interrupts *t = val_interrupts_parse(text, "fuzz", &err);
    FUZZ_CHECK((t == NULL) == (err != NULL));
    if (t) {
        FUZZ_CHECK(t->ncpus >= 0);
        uint64_t *d = g_new0(uint64_t, t->ncpus + 1);
        for (guint i = 0; i < t->rows->len; i++) {
            const struct val_irq_row *row = t->rows->pdata[i];
            FUZZ_CHECK(row->label && row->ncounts >= 0 && row->ncounts <= t->ncpus);
            FUZZ_CHECK(val_interrupts_by_label(t, row->label));
            for (char **a = row->actions; a && *a; a++)
                FUZZ_CHECK(val_interrupts_by_action(t, *a));
            if (val_interrupts_delta(t, t, row->label, d, t->ncpus, NULL))
                for (int c = 0; c < row->ncounts; c++)
                    FUZZ_CHECK(d[c] == 0);
        }
        g_free(d);
        const struct val_irq_row *other = NULL;
        GPtrArray *q = val_interrupts_dev_queues(t, "eth0", &other);
        if (q)
            g_ptr_array_unref(q);
    }
    g_clear_error(&err);
    val_interrupts_free(t);
}

static void softnet(const char *text)
{
    GError *err = NULL;
    struct val_softnet *s = val_softnet_parse(text, "fuzz", &err);
    FUZZ_CHECK((s == NULL) == (err != NULL));
    if (s) {
        /* one kernel's layout for every row, one row per CPU upwards */
        for (int i = 0; i < s->nrows; i++)
            FUZZ_CHECK(val_softnet_cpu(s, s->rows[i].cpu) == &s->rows[i] &&
                       s->rows[i].ncols == s->rows[0].ncols &&
                       (i == 0 || s->rows[i].cpu > s->rows[i - 1].cpu));
        struct val_softnet *d = val_softnet_delta(s, s, &err);
        FUZZ_CHECK((d == NULL) == (err != NULL));
        for (int i = 0; d && i < d->nrows; i++)
            FUZZ_CHECK(d->rows[i].processed == 0 && d->rows[i].dropped == 0 &&
                       d->rows[i].time_squeeze == 0);
        val_softnet_free(d);
    }
    g_clear_error(&err);
    val_softnet_free(s);
}

static void softirqs(const char *text)
{
    GError *err = NULL;
    struct val_softirqs *s = val_softirqs_parse(text, "fuzz", &err);
    FUZZ_CHECK((s == NULL) == (err != NULL));
    if (s) {
        uint64_t *d = g_new0(uint64_t, s->ncpus + 1);
        for (int v = 0; v < s->nvec; v++) {
            for (int c = 0; c < s->ncpus; c++)
                FUZZ_CHECK(val_softirqs_get(s, s->names[v], c) >= 0);
            if (val_softirqs_delta(s, s, s->names[v], d, s->ncpus, NULL))
                for (int c = 0; c < s->ncpus; c++)
                    FUZZ_CHECK(d[c] == 0);
        }
        val_softirqs_get(s, "NET_RX", s->ncpus);
        g_free(d);
    }
    g_clear_error(&err);
    val_softirqs_free(s);
}

static void ethtool(const char *text, char which)
{
    GError *err = NULL;
    if (which == 'l') {
        struct val_ethtool_channels c;
        bool ok = val_ethtool_l_parse(text, "fuzz", &c, &err);
        FUZZ_CHECK(ok == (err == NULL));
    } else if (which == 'c') {
        struct val_ethtool_coalesce *c = val_ethtool_c_parse(text, "fuzz", &err);
        FUZZ_CHECK((c == NULL) == (err != NULL));
        if (c) {
            int64_t v;
            val_ethtool_coalesce_adaptive_rx(c);
            val_ethtool_coalesce_adaptive_tx(c);
            val_ethtool_coalesce_get(c, "rx-usecs", &v);
            val_ethtool_coalesce_get(c, "tx-frames-irq", &v);
        }
        val_ethtool_coalesce_free(c);
    } else {
        struct val_ethtool_features *f = val_ethtool_k_parse(text, "fuzz", &err);
        FUZZ_CHECK((f == NULL) == (err != NULL));
        if (f) {
            bool on, fixed;
            FUZZ_CHECK(val_ethtool_features_count(f) >= 0);
            val_ethtool_feature(f, "generic-receive-offload", &on, &fixed);
            val_ethtool_feature(f, "receive-hashing", &on, &fixed);
        }
        val_ethtool_features_free(f);
    }
    g_clear_error(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *text = fuzz_text(data + 1, size - 1);
    switch (data[0] % 8) {
    case 0:
        masks(text, false);
        break;
    case 1:
        masks(text, true);
        break;
    case 2:
        interrupts(text);
        break;
    case 3:
        softnet(text);
        break;
    case 4:
        softirqs(text);
        break;
    case 5:
        ethtool(text, 'l');
        break;
    case 6:
        ethtool(text, 'c');
        break;
    default:
        ethtool(text, 'k');
        break;
    }
    g_free(text);
    return 0;
}
