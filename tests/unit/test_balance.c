/* models/sched/balance.c: task_hot() against sysctl_sched_migration_cost (spec §5),
 * can_migrate_task() verdicts, the idle pull and the busy periodic pass of the reduced
 * load balancer. */
#include "models/sched/balance.h"
#include "tests/unit/cu_main.h"

#define MS INT64_C(1000000)

static void test_balance_task_hot_half_millisecond(void)
{
    struct cpus_task p;
    cpus_task_init(&p, 1, 0, 4);
    p.last_ran_ns = 10 * MS;
    CU_ASSERT(cpus_task_hot(&p, 10 * MS + 400000, CPUS_MIGRATION_COST_NS));       /* 0.4 ms */
    CU_ASSERT_FALSE(cpus_task_hot(&p, 10 * MS + 600000, CPUS_MIGRATION_COST_NS)); /* 0.6 ms */
    CU_ASSERT_FALSE(cpus_task_hot(&p, 10 * MS + 500000, CPUS_MIGRATION_COST_NS));
    CU_ASSERT(cpus_task_hot(&p, 10 * MS + 499999, CPUS_MIGRATION_COST_NS));
    CU_ASSERT(cpus_task_hot(&p, 99 * MS, -1));      /* migration_cost_ns = -1: always hot */
    CU_ASSERT_FALSE(cpus_task_hot(&p, 10 * MS, 0)); /* 0: never */
    struct cpus_task fresh;                         /* never ran: cold */
    cpus_task_init(&fresh, 2, 0, 4);
    CU_ASSERT_FALSE(cpus_task_hot(&fresh, 0, CPUS_MIGRATION_COST_NS));
}

static void test_balance_can_migrate_verdicts(void)
{
    struct cpus_task p;
    cpus_task_init(&p, 1, 0, 4);
    p.last_ran_ns = 10 * MS;
    struct cpus_lb_env env = {.src_cpu = 0,
                              .dst_cpu = 1,
                              .level = CPUS_DOM_LLC,
                              .now_ns = 10 * MS + 400000,
                              .migration_cost_ns = CPUS_MIGRATION_COST_NS};
    CU_ASSERT_EQUAL(cpus_can_migrate_task(&p, false, &env), CPUS_LB_HOT);
    env.now_ns = 10 * MS + 600000;
    CU_ASSERT_EQUAL(cpus_can_migrate_task(&p, false, &env), CPUS_LB_MOVE);
    CU_ASSERT_EQUAL(cpus_can_migrate_task(&p, true, &env), CPUS_LB_RUNNING);
    sim_cpumask_unset(&p.allowed, 1);
    CU_ASSERT_EQUAL(cpus_can_migrate_task(&p, false, &env), CPUS_LB_NOT_ALLOWED);
    sim_cpumask_set(&p.allowed, 1);
    /* hot, but balance failed more often than cache_nice_tries (1 for the LLC level) */
    env.now_ns = 10 * MS + 100000;
    env.nr_balance_failed = 1;
    CU_ASSERT_EQUAL(cpus_can_migrate_task(&p, false, &env), CPUS_LB_HOT);
    env.nr_balance_failed = 2;
    CU_ASSERT_EQUAL(cpus_can_migrate_task(&p, false, &env), CPUS_LB_MOVE_FORCED);
    env.level = CPUS_DOM_SYSTEM; /* NUMA: cache_nice_tries 2 */
    CU_ASSERT_EQUAL(cpus_can_migrate_task(&p, false, &env), CPUS_LB_HOT);
    env.level = CPUS_DOM_SMT; /* siblings share the caches: never hot */
    env.nr_balance_failed = 0;
    CU_ASSERT_EQUAL(cpus_can_migrate_task(&p, false, &env), CPUS_LB_MOVE);
    CU_ASSERT_STRING_EQUAL(cpus_lb_verdict_name(CPUS_LB_HOT), "hot");
}

struct bfx {
    struct cpus_topology *t;
    struct cpus_cpu_state cpu[8];
    struct cpus_task tasks[8][4];
    struct cpus_task *q[8][4];
    struct cpus_state s;
};

/* 8 CPUs, LLCs {0-3} {4-7}. CPU c runs tasks[c][0]; tasks[c][1..nr-1] are queued
 * (most recently run first), all cold unless the test warms them. */
static void bfx_init(struct bfx *f)
{
    memset(f, 0, sizeof(*f));
    json_t *root = json_loads("{\"cpus\": 8, \"llc\": [[0,1,2,3],[4,5,6,7]]}", 0, NULL);
    f->t = cpus_topology_from_json(root, "bfx", NULL);
    json_decref(root);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->t);
    f->s = (struct cpus_state){.now_ns = 100 * MS, .nr_cpus = 8, .cpu = f->cpu};
}

static void bfx_load(struct bfx *f, int cpu, unsigned nr)
{
    for (unsigned i = 0; i < nr; i++) {
        cpus_task_init(&f->tasks[cpu][i], cpu * 10 + (int)i, cpu, 8);
        f->tasks[cpu][i].last_ran_ns = 50 * MS; /* cold */
        if (i > 0)
            f->q[cpu][i - 1] = &f->tasks[cpu][i];
    }
    f->cpu[cpu] = (struct cpus_cpu_state){.nr_running = nr,
                                          .load = nr * CPUS_NICE_0_LOAD,
                                          .curr = nr ? &f->tasks[cpu][0] : NULL,
                                          .queued = f->q[cpu],
                                          .nr_queued = nr ? nr - 1 : 0};
}

/* An idle CPU pulls from the busiest CPU of its own LLC before looking across LLCs,
 * and takes the least recently run queued task. */
static void test_balance_idle_pull_prefers_own_llc(void)
{
    struct bfx f;
    bfx_init(&f);
    struct cpus_balance *b = cpus_balance_new(f.t);
    bfx_load(&f, 1, 3);
    bfx_load(&f, 5, 4);
    struct cpus_pull pull;
    CU_ASSERT_FATAL(
        cpus_find_busiest_and_pull(f.t, b, &f.s, 0, CPUS_CPU_IDLE, CPUS_MIGRATION_COST_NS, &pull));
    CU_ASSERT_EQUAL(pull.src_cpu, 1);
    CU_ASSERT_EQUAL(pull.level, CPUS_DOM_LLC);
    CU_ASSERT_PTR_EQUAL(pull.task, &f.tasks[1][2]); /* tail of cfs_tasks */
    CU_ASSERT_EQUAL(pull.verdict, CPUS_LB_MOVE);
    /* The idle pass leaves busy CPUs to cpus_busy_balance(). */
    bfx_load(&f, 0, 1);
    CU_ASSERT_FALSE(
        cpus_find_busiest_and_pull(f.t, b, &f.s, 0, CPUS_CPU_IDLE, CPUS_MIGRATION_COST_NS, &pull));
    cpus_balance_free(b);
    cpus_topology_free(f.t);
}

/* Hot tasks stay; the pull goes across LLCs to a cold one; a pinned task is skipped. */
static void test_balance_skips_hot_and_pinned_tasks(void)
{
    struct bfx f;
    bfx_init(&f);
    struct cpus_balance *b = cpus_balance_new(f.t);
    bfx_load(&f, 1, 2);
    f.tasks[1][1].last_ran_ns = f.s.now_ns - 100000; /* ran 0.1 ms ago: hot */
    bfx_load(&f, 6, 3);
    sim_cpumask_unset(&f.tasks[6][2].allowed, 0); /* tail task pinned away from CPU 0 */
    struct cpus_pull pull;
    CU_ASSERT_FATAL(
        cpus_find_busiest_and_pull(f.t, b, &f.s, 0, CPUS_CPU_IDLE, CPUS_MIGRATION_COST_NS, &pull));
    CU_ASSERT_EQUAL(pull.src_cpu, 6);
    CU_ASSERT_PTR_EQUAL(pull.task, &f.tasks[6][1]);
    CU_ASSERT(pull.level > CPUS_DOM_LLC);
    CU_ASSERT_EQUAL(cpus_balance_failed(b, 0, CPUS_DOM_LLC), 1);
    /* Running tasks are never pulled: a CPU with one runnable task has nothing to give. */
    bfx_load(&f, 6, 1);
    bfx_load(&f, 1, 1);
    CU_ASSERT_FALSE(
        cpus_find_busiest_and_pull(f.t, b, &f.s, 0, CPUS_CPU_IDLE, CPUS_MIGRATION_COST_NS, &pull));
    CU_ASSERT_EQUAL(cpus_balance_failed(b, 0, CPUS_DOM_LLC), 0); /* balanced resets */
    cpus_balance_free(b);
    cpus_topology_free(f.t);
}

/* Periodic balance failing on a hot task counts failures; after cache_nice_tries + 1
 * failures the hot task is moved anyway. Newidle balance does not count. */
static void test_balance_repeated_failures_force_hot_task(void)
{
    struct bfx f;
    bfx_init(&f);
    struct cpus_balance *b = cpus_balance_new(f.t);
    bfx_load(&f, 2, 2);
    f.tasks[2][1].last_ran_ns = f.s.now_ns; /* just ran: hot */
    struct cpus_pull pull;
    for (int i = 0; i < 3; i++)
        CU_ASSERT_FALSE(cpus_find_busiest_and_pull(f.t, b, &f.s, 0, CPUS_CPU_NEWLY_IDLE,
                                                   CPUS_MIGRATION_COST_NS, &pull));
    CU_ASSERT_EQUAL(cpus_balance_failed(b, 0, CPUS_DOM_LLC), 0);
    CU_ASSERT_FALSE(
        cpus_find_busiest_and_pull(f.t, b, &f.s, 0, CPUS_CPU_IDLE, CPUS_MIGRATION_COST_NS, &pull));
    CU_ASSERT_FALSE(
        cpus_find_busiest_and_pull(f.t, b, &f.s, 0, CPUS_CPU_IDLE, CPUS_MIGRATION_COST_NS, &pull));
    CU_ASSERT_EQUAL(cpus_balance_failed(b, 0, CPUS_DOM_LLC), 2);
    CU_ASSERT_FATAL(
        cpus_find_busiest_and_pull(f.t, b, &f.s, 0, CPUS_CPU_IDLE, CPUS_MIGRATION_COST_NS, &pull));
    CU_ASSERT_EQUAL(pull.verdict, CPUS_LB_MOVE_FORCED);
    CU_ASSERT_PTR_EQUAL(pull.task, &f.tasks[2][1]);
    CU_ASSERT_EQUAL(cpus_balance_failed(b, 0, CPUS_DOM_LLC), 0);
    cpus_balance_free(b);
    cpus_balance_free(NULL);
    cpus_topology_free(f.t);
}

#define IV (4 * MS) /* sd->min_interval the engine passes (balance_interval_ns) */

/* Two busy CPUs, 3 runnable vs 1: one cache-cold queued task (least recently run) moves,
 * within the LLC first; the running task stays. */
static void test_balance_busy_three_vs_one_pulls_one_cold_task(void)
{
    struct bfx f;
    bfx_init(&f);
    struct cpus_balance *b = cpus_balance_new(f.t);
    bfx_load(&f, 0, 1);
    bfx_load(&f, 1, 3);
    bfx_load(&f, 5, 4); /* other LLC, busier: looked at only after the LLC level */
    struct cpus_pull pull[4];
    CU_ASSERT_EQUAL_FATAL(cpus_busy_balance(f.t, b, &f.s, 0, IV, CPUS_MIGRATION_COST_NS, pull, 4),
                          1);
    CU_ASSERT_EQUAL(pull[0].src_cpu, 1);
    CU_ASSERT_EQUAL(pull[0].level, CPUS_DOM_LLC);
    CU_ASSERT_PTR_EQUAL(pull[0].task, &f.tasks[1][2]);
    CU_ASSERT_EQUAL(pull[0].verdict, CPUS_LB_MOVE);
    CU_ASSERT_EQUAL(cpus_balance_sd_interval(b, 0, CPUS_DOM_LLC, IV), IV);
    /* An idle this_cpu is the idle pass's business. */
    bfx_load(&f, 2, 0);
    f.s.now_ns = 1000 * MS;
    CU_ASSERT_EQUAL(cpus_busy_balance(f.t, b, &f.s, 2, IV, CPUS_MIGRATION_COST_NS, pull, 4), 0);
    cpus_balance_free(b);
    cpus_topology_free(f.t);
}

/* 2 vs 1 (and 3 vs 2) is as even as whole tasks get: nothing moves, and the balanced
 * domain's interval doubles to sd->max_interval (2 x min) and no further. */
static void test_balance_busy_two_vs_one_is_balanced(void)
{
    struct bfx f;
    bfx_init(&f);
    struct cpus_balance *b = cpus_balance_new(f.t);
    bfx_load(&f, 0, 1);
    bfx_load(&f, 1, 2);
    bfx_load(&f, 4, 2);
    struct cpus_pull pull[4];
    CU_ASSERT_EQUAL(cpus_busy_balance(f.t, b, &f.s, 0, IV, CPUS_MIGRATION_COST_NS, pull, 4), 0);
    CU_ASSERT_EQUAL(cpus_balance_sd_interval(b, 0, CPUS_DOM_LLC, IV), 2 * IV);
    CU_ASSERT_EQUAL(cpus_balance_failed(b, 0, CPUS_DOM_LLC), 0);
    bfx_load(&f, 0, 2);
    bfx_load(&f, 1, 3);
    f.s.now_ns = 1000 * MS;
    CU_ASSERT_EQUAL(cpus_busy_balance(f.t, b, &f.s, 0, IV, CPUS_MIGRATION_COST_NS, pull, 4), 0);
    CU_ASSERT_EQUAL(cpus_balance_sd_interval(b, 0, CPUS_DOM_LLC, IV), 2 * IV);
    cpus_balance_free(b);
    cpus_topology_free(f.t);
}

/* A busy CPU balances every balance_interval x busy_factor (16), not every interval:
 * with a 4 ms interval the first pass is at 64 ms, the next 64 ms after it. */
static void test_balance_busy_interval_is_sixteen_times_longer(void)
{
    struct bfx f;
    bfx_init(&f);
    struct cpus_balance *b = cpus_balance_new(f.t);
    bfx_load(&f, 0, 1);
    bfx_load(&f, 1, 3);
    struct cpus_pull pull[4];
    for (int64_t t = IV; t < 16 * IV; t += IV) {
        f.s.now_ns = t;
        CU_ASSERT_FALSE(cpus_busy_balance_due(f.t, b, 0, t, IV));
        CU_ASSERT_EQUAL(cpus_busy_balance(f.t, b, &f.s, 0, IV, CPUS_MIGRATION_COST_NS, pull, 4), 0);
    }
    f.s.now_ns = 16 * IV;
    CU_ASSERT(cpus_busy_balance_due(f.t, b, 0, f.s.now_ns, IV));
    CU_ASSERT_EQUAL(cpus_busy_balance(f.t, b, &f.s, 0, IV, CPUS_MIGRATION_COST_NS, pull, 4), 1);
    /* The package level, still due, runs on the next tick and finds 2 vs 2. */
    bfx_load(&f, 0, 2);
    bfx_load(&f, 1, 2);
    f.s.now_ns = 17 * IV;
    CU_ASSERT_EQUAL(cpus_busy_balance(f.t, b, &f.s, 0, IV, CPUS_MIGRATION_COST_NS, pull, 4), 0);
    /* 3 vs 1 again: the LLC level waits until 64 ms after its last pass. */
    bfx_load(&f, 0, 1);
    bfx_load(&f, 1, 3);
    f.s.now_ns = 16 * IV + 15 * IV;
    CU_ASSERT_FALSE(cpus_busy_balance_due(f.t, b, 0, f.s.now_ns, IV));
    CU_ASSERT_EQUAL(cpus_busy_balance(f.t, b, &f.s, 0, IV, CPUS_MIGRATION_COST_NS, pull, 4), 0);
    f.s.now_ns = 32 * IV;
    CU_ASSERT_EQUAL(cpus_busy_balance(f.t, b, &f.s, 0, IV, CPUS_MIGRATION_COST_NS, pull, 4), 1);
    CU_ASSERT_EQUAL(pull[0].level, CPUS_DOM_LLC);
    cpus_balance_free(b);
    cpus_topology_free(f.t);
}

/* Queued tasks that ran < 0.5 ms ago stay while nr_balance_failed <= cache_nice_tries
 * (1 at the LLC level); the third failing pass moves one anyway (MOVE_FORCED). */
static void test_balance_busy_hot_task_waits_for_cache_nice_tries(void)
{
    struct bfx f;
    bfx_init(&f);
    struct cpus_balance *b = cpus_balance_new(f.t);
    bfx_load(&f, 0, 1);
    bfx_load(&f, 1, 3);
    struct cpus_pull pull[4];
    for (unsigned pass = 1; pass <= 2; pass++) {
        f.s.now_ns = (int64_t)pass * 16 * IV;
        f.tasks[1][1].last_ran_ns = f.tasks[1][2].last_ran_ns = f.s.now_ns - 100000;
        CU_ASSERT_EQUAL(cpus_busy_balance(f.t, b, &f.s, 0, IV, CPUS_MIGRATION_COST_NS, pull, 4), 0);
        CU_ASSERT_EQUAL(cpus_balance_failed(b, 0, CPUS_DOM_LLC), pass);
        CU_ASSERT_EQUAL(cpus_balance_sd_interval(b, 0, CPUS_DOM_LLC, IV), IV); /* unbalanced */
    }
    f.s.now_ns = 3 * 16 * IV;
    f.tasks[1][1].last_ran_ns = f.tasks[1][2].last_ran_ns = f.s.now_ns - 100000;
    CU_ASSERT_EQUAL_FATAL(cpus_busy_balance(f.t, b, &f.s, 0, IV, CPUS_MIGRATION_COST_NS, pull, 4),
                          1);
    CU_ASSERT_EQUAL(pull[0].verdict, CPUS_LB_MOVE_FORCED);
    CU_ASSERT_PTR_EQUAL(pull[0].task, &f.tasks[1][2]);
    CU_ASSERT_EQUAL(cpus_balance_failed(b, 0, CPUS_DOM_LLC), 0);
    cpus_balance_free(b);
    cpus_topology_free(f.t);
}

/* Pinned tasks never move: a source whose tasks are all pinned elsewhere is dropped
 * (LBF_ALL_PINNED) and the next busiest CPU gives a task instead; with only pinned
 * tasks around nothing moves and the failure counter stays at 0. */
static void test_balance_busy_never_moves_pinned_tasks(void)
{
    struct bfx f;
    bfx_init(&f);
    struct cpus_balance *b = cpus_balance_new(f.t);
    bfx_load(&f, 0, 1);
    bfx_load(&f, 1, 3);
    for (int i = 0; i < 3; i++) {
        sim_cpumask_clear(&f.tasks[1][i].allowed);
        sim_cpumask_set(&f.tasks[1][i].allowed, 1); /* per-CPU kthreads, e.g. ksoftirqd/1 */
    }
    bfx_load(&f, 2, 3);
    f.s.now_ns = 16 * IV;
    struct cpus_pull pull[4];
    CU_ASSERT_EQUAL_FATAL(cpus_busy_balance(f.t, b, &f.s, 0, IV, CPUS_MIGRATION_COST_NS, pull, 4),
                          1);
    CU_ASSERT_EQUAL(pull[0].src_cpu, 2);
    CU_ASSERT_PTR_EQUAL(pull[0].task, &f.tasks[2][2]);
    bfx_load(&f, 2, 1);
    f.s.now_ns = 32 * IV;
    CU_ASSERT_EQUAL(cpus_busy_balance(f.t, b, &f.s, 0, IV, CPUS_MIGRATION_COST_NS, pull, 4), 0);
    CU_ASSERT_EQUAL(cpus_balance_failed(b, 0, CPUS_DOM_LLC), 0);
    cpus_balance_free(b);
    cpus_topology_free(f.t);
}

static CU_TestInfo cases[] = {
    {"task_hot 0.4 ms vs 0.6 ms", test_balance_task_hot_half_millisecond},
    {"can_migrate verdicts", test_balance_can_migrate_verdicts},
    {"idle pull prefers own LLC", test_balance_idle_pull_prefers_own_llc},
    {"skips hot and pinned tasks", test_balance_skips_hot_and_pinned_tasks},
    {"repeated failures force hot task", test_balance_repeated_failures_force_hot_task},
    {"busy 3 vs 1 pulls one cold task", test_balance_busy_three_vs_one_pulls_one_cold_task},
    {"busy 2 vs 1 is balanced", test_balance_busy_two_vs_one_is_balanced},
    {"busy interval is 16x", test_balance_busy_interval_is_sixteen_times_longer},
    {"busy hot task waits for cache_nice_tries",
     test_balance_busy_hot_task_waits_for_cache_nice_tries},
    {"busy never moves pinned tasks", test_balance_busy_never_moves_pinned_tasks},
    CU_TEST_INFO_NULL,
};

CU_MAIN("balance", cases)
