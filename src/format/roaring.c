/*
 * roaring.c: the Roaring portable serialization. Layout, little-endian:
 *   without runs: u32 cookie 12346, u32 container count n, n x (u16 key,
 *   u16 cardinality - 1), n x u32 byte offset of the container, containers;
 *   with runs: u32 (12347 | (n - 1) << 16), a bitset of n bits marking run
 *   containers, the n key/cardinality pairs, the offsets only when n >= 4,
 *   containers.
 * A container is a run list (u16 count, then (u16 start, u16 length - 1)
 * pairs), a bitmap of 65,536 bits when it holds more than 4,096 values, or
 * else the sorted u16 values.
 */
#include "format/roaring.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define COOKIE_NO_RUNS 12346u
#define COOKIE_RUNS 12347u
#define ARRAY_MAX 4096u
#define BITMAP_BYTES 8192u
#define NO_OFFSET_THRESHOLD 4u

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v & 0xffff);
    put16(p + 2, v >> 16);
}

static uint32_t get16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) | get16(p + 2) << 16;
}

static bool bit_at(const uint64_t *bits, uint64_t i)
{
    return (bits[i >> 6] >> (i & 63)) & 1;
}

/* Set bits of container `key` (positions key*65536 ...) below limit. */
static uint32_t container_cardinality(const uint64_t *bits, uint64_t limit, uint32_t key)
{
    uint64_t from = (uint64_t)key << 16, to = from + 65536 < limit ? from + 65536 : limit;
    uint32_t n = 0;
    for (uint64_t i = from; i < to; i++)
        n += bit_at(bits, i);
    return n;
}

arm_status roaring_serialize(const uint64_t *bits, uint64_t limit, uint8_t **out, size_t *length,
                             arm_error *err)
{
    *out = NULL;
    *length = 0;
    if (limit > (uint64_t)UINT32_MAX + 1)
        return error_set(err, ARM_ERROR_OUT_OF_RANGE, NULL, -1,
                         "a deletion vector covers more than 2^32 rows");
    uint32_t keys = (uint32_t)((limit + 65535) >> 16);
    uint32_t *cards = calloc(keys + 1, sizeof *cards);
    if (cards == NULL)
        return error_out_of_memory(err);
    uint32_t n = 0;
    size_t body = 0;
    for (uint32_t k = 0; k < keys; k++) {
        cards[k] = container_cardinality(bits, limit, k);
        if (cards[k] > 0) {
            n++;
            body += cards[k] > ARRAY_MAX ? BITMAP_BYTES : 2 * (size_t)cards[k];
        }
    }
    size_t header = 8 + 8 * (size_t)n;
    uint8_t *buf = malloc(header + body);
    if (buf == NULL) {
        free(cards);
        return error_out_of_memory(err);
    }
    put32(buf, COOKIE_NO_RUNS);
    put32(buf + 4, n);
    size_t at = header;
    uint32_t c = 0;
    for (uint32_t k = 0; k < keys; k++) {
        if (cards[k] == 0)
            continue;
        put16(buf + 8 + 4 * c, k);
        put16(buf + 10 + 4 * c, cards[k] - 1);
        put32(buf + 8 + 4 * n + 4 * c, (uint32_t)at);
        uint64_t from = (uint64_t)k << 16, to = from + 65536 < limit ? from + 65536 : limit;
        if (cards[k] > ARRAY_MAX) {
            memset(buf + at, 0, BITMAP_BYTES);
            for (uint64_t i = from; i < to; i++)
                if (bit_at(bits, i))
                    buf[at + ((i - from) >> 3)] |= (uint8_t)(1u << ((i - from) & 7));
            at += BITMAP_BYTES;
        } else {
            for (uint64_t i = from; i < to; i++)
                if (bit_at(bits, i)) {
                    put16(buf + at, (uint32_t)(i - from));
                    at += 2;
                }
        }
        c++;
    }
    free(cards);
    *out = buf;
    *length = at;
    return ARM_OK;
}

static arm_status corrupt(arm_error *err, const char *what, size_t offset, const char *why)
{
    error_set(err, ARM_ERROR_CORRUPT, NULL, -1, "deletion vector %s is damaged: %s", what, why);
    error_detail(err, "at byte %zu", offset);
    return ARM_ERROR_CORRUPT;
}

/* Marks one position; false when it is out of range. */
static bool mark(uint64_t *bits, uint64_t limit, uint64_t position, uint64_t *count)
{
    if (position >= limit)
        return false;
    if (!bit_at(bits, position)) {
        bits[position >> 6] |= 1ULL << (position & 63);
        (*count)++;
    }
    return true;
}

typedef struct roaring_input {
    const uint8_t *data;
    size_t length;
    uint64_t *bits;
    uint64_t limit;
    uint64_t *count;
    const char *what;
    arm_error *err;
} roaring_input;

static arm_status read_container(const roaring_input *in, size_t at, uint32_t key, uint32_t card,
                                 bool is_run)
{
    uint64_t base = (uint64_t)key << 16;
    if (is_run) {
        if (at + 2 > in->length)
            return corrupt(in->err, in->what, at, "a run container is cut short");
        uint32_t runs = get16(in->data + at);
        if (at + 2 + 4 * (size_t)runs > in->length)
            return corrupt(in->err, in->what, at, "a run container is cut short");
        for (uint32_t r = 0; r < runs; r++) {
            uint32_t start = get16(in->data + at + 2 + 4 * r);
            uint32_t extra = get16(in->data + at + 4 + 4 * r);
            if (start + extra > 65535)
                return corrupt(in->err, in->what, at + 2 + 4 * r, "a run passes its container");
            for (uint32_t v = start; v <= start + extra; v++)
                if (!mark(in->bits, in->limit, base + v, in->count))
                    return corrupt(in->err, in->what, at, "a position is past the chunk's rows");
        }
        return ARM_OK;
    }
    if (card > ARRAY_MAX) {
        if (at + BITMAP_BYTES > in->length)
            return corrupt(in->err, in->what, at, "a bitmap container is cut short");
        uint32_t seen = 0;
        for (uint32_t i = 0; i < 65536; i++)
            if ((in->data[at + (i >> 3)] >> (i & 7)) & 1) {
                seen++;
                if (!mark(in->bits, in->limit, base + i, in->count))
                    return corrupt(in->err, in->what, at, "a position is past the chunk's rows");
            }
        return seen == card ? ARM_OK
                            : corrupt(in->err, in->what, at, "a bitmap's cardinality is wrong");
    }
    if (at + 2 * (size_t)card > in->length)
        return corrupt(in->err, in->what, at, "an array container is cut short");
    for (uint32_t i = 0; i < card; i++) {
        uint32_t v = get16(in->data + at + 2 * i);
        if (i > 0 && v <= get16(in->data + at + 2 * (i - 1)))
            return corrupt(in->err, in->what, at + 2 * i, "an array is not sorted");
        if (!mark(in->bits, in->limit, base + v, in->count))
            return corrupt(in->err, in->what, at, "a position is past the chunk's rows");
    }
    return ARM_OK;
}

/* Bytes a container takes, to find the next one when there are no offsets. */
static size_t container_size(const roaring_input *in, size_t at, uint32_t card, bool is_run)
{
    if (is_run)
        return at + 2 <= in->length ? 2 + 4 * (size_t)get16(in->data + at) : 2;
    return card > ARRAY_MAX ? BITMAP_BYTES : 2 * (size_t)card;
}

arm_status roaring_deserialize(const uint8_t *data, size_t length, uint64_t *bits, uint64_t limit,
                               uint64_t *count, const char *what, arm_error *err)
{
    *count = 0;
    roaring_input in = {data, length, bits, limit, count, what, err};
    if (length < 4)
        return corrupt(err, what, 0, "it is shorter than its header");
    uint32_t first = get32(data);
    bool has_runs = (first & 0xffff) == COOKIE_RUNS;
    uint32_t n;
    size_t at = 4;
    const uint8_t *run_flags = NULL;
    if (has_runs) {
        n = (first >> 16) + 1;
        run_flags = data + at;
        at += (n + 7) / 8;
    } else if (first == COOKIE_NO_RUNS) {
        if (length < 8)
            return corrupt(err, what, 4, "it is shorter than its header");
        n = get32(data + 4);
        at = 8;
    } else {
        return corrupt(err, what, 0, "it does not start with a Roaring cookie");
    }
    if (n > 65536 || at + 4 * (size_t)n > length)
        return corrupt(err, what, at, "the container count does not fit the bytes");
    size_t pairs = at;
    at += 4 * (size_t)n;
    bool has_offsets = !has_runs || n >= NO_OFFSET_THRESHOLD;
    size_t offsets = at;
    if (has_offsets) {
        if (at + 4 * (size_t)n > length)
            return corrupt(err, what, at, "the offsets are cut short");
        at += 4 * (size_t)n;
    }
    for (uint32_t c = 0; c < n; c++) {
        uint32_t key = get16(data + pairs + 4 * c);
        uint32_t card = get16(data + pairs + 2 + 4 * c) + 1;
        if (c > 0 && key <= get16(data + pairs + 4 * (c - 1)))
            return corrupt(err, what, pairs + 4 * c, "container keys are not increasing");
        bool is_run = run_flags != NULL && ((run_flags[c >> 3] >> (c & 7)) & 1);
        size_t start = has_offsets ? get32(data + offsets + 4 * c) : at;
        if (start > length)
            return corrupt(err, what, offsets + 4 * c, "a container offset is past the end");
        arm_status s = read_container(&in, start, key, card, is_run);
        if (s != ARM_OK)
            return s;
        at = start + container_size(&in, start, card, is_run);
    }
    return ARM_OK;
}
