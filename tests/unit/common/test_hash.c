/*
 * Tests for common/hash: hash_bytes and hash_checksum give the same value
 * for the same bytes wherever they lie, and tell apart inputs that differ in
 * one bit, in length only, or in their tail; the checksum reads every byte.
 */
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "harness.h"

static void test_same_bytes_same_value(void)
{
    uint8_t *a = malloc(1000), *b = malloc(1001);
    for (int i = 0; i < 1000; i++)
        a[i] = b[i + 1] = (uint8_t)(i * 7 + 3);
    for (size_t n = 0; n <= 1000; n += 37) { /* b + 1 is unaligned */
        CHECK(hash_checksum(a, n) == hash_checksum(b + 1, n));
        CHECK(hash_bytes(a, n) == hash_bytes(b + 1, n));
    }
    free(a);
    free(b);
}

/* Every single-bit change of a 300-byte input (lanes, 8-byte words, the tail) changes the sum. */
static void test_every_bit_counts(void)
{
    uint8_t data[300];
    for (int i = 0; i < 300; i++)
        data[i] = (uint8_t)(i ^ 0x5a);
    uint64_t base = hash_checksum(data, sizeof data);
    int unchanged = 0;
    for (int i = 0; i < 300; i++)
        for (int bit = 0; bit < 8; bit++) {
            data[i] ^= (uint8_t)(1 << bit);
            unchanged += hash_checksum(data, sizeof data) == base;
            data[i] ^= (uint8_t)(1 << bit);
        }
    CHECK_INT_EQ(unchanged, 0);
}

static void test_length_matters(void)
{
    uint8_t zeros[64] = {0};
    for (size_t n = 0; n < 64; n++) {
        CHECK(hash_checksum(zeros, n) != hash_checksum(zeros, n + 1));
        CHECK(hash_bytes(zeros, n) != hash_bytes(zeros, n + 1));
    }
}

TEST_MAIN(test_same_bytes_same_value, test_every_bit_counts, test_length_matters)
