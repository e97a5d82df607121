/* The CALL_FUNCTION_SINGLE IPI ("CAL" in /proc/interrupts) and the reschedule IPI
 * ("RES"): __smp_call_single_queue / send_call_function_single_ipi and
 * __flush_smp_call_function_queue (kernel/smp.c), which runs both the RPS csd
 * callbacks and sched_ttwu_pending; ttwu_queue / ttwu_queue_wakelist and
 * resched_curr (kernel/sched/core.c), Linux 6.12. */
#ifndef NICSTEER_KERN_SMP_H
#define NICSTEER_KERN_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include "models/kernel/kern.h"

#define KERN_IRQ_CAL 2 /* IRQ slot of CALL_FUNCTION_SINGLE_VECTOR ("CAL") */
#define KERN_IRQ_RES 3 /* IRQ slot of RESCHEDULE_VECTOR ("RES") */
/* IRQ slot of the local APIC timer running expired hrtimers (hrtimer_interrupt; part of
 * LOC in /proc/interrupts), here only the NAPI watchdogs (napi.c) */
#define KERN_IRQ_HRTIMER 4

/* What a CAL IPI's target finds on its call_single_queue. */
enum kern_csd {
    KERN_CSD_RPS = 1u << 0,   /* sd->csd: rps_trigger_softirq */
    KERN_CSD_TTWU = 1u << 1,  /* p->wake_entry: sched_ttwu_pending */
    KERN_CSD_DEFER = 1u << 2, /* sd->defer_csd: trigger_rx_softirq (skb_defer.c) */
};

/* The RPS csd callback (rps_trigger_softirq), run on the target CPU. */
void kern_smp_set_rps_fn(struct kern_host *h, void (*fn)(void *ctx), void *ctx);
/* Queue `csd` on `cpu` and raise its CAL IPI at `at` (one IPI serves all queued). */
void kern_smp_call_function_single(struct kern_host *h, unsigned cpu, unsigned csd, uint64_t at);
/* __smp_call_single_queue(): queue `csd` on `cpu`; only when its call_single_queue was empty
 * (llist_add returns true) is a CAL IPI sent, at `at`. Returns whether one was sent. */
bool kern_smp_call_single_queue(struct kern_host *h, unsigned cpu, unsigned csd, uint64_t at);

/* ttwu_queue() after placement on `cpu` by `waker_cpu` (< 0: not a CPU's code, local):
 * `queued` = ttwu_queue_cond said so, `preempt` = the wakee preempts the target's
 * current thread, `idle` = the target sits in an idle state. A remote queued wake-up
 * raises a CAL IPI (sched_ttwu_pending on the target), a remote preempting one a RES
 * IPI; an idle target first leaves its C-state (idle_exit_ns). Returns when the target
 * can run the wakee. */
uint64_t kern_ttwu_queue(struct kern_host *h, unsigned cpu, int waker_cpu, bool queued,
                         bool preempt, bool idle, uint64_t at);
/* IPIs sent for wake-ups (CAL wake-list + RES), all CPUs. */
uint64_t kern_wake_ipis(const struct kern_host *h);

#endif
