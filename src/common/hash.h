/*
 * hash.h: fast non-cryptographic hashing for hash tables (joins, aggregates,
 * IN lists). Our own mixing functions; SHA-256 for content addressing lives
 * in store/.
 */
#ifndef ARM_COMMON_HASH_H
#define ARM_COMMON_HASH_H

#include <stddef.h>
#include <stdint.h>

/* A strong 64-bit finalizer (bijective), good enough to hash any integer key. */
static inline uint64_t hash_u64(uint64_t x)
{
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    return x;
}

/* Combines an existing hash with another (for multi-column keys). */
static inline uint64_t hash_combine(uint64_t seed, uint64_t h)
{
    return hash_u64(seed ^ (h + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2)));
}

/* Hashes `length` bytes. */
uint64_t hash_bytes(const void *data, size_t length);

/*
 * A 64-bit checksum of `length` bytes for detecting damaged data (not for
 * hash tables, not against tampering): four independent lanes of 8 bytes,
 * so it runs at several bytes per cycle, where SHA-256 manages under one.
 */
uint64_t hash_checksum(const void *data, size_t length);

/*
 * A 128-bit checksum of `length` bytes, for the same job at memory speed:
 * eight lanes that never wait on their own multiplies (hash.c says how),
 * four at a time with AVX2 where the CPU has it; both ways give the same bytes.
 */
#define HASH_CHECKSUM_WIDE_SIZE 16
void hash_checksum_wide(const void *data, size_t length, uint8_t out[HASH_CHECKSUM_WIDE_SIZE]);

#endif
