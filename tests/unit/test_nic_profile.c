/* models/nic/nic_profile.c: each NIC's limits as its datasheet/driver gives
 * them (82599 §7.1.2.8; i40e I40E_HLUT_ARRAY_SIZE / I40E_HKEY_ARRAY_SIZE /
 * rss_size_max), names, and the checks' one-line errors. */
#include <string.h>

#include "models/nic/nic_profile.h"
#include "sim/core/err.h"
#include "tests/unit/cu_main.h"

static const struct nic_profile *get(const char *name)
{
    GError *err = NULL;
    const struct nic_profile *p = nic_profile_lookup(name, "test", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_PTR_NULL(err);
    return p;
}

static void test_nic_profile_82599_is_default_and_unchanged(void)
{
    const struct nic_profile *p = nic_profile_default();
    CU_ASSERT_PTR_EQUAL(p, get("82599"));
    CU_ASSERT_EQUAL(p->reta_size, 128);
    CU_ASSERT_EQUAL(p->key_len, 40);
    CU_ASSERT_EQUAL(p->max_rss_queues, 16);
    CU_ASSERT_EQUAL(p->msix_vectors, 64);
    CU_ASSERT_FALSE(p->udp4); /* ixgbe_setup_mrqc: UDP on addresses only */
    CU_ASSERT_FALSE(p->symmetric_xor);
}

static void test_nic_profile_x710_and_x722_are_i40e(void)
{
    const struct nic_profile *p = get("x710");
    CU_ASSERT_PTR_EQUAL(get("x722"), p);
    CU_ASSERT_EQUAL(p->reta_size, 512);
    CU_ASSERT_EQUAL(p->key_len, 52);
    CU_ASSERT_EQUAL(p->max_rss_queues, 64);
    CU_ASSERT_TRUE(p->udp4 && p->udp6); /* I40E_DEFAULT_RSS_HENA, L4 in the input set */
    CU_ASSERT_FALSE(p->symmetric_xor);
}

static void test_nic_profile_generic_is_wide(void)
{
    const struct nic_profile *p = get("generic");
    CU_ASSERT_TRUE(p->max_rss_queues >= 128);
    CU_ASSERT_EQUAL(p->key_len, 40);
    CU_ASSERT_TRUE(p->symmetric_xor);
    CU_ASSERT_TRUE(p->rss_contexts > 0);
    CU_ASSERT_TRUE(nic_profile_check_reta_size(p, 64, "t", NULL));
    CU_ASSERT_TRUE(nic_profile_check_reta_size(p, 512, "t", NULL));
}

static void test_nic_profile_unknown_name_lists_models(void)
{
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(nic_profile_lookup("e1000", "/nic/model", &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "/nic/model: unknown NIC model \"e1000\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "82599, x710, x722, generic"));
    g_error_free(err);
}

/* RETA sizes: each NIC has only its own (ethtool_set_rxfh: indir_size must be
 * get_rxfh_indir_size()). */
static void test_nic_profile_reta_sizes(void)
{
    const struct nic_profile *ix = nic_profile_default(), *i40e = get("x710"),
                             *gen = get("generic");
    CU_ASSERT_TRUE(nic_profile_check_reta_size(ix, 128, "t", NULL));
    CU_ASSERT_TRUE(nic_profile_check_reta_size(i40e, 512, "t", NULL));
    GError *err = NULL;
    CU_ASSERT_FALSE(nic_profile_check_reta_size(ix, 512, "dump:1", &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_STRING_EQUAL(err->message,
                           "dump:1: indirection table of 512 entries, expected 128 (the 82599's "
                           "table size)");
    g_clear_error(&err);
    CU_ASSERT_FALSE(nic_profile_check_reta_size(i40e, 128, "t", NULL));
    CU_ASSERT_FALSE(nic_profile_check_reta_size(gen, 100, "t", &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "power of two in 64..512") : NULL);
    g_clear_error(&err);
    CU_ASSERT_FALSE(nic_profile_check_reta_size(gen, 1024, "t", NULL));
}

static void test_nic_profile_key_lengths(void)
{
    GError *err = NULL;
    CU_ASSERT_TRUE(nic_profile_check_key_len(get("x710"), 52, "t", NULL));
    CU_ASSERT_FALSE(nic_profile_check_key_len(get("x710"), 40, "t", &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "40 bytes, expected 52") : NULL);
    g_clear_error(&err);
    CU_ASSERT_FALSE(nic_profile_check_key_len(nic_profile_default(), 52, "t", NULL));
}

static CU_TestInfo cases[] = {
    {"test_nic_profile_82599_is_default_and_unchanged",
     test_nic_profile_82599_is_default_and_unchanged},
    {"test_nic_profile_x710_and_x722_are_i40e", test_nic_profile_x710_and_x722_are_i40e},
    {"test_nic_profile_generic_is_wide", test_nic_profile_generic_is_wide},
    {"test_nic_profile_unknown_name_lists_models", test_nic_profile_unknown_name_lists_models},
    {"test_nic_profile_reta_sizes", test_nic_profile_reta_sizes},
    {"test_nic_profile_key_lengths", test_nic_profile_key_lengths},
    CU_TEST_INFO_NULL,
};

CU_MAIN("nic_profile", cases)
