/*
 * key_hash.c: vectorized key hashing, one tight loop per physical width so
 * that hashing a batch of keys costs a few nanoseconds per row.
 */
#include "exec/key_hash.h"

static inline uint64_t load_cell(const vector *v, uint32_t row, size_t width)
{
    const uint8_t *p = (const uint8_t *)v->data + (size_t)row * width;
    switch (width) {
    case 1: return *p;
    case 2: {
        uint16_t x;
        memcpy(&x, p, 2);
        return x;
    }
    case 4: {
        if (v->type.id == TYPE_REAL) {
            float f = key_normalize_float(*(const float *)p);
            uint32_t x;
            memcpy(&x, &f, 4);
            return x;
        }
        uint32_t x;
        memcpy(&x, p, 4);
        return x;
    }
    default: {
        if (v->type.id == TYPE_DOUBLE) {
            double f = key_normalize_double(*(const double *)p);
            uint64_t x;
            memcpy(&x, &f, 8);
            return x;
        }
        uint64_t x;
        memcpy(&x, p, 8);
        return x;
    }
    }
}

uint64_t key_hash_cell(const vector *v, uint32_t row)
{
    row = v->kind == VECTOR_CONSTANT ? 0 : row;
    size_t width = type_physical_size(v->type);
    if (type_is_string(v->type.id))
        return key_hash_string(&((const string_view *)v->data)[row]);
    if (width == 16) {
        uint64_t w[2];
        memcpy(w, (const uint8_t *)v->data + (size_t)row * 16, 16);
        return hash_u64(w[0] ^ hash_u64(w[1] ^ 0x9b05688c2b3e6c1fULL));
    }
    if (width == 0)
        return KEY_HASH_NULL;
    return hash_u64(load_cell(v, row, width));
}

/* The common case: a flat 4- or 8-byte integer column without NULLs. */
#define HASH_PLAIN_LOOP(T)                                                                         \
    do {                                                                                           \
        const T *d = v->data;                                                                      \
        if (sel == NULL && first)                                                                  \
            for (uint32_t i = 0; i < count; i++)                                                   \
                hashes[i] = hash_u64((uint64_t)d[i]);                                              \
        else if (sel == NULL)                                                                      \
            for (uint32_t i = 0; i < count; i++)                                                   \
                hashes[i] = key_hash_mix(hashes[i], hash_u64((uint64_t)d[i]));                     \
        else if (first)                                                                            \
            for (uint32_t i = 0; i < count; i++)                                                   \
                hashes[i] = hash_u64((uint64_t)d[sel[i]]);                                         \
        else                                                                                       \
            for (uint32_t i = 0; i < count; i++)                                                   \
                hashes[i] = key_hash_mix(hashes[i], hash_u64((uint64_t)d[sel[i]]));                \
    } while (0)

void key_hash_column(const vector *v, const uint32_t *sel, uint32_t count, uint64_t *hashes,
                     bool first)
{
    bool plain = v->kind == VECTOR_FLAT && v->validity == NULL;
    if (plain && (v->type.id == TYPE_BIGINT || v->type.id == TYPE_TIMESTAMP ||
                  (v->type.id == TYPE_DECIMAL && v->type.precision <= 18))) {
        HASH_PLAIN_LOOP(uint64_t);
        return;
    }
    if (plain && (v->type.id == TYPE_INTEGER || v->type.id == TYPE_DATE)) {
        HASH_PLAIN_LOOP(uint32_t);
        return;
    }
    if (plain && type_is_string(v->type.id)) {
        const string_view *d = v->data;
        for (uint32_t i = 0; i < count; i++) {
            uint64_t h = key_hash_string(&d[sel ? sel[i] : i]);
            hashes[i] = first ? h : key_hash_mix(hashes[i], h);
        }
        return;
    }
    uint32_t mask = v->kind == VECTOR_CONSTANT ? 0 : UINT32_MAX;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = (sel ? sel[i] : i) & mask;
        uint64_t h = vector_is_valid(v, row) ? key_hash_cell(v, row) : KEY_HASH_NULL;
        hashes[i] = first ? h : key_hash_mix(hashes[i], h);
    }
}
