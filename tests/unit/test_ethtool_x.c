/* models/nic/ethtool_x.c: real `ethtool -x` text (spec §2), elided rows,
 * several runs in one session log, round trip, errors naming file:line. */
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "models/nic/ethtool_x.h"
#include "models/nic/toeplitz.h"
#include "sim/core/err.h"
#include "tests/unit/cu_main.h"

/* Full 82599 table with the Microsoft key, as ethtool prints it (spec §2,
 * the example with its "..." expanded). */
static char *full_ms_table(void)
{
    GString *s = g_string_new("RX flow hash indirection table for eth0 with 16 RX ring(s):\n");
    for (unsigned r = 0; r < 128; r += 8) {
        g_string_append_printf(s, "%5u: ", r);
        for (unsigned i = r; i < r + 8; i++)
            g_string_append_printf(s, " %5u", i % 16);
        g_string_append_c(s, '\n');
    }
    g_string_append(s, "RSS hash key:\n"
                       "6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:30:b4:"
                       "77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa\n"
                       "RSS hash function:\n"
                       "    toeplitz: on\n"
                       "    xor: off\n"
                       "    crc32: off\n");
    return g_string_free(s, FALSE);
}

static void test_ethtool_x_round_trip_full_ms_table(void)
{
    char *text = full_ms_table();
    GError *err = NULL;
    struct nic_ethtool_x *x = nic_ethtool_x_parse(text, "ms.txt", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_EQUAL_FATAL(nic_ethtool_x_n_tables(x), 1);
    const struct nic_ethtool_x_table *t = nic_ethtool_x_table(x, 0);
    CU_ASSERT_STRING_EQUAL(t->dev, "eth0");
    CU_ASSERT_EQUAL(t->rings, 16);
    CU_ASSERT_EQUAL(t->n_entries, 128);
    CU_ASSERT_EQUAL(t->known, 128);
    CU_ASSERT_FALSE(t->partial);
    CU_ASSERT_EQUAL(t->key_len, 40);
    CU_ASSERT_EQUAL(t->n_hfunc, 3);
    CU_ASSERT_STRING_EQUAL(t->hfunc[0].name, "toeplitz");
    CU_ASSERT_TRUE(t->hfunc[0].on);
    CU_ASSERT_FALSE(t->hfunc[2].on);
    CU_ASSERT_EQUAL(nic_ethtool_x_period(t), 16);
    char *out = nic_ethtool_x_print(t);
    CU_ASSERT_STRING_EQUAL(out, text);
    /* the key hashes like the Microsoft vector 1 */
    struct nic_toeplitz *h = nic_toeplitz_new(t->key, t->key_len, NULL);
    const uint8_t in[12] = {66, 9, 149, 187, 161, 142, 100, 80, 0x0a, 0xea, 0x06, 0xe6};
    CU_ASSERT_EQUAL(nic_toeplitz_hash(h, in, 12), 0x51ccc178);
    struct nic_reta *r = nic_ethtool_x_to_reta(t, "ms.txt", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(nic_reta_queue(r, 0x51ccc178), 120 % 16);
    nic_reta_free(r);
    nic_toeplitz_free(h);
    g_free(out);
    nic_ethtool_x_free(x);
    g_free(text);
}

static void check_real_block(const struct nic_ethtool_x_table *t, unsigned rings, unsigned known,
                             unsigned period)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_STRING_EQUAL(t->dev, "eth1");
    CU_ASSERT_EQUAL(t->rings, rings);
    CU_ASSERT_EQUAL(t->known, known);
    CU_ASSERT_TRUE(t->partial);
    CU_ASSERT_TRUE(t->trailing_elision);
    CU_ASSERT_FALSE(t->has_key);
    CU_ASSERT_EQUAL(nic_ethtool_x_period(t), period);
}

static void test_ethtool_x_real_session_log(void)
{
    char *path =
        cu_shared_path("traces/public/sysdumps/intel-wired-lan-20230416-ixgbe-ethtool-x.txt");
    if (!path)
        return;
    GError *err = NULL;
    struct nic_ethtool_x *x = nic_ethtool_x_load(path, &err);
    if (err)
        fprintf(stderr, "%s\n", err->message);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_EQUAL_FATAL(nic_ethtool_x_n_tables(x), 4);
    /* combined 20: 20 rings but the RETA only spans 16 queues (RSS limit) */
    check_real_block(nic_ethtool_x_table(x, 0), 20, 40, 16);
    check_real_block(nic_ethtool_x_table(x, 1), 10, 24, 10);
    check_real_block(nic_ethtool_x_table(x, 2), 16, 24, 16);
    check_real_block(nic_ethtool_x_table(x, 3), 16, 24, 5); /* after `equal 5` */
    const struct nic_ethtool_x_table *t = nic_ethtool_x_table(x, 3);
    CU_ASSERT_EQUAL(t->entry[8], 3);
    CU_ASSERT_EQUAL(t->line, 27);
    /* a partial table is not a RETA: the error says why and where */
    CU_ASSERT_PTR_NULL(nic_ethtool_x_to_reta(t, path, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, ":27: table lists 24 of its entries"));
    g_clear_error(&err);
    /* printing a partial block gives back what ethtool printed */
    char *out = nic_ethtool_x_print(t);
    CU_ASSERT_STRING_EQUAL(out, "RX flow hash indirection table for eth1 with 16 RX ring(s):\n"
                                "    0:      0     1     2     3     4     0     1     2\n"
                                "    8:      3     4     0     1     2     3     4     0\n"
                                "   16:      1     2     3     4     0     1     2     3\n"
                                "...\n");
    g_free(out);
    nic_ethtool_x_free(x);
    g_free(path);
}

static void test_ethtool_x_middle_gap_context_and_xfrm(void)
{
    const char *text = "$ ethtool -x eth2 context 1\n"
                       "RX flow hash indirection table for eth2 with 4 RX ring(s), context 1:\n"
                       "    0:      0     1     2     3     0     1     2     3\n"
                       "...\n"
                       "   24:      3     2     1     0     3     2     1     0\n"
                       "RSS hash key:\n"
                       "Operation not supported\n"
                       "RSS hash function:\n"
                       "    toeplitz: on\n"
                       "RSS input transformation:\n"
                       "    symmetric-xor: off\n";
    struct nic_ethtool_x *x = nic_ethtool_x_parse(text, "t", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    const struct nic_ethtool_x_table *t = nic_ethtool_x_table(x, 0);
    CU_ASSERT_EQUAL(t->context, 1);
    CU_ASSERT_EQUAL(t->n_entries, 32);
    CU_ASSERT_EQUAL(t->known, 16);
    CU_ASSERT_EQUAL(t->entry[8], NIC_ETHTOOL_X_UNKNOWN);
    CU_ASSERT_EQUAL(t->entry[24], 3);
    CU_ASSERT_FALSE(t->trailing_elision);
    CU_ASSERT_TRUE(t->key_unsupported);
    CU_ASSERT_EQUAL(t->n_xfrm, 1);
    CU_ASSERT_EQUAL(nic_ethtool_x_period(t), 0); /* reversed rows: no i % N fill */
    char *out = nic_ethtool_x_print(t);
    CU_ASSERT_STRING_EQUAL(out, text + strlen("$ ethtool -x eth2 context 1\n"));
    g_free(out);
    nic_ethtool_x_free(x);
}

static void test_ethtool_x_unsupported(void)
{
    struct nic_ethtool_x *x = nic_ethtool_x_parse(
        "$ ethtool -x lo\nCannot get RX ring count: Operation not supported\n", "lo.txt", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_EQUAL(nic_ethtool_x_n_tables(x), 0);
    CU_ASSERT_EQUAL(nic_ethtool_x_unsupported(x), 1);
    nic_ethtool_x_free(x);
    x = nic_ethtool_x_parse("RX flow hash indirection table for veth0 with 1 RX ring(s):\n"
                            "Operation not supported\n",
                            "v.txt", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_TRUE(nic_ethtool_x_table(x, 0)->indir_unsupported);
    nic_ethtool_x_free(x);
}

static void expect_error(const char *text, const char *want)
{
    GError *err = NULL;
    struct nic_ethtool_x *x = nic_ethtool_x_parse(text, "dump.txt", &err);
    CU_ASSERT_PTR_NULL(x);
    nic_ethtool_x_free(x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    if (!strstr(err->message, want))
        fprintf(stderr, "message '%s' lacks '%s'\n", err->message, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, want));
    g_error_free(err);
}

static void test_ethtool_x_malformed_names_line(void)
{
    const char *hdr = "RX flow hash indirection table for eth0 with 4 RX ring(s):\n";
    char *t;
    t = g_strconcat("$ x\n", hdr, "    0:      0     1     x     3\n", NULL);
    expect_error(t, "dump.txt:3: row 0: expected a queue number");
    g_free(t);
    t = g_strconcat(hdr, "    0:      0     1     2     3\n   16:      0\n", NULL);
    expect_error(t, "dump.txt:3: row starts at index 16, expected 4 (missing \"...\" line?)");
    g_free(t);
    t = g_strconcat(hdr, "    0:      0     1     9     3\n", NULL);
    expect_error(t, "dump.txt:2: entry 2 is queue 9, expected < 4 RX ring(s)");
    g_free(t);
    t = g_strconcat(hdr, "RSS hash key:\n", NULL);
    expect_error(t, "dump.txt:2: table header at line 1 has no rows");
    g_free(t);
    t = g_strconcat(hdr, "    0:      0\nRSS hash key:\n6d:5a:zz\n", NULL);
    expect_error(t, "dump.txt:4: RSS hash key: expected colon-separated hex bytes at column 7");
    g_free(t);
    expect_error("RX flow hash indirection table for eth0 with four RX ring(s):\n",
                 "dump.txt:1: expected \"RX flow hash indirection table for DEV with N");
    t = g_strconcat(hdr, "    0:      0\n...\n99999999:      0\n", NULL);
    expect_error(t, "dump.txt:4: row index out of range");
    g_free(t);
    expect_error("$ ip link\n1: lo: <LOOPBACK>\n", "dump.txt: no \"RX flow hash");
    /* A header of 10^9 rings is no dump (it once took 29 s to build its table). */
    expect_error("RX flow hash indirection table for eth0 with 1000000000 RX ring(s):\n"
                 "    0:      0\n",
                 "dump.txt:1: expected 1 to 65536 RX rings, got 1000000000");
    t = g_strconcat(hdr, "    0:      0\nRSS hash function:\n    toeplitz: maybe\n", NULL);
    expect_error(t, "dump.txt:4: expected \"    NAME: on|off\"");
    g_free(t);
}

/* nic_ethtool_x_load: a file over 1 MB is refused before it is read. */
static void test_ethtool_x_load_refuses_a_huge_file(void)
{
    char *p = NULL;
    int fd = g_file_open_tmp("nicsteer-ethx-XXXXXX", &p, NULL);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(ftruncate(fd, (1 << 20) + 1) == 0);
    close(fd);
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(nic_ethtool_x_load(p, &err));
    CU_ASSERT(err && strstr(err->message, ": 1048577 bytes, expected at most 1048576"));
    g_clear_error(&err);
    g_unlink(p);
    g_free(p);
}

/* Rows are print_indir_table()'s: 8 entries from a multiple of 8, only the
 * last shorter. Other shapes cannot be printed back in ethtool's format
 * (found by fuzz_ethtool_x: "0: 0 / ... / 18: 9" printed entries as -1). */
static void test_ethtool_x_rows_must_have_ethtool_shape(void)
{
    const char *hdr = "RX flow hash indirection table for eth2 with 10 RX ring(s):\n";
    char *t = g_strconcat(hdr, "    0:      0\n...\n   18:      9\n", NULL);
    expect_error(t, "dump.txt:4: row starts at index 18, expected a multiple of 8");
    g_free(t);
    t = g_strconcat(hdr, "    0:      0     1\n...\n   16:      9\n", NULL);
    expect_error(t, "dump.txt:4: row 16 follows a row of fewer than 8 entries, expected 8 per row");
    g_free(t);
    t = g_strconcat(hdr, "    0:      0     1     2     3     4     5     6     7     8\n", NULL);
    expect_error(t, "dump.txt:2: row 0: more than 8 entries, expected 8 per row");
    g_free(t);
    /* a short last row, then elision of nothing more: still ethtool's shape */
    t = g_strconcat(hdr, "    0:      0     1     2     3     4     5     6     7\n...\n",
                    "   16:      0     1\n", NULL);
    struct nic_ethtool_x *x = nic_ethtool_x_parse(t, "dump.txt", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    char *printed = nic_ethtool_x_print(nic_ethtool_x_table(x, 0));
    CU_ASSERT_STRING_EQUAL(printed, t);
    g_free(printed);
    nic_ethtool_x_free(x);
    g_free(t);
}

/* A "..." between rows 0-7 and 8-15 elides nothing: the table is complete, a
 * RETA can be built from it, and it prints (without the "...") and parses
 * back to the same table (found by fuzz_ethtool_x: it was marked partial,
 * its reprint was not). */
static void test_ethtool_x_dots_eliding_nothing_is_complete(void)
{
    const char *t = "RX flow hash indirection table for eth0 with 2 RX ring(s):\n"
                    "    0:      0     1     0     1     0     1     0     1\n"
                    "...\n"
                    "    8:      1     0     1     0     1     0     1     0\n";
    struct nic_ethtool_x *x = nic_ethtool_x_parse(t, "dump.txt", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    const struct nic_ethtool_x_table *tab = nic_ethtool_x_table(x, 0);
    CU_ASSERT_FALSE(tab->partial);
    CU_ASSERT_FALSE(tab->trailing_elision);
    CU_ASSERT_EQUAL(tab->n_entries, 16);
    CU_ASSERT_EQUAL(tab->known, 16);
    struct nic_reta *r = nic_ethtool_x_to_reta(tab, "dump.txt", NULL);
    CU_ASSERT_PTR_NOT_NULL(r);
    CU_ASSERT_EQUAL(r ? nic_reta_entry(r, 8) : 99, 1);
    nic_reta_free(r);
    char *printed = nic_ethtool_x_print(tab);
    struct nic_ethtool_x *y = nic_ethtool_x_parse(printed, "reprint", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    const struct nic_ethtool_x_table *u = nic_ethtool_x_table(y, 0);
    CU_ASSERT_EQUAL(u->partial, tab->partial);
    CU_ASSERT_EQUAL(u->n_entries, 16);
    CU_ASSERT_EQUAL(memcmp(u->entry, tab->entry, 16 * sizeof(int32_t)), 0);
    nic_ethtool_x_free(y);
    g_free(printed);
    nic_ethtool_x_free(x);
}

/* An empty key section is an error whether the text ends there or the next
 * `ethtool -x` block follows (found by fuzz_ethtool_x: the block before a
 * header printed a title that did not parse back). */
static void test_ethtool_x_key_title_needs_key_line_before_next_block(void)
{
    const char *hdr = "RX flow hash indirection table for eth1 with 2 RX ring(s):\n"
                      "    0:      0     1\n"
                      "RSS hash key:\n";
    expect_error(hdr, "dump.txt:4: \"RSS hash key:\" without a key line");
    char *t = g_strconcat(hdr, hdr, NULL);
    expect_error(t, "dump.txt:4: \"RSS hash key:\" without a key line");
    g_free(t);
}

static CU_TestInfo cases[] = {
    {"test_ethtool_x_round_trip_full_ms_table", test_ethtool_x_round_trip_full_ms_table},
    {"test_ethtool_x_real_session_log", test_ethtool_x_real_session_log},
    {"test_ethtool_x_middle_gap_context_and_xfrm", test_ethtool_x_middle_gap_context_and_xfrm},
    {"test_ethtool_x_unsupported", test_ethtool_x_unsupported},
    {"test_ethtool_x_malformed_names_line", test_ethtool_x_malformed_names_line},
    {"test_ethtool_x_load_refuses_a_huge_file", test_ethtool_x_load_refuses_a_huge_file},
    {"test_ethtool_x_rows_must_have_ethtool_shape", test_ethtool_x_rows_must_have_ethtool_shape},
    {"test_ethtool_x_dots_eliding_nothing_is_complete",
     test_ethtool_x_dots_eliding_nothing_is_complete},
    {"test_ethtool_x_key_title_needs_key_line_before_next_block",
     test_ethtool_x_key_title_needs_key_line_before_next_block},
    CU_TEST_INFO_NULL,
};

CU_MAIN("ethtool_x", cases)
