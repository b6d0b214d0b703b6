/*
 * key_hash.h: typed, vectorized hashing and equality of key cells, shared by
 * the hash aggregate, the hash join and the set operations. Equal keys hash
 * equally across vectors: -0.0 and 0.0 are one key, every NaN is one key,
 * short strings hash their inline bytes (padding masked), long ones their
 * bytes. Vectors must be FLAT or CONSTANT (callers flatten dictionaries).
 */
#ifndef ARM_EXEC_KEY_HASH_H
#define ARM_EXEC_KEY_HASH_H

#include <math.h>
#include <string.h>

#include "common/hash.h"
#include "vector/vector.h"

#define KEY_HASH_NULL 0x6a09e667f3bcc909ULL

/* Mixes a column's cell hash into the running key hash. */
static inline uint64_t key_hash_mix(uint64_t running, uint64_t cell)
{
    return ((running << 27) | (running >> 37)) * 0x9e3779b97f4a7c15ULL ^ cell;
}

static inline double key_normalize_double(double x)
{
    if (x == 0)
        return 0; /* -0.0 */
    if (isnan(x))
        return NAN;
    return x;
}

static inline float key_normalize_float(float x)
{
    if (x == 0)
        return 0;
    if (isnan(x))
        return NAN;
    return x;
}

/*
 * The bytes of a short (inline) string view as two words, bytes past the
 * length zeroed and the length folded in, so equal strings give equal words.
 */
static inline void key_string_words(const string_view *s, uint64_t *w0, uint64_t *w1)
{
    uint64_t lo;
    uint32_t hi;
    memcpy(&lo, s->u.inlined, 8);
    memcpy(&hi, s->u.inlined + 8, 4);
    uint32_t n = s->length; /* <= 12 */
    if (n < 8) {
        lo &= n == 0 ? 0 : (~0ULL >> (64 - 8 * n));
        hi = 0;
    } else if (n < 12) {
        hi &= n == 8 ? 0 : (~0U >> (32 - 8 * (n - 8)));
    }
    *w0 = lo;
    *w1 = ((uint64_t)n << 32) | hi;
}

static inline uint64_t key_hash_string(const string_view *s)
{
    if (s->length <= STRING_VIEW_INLINE_MAX) {
        uint64_t w0, w1;
        key_string_words(s, &w0, &w1);
        return hash_u64(w0 ^ hash_u64(w1 ^ 0x510e527fade682d1ULL));
    }
    return hash_bytes(s->u.ref.ptr, s->length);
}

static inline bool key_strings_equal(const string_view *a, const string_view *b)
{
    if (a->length != b->length)
        return false;
    if (a->length <= STRING_VIEW_INLINE_MAX) {
        uint64_t a0, a1, b0, b1;
        key_string_words(a, &a0, &a1);
        key_string_words(b, &b0, &b1);
        return a0 == b0 && a1 == b1;
    }
    return memcmp(a->u.ref.prefix, b->u.ref.prefix, 4) == 0 &&
           memcmp(a->u.ref.ptr, b->u.ref.ptr, a->length) == 0;
}

/*
 * Hashes rows sel[i] (or i) of `v` for i < count into hashes[i]: overwrites
 * when `first`, else mixes into the existing hash. NULLs hash to a constant.
 */
void key_hash_column(const vector *v, const uint32_t *sel, uint32_t count, uint64_t *hashes,
                     bool first);

/* Hashes one non-NULL cell (same values as key_hash_column). */
uint64_t key_hash_cell(const vector *v, uint32_t row);

/* True when non-NULL cells a[ra] and b[rb] (same type) are the same key. */
static inline bool key_cells_equal(const vector *a, uint32_t ra, const vector *b, uint32_t rb)
{
    ra = a->kind == VECTOR_CONSTANT ? 0 : ra;
    rb = b->kind == VECTOR_CONSTANT ? 0 : rb;
    switch (type_physical_size(a->type)) {
    case 1: return ((const uint8_t *)a->data)[ra] == ((const uint8_t *)b->data)[rb];
    case 2: return ((const uint16_t *)a->data)[ra] == ((const uint16_t *)b->data)[rb];
    case 4:
        if (a->type.id == TYPE_REAL) {
            float x = key_normalize_float(((const float *)a->data)[ra]);
            float y = key_normalize_float(((const float *)b->data)[rb]);
            return memcmp(&x, &y, 4) == 0;
        }
        return ((const uint32_t *)a->data)[ra] == ((const uint32_t *)b->data)[rb];
    case 8:
        if (a->type.id == TYPE_DOUBLE) {
            double x = key_normalize_double(((const double *)a->data)[ra]);
            double y = key_normalize_double(((const double *)b->data)[rb]);
            return memcmp(&x, &y, 8) == 0;
        }
        return ((const uint64_t *)a->data)[ra] == ((const uint64_t *)b->data)[rb];
    default:
        if (type_is_string(a->type.id))
            return key_strings_equal(&((const string_view *)a->data)[ra],
                                     &((const string_view *)b->data)[rb]);
        return memcmp((const uint8_t *)a->data + (size_t)ra * 16,
                      (const uint8_t *)b->data + (size_t)rb * 16, 16) == 0;
    }
}

#endif
