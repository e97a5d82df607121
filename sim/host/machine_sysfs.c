/* sysfs.txt (/outputs/sysfs): the steering files of eth0 as `grep -H . FILES` prints them after
 * the run: queues/rx-N/rps_cpus and rps_flow_cnt (show_rps_map, show_rps_dev_flow_table_cnt),
 * queues/tx-N/xps_cpus and xps_rxqs (xps_cpus_show, xps_rxqs_show), and per queue vector
 * /proc/irq/N/smp_affinity[_list] and effective_affinity[_list] (irq_affinity_proc_show,
 * irq_effective_aff_proc_show): masks as "%*pb" at nr_cpu_ids bits (xps_rxqs at
 * num_rx_queues), lists as "%*pbl" (net/core/net-sysfs.c, kernel/irq/proc.c, Linux 6.12). */
#include "sim/host/machine_priv.h"

#include <inttypes.h>

#include "models/kernel/tx.h"

static void line(GString *s, const char *path, const struct sim_cpumask *m, unsigned nbits,
                 bool list)
{
    char *v = list ? sim_cpumask_print_list(m, nbits) : sim_cpumask_print(m, nbits);
    g_string_append_printf(s, "%s:%s\n", path, v);
    g_free(v);
}

static void rx_queues(GString *s, const struct sim_machine *m, unsigned n_cpus)
{
    for (unsigned q = 0; q < m->cfg.rx_queues; q++) {
        struct sim_cpumask none = {0};
        const struct sim_cpumask *rps = m->cfg.rps_cpus ? &m->cfg.rps_cpus[q] : &none;
        g_autofree char *p = g_strdup_printf("/sys/class/net/eth0/queues/rx-%u/rps_cpus", q);
        line(s, p, rps, n_cpus, false);
        g_string_append_printf(s, "/sys/class/net/eth0/queues/rx-%u/rps_flow_cnt:%" PRIu64 "\n", q,
                               m->cfg.rps_flow_cnt ? m->cfg.rps_flow_cnt[q] : 0);
    }
}

static void tx_queues(GString *s, const struct sim_machine *m, unsigned n_cpus)
{
    for (unsigned q = 0; q < m->cfg.tx_queues; q++) {
        struct sim_cpumask x;
        kern_tx_xps_show(m->kern, 0, q, false, n_cpus, &x);
        g_autofree char *p = g_strdup_printf("/sys/class/net/eth0/queues/tx-%u/xps_cpus", q);
        line(s, p, &x, n_cpus, false);
        kern_tx_xps_show(m->kern, 0, q, true, m->cfg.rx_queues, &x);
        g_autofree char *r = g_strdup_printf("/sys/class/net/eth0/queues/tx-%u/xps_rxqs", q);
        line(s, r, &x, m->cfg.rx_queues, false);
    }
}

/* A vector without a configured mask keeps irq_default_affinity (all CPUs); its effective
 * affinity is the one CPU the vector allocator gave it (nic_vector_cpu). */
static void irqs(GString *s, const struct sim_machine *m, unsigned n_cpus)
{
    unsigned qv = nic_q_vectors(m->nic);
    for (unsigned v = 0; v <= qv; v++) {
        struct sim_cpumask aff, eff = {0};
        if (v < qv && m->cfg.affinity && v < m->cfg.n_affinity &&
            !sim_cpumask_empty(&m->cfg.affinity[v]))
            aff = m->cfg.affinity[v];
        else
            sim_cpumask_fill(&aff, n_cpus);
        sim_cpumask_set(&eff, nic_vector_cpu(m->nic, v));
        static const char *const files[] = {"smp_affinity", "smp_affinity_list",
                                            "effective_affinity", "effective_affinity_list"};
        for (unsigned f = 0; f < G_N_ELEMENTS(files); f++) {
            g_autofree char *p = g_strdup_printf("/proc/irq/%u/%s", IRQ_BASE + v, files[f]);
            line(s, p, f < 2 ? &aff : &eff, n_cpus, f % 2);
        }
    }
}

static char *sysfs_text(const struct sim_machine *m)
{
    GString *s = g_string_new(NULL);
    unsigned n = m->cfg.n_cpus;
    rx_queues(s, m, n);
    tx_queues(s, m, n);
    irqs(s, m, n);
    return g_string_free(s, FALSE);
}

void sim_machine_set_sysfs(struct sim_machine *m, bool on)
{
    m->sysfs = on;
}

void sim_machine_sysfs_result(const struct sim_machine *m, struct sim_result *r)
{
    r->sysfs = m->sysfs ? sysfs_text(m) : NULL;
}
