/* A bulk TCP sender's transmit path with TSO/GSO (#15 point 3): tcp_sendmsg copying a
 * write into page frags, tcp_write_xmit cutting skbs of the size goal (one MSS without
 * GSO, up to 64 KB with it: tcp_send_mss / tcp_tso_autosize), each skb through
 * tcp_transmit_skb -> ip_output -> __dev_queue_xmit, where validate_xmit_skb ->
 * skb_gso_segment cuts it in software when the device lacks NETIF_F_TSO
 * (net/ipv4/tcp.c, tcp_output.c, net/core/gso.c, net/ipv4/tcp_offload.c; Linux 6.12). */
#ifndef NICSTEER_KERN_TCP_STREAM_H
#define NICSTEER_KERN_TCP_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "models/kernel/kern.h"
#include "models/kernel/tx.h"

/* MSS of a 1500-byte MTU with timestamps: 1500 - 20 (IP) - 20 (TCP) - 12 (TS option). */
#define KERN_TCP_MSS 1448
/* Ethernet 14 + IPv4 20 + TCP 32 (timestamps): the headers in each frame's linear part. */
#define KERN_TCP_HDR 66
/* GSO_LEGACY_MAX_SIZE 65536 (netdev->gso_max_size) less MAX_TCP_HEADER room. */
#define KERN_GSO_MAX_SIZE 65536
/* SKB_FRAG_PAGE_ORDER: sk_page_frag refills with 32 KB compound pages. */
#define KERN_SKB_FRAG_PAGE 32768

/* tcp_send_mss() size goal: one MSS without GSO (sk_can_gso false), else
 * tcp_tso_autosize()'s cap: whole MSS that fit gso_max_size minus the headers. */
uint32_t kern_tcp_size_goal(bool can_gso);
/* skb_shinfo()->gso_segs = DIV_ROUND_UP(len, mss) (tcp_set_skb_tso_segs). */
unsigned kern_gso_segs(uint32_t len, uint32_t mss);
/* The layout of an skb of `len` payload bytes starting at page offset page_off: headers
 * linear, payload in frags cut at the 32 KB page boundaries (skb_copy_to_page_nocache
 * into sk_page_frag); gso_size = mss when len > mss. */
void kern_skb_shape_build(struct kern_skb_shape *s, uint32_t page_off, uint32_t len, uint32_t mss);

struct kern_tcp_stream_stats {
    uint64_t bytes;    /* payload accepted by the device */
    uint64_t skbs;     /* skbs through tcp_transmit_skb .. __dev_queue_xmit */
    uint64_t gso_segs; /* segments skb_gso_segment made in software */
    uint64_t xmits;    /* ndo_start_xmit calls */
};

/* tcp_sendmsg() + tcp_push of up to `bytes` on sk to peer `flow` through device `dev`
 * from this CPU: the copy of what the write queue takes, then every whole size-goal skb
 * through the stack (tx_pkt) and, without TSO, skb_gso_segment (tx_gso_seg per segment);
 * a shorter tail waits in the write queue (sk->tx_queued) for the next write. Returns
 * the bytes taken; fewer than asked = the TX ring is full (netif_tx_stop_queue) and the
 * write queue holds its one size goal: the rest waits for sk_write_space. */
uint32_t kern_tcp_sendmsg_stream(struct kern_host *h, struct kern_sock *sk, unsigned dev,
                                 uint32_t flow, uint32_t bytes);
const struct kern_tcp_stream_stats *kern_tcp_stream_stats(const struct kern_host *h);

#endif
