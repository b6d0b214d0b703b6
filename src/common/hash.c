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
