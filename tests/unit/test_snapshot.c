/* validate/snapshot.c: /proc and ethtool snapshot texts parse by position, deltas per CPU. */
#include "validate/snapshot.h"

#include "tests/unit/cu_main.h"

#include <jansson.h>
#include <string.h>

static json_t *rps2_config(void)
{
    char *p = cu_shared_path("traces/veth/rps2/config.json");
    if (!p)
        return NULL;
    json_t *j = json_load_file(p, 0, NULL);
    g_free(p);
    CU_ASSERT_PTR_NOT_NULL(j);
    return j;
}

static const char *jstr(json_t *j, const char *a, const char *b)
{
    return json_string_value(json_object_get(json_object_get(j, a), b));
}

static void test_snapshot_interrupts_current_format_from_bundle(void)
{
    json_t *j = rps2_config();
    if (!j)
        return;
    GError *err = NULL;
    struct val_interrupts *b = val_interrupts_parse(jstr(j, "interrupts", "before"), "b", &err);
    struct val_interrupts *a = val_interrupts_parse(jstr(j, "interrupts", "after"), "a", &err);
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(b->ncpus, 2);
    const struct val_irq_row *r = val_interrupts_by_action(b, "virtio3-rx");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->irq, 41);
    CU_ASSERT_STRING_EQUAL(r->chip, "PCI-MSIX-0000:00:04.0");
    CU_ASSERT_EQUAL(r->hwirq, 1);
    CU_ASSERT_STRING_EQUAL(r->flow, "edge");
    CU_ASSERT_EQUAL(r->counts[0], 38079);
    CU_ASSERT_EQUAL(r->counts[1], 0);
    r = val_interrupts_by_label(b, "LOC");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->irq, -1);
    CU_ASSERT_STRING_EQUAL(r->desc, "Local timer interrupts");
    CU_ASSERT_EQUAL(r->counts[1], 142742);
    r = val_interrupts_by_label(b, "ERR");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->ncounts, 1);
    uint64_t d[2];
    CU_ASSERT_TRUE(val_interrupts_delta(b, a, "LOC", d, 2, NULL));
    CU_ASSERT(d[0] > 0 && d[1] > 0);
    CU_ASSERT_FALSE(val_interrupts_delta(b, a, "999", d, 2, &err));
    CU_ASSERT(err && strstr(err->message, "\"999:\""));
    g_clear_error(&err);
    val_interrupts_free(a);
    val_interrupts_free(b);
    json_decref(j);
}

static void test_snapshot_interrupts_ixgbe_queue_vectors(void)
{
    const char *t = "            CPU0       CPU1       CPU2       CPU3       \n"
                    " 11:         10         20         30         40     GICv3  27 Level     "
                    "arch_timer\n"
                    " 60:        100          0          0          0  IR-PCI-MSI 524288-edge      "
                    "eth0-TxRx-0\n"
                    " 61:          0        200          0          0  IR-PCI-MSI 524289-edge      "
                    "eth0-TxRx-1\n"
                    " 62:          0          0        300          5  IR-PCI-MSI 524290-edge      "
                    "eth0-TxRx-2\n"
                    " 63:          1          0          0          0  IR-PCI-MSI 524291-edge      "
                    "eth0\n"
                    " 64:          1          0          0          0  IR-PCI-MSI 524292-edge      "
                    "eth10-TxRx-0\n"
                    " 70:          0          0          0          0   IO-APIC  16-fasteoi   "
                    "ehci_hcd:usb1, i801_smbus\n";
    GError *err = NULL;
    struct val_interrupts *ir = val_interrupts_parse(t, "t", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ir);
    const struct val_irq_row *other;
    GPtrArray *q = val_interrupts_dev_queues(ir, "eth0", &other);
    CU_ASSERT_EQUAL_FATAL(q->len, 3);
    CU_ASSERT_EQUAL(((struct val_irq_row *)q->pdata[2])->irq, 62);
    CU_ASSERT_EQUAL(((struct val_irq_row *)q->pdata[2])->counts[3], 5);
    CU_ASSERT_EQUAL(((struct val_irq_row *)q->pdata[0])->hwirq, 524288);
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    CU_ASSERT_EQUAL(other->irq, 63);
    g_ptr_array_free(q, TRUE);
    const struct val_irq_row *arm = val_interrupts_by_label(ir, "11");
    CU_ASSERT_STRING_EQUAL(arm->chip, "GICv3");
    CU_ASSERT_EQUAL(arm->hwirq, 27);
    CU_ASSERT_STRING_EQUAL(arm->flow, "Level");
    CU_ASSERT_STRING_EQUAL(arm->actions[0], "arch_timer");
    const struct val_irq_row *shared = val_interrupts_by_action(ir, "i801_smbus");
    CU_ASSERT_PTR_NOT_NULL_FATAL(shared);
    CU_ASSERT_EQUAL(shared->irq, 70);
    CU_ASSERT_STRING_EQUAL(shared->actions[0], "ehci_hcd:usb1");
    val_interrupts_free(ir);

    CU_ASSERT_PTR_NULL(val_interrupts_parse("  CPU0 CPU1\n 5:  1  IO-APIC 2-edge x\n",
                                            "config.json:/interrupts/before", &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_STRING_EQUAL(err->message, "config.json:/interrupts/before: line 2: IRQ 5: "
                                         "expected 2 per-CPU counts, found 1");
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(val_interrupts_parse("no header here\n", "x", &err));
    CU_ASSERT(err && strstr(err->message, "x: line 1: expected the header"));
    g_clear_error(&err);
}

/* Text of the section "### <title>" up to the next "###" line. */
static char *section(const char *text, const char *title)
{
    char *hdr = g_strdup_printf("### %s\n", title);
    const char *p = strstr(text, hdr);
    char *out = NULL;
    if (p) {
        p += strlen(hdr);
        const char *e = strstr(p, "\n###");
        out = g_strndup(p, e ? (size_t)(e - p + 1) : strlen(p));
    }
    g_free(hdr);
    return out;
}

static void test_snapshot_interrupts_old_2638_format_nehalem(void)
{
    char *path = cu_shared_path("traces/public/sysdumps/deterministic-nehalem-inst_retired.fp.txt");
    if (!path)
        return;
    char *text;
    CU_ASSERT_TRUE_FATAL(g_file_get_contents(path, &text, NULL, NULL));
    char *sb = section(text, "Interrupts 0 before"), *sa = section(text, "Interrupts 0 after");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
    GError *err = NULL;
    struct val_interrupts *b = val_interrupts_parse(sb, "nehalem before", &err);
    struct val_interrupts *a = val_interrupts_parse(sa, "nehalem after", &err);
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(b->ncpus, 16);
    const struct val_irq_row *other;
    GPtrArray *q = val_interrupts_dev_queues(b, "eth0", &other);
    CU_ASSERT_EQUAL_FATAL(q->len, 8);
    for (guint i = 0; i < q->len; i++)
        CU_ASSERT_PTR_NOT_NULL(q->pdata[i]);
    const struct val_irq_row *q0 = q->pdata[0];
    CU_ASSERT_EQUAL(q0->irq, 129);
    CU_ASSERT_STRING_EQUAL(q0->chip, "PCI-MSI");
    CU_ASSERT_STRING_EQUAL(q0->flow, "edge");
    CU_ASSERT_EQUAL(q0->hwirq, -1);
    CU_ASSERT_EQUAL(q0->counts[11], 13553501);
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    CU_ASSERT_EQUAL(other->irq, 128);
    uint64_t d[16];
    CU_ASSERT_TRUE(val_interrupts_delta(b, a, "129", d, 16, NULL));
    CU_ASSERT_EQUAL(d[11], 27); /* 13553528 - 13553501 */
    CU_ASSERT_EQUAL(d[0], 0);
    const struct val_irq_row *timer = val_interrupts_by_label(b, "0");
    CU_ASSERT_STRING_EQUAL(timer->chip, "IO-APIC");
    CU_ASSERT_STRING_EQUAL(timer->actions[0], "timer");
    CU_ASSERT_EQUAL(val_interrupts_by_label(b, "ERR")->ncounts, 1);
    g_ptr_array_free(q, TRUE);
    val_interrupts_free(a);
    val_interrupts_free(b);
    g_free(sa);
    g_free(sb);
    g_free(text);
    g_free(path);
}

static void test_snapshot_softnet_columns_by_position(void)
{
    const char *t15 = "0000295e 00000001 00000002 00000000 00000000 00000000 00000000 00000000 "
                      "00000000 0000042d 00000003 00000004 00000000 00000005 00000006\n"
                      "0000509f 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
                      "00000000 00000823 00000000 00000000 00000001 00000000 00000000\n";
    struct val_softnet *s = val_softnet_parse(t15, "t", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->nrows, 2);
    CU_ASSERT_EQUAL(s->rows[0].processed, 0x295e);
    CU_ASSERT_EQUAL(s->rows[0].dropped, 1);
    CU_ASSERT_EQUAL(s->rows[0].time_squeeze, 2);
    CU_ASSERT_EQUAL(s->rows[0].received_rps, 0x42d);
    CU_ASSERT_EQUAL(s->rows[0].flow_limit_count, 3);
    CU_ASSERT_EQUAL(s->rows[0].backlog_len, 4);
    CU_ASSERT_EQUAL(s->rows[0].input_qlen, 5);
    CU_ASSERT_EQUAL(s->rows[0].process_qlen, 6);
    CU_ASSERT_EQUAL(s->rows[1].cpu, 1);
    CU_ASSERT_EQUAL(s->rows[1].ncols, 15);
    val_softnet_free(s);

    /* 11 columns (<= 5.9): the CPU is the row index. */
    s = val_softnet_parse("00000010 00000000 00000000 00000000 00000000 00000000 00000000 "
                          "00000000 00000000 00000007 00000000\n"
                          "00000020 00000000 00000001 00000000 00000000 00000000 00000000 "
                          "00000000 00000000 00000000 00000000\n",
                          "t", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->rows[1].cpu, 1);
    CU_ASSERT_EQUAL(s->rows[1].time_squeeze, 1);
    CU_ASSERT_EQUAL(s->rows[0].received_rps, 7);
    CU_ASSERT_EQUAL(s->rows[0].ncols, 11);
    val_softnet_free(s);

    /* 13 columns with a CPU gap (offline CPU 1): the index column is authoritative. */
    s = val_softnet_parse("00000010 00000000 00000000 00000000 00000000 00000000 00000000 "
                          "00000000 00000000 00000000 00000000 00000000 00000000\n"
                          "00000020 00000000 00000000 00000000 00000000 00000000 00000000 "
                          "00000000 00000000 00000000 00000000 00000009 00000002\n",
                          "t", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_PTR_NULL(val_softnet_cpu(s, 1));
    CU_ASSERT_EQUAL(val_softnet_cpu(s, 2)->processed, 0x20);
    CU_ASSERT_EQUAL(val_softnet_cpu(s, 2)->backlog_len, 9);
    val_softnet_free(s);
}

static void test_snapshot_softnet_errors_name_source_and_line(void)
{
    GError *err = NULL;
    const char *t = "00000010 00000000 00000000 00000000 00000000 00000000 00000000 "
                    "00000000 00000000 00000007 00000000\n"
                    "00000010 00000000 00000000 00000000 00000000 00000000 00000000 "
                    "00000000 00000000 00000007 00000000\n"
                    "00000010 00000000 00000000 00000000 00000000 00000000 00000000 "
                    "00000000 00000000 00000007 00000000 00000001\n";
    CU_ASSERT_PTR_NULL(val_softnet_parse(t, "config.json:/softnet_stat/after", &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_STRING_EQUAL(err->message, "config.json:/softnet_stat/after: line 3: expected 11, "
                                         "13 or 15 hex columns");
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(val_softnet_parse("0000001g 0 0 0 0 0 0 0 0 0 0\n", "x", &err));
    CU_ASSERT_PTR_NOT_NULL(err);
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(val_softnet_parse("\n", "x", &err));
    CU_ASSERT(err && strstr(err->message, "no CPU rows"));
    g_clear_error(&err);
}

/* Rows come one per online CPU in increasing order: a repeated CPU number would
 * make a delta compare two different rows (found by fuzz_snapshot). */
static void test_snapshot_softnet_rejects_repeated_or_decreasing_cpu(void)
{
    const char *row0 = "00000010 00000000 00000000 00000000 00000000 00000000 00000000 "
                       "00000000 00000000 00000000 00000000 00000000 00000000\n";
    const char *row2 = "00000020 00000000 00000000 00000000 00000000 00000000 00000000 "
                       "00000000 00000000 00000000 00000000 00000009 00000002\n";
    const char *big = "00000020 00000000 00000000 00000000 00000000 00000000 00000000 "
                      "00000000 00000000 00000000 00000000 00000009 ffffffff\n";
    struct {
        const char *a, *b, *want;
    } bad[] = {
        {row0, row0, "t: line 2: CPU 0, expected above the previous row's CPU 0 and below 8192"},
        {row2, row0, "t: line 2: CPU 0, expected above the previous row's CPU 2 and below 8192"},
        {row0, big, "t: line 2: CPU 4294967295, expected above the previous row's CPU 0"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        char *t = g_strconcat(bad[i].a, bad[i].b, NULL);
        GError *err = NULL;
        CU_ASSERT_PTR_NULL(val_softnet_parse(t, "t", &err));
        CU_ASSERT(err && g_str_has_prefix(err->message, bad[i].want));
        g_clear_error(&err);
        g_free(t);
    }
}

/* One kernel prints every row alike: an 11-column row (no CPU number) after a
 * 13-column one would be credited to CPU <row index>, i.e. CPU 1 here, whose
 * own counts the 13-column row said were CPU 2's (found by fuzz_snapshot). */
static void test_snapshot_softnet_rejects_mixed_cpu_column(void)
{
    const char *with_cpu = "00000020 00000000 00000000 00000000 00000000 00000000 00000000 "
                           "00000000 00000000 00000000 00000000 00000000 00000002\n";
    const char *without = "00000010 00000000 00000000 00000000 00000000 00000000 00000000 "
                          "00000000 00000000 00000000 00000000\n";
    struct {
        const char *a, *b, *want;
    } bad[] = {
        {with_cpu, without, "t: line 2: 11 hex columns, expected 13 like line 1"},
        {without, with_cpu, "t: line 2: 13 hex columns, expected 11 like line 1"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        char *t = g_strconcat(bad[i].a, bad[i].b, NULL);
        GError *err = NULL;
        CU_ASSERT_PTR_NULL(val_softnet_parse(t, "t", &err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(err);
        CU_ASSERT_STRING_EQUAL(err->message, bad[i].want);
        g_clear_error(&err);
        g_free(t);
    }
}

static void test_snapshot_softnet_delta_wraps_u32(void)
{
    struct val_softnet *b = val_softnet_parse("ffffffff 00000000 00000000 00000000 00000000 "
                                              "00000000 00000000 00000000 00000000 00000000 "
                                              "00000000\n",
                                              "b", NULL);
    struct val_softnet *a = val_softnet_parse("00000001 00000002 00000000 00000000 00000000 "
                                              "00000000 00000000 00000000 00000000 00000003 "
                                              "00000000\n",
                                              "a", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    struct val_softnet *d = val_softnet_delta(b, a, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->rows[0].processed, 2);
    CU_ASSERT_EQUAL(d->rows[0].dropped, 2);
    CU_ASSERT_EQUAL(d->rows[0].received_rps, 3);
    val_softnet_free(d);
    val_softnet_free(a);
    val_softnet_free(b);
}

static void test_snapshot_softnet_and_softirqs_from_bundle(void)
{
    json_t *j = rps2_config();
    if (!j)
        return;
    struct val_softnet *b = val_softnet_parse(jstr(j, "softnet_stat", "before"), "b", NULL);
    struct val_softnet *a = val_softnet_parse(jstr(j, "softnet_stat", "after"), "a", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    struct val_softnet *d = val_softnet_delta(b, a, NULL);
    CU_ASSERT_EQUAL_FATAL(d->nrows, 2);
    CU_ASSERT_EQUAL(d->rows[0].processed, 0x3467 - 0x295e);
    CU_ASSERT_EQUAL(d->rows[1].processed, 0x5975 - 0x509f);
    CU_ASSERT_EQUAL(d->rows[1].received_rps, 0x9f4 - 0x823);
    val_softnet_free(d);
    val_softnet_free(a);
    val_softnet_free(b);

    struct val_softirqs *sb = val_softirqs_parse(jstr(j, "softirqs", "before"), "b", NULL);
    struct val_softirqs *sa = val_softirqs_parse(jstr(j, "softirqs", "after"), "a", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
    CU_ASSERT_EQUAL(sb->ncpus, 2);
    CU_ASSERT_EQUAL(sb->nvec, 10);
    CU_ASSERT_EQUAL(val_softirqs_get(sb, "NET_RX", 0), 17348);
    CU_ASSERT_EQUAL(val_softirqs_get(sb, "NET_RX", 2), -1);
    CU_ASSERT_EQUAL(val_softirqs_get(sb, "NOPE", 0), -1);
    uint64_t dd[2];
    CU_ASSERT_TRUE(val_softirqs_delta(sb, sa, "NET_RX", dd, 2, NULL));
    CU_ASSERT_EQUAL(dd[0], 19894 - 17348);
    CU_ASSERT_EQUAL(dd[1], 19005 - 15861);
    val_softirqs_free(sa);
    val_softirqs_free(sb);
    json_decref(j);
}

static void test_snapshot_softirqs_malformed_row(void)
{
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(
        val_softirqs_parse("   CPU0   CPU1\n  HI:  1  2\n  NET_RX:  5\n", "s", &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_STRING_EQUAL(err->message, "s: line 3: NET_RX: expected 2 per-CPU counts");
    g_clear_error(&err);
}

/* Per-CPU IRQ and softirq counts are unsigned int in the kernel: a larger
 * number is malformed, never saturated to UINT64_MAX and then read back as
 * "absent" (-1) by val_softirqs_get (found by fuzz_snapshot). */
static void test_snapshot_counts_above_u32_are_malformed(void)
{
    GError *err = NULL;
    struct val_softirqs *s =
        val_softirqs_parse("   CPU0   CPU1\n  NET_RX:  4294967295  0\n", "s", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(val_softirqs_get(s, "NET_RX", 0), 4294967295);
    val_softirqs_free(s);
    const char *big[] = {"4294967296", "18446744073709551615", "99999999999999999999999"};
    for (size_t i = 0; i < G_N_ELEMENTS(big); i++) {
        char *t = g_strdup_printf("   CPU0   CPU1\n  NET_RX:  %s  7\n", big[i]);
        CU_ASSERT_PTR_NULL(val_softirqs_parse(t, "s", &err));
        CU_ASSERT(err && !strcmp(err->message, "s: line 2: NET_RX: expected 2 per-CPU counts"));
        g_clear_error(&err);
        g_free(t);
        t = g_strdup_printf("   CPU0   CPU1\n 24:  %s  7  IO-APIC   5-edge  acpi\n", big[i]);
        CU_ASSERT_PTR_NULL(val_interrupts_parse(t, "i", &err));
        CU_ASSERT(err && strstr(err->message, "IRQ 24: expected 2 per-CPU counts, found 0"));
        g_clear_error(&err);
        g_free(t);
    }
}

static void test_snapshot_ethtool_l_channels(void)
{
    struct val_ethtool_channels c;
    const char *ixgbe = "Channel parameters for eth0:\nPre-set maximums:\nRX:\t\tn/a\nTX:\t\tn/a\n"
                        "Other:\t\t1\nCombined:\t63\nCurrent hardware settings:\nRX:\t\tn/a\n"
                        "TX:\t\tn/a\nOther:\t\t1\nCombined:\t8\n";
    CU_ASSERT_TRUE_FATAL(val_ethtool_l_parse(ixgbe, "t", &c, NULL));
    CU_ASSERT_EQUAL(c.max_combined, 63);
    CU_ASSERT_EQUAL(c.combined, 8);
    CU_ASSERT_EQUAL(c.other, 1);
    CU_ASSERT_EQUAL(c.rx, -1);
    GError *err = NULL;
    CU_ASSERT_FALSE(val_ethtool_l_parse("Cannot get device channel parameters\n: Operation not "
                                        "supported\n",
                                        "ethtool.ethtool_l_eth0", &c, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "ethtool.ethtool_l_eth0: not ethtool -l output"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "Cannot get device channel parameters"));
    g_clear_error(&err);
    CU_ASSERT_FALSE(val_ethtool_l_parse("Pre-set maximums:\nRX: four\nCurrent hardware settings:\n",
                                        "t", &c, &err));
    CU_ASSERT(err && strstr(err->message, "t: line 2: RX: expected a count"));
    g_clear_error(&err);

    json_t *j = rps2_config();
    if (!j)
        return;
    CU_ASSERT_TRUE(val_ethtool_l_parse(jstr(j, "ethtool", "ethtool_l_vB"), "vB", &c, NULL));
    CU_ASSERT_EQUAL(c.max_rx, 4);
    CU_ASSERT_EQUAL(c.tx, 4);
    CU_ASSERT_EQUAL(c.combined, -1);
    json_decref(j);
}

static void test_snapshot_ethtool_c_coalesce(void)
{
    const char *t = "Coalesce parameters for eth0:\nAdaptive RX: on  TX: off\n"
                    "stats-block-usecs: n/a\nsample-interval: n/a\n\nrx-usecs: 1\n"
                    "rx-frames: n/a\nrx-usecs-irq: n/a\n\ntx-usecs: 0\ntx-frames-irq: 256\n";
    struct val_ethtool_coalesce *c = val_ethtool_c_parse(t, "t", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(val_ethtool_coalesce_adaptive_rx(c), 1);
    CU_ASSERT_EQUAL(val_ethtool_coalesce_adaptive_tx(c), 0);
    int64_t v = -5;
    CU_ASSERT_TRUE(val_ethtool_coalesce_get(c, "rx-usecs", &v));
    CU_ASSERT_EQUAL(v, 1);
    CU_ASSERT_TRUE(val_ethtool_coalesce_get(c, "tx-frames-irq", &v));
    CU_ASSERT_EQUAL(v, 256);
    CU_ASSERT_FALSE(val_ethtool_coalesce_get(c, "rx-frames", &v));
    val_ethtool_coalesce_free(c);
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(val_ethtool_c_parse("netlink error: Operation not supported\n", "c", &err));
    CU_ASSERT(err && strstr(err->message, "Operation not supported"));
    g_clear_error(&err);
}

static void test_snapshot_ethtool_k_features(void)
{
    json_t *j = rps2_config();
    if (!j)
        return;
    struct val_ethtool_features *f =
        val_ethtool_k_parse(jstr(j, "ethtool", "ethtool_k_vB"), "k", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    bool on, fixed;
    CU_ASSERT_TRUE(val_ethtool_feature(f, "generic-receive-offload", &on, &fixed));
    CU_ASSERT_TRUE(on);
    CU_ASSERT_FALSE(fixed);
    CU_ASSERT_TRUE(val_ethtool_feature(f, "large-receive-offload", &on, &fixed));
    CU_ASSERT_FALSE(on);
    CU_ASSERT_TRUE(fixed);
    CU_ASSERT_TRUE(val_ethtool_feature(f, "tx-checksum-ipv4", &on, &fixed));
    CU_ASSERT_FALSE(val_ethtool_feature(f, "no-such-feature", &on, &fixed));
    CU_ASSERT(val_ethtool_features_count(f) > 30);
    val_ethtool_features_free(f);
    json_decref(j);
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(val_ethtool_k_parse("Features for x:\nrx-checksumming maybe\n", "k", &err));
    CU_ASSERT(err && strstr(err->message, "k: line 2: expected"));
    g_clear_error(&err);
}

/* Both /proc tables open with one "CPUn" column per online CPU; without it nothing can be read. */
static void test_snapshot_missing_cpu_header_names_the_line(void)
{
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(val_interrupts_parse("\n\n 41:  1  2  PCI-MSI  eth0\n", "irq", &err));
    CU_ASSERT(err && strstr(err->message, "irq: line 3: expected the header of CPU columns"));
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(val_softirqs_parse("\n \nHI: 1 2\n", "sirq", &err));
    CU_ASSERT(err && strstr(err->message, "sirq: line 3: expected the header of CPU columns"));
    g_clear_error(&err);
    struct val_softirqs *s = val_softirqs_parse("\n    CPU0  CPU1\nNET_RX:  5  7\n", "t", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->ncpus, 2);
    CU_ASSERT_EQUAL(val_softirqs_get(s, "NET_RX", 1), 7);
    val_softirqs_free(s);
}

static CU_TestInfo cases[] = {
    {"test_snapshot_missing_cpu_header_names_the_line",
     test_snapshot_missing_cpu_header_names_the_line},
    {"test_snapshot_interrupts_current_format_from_bundle",
     test_snapshot_interrupts_current_format_from_bundle},
    {"test_snapshot_interrupts_ixgbe_queue_vectors", test_snapshot_interrupts_ixgbe_queue_vectors},
    {"test_snapshot_interrupts_old_2638_format_nehalem",
     test_snapshot_interrupts_old_2638_format_nehalem},
    {"test_snapshot_softnet_columns_by_position", test_snapshot_softnet_columns_by_position},
    {"test_snapshot_softnet_errors_name_source_and_line",
     test_snapshot_softnet_errors_name_source_and_line},
    {"test_snapshot_softnet_delta_wraps_u32", test_snapshot_softnet_delta_wraps_u32},
    {"test_snapshot_softnet_rejects_mixed_cpu_column",
     test_snapshot_softnet_rejects_mixed_cpu_column},
    {"test_snapshot_counts_above_u32_are_malformed", test_snapshot_counts_above_u32_are_malformed},
    {"test_snapshot_softnet_rejects_repeated_or_decreasing_cpu",
     test_snapshot_softnet_rejects_repeated_or_decreasing_cpu},
    {"test_snapshot_softnet_and_softirqs_from_bundle",
     test_snapshot_softnet_and_softirqs_from_bundle},
    {"test_snapshot_softirqs_malformed_row", test_snapshot_softirqs_malformed_row},
    {"test_snapshot_ethtool_l_channels", test_snapshot_ethtool_l_channels},
    {"test_snapshot_ethtool_c_coalesce", test_snapshot_ethtool_c_coalesce},
    {"test_snapshot_ethtool_k_features", test_snapshot_ethtool_k_features},
    CU_TEST_INFO_NULL,
};

CU_MAIN("snapshot", cases)
