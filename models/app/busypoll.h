/* Run-to-completion busy-polling workers (DPDK / AF_XDP style): one thread per RX queue,
 * pinned to the queue's IRQ CPU, polls the ring itself and consumes its sockets. */
#ifndef NICSTEER_APP_BUSYPOLL_H
#define NICSTEER_APP_BUSYPOLL_H

#include <stdint.h>

#include "models/kernel/kern.h"

struct app_busypoll;

/* Worker q polls napi[q] on cpu[q] and reads sockets s with s % n_workers == q. */
struct app_busypoll *app_busypoll_new(struct kern_host *h, struct napi_struct *const *napi,
                                      const unsigned *cpu, unsigned n_workers, unsigned n_socks);
void app_busypoll_free(struct app_busypoll *a);
uint64_t app_busypoll_messages(const struct app_busypoll *a);
uint64_t app_busypoll_empty_polls(const struct app_busypoll *a);

#endif
