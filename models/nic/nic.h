/* 82599-like NIC hardware below the driver: RX descriptor rings, MSI-X
 * vectors (EIMS/EIAM masking, EICR causes), EITR throttling. Datasheet
 * §7.1 (RX), §7.3 (interrupts); ring->vector layout of ixgbe_alloc_q_vectors(). */
#ifndef NICSTEER_NIC_NIC_H
#define NICSTEER_NIC_NIC_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/core/cpumask.h"

#define NIC_MAX_VECTORS 64 /* 82599 MSI-X table size */
#define NIC_NEVER       UINT64_MAX

/* One frame leaving the port (nic_cfg.wire_out). */
struct nic_wire_frame {
    uint64_t first;   /* ns: its first bit (preamble) left the port */
    uint64_t at;      /* ns: its last bit left the port */
    uint32_t len;     /* frame bytes without FCS */
    uint32_t payload; /* L4 payload bytes */
    uint32_t flow;    /* the driver's connection tag (nic_tx_req.flow) */
    uint8_t tcp_flags;
};

struct nic_cfg {
    unsigned n_rx_queues;
    unsigned n_tx_queues;
    unsigned n_cpus;                    /* online CPUs: caps the q_vectors */
    unsigned ring_size;                 /* RX descriptors per ring (ixgbe default 512) */
    unsigned link_mbps;                 /* 1000, 10000, ...: ixgbe_update_itr's speed rule */
    unsigned msix_vectors;              /* MSI-X table size (nic_profile), 0 = the 82599's 64 */
    const struct sim_cpumask *affinity; /* smp_affinity per q_vector, NULL = v % n_cpus */
    unsigned n_affinity;                /* entries in affinity */
    /* The vector's interrupt must be asserted at `at` (ns): the engine posts
     * the event and calls nic_irq_fire then. */
    void (*schedule_irq)(void *ctx, unsigned v, uint64_t at);
    void *ctx;
    /* The port's PHY side (optional, NULL = frames leave into nothing): told of each frame
     * when it is posted, with the time its last bit leaves the port (§7.2: serialised behind
     * the frames before it). The host wiring's cable to another host hangs here. */
    void (*wire_out)(void *ctx, const struct nic_wire_frame *f);
};

/* One received frame as written back in the RX descriptor (+ what the model
 * needs to follow it: flow id and NIC arrival time). */
struct nic_rx_desc {
    uint64_t ts; /* ns, arrival at the NIC */
    uint32_t flow;
    uint32_t len;     /* frame bytes without FCS */
    uint32_t payload; /* L4 payload bytes */
    uint32_t seq;     /* TCP sequence number */
    uint32_t hash;    /* RSS hash in the descriptor */
    uint8_t l4;       /* IP protocol */
    uint8_t l4_hash;
    uint8_t hashed;
};

struct nic_queue_stats {
    uint64_t packets, bytes, drops; /* drops = rx_missed (ring full) */
};

struct nic;

struct nic *nic_new(const struct nic_cfg *cfg, GError **err);
void nic_free(struct nic *n);

/* ixgbe_acquire_msix_vectors(): min(max(rxq, txq), cpus) TxRx vectors (+1 "other"). */
unsigned nic_q_vectors(const struct nic *n);
unsigned nic_n_rx_queues(const struct nic *n);
/* ixgbe_alloc_q_vector() strides rings: RX ring r is served by vector r % q_vectors. */
unsigned nic_queue_vector(const struct nic *n, unsigned q);
/* CPU an MSI-X message of vector v reaches: lowest CPU of its affinity mask
 * (x86 fixed delivery of the mask's first CPU, as a single-CPU mask behaves). */
unsigned nic_vector_cpu(const struct nic *n, unsigned v);

/* A frame arrives on queue q at d->ts. False = ring full, counted rx_missed.
 * Schedules the vector's assertion when unmasked and none is pending. */
bool nic_rx_frame(struct nic *n, unsigned q, const struct nic_rx_desc *d);
/* nic_rx_frame in two steps, for a caller that writes the descriptor in place:
 * the next free slot of ring q (NULL when full, counted rx_missed), then its
 * write-back once filled. */
struct nic_rx_desc *nic_rx_slot(struct nic *n, unsigned q);
void nic_rx_post(struct nic *n, unsigned q);
/* Descriptor ring as the driver sees it (ixgbe_clean_rx_irq reads DD bits). */
unsigned nic_rx_ready(const struct nic *n, unsigned q);
const struct nic_rx_desc *nic_rx_next(struct nic *n, unsigned q); /* consumes one */

/* ---- Poll-mode driver (DPDK ixgbe PMD, #15 point 1): no interrupts ---- */
/* A user-space PMD owns ring q (rte_eth_rx_queue_setup + dev_start, interrupts off): its
 * write-backs never set the vector's cause, so the queue raises no MSI-X message. */
void nic_rx_pmd_attach(struct nic *n, unsigned q);
/* _recv_raw_pkts_vec (drivers/net/ixgbe/ixgbe_rxtx_vec_sse.c): up to max written-back
 * descriptors (DD set) of ring q, copied to out and consumed; their slots stay the
 * software's (unarmed) until nic_rx_rearm, so they hold no new frame. */
unsigned nic_rx_burst(struct nic *n, unsigned q, struct nic_rx_desc *out, unsigned max);
unsigned nic_rx_unarmed(const struct nic *n, unsigned q);
/* ixgbe_rxq_rearm: k slots get fresh mbufs and go back to the hardware (RDT write). */
void nic_rx_rearm(struct nic *n, unsigned q, unsigned k);

/* The scheduled assertion of vector v at `now`: true = MSI-X message sent
 * (EIAM auto-masks the vector, EICR cause cleared), *cpu = target. */
bool nic_irq_fire(struct nic *n, unsigned v, uint64_t now, unsigned *cpu);
/* EIMS write (ixgbe_irq_enable_queues): unmask; a pending cause schedules
 * an assertion no earlier than the EITR interval after the last one. */
void nic_irq_enable(struct nic *n, unsigned v, uint64_t now);
/* EITR write: interval = (itr & 0xFF8) >> 2 µs, 0 = no throttling. */
void nic_write_eitr(struct nic *n, unsigned v, uint32_t itr);
uint32_t nic_read_eitr(const struct nic *n, unsigned v);

/* ---- TX (datasheet §7.2): descriptor rings, the wire, write-back ---- */
struct nic_tx_desc {
    uint64_t done;    /* ns: frame left the wire, descriptor written back (DD) */
    uint32_t len;     /* frame bytes without FCS */
    uint32_t cookie;  /* driver's tag (the owning socket) */
    uint16_t descs;   /* ring descriptors the posting holds (context + data) */
    uint16_t segs;    /* frames it became on the wire (TSO: the NIC cut them) */
    uint32_t payload; /* bytes beyond the headers (len - hdr) */
};
unsigned nic_n_tx_queues(const struct nic *n);
/* The driver posts a frame on TX ring q at `now` (tail write). It leaves after
 * the frames before it on the port (preamble + IFG + FCS counted) and its
 * write-back raises the cause of the ring's vector (TxRx vectors: TX ring q
 * shares vector q % q_vectors with RX ring q). False = ring full. */
bool nic_tx_frame(struct nic *n, unsigned q, uint32_t len, uint32_t cookie, uint64_t now);
/* Next written-back descriptor of ring q at `now` (consumed), or NULL. */
const struct nic_tx_desc *nic_tx_clean_next(struct nic *n, unsigned q, uint64_t now);
unsigned nic_tx_pending(const struct nic *n, unsigned q);
uint64_t nic_tx_packets(const struct nic *n, unsigned q);

/* ---- TSO (#15 point 3; 82599 datasheet §7.2.4 TCP segmentation) ---- */
struct nic_tx_req {
    uint32_t len;        /* bytes of the posted packet: headers + payload */
    uint32_t hdr;        /* header bytes replicated in each segment (TSO) */
    uint32_t mss;        /* segment payload (context descriptor MSS), 0 = send as one frame */
    uint32_t descs;      /* descriptors the driver wrote (context + data) */
    uint32_t cookie;     /* the owning socket */
    uint32_t flow;       /* the connection the frame belongs to (told to wire_out) */
    uint32_t l4_payload; /* L4 payload of a one-frame posting (wire_out), 0 = len - hdr */
    uint8_t tcp_flags;
};
/* Post one packet that holds req->descs ring descriptors; with mss the NIC cuts the
 * payload into ceil(payload / mss) frames, each with the headers, back to back on the
 * wire; the write-back follows the last. False = fewer free descriptors than descs. */
bool nic_tx_post(struct nic *n, unsigned q, const struct nic_tx_req *req, uint64_t now);
/* Frames (one per segment) and their payload bytes (beyond the headers) of ring q whose
 * last bit left the wire by `now`: postings still serialising are not counted. */
void nic_tx_sent(const struct nic *n, unsigned q, uint64_t now, uint64_t *frames,
                 uint64_t *payload);

const struct nic_queue_stats *nic_queue_stats(const struct nic *n, unsigned q);
uint64_t nic_vector_irqs(const struct nic *n, unsigned v);

#endif
