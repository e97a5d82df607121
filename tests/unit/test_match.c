/* validate/match.c: the pcap <-> trace join by length and nearest time. */
#include "tests/unit/cu_main.h"
#include "validate/match.h"

static void test_match_takes_nearest_of_equal_length(void)
{
    uint64_t ts[] = {1000, 1900, 2100, 5000};
    uint32_t len[] = {100, 100, 200, 100};
    struct val_match *m = val_match_new(ts, len, 4, 1100);
    CU_ASSERT_EQUAL(val_match_take(m, 2050, 100), 1); /* 1900 beats 1000; 2100 has another len */
    CU_ASSERT_EQUAL(val_match_take(m, 2050, 100), 0); /* 1900 taken: next nearest in window */
    CU_ASSERT_EQUAL(val_match_take(m, 2050, 100), -1);
    CU_ASSERT_EQUAL(val_match_take(m, 2050, 200), 2);
    CU_ASSERT_EQUAL(val_match_taken(m), 3);
    val_match_free(m);
}

static void test_match_respects_window_both_sides(void)
{
    uint64_t ts[] = {10000, 20000};
    uint32_t len[] = {60, 60};
    struct val_match *m = val_match_new(ts, len, 2, 500);
    CU_ASSERT_EQUAL(val_match_take(m, 10600, 60), -1);
    CU_ASSERT_EQUAL(val_match_take(m, 9500, 60), 0); /* exactly at the edge */
    CU_ASSERT_EQUAL(val_match_take(m, 20499, 60), 1);
    val_match_free(m);
}

static void test_match_tie_goes_to_earlier_packet(void)
{
    uint64_t ts[] = {300, 100};
    uint32_t len[] = {1, 1};
    struct val_match *m = val_match_new(ts, len, 2, 1000);
    CU_ASSERT_EQUAL(val_match_take(m, 200, 1), 1);
    val_match_free(m);
}

static void test_match_in_order_stream_pairs_one_to_one(void)
{
    /* a flow every 80 us with jitter of a few us on the trace side */
    enum { N = 500 };
    uint64_t ts[N];
    uint32_t len[N];
    for (int i = 0; i < N; i++) {
        ts[i] = 1000000 + (uint64_t)i * 80000;
        len[i] = 228;
    }
    struct val_match *m = val_match_new(ts, len, N, 2000000);
    int ok = 0;
    for (int i = 0; i < N; i++)
        ok += val_match_take(m, ts[i] + (uint64_t)(i % 7), 228) == i;
    CU_ASSERT_EQUAL(ok, N);
    val_match_free(m);
}

static void test_match_find_does_not_take(void)
{
    uint64_t ts[] = {100, 200};
    uint32_t len[] = {5, 5};
    struct val_match *m = val_match_new(ts, len, 2, 50);
    CU_ASSERT_EQUAL(val_match_find(m, 190, 5), 1);
    CU_ASSERT_EQUAL(val_match_find(m, 190, 5), 1);
    CU_ASSERT_EQUAL(val_match_taken(m), 0);
    CU_ASSERT_EQUAL(val_match_take(m, 190, 5), 1);
    CU_ASSERT_EQUAL(val_match_find(m, 190, 5), -1); /* 100 is outside +-50 */
    val_match_free(m);
}

static void test_match_empty_candidates(void)
{
    struct val_match *m = val_match_new(NULL, NULL, 0, 1000);
    CU_ASSERT_EQUAL(val_match_take(m, 5, 5), -1);
    val_match_free(m);
}

/* Fed frame by frame out of time order, the stream joins as the whole-array join does. */
static void test_match_stream_equals_batch(void)
{
    uint64_t ts[] = {500, 100, 300, 300, 900, 700};
    uint32_t len[] = {1, 1, 1, 1, 2, 1};
    struct val_match *b = val_match_new(ts, len, 6, 250);
    struct val_match *s = val_match_new_stream(250);
    for (size_t i = 0; i < 6; i++)
        val_match_add(s, ts[i], len[i], i);
    uint64_t q[] = {300, 300, 400, 650, 800, 100};
    for (size_t i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(val_match_take(s, q[i], 1), val_match_take(b, q[i], 1));
    CU_ASSERT_EQUAL(val_match_taken(s), val_match_taken(b));
    val_match_free(b);
    val_match_free(s);
}

/* Candidates stamped before the bound leave the join; later ones stay. */
static void test_match_forget_before_drops_old(void)
{
    struct val_match *m = val_match_new_stream(1000);
    val_match_add(m, 1000, 60, 0);
    val_match_add(m, 1500, 60, 1);
    val_match_forget_before(m, 1200);
    CU_ASSERT_EQUAL(val_match_find(m, 1000, 60), 1);
    val_match_forget_before(m, 1600);
    CU_ASSERT_EQUAL(val_match_find(m, 1500, 60), -1);
    val_match_add(m, 2000, 60, 2); /* an emptied length takes new frames */
    CU_ASSERT_EQUAL(val_match_take(m, 2100, 60), 2);
    val_match_free(m);
}

static CU_TestInfo cases[] = {
    {"nearest of equal length", test_match_takes_nearest_of_equal_length},
    {"window on both sides", test_match_respects_window_both_sides},
    {"tie goes to the earlier packet", test_match_tie_goes_to_earlier_packet},
    {"in-order stream pairs one to one", test_match_in_order_stream_pairs_one_to_one},
    {"find does not take", test_match_find_does_not_take},
    {"no candidates", test_match_empty_candidates},
    {"stream equals batch", test_match_stream_equals_batch},
    {"forget before drops old", test_match_forget_before_drops_old},
    CU_TEST_INFO_NULL,
};

CU_MAIN("match", cases)
