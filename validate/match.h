/* Join of pcap frames to trace receive-entry events by time and length (capture-bundle.md:
 * "pcap frame length - 14 = trace len" after the realtime -> trace clock offset). */
#ifndef NICSTEER_VALIDATE_MATCH_H
#define NICSTEER_VALIDATE_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Default tolerance of the time join: pcap stamps are taken at netif_rx/netif_receive_skb entry
 * (netdev_tstamp_prequeue), microseconds from the trace event, so +-2 ms only has to absorb
 * the clock-offset uncertainty and tracefs' microsecond stamps. */
#define VAL_MATCH_WINDOW_NS 2000000ull

/* Candidate packets indexed by (length, time). */
struct val_match;

/* n candidates: ts_ns[i] on the trace clock, len[i] = frame length - 14 (both copied).
 * Candidates are identified by their index i. */
struct val_match *val_match_new(const uint64_t *ts_ns, const uint32_t *len, size_t n,
                                uint64_t window_ns);
void val_match_free(struct val_match *m);
/* An empty join fed as the capture is read (val_match_add), for a streaming replay. */
struct val_match *val_match_new_stream(uint64_t window_ns);
/* Candidate idx at ts_ns (trace clock) of length len. Any order; nearly sorted is cheap. */
void val_match_add(struct val_match *m, uint64_t ts_ns, uint32_t len, size_t idx);
/* Drops the candidates stamped before ts_ns: no later entry can reach them. */
void val_match_forget_before(struct val_match *m, uint64_t ts_ns);
/* Greedy step, called for trace entries in trace order: the unmatched candidate of equal length
 * nearest in time within +-window (the earlier one on a tie) is taken and its index returned;
 * -1 when there is none. */
int64_t val_match_take(struct val_match *m, uint64_t ts_ns, uint32_t len);
/* The candidate val_match_take() would return, left untaken; -1 when none. */
int64_t val_match_find(const struct val_match *m, uint64_t ts_ns, uint32_t len);
/* Candidates taken so far. */
size_t val_match_taken(const struct val_match *m);

#endif
