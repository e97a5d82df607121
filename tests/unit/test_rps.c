/* models/kernel/rps.c: get_rps_cpu() over RPS maps, the RFS switching (qtail) rule, aRFS
 * filter installation and rps_may_expire_flow(). */
#include "models/kernel/rps.h"
#include "tests/unit/cu_main.h"

/* A device with nq rx queues on ncpus online CPUs, rps_cpus = hexmask on every queue. */
static struct kern_rps_dev *dev_with_rps(unsigned nq, unsigned ncpus, const char *hexmask)
{
    struct sim_cpumask online, mask;
    sim_cpumask_fill(&online, ncpus);
    struct kern_rps_dev *dev = kern_rps_dev_new(nq, ncpus, &online, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
    CU_ASSERT_FATAL(sim_cpumask_parse(&mask, hexmask, SIM_NR_CPUS, NULL));
    for (unsigned q = 0; q < nq; q++)
        CU_ASSERT_FATAL(kern_rps_dev_set_rps_cpus(dev, q, &mask, NULL));
    return dev;
}

static struct kern_backlog *backlog(unsigned ncpus)
{
    struct kern_backlog *bl = kern_backlog_new(ncpus, 1000, 4096, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bl);
    return bl;
}

static int rps_cpu(struct kern_rps_dev *dev, struct kern_backlog *bl, uint16_t qm, uint32_t hash)
{
    uint32_t scratch, *qtail = &scratch;
    return kern_get_rps_cpu(dev, NULL, bl, qm, hash, &qtail);
}

/* netif_receive_skb_internal() / netif_rx_internal(): where one skb goes. */
static void test_rps_steer_skb_receive_and_netif_rx(void)
{
    struct kern_rps_dev *dev = dev_with_rps(4, 2, "3");
    struct kern_backlog *bl = kern_backlog_new(2, 1, 4096, NULL, NULL);
    /* No RPS maps: netif_receive_skb processes here, no backlog ... */
    struct kern_rps_steer s = kern_rps_steer_skb(NULL, NULL, bl, 1, 0x617e47a7, 1, false);
    CU_ASSERT_EQUAL(s.rps_cpu, -1);
    CU_ASSERT_EQUAL(s.cpu, 1);
    CU_ASSERT_EQUAL(s.backlog, -1);
    /* ... netif_rx queues on this CPU's backlog. */
    s = kern_rps_steer_skb(NULL, NULL, bl, 1, 0x617e47a7, 1, true);
    CU_ASSERT_EQUAL(s.backlog, 1);
    CU_ASSERT_EQUAL(s.cpu, 1);
    CU_ASSERT_EQUAL(s.rc, KERN_ENQUEUE_OK_SCHEDULE);
    /* RPS picks CPU 0 for this hash (map[(hash * 2) >> 32]) from CPU 1. */
    s = kern_rps_steer_skb(dev, NULL, bl, 1, 0x617e47a7, 1, false);
    CU_ASSERT_EQUAL(s.rps_cpu, 0);
    CU_ASSERT_EQUAL(s.backlog, 0);
    CU_ASSERT_EQUAL(s.cpu, 0);
    /* netdev_max_backlog 1 (qlen <= max_backlog is still taken): the third is dropped. */
    s = kern_rps_steer_skb(dev, NULL, bl, 1, 0x617e47a7, 1, false);
    CU_ASSERT_EQUAL(s.rc, KERN_ENQUEUE_OK);
    s = kern_rps_steer_skb(dev, NULL, bl, 1, 0x617e47a7, 1, false);
    CU_ASSERT_EQUAL(s.rps_cpu, 0);
    CU_ASSERT_EQUAL(s.rc, KERN_ENQUEUE_DROP_BACKLOG);
    CU_ASSERT_EQUAL(s.cpu, -1);
    CU_ASSERT_EQUAL(s.backlog, -1);
    /* No hash: no steering, processed here. */
    s = kern_rps_steer_skb(dev, NULL, bl, 1, 0, 1, false);
    CU_ASSERT_EQUAL(s.rps_cpu, -1);
    CU_ASSERT_EQUAL(s.cpu, 1);
    kern_backlog_free(bl);
    kern_rps_dev_free(dev);
}

static void test_rps_reciprocal_scale_values(void)
{
    CU_ASSERT_EQUAL(kern_reciprocal_scale(0x7fffffff, 2), 0);
    CU_ASSERT_EQUAL(kern_reciprocal_scale(0x80000000, 2), 1);
    CU_ASSERT_EQUAL(kern_reciprocal_scale(0xffffffff, 3), 2);
    CU_ASSERT_EQUAL(kern_reciprocal_scale(0x55555555, 3), 0);
    CU_ASSERT_EQUAL(kern_reciprocal_scale(0x55555556, 3), 1);
    CU_ASSERT_EQUAL(kern_reciprocal_scale(0x617e47a7, 4), 1);
    CU_ASSERT_EQUAL(kern_reciprocal_scale(0xffffffff, 1), 0);
}

static void test_rps_mask_0x3_known_hash_picks_cpu(void)
{
    struct kern_rps_dev *dev = dev_with_rps(4, 2, "3");
    struct kern_backlog *bl = backlog(2);
    /* Hashes from the veth captures: map[(hash * 2) >> 32]. */
    CU_ASSERT_EQUAL(rps_cpu(dev, bl, 1, 0x617e47a7), 0);
    CU_ASSERT_EQUAL(rps_cpu(dev, bl, 1, 0xc0e9a3ed), 1);
    CU_ASSERT_EQUAL(rps_cpu(dev, bl, 4, 0x80000000), 1);
    kern_backlog_free(bl);
    kern_rps_dev_free(dev);
}

static void test_rps_map_holds_online_cpus_ascending(void)
{
    struct sim_cpumask online, mask;
    CU_ASSERT_FATAL(sim_cpumask_parselist(&online, "0,2-3", SIM_NR_CPUS, NULL));
    struct kern_rps_dev *dev = kern_rps_dev_new(1, 4, &online, NULL);
    CU_ASSERT_FATAL(sim_cpumask_parse(&mask, "f", SIM_NR_CPUS, NULL));
    CU_ASSERT_FATAL(kern_rps_dev_set_rps_cpus(dev, 0, &mask, NULL));
    const struct kern_rps_map *map = kern_rps_dev_map(dev, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(map);
    CU_ASSERT_EQUAL(map->len, 3);
    CU_ASSERT(map->cpus[0] == 0 && map->cpus[1] == 2 && map->cpus[2] == 3);
    struct kern_backlog *bl = backlog(4);
    CU_ASSERT_EQUAL(rps_cpu(dev, bl, 1, 0x55555556), 2); /* map[(h*3)>>32 = 1] */
    CU_ASSERT_EQUAL(rps_cpu(dev, bl, 1, 0xaaaaaaab), 3); /* map[2] */
    /* A mask of offline CPUs only leaves no map: no steering. */
    CU_ASSERT_FATAL(sim_cpumask_parse(&mask, "2", SIM_NR_CPUS, NULL));
    CU_ASSERT_FATAL(kern_rps_dev_set_rps_cpus(dev, 0, &mask, NULL));
    CU_ASSERT_PTR_NULL(kern_rps_dev_map(dev, 0));
    CU_ASSERT_EQUAL(rps_cpu(dev, bl, 1, 0x55555556), -1);
    kern_backlog_free(bl);
    kern_rps_dev_free(dev);
}

static void test_rps_hash_zero_means_no_steering(void)
{
    struct kern_rps_dev *dev = dev_with_rps(1, 2, "3");
    struct kern_backlog *bl = backlog(2);
    CU_ASSERT_EQUAL(rps_cpu(dev, bl, 1, 0), -1);
    kern_backlog_free(bl);
    kern_rps_dev_free(dev);
}

static void test_rps_queue_mapping_selects_rx_queue(void)
{
    struct sim_cpumask online, m0, m1;
    sim_cpumask_fill(&online, 2);
    sim_cpumask_parse(&m0, "1", SIM_NR_CPUS, NULL);
    sim_cpumask_parse(&m1, "2", SIM_NR_CPUS, NULL);
    struct kern_rps_dev *dev = kern_rps_dev_new(2, 2, &online, NULL);
    kern_rps_dev_set_rps_cpus(dev, 0, &m0, NULL);
    kern_rps_dev_set_rps_cpus(dev, 1, &m1, NULL);
    struct kern_backlog *bl = backlog(2);
    CU_ASSERT_EQUAL(kern_rps_rx_queue(0), 0);
    CU_ASSERT_EQUAL(kern_rps_rx_queue(1), 0);
    CU_ASSERT_EQUAL(kern_rps_rx_queue(2), 1);
    CU_ASSERT_EQUAL(rps_cpu(dev, bl, 0, 0xdeadbeef), 0);  /* unrecorded -> rx-0 */
    CU_ASSERT_EQUAL(rps_cpu(dev, bl, 1, 0xdeadbeef), 0);  /* rx-0 */
    CU_ASSERT_EQUAL(rps_cpu(dev, bl, 2, 0xdeadbeef), 1);  /* rx-1 */
    CU_ASSERT_EQUAL(rps_cpu(dev, bl, 3, 0xdeadbeef), -1); /* beyond real_num_rx_queues */
    kern_backlog_free(bl);
    kern_rps_dev_free(dev);
}

/* RFS on one queue: RPS 0-1, 32768 sock-flow entries, 256 flow entries. */
struct rfs_env {
    struct kern_rps_dev *dev;
    struct kern_sock_flow_table *sft;
    struct kern_backlog *bl;
};

static void rfs_env_init(struct rfs_env *e, unsigned nq)
{
    e->dev = dev_with_rps(nq, 2, "3");
    CU_ASSERT_FATAL(kern_sock_flow_table_create(32768, 2, &e->sft, NULL));
    for (unsigned q = 0; q < nq; q++) {
        struct kern_rps_dev_flow_table *ft;
        CU_ASSERT_FATAL(kern_rps_dev_flow_table_create(256, &ft, NULL));
        kern_rps_dev_set_flow_table(e->dev, q, ft);
    }
    e->bl = backlog(2);
}

static void rfs_env_clear(struct rfs_env *e)
{
    kern_backlog_free(e->bl);
    kern_sock_flow_table_free(e->sft);
    kern_rps_dev_free(e->dev);
}

/* netif_receive_skb_internal(): steer, then enqueue saving the tail where get_rps_cpu says. */
static int rx(struct rfs_env *e, uint16_t qm, uint32_t hash)
{
    uint32_t voidflow = 0, *qtail = &voidflow;
    int cpu = kern_get_rps_cpu(e->dev, e->sft, e->bl, qm, hash, &qtail);
    CU_ASSERT_FATAL(cpu >= 0);
    enum kern_enqueue_result r = kern_enqueue_to_backlog(e->bl, (unsigned)cpu, 0, hash, qtail);
    CU_ASSERT(r == KERN_ENQUEUE_OK || r == KERN_ENQUEUE_OK_SCHEDULE);
    return cpu;
}

static void poll(struct rfs_env *e, unsigned cpu, unsigned n)
{
    unsigned work = 0;
    while (work < n && kern_backlog_dequeue(e->bl, cpu))
        work++;
    kern_backlog_poll_done(e->bl, cpu, work);
}

static void test_rps_rfs_flow_waits_for_old_backlog_to_drain(void)
{
    struct rfs_env e;
    rfs_env_init(&e, 1);
    const uint32_t h = 0xc0000105; /* RPS alone would pick CPU 1 */
    kern_rps_record_flow(e.sft, h, 0);
    /* Unset entry: RFS binds the flow to the reader's CPU 0 at once. */
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(rx(&e, 1, h), 0);
    struct kern_rps_dev_flow *rflow = kern_rps_dev_flow_at(kern_rps_dev_flow_table(e.dev, 0), h);
    CU_ASSERT_EQUAL(rflow->cpu, 0);
    CU_ASSERT_EQUAL(rflow->last_qtail, 3);
    /* The application moves to CPU 1; three packets still wait in CPU 0's backlog. */
    kern_rps_record_flow(e.sft, h, 1);
    CU_ASSERT_EQUAL(rx(&e, 1, h), 0);
    CU_ASSERT_EQUAL(rflow->last_qtail, 4);
    poll(&e, 0, 2); /* head 2 < last_qtail 4: still in flight */
    CU_ASSERT_EQUAL(rx(&e, 1, h), 0);
    CU_ASSERT_EQUAL(rflow->last_qtail, 5);
    /* Dequeued but the poll has not ended: 6.10+ moves head only at its end. */
    CU_ASSERT(kern_backlog_dequeue(e.bl, 0));
    CU_ASSERT(kern_backlog_dequeue(e.bl, 0));
    CU_ASSERT(kern_backlog_dequeue(e.bl, 0));
    CU_ASSERT_EQUAL(rx(&e, 1, h), 0);
    kern_backlog_poll_done(e.bl, 0, 3); /* head 5 < last_qtail 6 */
    CU_ASSERT_EQUAL(rx(&e, 1, h), 0);
    poll(&e, 0, 64); /* drains: head 7 = last_qtail 7 */
    CU_ASSERT_EQUAL(kern_backlog_head(e.bl, 0), 7);
    CU_ASSERT_EQUAL(rx(&e, 1, h), 1);
    CU_ASSERT_EQUAL(rflow->cpu, 1);
    CU_ASSERT_EQUAL(rflow->last_qtail, 1); /* CPU 1's head 0 at the switch, then its tail 1 */
    CU_ASSERT_EQUAL(rx(&e, 1, h), 1);
    rfs_env_clear(&e);
}

static void test_rps_rfs_no_match_uses_rps_map(void)
{
    struct rfs_env e;
    rfs_env_init(&e, 1);
    const uint32_t h = 0xc0000105;
    /* Same sock-table slot, different upper bits: another socket's entry. */
    kern_rps_record_flow(e.sft, 0x10000105, 0);
    CU_ASSERT_EQUAL(rx(&e, 1, h), 1); /* RPS: (h*2)>>32 = 1 */
    CU_ASSERT_EQUAL(kern_rps_dev_flow_at(kern_rps_dev_flow_table(e.dev, 0), h)->cpu,
                    KERN_RPS_NO_CPU);
    /* Unconnected UDP never records: its flow stays on RPS. */
    CU_ASSERT_EQUAL(rx(&e, 1, 0x40000333), 0);
    rfs_env_clear(&e);
}

static void test_rps_rfs_offline_desired_cpu_falls_back_to_rps(void)
{
    struct sim_cpumask online, mask;
    sim_cpumask_parselist(&online, "0-1", SIM_NR_CPUS, NULL);
    struct kern_rps_dev *dev = kern_rps_dev_new(1, 4, &online, NULL);
    sim_cpumask_parse(&mask, "3", SIM_NR_CPUS, NULL);
    kern_rps_dev_set_rps_cpus(dev, 0, &mask, NULL);
    struct kern_rps_dev_flow_table *ft;
    kern_rps_dev_flow_table_create(64, &ft, NULL);
    kern_rps_dev_set_flow_table(dev, 0, ft);
    struct kern_sock_flow_table *sft;
    kern_sock_flow_table_create(64, 4, &sft, NULL);
    struct kern_backlog *bl = backlog(4);
    kern_rps_record_flow(sft, 0x80000001, 3); /* reader on CPU 3, which is offline */
    uint32_t scratch, *qtail = &scratch;
    CU_ASSERT_EQUAL(kern_get_rps_cpu(dev, sft, bl, 1, 0x80000001, &qtail), 1);
    CU_ASSERT_PTR_EQUAL(qtail, &scratch);
    kern_backlog_free(bl);
    kern_sock_flow_table_free(sft);
    kern_rps_dev_free(dev);
}

/* ndo_rx_flow_steer recorder. */
struct steer_log {
    int calls;
    uint32_t hash, flow_id;
    uint16_t rxq;
    int filter;
};

static int steer(void *ctx, uint32_t hash, uint16_t rxq, uint32_t flow_id)
{
    struct steer_log *l = ctx;
    l->calls++;
    l->hash = hash;
    l->rxq = rxq;
    l->flow_id = flow_id;
    return l->filter;
}

static void test_rps_arfs_installs_filter_on_the_new_cpus_queue(void)
{
    struct rfs_env e;
    rfs_env_init(&e, 2);
    struct sim_cpumask aff[2];
    sim_cpumask_parselist(&aff[0], "0", SIM_NR_CPUS, NULL);
    sim_cpumask_parselist(&aff[1], "1", SIM_NR_CPUS, NULL);
    uint16_t rmap[2];
    kern_cpu_rmap_from_affinity(rmap, 2, 2, aff);
    CU_ASSERT(rmap[0] == 0 && rmap[1] == 1);
    struct steer_log log = {.filter = 7};
    kern_rps_dev_set_accel(e.dev, rmap, steer, &log);

    const uint32_t h = 0x00abcdef;
    kern_rps_record_flow(e.sft, h, 1);
    /* Arrives on rx-0 (queue_mapping 1); reader on CPU 1 whose IRQ serves rx-1. */
    CU_ASSERT_EQUAL(rx(&e, 1, h), 1);
    CU_ASSERT_EQUAL(log.calls, 1);
    CU_ASSERT_EQUAL(log.rxq, 1);
    CU_ASSERT_EQUAL(log.flow_id, h & 255);
    struct kern_rps_dev_flow *q1 = kern_rps_dev_flow_at(kern_rps_dev_flow_table(e.dev, 1), h);
    struct kern_rps_dev_flow *q0 = kern_rps_dev_flow_at(kern_rps_dev_flow_table(e.dev, 0), h);
    CU_ASSERT_EQUAL(q1->cpu, 1);
    CU_ASSERT_EQUAL(q1->filter, 7);
    CU_ASSERT_EQUAL(q1->last_qtail, 1); /* the enqueue saved into the new queue's entry */
    CU_ASSERT_EQUAL(q0->cpu, KERN_RPS_NO_CPU);
    /* Now on rx-1 (queue_mapping 2): already the right queue, no new filter. */
    CU_ASSERT_EQUAL(rx(&e, 2, h), 1);
    CU_ASSERT_EQUAL(log.calls, 1);
    /* Unrecorded rx queue: aRFS cannot steer. */
    kern_rps_record_flow(e.sft, 0x00000077, 1);
    CU_ASSERT_EQUAL(rx(&e, 0, 0x00000077), 1);
    CU_ASSERT_EQUAL(log.calls, 1);
    rfs_env_clear(&e);
}

static void test_rps_arfs_expiry_rule(void)
{
    struct rfs_env e;
    rfs_env_init(&e, 2);
    uint16_t rmap[2] = {0, 1};
    struct steer_log log = {.filter = 7};
    kern_rps_dev_set_accel(e.dev, rmap, steer, &log);
    const uint32_t h = 0x00abcdef, fid = h & 255;
    kern_rps_record_flow(e.sft, h, 1);
    CU_ASSERT_EQUAL(rx(&e, 1, h), 1); /* last_qtail 1 on CPU 1 */
    CU_ASSERT_FALSE(kern_rps_may_expire_flow(e.dev, e.bl, 1, fid, 7));
    CU_ASSERT_TRUE(kern_rps_may_expire_flow(e.dev, e.bl, 1, fid, 8)); /* other filter */
    CU_ASSERT_TRUE(kern_rps_may_expire_flow(e.dev, e.bl, 0, fid, 7)); /* other queue */
    CU_ASSERT_TRUE(kern_rps_may_expire_flow(e.dev, e.bl, 1, 256, 7)); /* beyond the mask */
    /* Keep while head - last_qtail < 10 * mask = 2550. */
    kern_backlog_poll_done(e.bl, 1, 2550);
    CU_ASSERT_FALSE(kern_rps_may_expire_flow(e.dev, e.bl, 1, fid, 7));
    kern_backlog_poll_done(e.bl, 1, 1);
    CU_ASSERT_TRUE(kern_rps_may_expire_flow(e.dev, e.bl, 1, fid, 7));
    rfs_env_clear(&e);
}

static void test_rps_arfs_reused_filter_id_leaves_the_old_entry(void)
{
    struct rfs_env e;
    rfs_env_init(&e, 2);
    uint16_t rmap[2] = {0, 1};
    struct steer_log log = {.filter = 7};
    kern_rps_dev_set_accel(e.dev, rmap, steer, &log);
    const uint32_t h = 0x00abcdef;
    struct kern_rps_dev_flow *q0 = kern_rps_dev_flow_at(kern_rps_dev_flow_table(e.dev, 0), h);
    struct kern_rps_dev_flow *q1 = kern_rps_dev_flow_at(kern_rps_dev_flow_table(e.dev, 1), h);
    kern_rps_record_flow(e.sft, h, 0);
    CU_ASSERT_EQUAL(rx(&e, 2, h), 0); /* on rx-1, reader on CPU 0: filter 7 -> rx-0 */
    CU_ASSERT(q0->cpu == 0 && q0->filter == 7);
    poll(&e, 0, 64);
    /* The reader moves to CPU 1; the packet now arrives on rx-0 and the driver hands back the
     * same filter id for rx-1: the old entry must forget it. */
    kern_rps_record_flow(e.sft, h, 1);
    CU_ASSERT_EQUAL(rx(&e, 1, h), 1);
    CU_ASSERT_EQUAL(log.calls, 2);
    CU_ASSERT(q1->cpu == 1 && q1->filter == 7);
    CU_ASSERT_EQUAL(q0->filter, KERN_RPS_NO_FILTER);
    /* A driver error (negative) installs nothing but the flow still moves. */
    log.filter = -95;
    poll(&e, 1, 64);
    kern_rps_record_flow(e.sft, h, 0);
    CU_ASSERT_EQUAL(rx(&e, 2, h), 0);
    CU_ASSERT_EQUAL(log.calls, 3);
    CU_ASSERT(q1->cpu == 0 && q1->filter == 7);
    rfs_env_clear(&e);
}

static void test_rps_cpu_rmap_defaults_and_last_update_wins(void)
{
    struct sim_cpumask aff[2];
    sim_cpumask_parselist(&aff[0], "0-1", SIM_NR_CPUS, NULL);
    sim_cpumask_parselist(&aff[1], "1", SIM_NR_CPUS, NULL);
    uint16_t rmap[5];
    kern_cpu_rmap_from_affinity(rmap, 5, 2, aff);
    CU_ASSERT_EQUAL(rmap[0], 0);
    CU_ASSERT_EQUAL(rmap[1], 1);
    CU_ASSERT_EQUAL(rmap[2], 0); /* uncovered: cpu % queues from alloc_cpu_rmap() */
    CU_ASSERT_EQUAL(rmap[3], 1);
    CU_ASSERT_EQUAL(rmap[4], 0);
}

static CU_TestInfo cases[] = {
    {"test_rps_steer_skb_receive_and_netif_rx", test_rps_steer_skb_receive_and_netif_rx},
    {"test_rps_reciprocal_scale_values", test_rps_reciprocal_scale_values},
    {"test_rps_mask_0x3_known_hash_picks_cpu", test_rps_mask_0x3_known_hash_picks_cpu},
    {"test_rps_map_holds_online_cpus_ascending", test_rps_map_holds_online_cpus_ascending},
    {"test_rps_hash_zero_means_no_steering", test_rps_hash_zero_means_no_steering},
    {"test_rps_queue_mapping_selects_rx_queue", test_rps_queue_mapping_selects_rx_queue},
    {"test_rps_rfs_flow_waits_for_old_backlog_to_drain",
     test_rps_rfs_flow_waits_for_old_backlog_to_drain},
    {"test_rps_rfs_no_match_uses_rps_map", test_rps_rfs_no_match_uses_rps_map},
    {"test_rps_rfs_offline_desired_cpu_falls_back_to_rps",
     test_rps_rfs_offline_desired_cpu_falls_back_to_rps},
    {"test_rps_arfs_installs_filter_on_the_new_cpus_queue",
     test_rps_arfs_installs_filter_on_the_new_cpus_queue},
    {"test_rps_arfs_expiry_rule", test_rps_arfs_expiry_rule},
    {"test_rps_arfs_reused_filter_id_leaves_the_old_entry",
     test_rps_arfs_reused_filter_id_leaves_the_old_entry},
    {"test_rps_cpu_rmap_defaults_and_last_update_wins",
     test_rps_cpu_rmap_defaults_and_last_update_wins},
    CU_TEST_INFO_NULL,
};

CU_MAIN("rps", cases)
