/* A bulk TCP sender (iperf -c / netperf TCP_STREAM, #15 point 3): one thread per socket
 * writing `write_bytes` chunks as fast as the TX ring and the link let it. */
#ifndef NICSTEER_APP_BULK_SENDER_H
#define NICSTEER_APP_BULK_SENDER_H

#include <stdint.h>

struct app_bulk_cfg {
    uint32_t write_bytes; /* bytes per write() (iperf -l; default 128 KB) */
    unsigned tx_dev;      /* netdev the stream leaves by (eth0 = 0) */
};

#define APP_BULK_WRITE_DEFAULT (128u * 1024u)

struct app_bulk;
/* Bytes written so far (all threads) and write() calls completed. */
uint64_t app_bulk_bytes(const struct app_bulk *a);
uint64_t app_bulk_writes(const struct app_bulk *a);

#endif
