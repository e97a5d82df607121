/* models/sched/wake.c: try_to_wake_up() emits sched_waking -> sched_migrate_task ->
 * sched_wakeup (spec §5) on the CPUs the real kernel logs them on. */
#include "models/sched/wake.h"
#include "tests/unit/cu_main.h"

static struct cpus_topology *topo(const char *text)
{
    json_t *root = json_loads(text, 0, NULL);
    struct cpus_topology *t = cpus_topology_from_json(root, "t", NULL);
    json_decref(root);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

/* The spec's capture: python3-6673 on CPU 0 runs NET_RX and wakes pid 6598 (last on
 * CPU 1): sched_migrate_task orig_cpu=1 dest_cpu=0, then sched_wakeup target_cpu=000,
 * all three logged on [000]. */
static void test_wake_spec_trace_order_receiver_pulled(void)
{
    struct cpus_topology *t = topo("{\"cpus\": 2}");
    struct cpus_task waker, other, p;
    cpus_task_init(&waker, 6673, 0, 2);
    cpus_task_init(&other, 2441, 1, 2);
    cpus_task_init(&p, 6598, 1, 2);
    struct cpus_cpu_state cpu[2] = {{.nr_running = 1, .load = 1024, .curr = &waker},
                                    {.nr_running = 1, .load = 1024, .curr = &other}};
    struct cpus_state s = {.now_ns = 1238328336000, .nr_cpus = 2, .cpu = cpu};
    struct cpus_migrate_cost c;
    cpus_migrate_cost_default(&c);
    struct cpus_migrate_stats st = {0};
    struct cpus_wakeup w;
    cpus_try_to_wake_up(t, &c, &st, &s, &p, 0, true, &w);
    CU_ASSERT_EQUAL(w.cpu, 0);
    CU_ASSERT(w.migrated);
    CU_ASSERT_FALSE(w.queued);
    CU_ASSERT_EQUAL_FATAL(w.nr_events, 3);
    CU_ASSERT_EQUAL(w.events[0].ev, CPUS_EV_SCHED_WAKING);
    CU_ASSERT_EQUAL(w.events[0].cpu, 0);
    CU_ASSERT_EQUAL(w.events[1].ev, CPUS_EV_SCHED_MIGRATE_TASK);
    CU_ASSERT_EQUAL(w.events[1].cpu, 0);
    CU_ASSERT_EQUAL(w.events[1].orig_cpu, 1);
    CU_ASSERT_EQUAL(w.events[1].dest_cpu, 0);
    CU_ASSERT_EQUAL(w.events[2].ev, CPUS_EV_SCHED_WAKEUP);
    CU_ASSERT_EQUAL(w.events[2].cpu, 0);
    CU_ASSERT_EQUAL(w.events[2].dest_cpu, 0);
    CU_ASSERT_EQUAL(st.nr[CPUS_MIGRATE_WAKEUP], 1);
    CU_ASSERT_EQUAL(p.nr_migrations[CPUS_MIGRATE_WAKEUP], 1);
    CU_ASSERT_STRING_EQUAL(cpus_trace_event_name(w.events[1].ev), "sched_migrate_task");
    cpus_topology_free(t);
}

/* No move: no sched_migrate_task. An idle target is activated through its wake list,
 * so it logs sched_wakeup itself. */
static void test_wake_no_migration_no_migrate_event(void)
{
    struct cpus_topology *t = topo("{\"cpus\": 4}");
    struct cpus_task p;
    cpus_task_init(&p, 7, 3, 4);
    struct cpus_cpu_state cpu[4] = {{0}};
    struct cpus_state s = {.now_ns = 0, .nr_cpus = 4, .cpu = cpu};
    struct cpus_migrate_cost c;
    cpus_migrate_cost_default(&c);
    struct cpus_wakeup w;
    cpus_try_to_wake_up(t, &c, NULL, &s, &p, 0, true, &w);
    CU_ASSERT_EQUAL(w.cpu, 3);
    CU_ASSERT_FALSE(w.migrated);
    CU_ASSERT(w.queued);
    CU_ASSERT_EQUAL_FATAL(w.nr_events, 2);
    CU_ASSERT_EQUAL(w.events[0].ev, CPUS_EV_SCHED_WAKING);
    CU_ASSERT_EQUAL(w.events[1].ev, CPUS_EV_SCHED_WAKEUP);
    CU_ASSERT_EQUAL(w.events[1].cpu, 3);
    cpus_topology_free(t);
}

/* Busy target in the waker's LLC: activated in place, sched_wakeup on the waker's CPU;
 * busy target in another LLC: through its wake list, logged there. */
static void test_wake_queue_decides_logging_cpu(void)
{
    struct cpus_topology *t = topo("{\"cpus\": 4, \"llc\": [[0,1],[2,3]], \"numa\": [0,0,1,1]}");
    struct cpus_task bg[4], p;
    struct cpus_cpu_state cpu[4];
    for (int i = 0; i < 4; i++) {
        cpus_task_init(&bg[i], 100 + i, i, 4);
        cpu[i] = (struct cpus_cpu_state){.nr_running = 1, .load = 1024, .curr = &bg[i]};
    }
    struct cpus_state s = {.now_ns = 0, .nr_cpus = 4, .cpu = cpu};
    struct cpus_migrate_cost c;
    cpus_migrate_cost_default(&c);
    struct cpus_wakeup w;
    cpus_task_init(&p, 7, 1, 4);
    cpus_try_to_wake_up(t, &c, NULL, &s, &p, 0, false, &w); /* weight keeps prev 1 */
    CU_ASSERT_EQUAL(w.cpu, 1);
    CU_ASSERT_FALSE(w.queued);
    CU_ASSERT_EQUAL(w.events[w.nr_events - 1].cpu, 0);
    cpus_task_init(&p, 8, 3, 4);
    cpus_try_to_wake_up(t, &c, NULL, &s, &p, 0, false, &w);
    CU_ASSERT_EQUAL(w.cpu, 3);
    CU_ASSERT(w.queued);
    CU_ASSERT_EQUAL(w.events[w.nr_events - 1].cpu, 3);
    cpus_topology_free(t);
}

static CU_TestInfo cases[] = {
    {"spec trace order, receiver pulled", test_wake_spec_trace_order_receiver_pulled},
    {"no migration, no migrate event", test_wake_no_migration_no_migrate_event},
    {"wake list decides logging CPU", test_wake_queue_decides_logging_cpu},
    CU_TEST_INFO_NULL,
};

CU_MAIN("wake", cases)
