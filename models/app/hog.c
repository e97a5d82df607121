/* CPU-bound user threads: a loop with no system calls, preempted only by interrupts,
 * softirqs and the scheduler (kernel/sched/fair.c check_preempt_tick). */
#include "models/app/hog.h"

#include <glib.h>

#define HOG_CHUNK_NS 10000 /* user work per step: hardirqs wait at most this long */

struct app_hogs {
    struct kern_host *h;
    unsigned n;
};

static bool hog_step(struct cpus_thread *t, void *arg)
{
    (void)t;
    struct app_hogs *a = arg;
    kern_charge_user(a->h, HOG_CHUNK_NS);
    return true;
}

struct app_hogs *app_hogs_new(struct kern_host *h, const unsigned *cpus, unsigned n)
{
    struct app_hogs *a = g_new0(struct app_hogs, 1);
    a->h = h;
    a->n = n;
    for (unsigned i = 0; i < n; i++) {
        char name[24];
        g_snprintf(name, sizeof name, "hog/%u", i);
        struct cpus_thread *t = cpus_thread_new(kern_sched(h), name, cpus[i], hog_step, a);
        cpus_wake(kern_sched(h), t);
    }
    return a;
}

void app_hogs_free(struct app_hogs *a)
{
    g_free(a);
}
