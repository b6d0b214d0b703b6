/*
 * test_parquet_encoding.c: bit unpacking, the RLE/bit-packed hybrid and
 * DELTA_BINARY_PACKED: round trips over many widths and patterns, hand-made
 * streams from the spec's examples, and truncated or lying input.
 */
#include <stdlib.h>

#include "common/cpu.h"
#include "format/parquet_encoding.h"
#include "harness.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_spec_rle_example(void)
{
    /* Encodings.md: values 0..7 bit-packed with width 3: header 0x03, bytes 0x88 0xC6 0xFA. */
    static const uint8_t packed[] = {0x03, 0x88, 0xc6, 0xfa};
    parquet_rle_decoder d;
    uint32_t out[8];
    parquet_rle_decoder_init(&d, packed, sizeof packed, 3);
    CHECK_INT_EQ(parquet_rle_decoder_get(&d, out, 8), 8);
    for (uint32_t i = 0; i < 8; i++)
        CHECK_INT_EQ(out[i], i);
    /* An RLE run: 100 repetitions of 5 at width 3: header 200 (varint 0xC8 0x01), value byte. */
    static const uint8_t run[] = {0xc8, 0x01, 0x05};
    uint32_t many[100];
    parquet_rle_decoder_init(&d, run, sizeof run, 3);
    CHECK_INT_EQ(parquet_rle_decoder_get(&d, many, 100), 100);
    CHECK(many[0] == 5 && many[99] == 5);
    CHECK_INT_EQ(parquet_rle_decoder_get(&d, many, 1), 0);
}

static void check_rle_round_trip(const uint32_t *values, uint32_t count, uint32_t width)
{
    parquet_byte_buffer b = {0};
    parquet_rle_encode(&b, values, count, width);
    CHECK(!b.failed);
    uint32_t *out = malloc((count + 1) * sizeof *out);
    parquet_rle_decoder d;
    parquet_rle_decoder_init(&d, b.data, b.size, width);
    /* decode in uneven pieces to exercise run boundaries */
    uint32_t got = 0, step = 1;
    while (got < count) {
        uint32_t n = count - got < step ? count - got : step;
        uint32_t r = parquet_rle_decoder_get(&d, out + got, n);
        CHECK_INT_EQ(r, n);
        if (r != n)
            break;
        got += n;
        step = step * 3 % 97 + 1;
    }
    CHECK(memcmp(out, values, (size_t)count * sizeof *out) == 0);
    CHECK(!d.failed);
    free(out);
    parquet_byte_buffer_dispose(&b);
}

static void test_rle_round_trips(void)
{
    uint32_t n = 5000;
    uint32_t *values = malloc(n * sizeof *values);
    for (uint32_t width = 1; width <= 32; width++) {
        uint64_t mask = width == 32 ? 0xffffffffULL : (1ULL << width) - 1;
        for (int pattern = 0; pattern < 4; pattern++) {
            for (uint32_t i = 0; i < n; i++) {
                uint64_t r = next_random();
                if (pattern == 0)
                    values[i] = (uint32_t)(r & mask);
                else if (pattern == 1)
                    values[i] = (uint32_t)((i / 37) & mask); /* long runs */
                else if (pattern == 2)
                    values[i] = (uint32_t)(((r % 10) < 8 ? 1 : r) & mask); /* mixed */
                else
                    values[i] = (uint32_t)((i / 9 % 2 ? mask : 0)); /* runs of 9 */
            }
            check_rle_round_trip(values, n, width);
            check_rle_round_trip(values, 13, width);
            check_rle_round_trip(values, 1, width);
        }
    }
    free(values);
}

static void test_rle_truncated_and_lying(void)
{
    uint32_t out[64];
    parquet_rle_decoder d;
    /* literal run claiming 100 groups but only 2 bytes: yields what is present, no overread */
    static const uint8_t short_literal[] = {0xc9, 0x01, 0xff, 0xff};
    parquet_rle_decoder_init(&d, short_literal, sizeof short_literal, 8);
    CHECK_INT_EQ(parquet_rle_decoder_get(&d, out, 64), 2);
    /* RLE run whose value bytes are missing */
    static const uint8_t no_value[] = {0x10};
    parquet_rle_decoder_init(&d, no_value, sizeof no_value, 16);
    CHECK_INT_EQ(parquet_rle_decoder_get(&d, out, 8), 0);
    CHECK(d.failed);
    /* width above 32 is refused */
    parquet_rle_decoder_init(&d, no_value, sizeof no_value, 33);
    CHECK_INT_EQ(parquet_rle_decoder_get(&d, out, 8), 0);
}

static void unpack_widths(void)
{
    uint64_t values[200];
    for (uint32_t width = 1; width <= 64; width++) {
        uint64_t mask = width == 64 ? ~0ULL : (1ULL << width) - 1;
        for (int i = 0; i < 200; i++)
            values[i] = next_random() & mask;
        /* pack bit by bit (reference), then unpack */
        size_t bytes = (200 * width + 7) / 8;
        uint8_t *buf = calloc(bytes, 1);
        for (uint32_t i = 0; i < 200; i++)
            for (uint32_t b = 0; b < width; b++)
                if ((values[i] >> b) & 1) {
                    uint64_t bit = (uint64_t)i * width + b;
                    buf[bit / 8] |= (uint8_t)(1u << (bit % 8));
                }
        uint64_t out[200];
        parquet_unpack_u64(buf, bytes, 0, width, 200, out);
        CHECK(memcmp(out, values, sizeof out) == 0);
        /* every start (byte-aligned or not) and length, so both the value-at-a-time loop
         * and the eight-at-a-time one, and the hand-over between them, are checked */
        for (uint32_t start = 0; width <= 32 && start < 20; start++) {
            for (uint32_t n = 0; n <= 200 - start; n += 1 + (n >= 20) * 13) {
                uint32_t out32[200];
                parquet_unpack_u32(buf, bytes, (uint64_t)start * width, width, n, out32);
                int same = 1;
                for (uint32_t i = 0; i < n; i++)
                    same &= out32[i] == values[i + start];
                if (!same) {
                    printf("  width %u start %u count %u differs\n", width, start, n);
                    CHECK(same);
                }
            }
        }
        free(buf);
    }
}

/* Unpacking with the AVX2 loop (where the CPU has it) and without. */
static void test_unpack_widths(void)
{
    if (cpu_allow_avx2(true))
        unpack_widths();
    else
        printf("  no AVX2 on this CPU: only the scalar loops are checked\n");
    cpu_allow_avx2(false);
    unpack_widths();
    cpu_allow_avx2(true);
}

static void check_delta_round_trip(const int64_t *values, uint32_t count)
{
    parquet_byte_buffer b = {0};
    parquet_delta_encode(&b, values, count);
    parquet_byte_buffer_append(&b, "tail", 4);
    CHECK(!b.failed);
    parquet_delta_decoder d, walk;
    CHECK(parquet_delta_decoder_init(&d, b.data, b.size));
    CHECK_INT_EQ(parquet_delta_decoder_total(&d), count);
    walk = d;
    const uint8_t *end = parquet_delta_decoder_find_end(&walk);
    CHECK(end != NULL && end == b.data + b.size - 4);
    int64_t *out = malloc((count + 1) * sizeof *out);
    uint32_t got = 0, step = 7;
    while (got < count) {
        uint32_t n = count - got < step ? count - got : step;
        uint32_t r = parquet_delta_decoder_get(&d, out + got, n);
        CHECK_INT_EQ(r, n);
        if (r != n)
            break;
        got += n;
        step = step * 5 % 301 + 1;
    }
    CHECK(memcmp(out, values, (size_t)count * sizeof *out) == 0);
    CHECK_INT_EQ(parquet_delta_decoder_get(&d, out, 1), 0);
    free(out);
    /* Every truncation of the stream fails or yields fewer values, never reads past it. */
    for (size_t cut = 0; cut + 4 < b.size; cut += 1 + cut / 16) {
        int64_t tmp[64];
        uint8_t *copy = malloc(cut + 1);
        memcpy(copy, b.data, cut);
        if (parquet_delta_decoder_init(&d, copy, cut)) {
            uint64_t total = 0;
            uint32_t r;
            while ((r = parquet_delta_decoder_get(&d, tmp, 64)) > 0)
                total += r;
            CHECK(total <= count);
        }
        free(copy);
    }
    parquet_byte_buffer_dispose(&b);
}

static void test_delta_round_trips(void)
{
    int64_t values[1000];
    for (int pattern = 0; pattern < 6; pattern++) {
        uint64_t sum = 0;
        for (int i = 0; i < 1000; i++) {
            uint64_t r = next_random();
            /* pattern 5: deltas of 1 to 60 bits, a width per miniblock (the decoder unpacks
             * widths up to 56 in one pass with its sum, wider ones apart) */
            sum += r >> (63 - (uint64_t)(i / 32 * 7 % 60));
            values[i] = pattern == 0   ? i
                        : pattern == 1 ? (int64_t)r
                        : pattern == 2 ? 1000 - 3 * i
                        : pattern == 3 ? (i % 2 ? INT64_MAX : INT64_MIN)
                        : pattern == 4 ? (int64_t)(r % 1000) - 500
                                       : (int64_t)sum;
        }
        check_delta_round_trip(values, 1000);
        check_delta_round_trip(values, 129);
        check_delta_round_trip(values, 1);
        check_delta_round_trip(values, 0);
    }
}

static void test_delta_bad_header(void)
{
    parquet_delta_decoder d;
    /* block size not a multiple of miniblocks */
    static const uint8_t bad[] = {0x80, 0x01, 0x03, 0x05, 0x00};
    CHECK(!parquet_delta_decoder_init(&d, bad, sizeof bad));
    /* zero miniblocks */
    static const uint8_t zero[] = {0x80, 0x01, 0x00, 0x05, 0x00};
    CHECK(!parquet_delta_decoder_init(&d, zero, sizeof zero));
    /* a bit width of 200 */
    static const uint8_t wide[] = {0x80, 0x01, 0x04, 0x05, 0x00, 0x00, 200, 0, 0, 0};
    CHECK(parquet_delta_decoder_init(&d, wide, sizeof wide));
    int64_t out[8];
    CHECK(parquet_delta_decoder_get(&d, out, 5) < 5);
    CHECK(d.failed);
}

/* parquet_pack_bits writes exactly the bit-by-bit packing, appended after what is there. */
static void test_pack_bits_widths(void)
{
    uint32_t values[203];
    for (uint32_t width = 1; width <= 32; width++) {
        for (uint32_t count = 0; count <= 203; count += 29) {
            uint32_t mask = width == 32 ? ~0u : (1u << width) - 1;
            for (uint32_t i = 0; i < count; i++)
                values[i] = (uint32_t)next_random(); /* bits above the width are ignored */
            size_t bytes = ((size_t)count * width + 7) / 8;
            uint8_t expected[1 + 203 * 4] = {0xAB};
            for (uint32_t i = 0; i < count; i++)
                for (uint32_t b = 0; b < width; b++)
                    if (((values[i] & mask) >> b) & 1) {
                        uint64_t bit = (uint64_t)i * width + b;
                        expected[1 + bit / 8] |= (uint8_t)(1u << (bit % 8));
                    }
            parquet_byte_buffer out = {0};
            parquet_byte_buffer_append(&out, expected, 1);
            parquet_pack_bits(&out, values, count, width);
            CHECK_INT_EQ(out.size, 1 + bytes);
            CHECK(out.size == 1 + bytes && memcmp(out.data, expected, 1 + bytes) == 0);
            parquet_byte_buffer_dispose(&out);
        }
    }
}

TEST_MAIN(test_spec_rle_example, test_rle_round_trips, test_rle_truncated_and_lying,
          test_unpack_widths, test_pack_bits_widths, test_delta_round_trips, test_delta_bad_header)
