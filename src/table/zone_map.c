/*
 * zone_map.c: min/max/NULL-count bookkeeping for stored column ranges and
 * the pruning test against `column <op> constant` filters. Typed loops keep
 * appends cheap; comparisons for pruning reuse value_compare so they agree
 * with the engine's ordering.
 */
#include "table/zone_map.h"

#include "common/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void zone_map_init(zone_map *z, logical_type type)
{
    memset(z, 0, sizeof *z);
    z->min.type = type;
    z->max.type = type;
}

static void widen(zone_map *z, const value *lo, const value *hi)
{
    if (!z->has_values) {
        z->min = *lo;
        z->max = *hi;
        z->has_values = true;
        return;
    }
    if (value_compare(lo, &z->min) < 0)
        z->min = *lo;
    if (value_compare(hi, &z->max) > 0)
        z->max = *hi;
}

/* Min and max of the valid rows in [from, to) for a C type; false when all are NULL. */
#define RANGE_OF(T, FIELD, IS_NAN)                                                                 \
    do {                                                                                           \
        const T *d = v->data;                                                                      \
        T lo = 0, hi = 0;                                                                          \
        bool any = false;                                                                          \
        for (uint32_t i = from; i < to; i++) {                                                     \
            if (v->validity != NULL && !vector_is_valid(v, i))                                     \
                continue;                                                                          \
            T x = d[i];                                                                            \
            if (IS_NAN(x)) {                                                                       \
                z->is_unordered = true;                                                            \
                continue;                                                                          \
            }                                                                                      \
            if (!any) {                                                                            \
                lo = hi = x;                                                                       \
                any = true;                                                                        \
            } else if (x < lo) {                                                                   \
                lo = x;                                                                            \
            } else if (x > hi) {                                                                   \
                hi = x;                                                                            \
            }                                                                                      \
        }                                                                                          \
        if (any) {                                                                                 \
            lo_value.u.FIELD = lo;                                                                 \
            hi_value.u.FIELD = hi;                                                                 \
            widen(z, &lo_value, &hi_value);                                                        \
        }                                                                                          \
    } while (0)

#define NEVER_NAN(x) ((void)(x), 0)

static void update_strings(zone_map *z, const vector *v, uint32_t from, uint32_t to)
{
    const string_view *d = v->data;
    int64_t lo = -1, hi = -1;
    for (uint32_t i = from; i < to; i++) {
        if (v->validity != NULL && !vector_is_valid(v, i))
            continue;
        if (lo < 0) {
            lo = hi = i;
        } else if (string_view_compare(&d[i], &d[lo]) < 0) {
            lo = i;
        } else if (string_view_compare(&d[i], &d[hi]) > 0) {
            hi = i;
        }
    }
    if (lo < 0)
        return;
    value lo_value, hi_value;
    vector_get_value(v, (uint32_t)lo, &lo_value);
    vector_get_value(v, (uint32_t)hi, &hi_value);
    widen(z, &lo_value, &hi_value);
}

static void update_generic(zone_map *z, const vector *v, uint32_t from, uint32_t to)
{
    for (uint32_t i = from; i < to; i++) {
        value x;
        vector_get_value(v, i, &x);
        if (!x.is_null)
            widen(z, &x, &x);
    }
}

static uint64_t count_nulls(const vector *v, uint32_t from, uint32_t to)
{
    if (v->validity == NULL)
        return 0;
    uint64_t nulls = 0;
    for (uint32_t i = from; i < to; i++)
        nulls += !vector_is_valid(v, i);
    return nulls;
}

void zone_map_update(zone_map *z, const vector *v, uint32_t from, uint32_t to)
{
    if (to <= from)
        return;
    z->row_count += to - from;
    z->null_count += count_nulls(v, from, to);
    value lo_value, hi_value;
    memset(&lo_value, 0, sizeof lo_value);
    lo_value.type = v->type;
    hi_value = lo_value;
    switch (v->type.id) {
    case TYPE_BOOLEAN: update_generic(z, v, from, to); break;
    case TYPE_TINYINT: RANGE_OF(int8_t, i64, NEVER_NAN); break;
    case TYPE_SMALLINT: RANGE_OF(int16_t, i64, NEVER_NAN); break;
    case TYPE_INTEGER:
    case TYPE_DATE: RANGE_OF(int32_t, i64, NEVER_NAN); break;
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: RANGE_OF(int64_t, i64, NEVER_NAN); break;
    case TYPE_REAL: RANGE_OF(float, f32, isnan); break;
    case TYPE_DOUBLE: RANGE_OF(double, f64, isnan); break;
    case TYPE_DECIMAL:
        if (v->type.precision <= DECIMAL_INT64_MAX_PRECISION)
            RANGE_OF(int64_t, i64, NEVER_NAN);
        else
            RANGE_OF(int128, i128, NEVER_NAN);
        break;
    case TYPE_VARCHAR:
    case TYPE_BLOB: update_strings(z, v, from, to); break;
    case TYPE_INTERVAL: update_generic(z, v, from, to); break;
    default: z->is_unordered = true; break;
    }
}

void zone_map_merge(zone_map *into, const zone_map *from)
{
    into->row_count += from->row_count;
    into->null_count += from->null_count;
    into->is_unordered |= from->is_unordered;
    if (from->has_values)
        widen(into, &from->min, &from->max);
}

static bool is_nan_constant(const value *c)
{
    return (c->type.id == TYPE_DOUBLE && isnan(c->u.f64)) ||
           (c->type.id == TYPE_REAL && isnan(c->u.f32));
}

bool zone_map_may_match(const zone_map *z, const table_filter *f)
{
    if (f->op == TABLE_FILTER_IS_NULL)
        return z->null_count > 0;
    bool all_null = z->null_count == z->row_count;
    if (f->op == TABLE_FILTER_IS_NOT_NULL)
        return !all_null;
    /* comparisons: a NULL row never passes */
    if (all_null && !z->is_unordered)
        return false;
    if (!z->has_values || z->is_unordered || f->constant.is_null ||
        !type_equal(f->constant.type, z->min.type) || is_nan_constant(&f->constant))
        return true;
    int low = value_compare(&f->constant, &z->min);  /* constant vs min */
    int high = value_compare(&f->constant, &z->max); /* constant vs max */
    switch (f->op) {
    case TABLE_FILTER_EQ: return low >= 0 && high <= 0;
    case TABLE_FILTER_NE: return !(low == 0 && high == 0);
    case TABLE_FILTER_LT: return low > 0; /* some value < constant: min < constant */
    case TABLE_FILTER_LE: return low >= 0;
    case TABLE_FILTER_GT: return high < 0; /* max > constant */
    case TABLE_FILTER_GE: return high <= 0;
    default: return true;
    }
}

/* ---- encoding for the catalog ------------------------------------------------------------ */

/*
 * Layout: u32 column count, then per column: u8 flags (1 has values, 2
 * unordered), u64 rows, u64 NULLs, and when it has values min then max:
 * strings as u32 length + bytes, other types as the value's 16-byte payload.
 * Native byte order: the catalog is read on the machine that wrote it.
 */
#define ZONE_MAP_MAX_STRING 64

typedef struct zone_writer {
    uint8_t *data;
    size_t length;
    size_t capacity;
    bool failed;
} zone_writer;

static void put_bytes(zone_writer *w, const void *bytes, size_t n)
{
    if (w->failed)
        return;
    if (w->length + n > w->capacity) {
        size_t capacity = w->capacity ? 2 * w->capacity : 256;
        while (capacity < w->length + n)
            capacity *= 2;
        uint8_t *grown = realloc(w->data, capacity);
        if (grown == NULL) {
            w->failed = true;
            return;
        }
        w->data = grown;
        w->capacity = capacity;
    }
    memcpy(w->data + w->length, bytes, n);
    w->length += n;
}

static void put_value(zone_writer *w, const value *v)
{
    if (type_is_string(v->type.id)) {
        uint32_t n = v->u.str.length;
        put_bytes(w, &n, sizeof n);
        put_bytes(w, v->u.str.data, n);
    } else {
        put_bytes(w, &v->u, 16);
    }
}

static bool long_string(const zone_map *z)
{
    return type_is_string(z->min.type.id) &&
           (z->min.u.str.length > ZONE_MAP_MAX_STRING || z->max.u.str.length > ZONE_MAP_MAX_STRING);
}

arm_status zone_map_encode(const zone_map *zones, uint32_t count, uint8_t **out, uint32_t *length,
                           arm_error *err)
{
    _Static_assert(sizeof(((value *)0)->u) == 16, "value payloads are 16 bytes");
    zone_writer w = {0};
    put_bytes(&w, &count, sizeof count);
    for (uint32_t i = 0; i < count; i++) {
        const zone_map *z = &zones[i];
        bool has_values = z->has_values && !long_string(z);
        uint8_t flags = (uint8_t)((has_values ? 1 : 0) | (z->is_unordered ? 2 : 0));
        put_bytes(&w, &flags, 1);
        put_bytes(&w, &z->row_count, 8);
        put_bytes(&w, &z->null_count, 8);
        if (has_values) {
            put_value(&w, &z->min);
            put_value(&w, &z->max);
        }
    }
    if (w.failed) {
        free(w.data);
        return error_out_of_memory(err);
    }
    *out = w.data;
    *length = (uint32_t)w.length;
    return ARM_OK;
}

static bool get_bytes(const uint8_t *data, uint32_t length, uint32_t *at, void *out, uint32_t n)
{
    if (n > length - *at)
        return false;
    memcpy(out, data + *at, n);
    *at += n;
    return true;
}

static bool get_value(const uint8_t *data, uint32_t length, uint32_t *at, value *v)
{
    v->is_null = false;
    if (!type_is_string(v->type.id))
        return get_bytes(data, length, at, &v->u, 16);
    uint32_t n;
    if (!get_bytes(data, length, at, &n, sizeof n) || n > length - *at)
        return false;
    v->u.str.data = (const char *)data + *at;
    v->u.str.length = n;
    *at += n;
    return true;
}

bool zone_map_decode(const uint8_t *data, uint32_t length, zone_map *zones,
                     const logical_type *types, uint32_t count)
{
    uint32_t at = 0, stored = 0;
    if (!get_bytes(data, length, &at, &stored, sizeof stored) || stored != count)
        return false;
    for (uint32_t i = 0; i < count; i++) {
        zone_map *z = &zones[i];
        zone_map_init(z, types[i]);
        uint8_t flags = 0;
        if (!get_bytes(data, length, &at, &flags, 1) ||
            !get_bytes(data, length, &at, &z->row_count, 8) ||
            !get_bytes(data, length, &at, &z->null_count, 8) || z->null_count > z->row_count)
            return false;
        z->has_values = flags & 1;
        z->is_unordered = (flags & 2) != 0;
        if (z->has_values &&
            (!get_value(data, length, &at, &z->min) || !get_value(data, length, &at, &z->max)))
            return false;
    }
    return at == length;
}
