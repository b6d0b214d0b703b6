/*
 * parquet_column_writer.c: one column of a Parquet writer: buffers a row
 * group's values in physical form, decides between dictionary and PLAIN
 * encoding, cuts data pages, encodes levels (RLE) and values, compresses,
 * and computes page and chunk statistics.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/hash.h"
#include "format/parquet_codec.h"
#include "format/parquet_writer_internal.h"

arm_status parquet_column_writer_init(parquet_column_writer *c, const parquet_writer_column *def,
                                      arena *a, arm_error *err)
{
    memset(c, 0, sizeof *c);
    c->name = arena_strdup(a, def->name ? def->name : "");
    if (c->name == NULL)
        return error_out_of_memory(err);
    c->type = def->type;
    c->is_nullable = def->is_nullable;
    c->field_id = def->field_id;
    switch (def->type.id) {
    case TYPE_BOOLEAN: c->physical = PARQUET_BOOLEAN, c->physical_size = 1; break;
    case TYPE_TINYINT:
    case TYPE_SMALLINT:
    case TYPE_INTEGER:
    case TYPE_DATE: c->physical = PARQUET_INT32, c->physical_size = 4; break;
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: c->physical = PARQUET_INT64, c->physical_size = 8; break;
    case TYPE_REAL: c->physical = PARQUET_FLOAT, c->physical_size = 4; break;
    case TYPE_DOUBLE: c->physical = PARQUET_DOUBLE, c->physical_size = 8; break;
    case TYPE_VARCHAR:
    case TYPE_BLOB: c->physical = PARQUET_BYTE_ARRAY, c->physical_size = 0; break;
    case TYPE_INTERVAL: c->physical = PARQUET_FIXED_LEN_BYTE_ARRAY, c->physical_size = 12; break;
    case TYPE_DECIMAL:
        if (def->type.precision < 1 || def->type.precision > DECIMAL_MAX_PRECISION)
            return error_set(err, ARM_ERROR_INVALID_INPUT, NULL, -1,
                             "decimal precision %u of column \"%s\" out of range",
                             def->type.precision, c->name);
        if (def->type.precision <= 9) {
            c->physical = PARQUET_INT32, c->physical_size = 4;
        } else if (def->type.precision <= DECIMAL_INT64_MAX_PRECISION) {
            c->physical = PARQUET_INT64, c->physical_size = 8;
        } else {
            /* Smallest width holding 10^p - 1 in two's complement. */
            double bits = def->type.precision * 3.321928094887362 + 1;
            c->physical = PARQUET_FIXED_LEN_BYTE_ARRAY;
            c->physical_size = (uint32_t)ceil(bits / 8);
        }
        break;
    default:
        return error_set(err, ARM_ERROR_NOT_SUPPORTED, NULL, -1,
                         "cannot write column \"%s\" of this type to parquet", c->name);
    }
    return ARM_OK;
}

static void flush_scratch_free(void *scratch);

void parquet_column_writer_dispose(parquet_column_writer *c)
{
    flush_scratch_free(c->flush_scratch);
    c->flush_scratch = NULL;
    parquet_byte_buffer_dispose(&c->values);
    parquet_byte_buffer_dispose(&c->ends);
    parquet_byte_buffer_dispose(&c->levels);
    free(c->pages);
    c->pages = NULL;
}

void parquet_column_writer_schema(const parquet_column_writer *c, parquet_schema_element *e)
{
    memset(e, 0, sizeof *e);
    e->name = c->name;
    e->has_type = true;
    e->type = c->physical;
    e->type_length = c->physical == PARQUET_FIXED_LEN_BYTE_ARRAY ? (int32_t)c->physical_size : 0;
    e->has_repetition = true;
    e->repetition = c->is_nullable ? PARQUET_OPTIONAL : PARQUET_REQUIRED;
    e->converted_type = PARQUET_CT_NONE;
    e->has_field_id = c->field_id >= 0;
    e->field_id = c->field_id;
    parquet_logical_type *lt = &e->logical;
    switch (c->type.id) {
    case TYPE_TINYINT:
    case TYPE_SMALLINT:
        lt->kind = PARQUET_LT_INTEGER;
        lt->bit_width = c->type.id == TYPE_TINYINT ? 8 : 16;
        lt->is_signed = true;
        e->converted_type = c->type.id == TYPE_TINYINT ? PARQUET_CT_INT_8 : PARQUET_CT_INT_16;
        break;
    case TYPE_DATE:
        lt->kind = PARQUET_LT_DATE;
        e->converted_type = PARQUET_CT_DATE;
        break;
    case TYPE_TIMESTAMP:
        lt->kind = PARQUET_LT_TIMESTAMP;
        lt->is_adjusted_to_utc = false;
        lt->unit = PARQUET_MICROS;
        break;
    case TYPE_VARCHAR:
        lt->kind = PARQUET_LT_STRING;
        e->converted_type = PARQUET_CT_UTF8;
        break;
    case TYPE_INTERVAL: e->converted_type = PARQUET_CT_INTERVAL; break;
    case TYPE_DECIMAL:
        lt->kind = PARQUET_LT_DECIMAL;
        lt->decimal_precision = c->type.precision;
        lt->decimal_scale = c->type.scale;
        e->converted_type = PARQUET_CT_DECIMAL;
        e->precision = c->type.precision;
        e->scale = c->type.scale;
        break;
    default: break;
    }
}

/* ---- appending ---- */

/* The cell of `v` at physical row `row`: pointer to its bytes and validity. */
static inline const uint8_t *vector_cell(const vector *v, uint32_t row, size_t width, bool *valid)
{
    if (v->kind == VECTOR_CONSTANT) {
        *valid = v->validity == NULL || (v->validity[0] & 1);
        return v->data;
    }
    *valid = v->validity == NULL || bitmap_get(v->validity, row);
    if (v->kind == VECTOR_DICTIONARY) {
        uint32_t index = ((const uint32_t *)v->data)[row];
        const vector *d = v->dictionary;
        if (*valid && d->validity != NULL)
            *valid = bitmap_get(d->validity, index);
        return (const uint8_t *)d->data + (size_t)index * width;
    }
    return (const uint8_t *)v->data + (size_t)row * width;
}

/* Writes one non-NULL value in physical form at `out` (fixed-width types). */
static inline void to_physical(const parquet_column_writer *c, const uint8_t *cell, uint8_t *out)
{
    switch (c->type.id) {
    case TYPE_BOOLEAN: *out = *cell != 0; return;
    case TYPE_TINYINT: {
        int32_t v = *(const int8_t *)cell;
        memcpy(out, &v, 4);
        return;
    }
    case TYPE_SMALLINT: {
        int16_t s;
        memcpy(&s, cell, 2);
        int32_t v = s;
        memcpy(out, &v, 4);
        return;
    }
    case TYPE_INTERVAL: {
        interval_value iv;
        memcpy(&iv, cell, sizeof iv);
        int32_t parts[3] = {iv.months, iv.days, (int32_t)(iv.micros / 1000)};
        memcpy(out, parts, 12);
        return;
    }
    case TYPE_DECIMAL:
        if (c->type.precision <= 9) {
            int64_t v;
            memcpy(&v, cell, 8);
            int32_t narrow = (int32_t)v;
            memcpy(out, &narrow, 4);
        } else if (c->type.precision <= DECIMAL_INT64_MAX_PRECISION) {
            memcpy(out, cell, 8);
        } else {
            int128 v;
            memcpy(&v, cell, 16);
            for (uint32_t i = 0; i < c->physical_size; i++)
                out[c->physical_size - 1 - i] = (uint8_t)((unsigned __int128)v >> (8 * i));
        }
        return;
    default: memcpy(out, cell, c->physical_size); return;
    }
}

/*
 * Up to VECTOR_SIZE strings (rows sel[i], or first + i): room is reserved
 * once, then bytes and end offsets are stored directly.
 */
static arm_status append_string_run(parquet_column_writer *c, const vector *v, const uint32_t *sel,
                                    uint32_t first, uint32_t count, uint8_t *levels, arm_error *err)
{
    const string_view *views[VECTOR_SIZE];
    size_t bytes = 0;
    uint32_t n = 0;
    for (uint32_t i = 0; i < count; i++) {
        bool valid;
        uint32_t row = sel ? sel[i] : first + i;
        const string_view *s =
            (const string_view *)vector_cell(v, row, sizeof(string_view), &valid);
        if (levels)
            levels[i] = valid;
        if (valid) {
            views[n++] = s;
            bytes += s->length;
        }
    }
    if (!parquet_byte_buffer_reserve(&c->values, bytes) ||
        !parquet_byte_buffer_reserve(&c->ends, (size_t)n * sizeof(uint64_t)))
        return error_out_of_memory(err);
    uint8_t *out = c->values.data;
    uint64_t end = c->values.size;
    uint8_t *ends = c->ends.data + c->ends.size;
    for (uint32_t i = 0; i < n; i++) {
        if (views[i]->length > 0) /* no buffer yet when every string so far is empty */
            memcpy(out + end, string_view_data(views[i]), views[i]->length);
        end += views[i]->length;
        memcpy(ends + (size_t)i * sizeof end, &end, sizeof end);
    }
    c->values.size = end;
    c->ends.size += (size_t)n * sizeof(uint64_t);
    c->value_count += n;
    return ARM_OK;
}

static arm_status append_strings(parquet_column_writer *c, const vector *v, const uint32_t *sel,
                                 uint32_t count, uint8_t *levels, arm_error *err)
{
    for (uint32_t done = 0; done < count; done += VECTOR_SIZE) {
        uint32_t n = count - done < VECTOR_SIZE ? count - done : VECTOR_SIZE;
        arm_status s = append_string_run(c, v, sel ? sel + done : NULL, done, n,
                                         levels ? levels + done : NULL, err);
        if (s != ARM_OK)
            return s;
    }
    return ARM_OK;
}

static arm_status append_fixed(parquet_column_writer *c, const vector *v, const uint32_t *sel,
                               uint32_t count, uint8_t *levels, arm_error *err)
{
    size_t width = type_physical_size(c->type);
    uint32_t psize = c->physical_size;
    if (!parquet_byte_buffer_reserve(&c->values, (size_t)count * psize))
        return error_out_of_memory(err);
    uint8_t *out = c->values.data + c->values.size;
    bool same = width == psize && c->type.id != TYPE_BOOLEAN && c->type.id != TYPE_DECIMAL;
    if (same && sel == NULL && v->kind == VECTOR_FLAT && v->validity == NULL) {
        memcpy(out, v->data, (size_t)count * psize);
        if (levels)
            memset(levels, 1, count);
        c->values.size += (size_t)count * psize;
        c->value_count += count;
        return ARM_OK;
    }
    uint32_t written = 0;
    for (uint32_t i = 0; i < count; i++) {
        bool valid;
        const uint8_t *cell = vector_cell(v, sel ? sel[i] : i, width, &valid);
        if (levels)
            levels[i] = valid;
        if (valid)
            to_physical(c, cell, out + (size_t)psize * written++);
    }
    c->values.size += (size_t)written * psize;
    c->value_count += written;
    return ARM_OK;
}

static bool has_null(const vector *v, const uint32_t *sel, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        bool valid;
        vector_cell(v, sel ? sel[i] : i, type_physical_size(v->type), &valid);
        if (!valid)
            return true;
    }
    return false;
}

arm_status parquet_column_writer_append(parquet_column_writer *c, const vector *v,
                                        const uint32_t *sel, uint32_t count, arm_error *err)
{
    uint8_t *levels = NULL;
    if (!c->is_nullable && (v->validity != NULL ||
                            (v->kind == VECTOR_DICTIONARY && v->dictionary->validity != NULL))) {
        if (has_null(v, sel, count))
            return error_set(err, ARM_ERROR_CONSTRAINT, NULL, -1,
                             "null value in column \"%s\" violates not-null constraint", c->name);
    }
    if (c->is_nullable) {
        if (!parquet_byte_buffer_reserve(&c->levels, count))
            return error_out_of_memory(err);
        levels = c->levels.data + c->levels.size;
        c->levels.size += count;
    }
    c->row_count += count;
    if (c->physical == PARQUET_BYTE_ARRAY)
        return append_strings(c, v, sel, count, levels, err);
    return append_fixed(c, v, sel, count, levels, err);
}

/* ---- value access at flush time ---- */

static inline const uint8_t *value_at(const parquet_column_writer *c, uint64_t i, uint32_t *length)
{
    if (c->physical != PARQUET_BYTE_ARRAY) {
        *length = c->physical_size;
        return c->values.data + i * c->physical_size;
    }
    const uint64_t *ends = (const uint64_t *)c->ends.data;
    uint64_t start = i ? ends[i - 1] : 0;
    *length = (uint32_t)(ends[i] - start);
    return c->values.data + start;
}

static int128 decimal_be(const uint8_t *p, uint32_t n)
{
    unsigned __int128 v = (p[0] & 0x80) ? ~(unsigned __int128)0 : 0;
    for (uint32_t i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return (int128)v;
}

/* Orders two physical values as the column's logical type sorts them. */
static int compare_values(const parquet_column_writer *c, const uint8_t *a, uint32_t alen,
                          const uint8_t *b, uint32_t blen)
{
    switch (c->physical) {
    case PARQUET_BOOLEAN: return (int)a[0] - (int)b[0];
    case PARQUET_INT32: {
        int32_t x, y;
        memcpy(&x, a, 4), memcpy(&y, b, 4);
        return (x > y) - (x < y);
    }
    case PARQUET_INT64: {
        int64_t x, y;
        memcpy(&x, a, 8), memcpy(&y, b, 8);
        return (x > y) - (x < y);
    }
    case PARQUET_FLOAT: {
        float x, y;
        memcpy(&x, a, 4), memcpy(&y, b, 4);
        return (x > y) - (x < y);
    }
    case PARQUET_DOUBLE: {
        double x, y;
        memcpy(&x, a, 8), memcpy(&y, b, 8);
        return (x > y) - (x < y);
    }
    case PARQUET_FIXED_LEN_BYTE_ARRAY: {
        int128 x = decimal_be(a, alen), y = decimal_be(b, blen);
        return (x > y) - (x < y);
    }
    default: {
        uint32_t n = alen < blen ? alen : blen;
        if (n >= 8) { /* the first 8 bytes as big-endian words usually decide */
            uint64_t x, y;
            memcpy(&x, a, 8), memcpy(&y, b, 8);
            if (x != y)
                return __builtin_bswap64(x) < __builtin_bswap64(y) ? -1 : 1;
        }
        int r = n > 0 ? memcmp(a, b, n) : 0;
        return r != 0 ? r : (alen > blen) - (alen < blen);
    }
    }
}

static bool is_nan(const parquet_column_writer *c, const uint8_t *p)
{
    if (c->physical == PARQUET_FLOAT) {
        float f;
        memcpy(&f, p, 4);
        return f != f;
    }
    if (c->physical == PARQUET_DOUBLE) {
        double d;
        memcpy(&d, p, 8);
        return d != d;
    }
    return false;
}

/* Typed min/max of INT32/INT64 values [v0, v1): one pass, no per-value dispatch. */
static bool find_min_max_int(const parquet_column_writer *c, uint64_t v0, uint64_t v1,
                             parquet_bytes *min, parquet_bytes *max)
{
    if (v0 >= v1)
        return false;
    uint64_t lo = v0, hi = v0;
    if (c->physical == PARQUET_INT32) {
        const int32_t *v = (const int32_t *)c->values.data;
        int32_t a = v[v0], b = v[v0];
        for (uint64_t i = v0 + 1; i < v1; i++) {
            if (v[i] < a)
                a = v[i], lo = i;
            if (v[i] > b)
                b = v[i], hi = i;
        }
    } else {
        const int64_t *v = (const int64_t *)c->values.data;
        int64_t a = v[v0], b = v[v0];
        for (uint64_t i = v0 + 1; i < v1; i++) {
            if (v[i] < a)
                a = v[i], lo = i;
            if (v[i] > b)
                b = v[i], hi = i;
        }
    }
    *min = (parquet_bytes){c->values.data + lo * c->physical_size, c->physical_size};
    *max = (parquet_bytes){c->values.data + hi * c->physical_size, c->physical_size};
    return true;
}

/* find_min_max of DOUBLE values: typed, NaN skipped, first of equal extremes kept. */
static bool find_min_max_double(const parquet_column_writer *c, uint64_t v0, uint64_t v1,
                                parquet_bytes *min, parquet_bytes *max)
{
    uint64_t lo = v1, hi = v1;
    double a = 0, b = 0;
    for (uint64_t i = v0; i < v1; i++) {
        double x;
        memcpy(&x, c->values.data + i * 8, 8);
        if (x != x)
            continue;
        if (lo == v1) {
            a = b = x, lo = hi = i;
            continue;
        }
        if (x < a)
            a = x, lo = i;
        if (x > b)
            b = x, hi = i;
    }
    if (lo == v1)
        return false;
    *min = (parquet_bytes){c->values.data + lo * 8, 8};
    *max = (parquet_bytes){c->values.data + hi * 8, 8};
    return true;
}

#define STAT_MAX_BYTES 256

/* Min and max of values [v0, v1) (NaN skipped); false when there are none. */
static bool find_min_max(const parquet_column_writer *c, uint64_t v0, uint64_t v1,
                         parquet_bytes *min, parquet_bytes *max)
{
    if (c->type.id == TYPE_INTERVAL)
        return false;
    if (c->physical == PARQUET_INT32 || c->physical == PARQUET_INT64)
        return find_min_max_int(c, v0, v1, min, max);
    if (c->physical == PARQUET_DOUBLE)
        return find_min_max_double(c, v0, v1, min, max);
    bool found = false;
    for (uint64_t i = v0; i < v1; i++) {
        uint32_t length;
        const uint8_t *p = value_at(c, i, &length);
        if (is_nan(c, p))
            continue;
        if (!found) {
            *min = *max = (parquet_bytes){p, length};
            found = true;
            continue;
        }
        if (compare_values(c, p, length, min->data, min->length) < 0)
            *min = (parquet_bytes){p, length};
        if (compare_values(c, p, length, max->data, max->length) > 0)
            *max = (parquet_bytes){p, length};
    }
    /* Long byte arrays would bloat page headers and the column index: no bounds for them. */
    if (found && (min->length > STAT_MAX_BYTES || max->length > STAT_MAX_BYTES))
        return false;
    return found;
}

/* Copies a statistics value into the arena (zeros normalized: min -0.0, max +0.0). */
static bool copy_stat(const parquet_column_writer *c, arena *a, parquet_bytes *v, bool is_max)
{
    uint8_t *copy = arena_alloc(a, v->length ? v->length : 1);
    if (copy == NULL)
        return false;
    if (v->length > 0)
        memcpy(copy, v->data, v->length);
    if (c->physical == PARQUET_FLOAT) {
        float f;
        memcpy(&f, copy, 4);
        if (f == 0)
            f = is_max ? 0.0f : -0.0f, memcpy(copy, &f, 4);
    } else if (c->physical == PARQUET_DOUBLE) {
        double d;
        memcpy(&d, copy, 8);
        if (d == 0)
            d = is_max ? 0.0 : -0.0, memcpy(copy, &d, 8);
    }
    v->data = copy;
    return true;
}

/* ---- dictionary ---- */

typedef struct dictionary_builder {
    uint32_t *slots; /* entry + 1, 0 empty */
    uint32_t slot_mask;
    uint32_t *entries; /* value index of each entry's first occurrence */
    uint32_t count;
    uint32_t *indexes; /* entry of each value */
    uint64_t indexes_capacity;
    size_t plain_bytes;
} dictionary_builder;

static inline uint64_t hash_value(const uint8_t *p, uint32_t length)
{
    if (length == 8 || length == 4) {
        uint64_t w = 0;
        memcpy(&w, p, length);
        return hash_u64(w ^ ((uint64_t)length << 56));
    }
    uint64_t h = length;
    while (length >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = hash_u64(h ^ w);
        p += 8, length -= 8;
    }
    uint64_t w = 0;
    if (length > 0)
        memcpy(&w, p, length);
    return hash_u64(h ^ w ^ ((uint64_t)length << 56));
}

static void dictionary_dispose(dictionary_builder *d)
{
    free(d->slots);
    free(d->entries);
    free(d->indexes);
    memset(d, 0, sizeof *d);
}

static bool dictionary_grow(dictionary_builder *d, const parquet_column_writer *c)
{
    uint32_t capacity = d->slot_mask ? (d->slot_mask + 1) * 2 : 1024;
    uint32_t *slots = calloc(capacity, sizeof *slots);
    uint32_t *entries = realloc(d->entries, capacity / 2 * sizeof *entries);
    if (slots == NULL || entries == NULL) {
        free(slots);
        if (entries)
            d->entries = entries;
        return false;
    }
    d->entries = entries;
    for (uint32_t e = 0; e < d->count; e++) {
        uint32_t length;
        const uint8_t *p = value_at(c, d->entries[e], &length);
        uint32_t s = (uint32_t)hash_value(p, length) & (capacity - 1);
        while (slots[s] != 0)
            s = (s + 1) & (capacity - 1);
        slots[s] = e + 1;
    }
    free(d->slots);
    d->slots = slots;
    d->slot_mask = capacity - 1;
    return true;
}

/* Empties the builder for a new chunk, keeping (and zeroing) its memory. */
static bool dictionary_reset(dictionary_builder *d, uint64_t value_count)
{
    if (value_count > d->indexes_capacity) {
        uint32_t *indexes = realloc(d->indexes, value_count * sizeof *indexes);
        if (indexes == NULL)
            return false;
        d->indexes = indexes;
        d->indexes_capacity = value_count;
    }
    if (d->slots != NULL)
        memset(d->slots, 0, ((size_t)d->slot_mask + 1) * sizeof *d->slots);
    d->count = 0;
    d->plain_bytes = 0;
    return true;
}

static inline bool values_equal(const uint8_t *p, const uint8_t *q, uint32_t length)
{
    if (length == 8) {
        uint64_t a, b;
        memcpy(&a, p, 8), memcpy(&b, q, 8);
        return a == b;
    }
    if (length == 4) {
        uint32_t a, b;
        memcpy(&a, p, 4), memcpy(&b, q, 4);
        return a == b;
    }
    return length == 0 || memcmp(p, q, length) == 0;
}

/* Values sampled, evenly spaced, before building a dictionary. */
#define DICTIONARY_SAMPLE 1024

/*
 * True when DICTIONARY_SAMPLE values spread evenly over the chunk are all
 * distinct: a domain of about half a million values or more (ids,
 * timestamps, measurements), where a dictionary will not pay. Spreading the
 * sample keeps cyclic or clustered columns (i % 5000, sorted codes) from
 * looking distinct, as their first values would.
 */
static bool sample_all_distinct(const parquet_column_writer *c)
{
    if (c->value_count < 4 * DICTIONARY_SAMPLE)
        return false;
    uint32_t slots[4 * DICTIONARY_SAMPLE]; /* sample index + 1, 0 empty */
    memset(slots, 0, sizeof slots);
    for (uint32_t k = 0; k < DICTIONARY_SAMPLE; k++) {
        uint64_t i = c->value_count * k / DICTIONARY_SAMPLE;
        uint32_t length;
        const uint8_t *p = value_at(c, i, &length);
        uint32_t s = (uint32_t)hash_value(p, length) & (4 * DICTIONARY_SAMPLE - 1);
        for (; slots[s] != 0; s = (s + 1) & (4 * DICTIONARY_SAMPLE - 1)) {
            uint32_t other_length;
            uint64_t j = c->value_count * (slots[s] - 1) / DICTIONARY_SAMPLE;
            const uint8_t *q = value_at(c, j, &other_length);
            if (other_length == length && values_equal(p, q, length))
                return false;
        }
        slots[s] = k + 1;
    }
    return true;
}

/*
 * Builds the dictionary; false when it grows past the limit, when a sample
 * or the first values show it will not pay (mostly distinct), or on
 * out-of-memory.
 */
static bool dictionary_build(dictionary_builder *d, const parquet_column_writer *c,
                             size_t max_bytes)
{
    if (c->value_count == 0 || c->value_count > UINT32_MAX || sample_all_distinct(c) ||
        !dictionary_reset(d, c->value_count))
        return false;
    if (d->slots == NULL && !dictionary_grow(d, c))
        return false;
    size_t extra = c->physical == PARQUET_BYTE_ARRAY ? 4 : 0;
    for (uint64_t i = 0; i < c->value_count; i++) {
        uint32_t length;
        const uint8_t *p = value_at(c, i, &length);
        uint32_t s = (uint32_t)hash_value(p, length) & d->slot_mask;
        for (;;) {
            uint32_t e = d->slots[s];
            if (e == 0) {
                if (d->plain_bytes + length + extra > max_bytes)
                    return false;
                d->entries[d->count] = (uint32_t)i;
                d->slots[s] = ++d->count;
                d->indexes[i] = d->count - 1;
                d->plain_bytes += length + extra;
                if (d->count * 2 >= d->slot_mask + 1 && !dictionary_grow(d, c))
                    return false;
                break;
            }
            uint32_t other_length;
            const uint8_t *q = value_at(c, d->entries[e - 1], &other_length);
            if (other_length == length && values_equal(p, q, length)) {
                d->indexes[i] = e - 1;
                break;
            }
            s = (s + 1) & d->slot_mask;
        }
        if ((i & 32767) == 32767 && d->count > (i + 1) / 4 * 3)
            return false;
    }
    return true;
}

static uint32_t dictionary_bit_width(const dictionary_builder *d)
{
    uint32_t width = parquet_bit_width(d->count > 0 ? d->count - 1 : 0);
    return width ? width : 1;
}

/* Bytes of the dictionary page and the entry numbers. */
static size_t dictionary_size(const dictionary_builder *d, const parquet_column_writer *c)
{
    return d->plain_bytes + (c->value_count * dictionary_bit_width(d) + 7) / 8;
}

static bool dictionary_pays(const dictionary_builder *d, const parquet_column_writer *c)
{
    size_t plain = c->values.size + (c->physical == PARQUET_BYTE_ARRAY ? 4 * c->value_count : 0);
    return dictionary_size(d, c) < plain;
}

/* ---- pages ---- */

/* Scratch of one chunk flush, reused across its pages. */
typedef struct flush_state {
    parquet_column_writer *c;
    const parquet_writer_options *options;
    parquet_sink *sink;
    arena *a;
    dictionary_builder dict;
    bool use_dictionary;
    bool use_delta;       /* DELTA_BINARY_PACKED (options->delta_int64) */
    uint32_t *entry_seen; /* per dictionary entry: the page stamp when last seen */
    uint32_t entry_seen_capacity, page_stamp;
    parquet_byte_buffer body, levels, compressed, temp;
    thrift_writer header;
    int64_t total_compressed, total_uncompressed;
    parquet_codec_id codec; /* this column chunk's: the option's, or none (raw_if_incompressible) */
    bool codec_decided;
    int64_t null_count;
    bool has_min_max;
    parquet_bytes min, max;
} flush_state;

/*
 * The width PLAIN values of this column are aligned to in uncompressed pages, or 0: so that
 * a reader can use the pages in place as typed arrays (a read chunk's values are
 * then never copied; docs/decisions.md, "Page values are aligned").
 */
static uint32_t value_alignment(const parquet_column_writer *c)
{
    switch (c->physical) {
    case PARQUET_INT32:
    case PARQUET_FLOAT:
    case PARQUET_INT64:
    case PARQUET_DOUBLE: return c->physical_size;
    default: return 0;
    }
}

/*
 * Encodes the page header. When the page is stored uncompressed and its values (at
 * `values_at` in prefix + payload; SIZE_MAX: none to place) are fixed-width PLAIN, some field
 * headers take their long form so that the values start at a file offset that is a multiple
 * of their width. Any Thrift compact reader reads either form.
 */
static void encode_page_header(flush_state *st, const parquet_page_header *h, size_t values_at)
{
    thrift_writer_reset(&st->header);
    parquet_page_header_encode(&st->header, h);
    uint32_t align = value_alignment(st->c);
    if (values_at == SIZE_MAX || align < 2 || st->codec != PARQUET_CODEC_UNCOMPRESSED ||
        st->header.failed)
        return;
    uint64_t at = st->sink->offset + st->header.size + values_at;
    unsigned pad = (unsigned)((align - at % align) % align);
    if (pad == 0)
        return;
    thrift_writer_reset(&st->header);
    st->header.long_form_fields = pad;
    parquet_page_header_encode(&st->header, h);
}

static arm_status emit_page(flush_state *st, parquet_page_header *h, const uint8_t *prefix,
                            size_t prefix_size, const uint8_t *payload, size_t payload_size,
                            size_t values_at, arm_error *err)
{
    parquet_codec_id codec = st->codec;
    size_t bound = parquet_codec_max_compressed_size(codec, payload_size);
    st->compressed.size = 0;
    if (!parquet_byte_buffer_reserve(&st->compressed, bound + 1))
        return error_out_of_memory(err);
    size_t comp_size = bound;
    arm_status status = parquet_codec_compress(codec, st->options->compression_level, payload,
                                               payload_size, st->compressed.data, &comp_size, err);
    if (status != ARM_OK)
        return status;
    /* The chunk's first page decides: when it saves less than 1/16, the whole column chunk
     * is stored uncompressed (readers then use the pages in place, with nothing to undo). */
    if (!st->codec_decided && st->options->raw_if_incompressible &&
        codec != PARQUET_CODEC_UNCOMPRESSED && comp_size * 16 > payload_size * 15) {
        st->codec = PARQUET_CODEC_UNCOMPRESSED;
        memcpy(st->compressed.data, payload, payload_size);
        comp_size = payload_size;
    }
    st->codec_decided = true;
    if (prefix_size + payload_size > INT32_MAX || prefix_size + comp_size > INT32_MAX)
        return error_set(err, ARM_ERROR_OUT_OF_RANGE, NULL, -1, "parquet page too large");
    h->uncompressed_page_size = (int32_t)(prefix_size + payload_size);
    h->compressed_page_size = (int32_t)(prefix_size + comp_size);
    encode_page_header(st, h, values_at);
    if (st->header.failed)
        return error_out_of_memory(err);
    if ((status = parquet_sink_write(st->sink, st->header.data, st->header.size, err)) ||
        (status = parquet_sink_write(st->sink, prefix, prefix_size, err)) ||
        (status = parquet_sink_write(st->sink, st->compressed.data, comp_size, err)))
        return status;
    st->total_uncompressed += (int64_t)(st->header.size + prefix_size + payload_size);
    st->total_compressed += (int64_t)(st->header.size + prefix_size + comp_size);
    return ARM_OK;
}

static void encode_plain(flush_state *st, const uint64_t *entries, uint64_t v0, uint64_t v1,
                         parquet_byte_buffer *out)
{
    const parquet_column_writer *c = st->c;
    if (c->physical == PARQUET_BOOLEAN) {
        st->temp.size = 0;
        if (!parquet_byte_buffer_reserve(&st->temp, (v1 - v0) * 4))
            return;
        uint32_t *bits = (uint32_t *)st->temp.data;
        for (uint64_t i = v0; i < v1; i++)
            bits[i - v0] = c->values.data[i];
        parquet_pack_bits(out, bits, (uint32_t)(v1 - v0), 1);
        return;
    }
    if (c->physical != PARQUET_BYTE_ARRAY && entries == NULL) {
        parquet_byte_buffer_append(out, c->values.data + v0 * c->physical_size,
                                   (v1 - v0) * c->physical_size);
        return;
    }
    size_t bytes = 0, prefix = c->physical == PARQUET_BYTE_ARRAY ? 4 : 0;
    for (uint64_t i = v0; i < v1; i++) {
        uint32_t length;
        value_at(c, entries ? entries[i] : i, &length);
        bytes += prefix + length;
    }
    if (!parquet_byte_buffer_reserve(out, bytes))
        return;
    uint8_t *o = out->data + out->size;
    for (uint64_t i = v0; i < v1; i++) {
        uint32_t length;
        const uint8_t *p = value_at(c, entries ? entries[i] : i, &length);
        if (prefix)
            memcpy(o, &length, 4);
        if (length > 0)
            memcpy(o + prefix, p, length);
        o += prefix + length;
    }
    out->size += bytes;
}

static arm_status write_dictionary_page(flush_state *st, arm_error *err)
{
    st->body.size = 0;
    st->temp.size = 0;
    uint64_t *entries = malloc((st->dict.count + 1) * sizeof *entries);
    if (entries == NULL)
        return error_out_of_memory(err);
    for (uint32_t e = 0; e < st->dict.count; e++)
        entries[e] = st->dict.entries[e];
    encode_plain(st, entries, 0, st->dict.count, &st->body);
    free(entries);
    if (st->body.failed)
        return error_out_of_memory(err);
    parquet_page_header h;
    memset(&h, 0, sizeof h);
    h.type = PARQUET_PAGE_DICTIONARY;
    h.has_dictionary_page = true;
    h.dictionary_page.num_values = (int32_t)st->dict.count;
    h.dictionary_page.encoding = PARQUET_ENC_PLAIN;
    return emit_page(st, &h, NULL, 0, st->body.data, st->body.size, SIZE_MAX, err);
}

/* Encodes definition levels of rows [r0, r1) into st->levels (RLE, no length prefix). */
static bool encode_levels(flush_state *st, uint64_t r0, uint64_t r1)
{
    st->levels.size = 0;
    st->temp.size = 0;
    if (!parquet_byte_buffer_reserve(&st->temp, (r1 - r0) * 4 + 4))
        return false;
    uint32_t *levels = (uint32_t *)st->temp.data;
    for (uint64_t r = r0; r < r1; r++)
        levels[r - r0] = st->c->levels.data[r];
    parquet_rle_encode(&st->levels, levels, (uint32_t)(r1 - r0), 1);
    return !st->levels.failed;
}

/* Records a written page and folds its statistics into the chunk's. */
static arm_status record_page(flush_state *st, int64_t offset, uint64_t r0, int64_t nulls,
                              bool has_min_max, parquet_bytes min, parquet_bytes max,
                              arm_error *err)
{
    parquet_column_writer *c = st->c;
    if (c->page_count == c->page_capacity) {
        uint32_t capacity = c->page_capacity ? c->page_capacity * 2 : 16;
        parquet_written_page *grown = realloc(c->pages, capacity * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(err);
        c->pages = grown;
        c->page_capacity = capacity;
    }
    parquet_written_page *p = &c->pages[c->page_count++];
    p->offset = offset;
    p->size_bytes = (int32_t)((int64_t)st->sink->offset - offset);
    p->first_row = (int64_t)r0;
    p->null_count = nulls;
    p->has_min_max = has_min_max;
    p->min = min;
    p->max = max;
    st->null_count += nulls;
    if (!has_min_max)
        return ARM_OK;
    if (!st->has_min_max ||
        compare_values(c, min.data, min.length, st->min.data, st->min.length) < 0)
        st->min = min;
    if (!st->has_min_max ||
        compare_values(c, max.data, max.length, st->max.data, st->max.length) > 0)
        st->max = max;
    st->has_min_max = true;
    return ARM_OK;
}

static void page_statistics(parquet_statistics *s, int64_t nulls, bool has_min_max,
                            parquet_bytes min, parquet_bytes max)
{
    memset(s, 0, sizeof *s);
    s->has_null_count = true;
    s->null_count = nulls;
    s->has_min = s->has_max = has_min_max;
    s->min = min;
    s->max = max;
}

/*
 * find_min_max for a dictionary-encoded page of strings, floats or wide
 * decimals: each distinct entry is compared once, in order of first
 * occurrence, which picks the same values as comparing every row.
 */
static bool find_min_max_entries(flush_state *st, uint64_t v0, uint64_t v1, parquet_bytes *min,
                                 parquet_bytes *max)
{
    const parquet_column_writer *c = st->c;
    if (st->dict.count > st->entry_seen_capacity) {
        uint32_t *seen = realloc(st->entry_seen, st->dict.count * sizeof *seen);
        if (seen == NULL)
            return find_min_max(c, v0, v1, min, max);
        memset(seen, 0, st->dict.count * sizeof *seen);
        st->entry_seen = seen;
        st->entry_seen_capacity = st->dict.count;
        st->page_stamp = 0;
    }
    if (++st->page_stamp == 0) { /* wrapped: forget every stamp */
        memset(st->entry_seen, 0, st->entry_seen_capacity * sizeof *st->entry_seen);
        st->page_stamp = 1;
    }
    uint32_t stamp = st->page_stamp;
    bool found = false;
    for (uint64_t i = v0; i < v1; i++) {
        uint32_t e = st->dict.indexes[i];
        if (st->entry_seen[e] == stamp)
            continue;
        st->entry_seen[e] = stamp;
        uint32_t length;
        const uint8_t *p = value_at(c, st->dict.entries[e], &length);
        if (is_nan(c, p))
            continue;
        if (!found) {
            *min = *max = (parquet_bytes){p, length};
            found = true;
            continue;
        }
        if (compare_values(c, p, length, min->data, min->length) < 0)
            *min = (parquet_bytes){p, length};
        if (compare_values(c, p, length, max->data, max->length) > 0)
            *max = (parquet_bytes){p, length};
    }
    if (found && (min->length > STAT_MAX_BYTES || max->length > STAT_MAX_BYTES))
        return false;
    return found;
}

static bool page_min_max(flush_state *st, uint64_t v0, uint64_t v1, parquet_bytes *min,
                         parquet_bytes *max)
{
    const parquet_column_writer *c = st->c;
    bool per_entry = st->use_dictionary && c->type.id != TYPE_INTERVAL &&
                     c->physical != PARQUET_INT32 && c->physical != PARQUET_INT64;
    return per_entry ? find_min_max_entries(st, v0, v1, min, max)
                     : find_min_max(c, v0, v1, min, max);
}

static arm_status write_data_page(flush_state *st, uint64_t r0, uint64_t r1, uint64_t v0,
                                  uint64_t v1, arm_error *err)
{
    parquet_column_writer *c = st->c;
    bool v2 = st->options->data_page_v2;
    int64_t nulls = (int64_t)((r1 - r0) - (v1 - v0));
    st->body.size = 0;
    if (c->is_nullable && !encode_levels(st, r0, r1))
        return error_out_of_memory(err);
    if (c->is_nullable && !v2) {
        uint32_t length = (uint32_t)st->levels.size;
        parquet_byte_buffer_append(&st->body, &length, 4);
        parquet_byte_buffer_append(&st->body, st->levels.data, st->levels.size);
    }
    if (st->use_dictionary) {
        uint8_t width = (uint8_t)dictionary_bit_width(&st->dict);
        parquet_byte_buffer_append(&st->body, &width, 1);
        parquet_rle_encode(&st->body, st->dict.indexes + v0, (uint32_t)(v1 - v0), width);
    } else if (st->use_delta) {
        parquet_delta_encode(&st->body, (const int64_t *)(const void *)c->values.data + v0,
                             (uint32_t)(v1 - v0));
    } else {
        encode_plain(st, NULL, v0, v1, &st->body);
    }
    if (st->body.failed || st->temp.failed)
        return error_out_of_memory(err);
    parquet_bytes min = {0}, max = {0};
    bool has_min_max = page_min_max(st, v0, v1, &min, &max);
    if (has_min_max && (!copy_stat(c, st->a, &min, false) || !copy_stat(c, st->a, &max, true)))
        return error_out_of_memory(err);
    parquet_page_header h;
    memset(&h, 0, sizeof h);
    parquet_encoding encoding = st->use_dictionary ? PARQUET_ENC_RLE_DICTIONARY
                                : st->use_delta    ? PARQUET_ENC_DELTA_BINARY_PACKED
                                                   : PARQUET_ENC_PLAIN;
    parquet_statistics *stats;
    size_t prefix = 0;
    if (v2) {
        h.type = PARQUET_PAGE_DATA_V2;
        h.has_data_page_v2 = true;
        h.data_page_v2 = (parquet_data_page_header_v2){(int32_t)(r1 - r0),
                                                       (int32_t)nulls,
                                                       (int32_t)(r1 - r0),
                                                       encoding,
                                                       (int32_t)st->levels.size * c->is_nullable,
                                                       0,
                                                       true,
                                                       true,
                                                       {0}};
        stats = &h.data_page_v2.statistics;
        prefix = c->is_nullable ? st->levels.size : 0;
    } else {
        h.type = PARQUET_PAGE_DATA;
        h.has_data_page = true;
        h.data_page = (parquet_data_page_header){(int32_t)(r1 - r0), encoding, PARQUET_ENC_RLE,
                                                 PARQUET_ENC_RLE,    true,     {0}};
        stats = &h.data_page.statistics;
    }
    page_statistics(stats, nulls, has_min_max, min, max);
    /* Where PLAIN values start in the page: after the levels (v1: in the body, behind their
     * 4-byte length; v2: the prefix). */
    size_t values_at = SIZE_MAX;
    if (encoding == PARQUET_ENC_PLAIN)
        values_at = v2 ? prefix : c->is_nullable ? 4 + st->levels.size : 0;
    int64_t offset = (int64_t)st->sink->offset;
    arm_status status =
        emit_page(st, &h, st->levels.data, prefix, st->body.data, st->body.size, values_at, err);
    if (status != ARM_OK)
        return status;
    return record_page(st, offset, r0, nulls, has_min_max, min, max, err);
}

/* The end row of the page starting at row r0 / value *v (advanced to the page's end). */
static uint64_t cut_page(flush_state *st, uint64_t r0, uint64_t *v)
{
    const parquet_column_writer *c = st->c;
    uint64_t budget_bits = (uint64_t)st->options->page_size_bytes * 8, bits = 0, r = r0;
    uint32_t dict_width = st->use_dictionary ? dictionary_bit_width(&st->dict) : 0;
    if (c->physical != PARQUET_BYTE_ARRAY && c->value_count == c->row_count) {
        /* No NULLs, fixed width: every row costs the same, so the loop below has a closed form. */
        uint64_t per_row = 1 + (st->use_dictionary               ? dict_width
                                : c->physical == PARQUET_BOOLEAN ? 1
                                                                 : (uint64_t)c->physical_size * 8);
        uint64_t rows = (budget_bits + per_row - 1) / per_row;
        if (rows == 0)
            rows = 1;
        if (rows > c->row_count - r0)
            rows = c->row_count - r0;
        *v += rows;
        return r0 + rows;
    }
    while (r < c->row_count && bits < budget_bits) {
        bool valid = !c->is_nullable || c->levels.data[r];
        bits += 1;
        if (valid) {
            uint32_t length = c->physical_size;
            if (c->physical == PARQUET_BYTE_ARRAY)
                value_at(c, *v, &length), length += 4;
            bits += st->use_dictionary               ? dict_width
                    : c->physical == PARQUET_BOOLEAN ? 1
                                                     : (uint64_t)length * 8;
            (*v)++;
        }
        r++;
    }
    return r;
}

/* The delta between value i - 1 and value i of an INT64 column, wrapping as the encoding does. */
static uint64_t delta_at(const uint8_t *values, uint64_t i)
{
    uint64_t previous, current;
    memcpy(&previous, values + (i - 1) * 8, 8);
    memcpy(&current, values + i * 8, 8);
    return current - previous;
}

/*
 * Bytes DELTA_BINARY_PACKED takes for the chunk's INT64 values, counted as
 * the encoder packs them (blocks of 128 deltas less their minimum,
 * miniblocks of 32 at the width of their widest), so a few outliers cost
 * only their miniblocks.
 */
static uint64_t delta_size(const parquet_column_writer *c)
{
    const uint8_t *values = c->values.data;
    uint64_t bits = 0, n = c->value_count;
    for (uint64_t block = 1; block < n; block += 128) {
        uint64_t end = n - block > 128 ? block + 128 : n;
        int64_t low = INT64_MAX;
        for (uint64_t i = block; i < end; i++) {
            int64_t delta = (int64_t)delta_at(values, i);
            low = delta < low ? delta : low;
        }
        bits += 8 * (10 + 4); /* the minimum (a varint) and the widths */
        for (uint64_t m = block; m < end; m += 32) {
            uint64_t spread = 0, m_end = end - m > 32 ? m + 32 : end;
            for (uint64_t i = m; i < m_end; i++)
                spread |= delta_at(values, i) - (uint64_t)low;
            bits += 32 * (spread ? 64 - (uint64_t)__builtin_clzll(spread) : 0);
        }
    }
    return bits / 8 + 32;
}

/*
 * With options->delta_int64, an INT64 chunk is DELTA_BINARY_PACKED when that
 * takes at most a quarter of PLAIN's bytes and fewer than the dictionary
 * would (integers are decoded flat either way, so a dictionary buys a
 * reader nothing but bytes). Decoding it is a bit unpack and a running sum,
 * several times faster than decompressing PLAIN bytes or a dictionary
 * (docs/decisions.md, "Delta-encoded integer chunks").
 */
static void choose_delta(flush_state *st)
{
    const parquet_column_writer *c = st->c;
    if (!st->options->delta_int64 || c->physical != PARQUET_INT64 || c->value_count < 2)
        return;
    uint64_t size = delta_size(c);
    if (size * 4 <= c->value_count * 8 &&
        (!st->use_dictionary || size < dictionary_size(&st->dict, c))) {
        st->use_delta = true;
        st->use_dictionary = false;
    }
}

static void fill_chunk_meta(flush_state *st, parquet_column_chunk *chunk, int64_t start,
                            int64_t data_offset)
{
    parquet_column_writer *c = st->c;
    parquet_column_meta *m = &chunk->meta;
    static parquet_encoding plain_encodings[] = {PARQUET_ENC_PLAIN, PARQUET_ENC_RLE};
    static parquet_encoding dict_encodings[] = {PARQUET_ENC_PLAIN, PARQUET_ENC_RLE,
                                                PARQUET_ENC_RLE_DICTIONARY};
    chunk->file_offset = start;
    chunk->has_meta = true;
    m->type = c->physical;
    static parquet_encoding delta_encodings[] = {PARQUET_ENC_RLE, PARQUET_ENC_DELTA_BINARY_PACKED};
    m->encodings = st->use_dictionary ? dict_encodings
                   : st->use_delta    ? delta_encodings
                                      : plain_encodings;
    m->encoding_count = st->use_dictionary ? 3 : 2;
    m->path = &c->name;
    m->path_count = 1;
    m->codec = st->codec;
    m->num_values = (int64_t)c->row_count;
    m->total_uncompressed_size = st->total_uncompressed;
    m->total_compressed_size = st->total_compressed;
    m->data_page_offset = data_offset;
    m->has_dictionary_page_offset = st->use_dictionary;
    m->dictionary_page_offset = st->use_dictionary ? start : 0;
    m->has_statistics = true;
    page_statistics(&m->statistics, st->null_count, st->has_min_max, st->min, st->max);
}

static void flush_state_dispose(flush_state *st)
{
    if (st == NULL)
        return;
    dictionary_dispose(&st->dict);
    free(st->entry_seen);
    parquet_byte_buffer_dispose(&st->body);
    parquet_byte_buffer_dispose(&st->levels);
    parquet_byte_buffer_dispose(&st->compressed);
    parquet_byte_buffer_dispose(&st->temp);
    thrift_writer_dispose(&st->header);
    free(st);
}

/* The column's flush state: buffers persist across row groups, the rest is reset. */
static flush_state *flush_state_begin(parquet_column_writer *c,
                                      const parquet_writer_options *options, parquet_sink *sink,
                                      arena *a)
{
    flush_state *st = c->flush_scratch;
    if (st == NULL) {
        st = calloc(1, sizeof *st);
        if (st == NULL)
            return NULL;
        thrift_writer_init(&st->header);
        c->flush_scratch = st;
    }
    st->c = c, st->options = options, st->sink = sink, st->a = a;
    st->use_dictionary = st->use_delta = false;
    st->total_compressed = st->total_uncompressed = st->null_count = 0;
    st->codec = options->codec;
    st->codec_decided = false;
    st->has_min_max = false;
    st->body.failed = st->levels.failed = st->compressed.failed = st->temp.failed = false;
    return st;
}

arm_status parquet_column_writer_flush(parquet_column_writer *c,
                                       const parquet_writer_options *options, parquet_sink *sink,
                                       arena *a, parquet_column_chunk *chunk, arm_error *err)
{
    memset(chunk, 0, sizeof *chunk);
    flush_state *st = flush_state_begin(c, options, sink, a);
    if (st == NULL)
        return error_out_of_memory(err);
    c->page_count = 0;
    st->use_dictionary = options->use_dictionary && c->physical != PARQUET_BOOLEAN &&
                         dictionary_build(&st->dict, c, options->dictionary_max_bytes) &&
                         dictionary_pays(&st->dict, c);
    choose_delta(st);
    int64_t start = (int64_t)sink->offset;
    arm_status status = ARM_OK;
    if (st->use_dictionary)
        status = write_dictionary_page(st, err);
    int64_t data_offset = (int64_t)sink->offset;
    uint64_t r0 = 0, v0 = 0;
    while (status == ARM_OK && r0 < c->row_count) {
        uint64_t v1 = v0;
        uint64_t r1 = cut_page(st, r0, &v1);
        status = write_data_page(st, r0, r1, v0, v1, err);
        r0 = r1, v0 = v1;
    }
    if (status == ARM_OK)
        fill_chunk_meta(st, chunk, start, data_offset);
    c->values.size = c->ends.size = c->levels.size = 0;
    c->value_count = c->row_count = 0;
    return status;
}

static void flush_scratch_free(void *scratch)
{
    flush_state_dispose(scratch);
}
