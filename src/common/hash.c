/*
 * hash.c: byte-string hashing for hash tables. Reads 8 bytes at a time and
 * mixes with multiply-xorshift rounds; the tail is folded in with its length.
 */
#include "common/hash.h"

#include <string.h>

uint64_t hash_bytes(const void *data, size_t length)
{
    const unsigned char *p = data;
    uint64_t h = 0x243f6a8885a308d3ULL ^ (length * 0x9e3779b97f4a7c15ULL);
    while (length >= 16) {
        uint64_t a, b;
        memcpy(&a, p, 8);
        memcpy(&b, p + 8, 8);
        h = (h ^ hash_u64(a ^ 0xa0761d6478bd642fULL)) * 0xe7037ed1a0b428dbULL;
        h ^= hash_u64(b + h);
        p += 16;
        length -= 16;
    }
    if (length >= 8) {
        uint64_t a;
        memcpy(&a, p, 8);
        h = (h ^ hash_u64(a ^ 0x8ebc6af09c88c6e3ULL)) * 0xe7037ed1a0b428dbULL;
        p += 8;
        length -= 8;
    }
    if (length > 0) {
        uint64_t tail = 0;
        memcpy(&tail, p, length);
        h ^= hash_u64(tail ^ ((uint64_t)length << 56));
    }
    return hash_u64(h);
}

#define LANE_PRIME_1 0x9e3779b185ebca87ULL
#define LANE_PRIME_2 0xc2b2ae3d27d4eb4fULL

static inline uint64_t rotate_left(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

/* One lane step: the 8 bytes are multiplied in, rotated and multiplied again. */
static inline uint64_t lane_step(uint64_t lane, uint64_t x)
{
    return rotate_left(lane + x * LANE_PRIME_2, 31) * LANE_PRIME_1;
}

uint64_t hash_checksum(const void *data, size_t length)
{
    const unsigned char *p = data;
    uint64_t lanes[4] = {LANE_PRIME_1 + LANE_PRIME_2, LANE_PRIME_2, 0, 0 - LANE_PRIME_1};
    size_t n = length;
    for (; n >= 32; p += 32, n -= 32) {
        uint64_t x[4];
        memcpy(x, p, 32);
        for (int i = 0; i < 4; i++)
            lanes[i] = lane_step(lanes[i], x[i]);
    }
    uint64_t h = rotate_left(lanes[0], 1) + rotate_left(lanes[1], 7) + rotate_left(lanes[2], 12) +
                 rotate_left(lanes[3], 18);
    for (int i = 0; i < 4; i++)
        h = (h ^ lane_step(0, lanes[i])) * LANE_PRIME_1;
    h += length;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        h = rotate_left(h ^ lane_step(0, x), 27) * LANE_PRIME_1;
    }
    if (n > 0) {
        uint64_t tail = 0;
        memcpy(&tail, p, n);
        h = rotate_left(h ^ lane_step(0, tail ^ (uint64_t)n << 56), 27) * LANE_PRIME_1;
    }
    return hash_u64(h);
}
