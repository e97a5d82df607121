/* NIC profiles: the hardware limits and defaults of each modelled NIC family,
 * in one place (82599/ixgbe, X710/X722/i40e, a generic ice/mlx5-like NIC).
 * Every other file asks here instead of hard-coding 16 queues, 128 entries or
 * a 40-byte key. */
#ifndef NICSTEER_NIC_NIC_PROFILE_H
#define NICSTEER_NIC_NIC_PROFILE_H

#include <glib.h>
#include <stdbool.h>

struct nic_profile {
    const char *name;        /* "82599", "x710", "generic" */
    const char *driver;      /* "ixgbe", "i40e", "ice/mlx5" */
    unsigned reta_size;      /* default indirection-table entries */
    unsigned reta_min;       /* sizes the table can have: powers of two */
    unsigned reta_max;       /* reta_min..reta_max */
    unsigned key_len;        /* RSS key bytes (ethtool -X hkey must be this long) */
    unsigned max_rss_queues; /* queues the RETA can point at */
    unsigned max_queues;     /* RX queues the driver enables on the port */
    unsigned msix_vectors;   /* MSI-X table size (queue vectors + "other") */
    bool udp4, udp6;         /* UDP hashed on the 4-tuple by default */
    bool symmetric_xor;      /* ethtool -X xfrm symmetric-xor (RXH_XFRM_SYM_XOR) */
    unsigned rss_contexts;   /* extra RSS contexts (ethtool -X context new), 0 = none */
};

/* The profile named `name` ("82599", "x710", "x722" = x710's, "generic");
 * NULL + SIM_ERROR_INPUT naming `where` and the known names otherwise. */
const struct nic_profile *nic_profile_lookup(const char *name, const char *where, GError **err);
/* The 82599: what the model was before profiles existed. */
const struct nic_profile *nic_profile_default(void);
/* "82599, x710, x722, generic" (static). */
const char *nic_profile_names(void);

/* Whether the NIC can have a table of `size` entries; the error names
 * `where`, the profile and the sizes it can have. */
bool nic_profile_check_reta_size(const struct nic_profile *p, unsigned size, const char *where,
                                 GError **err);
/* Whether `len` is the NIC's key length (ethtool_set_rxfh: key_size must equal
 * get_rxfh_key_size()). */
bool nic_profile_check_key_len(const struct nic_profile *p, unsigned len, const char *where,
                               GError **err);

#endif
