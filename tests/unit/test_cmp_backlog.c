/* validate/cmp_backlog.c: the model backlog's drops and time_squeeze against
 * softnet_stat on the shared veth bundles. */
#include "tests/unit/cu_main.h"
#include "tests/unit/replay_harness.h"

/* A recorded backlog overflow (tests/data/backlog-mb300-b64/README): netdev_max_backlog 300,
 * netdev_budget 64, RPS of every flow to CPU1. enqueue_to_backlog() drops on CPU1 only, and with
 * budget 64 = dev_weight every full backlog poll makes net_rx_action() punt (time_squeeze). */
static void test_cmp_backlog_backlog_drops_and_time_squeeze(void)
{
    struct val_report *r = replay(NICSTEER_SOURCE_DIR "/tests/data/backlog-mb300-b64");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    const struct val_report_backlog *b = &r->backlog;
    CU_ASSERT_EQUAL(b->softnet_dropped, 454);
    CU_ASSERT_EQUAL(b->softnet_time_squeeze, 32);
    CU_ASSERT_EQUAL(r->cpus[0].model_dropped, 0);
    CU_ASSERT_EQUAL(r->cpus[1].model_dropped, b->model_dropped);
    CU_ASSERT_EQUAL(b->model_dropped, r->model_drops);
    CU_ASSERT(b->drop_error >= 0 && b->drop_error <= 0.05);
    /* one punt per modelled full poll: time_squeeze counts polls of work 64 */
    CU_ASSERT_EQUAL(b->model_time_squeeze, r->napi_model.bins[64]);
    CU_ASSERT(b->time_squeeze_error >= 0 && b->time_squeeze_error <= 0.10);
    val_report_free(r);
}

/* Nothing dropped and no punt (netdev_budget 300 > one poll of 64): the error is 0, not n/a. */
static void test_cmp_backlog_no_pressure_backlog_error_is_zero(void)
{
    struct val_report *r = replay(NICSTEER_SOURCE_DIR "/tests/data/validate-mini");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->backlog.model_dropped, 0);
    CU_ASSERT_EQUAL(r->backlog.model_time_squeeze, 0);
    CU_ASSERT_DOUBLE_EQUAL(r->backlog.drop_error, 0.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(r->backlog.time_squeeze_error, 0.0, 1e-12);
    val_report_free(r);
}

static CU_TestInfo cases[] = {
    {"backlog drops and time_squeeze", test_cmp_backlog_backlog_drops_and_time_squeeze},
    {"no backlog pressure: errors 0", test_cmp_backlog_no_pressure_backlog_error_is_zero},
    CU_TEST_INFO_NULL,
};

CU_MAIN("cmp_backlog", cases)
