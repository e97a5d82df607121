/* Receiver wake-ups: each traced sched_waking through select_task_rq_fair() on the CPU
 * state the trace shows (wake_model.c), against the CPU the task woke on. */
#include "validate/replay_priv.h"

#include "models/sched/cpus.h"

#include <string.h>

/* settings.rx_pin of the capture script: the receivers' CPU list ("" or absent: all CPUs). */
static bool rx_pin_mask(struct replay *p, struct sim_cpumask *m, GError **err)
{
    const char *pin =
        json_string_value(json_object_get(json_object_get(p->cfg, "settings"), "rx_pin"));
    sim_cpumask_fill(m, p->ncpus);
    if (!pin || !*pin)
        return true;
    sim_cpumask_clear(m);
    char **parts = g_strsplit(pin, ",", -1);
    bool ok = true;
    for (char **q = parts; ok && *q; q++) {
        unsigned a = 0, b = 0;
        int n = 0;
        if (sscanf(*q, "%u-%u%n", &a, &b, &n) == 2 && (*q)[n] == 0) {
        } else if (sscanf(*q, "%u%n", &a, &n) == 1 && (*q)[n] == 0) {
            b = a;
        } else {
            ok = false;
            break;
        }
        for (unsigned c = a; ok && c <= b; c++) {
            if (c >= (unsigned)p->ncpus)
                ok = false;
            else
                sim_cpumask_set(m, (int)c);
        }
    }
    g_strfreev(parts);
    if (!ok)
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "%s/config.json: /settings/rx_pin \"%s\": expected a CPU list like 0,2-3 "
                    "within host.ncpus %d",
                    val_bundle_dir(p->b), pin, p->ncpus);
    return ok;
}

static bool wake_setup(struct replay *p, GError **err)
{
    int nt = 0;
    const struct val_thread *th = val_bundle_threads(p->b, &nt);
    if (nt <= 0)
        return true;
    struct sim_cpumask allowed;
    if (!rx_pin_mask(p, &allowed, err))
        return false;
    if (p->o->topo && cpus_topology_nr_cpus(p->o->topo) != p->ncpus) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "--topology has %d CPUs but %s/config.json /host/ncpus is %d",
                    cpus_topology_nr_cpus(p->o->topo), val_bundle_dir(p->b), p->ncpus);
        return false;
    }
    int *tids = g_new(int, nt);
    for (int i = 0; i < nt; i++)
        tids[i] = th[i].tid;
    p->wake = val_wake_model_new(p->ncpus, p->o->topo, tids, (unsigned)nt, &allowed, p->o->keep);
    val_wake_model_set_kernel(p->wake, val_bundle_kernel_version(p->b));
    g_free(tids);
    return true;
}

static void wake_on_event(struct replay *p, const struct val_trace_event *ev)
{
    if (p->wake)
        val_wake_model_event(p->wake, ev);
}

/* The model's placements against the trace's, once the trace is read. */
static void wake_finish(struct replay *p)
{
    struct val_report *r = p->r;
    if (!p->wake || !p->n_wakeup)
        return;
    r->wakes_applicable = true;
    val_agree_clear(&r->wakes.agree);
    r->wakes = *val_wake_model_stats(p->wake);
    val_agree_init(&((struct val_wake_stats *)val_wake_model_stats(p->wake))->agree, 0);
}

const struct val_cmp val_cmp_wake = {"wake", wake_setup, wake_on_event, wake_finish};
