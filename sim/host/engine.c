/* SimGrid glue (C API of SimGrid 3.32): platform loading, the window actor
 * and the per-CPU actors with baton passing. No SimGrid call per packet or
 * per event: arrivals and every event without CPU time are advanced by
 * whichever actor steps next, SimGrid's clock moves only at 100 µs window
 * boundaries, and each CPU's busy time is one execution per window on its
 * host; a baton pass (sem release/acquire) happens only where a chunk of CPU
 * time belongs to another CPU than the actor that computed it. */
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
    uint64_t events, passes, sleeps, execs, tests, timeouts;
};

/* One CPU's busy time not yet mirrored as an execution on its host. */
struct cpu_busy {
    uint64_t acc;        /* busy ns since the last execution started */
    uint64_t last_to;    /* end of its latest chunk (may lie past the clock) */
    uint64_t flushed_at; /* clock (ns) at the last flush */
    uint64_t timer;      /* window boundary its timeout last waited for */
    sg_exec_t exec;      /* the execution under way, NULL none */
    bool pend;           /* a chunk computed by another actor, handed over with the baton */
    uint64_t pend_from, pend_to;
};

struct engine_run {
    struct sim_machine *m;
    unsigned n_cpus;
    int owner; /* actor holding the baton: CPU index or n_cpus for the NIC */
    bool done;
    uint64_t clock_ns;     /* SimGrid's clock: the start of the window of the model time */
    sg_sem_t *sem;         /* per actor */
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

static int owner_index(const struct engine_run *r, int owner)
{
    return owner == SIM_OWNER_NIC ? (int)r->n_cpus : owner;
}

static void finish(struct engine_run *r)
{
    r->done = true;
    for (unsigned i = 0; i <= r->n_cpus; i++)
        sg_sem_release(r->sem[i]);
}

/* Lazy clock: SimGrid's clock stays at the start of the window holding the
 * model time; only an event past the window's end makes its owner sleep. */
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

/* One execution per CPU per window: the busy time of the windows before the
 * clock, started on the CPU's host by its own actor once the previous one
 * has finished (the part of a chunk past the clock waits for a later one). */
static void flush_busy(struct engine_run *r, unsigned cpu, uint64_t upto)
{
    struct cpu_busy *b = &r->busy[cpu];
    if (b->flushed_at >= upto)
        return;
    b->flushed_at = upto;
    if (b->exec) {
        r->st.tests++;
        if (!sg_exec_test(b->exec))
            return;
        b->exec = NULL;
    }
    uint64_t carry = b->last_to > upto ? b->last_to - upto : 0;
    if (b->acc <= carry)
        return;
    b->exec = sg_actor_exec_init((double)(b->acc - carry));
    sg_exec_start(b->exec);
    b->acc = carry;
    r->st.execs++;
}

/* Wait for "IRQ, IPI or timer": the baton (another actor's event made ours
 * next), with a timeout at the window boundary past our own armed chunk end. */
static void wait_baton(struct engine_run *r, int me)
{
    while (!r->done && r->owner != me) {
        uint64_t due;
        if (me < (int)r->n_cpus && sim_machine_cpu_due(r->m, (unsigned)me, &due)) {
            struct cpu_busy *b = &r->busy[me];
            uint64_t wake = due - due % SIM_ENGINE_WINDOW_NS + SIM_ENGINE_WINDOW_NS;
            double now = simgrid_get_clock();
            if (wake > b->timer && ns_to_s(wake) > now) {
                b->timer = wake;
                r->st.timeouts++;
                sg_sem_acquire_timeout(r->sem[me], ns_to_s(wake) - now);
                continue;
            }
        }
        sg_sem_acquire(r->sem[me]);
    }
}

/* The last busy time (up to the end) as one execution, waited for. */
static void drain_busy(struct engine_run *r, unsigned cpu)
{
    struct cpu_busy *b = &r->busy[cpu];
    if (b->exec)
        sg_exec_wait(b->exec);
    b->exec = NULL;
    uint64_t end = sim_machine_end(r->m);
    uint64_t carry = b->last_to > end ? b->last_to - end : 0;
    if (b->acc > carry)
        sg_actor_execute((double)(b->acc - carry));
    b->acc = 0;
}

/* A chunk of CPU time [from, to) of CPU `cpu`, computed by actor `me`: its own is
 * added to the busy time not yet mirrored; another CPU's is handed over with the
 * baton, that CPU's actor mirroring it (take_chunk) as if it had run the step. */
static void add_chunk(struct engine_run *r, int me, int cpu, uint64_t from, uint64_t to)
{
    struct cpu_busy *b = &r->busy[cpu];
    if (cpu == me) {
        b->acc += to - from;
        b->last_to = to;
        return;
    }
    b->pend = true;
    b->pend_from = from;
    b->pend_to = to;
    r->owner = cpu;
    r->st.passes++;
    sg_sem_release(r->sem[cpu]);
    wait_baton(r, me);
}

/* The chunk another actor computed for this CPU: flushed and added as run_event does. */
static void take_chunk(struct engine_run *r, int me)
{
    if (me >= (int)r->n_cpus || !r->busy[me].pend)
        return;
    struct cpu_busy *b = &r->busy[me];
    b->pend = false;
    flush_busy(r, (unsigned)me, r->clock_ns);
    b->acc += b->pend_to - b->pend_from;
    b->last_to = b->pend_to;
}

/* One actor per CPU (on cpuN) and one for the NIC (on nic0). An event without CPU
 * time (an empty chunk end, a timer expiry, a wake-up: the window engine's steps)
 * is run by whichever actor holds the baton; only a chunk of another CPU's time
 * passes the baton, to that CPU's actor, which mirrors it on its host. No SimGrid
 * call unless the model time leaves the clock's window. */
static void percpu_actor(int argc, char **argv)
{
    struct actor_arg *a = sg_actor_self_get_data();
    struct engine_run *r = a->r;
    bool cpu = a->me < (int)r->n_cpus;
    wait_baton(r, a->me);
    while (!r->done) {
        take_chunk(r, a->me);
        uint64_t t, from, to;
        int o = sim_machine_step_owner(r->m, &t);
        if (o == SIM_OWNER_DONE) {
            sync_clock(r, sim_machine_end(r->m));
            finish(r);
            break;
        }
        sync_clock(r, t);
        if (cpu)
            flush_busy(r, (unsigned)a->me, r->clock_ns);
        r->st.events++;
        if (sim_machine_run_next(r->m, &from, &to))
            add_chunk(r, a->me, o, from, to); /* only a CPU's chunk has CPU time */
    }
    if (cpu)
        drain_busy(r, (unsigned)a->me);
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
    struct engine_run r = {.m = m, .n_cpus = n, .owner = (int)n};
    if (kind == SIM_ENGINE_WINDOW) {
        sg_actor_t a = sg_actor_init("loop", sg_host_by_name("nic0"));
        sg_actor_set_data(a, &r);
        sg_actor_start(a, window_actor, 0, NULL);
        simgrid_run();
        return true;
    }
    r.sem = g_new(sg_sem_t, n + 1);
    r.busy = g_new0(struct cpu_busy, n);
    struct actor_arg *aa = g_new(struct actor_arg, n + 1);
    uint64_t t;
    int first = sim_machine_step_owner(m, &t);
    r.owner = first == SIM_OWNER_DONE ? (int)n : owner_index(&r, first);
    r.done = first == SIM_OWNER_DONE;
    for (unsigned i = 0; i <= n; i++) {
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
    for (unsigned i = 0; i <= n; i++)
        sg_sem_destroy(r.sem[i]);
    g_free(r.sem);
    g_free(r.busy);
    g_free(aa);
    g_debug("percpu engine: %" G_GUINT64_FORMAT " events, %" G_GUINT64_FORMAT
            " baton passes, %" G_GUINT64_FORMAT " sleeps, %" G_GUINT64_FORMAT
            " executions, %" G_GUINT64_FORMAT " tests, %" G_GUINT64_FORMAT " timeouts",
            r.st.events, r.st.passes, r.st.sleeps, r.st.execs, r.st.tests, r.st.timeouts);
    return true;
}
