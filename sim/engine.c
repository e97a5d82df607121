/* SimGrid glue (C API of SimGrid 3.32): platform loading, the window actor
 * and the per-CPU actors with baton passing. No SimGrid call per packet:
 * the NIC actor advances over all arrivals up to the next event in one go,
 * and one CPU chunk (at most one NAPI poll) is one execution. */
#include "sim/engine.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <simgrid/exec.h>
#include <simgrid/host.h>
#include <simgrid/semaphore.h>
#include <string.h>

#include "sim/err.h"

struct engine_run {
    struct sim_machine *m;
    unsigned n_cpus;
    int owner; /* actor holding the baton: CPU index or n_cpus for the NIC */
    bool done;
    sg_sem_t *sem; /* per actor */
};

struct actor_arg {
    struct engine_run *r;
    int me; /* CPU index, or n_cpus = NIC */
};

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

/* One actor per CPU (on cpuN) and one for the NIC (on nic0). */
static void percpu_actor(int argc, char **argv)
{
    struct actor_arg *a = sg_actor_self_get_data();
    struct engine_run *r = a->r;
    sg_exec_t last = NULL;
    for (;;) {
        while (!r->done && r->owner != a->me) {
            /* Wait for "IRQ, IPI or timer": the baton, with a timeout at
             * our own next chunk end when one is armed. */
            uint64_t due;
            if (a->me < (int)r->n_cpus && sim_machine_cpu_due(r->m, (unsigned)a->me, &due) &&
                ns_to_s(due) > simgrid_get_clock())
                sg_sem_acquire_timeout(r->sem[a->me], ns_to_s(due) - simgrid_get_clock());
            else
                sg_sem_acquire(r->sem[a->me]);
        }
        if (r->done)
            break;
        uint64_t t, from, to;
        int o;
        while ((o = sim_machine_next(r->m, &t)) != SIM_OWNER_DONE && owner_index(r, o) == a->me) {
            sleep_to(t);
            if (sim_machine_run_next(r->m, &from, &to)) {
                if (last)
                    sg_exec_wait(last);
                /* The chunk as an execution on this CPU's host, not waited
                 * for now: it runs alongside and keeps hosts' load real. */
                last = sg_actor_exec_init((double)(to - from));
                sg_exec_start(last);
            }
        }
        if (o == SIM_OWNER_DONE) {
            finish(r);
            break;
        }
        r->owner = owner_index(r, o);
        sg_sem_release(r->sem[r->owner]);
    }
    if (last)
        sg_exec_wait(last);
}

static bool load_platform(unsigned n_cpus, unsigned link_mbps, GError **err)
{
    char *dir = g_dir_make_tmp("nicsteer-XXXXXX", NULL);
    if (!dir) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_IO, "cannot create a temporary directory: %s",
                    g_strerror(errno));
        return false;
    }
    char *path = g_build_filename(dir, "platform.xml", NULL);
    char *xml = sim_platform_xml(n_cpus, link_mbps);
    bool ok = g_file_set_contents(path, xml, -1, err);
    if (ok)
        simgrid_load_platform(path);
    g_remove(path);
    g_rmdir(dir);
    g_free(xml);
    g_free(path);
    g_free(dir);
    return ok;
}

bool sim_engine_run(struct sim_machine *m, enum sim_engine_kind kind, unsigned link_mbps,
                    GError **err)
{
    static bool used;
    if (used) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_USAGE,
                    "SimGrid runs one engine per process (already used)");
        return false;
    }
    used = true;
    /* SimGrid's raw contexts switch stacks behind ASan's back: use threads
     * under the sanitizer build. */
    char *args[] = {"nicsteer", "--log=root.thres:critical",
#ifdef __SANITIZE_ADDRESS__
                    "--cfg=contexts/factory:thread",
#endif
                    NULL};
    int argc = (int)G_N_ELEMENTS(args) - 1;
    simgrid_init(&argc, args);
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
    struct actor_arg *aa = g_new(struct actor_arg, n + 1);
    uint64_t t;
    int first = sim_machine_next(m, &t);
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
    g_free(aa);
    return true;
}
