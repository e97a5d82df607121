/* Replays receiver wake-ups through cpus_select_task_rq_fair() (try_to_wake_up() ->
 * select_task_rq(), kernel/sched/core.c and fair.c, Linux 6.12). The snapshot is what the trace
 * tells: a CPU is idle while swapper/N (pid 0) runs on it (nr_running 0), else busy with one
 * nice-0 task; one LLC spans all CPUs. A receiver that blocked while another task kept its
 * CPU busy stays queued there, sched_delayed, until that CPU goes idle (DELAY_DEQUEUE, 6.12+):
 * woken before, it is requeued where it is (ttwu_runnable()), never placed. */
#include "validate/wake_model.h"

#include "models/kernel/kversion.h"
#include "models/sched/fair.h"
#include "models/sched/wake.h"

#define NET_RX_SOFTIRQ 3 /* include/linux/interrupt.h */

struct rx_thread {
    struct cpus_task task; /* task_cpu(), recent_used_cpu, wakee flips */
    bool on_rq;            /* running or preempted: ttwu_runnable(), no placement */
    int pending;           /* model CPU chosen at sched_waking, -1 none */
    int pending_prev;      /* task_cpu() at sched_waking */
    int delayed;           /* CPU it blocked on with others still running there, -1 none */
};

struct val_wake_model {
    int ncpus;
    const struct cpus_topology *topo;
    struct cpus_topology *flat; /* owned when no topology was given */
    struct cpus_cpu_state *cpu; /* snapshot rebuilt from the trace */
    bool *net_rx;               /* per CPU: inside NET_RX (sk_data_ready wakes are WF_SYNC) */
    int *curr_pid;              /* per CPU: pid running, -1 unknown */
    int *switched_to;           /* per CPU: next_pid of its last sched_switch, -1 none yet */
    GHashTable *wakers;         /* pid -> struct cpus_task* (record_wakee state of wakers) */
    int *tids;
    struct rx_thread *th;
    unsigned ntids;
    struct val_wake_stats st;
    bool delay_dequeue; /* the host's kernel has DELAY_DEQUEUE (6.12+) */
};

struct val_wake_model *val_wake_model_new(int ncpus, const struct cpus_topology *topo,
                                          const int *tids, unsigned ntids,
                                          const struct sim_cpumask *allowed, unsigned keep)
{
    struct val_wake_model *m = g_new0(struct val_wake_model, 1);
    m->ncpus = ncpus;
    m->topo = topo ? topo : (m->flat = cpus_topology_new_flat(ncpus));
    m->cpu = g_new0(struct cpus_cpu_state, ncpus);
    m->net_rx = g_new0(bool, ncpus);
    m->curr_pid = g_new(int, ncpus);
    m->switched_to = g_new(int, ncpus);
    for (int c = 0; c < ncpus; c++) {
        m->curr_pid[c] = -1;
        m->switched_to[c] = -1;
        m->cpu[c].nr_running = 1; /* unknown until its first event: assumed busy */
        m->cpu[c].load = CPUS_NICE_0_LOAD;
    }
    m->wakers = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    m->ntids = ntids;
    m->tids = g_memdup2(tids, sizeof(int) * (ntids ? ntids : 1));
    m->th = g_new0(struct rx_thread, ntids ? ntids : 1);
    for (unsigned i = 0; i < ntids; i++) {
        cpus_task_init(&m->th[i].task, tids[i], -1, ncpus);
        m->th[i].task.recent_used_cpu = -1;
        if (allowed)
            m->th[i].task.allowed = *allowed;
        m->th[i].pending = -1;
        m->th[i].delayed = -1;
    }
    val_agree_init(&m->st.agree, keep);
    m->delay_dequeue = true;
    return m;
}

void val_wake_model_free(struct val_wake_model *m)
{
    if (!m)
        return;
    cpus_topology_free(m->flat);
    g_free(m->cpu);
    g_free(m->net_rx);
    g_free(m->curr_pid);
    g_free(m->switched_to);
    g_hash_table_destroy(m->wakers);
    g_free(m->tids);
    g_free(m->th);
    val_agree_clear(&m->st.agree);
    g_free(m);
}

void val_wake_model_set_kernel(struct val_wake_model *m, unsigned kernel_version)
{
    m->delay_dequeue = kernel_version >= KERN_VERSION(6, 12);
}

const struct val_wake_stats *val_wake_model_stats(const struct val_wake_model *m)
{
    return &m->st;
}

static struct rx_thread *find(struct val_wake_model *m, int pid)
{
    for (unsigned i = 0; i < m->ntids; i++)
        if (m->tids[i] == pid)
            return &m->th[i];
    return NULL;
}

/* What runs on cpu now: pid 0 is the idle task (available_idle_cpu()). */
static void set_curr(struct val_wake_model *m, int cpu, int pid)
{
    m->curr_pid[cpu] = pid;
    m->cpu[cpu].nr_running = pid != 0;
    m->cpu[cpu].load = pid != 0 ? CPUS_NICE_0_LOAD : 0;
}

static struct cpus_task *waker_task(struct val_wake_model *m, int pid, int cpu)
{
    if (pid <= 0)
        return NULL;
    struct cpus_task *w = g_hash_table_lookup(m->wakers, GINT_TO_POINTER(pid));
    if (!w) {
        w = g_new(struct cpus_task, 1);
        cpus_task_init(w, pid, cpu, m->ncpus);
        g_hash_table_insert(m->wakers, GINT_TO_POINTER(pid), w);
    }
    w->cpu = cpu;
    return w;
}

/* try_to_wake_up(): a runnable thread stays (ttwu_runnable); a sleeping one is placed by
 * select_task_rq_fair() with the waker = what runs on the CPU logging sched_waking. */
static int place(struct val_wake_model *m, struct rx_thread *t, const struct val_trace_event *ev)
{
    if (t->on_rq || cpus_ttwu_runnable_delayed(t->delayed == t->task.cpu))
        return t->task.cpu;
    if (t->task.recent_used_cpu < 0)
        t->task.recent_used_cpu = t->task.cpu;
    int w = ev->cpu;
    m->cpu[w].curr = waker_task(m, ev->tid, w);
    struct cpus_state snap = {(int64_t)ev->ts_ns, m->ncpus, m->cpu};
    /* sock_def_readable() wakes with wake_up_interruptible_sync_poll(): WF_SYNC */
    int cpu = cpus_select_task_rq_fair(m->topo, &snap, &t->task, w, m->net_rx[w], NULL);
    m->cpu[w].curr = NULL;
    return cpu;
}

static void on_wakeup(struct val_wake_model *m, struct rx_thread *t,
                      const struct val_trace_event *ev)
{
    int model = t->pending, prev = t->pending_prev;
    t->pending = -1;
    if (model < 0) { /* no sched_waking traced: place at sched_wakeup */
        prev = t->task.cpu;
        if (prev < 0) {
            m->st.unknown_prev++;
            t->task.cpu = ev->u.wake.target_cpu;
            return;
        }
        model = place(m, t, ev);
    }
    int actual = ev->u.wake.target_cpu;
    m->st.count++;
    m->st.model_migrations += model != prev;
    m->st.trace_migrations += actual != prev;
    val_agree_add(&m->st.agree, model, actual, (uint64_t)t->task.pid, ev->line);
    t->task.cpu = actual; /* follow the real host from here */
    t->on_rq = true;
    t->delayed = -1;
}

static void on_switch(struct val_wake_model *m, const struct val_trace_event *ev)
{
    /* __schedule() switches from what it last switched to: anything else is a lost switch */
    m->st.switches++;
    m->st.unpaired_switches +=
        m->switched_to[ev->cpu] >= 0 && m->switched_to[ev->cpu] != ev->u.sw.prev_pid;
    m->switched_to[ev->cpu] = ev->u.sw.next_pid;
    struct rx_thread *t = find(m, ev->u.sw.prev_pid);
    if (t) {
        t->task.cpu = ev->cpu;
        t->task.last_ran_ns = (int64_t)ev->ts_ns;
        /* preempted (state R) stays on the run queue; S/D sleep */
        t->on_rq = ev->u.sw.prev_state[0] == 'R';
        t->delayed =
            cpus_dequeue_delays(m->delay_dequeue, !t->on_rq, ev->u.sw.next_pid != 0) ? ev->cpu : -1;
    }
    t = find(m, ev->u.sw.next_pid);
    if (t) {
        t->task.cpu = ev->cpu;
        t->on_rq = true;
    }
    set_curr(m, ev->cpu, ev->u.sw.next_pid);
    if (ev->u.sw.next_pid == 0) /* the idle pick dequeued every delayed task of the CPU */
        for (unsigned i = 0; i < m->ntids; i++)
            if (m->th[i].delayed == ev->cpu)
                m->th[i].delayed = -1;
}

void val_wake_model_event(struct val_wake_model *m, const struct val_trace_event *ev)
{
    int c = ev->cpu;
    if (c < 0 || c >= m->ncpus)
        return;
    if (ev->kind == VAL_EV_SCHED_SWITCH) {
        on_switch(m, ev);
        return;
    }
    set_curr(m, c, ev->tid); /* the line's pid column is current on that CPU */
    struct rx_thread *t;
    switch (ev->kind) {
    case VAL_EV_SOFTIRQ_ENTRY:
    case VAL_EV_SOFTIRQ_EXIT:
        if (ev->u.softirq.vec == NET_RX_SOFTIRQ)
            m->net_rx[c] = ev->kind == VAL_EV_SOFTIRQ_ENTRY;
        break;
    case VAL_EV_SCHED_WAKING:
        if (!(t = find(m, ev->u.wake.pid)))
            break;
        if (t->task.cpu < 0) {
            t->pending = -1;
            break;
        }
        t->pending_prev = t->task.cpu;
        t->pending = place(m, t, ev);
        break;
    case VAL_EV_SCHED_WAKEUP:
        if ((t = find(m, ev->u.wake.pid)))
            on_wakeup(m, t, ev);
        break;
    case VAL_EV_SCHED_MIGRATE_TASK:
        if ((t = find(m, ev->u.wake.pid)) && ev->u.wake.dest_cpu >= 0 &&
            ev->u.wake.dest_cpu < m->ncpus && t->pending < 0)
            t->task.cpu = ev->u.wake.dest_cpu; /* balancer pull, not a wake-up */
        break;
    default:
        break;
    }
}
