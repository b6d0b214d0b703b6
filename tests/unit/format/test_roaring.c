/*
 * Tests for deletion vectors in the Roaring portable format: exact bytes of
 * a small set (as the format's description lays them out), round trips
 * through array and bitmap containers and several keys, run containers as
 * other writers produce them, and damaged input.
 */
#include <stdlib.h>
#include <string.h>

#include "format/roaring.h"
#include "harness.h"

#define LIMIT (3u * 65536u + 100u)

static uint64_t bits[(LIMIT + 63) / 64];
static uint64_t back[(LIMIT + 63) / 64];

static void set_bit(uint64_t *b, uint64_t i)
{
    b[i >> 6] |= 1ULL << (i & 63);
}

static void test_exact_bytes(void)
{
    memset(bits, 0, sizeof bits);
    set_bit(bits, 1);
    set_bit(bits, 5);
    uint8_t *data = NULL;
    size_t length = 0;
    arm_error err;
    CHECK_OK(roaring_serialize(bits, 10, &data, &length, &err), &err);
    static const uint8_t expected[] = {0x3a, 0x30, 0,  0, 1, 0, 0, 0, 0, 0,
                                       1,    0,    16, 0, 0, 0, 1, 0, 5, 0};
    CHECK_INT_EQ(length, sizeof expected);
    CHECK(data != NULL && memcmp(data, expected, sizeof expected) == 0);
    free(data);
}

static void round_trip(uint64_t expected_count)
{
    uint8_t *data = NULL;
    size_t length = 0;
    arm_error err;
    CHECK_OK(roaring_serialize(bits, LIMIT, &data, &length, &err), &err);
    memset(back, 0, sizeof back);
    uint64_t count = 0;
    CHECK_OK(roaring_deserialize(data, length, back, LIMIT, &count, "dv", &err), &err);
    CHECK_INT_EQ(count, expected_count);
    CHECK(memcmp(bits, back, sizeof bits) == 0);
    uint8_t *again = NULL;
    size_t again_length = 0;
    CHECK_OK(roaring_serialize(back, LIMIT, &again, &again_length, &err), &err);
    CHECK(again_length == length && memcmp(data, again, length) == 0); /* deterministic */
    free(again);
    free(data);
}

static void test_round_trips(void)
{
    memset(bits, 0, sizeof bits);
    round_trip(0);
    uint64_t n = 0;
    for (uint64_t i = 0; i < 65536; i += 3, n++) /* 21,846 values: a bitmap container */
        set_bit(bits, i);
    for (uint64_t i = 65536 + 7; i < 65536 + 5000; i += 7, n++) /* an array */
        set_bit(bits, i);
    set_bit(bits, 3u * 65536u + 99u); /* the last key, one value */
    n++;
    round_trip(n);
}

/* {2,3,4,5, 70000}: key 0 a run of 4 from 2, key 1 an array, as CRoaring writes after runOptimize.
 */
static void test_run_containers(void)
{
    static const uint8_t data[] = {0x3b,
                                   0x30,
                                   1,
                                   0,    /* cookie 12347, n - 1 = 1 */
                                   0x01, /* container 0 is a run container */
                                   0,
                                   0,
                                   3,
                                   0, /* key 0, cardinality 4 */
                                   1,
                                   0,
                                   0,
                                   0, /* key 1, cardinality 1 */
                                   1,
                                   0,
                                   2,
                                   0,
                                   3,
                                   0, /* one run: start 2, length - 1 = 3 */
                                   (70000 - 65536) & 0xff,
                                   (70000 - 65536) >> 8};
    memset(back, 0, sizeof back);
    uint64_t count = 0;
    arm_error err;
    CHECK_OK(roaring_deserialize(data, sizeof data, back, LIMIT, &count, "dv", &err), &err);
    CHECK_INT_EQ(count, 5);
    memset(bits, 0, sizeof bits);
    for (int i = 2; i <= 5; i++)
        set_bit(bits, (uint64_t)i);
    set_bit(bits, 70000);
    CHECK(memcmp(bits, back, sizeof bits) == 0);
}

static void expect_corrupt(const uint8_t *data, size_t length, uint64_t limit)
{
    uint64_t count = 0;
    arm_error err;
    memset(back, 0, sizeof back);
    CHECK_INT_EQ(roaring_deserialize(data, length, back, limit, &count, "abc", &err),
                 ARM_ERROR_CORRUPT);
    CHECK(strstr(err.message, "abc") != NULL);
}

static void test_damaged(void)
{
    memset(bits, 0, sizeof bits);
    for (uint64_t i = 0; i < 300; i += 2)
        set_bit(bits, i);
    uint8_t *data = NULL;
    size_t length = 0;
    arm_error err;
    CHECK_OK(roaring_serialize(bits, LIMIT, &data, &length, &err), &err);
    for (size_t cut = 0; cut < length; cut++) /* every truncation */
        expect_corrupt(data, cut, LIMIT);
    expect_corrupt(data, length, 200); /* positions past the chunk's rows */
    uint8_t *bad = malloc(length);
    memcpy(bad, data, length);
    bad[0] = 0x99; /* cookie */
    expect_corrupt(bad, length, LIMIT);
    memcpy(bad, data, length);
    bad[4] = 0xff; /* container count */
    bad[5] = 0xff;
    expect_corrupt(bad, length, LIMIT);
    memcpy(bad, data, length);
    bad[20] = 0x7f; /* first array value larger than the next: not sorted */
    expect_corrupt(bad, length, LIMIT);
    memcpy(bad, data, length);
    bad[12] = 0xff; /* offset far past the end */
    bad[13] = 0xff;
    expect_corrupt(bad, length, LIMIT);
    free(bad);
    free(data);
}

TEST_MAIN(test_exact_bytes, test_round_trips, test_run_containers, test_damaged)
