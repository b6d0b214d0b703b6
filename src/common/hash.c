/*
 * hash.c: byte-string hashing for hash tables. Reads 8 bytes at a time and
 * mixes with multiply-xorshift rounds; the tail is folded in with its length.
 */
#include "common/hash.h"

#include <string.h>

#include "common/cpu.h"

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

/*
 * The wide checksum: eight 64-bit lanes take a 64-byte stripe at a time.
 * Each 8-byte word w is added to its lane together with the product of the
 * two 32-bit halves of w ^ key, so no lane waits on a 64-bit multiply of
 * its own previous value (the chain that bounds hash_checksum at ~6 bytes a
 * cycle); every 16 stripes each lane is folded (xorshift, key, multiply) so
 * that a lane cannot keep a product of zero. AVX2 computes the same lanes
 * four at a time; the scalar loop below is the definition.
 */
#define WIDE_LANES 8
#define WIDE_STRIPE 64
#define WIDE_FOLD_STRIPES 16
#define WIDE_FOLD_PRIME 0x9e3779b1u

static const uint64_t wide_keys[WIDE_LANES] = {
    0x1cad21f72c81017cULL, 0xdb979083e96dd4deULL, 0x7e81a1d8e1c2c5f1ULL, 0xbe4ba423396cfeb8ULL,
    0x5fd7f9ad6ae4b8b3ULL, 0x8d4f1f6c1b2a9e07ULL, 0x2f8b3c5a7d9e1f34ULL, 0xc3a5c85c97cb3127ULL,
};
static const uint64_t wide_fold_keys[WIDE_LANES] = {
    0xa0761d6478bd642fULL, 0xe7037ed1a0b428dbULL, 0x8ebc6af09c88c6e3ULL, 0x589965cc75374cc3ULL,
    0x1d8e4e27c47d124fULL, 0x72be5d74f27b78a3ULL, 0x4d3c2b1a09f8e7d6ULL, 0x3c6ef372fe94f82bULL,
};

static inline uint64_t wide_word(uint64_t lane, uint64_t w, uint64_t key)
{
    uint64_t k = w ^ key;
    return lane + w + (k & 0xffffffffu) * (k >> 32);
}

static inline uint64_t wide_fold(uint64_t lane, uint64_t key)
{
    lane ^= lane >> 47;
    lane ^= key;
    return lane * WIDE_FOLD_PRIME;
}

/* Full stripes from `p` (a multiple of WIDE_STRIPE bytes), one lane at a time. */
static void wide_stripes_scalar(uint64_t lanes[WIDE_LANES], const unsigned char *p, size_t stripes)
{
    for (size_t s = 0; s < stripes; s++, p += WIDE_STRIPE) {
        for (int i = 0; i < WIDE_LANES; i++) {
            uint64_t w;
            memcpy(&w, p + 8 * i, 8);
            lanes[i] = wide_word(lanes[i], w, wide_keys[i]);
        }
        if ((s + 1) % WIDE_FOLD_STRIPES == 0)
            for (int i = 0; i < WIDE_LANES; i++)
                lanes[i] = wide_fold(lanes[i], wide_fold_keys[i]);
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

/* x * WIDE_FOLD_PRIME per 64-bit lane, from two 32x32->64 multiplies. */
__attribute__((target("avx2"))) static inline __m256i wide_times_prime(__m256i x)
{
    const __m256i prime = _mm256_set1_epi64x(WIDE_FOLD_PRIME);
    __m256i low = _mm256_mul_epu32(x, prime);
    __m256i high = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), prime);
    return _mm256_add_epi64(low, _mm256_slli_epi64(high, 32));
}

__attribute__((target("avx2"))) static inline __m256i wide_words(__m256i lanes, __m256i w,
                                                                 __m256i key)
{
    __m256i k = _mm256_xor_si256(w, key);
    __m256i product = _mm256_mul_epu32(k, _mm256_srli_epi64(k, 32));
    return _mm256_add_epi64(lanes, _mm256_add_epi64(w, product));
}

__attribute__((target("avx2"))) static inline __m256i wide_folds(__m256i lanes, __m256i key)
{
    lanes = _mm256_xor_si256(lanes, _mm256_srli_epi64(lanes, 47));
    return wide_times_prime(_mm256_xor_si256(lanes, key));
}

__attribute__((target("avx2"))) static void
wide_stripes_avx2(uint64_t lanes[WIDE_LANES], const unsigned char *p, size_t stripes)
{
    __m256i low = _mm256_loadu_si256((const __m256i *)lanes);
    __m256i high = _mm256_loadu_si256((const __m256i *)(lanes + 4));
    const __m256i key_low = _mm256_loadu_si256((const __m256i *)wide_keys);
    const __m256i key_high = _mm256_loadu_si256((const __m256i *)(wide_keys + 4));
    const __m256i fold_low = _mm256_loadu_si256((const __m256i *)wide_fold_keys);
    const __m256i fold_high = _mm256_loadu_si256((const __m256i *)(wide_fold_keys + 4));
    for (size_t s = 0; s < stripes; s++, p += WIDE_STRIPE) {
        low = wide_words(low, _mm256_loadu_si256((const __m256i *)p), key_low);
        high = wide_words(high, _mm256_loadu_si256((const __m256i *)(p + 32)), key_high);
        if ((s + 1) % WIDE_FOLD_STRIPES == 0) {
            low = wide_folds(low, fold_low);
            high = wide_folds(high, fold_high);
        }
    }
    _mm256_storeu_si256((__m256i *)lanes, low);
    _mm256_storeu_si256((__m256i *)(lanes + 4), high);
}

#else
static void wide_stripes_avx2(uint64_t lanes[WIDE_LANES], const unsigned char *p, size_t stripes)
{
    wide_stripes_scalar(lanes, p, stripes);
}
#endif

void hash_checksum_wide(const void *data, size_t length, uint8_t out[HASH_CHECKSUM_WIDE_SIZE])
{
    const unsigned char *p = data;
    uint64_t lanes[WIDE_LANES];
    for (int i = 0; i < WIDE_LANES; i++)
        lanes[i] = wide_fold_keys[i] ^ (uint64_t)i;
    size_t stripes = length / WIDE_STRIPE;
    if (cpu_avx2())
        wide_stripes_avx2(lanes, p, stripes);
    else
        wide_stripes_scalar(lanes, p, stripes);
    p += stripes * WIDE_STRIPE;
    /* The last partial stripe: whole words to their lanes, then the zero-padded tail. */
    size_t n = length - stripes * WIDE_STRIPE;
    for (int i = 0; n > 0; i++) {
        uint64_t w = 0;
        size_t take = n < 8 ? n : 8;
        memcpy(&w, p, take);
        lanes[i] = wide_word(lanes[i], w, wide_keys[i]);
        p += take, n -= take;
    }
    uint64_t h1 = (uint64_t)length * LANE_PRIME_1, h2 = ~(uint64_t)length;
    for (int i = 0; i < WIDE_LANES; i++) {
        h1 = hash_u64(h1 ^ lanes[i]) + LANE_PRIME_2;
        h2 = hash_u64(h2 + rotate_left(lanes[i], 29)) ^ LANE_PRIME_1;
    }
    memcpy(out, &h1, 8); /* native order: the catalog blob stores it as computed */
    memcpy(out + 8, &h2, 8);
}
