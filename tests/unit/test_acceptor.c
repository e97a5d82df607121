/* models/app/acceptor.c: the LIFO pool hands each connection to the most recently idle
 * session; per-queue acceptors keep a connection's work on its queue's CPU. */
#include "tests/unit/sim_harness.h"

/* One client, one request per connection, a pool of 3: the session that just closed a
 * connection is the most recently idle one and takes the next; the others never run. */
static void test_acceptor_lifo_pool_reuses_most_recently_idle_session(void)
{
    struct sim_result r =
        run("{\"cpus\": 2, \"duration_ms\": 5, \"nic\": {\"rx_queues\": 1, \"irq_affinity\": [0]},"
            " \"app\": {\"workload\": \"acceptor\", \"pool\": 3, \"msgs_per_conn\": 1},"
            " \"traffic\": {\"duration_s\": 0.001, \"flows\": [{\"count\": 1, \"proto\": \"tcp\","
            " \"rate_pps\": 1000}]}}");
    CU_ASSERT_TRUE(r.connections.present);
    CU_ASSERT_TRUE(r.connections.total > 20);
    CU_ASSERT_EQUAL(r.connections.one_cpu, r.connections.total);
    CU_ASSERT_TRUE(thread(&r, "session/2")->wakeups >= r.connections.total);
    CU_ASSERT_EQUAL(thread(&r, "session/1")->wakeups, 0);
    CU_ASSERT_EQUAL(thread(&r, "session/0")->wakeups, 0);
    CU_ASSERT_EQUAL(thread(&r, "session/2")->cpu, 0); /* pinned on the queue's IRQ CPU */
    sim_result_clear(&r);
}

/* A single acceptor allowed everywhere: accept happens wherever it runs. */
static void test_acceptor_single_mode_threads_may_run_anywhere(void)
{
    struct sim_result r =
        run("{\"cpus\": 2, \"duration_ms\": 5, \"nic\": {\"rx_queues\": 2},"
            " \"app\": {\"workload\": \"acceptor\", \"acceptor\": \"single\", \"pool\": 2},"
            " \"traffic\": {\"duration_s\": 0.001, \"flows\": [{\"count\": 4, \"proto\": \"tcp\","
            " \"rate_pps\": 4000}]}}");
    CU_ASSERT_STRING_EQUAL(thread(&r, "acceptor/0")->allowed, "0-1");
    CU_ASSERT_STRING_EQUAL(thread(&r, "session/1")->allowed, "0-1");
    CU_ASSERT_TRUE(r.requests.completed > 0);
    sim_result_clear(&r);
}

static CU_TestInfo cases[] = {
    {"test_acceptor_lifo_pool_reuses_most_recently_idle_session",
     test_acceptor_lifo_pool_reuses_most_recently_idle_session},
    {"test_acceptor_single_mode_threads_may_run_anywhere",
     test_acceptor_single_mode_threads_may_run_anywhere},
    CU_TEST_INFO_NULL,
};

CU_MAIN("acceptor", cases)
