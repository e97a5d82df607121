/* The fitted NET_RX run jitter (nicsteer calibrate -> /costs/net_rx_jitter_ns) in the
 * simulator: what a traced net_rx_action() run took beyond the sum of its priced
 * operations (cache state, VM exits, tracing), drawn once per run, so `run` prices a
 * run as validate does (validate/softirq_model.c: price + kern_cost_net_rx_extra()). */
#include "models/kernel/kern_priv.h"

void kern_net_rx_jitter_init(struct kern_host *h)
{
    /* a stream of its own: the other streams' draws do not move with or without costs */
    sim_rng_init(&h->rx_jitter_rng, h->p.seed, "kern/net_rx_jitter");
}

/* handle_softirqs() -> net_rx_action() starts: one draw (none without a calibration). */
void kern_net_rx_jitter_begin(struct kern_host *h)
{
    struct kern_cpu *k = kern_this_cpu(h);
    k->rx_run_from = h->now;
    if (h->c.n_net_rx_jitter)
        k->rx_jitter_u = sim_rng_unit(&h->rx_jitter_rng);
}

/* net_rx_action() returns: the run's priced work is the time it took (nested hardirqs
 * included, as validate counts them). Simulated time cannot be taken back, so a negative
 * extra is owed and paid out of this CPU's next positive extras: per run the total is
 * MAX(priced, priced + jitter - owed), over the runs the mean is validate's. */
void kern_net_rx_jitter_end(struct kern_host *h)
{
    if (!h->c.n_net_rx_jitter)
        return;
    struct kern_cpu *k = kern_this_cpu(h);
    uint64_t priced = h->now >= k->rx_run_from ? h->now - k->rx_run_from : 0;
    int64_t extra = kern_cost_net_rx_extra(&h->c, priced, k->rx_jitter_u) + k->rx_jitter_owed;
    k->rx_jitter_owed = MIN(extra, 0);
    if (extra > 0)
        kern_charge(h, (uint64_t)extra);
}
