/* `ethtool -x DEV` output (ethtool.c print_indir_table / dump_rxfhash),
 * parsed from real captures and printed back in the same format. */
#ifndef NICSTEER_NIC_ETHTOOL_X_H
#define NICSTEER_NIC_ETHTOOL_X_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/nic/reta.h"

#define NIC_ETHTOOL_X_KEY_MAX   128
#define NIC_ETHTOOL_X_FLAGS_MAX 8
#define NIC_ETHTOOL_X_INDEX_MAX 65536 /* largest table index accepted */
#define NIC_ETHTOOL_X_UNKNOWN   (-1)  /* entry inside an elided ("...") range */

struct nic_ethtool_x_flag {
    char name[32]; /* "toeplitz", "xor", "symmetric-xor" */
    bool on;
};

/* One "RX flow hash indirection table for ..." block, as printed. Plain
 * data owned by the nic_ethtool_x that returned it. */
struct nic_ethtool_x_table {
    char *dev;
    unsigned rings;         /* "with %u RX ring(s)" */
    unsigned context;       /* ", context %u" (0 = default context) */
    unsigned line;          /* header line, 1-based */
    bool indir_unsupported; /* "Operation not supported" instead of rows */
    unsigned n_entries;     /* indices 0..n_entries-1 printed or elided */
    int32_t *entry;         /* queue, or NIC_ETHTOOL_X_UNKNOWN */
    unsigned known;         /* entries with a value */
    bool partial;           /* some rows were elided with "..." */
    bool trailing_elision;  /* "..." after the last row: size unknown */
    bool has_key;           /* "RSS hash key:" section present */
    bool key_unsupported;   /* ... followed by "Operation not supported" */
    size_t key_len;
    uint8_t key[NIC_ETHTOOL_X_KEY_MAX];
    bool has_hfunc; /* "RSS hash function:" section present */
    unsigned n_hfunc;
    struct nic_ethtool_x_flag hfunc[NIC_ETHTOOL_X_FLAGS_MAX];
    bool has_xfrm; /* "RSS input transformation:" (newer ethtool) */
    unsigned n_xfrm;
    struct nic_ethtool_x_flag xfrm[NIC_ETHTOOL_X_FLAGS_MAX];
};

/* All blocks of a text, in order (a session log may hold several `ethtool
 * -x` runs between shell prompts; every one is kept). */
struct nic_ethtool_x;

/* Lines outside a block (shell prompts, other commands' output) are skipped.
 * Errors read "<name>:<line>: <what was expected>". A text with no block at
 * all is an error unless it says "Operation not supported". */
struct nic_ethtool_x *nic_ethtool_x_parse(const char *text, const char *name, GError **err);
struct nic_ethtool_x *nic_ethtool_x_load(const char *path, GError **err);
void nic_ethtool_x_free(struct nic_ethtool_x *x);

unsigned nic_ethtool_x_n_tables(const struct nic_ethtool_x *x);
/* Borrowed; NULL when i is out of range. */
const struct nic_ethtool_x_table *nic_ethtool_x_table(const struct nic_ethtool_x *x, unsigned i);
/* Lines reporting "Operation not supported" outside any block. */
unsigned nic_ethtool_x_unsupported(const struct nic_ethtool_x *x);

/* The block in ethtool's format (new string). Elided ranges print as "...";
 * print(parse(x)) == x for what ethtool prints. */
char *nic_ethtool_x_print(const struct nic_ethtool_x_table *t);

/* Smallest N such that every known entry i equals i % N (default fill or
 * `equal N`), 0 when none. Says what the known rows are consistent with; it
 * does not fill in elided rows. */
unsigned nic_ethtool_x_period(const struct nic_ethtool_x_table *t);

/* A RETA from a complete table (no elision, power-of-two size), queues <
 * rings. Errors name the table's line. */
struct nic_reta *nic_ethtool_x_to_reta(const struct nic_ethtool_x_table *t, const char *name,
                                       GError **err);

#endif
