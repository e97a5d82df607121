/* The NIC profile table (see nic_profile.h for what each field means). */
#include "models/nic/nic_profile.h"

#include <string.h>

#include "sim/core/err.h"

static const struct nic_profile profiles[] = {
    /* 82599 datasheet §7.1.2.8: RETA[32] x 4 = 128 entries, RSSRK[10] = 40
     * bytes, 4-bit entries -> 16 RSS queues (IXGBE_MAX_RSS_INDICES); 64 MSI-X
     * vectors (§7.3); ixgbe_setup_mrqc hashes UDP on addresses only. */
    {.name = "82599",
     .driver = "ixgbe",
     .reta_size = 128,
     .reta_min = 128,
     .reta_max = 128,
     .key_len = 40,
     .max_rss_queues = 16,
     .max_queues = 63,
     .msix_vectors = 64},
    /* X710/X722: I40E_HLUT_ARRAY_SIZE 512 (PFQF_HLUT[128] x 4), I40E_HKEY_ARRAY_SIZE
     * 52 (PFQF_HKEY[13] x 4), rss_size_max = BIT(func_caps.rss_table_entry_width)
     * = 64; 129 MSI-X vectors per PF; I40E_DEFAULT_RSS_HENA enables NONF_IPV4_UDP
     * / NONF_IPV6_UDP with the L4 ports in the default input set (ethtool -n
     * rx-flow-hash udp4: "IP SA, IP DA, L4 bytes 0 & 1, L4 bytes 2 & 3"). */
    {.name = "x710",
     .driver = "i40e",
     .reta_size = 512,
     .reta_min = 512,
     .reta_max = 512,
     .key_len = 52,
     .max_rss_queues = 64,
     .max_queues = 64,
     .msix_vectors = 129,
     .udp4 = true,
     .udp6 = true},
    /* ice/mlx5-like: hundreds of channels, a table sized by the driver (mlx5e
     * RQT, ice VSI LUT 64..2048; bounded here by NIC_RETA_MAX), 40-byte key
     * (mlx5e Toeplitz key), UDP 4-tuple by default, extra RSS contexts
     * (ethtool -X context new) and RXH_XFRM_SYM_XOR (ice_set_rxfh / mlx5e). */
    {.name = "generic",
     .driver = "ice/mlx5",
     .reta_size = 512,
     .reta_min = 64,
     .reta_max = 512,
     .key_len = 40,
     .max_rss_queues = 256,
     .max_queues = 256,
     .msix_vectors = 2048,
     .udp4 = true,
     .udp6 = true,
     .symmetric_xor = true,
     .rss_contexts = 15},
};

const struct nic_profile *nic_profile_default(void)
{
    return &profiles[0];
}

const char *nic_profile_names(void)
{
    return "82599, x710, x722, generic";
}

const struct nic_profile *nic_profile_lookup(const char *name, const char *where, GError **err)
{
    /* X722 is the same i40e silicon family: same LUT, key and queue limits */
    const char *n = name && !strcmp(name, "x722") ? "x710" : name;
    for (size_t i = 0; n && i < G_N_ELEMENTS(profiles); i++)
        if (!strcmp(profiles[i].name, n))
            return &profiles[i];
    g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: unknown NIC model \"%s\", expected one of %s",
                where, name ? name : "", nic_profile_names());
    return NULL;
}

bool nic_profile_check_reta_size(const struct nic_profile *p, unsigned size, const char *where,
                                 GError **err)
{
    if (size >= p->reta_min && size <= p->reta_max && (size & (size - 1)) == 0)
        return true;
    if (p->reta_min == p->reta_max)
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s: indirection table of %u entries, expected %u (the %s's table size)", where,
                    size, p->reta_size, p->name);
    else
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s: indirection table of %u entries, expected a power of two in %u..%u (%s)",
                    where, size, p->reta_min, p->reta_max, p->name);
    return false;
}

bool nic_profile_check_key_len(const struct nic_profile *p, unsigned len, const char *where,
                               GError **err)
{
    if (len == p->key_len)
        return true;
    g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                "%s: RSS key of %u bytes, expected %u (the %s's key, %s)", where, len, p->key_len,
                p->name, p->driver);
    return false;
}
