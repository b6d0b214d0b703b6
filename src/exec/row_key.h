/*
 * row_key.h: encoding of row values into comparable, hashable bytes (a null
 * flag, then the value's bytes; strings as length + bytes), shared by the
 * operators that group rows by value: hash aggregate and set operations.
 */
#ifndef ARM_EXEC_ROW_KEY_H
#define ARM_EXEC_ROW_KEY_H

#include <string.h>

#include "vector/vector.h"

/* Upper bound of the encoded size of one cell. */
static inline size_t row_key_width(const vector *v, uint32_t row)
{
    if (!vector_is_valid(v, row))
        return 1; /* the payload of a NULL cell may be garbage */
    if (type_is_string(v->type.id)) {
        uint32_t r = v->kind == VECTOR_CONSTANT ? 0 : row;
        return 5 + ((const string_view *)v->data)[r].length;
    }
    return 1 + type_physical_size(v->type);
}

static inline size_t row_key_encode(const vector *v, uint32_t row, uint8_t *out)
{
    uint32_t r = v->kind == VECTOR_CONSTANT ? 0 : row;
    if (!vector_is_valid(v, row)) {
        out[0] = 0;
        return 1;
    }
    out[0] = 1;
    if (type_is_string(v->type.id)) {
        const string_view *s = &((const string_view *)v->data)[r];
        memcpy(out + 1, &s->length, 4);
        memcpy(out + 5, string_view_data(s), s->length);
        return 5 + s->length;
    }
    size_t width = type_physical_size(v->type);
    memcpy(out + 1, (const uint8_t *)v->data + r * width, width);
    return 1 + width;
}

/* Decodes one cell (strings point into `in`); returns the bytes consumed. */
static inline size_t row_key_decode(const uint8_t *in, logical_type type, value *out)
{
    memset(out, 0, sizeof *out);
    out->type = type;
    if (in[0] == 0) {
        out->is_null = true;
        return 1;
    }
    if (type_is_string(type.id)) {
        uint32_t length;
        memcpy(&length, in + 1, 4);
        out->u.str.data = (const char *)in + 5;
        out->u.str.length = length;
        return 5 + length;
    }
    /* The encoded bytes are unaligned: copy them to aligned storage first. */
    _Alignas(16) uint8_t aligned[32];
    size_t width = type_physical_size(type);
    memcpy(aligned, in + 1, width < sizeof aligned ? width : sizeof aligned);
    vector tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.type = type;
    tmp.data = aligned;
    vector_get_value(&tmp, 0, out);
    return 1 + width;
}

#endif
