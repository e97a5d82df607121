/* The simulated host's state, shared by the event loop (machine.c) and the result
 * assembly (machine_result.c); nothing outside sim/host/machine*.c includes it. */
#ifndef NICSTEER_SIM_MACHINE_PRIV_H
#define NICSTEER_SIM_MACHINE_PRIV_H

#include "models/app/hog.h"
#include "models/app/workload.h"
#include "models/nic/nic.h"
#include "models/nic/steer.h"
#include "nicdrv-model/nicdrv.h"
#include "sim/core/heap.h"
#include "sim/host/machine.h"
#include "sim/host/machine_steer.h"

/* sim_result.sysfs of a finished run (machine_sysfs.c). */
void sim_machine_sysfs_result(const struct sim_machine *m, struct sim_result *r);

#define IRQ_BASE 40 /* Linux IRQ number of the first MSI-X vector (typical x86) */

struct sim_machine {
    struct sim_machine_cfg cfg;
    uint64_t end;
    uint64_t iv_step_ns; /* mpstat interval step (sim_machine_set_intervals), 0 = off */
    bool sysfs;          /* sysfs.txt asked for (sim_machine_set_sysfs) */
    struct sim_heap heap;
    struct nic *nic;
    struct nicdrv_adapter *drv;
    const struct kern_observer *obs; /* the kernel's timeline observer (RX ring fill) */
    struct nic *nic_b;               /* eth1, NULL = one NIC */
    struct nicdrv_adapter *drv_b;
    struct kern_host *kern;
    struct sim_source src;
    struct sim_steer steer;
    struct traffic_pkt pkt;
    bool have_pkt;
    uint64_t *cpu_at; /* armed EV_CPU time */
    bool *cpu_armed;
    int stepping; /* CPU inside kern_cpu_step, -1 none */
    struct sim_flow_result *flows;
    uint64_t *flow_queues; /* bit per RX queue seen (queues <= 64) */
    uint64_t offered, steer_drops;
    size_t tx_next;              /* next recorded transmit (cfg.tx_frames) */
    uint64_t tx_posted, tx_full; /* recorded transmits posted / refused by a full ring */
    uint64_t balance_at;
    /* the workload (models/app/workload.h) and the interfering hogs */
    const struct app_workload_ops *wl_ops;
    void *wl;
    struct app_hogs *hogs;
    struct traffic_pkt *tmpl; /* per flow: the client's first frame */
    struct sim_msteer *ms;    /* TX/ATR/XPS glue and thread moves (machine_steer.c) */
    struct steer_load load;   /* the snapshot in flight to steer.on_load, NULL arrays = off */
    uint32_t *seq;            /* per flow: next TCP sequence number */
    struct sim_mlink *link;   /* multi-host: injected arrivals, wire frames (machine_link.c) */
    /* other interrupting devices */
    struct dev_irq {
        struct sim_machine *m;
        const struct sim_irq_source *src;
        unsigned irq;
    } dev[SIM_MAX_IRQ_SOURCES];
};

/* A frame reaches eth0 (classifier, ring or rx_missed); machine.c. */
void sim_machine_arrive(struct sim_machine *m, const struct traffic_pkt *p);

/* machine_link.c: a linked host's side of its cables. */
struct sim_mlink *sim_mlink_new(struct sim_machine *m);
void sim_mlink_free(struct sim_mlink *l);
void sim_mlink_wire_out0(void *ctx, const struct nic_wire_frame *f);
void sim_mlink_wire_out1(void *ctx, const struct nic_wire_frame *f);
/* The earliest injected frame's time; false when none is waiting. */
bool sim_mlink_peek(const struct sim_mlink *l, uint64_t *t);
/* Deliver the earliest injected frame to its NIC. */
void sim_mlink_run(struct sim_machine *m);

#endif
