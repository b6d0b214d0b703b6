/*
 * Tests for our Snappy block decoder: blocks libsnappy compresses (the
 * writers' compressor) decode to the same bytes for data of every shape and
 * size around the fast loop's margins; hand-built blocks exercise each
 * element kind, overlapping copies and long literal lengths; damaged blocks
 * are rejected without reading or writing out of bounds (ASan checks that).
 */
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>

#include "format/snappy_decode.h"
#include "harness.h"

static uint64_t seed = 42;

static uint64_t next_random(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

/* Fills `n` bytes in one of several shapes: PLAIN integers, doubles, text, runs. */
static void fill(uint8_t *p, size_t n, int shape)
{
    for (size_t i = 0; i < n; i++) {
        switch (shape) {
        case 0: p[i] = (uint8_t)((i / 8) >> (8 * (i % 8))); break; /* sequential int64 */
        case 1: p[i] = (uint8_t)next_random(); break;              /* incompressible */
        case 2: p[i] = (uint8_t)("abcabcabd"[i % 9]); break;       /* short pattern */
        case 3: p[i] = i % 8 < 2 ? (uint8_t)(next_random() % 4) : 0; break;
        case 4: p[i] = 'x'; break; /* one long run: offset-1 copies */
        default: p[i] = (uint8_t)(i % 251 < 40 ? next_random() % 26 + 'a' : i % 7); break;
        }
    }
}

static void round_trip(size_t n, int shape)
{
    uint8_t *raw = malloc(n + 1);
    size_t packed_size = snappy_max_compressed_length(n);
    char *packed = malloc(packed_size);
    uint8_t *back = malloc(n + 1);
    CHECK(raw != NULL && packed != NULL && back != NULL);
    fill(raw, n, shape);
    CHECK(snappy_compress((const char *)raw, n, packed, &packed_size) == SNAPPY_OK);
    size_t length = 0;
    CHECK(snappy_decoded_length((const uint8_t *)packed, packed_size, &length));
    CHECK_INT_EQ(length, n);
    /* exact-size copies on the heap, so ASan sees any read or write past either end */
    uint8_t *in = malloc(packed_size);
    uint8_t *out = malloc(n ? n : 1);
    memcpy(in, packed, packed_size);
    CHECK(snappy_decode(in, packed_size, out, n));
    CHECK(n == 0 || memcmp(out, raw, n) == 0);
    CHECK(!snappy_decode(in, packed_size, back, n + 1)); /* a length that differs */
    free(in);
    free(out);
    free(raw);
    free(packed);
    free(back);
}

static void test_round_trips(void)
{
    static const size_t sizes[] = {0,    1,     7,     16,    20,    21,     63,
                                   64,   79,    80,    81,    100,   255,    1000,
                                   4096, 65535, 65536, 65537, 70000, 983040, 1u << 20};
    for (int shape = 0; shape < 6; shape++)
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
            round_trip(sizes[i], shape);
}

/* Decodes a hand-built block into exactly `n` bytes and compares. */
static void expect_decodes(const uint8_t *block, size_t size, const char *want)
{
    size_t n = strlen(want);
    uint8_t *in = malloc(size);
    uint8_t *out = malloc(n ? n : 1);
    memcpy(in, block, size);
    CHECK(snappy_decode(in, size, out, n));
    CHECK(memcmp(out, want, n) == 0);
    free(in);
    free(out);
}

static void test_elements(void)
{
    /* literal "ab", then a 1-byte-offset copy of length 4 at offset 2: "ababab" */
    static const uint8_t copy1[] = {6, 0x04, 'a', 'b', 0x01, 2};
    expect_decodes(copy1, sizeof copy1, "ababab");
    /* literal "abc", 2-byte-offset copy of length 5 at offset 3 */
    static const uint8_t copy2[] = {8, 0x08, 'a', 'b', 'c', (4 << 2) | 2, 3, 0};
    expect_decodes(copy2, sizeof copy2, "abcabcab");
    /* the same with a 4-byte offset */
    static const uint8_t copy4[] = {8, 0x08, 'a', 'b', 'c', (4 << 2) | 3, 3, 0, 0, 0};
    expect_decodes(copy4, sizeof copy4, "abcabcab");
    /* a literal whose length (3) sits in one extra byte (tag 60) */
    static const uint8_t long_literal[] = {3, 60 << 2, 2, 'x', 'y', 'z'};
    expect_decodes(long_literal, sizeof long_literal, "xyz");
    /* ... and in two extra bytes (tag 61) */
    static const uint8_t longer_literal[] = {2, 61 << 2, 1, 0, 'h', 'i'};
    expect_decodes(longer_literal, sizeof longer_literal, "hi");
}

static void expect_rejected(const uint8_t *block, size_t size, size_t n)
{
    uint8_t *in = malloc(size ? size : 1);
    uint8_t *out = malloc(n ? n : 1);
    memcpy(in, block, size);
    CHECK(!snappy_decode(in, size, out, n));
    free(in);
    free(out);
}

static void test_damaged(void)
{
    static const uint8_t empty[] = {0};
    expect_rejected(empty, 0, 0); /* no preamble */
    static const uint8_t endless_varint[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    expect_rejected(endless_varint, sizeof endless_varint, 0);
    static const uint8_t offset_zero[] = {6, 0x04, 'a', 'b', 0x01, 0};
    expect_rejected(offset_zero, sizeof offset_zero, 6);
    static const uint8_t before_start[] = {6, 0x04, 'a', 'b', 0x01, 3};
    expect_rejected(before_start, sizeof before_start, 6);
    static const uint8_t literal_past_input[] = {4, 0x0c, 'a', 'b'};
    expect_rejected(literal_past_input, sizeof literal_past_input, 4);
    static const uint8_t literal_past_output[] = {2, 0x0c, 'a', 'b', 'c', 'd'};
    expect_rejected(literal_past_output, sizeof literal_past_output, 2);
    static const uint8_t copy_past_output[] = {4, 0x04, 'a', 'b', 0x01, 2};
    expect_rejected(copy_past_output, sizeof copy_past_output, 4);
    static const uint8_t truncated_offset[] = {8, 0x08, 'a', 'b', 'c', (4 << 2) | 3, 3, 0};
    expect_rejected(truncated_offset, sizeof truncated_offset, 8);
    static const uint8_t short_output[] = {3, 0x04, 'a', 'b'};
    expect_rejected(short_output, sizeof short_output, 3); /* ends before the length */

    /* every truncation and a flipped byte anywhere in a real block: rejected or in bounds */
    size_t n = 4096, packed_size = snappy_max_compressed_length(n);
    uint8_t *raw = malloc(n), *out = malloc(n);
    char *packed = malloc(packed_size);
    fill(raw, n, 5);
    CHECK(snappy_compress((const char *)raw, n, packed, &packed_size) == SNAPPY_OK);
    for (size_t cut = 0; cut < packed_size; cut += 7) {
        uint8_t *in = malloc(cut ? cut : 1);
        memcpy(in, packed, cut);
        CHECK(!snappy_decode(in, cut, out, n));
        free(in);
    }
    uint8_t *in = malloc(packed_size);
    for (size_t at = 0; at < packed_size; at += 3) {
        memcpy(in, packed, packed_size);
        in[at] ^= (uint8_t)(1 + next_random() % 255);
        (void)snappy_decode(in, packed_size, out, n); /* either answer; never out of bounds */
    }
    free(in);
    free(raw);
    free(out);
    free(packed);
}

TEST_MAIN(test_round_trips, test_elements, test_damaged)
