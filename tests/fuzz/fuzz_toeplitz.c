/* libFuzzer target: RSS key text (models/nic/toeplitz.c nic_toeplitz_key_parse,
 * the "key" of a scenario and of `ethtool -X hkey`). A parsed key builds a
 * hasher whose table hash must equal the bit-by-bit datasheet form. */
#include <stdio.h>

#include "models/nic/toeplitz.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_glib_fatal();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    uint8_t key[NIC_TOEPLITZ_KEY_MAX];
    GError *err = NULL;
    size_t n = nic_toeplitz_key_parse(text, "fuzz", key, &err);
    FUZZ_CHECK((n == 0) == (err != NULL));
    if (n) {
        FUZZ_CHECK(n >= NIC_TOEPLITZ_KEY_MIN && n <= NIC_TOEPLITZ_KEY_MAX);
        struct nic_toeplitz *t = nic_toeplitz_new(key, n, NULL);
        FUZZ_CHECK(t);
        size_t klen;
        const uint8_t *k = nic_toeplitz_key(t, &klen);
        FUZZ_CHECK(klen == n && memcmp(k, key, n) == 0);
        /* hash the key's own bytes as input: every length up to an IPv6 4-tuple */
        uint8_t in[NIC_TOEPLITZ_INPUT_MAX];
        for (size_t i = 0; i < sizeof(in); i++)
            in[i] = key[(i * 7 + 3) % n];
        for (size_t len = 0; len <= NIC_TOEPLITZ_INPUT_MAX; len++)
            FUZZ_CHECK(nic_toeplitz_hash(t, in, len) == nic_toeplitz_hash_bitwise(key, n, in, len));
        nic_toeplitz_free(t);
    }
    g_clear_error(&err);
    g_free(text);
    return 0;
}
