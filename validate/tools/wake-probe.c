/* wake-probe: where does this host's scheduler put a woken thread? A controlled probe for
 * hosts whose wake-up placement no trace rule explains (#12 point 3: the capture hosts'
 * non-upstream kernel.sched_vcpu_pack). Run it on an otherwise idle 2+-CPU host.
 *
 * One trial: the wakee runs WAKEE_US pinned on CPU 1 (so task_cpu() = 1), drops its pinning
 * (allowed on CPUs 0 and 1) and blocks reading a pipe; the waker, pinned on WAKER_CPU, sleeps
 * GAP_US (CPU 1 goes idle), spins WAKER_US, writes the pipe (pipe_write wakes with
 * wake_up_interruptible_sync_poll: WF_SYNC) and blocks at once until the wakee says which CPU
 * it woke on (sched_getcpu()). Prints how many of TRIALS landed on the waker's CPU and the
 * sequence (the digits are CPUs): PELT utilisation builds up over the trials, so a rule with
 * a utilisation threshold shows as a switch in the sequence.
 *   built as build/wake-probe (or: cc -O2 -pthread validate/tools/wake-probe.c -o wake-probe)
 *   ./wake-probe WAKEE_US GAP_US WAKER_US TRIALS [WAKER_CPU]
 * Upstream select_task_rq_fair() (wake_affine_idle: prev idle and sharing the LLC) puts it
 * back on idle CPU 1 unless the sync wake-up finds the waker about to sleep (WF_SYNC with one
 * task running). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static int wake_p[2], ready_p[2], done_p[2];
static int ww, gap, wb, trials, wpin;
static uint64_t now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000ull + t.tv_nsec;
}
static void spin(int us)
{
    uint64_t e = now() + us * 1000ull;
    while (now() < e)
        ;
}
static void pin(int c)
{
    cpu_set_t s;
    CPU_ZERO(&s);
    if (c < 0) {
        CPU_SET(0, &s);
        CPU_SET(1, &s);
    } else
        CPU_SET(c, &s);
    if (sched_setaffinity(0, sizeof s, &s) != 0) {
        fprintf(stderr, "wake-probe: sched_setaffinity(CPU %d): %s (needs CPUs 0 and 1)\n", c,
                strerror(errno));
        exit(1);
    }
}
static void *wakee(void *a)
{
    (void)a;
    char c;
    for (int i = 0; i < trials; i++) {
        pin(1);
        spin(ww);
        pin(-1);
        if (write(ready_p[1], "r", 1) != 1)
            exit(1);
        if (read(wake_p[0], &c, 1) != 1)
            exit(1);
        int cpu = sched_getcpu();
        if (write(done_p[1], &cpu, sizeof cpu) != sizeof cpu)
            exit(1);
    }
    return 0;
}
int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: wake-probe WAKEE_US GAP_US WAKER_US TRIALS [WAKER_CPU]\n");
        return 2;
    }
    int *dst[] = {&ww, &gap, &wb, &trials, &wpin};
    wpin = 0;
    for (int i = 1; i < argc && i <= 5; i++) {
        char *e;
        long v = strtol(argv[i], &e, 10);
        if (*argv[i] == '\0' || *e || v < 0 || v > 10000000 || (i == 4 && v == 0)) {
            fprintf(stderr, "wake-probe: argument %d '%s': expected a whole number %s\n", i,
                    argv[i], i == 4 ? "> 0" : ">= 0");
            return 2;
        }
        *dst[i - 1] = (int)v;
    }
    if (wpin == 1) {
        fprintf(stderr, "wake-probe: WAKER_CPU 1 is the wakee's CPU: pick another\n");
        return 2;
    }
    if (pipe(wake_p) || pipe(ready_p) || pipe(done_p))
        return 1;
    pin(wpin);
    pthread_t t;
    pthread_create(&t, 0, wakee, 0);
    int n0 = 0;
    char seq[121] = {0};
    char c;
    for (int i = 0; i < trials; i++) {
        if (read(ready_p[0], &c, 1) != 1)
            return 1;
        usleep(gap); /* the wakee blocks, CPU1 idles */
        spin(wb);    /* the waker's CPU busy before the wake */
        if (write(wake_p[1], "x", 1) != 1)
            return 1;
        int cpu;
        if (read(done_p[0], &cpu, sizeof cpu) != sizeof cpu)
            return 1; /* waker blocks at once */
        n0 += cpu == wpin;
        if (i < 120)
            seq[i] = '0' + cpu;
    }
    printf("ww=%d gap=%d wb=%d: on waker CPU %d/%d %s\n", ww, gap, wb, n0, trials, seq);
    return 0;
}
