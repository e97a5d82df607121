/* models/sched/migrate.c: refill penalties grow with distance, set_task_cpu() accounting
 * (sched_migrate_task only on a real move), affinity changes, and the cost JSON. */
#include "models/sched/fair.h"
#include "models/sched/migrate.h"
#include "sim/core/err.h"
#include "tests/unit/cu_main.h"

static struct cpus_topology *two_socket(void)
{
    json_t *root = json_loads("{\"cpus\": 8, \"llc\": [[0,1],[2,3],[4,5],[6,7]],"
                              " \"numa\": [0,0,0,0,1,1,1,1], \"smt\": [[0,1]]}",
                              0, NULL);
    struct cpus_topology *t = cpus_topology_from_json(root, "t", NULL);
    json_decref(root);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

static void test_migrate_penalty_grows_with_distance(void)
{
    struct cpus_topology *t = two_socket();
    struct cpus_migrate_cost c;
    cpus_migrate_cost_default(&c);
    /* 256 KiB = 4096 lines; / 8 in flight; x 40 / 90 / 140 ns */
    CU_ASSERT_EQUAL(c.llc_ns, 20480);
    CU_ASSERT_EQUAL(c.cross_llc_ns, 46080);
    CU_ASSERT_EQUAL(c.cross_numa_ns, 71680);
    CU_ASSERT_EQUAL(cpus_migrate_penalty(&c, t, 3, 3), 0);
    CU_ASSERT_EQUAL(cpus_migrate_penalty(&c, t, 0, 1), 0); /* SMT siblings */
    int64_t same_llc = cpus_migrate_penalty(&c, t, 2, 3);
    int64_t cross_llc = cpus_migrate_penalty(&c, t, 1, 3);
    int64_t cross_numa = cpus_migrate_penalty(&c, t, 3, 4);
    CU_ASSERT(same_llc > 0);
    CU_ASSERT(cross_llc > same_llc);
    CU_ASSERT(cross_numa > cross_llc);
    cpus_topology_free(t);
}

static void test_migrate_set_task_cpu_counts_and_charges(void)
{
    struct cpus_topology *t = two_socket();
    struct cpus_migrate_cost c;
    cpus_migrate_cost_default(&c);
    struct cpus_migrate_stats st = {0};
    struct cpus_task p;
    cpus_task_init(&p, 1, 2, 8);
    CU_ASSERT_FALSE(cpus_set_task_cpu(t, &c, &st, &p, 2, CPUS_MIGRATE_WAKEUP));
    CU_ASSERT_EQUAL(p.nr_migrations[CPUS_MIGRATE_WAKEUP], 0);
    CU_ASSERT(cpus_set_task_cpu(t, &c, &st, &p, 3, CPUS_MIGRATE_WAKEUP));
    CU_ASSERT(cpus_set_task_cpu(t, &c, &st, &p, 6, CPUS_MIGRATE_BALANCE));
    CU_ASSERT(cpus_set_task_cpu(t, &c, NULL, &p, 7, CPUS_MIGRATE_BALANCE));
    CU_ASSERT_EQUAL(p.cpu, 7);
    CU_ASSERT_EQUAL(p.nr_migrations[CPUS_MIGRATE_WAKEUP], 1);
    CU_ASSERT_EQUAL(p.nr_migrations[CPUS_MIGRATE_BALANCE], 2);
    CU_ASSERT_EQUAL(st.nr[CPUS_MIGRATE_WAKEUP], 1);
    CU_ASSERT_EQUAL(st.nr[CPUS_MIGRATE_BALANCE], 1);
    CU_ASSERT_EQUAL(st.by_level[CPUS_DOM_LLC], 1);
    CU_ASSERT_EQUAL(st.by_level[CPUS_DOM_SYSTEM], 1);
    CU_ASSERT_EQUAL(st.penalty_ns, c.llc_ns + c.cross_numa_ns);
    CU_ASSERT_EQUAL(cpus_task_take_penalty(&p), c.llc_ns + c.cross_numa_ns + c.llc_ns);
    CU_ASSERT_EQUAL(cpus_task_take_penalty(&p), 0);
    CU_ASSERT_STRING_EQUAL(cpus_migrate_reason_name(CPUS_MIGRATE_AFFINITY), "affinity");
    cpus_topology_free(t);
}

/* sched_setaffinity(): a runnable task leaves a CPU dropped from its mask at once; a
 * sleeping one is moved by its next wake-up (counted as a wake-up migration). */
static void test_migrate_set_affinity_forces_move(void)
{
    struct cpus_topology *t = two_socket();
    struct cpus_migrate_cost c;
    cpus_migrate_cost_default(&c);
    struct cpus_migrate_stats st = {0};
    struct cpus_task p;
    cpus_task_init(&p, 1, 5, 8);
    struct sim_cpumask m;
    sim_cpumask_clear(&m);
    sim_cpumask_set(&m, 1);
    sim_cpumask_set(&m, 6);
    CU_ASSERT_EQUAL(cpus_set_affinity(t, &c, &st, &p, &m, true), 6); /* next after 5 */
    CU_ASSERT_EQUAL(p.nr_migrations[CPUS_MIGRATE_AFFINITY], 1);
    CU_ASSERT(sim_cpumask_equal(&p.allowed, &m));
    /* current CPU still allowed: no move */
    sim_cpumask_set(&m, 0);
    CU_ASSERT_EQUAL(cpus_set_affinity(t, &c, &st, &p, &m, true), 6);
    CU_ASSERT_EQUAL(st.nr[CPUS_MIGRATE_AFFINITY], 1);
    /* sleeping: stays until woken, then lands inside the mask */
    sim_cpumask_clear(&m);
    sim_cpumask_set(&m, 2);
    sim_cpumask_set(&m, 3);
    CU_ASSERT_EQUAL(cpus_set_affinity(t, &c, &st, &p, &m, false), 6);
    CU_ASSERT_EQUAL(st.nr[CPUS_MIGRATE_AFFINITY], 1);
    struct cpus_cpu_state cpu[8] = {0};
    struct cpus_state s = {.now_ns = 0, .nr_cpus = 8, .cpu = cpu};
    int dst = cpus_select_task_rq_fair(t, &s, &p, 6, true, NULL);
    CU_ASSERT(dst == 2 || dst == 3);
    CU_ASSERT(cpus_set_task_cpu(t, &c, &st, &p, dst, CPUS_MIGRATE_WAKEUP));
    CU_ASSERT_EQUAL(p.nr_migrations[CPUS_MIGRATE_WAKEUP], 1);
    /* no CPU of the topology in the mask: refused, mask unchanged */
    struct sim_cpumask bad;
    sim_cpumask_clear(&bad);
    sim_cpumask_set(&bad, 100);
    CU_ASSERT_EQUAL(cpus_set_affinity(t, &c, &st, &p, &bad, true), -1);
    CU_ASSERT(sim_cpumask_equal(&p.allowed, &m));
    /* CPUs beyond the topology are dropped from an otherwise valid mask */
    sim_cpumask_set(&bad, 4);
    CU_ASSERT_EQUAL(cpus_set_affinity(t, &c, &st, &p, &bad, true), 4);
    CU_ASSERT_EQUAL(sim_cpumask_weight(&p.allowed), 1);
    cpus_topology_free(t);
}

static bool cost_json(const char *text, struct cpus_migrate_cost *c, GError **err)
{
    json_t *root = json_loads(text, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    bool ok = cpus_migrate_cost_from_json(root, "/sched/migration_cost", c, err);
    json_decref(root);
    return ok;
}

static void test_migrate_cost_from_json(void)
{
    struct cpus_migrate_cost c, d;
    GError *err = NULL;
    cpus_migrate_cost_default(&d);
    CU_ASSERT(cost_json("{}", &c, &err));
    CU_ASSERT_EQUAL(memcmp(&c, &d, sizeof(c)), 0);
    CU_ASSERT(cost_json("{\"working_set_bytes\": 1048576, \"mlp\": 4}", &c, &err));
    CU_ASSERT_EQUAL(c.llc_ns, 16384 * 40 / 4);
    CU_ASSERT(cost_json("{\"cross_numa_ns\": 200000, \"smt_ns\": 500}", &c, &err));
    CU_ASSERT_EQUAL(c.cross_numa_ns, 200000);
    CU_ASSERT_EQUAL(c.smt_ns, 500);
    CU_ASSERT_EQUAL(c.llc_ns, d.llc_ns);

    c = d;
    CU_ASSERT_FALSE(cost_json("{\"llc_ns\": -5}", &c, &err));
    CU_ASSERT(err && strstr(err->message, "/sched/migration_cost/llc_ns"));
    g_clear_error(&err);
    CU_ASSERT_FALSE(cost_json("{\"mlp\": 0}", &c, &err));
    CU_ASSERT(err && strstr(err->message, "/sched/migration_cost/mlp"));
    g_clear_error(&err);
    CU_ASSERT_FALSE(cost_json("{\"l2_ns\": 5}", &c, &err));
    CU_ASSERT(err && strstr(err->message, "l2_ns"));
    g_clear_error(&err);
    CU_ASSERT_EQUAL(memcmp(&c, &d, sizeof(c)), 0); /* untouched on error */
}

static CU_TestInfo cases[] = {
    {"penalty grows with distance", test_migrate_penalty_grows_with_distance},
    {"set_task_cpu counts and charges", test_migrate_set_task_cpu_counts_and_charges},
    {"set_affinity forces move", test_migrate_set_affinity_forces_move},
    {"cost from JSON", test_migrate_cost_from_json},
    CU_TEST_INFO_NULL,
};

CU_MAIN("migrate", cases)
