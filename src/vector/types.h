/*
 * types.h: logical types, their physical in-memory representation, and the
 * scalar `value` used for constants, parameters and single cells.
 * Type ids are the public arm_type_id values, so results need no mapping.
 */
#ifndef ARM_VECTOR_TYPES_H
#define ARM_VECTOR_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "armillaria.h"

typedef __int128 int128;

typedef enum type_id {
    TYPE_INVALID = ARM_TYPE_INVALID,
    TYPE_NULL = ARM_TYPE_NULL,
    TYPE_BOOLEAN = ARM_TYPE_BOOLEAN,     /* uint8_t 0/1 (not bit-packed; see decisions.md) */
    TYPE_TINYINT = ARM_TYPE_TINYINT,     /* int8_t */
    TYPE_SMALLINT = ARM_TYPE_SMALLINT,   /* int16_t */
    TYPE_INTEGER = ARM_TYPE_INTEGER,     /* int32_t */
    TYPE_BIGINT = ARM_TYPE_BIGINT,       /* int64_t */
    TYPE_REAL = ARM_TYPE_REAL,           /* float */
    TYPE_DOUBLE = ARM_TYPE_DOUBLE,       /* double */
    TYPE_DECIMAL = ARM_TYPE_DECIMAL,     /* int64_t when precision <= 18, else int128 */
    TYPE_VARCHAR = ARM_TYPE_VARCHAR,     /* string_view */
    TYPE_BLOB = ARM_TYPE_BLOB,           /* string_view */
    TYPE_DATE = ARM_TYPE_DATE,           /* int32_t days since 1970-01-01 */
    TYPE_TIMESTAMP = ARM_TYPE_TIMESTAMP, /* int64_t microseconds since 1970-01-01 */
    TYPE_INTERVAL = ARM_TYPE_INTERVAL,   /* interval_value */
    TYPE_COUNT
} type_id;

#define DECIMAL_MAX_PRECISION 38
#define DECIMAL_INT64_MAX_PRECISION 18

typedef struct logical_type {
    type_id id;
    uint8_t precision; /* DECIMAL only */
    uint8_t scale;     /* DECIMAL only */
} logical_type;

static inline logical_type type_make(type_id id)
{
    logical_type t = {id, 0, 0};
    return t;
}
static inline logical_type type_decimal(uint8_t precision, uint8_t scale)
{
    logical_type t = {TYPE_DECIMAL, precision, scale};
    return t;
}

typedef struct interval_value {
    int32_t months;
    int32_t days;
    int64_t micros;
} interval_value;

/*
 * A string in a vector: 16 bytes, as Arrow's string view and DuckDB's
 * string_t. Up to 12 bytes live inline; longer strings keep a 4-byte prefix
 * (for fast comparisons) and a pointer into a buffer that the owning vector
 * keeps alive. Arrow export rewrites the pointer form into buffer/offset form.
 */
#define STRING_VIEW_INLINE_MAX 12
/*
 * The union is packed so that it starts right after `length` (C would align
 * it to the pointer, making a view 24 bytes); `ptr` then sits at byte 8 of
 * the view, aligned in every array of views.
 */
typedef struct string_view {
    uint32_t length;
    union __attribute__((packed)) {
        char inlined[STRING_VIEW_INLINE_MAX];
        struct __attribute__((packed)) {
            char prefix[4];
            const char *ptr;
        } ref;
    } u;
} __attribute__((aligned(8))) string_view;
_Static_assert(sizeof(string_view) == 16, "a string view is 16 bytes");

static inline const char *string_view_data(const string_view *s)
{
    return s->length <= STRING_VIEW_INLINE_MAX ? s->u.inlined : s->u.ref.ptr;
}
/* Makes a view of existing bytes (copied inline when short, referenced otherwise). */
string_view string_view_make(const char *data, uint32_t length);
bool string_view_equal(const string_view *a, const string_view *b);
/* Byte-wise comparison of the whole strings (string_view_compare's slow path). */
int string_view_compare_bytes(const string_view *a, const string_view *b);

/*
 * `count` (<= 8) bytes at `p` as a big-endian number, zero-filled: ordering
 * these numbers orders the bytes as memcmp does.
 */
static inline uint64_t string_view_word(const char *p, uint32_t count)
{
    uint64_t w;
    memcpy(&w, p, 8);
    if (count < 8)
        w &= (1ULL << (8 * count)) - 1;
    return __builtin_bswap64(w);
}

/*
 * Orders two strings byte-wise (memcmp, then length). The first 4 bytes sit
 * at the same place in both layouts and usually decide; two inline strings
 * are compared as two words without reading memory elsewhere.
 */
static inline int string_view_compare(const string_view *a, const string_view *b)
{
    uint32_t la = a->length < 4 ? a->length : 4, lb = b->length < 4 ? b->length : 4;
    uint32_t pa, pb;
    memcpy(&pa, a->u.inlined, 4);
    memcpy(&pb, b->u.inlined, 4);
    pa = __builtin_bswap32(la < 4 ? pa & (uint32_t)((1ULL << (8 * la)) - 1) : pa);
    pb = __builtin_bswap32(lb < 4 ? pb & (uint32_t)((1ULL << (8 * lb)) - 1) : pb);
    if (pa != pb)
        return pa < pb ? -1 : 1;
    if (a->length > STRING_VIEW_INLINE_MAX || b->length > STRING_VIEW_INLINE_MAX)
        return string_view_compare_bytes(a, b);
    uint64_t wa = string_view_word(a->u.inlined + 4, a->length > 4 ? a->length - 4 : 0);
    uint64_t wb = string_view_word(b->u.inlined + 4, b->length > 4 ? b->length - 4 : 0);
    if (wa != wb)
        return wa < wb ? -1 : 1;
    return (a->length > b->length) - (a->length < b->length);
}

/* Bytes per value in a flat vector (1 for BOOLEAN, 16 for strings, decimals by precision). */
size_t type_physical_size(logical_type type);
bool type_equal(logical_type a, logical_type b);
bool type_is_integer(type_id id); /* TINYINT..BIGINT */
bool type_is_numeric(type_id id); /* integers, REAL, DOUBLE, DECIMAL */
bool type_is_string(type_id id);  /* VARCHAR, BLOB */
/* SQL spelling: "INTEGER", "DECIMAL(10,2)". Writes into buf (>= 32 bytes), returns buf. */
const char *type_format(logical_type type, char *buf, size_t capacity);
/* Parses a type name as SQL writes it ("int4", "varchar", "numeric"); false if unknown. */
bool type_from_name(const char *name, size_t length, type_id *out);

/*
 * Implicit casts, as PostgreSQL does them: widening numeric casts, integer to
 * DECIMAL/REAL/DOUBLE, DATE to TIMESTAMP, NULL to anything, and string
 * literals to anything (the binder marks literals; see type_can_cast_literal).
 */
bool type_can_implicit_cast(logical_type from, logical_type to);
/*
 * The common type two operands are promoted to (for comparisons, arithmetic,
 * UNION, CASE, COALESCE). False when there is none (e.g. INTEGER vs DATE).
 */
bool type_common(logical_type a, logical_type b, logical_type *out);

/*
 * A single value. Strings point to memory owned elsewhere (an arena or a
 * vector's buffers); the value does not own them.
 */
typedef struct value {
    logical_type type;
    bool is_null;
    union {
        bool boolean;
        int64_t i64; /* TINYINT..BIGINT, DATE (days), TIMESTAMP (micros), DECIMAL p<=18 */
        int128 i128; /* DECIMAL p>18 */
        float f32;
        double f64;
        struct {
            const char *data;
            uint32_t length;
        } str; /* VARCHAR, BLOB */
        interval_value interval;
    } u;
} value;

/*
 * Orders two non-NULL values of the same type (-1, 0, 1): strings by bytes,
 * numbers numerically (decimals of equal scale), intervals by their span.
 */
int value_compare(const value *a, const value *b);

value value_null(logical_type type);
value value_boolean(bool v);
value value_bigint(int64_t v);
value value_integer(int32_t v);
value value_double(double v);
value value_varchar(const char *data, uint32_t length);

#endif
