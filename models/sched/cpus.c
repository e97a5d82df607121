/* Per-CPU run queues of the engine: CFS-like fair share (pick_next_entity, place_entity,
 * check_preempt_tick / check_preempt_wakeup in kernel/sched/fair.c), SCHED_FIFO ahead of
 * CFS (kernel/sched/rt.c), try_to_wake_up() placement, idle and busy balance pulls.
 * Linux 6.12. */
#include "models/sched/cpus.h"

#include <glib.h>
#include <string.h>

#include "models/sched/wake.h"

/* A CFS heap entry: the key beside the thread, so ordering the queue reads no thread
 * (a queued thread's vruntime and seq do not change until it leaves the queue). */
struct cpus_rq_ent {
    uint64_t vruntime, seq;
    struct cpus_thread *t;
};

struct cpus_rq {
    struct cpus_thread *curr;
    /* Runnable, not running. CFS: a binary min-heap on (vruntime, enqueue seq), the
     * rbtree's leftmost entity on top (__pick_first_entity). FIFO: a list in enqueue
     * order (the rt_prio_array queue of one priority). */
    struct cpus_rq_ent *heap;
    unsigned heap_n, heap_cap;
    /* Σ vruntime over the heap, kept on enqueue/dequeue as avg_vruntime_add/sub()
     * keep cfs_rq->avg_vruntime (all nice 0: weights equal); exact in 128 bits */
    unsigned __int128 vsum;
    struct cpus_thread *fifo_head;
    unsigned nr;
    unsigned nr_fifo;      /* queued SCHED_FIFO threads (rt_rq->rt_nr_running) */
    uint64_t min_vruntime; /* cfs_rq->min_vruntime: monotonic */
    bool resched;          /* TIF_NEED_RESCHED set by a wake-up */
    uint64_t idle_gen;     /* times the CPU picked the idle task (dequeues sched_delayed) */
};

struct cpus_sched {
    unsigned n_cpus;
    struct cpus_sched_cfg cfg;
    struct cpus_topology *topo;
    struct cpus_balance *bal;
    struct cpus_migrate_stats stats;
    struct cpus_rq *rq;
    GPtrArray *threads;
    uint64_t clock;  /* latest time seen */
    uint64_t rq_seq; /* enqueue counter: ties of vruntime go to the earlier enqueue */
    uint64_t *migrations_in;
    /* snapshot buffers */
    struct cpus_cpu_state *snap_cpu;
    struct cpus_task **snap_queued; /* [n_cpus * threads] */
    unsigned snap_cap;
};

#define THREAD_OF(tk) ((struct cpus_thread *)((char *)(tk)-offsetof(struct cpus_thread, task)))

void cpus_sched_cfg_defaults(struct cpus_sched_cfg *c)
{
    *c = (struct cpus_sched_cfg){
        .latency_ns = 6000000,            /* sysctl_sched_latency, 6 ms */
        .min_granularity_ns = 3000000,    /* 0.75 ms x (1 + ilog2(min(ncpus, 8))) on 8+ CPUs */
        .wakeup_granularity_ns = 1000000, /* sysctl_sched_wakeup_granularity, 1 ms */
        .migration_cost_ns = CPUS_MIGRATION_COST_NS,
        .balance_interval_ns = 4000000, /* sd->balance_interval of an LLC domain, ~4 ms */
        .delay_dequeue = true,          /* the 6.12 default */
    };
    cpus_migrate_cost_default(&c->refill);
}

struct cpus_sched *cpus_new(unsigned n_cpus, uint64_t slice_ns)
{
    struct cpus_sched *s = g_new0(struct cpus_sched, 1);
    s->n_cpus = n_cpus;
    cpus_sched_cfg_defaults(&s->cfg);
    /* two runnable threads get `slice_ns` each (the defaults: 6 ms / 3 ms) */
    s->cfg.min_granularity_ns = slice_ns;
    s->cfg.latency_ns = 2 * slice_ns;
    s->topo = cpus_topology_new_flat((int)n_cpus);
    s->bal = cpus_balance_new(s->topo);
    s->rq = g_new0(struct cpus_rq, n_cpus);
    s->migrations_in = g_new0(uint64_t, n_cpus);
    s->snap_cpu = g_new0(struct cpus_cpu_state, n_cpus);
    s->threads = g_ptr_array_new_with_free_func(g_free);
    return s;
}

void cpus_free(struct cpus_sched *s)
{
    if (!s)
        return;
    g_ptr_array_free(s->threads, TRUE);
    cpus_balance_free(s->bal);
    cpus_topology_free(s->topo);
    g_free(s->snap_cpu);
    g_free(s->snap_queued);
    for (unsigned c = 0; c < s->n_cpus; c++)
        g_free(s->rq[c].heap);
    g_free(s->rq);
    g_free(s->migrations_in);
    g_free(s);
}

void cpus_configure(struct cpus_sched *s, const struct cpus_sched_cfg *c)
{
    struct cpus_topology *t = c->topology;
    s->cfg = *c;
    s->cfg.topology = NULL;
    if (t && cpus_topology_nr_cpus(t) == (int)s->n_cpus) {
        cpus_balance_free(s->bal);
        cpus_topology_free(s->topo);
        s->topo = t;
        s->bal = cpus_balance_new(t);
    } else {
        cpus_topology_free(t);
    }
    for (unsigned i = 0; i < s->threads->len; i++) {
        struct cpus_thread *th = g_ptr_array_index(s->threads, i);
        if (th->is_ksoftirqd)
            cpus_thread_set_policy(s, th, c->ksoftirqd_fifo ? CPUS_SCHED_FIFO : CPUS_SCHED_OTHER);
    }
}

const struct cpus_topology *cpus_topology_of(const struct cpus_sched *s)
{
    return s->topo;
}

struct cpus_thread *cpus_thread_new(struct cpus_sched *s, const char *name, unsigned cpu,
                                    cpus_step_fn step, void *arg)
{
    struct cpus_thread *t = g_new0(struct cpus_thread, 1);
    g_strlcpy(t->name, name, sizeof t->name);
    t->id = s->threads->len;
    t->cpu = cpu;
    t->state = CPUS_SLEEPING;
    t->step = step;
    t->arg = arg;
    t->wake_at = UINT64_MAX;
    t->waker_cpu = -1;
    t->rq_pos = -1;
    cpus_task_init(&t->task, (int)t->id, (int)cpu, (int)s->n_cpus);
    sim_cpumask_clear(&t->task.allowed);
    sim_cpumask_set(&t->task.allowed, (int)cpu);
    g_ptr_array_add(s->threads, t);
    return t;
}

bool cpus_thread_set_affinity(struct cpus_sched *s, struct cpus_thread *t,
                              const struct sim_cpumask *mask)
{
    struct sim_cpumask valid;
    sim_cpumask_clear(&valid);
    int c;
    sim_cpumask_for_each(c, mask)
    {
        if (c < (int)s->n_cpus)
            sim_cpumask_set(&valid, c);
    }
    if (sim_cpumask_weight(&valid) == 0)
        return false;
    t->task.allowed = valid;
    if (!sim_cpumask_test(&valid, (int)t->cpu)) {
        t->cpu = (unsigned)sim_cpumask_first(&valid);
        t->task.cpu = t->task.recent_used_cpu = (int)t->cpu;
    }
    return true;
}

/* The CFS heap's order: vruntime, then enqueue order (the rbtree's leftmost-first walk
 * puts an equal key after the entities already queued). */
static inline bool rq_before(const struct cpus_rq_ent *a, const struct cpus_rq_ent *b)
{
    return a->vruntime < b->vruntime || (a->vruntime == b->vruntime && a->seq < b->seq);
}

static inline void heap_set(struct cpus_rq *rq, unsigned i, const struct cpus_rq_ent *e)
{
    rq->heap[i] = *e;
    e->t->rq_pos = (int)i;
}

static void heap_up(struct cpus_rq *rq, unsigned i)
{
    struct cpus_rq_ent t = rq->heap[i];
    while (i > 0) {
        unsigned parent = (i - 1) / 2;
        if (!rq_before(&t, &rq->heap[parent]))
            break;
        heap_set(rq, i, &rq->heap[parent]);
        i = parent;
    }
    heap_set(rq, i, &t);
}

static void heap_down(struct cpus_rq *rq, unsigned i)
{
    struct cpus_rq_ent t = rq->heap[i];
    for (;;) {
        unsigned l = 2 * i + 1, best = l;
        if (l >= rq->heap_n)
            break;
        if (l + 1 < rq->heap_n && rq_before(&rq->heap[l + 1], &rq->heap[l]))
            best = l + 1;
        if (!rq_before(&rq->heap[best], &t))
            break;
        heap_set(rq, i, &rq->heap[best]);
        i = best;
    }
    heap_set(rq, i, &t);
}

/* Queue t with its enqueue seq already set (kept across a policy change). */
static void rq_insert(struct cpus_rq *rq, struct cpus_thread *t)
{
    rq->nr++;
    if (t->policy == CPUS_SCHED_FIFO) {
        struct cpus_thread **pp = &rq->fifo_head;
        while (*pp && (*pp)->rq_seq < t->rq_seq)
            pp = &(*pp)->rq_next;
        t->rq_next = *pp;
        *pp = t;
        rq->nr_fifo++;
        return;
    }
    if (rq->heap_n == rq->heap_cap) {
        rq->heap_cap = rq->heap_cap ? 2 * rq->heap_cap : 16;
        rq->heap = g_renew(struct cpus_rq_ent, rq->heap, rq->heap_cap);
    }
    rq->heap[rq->heap_n] = (struct cpus_rq_ent){t->vruntime, t->rq_seq, t};
    rq->vsum += t->vruntime;
    heap_up(rq, rq->heap_n++);
}

static void rq_push(struct cpus_sched *s, struct cpus_rq *rq, struct cpus_thread *t)
{
    t->rq_seq = s->rq_seq++;
    rq_insert(rq, t);
}

/* Whether t is queued (runnable, not running) on rq. */
static bool rq_holds(const struct cpus_rq *rq, const struct cpus_thread *t)
{
    if (t->policy == CPUS_SCHED_FIFO) {
        for (const struct cpus_thread *q = rq->fifo_head; q; q = q->rq_next)
            if (q == t)
                return true;
        return false;
    }
    return t->rq_pos >= 0 && (unsigned)t->rq_pos < rq->heap_n && rq->heap[t->rq_pos].t == t;
}

static void rq_remove(struct cpus_rq *rq, struct cpus_thread *t)
{
    if (!rq_holds(rq, t))
        return;
    rq->nr--;
    if (t->policy == CPUS_SCHED_FIFO) {
        struct cpus_thread **pp = &rq->fifo_head;
        while (*pp != t)
            pp = &(*pp)->rq_next;
        *pp = t->rq_next;
        t->rq_next = NULL;
        rq->nr_fifo--;
        return;
    }
    unsigned i = (unsigned)t->rq_pos;
    t->rq_pos = -1;
    rq->vsum -= t->vruntime;
    struct cpus_rq_ent last = rq->heap[--rq->heap_n];
    if (i == rq->heap_n)
        return;
    heap_set(rq, i, &last);
    if (i > 0 && rq_before(&last, &rq->heap[(i - 1) / 2]))
        heap_up(rq, i);
    else
        heap_down(rq, i);
}

void cpus_thread_set_policy(struct cpus_sched *s, struct cpus_thread *t, enum cpus_policy p)
{
    /* sched_setscheduler() dequeues and requeues a queued task (same queue position) */
    struct cpus_rq *rq = &s->rq[t->cpu];
    bool queued = rq_holds(rq, t);
    if (queued)
        rq_remove(rq, t);
    t->policy = p;
    if (queued)
        rq_insert(rq, t);
}

/* Take the leftmost CFS entity off the heap (Floyd's pop: the hole sinks to a leaf along
 * the smaller children, one comparison a level, then the last entry fills it). */
static struct cpus_thread *rq_pop_first(struct cpus_rq *rq)
{
    struct cpus_thread *top = rq->heap[0].t;
    struct cpus_rq_ent last = rq->heap[--rq->heap_n];
    rq->nr--;
    top->rq_pos = -1;
    rq->vsum -= top->vruntime;
    if (rq->heap_n == 0)
        return top;
    unsigned i = 0, n = rq->heap_n;
    for (unsigned l; (l = 2 * i + 1) < n;) {
        unsigned best = l + 1 < n && rq_before(&rq->heap[l + 1], &rq->heap[l]) ? l + 1 : l;
        heap_set(rq, i, &rq->heap[best]);
        i = best;
    }
    rq->heap[i] = last;
    heap_up(rq, i);
    return top;
}

/* pick_next_task(): the rt class first (FIFO order), then CFS's leftmost entity. */
static struct cpus_thread *rq_pick(const struct cpus_rq *rq)
{
    if (rq->fifo_head)
        return rq->fifo_head;
    return rq->heap_n ? rq->heap[0].t : NULL;
}

static bool rq_has_fifo(const struct cpus_rq *rq)
{
    return rq->nr_fifo != 0;
}

/* update_curr(): wall time on the CPU, hardirq and softirq included (no
 * IRQ_TIME_ACCOUNTING), advances vruntime at nice 0. */
static void update_curr(struct cpus_thread *t, uint64_t now)
{
    if (t && now > t->exec_start) {
        if (t->policy == CPUS_SCHED_OTHER)
            t->vruntime += now - t->exec_start;
        t->exec_start = now;
    }
}

/* update_min_vruntime() */
static void update_min_vruntime(struct cpus_rq *rq)
{
    uint64_t v = UINT64_MAX;
    if (rq->curr && rq->curr->policy == CPUS_SCHED_OTHER)
        v = rq->curr->vruntime;
    if (rq->heap_n && rq->heap[0].vruntime < v)
        v = rq->heap[0].vruntime;
    if (v != UINT64_MAX && v > rq->min_vruntime)
        rq->min_vruntime = v;
}

/* migrate_task_rq_fair(): vruntime is relative to the queue's min_vruntime. */
static void renormalize(struct cpus_sched *s, struct cpus_thread *t, unsigned from, unsigned to)
{
    int64_t rel = (int64_t)(t->vruntime - s->rq[from].min_vruntime);
    int64_t v = (int64_t)s->rq[to].min_vruntime + rel;
    t->vruntime = v > 0 ? (uint64_t)v : 0;
}

static int cmp_last_ran_desc(const void *a, const void *b)
{
    const struct cpus_task *x = *(struct cpus_task *const *)a, *y = *(struct cpus_task *const *)b;
    if (x->last_ran_ns != y->last_ran_ns)
        return x->last_ran_ns > y->last_ran_ns ? -1 : 1;
    return x->pid - y->pid;
}

/* The struct rq view fair.c and balance.c read. A CPU with threads queued but none
 * running yet (kicked, about to schedule) shows the next pick as running. */
static void snapshot(struct cpus_sched *s, uint64_t now, struct cpus_state *out)
{
    unsigned nt = s->threads->len;
    if (s->snap_cap < nt) {
        s->snap_cap = nt;
        s->snap_queued = g_renew(struct cpus_task *, s->snap_queued, (gsize)s->n_cpus * nt);
    }
    for (unsigned c = 0; c < s->n_cpus; c++) {
        struct cpus_rq *rq = &s->rq[c];
        struct cpus_cpu_state *cs = &s->snap_cpu[c];
        struct cpus_task **q = s->snap_queued + (gsize)c * nt;
        const struct cpus_thread *skip = rq->curr ? NULL : rq_pick(rq);
        unsigned n = 0;
        unsigned long load = 0;
        for (struct cpus_thread *t = rq->fifo_head; t; t = t->rq_next) {
            load += t->task.load;
            if (t != skip)
                q[n++] = &t->task;
        }
        for (unsigned i = 0; i < rq->heap_n; i++) {
            load += rq->heap[i].t->task.load;
            if (rq->heap[i].t != skip)
                q[n++] = &rq->heap[i].t->task;
        }
        qsort(q, n, sizeof *q, cmp_last_ran_desc);
        if (rq->curr)
            load += rq->curr->task.load;
        *cs = (struct cpus_cpu_state){
            .nr_running = rq->nr + (rq->curr ? 1 : 0),
            .load = load,
            .curr = rq->curr ? &rq->curr->task : NULL,
            .queued = q,
            .nr_queued = n,
        };
    }
    *out = (struct cpus_state){(int64_t)now, (int)s->n_cpus, s->snap_cpu};
}

static void enqueue(struct cpus_sched *s, struct cpus_thread *t, uint64_t now)
{
    struct cpus_rq *rq = &s->rq[t->cpu];
    /* place_entity() with GENTLE_FAIR_SLEEPERS: a sleeper gets at most half a latency
     * period of credit against the queue's min_vruntime. */
    uint64_t floor =
        rq->min_vruntime > s->cfg.latency_ns / 2 ? rq->min_vruntime - s->cfg.latency_ns / 2 : 0;
    if (t->vruntime < floor)
        t->vruntime = floor;
    t->state = CPUS_RUNNABLE;
    rq_push(s, rq, t);
    /* check_preempt_curr(): rt beats CFS; CFS preempts past the wakeup granularity */
    struct cpus_thread *curr = rq->curr;
    if (!curr)
        return;
    if (t->policy == CPUS_SCHED_FIFO && curr->policy == CPUS_SCHED_OTHER) {
        rq->resched = true;
    } else if (t->policy == CPUS_SCHED_OTHER && curr->policy == CPUS_SCHED_OTHER) {
        update_curr(curr, now > curr->exec_start ? now : curr->exec_start);
        if (curr->vruntime > t->vruntime + s->cfg.wakeup_granularity_ns)
            rq->resched = true;
    }
}

bool cpus_wake(struct cpus_sched *s, struct cpus_thread *t)
{
    if (t->state != CPUS_SLEEPING)
        return false;
    t->wakeups++;
    enqueue(s, t, s->clock);
    return true;
}

/* select_task_rq_rt() reduced: stay on the previous CPU when allowed. */
static unsigned select_rt(const struct cpus_thread *t)
{
    if (sim_cpumask_test(&t->task.allowed, (int)t->cpu))
        return t->cpu;
    return (unsigned)sim_cpumask_first(&t->task.allowed);
}

static void move_thread(struct cpus_sched *s, struct cpus_thread *t, unsigned to)
{
    unsigned from = t->cpu;
    s->migrations_in[to]++;
    renormalize(s, t, from, to);
    t->cpu = to;
}

bool cpus_wake_from(struct cpus_sched *s, struct cpus_thread *t, int waker_cpu, bool sync,
                    uint64_t now)
{
    return cpus_ttwu(s, t, waker_cpu, sync, now, NULL);
}

bool cpus_ttwu(struct cpus_sched *s, struct cpus_thread *t, int waker_cpu, bool sync, uint64_t now,
               struct cpus_ttwu *out)
{
    if (t->state != CPUS_SLEEPING)
        return false;
    if (now > s->clock)
        s->clock = now;
    if (waker_cpu < 0 || waker_cpu >= (int)s->n_cpus)
        waker_cpu = (int)t->cpu;
    unsigned prev = t->cpu, cpu;
    bool delayed = t->sched_delayed && s->rq[prev].idle_gen == t->delayed_idle_gen;
    t->sched_delayed = false;
    if (cpus_ttwu_runnable_delayed(delayed)) {
        cpu = prev; /* ttwu_runnable(): requeued where it is */
    } else if (t->policy == CPUS_SCHED_FIFO || sim_cpumask_single(&t->task.allowed)) {
        /* select_task_rq(): one allowed CPU never reaches the class's placement */
        cpu = select_rt(t);
        if (cpu != prev)
            cpus_set_task_cpu(s->topo, &s->cfg.refill, &s->stats, &t->task, (int)cpu,
                              CPUS_MIGRATE_WAKEUP);
    } else {
        struct cpus_state snap;
        struct cpus_wakeup w;
        snapshot(s, now, &snap);
        cpus_try_to_wake_up(s->topo, &s->cfg.refill, &s->stats, &snap, &t->task, waker_cpu, sync,
                            &w);
        cpu = (unsigned)w.cpu;
    }
    if (cpu != prev)
        move_thread(s, t, cpu);
    struct cpus_rq *rq = &s->rq[cpu];
    /* ttwu_queue(): decided on the state before activation */
    unsigned nr_running = rq->nr + (rq->curr ? 1 : 0);
    bool resched = rq->resched;
    t->wakeups++;
    enqueue(s, t, now);
    if (out)
        *out = (struct cpus_ttwu){
            .cpu = cpu,
            .queued = cpus_ttwu_queue_cond(s->topo, &t->task, waker_cpu, (int)cpu, nr_running),
            .preempt = rq->curr && !resched && rq->resched,
        };
    return true;
}

void cpus_block(struct cpus_sched *s, unsigned cpu)
{
    cpus_block_at(s, cpu, s->clock);
}

/* entity_eligible(): vruntime at or below the queue's load-weighted average (all nice 0
 * here), taken over the queued CFS entities and t itself (avg_vruntime(): the kept sum,
 * no walk of the queue). Alone, t is always eligible. */
static bool entity_eligible(const struct cpus_rq *rq, const struct cpus_thread *t)
{
    if (rq->heap_n == 0)
        return true;
    unsigned __int128 sum = rq->vsum + t->vruntime;
    return (unsigned __int128)t->vruntime * (rq->heap_n + 1) <= sum;
}

void cpus_block_at(struct cpus_sched *s, unsigned cpu, uint64_t now)
{
    struct cpus_thread *t = s->rq[cpu].curr;
    if (now > s->clock)
        s->clock = now;
    if (t) {
        update_curr(t, now > t->exec_start ? now : t->exec_start);
        t->task.last_ran_ns = (int64_t)t->exec_start;
        t->state = CPUS_SLEEPING;
        s->rq[cpu].curr = NULL;
        t->sched_delayed =
            cpus_dequeue_delays(s->cfg.delay_dequeue, true, !entity_eligible(&s->rq[cpu], t));
        t->delayed_idle_gen = s->rq[cpu].idle_gen;
    }
}

struct cpus_thread *cpus_current(const struct cpus_sched *s, unsigned cpu)
{
    return s->rq[cpu].curr;
}

/* sched_slice(): the latency period split among the runnable threads, at least the
 * minimum granularity. */
static uint64_t sched_slice(const struct cpus_sched *s, const struct cpus_rq *rq)
{
    unsigned nr = rq->nr + (rq->curr ? 1 : 0);
    uint64_t sl = nr ? s->cfg.latency_ns / nr : s->cfg.latency_ns;
    return sl > s->cfg.min_granularity_ns ? sl : s->cfg.min_granularity_ns;
}

bool cpus_need_resched(const struct cpus_sched *s, unsigned cpu, uint64_t now)
{
    const struct cpus_rq *rq = &s->rq[cpu];
    if (rq->nr == 0)
        return false;
    if (!rq->curr || rq->resched)
        return true;
    if (rq->curr->policy == CPUS_SCHED_FIFO)
        return false; /* SCHED_FIFO runs until it blocks */
    if (rq_has_fifo(rq))
        return true;
    return now - rq->curr->slice_start >= sched_slice(s, rq);
}

/* Apply a balancer decision: detach_task() + attach_task(). */
static struct cpus_thread *apply_pull(struct cpus_sched *s, const struct cpus_pull *p, int dst)
{
    struct cpus_thread *t = THREAD_OF(p->task);
    rq_remove(&s->rq[p->src_cpu], t);
    cpus_set_task_cpu(s->topo, &s->cfg.refill, &s->stats, &t->task, dst, CPUS_MIGRATE_BALANCE);
    move_thread(s, t, (unsigned)dst);
    rq_push(s, &s->rq[dst], t);
    return t;
}

/* sched_balance_newidle(): a CPU about to go idle pulls one cache-cold thread. */
static void newidle_balance(struct cpus_sched *s, unsigned cpu, uint64_t now,
                            enum cpus_idle_type type)
{
    struct cpus_state snap;
    struct cpus_pull pull;
    snapshot(s, now, &snap);
    if (cpus_find_busiest_and_pull(s->topo, s->bal, &snap, (int)cpu, type, s->cfg.migration_cost_ns,
                                   &pull))
        apply_pull(s, &pull, (int)cpu);
}

/* sched_balance_domains() on a busy CPU (SCHED_SOFTIRQ from the tick): due domains pull
 * toward it; the pulled threads wait their turn (its slice ends sooner with more queued). */
static void busy_balance(struct cpus_sched *s, unsigned cpu, uint64_t now)
{
    enum { MAX_PULL = 32 }; /* sysctl_sched_nr_migrate */
    int64_t interval = (int64_t)s->cfg.balance_interval_ns;
    if (s->cfg.migration_cost_ns < 0 ||
        !cpus_busy_balance_due(s->topo, s->bal, (int)cpu, (int64_t)now, interval))
        return;
    struct cpus_state snap;
    struct cpus_pull pull[MAX_PULL];
    snapshot(s, now, &snap);
    unsigned n = cpus_busy_balance(s->topo, s->bal, &snap, (int)cpu, interval,
                                   s->cfg.migration_cost_ns, pull, MAX_PULL);
    for (unsigned i = 0; i < n; i++)
        apply_pull(s, &pull[i], (int)cpu);
}

struct cpus_thread *cpus_schedule(struct cpus_sched *s, unsigned cpu, uint64_t now, bool *switched)
{
    struct cpus_rq *rq = &s->rq[cpu];
    struct cpus_thread *prev = rq->curr;
    if (now > s->clock)
        s->clock = now;
    *switched = false;
    rq->resched = false;
    update_curr(prev, now);
    if (prev && rq->nr == 0) {
        prev->slice_start = now;
        return prev;
    }
    if (prev) {
        prev->state = CPUS_RUNNABLE;
        rq_push(s, rq, prev);
        rq->curr = NULL;
    }
    if (!prev && rq->nr == 0 && s->cfg.migration_cost_ns >= 0)
        newidle_balance(s, cpu, now, CPUS_CPU_NEWLY_IDLE);
    struct cpus_thread *next = rq_pick(rq);
    if (next && next->policy == CPUS_SCHED_OTHER)
        rq_pop_first(rq);
    else if (next)
        rq_remove(rq, next);
    if (prev && prev != next)
        prev->task.last_ran_ns = (int64_t)now;
    rq->curr = next;
    if (next) {
        next->state = CPUS_RUNNING;
        next->slice_start = now;
        next->exec_start = now;
        if (next != prev)
            next->switches_in++;
    }
    if (!next)
        rq->idle_gen++; /* pick_next_task() went idle: every sched_delayed task left */
    update_min_vruntime(rq);
    *switched = next != prev;
    return next;
}

void cpus_balance_tick(struct cpus_sched *s, uint64_t now, void (*kick)(void *, unsigned),
                       void *ctx)
{
    if (now > s->clock)
        s->clock = now;
    for (unsigned c = 0; c < s->n_cpus; c++) {
        if (s->rq[c].curr || s->rq[c].nr) {
            busy_balance(s, c, now);
            continue;
        }
        newidle_balance(s, c, now, CPUS_CPU_IDLE);
        if (s->rq[c].nr)
            kick(ctx, c);
    }
}

uint64_t cpus_balance_interval(const struct cpus_sched *s)
{
    return s->cfg.balance_interval_ns;
}

uint64_t cpus_take_penalty(struct cpus_sched *s, struct cpus_thread *t)
{
    (void)s;
    int64_t pen = cpus_task_take_penalty(&t->task);
    if (pen <= 0)
        return 0;
    t->penalty_ns += (uint64_t)pen;
    return (uint64_t)pen;
}

unsigned cpus_nr_queued(const struct cpus_sched *s, unsigned cpu)
{
    return s->rq[cpu].nr;
}

unsigned cpus_nr_threads(const struct cpus_sched *s)
{
    return s->threads->len;
}

struct cpus_thread *cpus_thread_get(struct cpus_sched *s, unsigned id)
{
    return id < s->threads->len ? g_ptr_array_index(s->threads, id) : NULL;
}

const struct cpus_migrate_stats *cpus_migrate_totals(const struct cpus_sched *s)
{
    return &s->stats;
}

uint64_t cpus_migrations_in(const struct cpus_sched *s, unsigned cpu)
{
    return cpu < s->n_cpus ? s->migrations_in[cpu] : 0;
}
