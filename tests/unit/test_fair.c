/* models/sched/fair.c: wake-up placement pinned to the behaviours of spec §5
 * (wake_affine_idle, sync pull to the softirq CPU, idle-sibling scan, wake_wide, affinity)
 * and the two-NIC proxy ping-pong of field-figures.md. */
#include "models/sched/fair.h"
#include "models/sched/migrate.h"
#include "sim/core/rng.h"
#include "tests/unit/cu_main.h"

#define MAXC 16

struct fx {
    struct cpus_topology *t;
    struct cpus_cpu_state cpu[MAXC];
    struct cpus_task bg[MAXC]; /* one background thread per CPU */
    struct cpus_state s;
};

static void fx_init(struct fx *f, const char *json)
{
    memset(f, 0, sizeof(*f));
    json_t *root = json_loads(json, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    f->t = cpus_topology_from_json(root, "fx", NULL);
    json_decref(root);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->t);
    int n = cpus_topology_nr_cpus(f->t);
    for (int c = 0; c < n; c++)
        cpus_task_init(&f->bg[c], 1000 + c, c, n);
    f->s = (struct cpus_state){.now_ns = 1000000000, .nr_cpus = n, .cpu = f->cpu};
}

/* `nr` runnable nice-0 threads on `cpu`, the first of them current. */
static void fx_busy(struct fx *f, int cpu, unsigned nr)
{
    f->cpu[cpu].nr_running = nr;
    f->cpu[cpu].load = nr * CPUS_NICE_0_LOAD;
    f->cpu[cpu].curr = nr ? &f->bg[cpu] : NULL;
}

static void fx_free(struct fx *f)
{
    cpus_topology_free(f->t);
}

static const char *ONE_LLC8 = "{\"cpus\": 8}";
static const char *TWO_LLC8 =
    "{\"cpus\": 8, \"llc\": [[0,1,2,3],[4,5,6,7]], \"numa\": [0,0,0,0,1,1,1,1]}";

/* §5 wake_affine_idle: waker CPU idle and cache-shared with an idle prev -> prev. */
static void test_fair_idle_waker_idle_prev_keeps_prev(void)
{
    struct fx f;
    fx_init(&f, ONE_LLC8);
    struct cpus_task p;
    cpus_task_init(&p, 1, 5, 8);
    struct cpus_wake_why why;
    int cpu = cpus_select_task_rq_fair(f.t, &f.s, &p, 2, true, &why);
    CU_ASSERT_EQUAL(cpu, 5);
    CU_ASSERT_EQUAL(why.affine, CPUS_AFFINE_IDLE_PREV);
    CU_ASSERT_EQUAL(why.sis, CPUS_SIS_TARGET_IDLE);
    fx_free(&f);
}

/* §5 wake_affine_idle: idle waker, busy prev in the same LLC -> the waker (IRQ) CPU. */
static void test_fair_idle_waker_busy_prev_pulls_to_waker(void)
{
    struct fx f;
    fx_init(&f, ONE_LLC8);
    fx_busy(&f, 5, 1);
    struct cpus_task p;
    cpus_task_init(&p, 1, 5, 8);
    struct cpus_wake_why why;
    int cpu = cpus_select_task_rq_fair(f.t, &f.s, &p, 2, false, &why);
    CU_ASSERT_EQUAL(cpu, 2);
    CU_ASSERT_EQUAL(why.affine, CPUS_AFFINE_IDLE_WAKER);
    fx_free(&f);
}

/* Idle waker in another LLC: the IRQ may not drag p across caches; prev idle -> prev. */
static void test_fair_idle_waker_other_llc_does_not_pull(void)
{
    struct fx f;
    fx_init(&f, TWO_LLC8);
    struct cpus_task p;
    cpus_task_init(&p, 1, 6, 8);
    struct cpus_wake_why why;
    CU_ASSERT_EQUAL(cpus_select_task_rq_fair(f.t, &f.s, &p, 1, true, &why), 6);
    CU_ASSERT_EQUAL(why.affine, CPUS_AFFINE_PREV_IDLE);
    fx_free(&f);
}

/* The spec's sched_migrate_task line (orig_cpu=1 dest_cpu=0): a sync wake-up from a CPU
 * running only the waker pulls the receiver there when nothing else is idle. */
static void test_fair_sync_wakeup_pulls_receiver_to_softirq_cpu(void)
{
    struct fx f;
    fx_init(&f, "{\"cpus\": 2}");
    fx_busy(&f, 0, 1); /* the sending task running NET_RX from local_bh_enable */
    fx_busy(&f, 1, 1);
    struct cpus_task p;
    cpus_task_init(&p, 6598, 1, 2);
    struct cpus_wake_why why;
    CU_ASSERT_EQUAL(cpus_select_task_rq_fair(f.t, &f.s, &p, 0, true, &why), 0);
    CU_ASSERT_EQUAL(why.affine, CPUS_AFFINE_SYNC);
    CU_ASSERT_EQUAL(why.sis, CPUS_SIS_BUSY_TARGET);
    /* Had prev been idle, select_idle_sibling() keeps it there instead. */
    fx_busy(&f, 1, 0);
    cpus_task_init(&p, 6598, 1, 2);
    CU_ASSERT_EQUAL(cpus_select_task_rq_fair(f.t, &f.s, &p, 0, true, &why), 1);
    CU_ASSERT_EQUAL(why.affine, CPUS_AFFINE_SYNC);
    CU_ASSERT_EQUAL(why.sis, CPUS_SIS_PREV_IDLE);
    fx_free(&f);
}

/* Busy prev and busy waker: the wakee lands on an idle CPU of the target's LLC, found by
 * scanning from target+1 and wrapping. */
static void test_fair_busy_prev_and_waker_pick_idle_sibling(void)
{
    struct fx f;
    fx_init(&f, ONE_LLC8);
    for (int c = 0; c < 8; c++)
        fx_busy(&f, c, 1);
    fx_busy(&f, 1, 0);
    fx_busy(&f, 3, 0);
    struct cpus_task p;
    cpus_task_init(&p, 1, 5, 8);
    struct cpus_wake_why why;
    /* not sync: equal loads, WA_WEIGHT keeps prev (5); scan 6,7,0,1 -> 1 */
    CU_ASSERT_EQUAL(cpus_select_task_rq_fair(f.t, &f.s, &p, 2, false, &why), 1);
    CU_ASSERT_EQUAL(why.affine, CPUS_AFFINE_WEIGHT_PREV);
    CU_ASSERT_EQUAL(why.target, 5);
    CU_ASSERT_EQUAL(why.sis, CPUS_SIS_IDLE_CPU);
    /* sync from a CPU running one task: target = waker 2, scan 3 first -> 3 */
    cpus_task_init(&p, 1, 5, 8);
    CU_ASSERT_EQUAL(cpus_select_task_rq_fair(f.t, &f.s, &p, 2, true, &why), 3);
    CU_ASSERT_EQUAL(why.affine, CPUS_AFFINE_SYNC);
    CU_ASSERT_EQUAL(why.target, 2);
    fx_free(&f);
}

/* The scan stays inside the target's LLC: an idle CPU of the other LLC is not used. */
static void test_fair_idle_scan_stays_in_target_llc(void)
{
    struct fx f;
    fx_init(&f, TWO_LLC8);
    for (int c = 0; c < 8; c++)
        fx_busy(&f, c, 1);
    fx_busy(&f, 6, 0);
    struct cpus_task p;
    cpus_task_init(&p, 1, 1, 8);
    struct cpus_wake_why why;
    CU_ASSERT_EQUAL(cpus_select_task_rq_fair(f.t, &f.s, &p, 2, false, &why), 1);
    CU_ASSERT_EQUAL(why.sis, CPUS_SIS_BUSY_TARGET);
    fx_free(&f);
}

/* wake_affine_weight with WA_BIAS: prev's load counts 108% (imbalance_pct 117 halved). */
static void test_fair_wake_affine_weight_bias(void)
{
    struct fx f;
    fx_init(&f, ONE_LLC8);
    for (int c = 0; c < 8; c++)
        fx_busy(&f, c, 1);
    struct cpus_task p;
    struct cpus_wake_why why;
    /* waker side 1024 + 1024 = 2048 vs prev 1950 x 1.08 = 2106: waker wins */
    f.cpu[5].load = 1950;
    cpus_task_init(&p, 1, 5, 8);
    cpus_select_task_rq_fair(f.t, &f.s, &p, 2, false, &why);
    CU_ASSERT_EQUAL(why.affine, CPUS_AFFINE_WEIGHT_WAKER);
    CU_ASSERT_EQUAL(why.target, 2);
    /* prev 1890 x 1.08 = 2041 < 2048: prev kept */
    f.cpu[5].load = 1890;
    cpus_task_init(&p, 1, 5, 8);
    cpus_select_task_rq_fair(f.t, &f.s, &p, 2, false, &why);
    CU_ASSERT_EQUAL(why.affine, CPUS_AFFINE_WEIGHT_PREV);
    CU_ASSERT_EQUAL(why.target, 5);
    fx_free(&f);
}

/* recent_used_cpu: an idle CPU p used before, cache-shared with target, is reused. */
static void test_fair_recent_used_cpu_reused(void)
{
    struct fx f;
    fx_init(&f, ONE_LLC8);
    for (int c = 0; c < 8; c++)
        fx_busy(&f, c, 1);
    fx_busy(&f, 4, 0);
    fx_busy(&f, 7, 0);
    struct cpus_task p;
    cpus_task_init(&p, 1, 5, 8);
    p.recent_used_cpu = 7;
    struct cpus_wake_why why;
    CU_ASSERT_EQUAL(cpus_select_task_rq_fair(f.t, &f.s, &p, 2, false, &why), 7);
    CU_ASSERT_EQUAL(why.sis, CPUS_SIS_RECENT_IDLE);
    CU_ASSERT_EQUAL(p.recent_used_cpu, 5); /* becomes prev */
    fx_free(&f);
}

/* With SMT, a fully idle core beats an idle hardware thread next to a busy one. */
static void test_fair_smt_prefers_idle_core(void)
{
    struct fx f;
    fx_init(&f, "{\"cpus\": 8, \"smt\": [[0,4],[1,5],[2,6],[3,7]]}");
    for (int c = 0; c < 8; c++)
        fx_busy(&f, c, 1);
    fx_busy(&f, 1, 0); /* core 1: thread 1 idle, 5 busy */
    fx_busy(&f, 3, 0); /* core 3: fully idle */
    fx_busy(&f, 7, 0);
    struct cpus_task p;
    cpus_task_init(&p, 1, 0, 8);
    struct cpus_wake_why why;
    /* target = prev 0; scan 1 (idle, sibling 5 busy), 2 (busy), 3 (core {3,7} idle) */
    CU_ASSERT_EQUAL(cpus_select_task_rq_fair(f.t, &f.s, &p, 4, false, &why), 3);
    CU_ASSERT_EQUAL(why.target, 0);
    CU_ASSERT_EQUAL(why.sis, CPUS_SIS_IDLE_CORE);
    /* no idle core: prev's idle sibling (select_idle_smt) before the LLC scan */
    fx_busy(&f, 7, 1);
    fx_busy(&f, 2, 0);
    cpus_task_init(&p, 1, 6, 8);
    CU_ASSERT_EQUAL(cpus_select_task_rq_fair(f.t, &f.s, &p, 0, false, &why), 2);
    CU_ASSERT_EQUAL(why.sis, CPUS_SIS_IDLE_SMT);
    fx_free(&f);
}

/* NUMA farther than RECLAIM_DISTANCE: no affine domain, p stays on its side. */
static void test_fair_far_numa_has_no_wake_affine(void)
{
    struct fx f;
    fx_init(&f, "{\"cpus\": 4, \"llc\": [[0,1],[2,3]], \"numa\": [0,0,1,1], "
                "\"numa_distance\": 40}");
    for (int c = 0; c < 4; c++)
        fx_busy(&f, c, 1);
    struct cpus_task p;
    cpus_task_init(&p, 1, 3, 4);
    struct cpus_wake_why why;
    CU_ASSERT_EQUAL(cpus_select_task_rq_fair(f.t, &f.s, &p, 0, true, &why), 3);
    CU_ASSERT_EQUAL(why.affine, CPUS_AFFINE_NO_DOMAIN);
    fx_free(&f);
}

/* Affinity, pinned: one allowed CPU, whatever the state. */
static void test_fair_affinity_single_cpu_is_pinned(void)
{
    struct fx f;
    fx_init(&f, ONE_LLC8);
    fx_busy(&f, 6, 3);
    struct cpus_task p;
    cpus_task_init(&p, 1, 2, 8);
    sim_cpumask_clear(&p.allowed);
    sim_cpumask_set(&p.allowed, 6);
    struct cpus_wake_why why;
    CU_ASSERT_EQUAL(cpus_select_task_rq_fair(f.t, &f.s, &p, 0, true, &why), 6);
    CU_ASSERT_EQUAL(why.affine, CPUS_AFFINE_PINNED);
    fx_free(&f);
}

/* Affinity: the waker CPU outside the mask disables the affine pull; the idle scan skips
 * CPUs outside the mask; a prev outside the mask falls back within prev's node. */
static void test_fair_affinity_respected_by_each_step(void)
{
    struct fx f;
    fx_init(&f, TWO_LLC8);
    for (int c = 0; c < 8; c++)
        fx_busy(&f, c, 1);
    struct cpus_task p;
    struct cpus_wake_why why;
    cpus_task_init(&p, 1, 1, 8);
    sim_cpumask_unset(&p.allowed, 2);
    cpus_select_task_rq_fair(f.t, &f.s, &p, 2, true, &why);
    CU_ASSERT_EQUAL(why.affine, CPUS_AFFINE_NOT_ALLOWED);

    fx_busy(&f, 2, 0);
    fx_busy(&f, 3, 0);
    cpus_task_init(&p, 1, 1, 8);
    sim_cpumask_unset(&p.allowed, 2);
    CU_ASSERT_EQUAL(cpus_select_task_rq_fair(f.t, &f.s, &p, 0, false, &why), 3);
    CU_ASSERT_EQUAL(why.sis, CPUS_SIS_IDLE_CPU);

    /* affinity changed while asleep: prev 1 (idle) no longer allowed */
    fx_busy(&f, 1, 0);
    cpus_task_init(&p, 1, 1, 8);
    sim_cpumask_clear(&p.allowed);
    sim_cpumask_set(&p.allowed, 3);
    sim_cpumask_set(&p.allowed, 6);
    CU_ASSERT_EQUAL(cpus_select_task_rq_fair(f.t, &f.s, &p, 1, false, &why), 3);
    CU_ASSERT_EQUAL(why.sis, CPUS_SIS_FALLBACK);
    fx_free(&f);
}

/* Property: over random snapshots, masks and wakers, the result is always allowed. */
static void test_fair_affinity_never_violated_randomised(void)
{
    struct fx f;
    fx_init(&f, "{\"cpus\": 16, \"llc\": [[0,1,2,3,4,5,6,7],[8,9,10,11,12,13,14,15]],"
                " \"numa\": [0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1], \"smt\": [[0,1],[2,3],[8,9]]}");
    struct sim_rng r;
    sim_rng_init(&r, 7, "test_fair");
    struct cpus_task p;
    cpus_task_init(&p, 1, 0, 16);
    for (int it = 0; it < 5000; it++) {
        for (int c = 0; c < 16; c++)
            fx_busy(&f, c, sim_rng_below(&r, 3));
        sim_cpumask_clear(&p.allowed);
        while (sim_cpumask_weight(&p.allowed) == 0)
            for (int c = 0; c < 16; c++)
                if (sim_rng_below(&r, 4) == 0)
                    sim_cpumask_set(&p.allowed, c);
        p.cpu = (int)sim_rng_below(&r, 16);
        f.s.now_ns += 1000;
        int cpu = cpus_select_task_rq_fair(f.t, &f.s, &p, (int)sim_rng_below(&r, 16),
                                           sim_rng_below(&r, 2), NULL);
        CU_ASSERT_FATAL(sim_cpumask_test(&p.allowed, cpu));
    }
    fx_free(&f);
}

/* record_wakee: flips count changes of wakee, halve once after a second. */
static void test_fair_record_wakee_counts_switches_and_decays(void)
{
    struct cpus_task w, a, b;
    cpus_task_init(&w, 1, 0, 4);
    cpus_task_init(&a, 2, 0, 4);
    cpus_task_init(&b, 3, 0, 4);
    int64_t now = 0;
    cpus_record_wakee(&w, &a, now);
    cpus_record_wakee(&w, &a, now);
    CU_ASSERT_EQUAL(w.wakee_flips, 1);
    for (int i = 0; i < 9; i++)
        cpus_record_wakee(&w, i % 2 ? &a : &b, now);
    CU_ASSERT_EQUAL(w.wakee_flips, 10);
    cpus_record_wakee(&w, &b, now + 1000000000); /* same wakee, exactly HZ later */
    CU_ASSERT_EQUAL(w.wakee_flips, 10);
    cpus_record_wakee(&w, &b, now + 1500000000); /* more than HZ: halved once */
    CU_ASSERT_EQUAL(w.wakee_flips, 5);
    cpus_record_wakee(&w, &a, now + 9000000000); /* 7.5 s later: still only one halving */
    CU_ASSERT_EQUAL(w.wakee_flips, 3);
    CU_ASSERT_EQUAL(w.wakee_flip_decay_ts, now + 9000000000);
}

/* wake_wide: a dispatcher waking N workers (each itself waking several partners) stops
 * pulling them to its CPU once both flip counts pass the LLC size, and the worker then
 * keeps prev or spreads inside prev's LLC. */
static void test_fair_wake_wide_for_m_to_n_wakers(void)
{
    struct fx f;
    fx_init(&f, TWO_LLC8); /* llc_size 4 */
    struct cpus_task disp, workers[8], clients[2];
    cpus_task_init(&disp, 10, 0, 8);
    cpus_task_init(&clients[0], 30, 0, 8);
    cpus_task_init(&clients[1], 31, 0, 8);
    for (int i = 0; i < 8; i++) {
        cpus_task_init(&workers[i], 20 + i, 4 + i % 4, 8);
        for (int k = 0; k < 5; k++) /* each worker woke 5 different partners in a row */
            cpus_record_wakee(&workers[i], &clients[k % 2], f.s.now_ns);
    }
    fx_busy(&f, 0, 1);
    f.cpu[0].curr = &disp; /* the dispatcher is the waker on CPU 0 */
    for (int c = 4; c < 8; c++)
        fx_busy(&f, c, 1);
    struct cpus_wake_why why;
    /* First wake: dispatcher flips 1 -> not wide, sync pull toward CPU 0's LLC. */
    int cpu = cpus_select_task_rq_fair(f.t, &f.s, &workers[0], 0, true, &why);
    CU_ASSERT_FALSE(why.wide);
    CU_ASSERT_EQUAL(cpus_topology_llc_of(f.t, cpu), 0);
    /* Rotate through the workers: flips climb past 5 x 4 = 20. */
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 8; i++) {
            workers[i].cpu = 4 + i % 4;
            cpus_select_task_rq_fair(f.t, &f.s, &workers[i], 0, true, &why);
        }
    CU_ASSERT(disp.wakee_flips >= 20);
    CU_ASSERT(cpus_wake_wide(f.t, &disp, &workers[1], 0));
    workers[1].cpu = 5;
    fx_busy(&f, 5, 0);
    cpu = cpus_select_task_rq_fair(f.t, &f.s, &workers[1], 0, true, &why);
    CU_ASSERT(why.wide);
    CU_ASSERT_EQUAL(why.affine, CPUS_AFFINE_WIDE);
    CU_ASSERT_EQUAL(cpu, 5); /* idle prev kept */
    /* prev busy: spread inside prev's LLC, not onto the dispatcher's */
    fx_busy(&f, 5, 1);
    fx_busy(&f, 7, 0);
    cpu = cpus_select_task_rq_fair(f.t, &f.s, &workers[1], 0, true, &why);
    CU_ASSERT(why.wide);
    CU_ASSERT_EQUAL(cpu, 7);
    /* A wakee with few flips of its own is never "wide", however busy the waker. */
    struct cpus_task quiet;
    cpus_task_init(&quiet, 40, 5, 8);
    CU_ASSERT_FALSE(cpus_wake_wide(f.t, &disp, &quiet, 0));
    fx_free(&f);
}

/* Proxy of field-figures.md: the thread's receive wake-ups come from NIC A's softirq on
 * CPU a, its TX-completion wake-ups from NIC B's vector on CPU b. Returns the number of
 * wake-up migrations over `n` wake-ups; cpus[] gets the CPU after each one. */
static uint64_t proxy_run(struct fx *f, const struct cpus_migrate_cost *cost,
                          struct cpus_migrate_stats *st, int a, int b, bool alternate, int n,
                          int *cpus)
{
    struct cpus_task t;
    int nr = cpus_topology_nr_cpus(f->t);
    cpus_task_init(&t, 100, a, nr);
    for (int i = 0; i < n; i++) {
        int waker = alternate && (i % 2) ? b : a;
        f->s.now_ns += 50000; /* one request every 50 µs */
        int cpu = cpus_select_task_rq_fair(f->t, &f->s, &t, waker, true, NULL);
        cpus_set_task_cpu(f->t, cost, st, &t, cpu, CPUS_MIGRATE_WAKEUP);
        cpus[i] = t.cpu;
        t.last_ran_ns = f->s.now_ns + 10000; /* runs 10 µs, sleeps again */
        cpus_task_take_penalty(&t);
    }
    return t.nr_migrations[CPUS_MIGRATE_WAKEUP];
}

/* Every CPU busy with one thread: sync wake-affine moves the proxy to whichever CPU woke
 * it — a, b, a, b — one migration per wake-up. Wakes only from a: it stays. */
static void test_fair_two_nic_proxy_ping_pongs_between_rx_and_tx_cpus(void)
{
    struct fx f;
    fx_init(&f, "{\"cpus\": 4, \"llc\": [[0,1],[2,3]], \"numa\": [0,0,1,1]}");
    for (int c = 0; c < 4; c++)
        fx_busy(&f, c, 1);
    struct cpus_migrate_cost cost;
    cpus_migrate_cost_default(&cost);
    struct cpus_migrate_stats st = {0};
    int cpus[100];
    uint64_t mig = proxy_run(&f, &cost, &st, 0, 2, true, 100, cpus);
    for (int i = 0; i < 100; i++)
        CU_ASSERT_EQUAL(cpus[i], i % 2 ? 2 : 0);
    CU_ASSERT_EQUAL(mig, 99);
    CU_ASSERT_EQUAL(st.by_level[CPUS_DOM_SYSTEM], 99);
    CU_ASSERT_EQUAL(st.penalty_ns, 99 * cost.cross_numa_ns);

    struct cpus_migrate_stats st2 = {0};
    mig = proxy_run(&f, &cost, &st2, 0, 2, false, 100, cpus);
    CU_ASSERT_EQUAL(mig, 0);
    CU_ASSERT_EQUAL(cpus[99], 0);
    CU_ASSERT_EQUAL(st2.penalty_ns, 0);
    fx_free(&f);
}

/* Same mechanism when a and b share the LLC (cheaper moves), and with idle siblings next
 * to busy a and b the thread still alternates between the two LLCs. */
static void test_fair_two_nic_proxy_variants(void)
{
    struct fx f;
    fx_init(&f, "{\"cpus\": 4}");
    for (int c = 0; c < 4; c++)
        fx_busy(&f, c, 1);
    struct cpus_migrate_cost cost;
    cpus_migrate_cost_default(&cost);
    struct cpus_migrate_stats st = {0};
    int cpus[40];
    CU_ASSERT_EQUAL(proxy_run(&f, &cost, &st, 1, 3, true, 40, cpus), 39);
    CU_ASSERT_EQUAL(st.penalty_ns, 39 * cost.llc_ns);
    CU_ASSERT(cost.llc_ns < cost.cross_numa_ns);
    fx_free(&f);

    fx_init(&f, "{\"cpus\": 4, \"llc\": [[0,1],[2,3]], \"numa\": [0,0,1,1]}");
    fx_busy(&f, 0, 1);
    fx_busy(&f, 2, 1);
    struct cpus_migrate_stats st3 = {0};
    uint64_t mig = proxy_run(&f, &cost, &st3, 0, 2, true, 40, cpus);
    for (int i = 1; i < 40; i++)
        CU_ASSERT_EQUAL(cpus_topology_llc_of(f.t, cpus[i]), i % 2 ? 1 : 0);
    CU_ASSERT(mig >= 39);
    CU_ASSERT_EQUAL(st3.by_level[CPUS_DOM_SYSTEM], 39);
    fx_free(&f);
}

static void test_fair_state_check_catches_mismatched_snapshot(void)
{
    struct fx f;
    fx_init(&f, ONE_LLC8);
    CU_ASSERT(cpus_state_check(f.t, &f.s));
    struct cpus_task *q[1] = {&f.bg[0]};
    f.cpu[3].queued = q;
    f.cpu[3].nr_queued = 1; /* one queued but nothing runnable */
    CU_ASSERT_FALSE(cpus_state_check(f.t, &f.s));
    fx_busy(&f, 3, 2);
    CU_ASSERT(cpus_state_check(f.t, &f.s));
    f.s.nr_cpus = 4;
    CU_ASSERT_FALSE(cpus_state_check(f.t, &f.s));
    fx_free(&f);
}

static void test_fair_reason_names(void)
{
    CU_ASSERT_STRING_EQUAL(cpus_affine_reason_name(CPUS_AFFINE_SYNC), "sync");
    CU_ASSERT_STRING_EQUAL(cpus_affine_reason_name(CPUS_AFFINE_WEIGHT_PREV), "weight_prev");
    CU_ASSERT_STRING_EQUAL(cpus_sis_reason_name(CPUS_SIS_FALLBACK), "fallback");
    CU_ASSERT_STRING_EQUAL(cpus_sis_reason_name(CPUS_SIS_NR), "?");
}

static CU_TestInfo cases[] = {
    {"idle waker, idle prev keeps prev", test_fair_idle_waker_idle_prev_keeps_prev},
    {"idle waker, busy prev pulls to waker", test_fair_idle_waker_busy_prev_pulls_to_waker},
    {"idle waker in other LLC does not pull", test_fair_idle_waker_other_llc_does_not_pull},
    {"sync pulls receiver to softirq CPU", test_fair_sync_wakeup_pulls_receiver_to_softirq_cpu},
    {"busy prev and waker pick idle sibling", test_fair_busy_prev_and_waker_pick_idle_sibling},
    {"idle scan stays in target LLC", test_fair_idle_scan_stays_in_target_llc},
    {"wake_affine_weight WA_BIAS", test_fair_wake_affine_weight_bias},
    {"recent_used_cpu reused", test_fair_recent_used_cpu_reused},
    {"SMT prefers idle core", test_fair_smt_prefers_idle_core},
    {"far NUMA has no wake affine", test_fair_far_numa_has_no_wake_affine},
    {"single allowed CPU is pinned", test_fair_affinity_single_cpu_is_pinned},
    {"affinity respected by each step", test_fair_affinity_respected_by_each_step},
    {"affinity never violated (random)", test_fair_affinity_never_violated_randomised},
    {"record_wakee counts and decays", test_fair_record_wakee_counts_switches_and_decays},
    {"wake_wide for M:N wakers", test_fair_wake_wide_for_m_to_n_wakers},
    {"two-NIC proxy ping-pong", test_fair_two_nic_proxy_ping_pongs_between_rx_and_tx_cpus},
    {"two-NIC proxy variants", test_fair_two_nic_proxy_variants},
    {"state check catches mismatch", test_fair_state_check_catches_mismatched_snapshot},
    {"reason names", test_fair_reason_names},
    CU_TEST_INFO_NULL,
};

CU_MAIN("fair", cases)
