/* sim/cli/cli_costs.c: a costs file's provenance (/calibration hosts and bundles) and the costs
 * library validate picks a bundle's host costs from ($NICSTEER_COSTS_PATH first, files by name,
 * the first naming the host wins; a broken library file is an error naming it). */
#include <glib/gstdio.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "tests/unit/cu_main.h"

static char *lib_dir(void)
{
    char *d = g_dir_make_tmp("nicsteer-costs-XXXXXX", NULL);
    g_setenv("NICSTEER_COSTS_PATH", d, TRUE);
    return d;
}

static void put(const char *dir, const char *name, const char *text)
{
    char *p = g_build_filename(dir, name, NULL);
    CU_ASSERT_TRUE(g_file_set_contents(p, text, -1, NULL));
    g_free(p);
}

static void rm_lib(char *dir)
{
    GDir *dh = g_dir_open(dir, 0, NULL);
    for (const char *n; dh && (n = g_dir_read_name(dh));) {
        char *p = g_build_filename(dir, n, NULL);
        g_remove(p);
        g_free(p);
    }
    if (dh)
        g_dir_close(dh);
    g_rmdir(dir);
    g_free(dir);
    g_unsetenv("NICSTEER_COSTS_PATH");
}

static void test_costs_origin_hosts_and_bundles_read(void)
{
    char *d = lib_dir();
    put(d, "c.json",
        "{\"stack_skb\": 900, \"calibration\": {\"hosts\": [\"k1, 2 CPUs\"], \"bundles\": "
        "[\"../x/veth/rps2\", \"b\"]}}");
    char *p = g_build_filename(d, "c.json", NULL);
    struct kern_cost c;
    kern_cost_defaults(&c);
    struct sim_cli_costs_origin o;
    GError *err = NULL;
    CU_ASSERT_TRUE_FATAL(sim_cli_load_costs(p, &c, &o, &err));
    CU_ASSERT_EQUAL(c.stack_skb, 900);
    CU_ASSERT_TRUE(o.hosts && g_strv_length(o.hosts) == 1 && !strcmp(o.hosts[0], "k1, 2 CPUs"));
    CU_ASSERT_TRUE(o.bundles && g_strv_length(o.bundles) == 2 &&
                   !strcmp(o.bundles[0], "../x/veth/rps2"));
    sim_cli_costs_origin_clear(&o);
    CU_ASSERT_PTR_NULL(o.hosts);
    g_free(p);
    rm_lib(d);
}

static void test_costs_origin_not_strings_is_an_error_naming_file(void)
{
    char *d = lib_dir();
    put(d, "c.json", "{\"calibration\": {\"bundles\": [\"a\", 3]}}");
    char *p = g_build_filename(d, "c.json", NULL);
    struct kern_cost c;
    kern_cost_defaults(&c);
    struct sim_cli_costs_origin o;
    GError *err = NULL;
    CU_ASSERT_FALSE(sim_cli_load_costs(p, &c, &o, &err));
    CU_ASSERT_TRUE(err && strstr(err->message, "c.json") &&
                   strstr(err->message, "/calibration/bundles/1: expected a string"));
    CU_ASSERT_PTR_NULL(o.hosts);
    g_clear_error(&err);
    g_free(p);
    rm_lib(d);
}

static void test_host_costs_first_by_name_naming_the_host(void)
{
    char *d = lib_dir();
    put(d, "b.json", "{\"calibration\": {\"hosts\": [\"other, 2 CPUs\", \"k1, 2 CPUs\"]}}");
    put(d, "c.json", "{\"calibration\": {\"hosts\": [\"k1, 2 CPUs\"]}}");
    put(d, "a.json", "{\"calibration\": {\"hosts\": [\"k1, 16 CPUs\"]}}");
    put(d, "notes.txt", "not a costs file, not read");
    GError *err = NULL;
    char *p = sim_cli_host_costs("k1, 2 CPUs", &err);
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_TRUE(p && g_str_has_suffix(p, "/b.json"));
    g_free(p);
    rm_lib(d);
}

static void test_host_costs_unknown_host_is_none_without_error(void)
{
    char *d = lib_dir();
    put(d, "a.json", "{\"stack_skb\": 1}"); /* hand-written: names no host */
    GError *err = NULL;
    char *p = sim_cli_host_costs("nowhere-9.9, 3 CPUs", &err);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_PTR_NULL(err);
    rm_lib(d);
}

static void test_host_costs_broken_library_file_is_named(void)
{
    char *d = lib_dir();
    put(d, "a.json", "{\"stack_skb\": ");
    GError *err = NULL;
    char *p = sim_cli_host_costs("k1, 2 CPUs", &err);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_TRUE(err && strstr(err->message, "a.json"));
    g_clear_error(&err);
    rm_lib(d);
}

static void test_host_costs_bundled_library_holds_the_shared_host(void)
{
    g_unsetenv("NICSTEER_COSTS_PATH");
    GError *err = NULL;
    char *p = sim_cli_host_costs("6.18.44-fc-v769, 2 CPUs", &err);
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_TRUE(p && g_str_has_suffix(p, "scenarios/costs/veth-host.json"));
    g_free(p);
}

static CU_TestInfo cases[] = {
    {"origin: hosts and bundles read", test_costs_origin_hosts_and_bundles_read},
    {"origin: not strings is an error naming the file",
     test_costs_origin_not_strings_is_an_error_naming_file},
    {"library: first file by name naming the host", test_host_costs_first_by_name_naming_the_host},
    {"library: unknown host is none, no error", test_host_costs_unknown_host_is_none_without_error},
    {"library: a broken file is named", test_host_costs_broken_library_file_is_named},
    {"library: scenarios/costs holds the shared bundles' host",
     test_host_costs_bundled_library_holds_the_shared_host},
    CU_TEST_INFO_NULL,
};

CU_MAIN("cli_costs", cases)
