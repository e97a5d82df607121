/* A CPU-bound SCHED_OTHER thread (`stress -c 1`, a batch job): never sleeps, so it
 * competes with ksoftirqd and the network threads for CFS time on its CPU. */
#ifndef NICSTEER_APP_HOG_H
#define NICSTEER_APP_HOG_H

#include "models/kernel/kern.h"

struct app_hogs;

/* One hog thread pinned on each cpus[i], runnable from time 0. */
struct app_hogs *app_hogs_new(struct kern_host *h, const unsigned *cpus, unsigned n);
void app_hogs_free(struct app_hogs *a);

#endif
