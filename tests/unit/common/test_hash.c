/*
 * Tests for common/hash: hash_bytes and hash_checksum give the same value
 * for the same bytes wherever they lie, and tell apart inputs that differ in
 * one bit, in length only, or in their tail; the checksum reads every byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cpu.h"
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

static uint64_t wide_first(const void *data, size_t length)
{
    uint8_t sum[HASH_CHECKSUM_WIDE_SIZE];
    hash_checksum_wide(data, length, sum);
    uint64_t first;
    memcpy(&first, sum, 8);
    return first;
}

/* The AVX2 lanes and the scalar ones give the same checksum, at every length and alignment. */
static void test_wide_simd_matches_scalar(void)
{
    enum { MAX = 5000 };
    uint8_t *data = malloc(MAX + 1);
    uint64_t x = 0x243f6a8885a308d3ULL;
    for (int i = 0; i <= MAX; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        data[i] = (uint8_t)(x >> 56);
    }
    if (!cpu_allow_avx2(true))
        printf("  no AVX2 on this CPU: only the scalar lanes are checked\n");
    int differ = 0;
    for (size_t n = 0; n <= MAX; n += n < 200 ? 1 : 61)
        for (size_t at = 0; at < 2; at++) {
            uint8_t simd[HASH_CHECKSUM_WIDE_SIZE], scalar[HASH_CHECKSUM_WIDE_SIZE];
            cpu_allow_avx2(true);
            hash_checksum_wide(data + at, n, simd);
            cpu_allow_avx2(false);
            hash_checksum_wide(data + at, n, scalar);
            differ += memcmp(simd, scalar, sizeof simd) != 0;
        }
    cpu_allow_avx2(true);
    CHECK_INT_EQ(differ, 0);
    free(data);
}

/* Every single-bit change, over stripes, folds and the tail, changes the wide checksum. */
static void test_wide_every_bit_counts(void)
{
    enum { N = 64 * 17 + 13 }; /* past a fold, then a partial stripe */
    uint8_t *data = malloc(N);
    for (int i = 0; i < N; i++)
        data[i] = (uint8_t)(i ^ 0x5a);
    int unchanged = 0;
    for (int simd = 0; simd < 2; simd++) {
        cpu_allow_avx2(simd);
        uint64_t base = wide_first(data, N);
        for (int i = 0; i < N; i++)
            for (int bit = 0; bit < 8; bit++) {
                data[i] ^= (uint8_t)(1 << bit);
                unchanged += wide_first(data, N) == base;
                data[i] ^= (uint8_t)(1 << bit);
            }
    }
    cpu_allow_avx2(true);
    CHECK_INT_EQ(unchanged, 0);
    uint8_t zeros[200] = {0};
    for (size_t n = 0; n < 199; n++)
        CHECK(wide_first(zeros, n) != wide_first(zeros, n + 1));
    free(data);
}

TEST_MAIN(test_same_bytes_same_value, test_every_bit_counts, test_length_matters,
          test_wide_simd_matches_scalar, test_wide_every_bit_counts)
