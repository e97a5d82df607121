#include "validate/hz.h"

#include <math.h>
#include <string.h>

#include "validate/trace.h"

/* Softirqs the tick raises from hard-IRQ context: TIMER (run_local_timers(),
 * kernel/time/timer.c), SCHED (trigger_load_balance(), kernel/sched/fair.c),
 * RCU (rcu_sched_clock_irq() -> invoke_rcu_core(), kernel/rcu/tree.c). */
#define VEC_TIMER 1
#define VEC_SCHED 7
#define VEC_RCU   9

/* Two raises closer than this are one tick's (TIMER then SCHED in the same
 * tick_sched_handle()), not two ticks. */
#define SAME_TICK_NS 100000

/* A raise lands within this much of a tick edge (IRQ entry jitter, and a
 * VM's timer skew): 5% of the period, at least 30 µs. */
#define JITTER_FRACTION 0.05
#define JITTER_MIN_NS   30000.0

struct val_hz_estimator {
    GArray *last;      /* uint64_t per CPU, 0 = none yet */
    GArray *intervals; /* uint64_t ns */
};

struct val_hz_estimator *val_hz_estimator_new(void)
{
    struct val_hz_estimator *e = g_new0(struct val_hz_estimator, 1);
    e->last = g_array_new(FALSE, TRUE, sizeof(uint64_t));
    e->intervals = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    return e;
}

void val_hz_estimator_free(struct val_hz_estimator *e)
{
    if (!e)
        return;
    g_array_free(e->last, TRUE);
    g_array_free(e->intervals, TRUE);
    g_free(e);
}

void val_hz_add_raise(struct val_hz_estimator *e, int cpu, uint64_t ts_ns, unsigned vec,
                      bool in_hardirq)
{
    if (cpu < 0 || cpu >= 4096 || !in_hardirq ||
        (vec != VEC_TIMER && vec != VEC_SCHED && vec != VEC_RCU))
        return;
    if ((guint)cpu >= e->last->len)
        g_array_set_size(e->last, (guint)cpu + 1);
    uint64_t *last = &g_array_index(e->last, uint64_t, cpu);
    if (*last && ts_ns > *last + SAME_TICK_NS) {
        uint64_t d = ts_ns - *last;
        g_array_append_val(e->intervals, d);
    }
    if (!*last || ts_ns > *last + SAME_TICK_NS)
        *last = ts_ns;
}

uint64_t val_hz_intervals(const struct val_hz_estimator *e)
{
    return e->intervals->len;
}

static double fit(const struct val_hz_estimator *e, int hz)
{
    double p = 1e9 / hz, tol = fmax(JITTER_FRACTION * p, JITTER_MIN_NS);
    guint ok = 0;
    for (guint i = 0; i < e->intervals->len; i++) {
        double d = (double)g_array_index(e->intervals, uint64_t, i);
        double k = round(d / p);
        if (k >= 1 && fabs(d - k * p) <= tol)
            ok++;
    }
    return (double)ok / e->intervals->len;
}

int val_hz_estimate(const struct val_hz_estimator *e)
{
    /* Lowest first: a 4 ms tick's intervals are also whole milliseconds. */
    static const int hz[] = {100, 250, 300, 1000};
    if (e->intervals->len < VAL_HZ_MIN_INTERVALS)
        return 0;
    for (size_t i = 0; i < G_N_ELEMENTS(hz); i++)
        if (fit(e, hz[i]) >= 0.9)
            return hz[i];
    return 0;
}

/* The irq-info column's third character (trace_print_lat_fmt(), kernel/trace/trace_output.c):
 * 'h' hard IRQ, 'H' hard IRQ inside a softirq. */
static bool in_hardirq(const char *flags)
{
    return strlen(flags) >= 3 && (flags[2] == 'h' || flags[2] == 'H');
}

int val_hz_from_trace(const char *path, uint64_t max_lines, uint64_t *intervals, GError **err)
{
    struct val_trace_reader *tr = val_trace_open(path, err);
    if (!tr)
        return -1;
    val_trace_only(tr, VAL_EV_SOFTIRQ_RAISE); /* the estimate reads nothing else */
    struct val_hz_estimator *e = val_hz_estimator_new();
    struct val_trace_event ev;
    int rc = 0;
    /* Enough intervals for a clear answer; past that, more lines change nothing. */
    while (val_hz_intervals(e) < 20 * VAL_HZ_MIN_INTERVALS &&
           val_trace_get_stats(tr)->lines < max_lines && (rc = val_trace_next(tr, &ev, err)) == 1)
        if (ev.kind == VAL_EV_SOFTIRQ_RAISE)
            val_hz_add_raise(e, ev.cpu, ev.ts_ns, ev.u.softirq.vec, in_hardirq(ev.flags));
    int hz = rc < 0 ? -1 : val_hz_estimate(e);
    if (intervals)
        *intervals = val_hz_intervals(e);
    val_hz_estimator_free(e);
    val_trace_free(tr);
    return hz;
}
