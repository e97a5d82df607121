/* models/nic/steer.c: the policy registry — built-ins by name, modules by
 * name or path (GModule), and errors naming the module and what is missing. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <glib/gstdio.h>
#include <string.h>

#include "models/nic/steer.h"
#include "sim/core/err.h"
#include "tests/unit/cu_main.h"

static const struct steer_env env8 = {.n_rx_queues = 8, .n_tx_queues = 8, .n_cpus = 8};

static void test_steer_builtins_by_name(void)
{
    const char *names[] = {"rss", "mac", "rr", "single"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        const struct steer_policy_ops *ops = steer_policy_lookup(names[i], NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
        CU_ASSERT_STRING_EQUAL(ops->name, names[i]);
        CU_ASSERT_PTR_NOT_NULL(ops->init);
        CU_ASSERT_PTR_NOT_NULL(ops->select_rxq);
        CU_ASSERT_PTR_NOT_NULL(ops->destroy);
    }
}

static struct traffic_pkt udp_to(uint16_t dport)
{
    struct traffic_pkt p = {.l3 = PKT_L3_IPV4, .l4 = 17, .has_ports = 1, .sport = 999};
    p.dport = dport;
    return p;
}

static void check_dport(const struct steer_policy_ops *ops)
{
    json_t *cfg = json_loads("{\"map\": {\"53\": 7, \"80\": 2}}", 0, NULL);
    void *st = ops->init(cfg, "/nic/steering/dport", &env8, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    struct steer_ctx ctx = {0};
    struct traffic_pkt p = udp_to(53);
    CU_ASSERT_EQUAL(ops->select_rxq(st, &p, &ctx), 7);
    p = udp_to(80);
    CU_ASSERT_EQUAL(ops->select_rxq(st, &p, &ctx), 2);
    p = udp_to(8003);
    CU_ASSERT_EQUAL(ops->select_rxq(st, &p, &ctx), 8003 % 8);
    struct traffic_pkt arp = {.ethertype = 0x0806};
    CU_ASSERT_EQUAL(ops->select_rxq(st, &arp, &ctx), STEER_NO_MATCH);
    json_t *d = ops->dump(st);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(d, "mapped")), 2);
    json_decref(d);
    ops->destroy(st);
    json_decref(cfg);
    /* the module's own config errors name the JSON path */
    cfg = json_loads("{\"map\": {\"80\": 8}}", 0, NULL);
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(ops->init(cfg, "/nic/steering/dport", &env8, &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "/nic/steering/dport/map/80") : NULL);
    g_clear_error(&err);
    json_decref(cfg);
}

static void test_steer_plugin_by_name(void)
{
    GError *err = NULL;
    const struct steer_policy_ops *ops = steer_policy_lookup("dport", &err);
    if (err)
        fprintf(stderr, "%s\n", err->message);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
    CU_ASSERT_STRING_EQUAL(ops->name, "dport");
    check_dport(ops);
}

static void test_steer_plugin_by_path_and_search_path(void)
{
    const struct steer_policy_ops *a =
        steer_policy_lookup(NICSTEER_PLUGIN_DIR "/steer_dport.so", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    check_dport(a);
    /* $NICSTEER_PLUGIN_PATH: a copy under another name in a scratch dir */
    char *dir = g_dir_make_tmp("nicsteer-plugins-XXXXXX", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    char *src = NULL;
    gsize len = 0;
    CU_ASSERT_TRUE_FATAL(
        g_file_get_contents(NICSTEER_PLUGIN_DIR "/steer_dport.so", &src, &len, NULL));
    char *dst = g_build_filename(dir, "steer_dportcopy.so", NULL);
    CU_ASSERT_TRUE_FATAL(g_file_set_contents(dst, src, (gssize)len, NULL));
    g_setenv("NICSTEER_PLUGIN_PATH", dir, TRUE);
    const struct steer_policy_ops *b = steer_policy_lookup("dportcopy", NULL);
    CU_ASSERT_PTR_NOT_NULL(b);
    g_unsetenv("NICSTEER_PLUGIN_PATH");
    g_remove(dst);
    g_rmdir(dir);
    g_free(dst);
    g_free(src);
    g_free(dir);
}

static void test_steer_missing_module_error(void)
{
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(steer_policy_lookup("nosuchpolicy", &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "unknown steering policy 'nosuchpolicy'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "steer_nosuchpolicy.so"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "rss, mac, rr, single"));
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(steer_policy_lookup("/nonexistent/steer_x.so", &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "/nonexistent/steer_x.so: cannot load"));
    g_clear_error(&err);
}

static void test_steer_module_without_symbol_error(void)
{
    /* a real shared object that is not a policy: the Jansson library */
    Dl_info info;
    CU_ASSERT_FATAL(dladdr((void *)json_object, &info) != 0 && info.dli_fname);
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(steer_policy_lookup(info.dli_fname, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, info.dli_fname));
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "no symbol nicsteer_policy_ops"));
    g_clear_error(&err);
}

static CU_TestInfo cases[] = {
    {"test_steer_builtins_by_name", test_steer_builtins_by_name},
    {"test_steer_plugin_by_name", test_steer_plugin_by_name},
    {"test_steer_plugin_by_path_and_search_path", test_steer_plugin_by_path_and_search_path},
    {"test_steer_missing_module_error", test_steer_missing_module_error},
    {"test_steer_module_without_symbol_error", test_steer_module_without_symbol_error},
    CU_TEST_INFO_NULL,
};

CU_MAIN("steer", cases)
