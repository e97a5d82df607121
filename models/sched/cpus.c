/* Per-CPU run queues with round-robin slices: a stand-in for CFS/EEVDF's
 * pick_next_task_fair (kernel/sched/fair.c) with equal weights. */
#include "models/sched/cpus.h"

#include <glib.h>
#include <string.h>

struct cpus_rq {
    struct cpus_thread *curr;
    struct cpus_thread *head, *tail;
    unsigned nr;
};

struct cpus_sched {
    unsigned n_cpus;
    uint64_t slice_ns;
    struct cpus_rq *rq;
    GPtrArray *threads;
};

struct cpus_sched *cpus_new(unsigned n_cpus, uint64_t slice_ns)
{
    struct cpus_sched *s = g_new0(struct cpus_sched, 1);
    s->n_cpus = n_cpus;
    s->slice_ns = slice_ns;
    s->rq = g_new0(struct cpus_rq, n_cpus);
    s->threads = g_ptr_array_new_with_free_func(g_free);
    return s;
}

void cpus_free(struct cpus_sched *s)
{
    if (!s)
        return;
    g_ptr_array_free(s->threads, TRUE);
    g_free(s->rq);
    g_free(s);
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
    g_ptr_array_add(s->threads, t);
    return t;
}

static void rq_push(struct cpus_rq *rq, struct cpus_thread *t)
{
    t->rq_next = NULL;
    if (rq->tail)
        rq->tail->rq_next = t;
    else
        rq->head = t;
    rq->tail = t;
    rq->nr++;
}

static struct cpus_thread *rq_pop(struct cpus_rq *rq)
{
    struct cpus_thread *t = rq->head;
    if (!t)
        return NULL;
    rq->head = t->rq_next;
    if (!rq->head)
        rq->tail = NULL;
    rq->nr--;
    t->rq_next = NULL;
    return t;
}

bool cpus_wake(struct cpus_sched *s, struct cpus_thread *t)
{
    if (t->state != CPUS_SLEEPING)
        return false;
    t->state = CPUS_RUNNABLE;
    rq_push(&s->rq[t->cpu], t);
    return true;
}

void cpus_block(struct cpus_sched *s, unsigned cpu)
{
    struct cpus_thread *t = s->rq[cpu].curr;
    if (t) {
        t->state = CPUS_SLEEPING;
        s->rq[cpu].curr = NULL;
    }
}

struct cpus_thread *cpus_current(const struct cpus_sched *s, unsigned cpu)
{
    return s->rq[cpu].curr;
}

bool cpus_need_resched(const struct cpus_sched *s, unsigned cpu, uint64_t now)
{
    const struct cpus_rq *rq = &s->rq[cpu];
    if (rq->nr == 0)
        return false;
    if (!rq->curr)
        return true; /* wakeup preempts the idle task */
    return now - rq->curr->slice_start >= s->slice_ns;
}

struct cpus_thread *cpus_schedule(struct cpus_sched *s, unsigned cpu, uint64_t now, bool *switched)
{
    struct cpus_rq *rq = &s->rq[cpu];
    struct cpus_thread *prev = rq->curr;
    *switched = false;
    if (prev && rq->nr == 0)
        return prev;
    if (prev) {
        prev->state = CPUS_RUNNABLE;
        rq_push(rq, prev);
    }
    struct cpus_thread *next = rq_pop(rq);
    rq->curr = next;
    if (next) {
        next->state = CPUS_RUNNING;
        next->slice_start = now;
    }
    *switched = next != prev;
    return next;
}

unsigned cpus_nr_queued(const struct cpus_sched *s, unsigned cpu)
{
    return s->rq[cpu].nr;
}

struct cpus_thread *cpus_thread_get(struct cpus_sched *s, unsigned id)
{
    return id < s->threads->len ? g_ptr_array_index(s->threads, id) : NULL;
}
