/* models/kernel/backlog.c: enqueue_to_backlog() limits, flow limit, head/tail counters. */
#include "models/kernel/backlog.h"
#include "models/kernel/kversion.h"
#include "tests/unit/cu_main.h"

static void test_backlog_drops_only_above_max_backlog(void)
{
    struct kern_backlog *bl = kern_backlog_new(2, 5, 4096, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bl);
    uint32_t qtail = 0;
    CU_ASSERT_EQUAL(kern_enqueue_to_backlog(bl, 1, 0, 0x1234, &qtail), KERN_ENQUEUE_OK_SCHEDULE);
    CU_ASSERT_EQUAL(qtail, 1);
    /* qlen <= netdev_max_backlog is still accepted: 6 packets fit a max of 5. */
    for (int i = 2; i <= 6; i++) {
        CU_ASSERT_EQUAL(kern_enqueue_to_backlog(bl, 1, 0, 0x1234, &qtail), KERN_ENQUEUE_OK);
        CU_ASSERT_EQUAL(qtail, (uint32_t)i);
    }
    qtail = 99;
    CU_ASSERT_EQUAL(kern_enqueue_to_backlog(bl, 1, 0, 0x1234, &qtail), KERN_ENQUEUE_DROP_BACKLOG);
    CU_ASSERT_EQUAL(qtail, 99); /* a drop saves nothing */
    CU_ASSERT_EQUAL(kern_backlog_counters(bl, 1)->dropped, 1);
    CU_ASSERT_EQUAL(kern_backlog_counters(bl, 0)->dropped, 0);
    CU_ASSERT_EQUAL(kern_backlog_tail(bl, 1), 6);
    CU_ASSERT_EQUAL(kern_backlog_qlen(bl, 1), 6);
    kern_backlog_free(bl);
}

static void test_backlog_process_queue_does_not_count_against_the_limit(void)
{
    struct kern_backlog *bl = kern_backlog_new(1, 2, 4096, NULL, NULL);
    uint32_t qtail;
    for (int i = 0; i < 3; i++)
        kern_enqueue_to_backlog(bl, 0, 0, 1, &qtail);
    CU_ASSERT(kern_backlog_dequeue(bl, 0)); /* splices 3 into process_queue, takes 1 */
    CU_ASSERT_EQUAL(kern_backlog_input_qlen(bl, 0), 0);
    CU_ASSERT_EQUAL(kern_backlog_qlen(bl, 0), 2);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(kern_enqueue_to_backlog(bl, 0, 0, 1, &qtail), KERN_ENQUEUE_OK);
    CU_ASSERT_EQUAL(kern_backlog_qlen(bl, 0), 5);
    CU_ASSERT_EQUAL(kern_enqueue_to_backlog(bl, 0, 0, 1, &qtail), KERN_ENQUEUE_DROP_BACKLOG);
    kern_backlog_free(bl);
}

static void test_backlog_head_moves_when_the_poll_ends(void)
{
    struct kern_backlog *bl = kern_backlog_new(1, 1000, 4096, NULL, NULL);
    uint32_t qtail;
    for (int i = 0; i < 4; i++)
        kern_enqueue_to_backlog(bl, 0, 0, 1, &qtail);
    unsigned work = 0;
    while (kern_backlog_dequeue(bl, 0))
        work++;
    CU_ASSERT_EQUAL(work, 4);
    CU_ASSERT_EQUAL(kern_backlog_head(bl, 0), 0);
    kern_backlog_poll_done(bl, 0, work);
    CU_ASSERT_EQUAL(kern_backlog_head(bl, 0), 4);
    /* The empty poll completed the backlog NAPI: the next packet schedules it again. */
    CU_ASSERT_EQUAL(kern_enqueue_to_backlog(bl, 0, 0, 1, &qtail), KERN_ENQUEUE_OK_SCHEDULE);
    CU_ASSERT_EQUAL(qtail, 5);
    kern_backlog_free(bl);
}

/* Before 6.10 process_backlog() advanced input_queue_head per packet
 * (rps_input_queue_head_incr()), so an RFS flow's last_qtail is passed one
 * packet at a time; the release is a parameter of the model (kversion.h). */
static void test_backlog_head_moves_per_packet_before_6_10(void)
{
    struct kern_backlog *bl = kern_backlog_new(1, 1000, 4096, NULL, NULL);
    kern_backlog_set_kernel(bl, KERN_VERSION(6, 9));
    uint32_t qtail;
    for (int i = 0; i < 3; i++)
        kern_enqueue_to_backlog(bl, 0, 0, 1, &qtail);
    CU_ASSERT_TRUE(kern_backlog_dequeue(bl, 0));
    CU_ASSERT_EQUAL(kern_backlog_head(bl, 0), 1);
    CU_ASSERT_TRUE(kern_backlog_dequeue(bl, 0));
    CU_ASSERT_EQUAL(kern_backlog_head(bl, 0), 2);
    kern_backlog_poll_done(bl, 0, 2); /* nothing more at the end of the poll */
    CU_ASSERT_EQUAL(kern_backlog_head(bl, 0), 2);
    kern_backlog_set_kernel(bl, KERN_VERSION(6, 10));
    CU_ASSERT_TRUE(kern_backlog_dequeue(bl, 0));
    CU_ASSERT_EQUAL(kern_backlog_head(bl, 0), 2);
    kern_backlog_poll_done(bl, 0, 1);
    CU_ASSERT_EQUAL(kern_backlog_head(bl, 0), 3);
    kern_backlog_free(bl);
}

static void test_backlog_counters_wrap_like_u32(void)
{
    struct kern_backlog *bl = kern_backlog_new(1, 1000, 4096, NULL, NULL);
    kern_backlog_poll_done(bl, 0, 0xfffffffe);
    CU_ASSERT_EQUAL(kern_backlog_head(bl, 0), 0xfffffffe);
    kern_backlog_poll_done(bl, 0, 3);
    CU_ASSERT_EQUAL(kern_backlog_head(bl, 0), 1);
    kern_backlog_free(bl);
}

/* Fill cpu 0's backlog to n packets of distinct mice hashes. */
static void fill(struct kern_backlog *bl, unsigned n)
{
    uint32_t qtail;
    for (unsigned i = 0; i < n; i++)
        CU_ASSERT_FATAL(kern_enqueue_to_backlog(bl, 0, 0, 0x10000 + i, &qtail) <=
                        KERN_ENQUEUE_OK_SCHEDULE);
}

static void test_backlog_flow_limit_drops_elephant_not_mice(void)
{
    struct sim_cpumask fl = {0};
    sim_cpumask_set(&fl, 0);
    struct kern_backlog *bl = kern_backlog_new(2, 1000, 4096, &fl, NULL);
    fill(bl, 500); /* qlen reaches max_backlog / 2: the limiter starts looking */
    unsigned elephant_drops = 0, mouse_drops = 0, elephant_sent = 0;
    uint32_t qtail;
    for (unsigned i = 0; i < 400; i++) {
        bool mouse = i % 4 == 3;
        /* mice buckets (hash & 4095) are even, the elephant's (0x123) odd */
        uint32_t hash = mouse ? 0x20800 + 8 * i : 0xabcd0123;
        enum kern_enqueue_result r = kern_enqueue_to_backlog(bl, 0, 0, hash, &qtail);
        if (r == KERN_ENQUEUE_DROP_FLOW_LIMIT)
            *(mouse ? &mouse_drops : &elephant_drops) += 1;
        else
            CU_ASSERT(r == KERN_ENQUEUE_OK);
        elephant_sent += !mouse;
    }
    CU_ASSERT_EQUAL(mouse_drops, 0);
    CU_ASSERT(elephant_drops > 0 && elephant_drops < elephant_sent);
    /* Once the history is full of it, the elephant may hold at most 64 of the last 128. */
    CU_ASSERT(elephant_sent - elephant_drops >= 64);
    CU_ASSERT_EQUAL(kern_backlog_counters(bl, 0)->flow_limit_count, elephant_drops);
    CU_ASSERT_EQUAL(kern_backlog_counters(bl, 0)->dropped, elephant_drops);
    kern_backlog_free(bl);
}

static void test_backlog_flow_limit_idle_below_half_and_off_cpus(void)
{
    struct sim_cpumask fl = {0};
    sim_cpumask_set(&fl, 0);
    struct kern_backlog *bl = kern_backlog_new(2, 1000, 4096, &fl, NULL);
    uint32_t qtail;
    /* One flow alone, backlog below 500: never limited. */
    for (int i = 0; i < 499; i++)
        CU_ASSERT(kern_enqueue_to_backlog(bl, 0, 0, 0xabcd0123, &qtail) <=
                  KERN_ENQUEUE_OK_SCHEDULE);
    /* From CPU 1 (not in flow_limit_cpu_bitmap) into CPU 0's backlog: the enqueuing CPU's
     * table decides, and CPU 1 has none. */
    for (int i = 0; i < 300; i++)
        CU_ASSERT_EQUAL(kern_enqueue_to_backlog(bl, 0, 1, 0xabcd0123, &qtail), KERN_ENQUEUE_OK);
    CU_ASSERT_EQUAL(kern_backlog_counters(bl, 0)->dropped, 0);
    /* From CPU 0 it is limited. */
    unsigned drops = 0;
    for (int i = 0; i < 200; i++)
        drops +=
            kern_enqueue_to_backlog(bl, 0, 0, 0xabcd0123, &qtail) == KERN_ENQUEUE_DROP_FLOW_LIMIT;
    CU_ASSERT(drops > 0);
    kern_backlog_free(bl);
}

static void test_backlog_rejects_bad_sysctls(void)
{
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(kern_backlog_new(2, 1000, 1000, NULL, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "flow_limit_table_len"));
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(kern_backlog_new(2, -1, 4096, NULL, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "netdev_max_backlog"));
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(kern_backlog_new(0, 1000, 4096, NULL, &err));
    CU_ASSERT_PTR_NOT_NULL(err);
    g_clear_error(&err);
}

static void test_backlog_received_rps_counts_ipis(void)
{
    struct kern_backlog *bl = kern_backlog_new(2, 1000, 4096, NULL, NULL);
    kern_backlog_received_rps(bl, 1);
    kern_backlog_received_rps(bl, 1);
    CU_ASSERT_EQUAL(kern_backlog_counters(bl, 1)->received_rps, 2);
    CU_ASSERT_EQUAL(kern_backlog_counters(bl, 0)->received_rps, 0);
    kern_backlog_free(bl);
}

/* process_backlog() splices input_pkt_queue at its start when process_queue is empty: what
 * arrives after the poll began counts against netdev_max_backlog, not what came before. */
static void test_backlog_poll_start_splices_an_empty_process_queue(void)
{
    struct kern_backlog *bl = kern_backlog_new(1, 2, 4096, NULL, NULL);
    uint32_t qtail;
    kern_backlog_poll_start(bl, 0); /* nothing scheduled: nothing to splice */
    CU_ASSERT_EQUAL(kern_backlog_qlen(bl, 0), 0);
    for (int i = 0; i < 3; i++)
        kern_enqueue_to_backlog(bl, 0, 0, 1, &qtail);
    kern_backlog_poll_start(bl, 0);
    CU_ASSERT_EQUAL(kern_backlog_input_qlen(bl, 0), 0);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(kern_enqueue_to_backlog(bl, 0, 0, 1, &qtail), KERN_ENQUEUE_OK);
    CU_ASSERT_EQUAL(kern_backlog_qlen(bl, 0), 6);
    /* process_queue not empty: a second poll start splices nothing */
    kern_backlog_poll_start(bl, 0);
    CU_ASSERT_EQUAL(kern_backlog_input_qlen(bl, 0), 3);
    CU_ASSERT(kern_backlog_dequeue(bl, 0)); /* from the process_queue */
    CU_ASSERT_EQUAL(kern_backlog_input_qlen(bl, 0), 3);
    kern_backlog_free(bl);
}

static CU_TestInfo cases[] = {
    {"test_backlog_poll_start_splices_an_empty_process_queue",
     test_backlog_poll_start_splices_an_empty_process_queue},
    {"test_backlog_head_moves_per_packet_before_6_10",
     test_backlog_head_moves_per_packet_before_6_10},
    {"test_backlog_drops_only_above_max_backlog", test_backlog_drops_only_above_max_backlog},
    {"test_backlog_process_queue_does_not_count_against_the_limit",
     test_backlog_process_queue_does_not_count_against_the_limit},
    {"test_backlog_head_moves_when_the_poll_ends", test_backlog_head_moves_when_the_poll_ends},
    {"test_backlog_counters_wrap_like_u32", test_backlog_counters_wrap_like_u32},
    {"test_backlog_flow_limit_drops_elephant_not_mice",
     test_backlog_flow_limit_drops_elephant_not_mice},
    {"test_backlog_flow_limit_idle_below_half_and_off_cpus",
     test_backlog_flow_limit_idle_below_half_and_off_cpus},
    {"test_backlog_rejects_bad_sysctls", test_backlog_rejects_bad_sysctls},
    {"test_backlog_received_rps_counts_ipis", test_backlog_received_rps_counts_ipis},
    CU_TEST_INFO_NULL,
};

CU_MAIN("backlog", cases)
