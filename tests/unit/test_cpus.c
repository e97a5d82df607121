/* models/sched/cpus.c: the engine's run queues wired to select_task_rq_fair, the refill
 * penalty, SCHED_FIFO ksoftirqd, CFS slices and the cache-hot newidle pull. */
#include "models/sched/cpus.h"
#include "tests/unit/cu_main.h"

static bool noop_step(struct cpus_thread *t, void *arg)
{
    (void)t;
    (void)arg;
    return true;
}

static struct cpus_sched *sched2(void)
{
    struct cpus_sched *s = cpus_new(2, 3000000);
    struct cpus_sched_cfg c;
    cpus_sched_cfg_defaults(&c);
    cpus_configure(s, &c);
    return s;
}

/* A pinned thread running on `cpu` since `now`. */
static struct cpus_thread *running(struct cpus_sched *s, const char *name, unsigned cpu,
                                   uint64_t now)
{
    struct cpus_thread *t = cpus_thread_new(s, name, cpu, noop_step, NULL);
    bool sw;
    CU_ASSERT_TRUE(cpus_wake(s, t));
    CU_ASSERT_PTR_EQUAL(cpus_schedule(s, cpu, now, &sw), t);
    return t;
}

static struct cpus_thread *free_thread(struct cpus_sched *s, const char *name, unsigned cpu)
{
    struct cpus_thread *t = cpus_thread_new(s, name, cpu, noop_step, NULL);
    struct sim_cpumask all;
    sim_cpumask_fill(&all, 2);
    CU_ASSERT_TRUE(cpus_thread_set_affinity(s, t, &all));
    return t;
}

/* Both CPUs busy, WF_SYNC wake-up from the softirq on CPU0: wake_affine_idle's sync rule
 * takes the waker's CPU, the receiver migrates (reason wakeup) and owes the LLC refill. */
static void test_cpus_wake_affine_pulls_receiver_to_softirq_cpu_when_prev_busy(void)
{
    struct cpus_sched *s = sched2();
    running(s, "a", 0, 0);
    running(s, "b", 1, 0);
    struct cpus_thread *p = free_thread(s, "rx", 1);
    CU_ASSERT_TRUE(cpus_wake_from(s, p, 0, true, 1000));
    CU_ASSERT_EQUAL(p->cpu, 0);
    CU_ASSERT_EQUAL(p->task.cpu, 0);
    CU_ASSERT_EQUAL(p->task.nr_migrations[CPUS_MIGRATE_WAKEUP], 1);
    CU_ASSERT_EQUAL(cpus_migrations_in(s, 0), 1);
    struct cpus_migrate_cost c;
    cpus_migrate_cost_default(&c);
    CU_ASSERT_EQUAL(cpus_take_penalty(s, p), (uint64_t)c.llc_ns);
    CU_ASSERT_EQUAL(cpus_take_penalty(s, p), 0); /* paid once */
    CU_ASSERT_EQUAL(p->penalty_ns, (uint64_t)c.llc_ns);
    CU_ASSERT_EQUAL(p->wakeups, 1);
    cpus_free(s);
}

/* An idle previous CPU keeps the thread (no migration, no penalty). */
static void test_cpus_wake_keeps_idle_prev(void)
{
    struct cpus_sched *s = sched2();
    running(s, "a", 0, 0);
    struct cpus_thread *p = free_thread(s, "rx", 1);
    CU_ASSERT_TRUE(cpus_wake_from(s, p, 0, true, 1000));
    CU_ASSERT_EQUAL(p->cpu, 1);
    CU_ASSERT_EQUAL(p->task.nr_migrations[CPUS_MIGRATE_WAKEUP], 0);
    CU_ASSERT_EQUAL(cpus_take_penalty(s, p), 0);
    CU_ASSERT_FALSE(cpus_wake_from(s, p, 0, true, 2000)); /* already runnable */
    cpus_free(s);
}

/* DELAY_DEQUEUE (6.12): "rx" runs 2 ms on CPU 1 next to "b" that has run nothing, blocks
 * ahead of b's vruntime (not eligible), so it stays queued, sched_delayed; a sync wake-up
 * from CPU 0 before CPU 1 went idle requeues it in place (ttwu_runnable), where an earlier
 * kernel's wake_affine pulls it to the waker. Once CPU 1 has gone idle it has left. */
static void test_cpus_delayed_dequeue_keeps_an_ineligible_sleeper_in_place(void)
{
    for (int delay = 0; delay <= 1; delay++) {
        struct cpus_sched *s = cpus_new(2, 3000000);
        struct cpus_sched_cfg c;
        cpus_sched_cfg_defaults(&c);
        c.delay_dequeue = delay;
        cpus_configure(s, &c);
        running(s, "a", 0, 0);
        struct cpus_thread *p = free_thread(s, "rx", 1);
        bool sw;
        CU_ASSERT_TRUE(cpus_wake(s, p));
        CU_ASSERT_PTR_EQUAL(cpus_schedule(s, 1, 0, &sw), p);
        struct cpus_thread *b = cpus_thread_new(s, "b", 1, noop_step, NULL);
        CU_ASSERT_TRUE(cpus_wake(s, b));
        cpus_block_at(s, 1, 2000000);
        CU_ASSERT_PTR_EQUAL(cpus_schedule(s, 1, 2000000, &sw), b);
        CU_ASSERT_TRUE(cpus_wake_from(s, p, 0, true, 2100000));
        CU_ASSERT_EQUAL(p->cpu, delay ? 1u : 0u);
        cpus_free(s);
    }
}

/* ksoftirqd as SCHED_FIFO preempts the running CFS thread at once; as SCHED_OTHER with
 * vruntime already ahead it waits for the CFS slice. */
static void test_cpus_fifo_ksoftirqd_preempts_cfs_thread(void)
{
    struct cpus_sched *s = sched2();
    struct cpus_thread *hog = running(s, "hog", 0, 0);
    struct cpus_thread *k = cpus_thread_new(s, "ksoftirqd/0", 0, noop_step, NULL);
    k->is_ksoftirqd = true;
    struct cpus_sched_cfg c;
    cpus_sched_cfg_defaults(&c);
    c.ksoftirqd_fifo = true;
    cpus_configure(s, &c);
    CU_ASSERT_EQUAL(k->policy, CPUS_SCHED_FIFO);
    CU_ASSERT_TRUE(cpus_wake(s, k));
    CU_ASSERT_TRUE(cpus_need_resched(s, 0, 10000));
    bool sw;
    CU_ASSERT_PTR_EQUAL(cpus_schedule(s, 0, 10000, &sw), k);
    CU_ASSERT_TRUE(sw);
    CU_ASSERT_FALSE(cpus_need_resched(s, 0, 50000000)); /* FIFO runs until it blocks */
    cpus_block_at(s, 0, 60000000);
    CU_ASSERT_PTR_EQUAL(cpus_schedule(s, 0, 60000000, &sw), hog);

    c.ksoftirqd_fifo = false;
    cpus_configure(s, &c);
    CU_ASSERT_EQUAL(k->policy, CPUS_SCHED_OTHER);
    k->vruntime = hog->vruntime + 10000000; /* it has had more than its share */
    CU_ASSERT_TRUE(cpus_wake(s, k));
    CU_ASSERT_FALSE(cpus_need_resched(s, 0, 60001000));
    CU_ASSERT_TRUE(cpus_need_resched(s, 0, 63000000)); /* slice of 3 ms used up */
    cpus_free(s);
}

/* sched_setscheduler() on a queued thread: made SCHED_FIFO it preempts the CFS thread
 * at once; made SCHED_OTHER again (still queued, vruntime ahead) it waits for the slice. */
static void test_cpus_policy_change_while_queued(void)
{
    struct cpus_sched *s = sched2();
    struct cpus_thread *hog = running(s, "hog", 0, 0);
    struct cpus_thread *t = cpus_thread_new(s, "t", 0, noop_step, NULL);
    CU_ASSERT_TRUE(cpus_wake(s, t));
    t->vruntime = hog->vruntime + 10000000;
    CU_ASSERT_FALSE(cpus_need_resched(s, 0, 1000));
    cpus_thread_set_policy(s, t, CPUS_SCHED_FIFO);
    CU_ASSERT_TRUE(cpus_need_resched(s, 0, 2000));
    cpus_thread_set_policy(s, t, CPUS_SCHED_OTHER);
    CU_ASSERT_FALSE(cpus_need_resched(s, 0, 3000));
    cpus_free(s);
}

/* A pinned task (nr_cpus_allowed == 1) is one bit in any word; none or two are not. */
static void test_cpus_mask_single_is_weight_one(void)
{
    struct sim_cpumask m;
    sim_cpumask_clear(&m);
    CU_ASSERT_FALSE(sim_cpumask_single(&m));
    int sets[][2] = {{5, -1}, {1000, -1}, {5, 900}, {1, 2}, {63, 64}};
    for (unsigned i = 0; i < G_N_ELEMENTS(sets); i++) {
        sim_cpumask_clear(&m);
        sim_cpumask_set(&m, sets[i][0]);
        sim_cpumask_set(&m, sets[i][1]);
        CU_ASSERT_EQUAL(sim_cpumask_single(&m), sim_cpumask_weight(&m) == 1);
    }
    sim_cpumask_fill(&m, 16);
    CU_ASSERT_FALSE(sim_cpumask_single(&m));
}

/* Two CFS threads share a CPU in slices of max(latency / nr, min_granularity). */
static void test_cpus_cfs_slices_alternate(void)
{
    struct cpus_sched *s = sched2();
    struct cpus_thread *a = running(s, "a", 0, 0);
    struct cpus_thread *b = cpus_thread_new(s, "b", 0, noop_step, NULL);
    CU_ASSERT_TRUE(cpus_wake(s, b));
    b->vruntime = 0;
    bool sw;
    CU_ASSERT_FALSE(cpus_need_resched(s, 0, 1000000));
    CU_ASSERT_TRUE(cpus_need_resched(s, 0, 3000000));
    CU_ASSERT_PTR_EQUAL(cpus_schedule(s, 0, 3000000, &sw), b);
    CU_ASSERT_EQUAL(a->vruntime, 3000000);
    CU_ASSERT_TRUE(cpus_need_resched(s, 0, 6000000));
    CU_ASSERT_PTR_EQUAL(cpus_schedule(s, 0, 6000000, &sw), a);
    cpus_free(s);
}

/* A CPU going idle pulls a queued thread only when it is cache-cold (task_hot: ran less
 * than 0.5 ms ago = hot); the move counts as a balance migration. */
static void test_cpus_newidle_pull_respects_cache_hot(void)
{
    struct cpus_sched *s = sched2();
    running(s, "a", 0, 0);
    struct cpus_thread *b = free_thread(s, "b", 0);
    CU_ASSERT_TRUE(cpus_wake(s, b));
    b->task.last_ran_ns = 1000000 - 100000; /* ran 0.1 ms ago */
    bool sw;
    CU_ASSERT_PTR_NULL(cpus_schedule(s, 1, 1000000, &sw));
    CU_ASSERT_EQUAL(b->cpu, 0);
    b->task.last_ran_ns = 1000000 - 600000; /* 0.6 ms: cold */
    CU_ASSERT_PTR_EQUAL(cpus_schedule(s, 1, 1000000, &sw), b);
    CU_ASSERT_EQUAL(b->cpu, 1);
    CU_ASSERT_EQUAL(b->task.nr_migrations[CPUS_MIGRATE_BALANCE], 1);
    CU_ASSERT_EQUAL(cpus_migrate_totals(s)->nr[CPUS_MIGRATE_BALANCE], 1);
    cpus_free(s);
}

/* A pinned thread is never moved by a wake-up from another CPU. */
static void test_cpus_pinned_thread_stays(void)
{
    struct cpus_sched *s = sched2();
    running(s, "a", 0, 0);
    running(s, "b", 1, 0);
    struct cpus_thread *p = cpus_thread_new(s, "pinned", 1, noop_step, NULL);
    CU_ASSERT_TRUE(cpus_wake_from(s, p, 0, true, 1000));
    CU_ASSERT_EQUAL(p->cpu, 1);
    struct sim_cpumask none;
    sim_cpumask_clear(&none);
    sim_cpumask_set(&none, 5);
    CU_ASSERT_FALSE(cpus_thread_set_affinity(s, p, &none)); /* CPU 5 does not exist */
    cpus_free(s);
}

/* The simcore contract: wake-ups queue on the thread's CPU, need_resched for the idle
 * task and after a used-up slice (cpus_new: slice = latency / 2 for two threads),
 * switching between two threads. */
static void test_cpus_wake_preempts_idle_and_slices_rotate(void)
{
    struct cpus_sched *s = cpus_new(2, 1000);
    struct cpus_thread *a = cpus_thread_new(s, "a", 1, noop_step, NULL);
    struct cpus_thread *b = cpus_thread_new(s, "b", 1, noop_step, NULL);
    CU_ASSERT_FALSE(cpus_need_resched(s, 1, 0));
    CU_ASSERT_TRUE(cpus_wake(s, a));
    CU_ASSERT_FALSE(cpus_wake(s, a));           /* already runnable */
    CU_ASSERT_TRUE(cpus_need_resched(s, 1, 0)); /* idle task with work queued */
    CU_ASSERT_FALSE(cpus_need_resched(s, 0, 0));
    bool sw;
    CU_ASSERT_PTR_EQUAL(cpus_schedule(s, 1, 0, &sw), a);
    CU_ASSERT_TRUE(sw);
    cpus_wake(s, b);
    CU_ASSERT_FALSE(cpus_need_resched(s, 1, 999));
    CU_ASSERT_TRUE(cpus_need_resched(s, 1, 1000)); /* slice used up, b waits */
    CU_ASSERT_PTR_EQUAL(cpus_schedule(s, 1, 1000, &sw), b);
    CU_ASSERT_EQUAL(a->state, CPUS_RUNNABLE);
    cpus_block(s, 1);
    CU_ASSERT_EQUAL(b->state, CPUS_SLEEPING);
    CU_ASSERT_PTR_EQUAL(cpus_schedule(s, 1, 2000, &sw), a);
    CU_ASSERT_PTR_EQUAL(cpus_thread_get(s, 1), b);
    cpus_free(s);
}

/* ttwu_queue_cond() as cpus_ttwu reports it (flat topology: one LLC): a pinned reader
 * woken from another CPU goes on the wake list only when its CPU is idle; a wake-up from
 * its own CPU never does; a busy target gets it under its rq lock (no IPI). */
static void test_cpus_ttwu_reports_the_wake_list_path(void)
{
    struct cpus_sched *s = sched2();
    struct cpus_thread *p = cpus_thread_new(s, "rx", 1, noop_step, NULL);
    struct cpus_ttwu w;
    CU_ASSERT_TRUE(cpus_ttwu(s, p, 0, true, 1000, &w));
    CU_ASSERT_EQUAL(w.cpu, 1);
    CU_ASSERT_TRUE(w.queued); /* idle target */
    CU_ASSERT_FALSE(w.preempt);
    bool sw;
    CU_ASSERT_PTR_EQUAL(cpus_schedule(s, 1, 1000, &sw), p);
    cpus_block_at(s, 1, 2000);
    CU_ASSERT_TRUE(cpus_ttwu(s, p, 1, true, 3000, &w));
    CU_ASSERT_FALSE(w.queued); /* local */
    CU_ASSERT_PTR_EQUAL(cpus_schedule(s, 1, 3000, &sw), p);
    cpus_block_at(s, 1, 4000);
    running(s, "b", 1, 4000);
    CU_ASSERT_TRUE(cpus_ttwu(s, p, 0, true, 5000, &w));
    CU_ASSERT_FALSE(w.queued); /* busy target sharing our LLC */
    cpus_free(s);
}

static void no_kick(void *ctx, unsigned cpu)
{
    (void)ctx;
    (void)cpu;
}

static void runnable_per_cpu(const struct cpus_sched *s, unsigned n[4])
{
    for (unsigned c = 0; c < 4; c++)
        n[c] = cpus_nr_queued(s, c) + (cpus_current(s, c) ? 1 : 0);
}

/* Six CPU-bound threads started on CPU0 of a 4-CPU host: the first 4 ms balance tick
 * lets each idle CPU pull one (3,1,1,1); the busy pass, due after 4 ms x busy_factor 16,
 * evens it to two CPUs with 2 and two with 1, and then nothing moves any more. */
static void test_cpus_busy_balance_spreads_hogs(void)
{
    struct cpus_sched *s = cpus_new(4, 3000000);
    struct cpus_sched_cfg c;
    cpus_sched_cfg_defaults(&c);
    cpus_configure(s, &c);
    struct sim_cpumask all;
    sim_cpumask_fill(&all, 4);
    for (int i = 0; i < 6; i++) {
        struct cpus_thread *t = cpus_thread_new(s, "hog", 0, noop_step, NULL);
        CU_ASSERT_TRUE(cpus_thread_set_affinity(s, t, &all));
        CU_ASSERT_TRUE(cpus_wake(s, t));
    }
    const uint64_t step = 100000, tick = cpus_balance_interval(s);
    unsigned n[4];
    uint64_t balance_moves_at_100ms = 0;
    for (uint64_t now = 0; now <= 300 * step * 10; now += step) {
        if (now > 0 && now % tick == 0)
            cpus_balance_tick(s, now, no_kick, NULL);
        for (unsigned cpu = 0; cpu < 4; cpu++) {
            bool sw;
            if (cpus_need_resched(s, cpu, now))
                cpus_schedule(s, cpu, now, &sw);
        }
        runnable_per_cpu(s, n);
        if (now == 60 * step * 10) {
            CU_ASSERT_EQUAL(n[0], 3);
            CU_ASSERT(n[1] == 1 && n[2] == 1 && n[3] == 1);
        }
        if (now == 100 * step * 10) {
            CU_ASSERT(n[0] == 2 && n[1] == 2 && n[2] == 1 && n[3] == 1);
            balance_moves_at_100ms = cpus_migrate_totals(s)->nr[CPUS_MIGRATE_BALANCE];
        }
    }
    runnable_per_cpu(s, n);
    CU_ASSERT(n[0] == 2 && n[1] == 2 && n[2] == 1 && n[3] == 1);
    CU_ASSERT_EQUAL(balance_moves_at_100ms, 4);
    CU_ASSERT_EQUAL(cpus_migrate_totals(s)->nr[CPUS_MIGRATE_BALANCE], 4); /* no ping-pong */
    cpus_free(s);
}

/* pick_next_entity(): smallest vruntime first, equal vruntimes in enqueue order (the
 * rbtree's leftmost walk); a SCHED_FIFO thread, even one switched while queued, first. */
static void test_cpus_pick_order_vruntime_then_enqueue(void)
{
    struct cpus_sched *s = sched2();
    const char *names[] = {"a", "b", "c", "d", "e"};
    const uint64_t vr[] = {5000000, 1000000, 1000000, 1000000, 900000};
    struct cpus_thread *t[5];
    for (int i = 0; i < 5; i++) {
        t[i] = cpus_thread_new(s, names[i], 0, noop_step, NULL);
        t[i]->vruntime = vr[i];
        CU_ASSERT_TRUE(cpus_wake(s, t[i]));
    }
    cpus_thread_set_policy(s, t[3], CPUS_SCHED_FIFO);
    CU_ASSERT_EQUAL(cpus_nr_queued(s, 0), 5);
    const int want[] = {3, 4, 1, 2, 0};
    for (int i = 0; i < 5; i++) {
        bool sw;
        CU_ASSERT_PTR_EQUAL(cpus_schedule(s, 0, 0, &sw), t[want[i]]);
        cpus_block_at(s, 0, 0);
    }
    CU_ASSERT_EQUAL(cpus_nr_queued(s, 0), 0);
    cpus_free(s);
}

static CU_TestInfo cases[] = {
    {"delayed dequeue keeps an ineligible sleeper in place",
     test_cpus_delayed_dequeue_keeps_an_ineligible_sleeper_in_place},
    {"test_cpus_wake_preempts_idle_and_slices_rotate",
     test_cpus_wake_preempts_idle_and_slices_rotate},
    {"test_cpus_wake_affine_pulls_receiver_to_softirq_cpu_when_prev_busy",
     test_cpus_wake_affine_pulls_receiver_to_softirq_cpu_when_prev_busy},
    {"test_cpus_wake_keeps_idle_prev", test_cpus_wake_keeps_idle_prev},
    {"test_cpus_fifo_ksoftirqd_preempts_cfs_thread", test_cpus_fifo_ksoftirqd_preempts_cfs_thread},
    {"test_cpus_policy_change_while_queued", test_cpus_policy_change_while_queued},
    {"test_cpus_mask_single_is_weight_one", test_cpus_mask_single_is_weight_one},
    {"test_cpus_cfs_slices_alternate", test_cpus_cfs_slices_alternate},
    {"test_cpus_newidle_pull_respects_cache_hot", test_cpus_newidle_pull_respects_cache_hot},
    {"test_cpus_pinned_thread_stays", test_cpus_pinned_thread_stays},
    {"test_cpus_ttwu_reports_the_wake_list_path", test_cpus_ttwu_reports_the_wake_list_path},
    {"test_cpus_busy_balance_spreads_hogs", test_cpus_busy_balance_spreads_hogs},
    {"test_cpus_pick_order_vruntime_then_enqueue", test_cpus_pick_order_vruntime_then_enqueue},
    CU_TEST_INFO_NULL,
};

CU_MAIN("cpus", cases)
