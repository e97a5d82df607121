/* Receive Flow Steering tables: the global rps_sock_flow_table and the per-RX-queue
 * rps_dev_flow_table (include/net/rps.h, net/core/sysctl_net_core.c, net/core/net-sysfs.c). */
#ifndef NICSTEER_MODELS_KERNEL_RFS_H
#define NICSTEER_MODELS_KERNEL_RFS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define KERN_RPS_NO_CPU    0xffff /* RPS_NO_CPU: flow entry not bound to a CPU */
#define KERN_RPS_NO_FILTER 0xffff /* RPS_NO_FILTER: no aRFS filter installed */
/* rps_sock_flow_sysctl() refuses more than 2^29 entries. */
#define KERN_RPS_SOCK_FLOW_MAX (UINT32_C(1) << 29)
/* Largest rps_flow_cnt the model allocates (the kernel allows a u32 mask but would fail the
 * vmalloc long before); larger values are reported, never truncated. */
#define KERN_RPS_DEV_FLOW_MODEL_MAX (UINT64_C(1) << 26)

/* Global table written by sock_rps_record_flow(): ents[hash & mask] = (hash & ~rps_cpu_mask) |
 * cpu. Opaque; NULL means RFS off (net.core.rps_sock_flow_entries = 0). */
struct kern_sock_flow_table;

/* struct rps_dev_flow: one entry of a queue's flow table. */
struct kern_rps_dev_flow {
    uint16_t cpu;        /* CPU the flow's packets are steered to, or KERN_RPS_NO_CPU */
    uint16_t filter;     /* aRFS filter id, or KERN_RPS_NO_FILTER */
    uint32_t last_qtail; /* input_queue_tail of cpu after this flow's last enqueue */
};

struct kern_rps_dev_flow_table;

/* Value of net.core.rps_sock_flow_entries as proc_dointvec() reads it (decimal int). */
bool kern_parse_rps_sock_flow_entries(const char *s, int64_t *out, GError **err);
/* rps_sock_flow_sysctl(): 0 -> *out = NULL (RFS off); negative or > 2^29 -> error; else size
 * rounded up to a power of two, every entry RPS_NO_CPU, rps_cpu_mask =
 * roundup_pow_of_two(nr_cpu_ids) - 1. */
bool kern_sock_flow_table_create(int64_t entries, unsigned nr_cpu_ids,
                                 struct kern_sock_flow_table **out, GError **err);
void kern_sock_flow_table_free(struct kern_sock_flow_table *t);
uint32_t kern_sock_flow_table_size(const struct kern_sock_flow_table *t);
/* net_hotdata.rps_cpu_mask. */
uint32_t kern_rps_cpu_mask(const struct kern_sock_flow_table *t);
/* ents[hash & mask], as get_rps_cpu() reads it. */
uint32_t kern_sock_flow_table_entry(const struct kern_sock_flow_table *t, uint32_t hash);
/* sock_rps_record_flow_hash() / rps_record_sock_flow(): the socket's sk_rxhash read on cpu.
 * hash 0 records nothing; the entry is written only when its value changes. The CALLER decides
 * whether the socket records at all: sock_rps_record_flow() does so only for TCP_ESTABLISHED
 * sockets (TCP and connected UDP); unconnected UDP never calls this. NULL table = RFS off. */
void kern_rps_record_flow(struct kern_sock_flow_table *t, uint32_t hash, unsigned cpu);

/* Value of /sys/class/net/<dev>/queues/rx-<n>/rps_flow_cnt as kstrtoul(buf, 0) reads it
 * (decimal, 0x hex or 0 octal; no sign). */
bool kern_parse_rps_flow_cnt(const char *s, uint64_t *out, GError **err);
/* store_rps_dev_flow_table_cnt(): 0 -> *out = NULL; mask = roundup_pow_of_two(count) - 1 must
 * fit in u32 (else -EINVAL); every entry {RPS_NO_CPU, RPS_NO_FILTER, 0}. */
bool kern_rps_dev_flow_table_create(uint64_t count, struct kern_rps_dev_flow_table **out,
                                    GError **err);
void kern_rps_dev_flow_table_free(struct kern_rps_dev_flow_table *t);
/* Number of entries (mask + 1). */
uint32_t kern_rps_dev_flow_table_size(const struct kern_rps_dev_flow_table *t);
uint32_t kern_rps_dev_flow_table_mask(const struct kern_rps_dev_flow_table *t);
/* flows[index & mask]. */
struct kern_rps_dev_flow *kern_rps_dev_flow_at(struct kern_rps_dev_flow_table *t, uint32_t index);

#endif
