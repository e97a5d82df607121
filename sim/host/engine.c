/* SimGrid glue (C API of SimGrid 3.32): platform loading, the window actor
 * and the per-CPU actors. No SimGrid call per packet or per event: the NIC's
 * actor steps every event in model order, SimGrid's clock moves only at 100 µs
 * window boundaries, and each CPU's busy time is one execution per window on
 * its host, started by that CPU's actor at the boundary (its timer), a parked
 * CPU actor kicked (sem release) by the chunk that ends its idleness. */
#include "sim/host/engine.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <simgrid/exec.h>
#include <simgrid/host.h>
#include <simgrid/semaphore.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/err.h"

/* SimGrid calls made by the per-CPU engine (G_MESSAGES_DEBUG=all prints them). */
struct engine_stats {
    uint64_t events, kicks, sleeps, execs, tests, timeouts;
    uint64_t busy_ns, mirrored_ns; /* chunks' time before the end; of it, executed */
};

/* One CPU's busy time and the part of it mirrored as executions on its host. */
struct cpu_busy {
    uint64_t total;      /* busy ns of every chunk computed so far */
    uint64_t flushed;    /* of which started as executions */
    uint64_t win;        /* window holding the latest chunk's start */
    uint64_t in_win;     /* busy ns at or after win */
    uint64_t last_to;    /* end of its latest chunk (may lie past the clock) */
    uint64_t flushed_at; /* window boundary of the last flush */
    uint64_t timer;      /* window boundary its timeout last waited for */
    bool parked;         /* its actor waits without a timeout: the next chunk kicks it */
    sg_exec_t exec;      /* the execution under way, NULL none */
};

struct engine_run {
    struct sim_machine *m;
    unsigned n_cpus;
    bool done;
    uint64_t clock_ns;     /* SimGrid's clock: the start of the window of the model time */
    sg_sem_t *sem;         /* per CPU actor */
    struct cpu_busy *busy; /* per CPU */
    struct engine_stats st;
};

struct actor_arg {
    struct engine_run *r;
    int me; /* CPU index, or n_cpus = NIC */
};

static sim_engine_progress_fn progress_fn;
static void *progress_ctx;

void sim_engine_set_progress(sim_engine_progress_fn fn, void *ctx)
{
    progress_fn = fn;
    progress_ctx = ctx;
}

/* The progress hook at window boundaries that are a multiple of its step. */
static void tell_progress(const struct engine_run *r, uint64_t w)
{
    if (progress_fn && w % SIM_ENGINE_PROGRESS_NS == 0)
        progress_fn(progress_ctx, w, sim_machine_end(r->m));
}

static double ns_to_s(uint64_t ns)
{
    return (double)ns / 1e9;
}

bool sim_engine_parse(const char *name, enum sim_engine_kind *kind)
{
    if (g_strcmp0(name, "window") == 0)
        *kind = SIM_ENGINE_WINDOW;
    else if (g_strcmp0(name, "percpu") == 0)
        *kind = SIM_ENGINE_PERCPU;
    else
        return false;
    return true;
}

const char *sim_engine_name(enum sim_engine_kind kind)
{
    return kind == SIM_ENGINE_WINDOW ? "window" : "percpu";
}

static void sleep_to(uint64_t t)
{
    if (ns_to_s(t) > simgrid_get_clock())
        sg_actor_sleep_until(ns_to_s(t));
}

static void window_actor(int argc, char **argv)
{
    struct engine_run *r = sg_actor_self_get_data();
    uint64_t end = sim_machine_end(r->m), t;
    for (uint64_t w = SIM_ENGINE_WINDOW_NS;; w += SIM_ENGINE_WINDOW_NS) {
        sim_machine_run_until(r->m, w);
        tell_progress(r, w);
        if (sim_machine_next(r->m, &t) == SIM_OWNER_DONE || w >= end)
            break;
        sleep_to(w);
    }
    sleep_to(end);
}

static void finish(struct engine_run *r)
{
    r->done = true;
    for (unsigned i = 0; i < r->n_cpus; i++)
        sg_sem_release(r->sem[i]);
}

/* Lazy clock: SimGrid's clock stays at the start of the window holding the
 * model time; only an event past the window's end makes the stepper sleep. */
static void sync_clock(struct engine_run *r, uint64_t t)
{
    uint64_t start = t - t % SIM_ENGINE_WINDOW_NS;
    if (start <= r->clock_ns)
        return;
    sg_actor_sleep_until(ns_to_s(start));
    for (uint64_t w = r->clock_ns - r->clock_ns % SIM_ENGINE_PROGRESS_NS + SIM_ENGINE_PROGRESS_NS;
         w <= start; w += SIM_ENGINE_PROGRESS_NS)
        tell_progress(r, w);
    r->clock_ns = start;
    r->st.sleeps++;
}

/* A chunk [from, to) of a CPU's time, computed in the clock's window: added to
 * its busy time; a CPU actor parked without a timeout is kicked (the IPI). */
static void add_chunk(struct engine_run *r, unsigned cpu, uint64_t from, uint64_t to)
{
    struct cpu_busy *b = &r->busy[cpu];
    if (r->clock_ns > b->win) { /* only the latest chunk can reach into the new window */
        b->in_win = b->last_to > r->clock_ns ? b->last_to - r->clock_ns : 0;
        b->win = r->clock_ns;
    }
    b->in_win += to - from;
    b->total += to - from;
    uint64_t end = sim_machine_end(r->m);
    r->st.busy_ns += MIN(to, end) - MIN(from, end);
    b->last_to = to;
    if (b->parked) {
        b->parked = false;
        r->st.kicks++;
        sg_sem_release(r->sem[cpu]);
    }
}

/* The CPU's busy time before window boundary w (w >= the window of its latest chunk). */
static uint64_t busy_before(const struct cpu_busy *b, uint64_t w)
{
    if (w > b->win)
        return b->total - (b->last_to > w ? b->last_to - w : 0);
    return w == b->win ? b->total - b->in_win : b->flushed;
}

/* One execution per CPU per window: the busy time before window boundary w not
 * yet mirrored, started on the CPU's host by its own actor once the previous one
 * has finished (the part of a chunk past w waits for a later one). */
static void flush_busy(struct engine_run *r, unsigned cpu, uint64_t w)
{
    struct cpu_busy *b = &r->busy[cpu];
    if (b->flushed_at >= w)
        return;
    b->flushed_at = w;
    if (b->exec) {
        r->st.tests++;
        if (!sg_exec_test(b->exec))
            return;
        b->exec = NULL;
    }
    uint64_t before = busy_before(b, w);
    if (before <= b->flushed)
        return;
    b->exec = sg_actor_exec_init((double)(before - b->flushed));
    sg_exec_start(b->exec);
    r->st.mirrored_ns += before - b->flushed;
    b->flushed = before;
    r->st.execs++;
}

/* A CPU actor waits for the timer at each window boundary while its CPU is armed
 * or has busy time not yet mirrored, and flushes it there; otherwise it parks
 * until a chunk kicks it (finish() ends every wait). */
static void cpu_wait(struct engine_run *r, unsigned me)
{
    struct cpu_busy *b = &r->busy[me];
    while (!r->done) {
        uint64_t due;
        if (sim_machine_cpu_due(r->m, me, &due) || b->total > b->flushed) {
            double now = simgrid_get_clock();
            uint64_t ns = (uint64_t)(now * 1e9 + 0.5);
            uint64_t wake = ns - ns % SIM_ENGINE_WINDOW_NS + SIM_ENGINE_WINDOW_NS;
            if (wake <= b->timer)
                wake = b->timer + SIM_ENGINE_WINDOW_NS;
            b->timer = wake;
            r->st.timeouts++;
            if (sg_sem_acquire_timeout(r->sem[me], ns_to_s(wake) - now) != 0)
                flush_busy(r, me, wake);
            continue;
        }
        b->parked = true;
        sg_sem_acquire(r->sem[me]);
        b->parked = false;
    }
}

/* The last busy time (up to the end) as one execution, waited for. */
static void drain_busy(struct engine_run *r, unsigned cpu)
{
    struct cpu_busy *b = &r->busy[cpu];
    if (b->exec)
        sg_exec_wait(b->exec);
    b->exec = NULL;
    uint64_t before = busy_before(b, sim_machine_end(r->m));
    if (before > b->flushed)
        sg_actor_execute((double)(before - b->flushed));
    r->st.mirrored_ns += before > b->flushed ? before - b->flushed : 0;
    b->flushed = b->total;
}

/* One actor per CPU (on cpuN), mirroring its CPU's busy time as executions on its
 * host, and one for the NIC (on nic0) stepping the model: every event runs in
 * model order as in the window engine (no baton pass: which actor computes a step
 * does not change it), SimGrid's clock moving only when the model time leaves the
 * clock's window. */
static void percpu_actor(int argc, char **argv)
{
    struct actor_arg *a = sg_actor_self_get_data();
    struct engine_run *r = a->r;
    if (a->me < (int)r->n_cpus) {
        cpu_wait(r, (unsigned)a->me);
        drain_busy(r, (unsigned)a->me);
        return;
    }
    for (;;) {
        uint64_t t, from, to;
        int o = sim_machine_step_owner(r->m, &t);
        if (o == SIM_OWNER_DONE) {
            sync_clock(r, sim_machine_end(r->m));
            finish(r);
            break;
        }
        sync_clock(r, t);
        r->st.events++;
        if (sim_machine_run_next(r->m, &from, &to)) /* only a CPU's chunk has CPU time */
            add_chunk(r, (unsigned)o, from, to);
    }
}

static bool load_platform_xml(const char *xml, GError **err)
{
    char *dir = g_dir_make_tmp("nicsteer-XXXXXX", NULL);
    if (!dir) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_IO, "cannot create a temporary directory: %s",
                    g_strerror(errno));
        return false;
    }
    char *path = g_build_filename(dir, "platform.xml", NULL);
    bool ok = g_file_set_contents(path, xml, -1, err);
    if (ok)
        simgrid_load_platform(path);
    g_remove(path);
    g_rmdir(dir);
    g_free(path);
    g_free(dir);
    return ok;
}

static bool load_platform(unsigned n_cpus, unsigned link_mbps, GError **err)
{
    char *xml = sim_platform_xml(n_cpus, link_mbps);
    bool ok = load_platform_xml(xml, err);
    g_free(xml);
    return ok;
}

static bool engine_used(GError **err)
{
    static bool used;
    if (used) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_USAGE,
                    "SimGrid runs one engine per process (already used)");
        return true;
    }
    used = true;
    return false;
}

struct hosts_run {
    struct sim_machine *const *ms;
    unsigned n;
};

/* The host owning the earliest next item before `t` (lowest on a tie), -1 none. */
static int hosts_next(const struct hosts_run *r, uint64_t t)
{
    int best = -1;
    uint64_t bt = 0, x;
    for (unsigned i = 0; i < r->n; i++)
        if (sim_machine_next(r->ms[i], &x) != SIM_OWNER_DONE && x < t && (best < 0 || x < bt)) {
            best = (int)i;
            bt = x;
        }
    return best;
}

bool sim_hosts_run_until(struct sim_machine *const *ms, unsigned n, uint64_t t)
{
    struct hosts_run r = {.ms = ms, .n = n};
    uint64_t a, b;
    for (int i; (i = hosts_next(&r, t)) >= 0;)
        sim_machine_run_next(ms[i], &a, &b);
    return hosts_next(&r, UINT64_MAX) >= 0;
}

static void hosts_actor(int argc, char **argv)
{
    struct hosts_run *r = sg_actor_self_get_data();
    uint64_t end = sim_machine_end(r->ms[0]);
    for (uint64_t w = SIM_ENGINE_WINDOW_NS;; w += SIM_ENGINE_WINDOW_NS) {
        sim_hosts_run_until(r->ms, r->n, w);
        if (progress_fn && w % SIM_ENGINE_PROGRESS_NS == 0)
            progress_fn(progress_ctx, w, end);
        if (hosts_next(r, UINT64_MAX) < 0 || w >= end)
            break;
        sleep_to(w);
    }
    sleep_to(end);
}

/* simgrid_init() once per process (engine_used()), quiet. SimGrid's raw contexts switch
 * stacks behind ASan's back: use threads under the sanitizer build. */
static bool engine_init(GError **err)
{
    if (engine_used(err))
        return false;
    char *args[] = {"nicsteer", "--log=root.thres:critical",
#ifdef __SANITIZE_ADDRESS__
                    "--cfg=contexts/factory:thread",
#endif
                    NULL};
    int argc = (int)G_N_ELEMENTS(args) - 1;
    simgrid_init(&argc, args);
    return true;
}

bool sim_engine_run_hosts(struct sim_machine *const *ms, unsigned n, const char *platform_xml,
                          GError **err)
{
    if (!engine_init(err) || !load_platform_xml(platform_xml, err))
        return false;
    for (unsigned i = 1; i < n; i++)
        if (sim_machine_end(ms[i]) != sim_machine_end(ms[0])) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "hosts: every host must end together");
            return false;
        }
    struct hosts_run r = {.ms = ms, .n = n};
    sg_host_t *all = sg_host_list();
    sg_actor_t a = sg_actor_init("hosts", all[0]);
    free(all);
    sg_actor_set_data(a, &r);
    sg_actor_start(a, hosts_actor, 0, NULL);
    simgrid_run();
    return true;
}

bool sim_engine_run(struct sim_machine *m, enum sim_engine_kind kind, unsigned link_mbps,
                    GError **err)
{
    if (!engine_init(err))
        return false;
    unsigned n = sim_machine_n_cpus(m);
    if (!load_platform(n, link_mbps, err))
        return false;
    struct engine_run r = {.m = m, .n_cpus = n};
    if (kind == SIM_ENGINE_WINDOW) {
        sg_actor_t a = sg_actor_init("loop", sg_host_by_name("nic0"));
        sg_actor_set_data(a, &r);
        sg_actor_start(a, window_actor, 0, NULL);
        simgrid_run();
        return true;
    }
    r.sem = g_new(sg_sem_t, n);
    r.busy = g_new0(struct cpu_busy, n);
    struct actor_arg *aa = g_new(struct actor_arg, n + 1);
    for (unsigned i = 0; i <= n; i++) {
        if (i < n)
            r.sem[i] = sg_sem_init(0);
        aa[i].r = &r;
        aa[i].me = (int)i;
        char name[16], host[16];
        g_snprintf(name, sizeof name, i < n ? "cpu%u" : "nic", i);
        g_snprintf(host, sizeof host, i < n ? "cpu%u" : "nic0", i);
        sg_actor_t a = sg_actor_init(name, sg_host_by_name(host));
        sg_actor_set_data(a, &aa[i]);
        sg_actor_start(a, percpu_actor, 0, NULL);
    }
    simgrid_run();
    for (unsigned i = 0; i < n; i++)
        sg_sem_destroy(r.sem[i]);
    g_free(r.sem);
    g_free(r.busy);
    g_free(aa);
    g_debug("percpu engine: %" G_GUINT64_FORMAT " events, %" G_GUINT64_FORMAT
            " kicks, %" G_GUINT64_FORMAT " sleeps, %" G_GUINT64_FORMAT
            " executions, %" G_GUINT64_FORMAT " tests, %" G_GUINT64_FORMAT
            " timeouts; mirrored %" G_GUINT64_FORMAT " ns of %" G_GUINT64_FORMAT " ns busy",
            r.st.events, r.st.kicks, r.st.sleeps, r.st.execs, r.st.tests, r.st.timeouts,
            r.st.mirrored_ns, r.st.busy_ns);
    return true;
}
