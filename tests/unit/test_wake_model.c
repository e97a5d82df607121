/* validate/wake_model.c: receiver wake-ups placed by select_task_rq_fair() on the CPU state the
 * trace shows, compared with sched_wakeup's target_cpu. */
#include "models/kernel/kversion.h"
#include "tests/unit/cu_main.h"
#include "validate/wake_model.h"

#include <stdio.h>
#include <string.h>

static struct val_wake_model *feed_on(const char *text, const struct sim_cpumask *allowed,
                                      unsigned kernel)
{
    int tids[] = {20};
    struct val_wake_model *m = val_wake_model_new(2, NULL, tids, 1, allowed, 4);
    val_wake_model_set_kernel(m, kernel);
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    struct val_trace_reader *r = val_trace_open_stream(f, "mem.txt");
    struct val_trace_event ev;
    while (val_trace_next(r, &ev, NULL) == 1)
        val_wake_model_event(m, &ev);
    val_trace_free(r);
    fclose(f);
    return m;
}

/* Before 6.12 (no DELAY_DEQUEUE): a sleeping reader is always placed anew. */
static struct val_wake_model *feed(const char *text, const struct sim_cpumask *allowed)
{
    return feed_on(text, allowed, KERN_VERSION(6, 8));
}

/* Reader 20 sleeps on CPU 0, CPU 1 goes idle, CPU 0 stays busy with pid 30; a wake-up from
 * CPU 0: prev (0) busy, so the idle CPU 1 in the shared LLC is taken
 * (select_idle_sibling), as the trace's target_cpu=001 says: agreement 1, one migration. */
static const char *WAKE_TO_IDLE =
    "  r-20 [000] d..2.  1.000000: sched_switch: prev_comm=r prev_pid=20 prev_prio=120 "
    "prev_state=S ==> next_comm=w next_pid=30 next_prio=120\n"
    "  x-40 [001] d..2.  1.000001: sched_switch: prev_comm=x prev_pid=40 prev_prio=120 "
    "prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120\n"
    "  w-30 [000] d..2.  1.000010: sched_waking: comm=r pid=20 prio=120 target_cpu=000\n"
    "  w-30 [000] d..3.  1.000011: sched_wakeup: comm=r pid=20 prio=120 target_cpu=001\n";

static void test_wake_model_places_on_idle_cpu_of_llc(void)
{
    struct val_wake_model *m = feed(WAKE_TO_IDLE, NULL);
    const struct val_wake_stats *s = val_wake_model_stats(m);
    CU_ASSERT_EQUAL(s->count, 1);
    CU_ASSERT_EQUAL(s->agree.agreed, 1);
    CU_ASSERT_EQUAL(s->model_migrations, 1);
    CU_ASSERT_EQUAL(s->trace_migrations, 1);
    val_wake_model_free(m);
}

/* 6.12+: reader 20 blocked while pid 30 kept CPU 0 busy, so it stayed queued there,
 * sched_delayed (dequeue_entity() with DELAY_DEQUEUE); woken before CPU 0 went idle it is
 * requeued in place by ttwu_runnable(), not placed: the idle CPU 1 is not taken. Once
 * CPU 0 has gone idle the delayed task has left, and the wake-up is placed again. */
static const char *WAKE_DELAYED =
    "  r-20 [000] d..2.  1.000000: sched_switch: prev_comm=r prev_pid=20 prev_prio=120 "
    "prev_state=S ==> next_comm=w next_pid=30 next_prio=120\n"
    "  x-40 [001] d..2.  1.000001: sched_switch: prev_comm=x prev_pid=40 prev_prio=120 "
    "prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120\n"
    "  w-30 [000] d..2.  1.000010: sched_waking: comm=r pid=20 prio=120 target_cpu=000\n"
    "  w-30 [000] d..3.  1.000011: sched_wakeup: comm=r pid=20 prio=120 target_cpu=000\n"
    "  r-20 [000] d..2.  1.000020: sched_switch: prev_comm=r prev_pid=20 prev_prio=120 "
    "prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120\n"
    "  w-30 [001] d..2.  1.000030: sched_switch: prev_comm=swapper/1 prev_pid=0 prev_prio=120 "
    "prev_state=R ==> next_comm=w next_pid=30 next_prio=120\n"
    "  w-30 [001] d..2.  1.000040: sched_waking: comm=r pid=20 prio=120 target_cpu=000\n"
    "  <idle>-0 [000] dNh2.  1.000041: sched_wakeup: comm=r pid=20 prio=120 target_cpu=000\n";

static void test_wake_model_delayed_reader_is_requeued_in_place(void)
{
    struct val_wake_model *m = feed_on(WAKE_DELAYED, NULL, KERN_VERSION(6, 12));
    const struct val_wake_stats *s = val_wake_model_stats(m);
    CU_ASSERT_EQUAL(s->count, 2);
    CU_ASSERT_EQUAL(s->agree.agreed, 2); /* in place, then prev (idle) by wake_affine */
    CU_ASSERT_EQUAL(s->model_migrations, 0);
    val_wake_model_free(m);
    /* The same first wake-up on 6.8 is placed on the idle CPU 1: a disagreement. */
    m = feed_on(WAKE_DELAYED, NULL, KERN_VERSION(6, 8));
    CU_ASSERT_EQUAL(val_wake_model_stats(m)->agree.agreed, 1);
    CU_ASSERT_EQUAL(val_wake_model_stats(m)->model_migrations, 1);
    val_wake_model_free(m);
}

/* Pinned to CPU 0 (settings.rx_pin): the model keeps it there, the trace moved it: one
 * disagreement listed with the sched_wakeup line and the tid. */
static void test_wake_model_lists_disagreement_with_line(void)
{
    struct sim_cpumask pin;
    sim_cpumask_clear(&pin);
    sim_cpumask_set(&pin, 0);
    struct val_wake_model *m = feed(WAKE_TO_IDLE, &pin);
    const struct val_wake_stats *s = val_wake_model_stats(m);
    CU_ASSERT_EQUAL(s->count, 1);
    CU_ASSERT_EQUAL(s->agree.agreed, 0);
    CU_ASSERT_EQUAL(s->model_migrations, 0);
    CU_ASSERT_EQUAL_FATAL(s->agree.first->len, 1);
    const struct val_disagreement *d = &g_array_index(s->agree.first, struct val_disagreement, 0);
    CU_ASSERT_EQUAL(d->trace_line, 4);
    CU_ASSERT_EQUAL(d->packet, 20);
    CU_ASSERT_EQUAL(d->model, 0);
    CU_ASSERT_EQUAL(d->actual, 1);
    val_wake_model_free(m);
}

/* A wake-up before the thread's CPU was ever seen is skipped, not guessed; a wake-up of a
 * thread still on the run queue (preempted, state R) keeps its CPU (ttwu_runnable()). */
static void test_wake_model_skips_unknown_and_keeps_runnable(void)
{
    const char *t =
        "  w-30 [000] d..2.  1.000000: sched_waking: comm=r pid=20 prio=120 target_cpu=000\n"
        "  w-30 [000] d..3.  1.000001: sched_wakeup: comm=r pid=20 prio=120 target_cpu=000\n"
        "  r-20 [001] d..2.  1.000002: sched_switch: prev_comm=r prev_pid=20 prev_prio=120 "
        "prev_state=R+ ==> next_comm=swapper/1 next_pid=0 next_prio=120\n"
        "  w-30 [000] d..2.  1.000003: sched_waking: comm=r pid=20 prio=120 target_cpu=001\n"
        "  w-30 [000] d..3.  1.000004: sched_wakeup: comm=r pid=20 prio=120 target_cpu=001\n";
    struct val_wake_model *m = feed(t, NULL);
    const struct val_wake_stats *s = val_wake_model_stats(m);
    CU_ASSERT_EQUAL(s->unknown_prev, 1);
    CU_ASSERT_EQUAL(s->count, 1);
    CU_ASSERT_EQUAL(s->agree.agreed, 1);
    CU_ASSERT_EQUAL(s->model_migrations, 0);
    val_wake_model_free(m);
}

/* A sched_switch whose prev_pid is not what the CPU's previous switch ran means a switch is
 * missing from the trace (the shared v769 bundles lose switches out of the idle task): CPU 1
 * switched to the idle task, then reader 20 switches out of it with no switch-in between: one
 * unpaired of three (CPU 0's one switch has no predecessor); with the switch-in, none. */
static void test_wake_model_counts_unpaired_switches(void)
{
    const char *t =
        "  x-40 [001] d..2.  1.000001: sched_switch: prev_comm=x prev_pid=40 prev_prio=120 "
        "prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120\n"
        "  r-20 [001] d..2.  1.000100: sched_switch: prev_comm=r prev_pid=20 prev_prio=120 "
        "prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120\n"
        "  w-30 [000] d..2.  1.000200: sched_switch: prev_comm=w prev_pid=30 prev_prio=120 "
        "prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120\n";
    struct val_wake_model *m = feed(t, NULL);
    CU_ASSERT_EQUAL(val_wake_model_stats(m)->switches, 3);
    CU_ASSERT_EQUAL(val_wake_model_stats(m)->unpaired_switches, 1);
    val_wake_model_free(m);
    const char *paired = /* every switch starts from what the previous one on its CPU ran */
        "  x-40 [001] d..2.  1.000001: sched_switch: prev_comm=x prev_pid=40 prev_prio=120 "
        "prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120\n"
        "  <idle>-0 [001] d..2.  1.000050: sched_switch: prev_comm=swapper/1 prev_pid=0 "
        "prev_prio=120 prev_state=R ==> next_comm=r next_pid=20 next_prio=120\n"
        "  r-20 [001] d..2.  1.000100: sched_switch: prev_comm=r prev_pid=20 prev_prio=120 "
        "prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120\n";
    m = feed(paired, NULL);
    CU_ASSERT_EQUAL(val_wake_model_stats(m)->switches, 3);
    CU_ASSERT_EQUAL(val_wake_model_stats(m)->unpaired_switches, 0);
    val_wake_model_free(m);
}

static CU_TestInfo cases[] = {
    {"test_wake_model_delayed_reader_is_requeued_in_place",
     test_wake_model_delayed_reader_is_requeued_in_place},
    {"test_wake_model_counts_unpaired_switches", test_wake_model_counts_unpaired_switches},
    {"test_wake_model_places_on_idle_cpu_of_llc", test_wake_model_places_on_idle_cpu_of_llc},
    {"test_wake_model_lists_disagreement_with_line", test_wake_model_lists_disagreement_with_line},
    {"test_wake_model_skips_unknown_and_keeps_runnable",
     test_wake_model_skips_unknown_and_keeps_runnable},
    CU_TEST_INFO_NULL,
};

CU_MAIN("wake_model", cases)
