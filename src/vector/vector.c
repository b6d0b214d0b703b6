/*
 * vector.c: column vectors and batches (see vector.h). Buffers are reused
 * while unique so that steady-state batch processing does not allocate;
 * sharing (vector_reference) is a refcount bump, never a copy.
 */
#include "vector/vector.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"

#define STRING_HEAP_MIN_BYTES 65536

void vector_init(vector *v, logical_type type)
{
    memset(v, 0, sizeof *v);
    v->type = type;
    v->kind = VECTOR_FLAT;
}

static void drop_keep_alive(vector *v, buffer *except)
{
    for (uint32_t i = 0; i < v->keep_alive_count; i++) {
        if (v->keep_alive[i] != except)
            buffer_release(v->keep_alive[i]);
    }
    v->keep_alive_count = 0;
}

static void drop_dictionary(vector *v)
{
    if (v->dictionary != NULL) {
        vector_dispose(v->dictionary);
        free(v->dictionary);
        v->dictionary = NULL;
    }
}

void vector_dispose(vector *v)
{
    if (v == NULL)
        return;
    buffer_release(v->data_buffer);
    buffer_release(v->validity_buffer);
    drop_keep_alive(v, NULL);
    free(v->keep_alive);
    drop_dictionary(v);
    logical_type type = v->type;
    memset(v, 0, sizeof *v);
    v->type = type;
}

arm_status vector_keep_alive(vector *v, buffer *b, arm_error *err)
{
    if (b == NULL)
        return ARM_OK;
    for (uint32_t i = v->keep_alive_count; i > 0 && i + 4 > v->keep_alive_count; i--) {
        if (v->keep_alive[i - 1] == b)
            return ARM_OK;
    }
    if (v->keep_alive_count == v->keep_alive_capacity) {
        uint32_t capacity = v->keep_alive_capacity ? v->keep_alive_capacity * 2 : 4;
        buffer **grown = realloc(v->keep_alive, capacity * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(err);
        v->keep_alive = grown;
        v->keep_alive_capacity = capacity;
    }
    v->keep_alive[v->keep_alive_count++] = buffer_retain(b);
    return ARM_OK;
}

arm_status vector_prepare_flat(vector *v, uint32_t capacity, arm_error *err)
{
    size_t width = type_physical_size(v->type);
    drop_dictionary(v);
    /* Keep a unique string heap for reuse; everything else kept alive goes. */
    buffer *heap = v->string_heap;
    bool reuse_heap = heap != NULL && buffer_is_unique(heap);
    drop_keep_alive(v, reuse_heap ? heap : NULL);
    v->string_heap = NULL;
    if (reuse_heap) {
        heap->size_bytes = 0;
        v->keep_alive[v->keep_alive_count++] = heap;
        v->string_heap = heap;
    }
    if (v->data_buffer == NULL || !buffer_is_unique(v->data_buffer) ||
        v->data_buffer->capacity_bytes < (size_t)capacity * width) {
        buffer_release(v->data_buffer);
        /* Small requests (constants) stay small; batches grow to VECTOR_SIZE once. */
        uint32_t rows = capacity <= 1 ? 1 : capacity < VECTOR_SIZE ? VECTOR_SIZE : capacity;
        v->data_buffer = buffer_create((size_t)rows * width);
        if (v->data_buffer == NULL) {
            v->capacity = 0;
            v->data = NULL;
            return error_out_of_memory(err);
        }
        v->capacity = rows;
    } else {
        v->capacity = (uint32_t)(v->data_buffer->capacity_bytes / width);
    }
    v->data = v->data_buffer->data;
    v->validity = NULL;
    v->kind = VECTOR_FLAT;
    return ARM_OK;
}

arm_status vector_view(vector *v, const void *data, uint32_t rows, buffer *owner, arm_error *err)
{
    drop_dictionary(v);
    drop_keep_alive(v, NULL);
    v->string_heap = NULL;
    if (vector_keep_alive(v, owner, err) != ARM_OK)
        return ARM_ERROR_OUT_OF_MEMORY;
    v->data = (void *)data;
    v->capacity = rows;
    v->validity = NULL;
    v->kind = VECTOR_FLAT;
    return ARM_OK;
}

arm_status vector_ensure_validity(vector *v, arm_error *err)
{
    if (v->validity != NULL)
        return ARM_OK;
    uint32_t rows = v->capacity ? v->capacity : 1;
    size_t bytes = ((size_t)rows + 63) / 64 * 8;
    if (v->validity_buffer == NULL || !buffer_is_unique(v->validity_buffer) ||
        v->validity_buffer->capacity_bytes < bytes) {
        buffer_release(v->validity_buffer);
        v->validity_buffer = buffer_create(bytes);
        if (v->validity_buffer == NULL)
            return error_out_of_memory(err);
    }
    v->validity = v->validity_buffer->data;
    memset(v->validity, 0xff, bytes);
    return ARM_OK;
}

arm_status vector_reference(vector *v, const vector *src, arm_error *err)
{
    if (v == src)
        return ARM_OK;
    buffer *data_buffer = buffer_retain(src->data_buffer);
    buffer *validity_buffer = buffer_retain(src->validity_buffer);
    vector *dictionary = NULL;
    if (src->dictionary != NULL) {
        dictionary = malloc(sizeof *dictionary);
        if (dictionary == NULL) {
            buffer_release(data_buffer);
            buffer_release(validity_buffer);
            return error_out_of_memory(err);
        }
        vector_init(dictionary, src->dictionary->type);
        if (vector_reference(dictionary, src->dictionary, err) != ARM_OK) {
            free(dictionary);
            buffer_release(data_buffer);
            buffer_release(validity_buffer);
            return err ? err->status : ARM_ERROR_OUT_OF_MEMORY;
        }
    }
    buffer_release(v->data_buffer);
    buffer_release(v->validity_buffer);
    drop_keep_alive(v, NULL);
    drop_dictionary(v);
    v->type = src->type;
    v->kind = src->kind;
    v->data = src->data;
    v->validity = src->validity;
    v->data_buffer = data_buffer;
    v->validity_buffer = validity_buffer;
    v->dictionary = dictionary;
    v->capacity = src->capacity;
    v->string_heap = NULL;
    for (uint32_t i = 0; i < src->keep_alive_count; i++) {
        if (vector_keep_alive(v, src->keep_alive[i], err) != ARM_OK)
            return ARM_ERROR_OUT_OF_MEMORY;
    }
    return ARM_OK;
}

arm_status vector_add_string(vector *v, const char *data, uint32_t length, string_view *out,
                             arm_error *err)
{
    if (length <= STRING_VIEW_INLINE_MAX) {
        *out = string_view_make(data, length);
        return ARM_OK;
    }
    buffer *heap = v->string_heap;
    if (heap == NULL || heap->capacity_bytes - heap->size_bytes < length) {
        size_t capacity = length > STRING_HEAP_MIN_BYTES ? length : STRING_HEAP_MIN_BYTES;
        if (heap != NULL && heap->capacity_bytes * 2 > capacity && capacity < (1u << 24))
            capacity =
                heap->capacity_bytes * 2 > (1u << 24) ? (1u << 24) : heap->capacity_bytes * 2;
        if (capacity < length)
            capacity = length;
        heap = buffer_create(capacity);
        if (heap == NULL)
            return error_out_of_memory(err);
        arm_status s = vector_keep_alive(v, heap, err);
        buffer_release(heap); /* keep_alive holds the reference */
        if (s != ARM_OK)
            return s;
        v->string_heap = heap;
    }
    char *target = (char *)heap->data + heap->size_bytes;
    memcpy(target, data, length);
    heap->size_bytes += length;
    *out = string_view_make(target, length);
    return ARM_OK;
}

void vector_get_value(const vector *v, uint32_t row, value *out)
{
    memset(out, 0, sizeof *out);
    out->type = v->type;
    if (v->kind == VECTOR_CONSTANT)
        row = 0;
    if (!vector_is_valid(v, row)) {
        out->is_null = true;
        return;
    }
    if (v->kind == VECTOR_DICTIONARY) {
        vector_get_value(v->dictionary, ((const uint32_t *)v->data)[row], out);
        return;
    }
    const void *data = v->data;
    switch (v->type.id) {
    case TYPE_BOOLEAN: out->u.boolean = ((const uint8_t *)data)[row] != 0; break;
    case TYPE_TINYINT: out->u.i64 = ((const int8_t *)data)[row]; break;
    case TYPE_SMALLINT: out->u.i64 = ((const int16_t *)data)[row]; break;
    case TYPE_INTEGER:
    case TYPE_DATE: out->u.i64 = ((const int32_t *)data)[row]; break;
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: out->u.i64 = ((const int64_t *)data)[row]; break;
    case TYPE_REAL: out->u.f32 = ((const float *)data)[row]; break;
    case TYPE_DOUBLE: out->u.f64 = ((const double *)data)[row]; break;
    case TYPE_DECIMAL:
        if (v->type.precision <= DECIMAL_INT64_MAX_PRECISION)
            out->u.i64 = ((const int64_t *)data)[row];
        else
            out->u.i128 = ((const int128 *)data)[row];
        break;
    case TYPE_VARCHAR:
    case TYPE_BLOB: {
        const string_view *s = &((const string_view *)data)[row];
        out->u.str.data = string_view_data(s);
        out->u.str.length = s->length;
        break;
    }
    case TYPE_INTERVAL: out->u.interval = ((const interval_value *)data)[row]; break;
    default: out->is_null = true; break;
    }
}

arm_status vector_set_value(vector *v, uint32_t row, const value *val, arm_error *err)
{
    if (val->is_null || val->type.id == TYPE_NULL) {
        arm_status s = vector_ensure_validity(v, err);
        if (s != ARM_OK)
            return s;
        vector_set_null(v, row);
        return ARM_OK;
    }
    if (v->validity != NULL)
        vector_set_valid(v, row);
    void *data = v->data;
    switch (v->type.id) {
    case TYPE_BOOLEAN: ((uint8_t *)data)[row] = val->u.boolean ? 1 : 0; break;
    case TYPE_TINYINT: ((int8_t *)data)[row] = (int8_t)val->u.i64; break;
    case TYPE_SMALLINT: ((int16_t *)data)[row] = (int16_t)val->u.i64; break;
    case TYPE_INTEGER:
    case TYPE_DATE: ((int32_t *)data)[row] = (int32_t)val->u.i64; break;
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: ((int64_t *)data)[row] = val->u.i64; break;
    case TYPE_REAL: ((float *)data)[row] = val->u.f32; break;
    case TYPE_DOUBLE: ((double *)data)[row] = val->u.f64; break;
    case TYPE_DECIMAL:
        if (v->type.precision <= DECIMAL_INT64_MAX_PRECISION)
            ((int64_t *)data)[row] = val->u.i64;
        else
            ((int128 *)data)[row] = val->u.i128;
        break;
    case TYPE_VARCHAR:
    case TYPE_BLOB:
        return vector_add_string(v, val->u.str.data, val->u.str.length, &((string_view *)data)[row],
                                 err);
    case TYPE_INTERVAL: ((interval_value *)data)[row] = val->u.interval; break;
    case TYPE_NULL: break;
    default: return error_internal(err, "vector_set_value: bad type");
    }
    return ARM_OK;
}

arm_status vector_set_constant(vector *v, const value *val, arm_error *err)
{
    arm_status s = vector_prepare_flat(v, 1, err);
    if (s != ARM_OK)
        return s;
    s = vector_set_value(v, 0, val, err);
    v->kind = VECTOR_CONSTANT;
    return s;
}

/* Grows a writable flat vector to `capacity` rows, keeping its first `keep_rows` rows. */
static arm_status grow_flat(vector *v, uint32_t capacity, uint32_t keep_rows, arm_error *err)
{
    if (v->capacity >= capacity && v->data_buffer != NULL && buffer_is_unique(v->data_buffer) &&
        v->data == v->data_buffer->data)
        return ARM_OK;
    size_t width = type_physical_size(v->type);
    /* The first allocation is exact (a filtered result batch holds few rows); growth doubles. */
    uint32_t rows = keep_rows == 0               ? capacity
                    : v->capacity * 2 > capacity ? v->capacity * 2
                                                 : capacity;
    if (rows < 16)
        rows = 16;
    buffer *data = buffer_create((size_t)rows * width);
    if (data == NULL)
        return error_out_of_memory(err);
    if (keep_rows > 0)
        memcpy(data->data, v->data, (size_t)keep_rows * width);
    buffer *validity = NULL;
    if (v->validity != NULL) {
        validity = buffer_create(((size_t)rows + 63) / 64 * 8);
        if (validity == NULL) {
            buffer_release(data);
            return error_out_of_memory(err);
        }
        memset(validity->data, 0xff, ((size_t)rows + 63) / 64 * 8);
        memcpy(validity->data, v->validity, ((size_t)keep_rows + 63) / 64 * 8);
    }
    buffer_release(v->data_buffer);
    buffer_release(v->validity_buffer);
    v->data_buffer = data;
    v->validity_buffer = validity;
    v->data = data->data;
    v->validity = validity ? validity->data : NULL;
    v->capacity = rows;
    return ARM_OK;
}

arm_status vector_reserve(vector *v, uint32_t capacity, uint32_t keep_rows, arm_error *err)
{
    return grow_flat(v, capacity, keep_rows, err);
}

/* Copies row `from` of flat `src` into row `to` of flat `dst` (values only). */
static inline void copy_value(void *dst, uint32_t to, const void *src, uint32_t from, size_t width)
{
    switch (width) {
    case 1: ((uint8_t *)dst)[to] = ((const uint8_t *)src)[from]; break;
    case 2: ((uint16_t *)dst)[to] = ((const uint16_t *)src)[from]; break;
    case 4: ((uint32_t *)dst)[to] = ((const uint32_t *)src)[from]; break;
    case 8: ((uint64_t *)dst)[to] = ((const uint64_t *)src)[from]; break;
    default:
        memcpy((char *)dst + (size_t)to * width, (const char *)src + (size_t)from * width, width);
    }
}

arm_status vector_copy_rows(vector *dst, uint32_t dst_offset, const vector *src,
                            const uint32_t *sel, uint32_t count, arm_error *err)
{
    arm_status s = grow_flat(dst, dst_offset + count, dst_offset, err);
    if (s != ARM_OK)
        return s;
    const vector *values = src->kind == VECTOR_DICTIONARY ? src->dictionary : src;
    for (uint32_t i = 0; i < values->keep_alive_count; i++) {
        if ((s = vector_keep_alive(dst, values->keep_alive[i], err)) != ARM_OK)
            return s;
    }
    if (type_is_string(dst->type.id) && values->data_buffer != NULL &&
        (s = vector_keep_alive(dst, values->data_buffer, err)) != ARM_OK)
        return s;
    size_t width = type_physical_size(dst->type);
    bool any_null = src->validity != NULL ||
                    (src->kind == VECTOR_DICTIONARY && src->dictionary->validity != NULL);
    if (!any_null && src->kind == VECTOR_FLAT && sel != NULL && (width == 8 || width == 4)) {
        /* the common gather: flat, no NULLs, 4- or 8-byte values */
        if (width == 8) {
            uint64_t *d = (uint64_t *)dst->data + dst_offset;
            const uint64_t *v = src->data;
            for (uint32_t i = 0; i < count; i++)
                d[i] = v[sel[i]];
        } else {
            uint32_t *d = (uint32_t *)dst->data + dst_offset;
            const uint32_t *v = src->data;
            for (uint32_t i = 0; i < count; i++)
                d[i] = v[sel[i]];
        }
        if (dst->validity != NULL)
            for (uint32_t i = 0; i < count; i++)
                vector_set_valid(dst, dst_offset + i);
        return ARM_OK;
    }
    if (!any_null && src->kind == VECTOR_FLAT && sel == NULL) { /* a run: one copy */
        if (count > 0)
            memcpy((uint8_t *)dst->data + (size_t)dst_offset * width, src->data,
                   (size_t)count * width);
        if (dst->validity != NULL)
            for (uint32_t i = 0; i < count; i++)
                vector_set_valid(dst, dst_offset + i);
        return ARM_OK;
    }
    if (!any_null && src->kind == VECTOR_DICTIONARY && width == 16) {
        /* dictionary-encoded strings without NULLs: gather the views by index */
        const uint32_t *index = src->data;
        const string_view *v = values->data;
        string_view *d = (string_view *)dst->data + dst_offset;
        for (uint32_t i = 0; i < count; i++)
            d[i] = v[index[sel ? sel[i] : i]];
        if (dst->validity != NULL)
            for (uint32_t i = 0; i < count; i++)
                vector_set_valid(dst, dst_offset + i);
        return ARM_OK;
    }
    if (any_null && (s = vector_ensure_validity(dst, err)) != ARM_OK)
        return s;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        uint32_t from = src->kind == VECTOR_CONSTANT ? 0 : row;
        uint32_t to = dst_offset + i;
        if (!vector_is_valid(src, row)) {
            vector_set_null(dst, to);
            continue;
        }
        if (src->kind == VECTOR_DICTIONARY)
            from = ((const uint32_t *)src->data)[row];
        if (any_null) {
            if (vector_is_valid(values, from))
                vector_set_valid(dst, to);
            else
                vector_set_null(dst, to);
        }
        copy_value(dst->data, to, values->data, from, width);
    }
    return ARM_OK;
}

arm_status vector_attach_dictionary(vector *v, const vector *dictionary, arm_error *err)
{
    if (v->dictionary == NULL) {
        v->dictionary = malloc(sizeof *v->dictionary);
        if (v->dictionary == NULL)
            return error_out_of_memory(err);
        vector_init(v->dictionary, dictionary->type);
    }
    arm_status s = vector_reference(v->dictionary, dictionary, err);
    if (s != ARM_OK) {
        drop_dictionary(v);
        return s;
    }
    v->kind = VECTOR_DICTIONARY;
    return ARM_OK;
}

arm_status vector_flatten(vector *v, const uint32_t *sel, uint32_t count, arm_error *err)
{
    if (v->kind == VECTOR_FLAT)
        return ARM_OK;
    uint32_t rows = sel && count ? sel[count - 1] + 1 : count;
    vector flat;
    vector_init(&flat, v->type);
    arm_status s = vector_prepare_flat(&flat, rows, err);
    if (s != ARM_OK)
        goto cleanup;
    /* Copy selected rows to the same physical positions. */
    const vector *values = v->kind == VECTOR_DICTIONARY ? v->dictionary : v;
    for (uint32_t i = 0; i < values->keep_alive_count; i++) {
        if ((s = vector_keep_alive(&flat, values->keep_alive[i], err)) != ARM_OK)
            goto cleanup;
    }
    if (type_is_string(v->type.id) && values->data_buffer != NULL &&
        (s = vector_keep_alive(&flat, values->data_buffer, err)) != ARM_OK)
        goto cleanup;
    size_t width = type_physical_size(v->type);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        uint32_t from = v->kind == VECTOR_CONSTANT ? 0 : ((const uint32_t *)v->data)[row];
        bool valid = vector_is_valid(v, row) && vector_is_valid(values, from);
        if (!valid) {
            if ((s = vector_ensure_validity(&flat, err)) != ARM_OK)
                goto cleanup;
            vector_set_null(&flat, row);
            continue;
        }
        copy_value(flat.data, row, values->data, from, width);
    }
    s = vector_reference(v, &flat, err);
cleanup:
    vector_dispose(&flat);
    return s;
}

arm_status batch_init(batch *b, uint32_t column_count, const logical_type *types, arm_error *err)
{
    memset(b, 0, sizeof *b);
    b->columns = calloc(column_count ? column_count : 1, sizeof *b->columns);
    b->sel_storage = malloc(VECTOR_SIZE * sizeof *b->sel_storage);
    if (b->columns == NULL || b->sel_storage == NULL) {
        free(b->columns);
        free(b->sel_storage);
        memset(b, 0, sizeof *b);
        return error_out_of_memory(err);
    }
    b->column_count = column_count;
    for (uint32_t i = 0; i < column_count; i++)
        vector_init(&b->columns[i], types[i]);
    return ARM_OK;
}

void batch_dispose(batch *b)
{
    if (b == NULL)
        return;
    for (uint32_t i = 0; i < b->column_count; i++)
        vector_dispose(&b->columns[i]);
    free(b->columns);
    free(b->sel_storage);
    memset(b, 0, sizeof *b);
}

void batch_reset(batch *b)
{
    b->count = 0;
    b->sel = NULL;
    b->sequence = 0;
}
