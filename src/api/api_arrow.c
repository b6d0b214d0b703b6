/*
 * api_arrow.c: results as an Arrow C stream. Fixed-width columns (integers,
 * floats, dates, timestamps, wide decimals) and validity bitmaps are shared
 * zero-copy: the exported array keeps our buffers alive. Booleans are packed
 * into bits, narrow decimals widened to 128 bits, intervals converted to
 * month-day-nano, and strings exported as Arrow utf8/binary (offsets + bytes,
 * copied); see docs/decisions.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "common/error.h"

typedef struct arrow_stream_state {
    arm_result *result;
    uint32_t next_batch;
    char last_error[256];
} arrow_stream_state;

/* What one exported column array owns. */
typedef struct column_private {
    vector shared; /* references our buffers (zero-copy) */
    void *owned[3];
    const void *buffers[3];
} column_private;

typedef struct batch_private {
    struct ArrowArray **children;
    uint32_t child_count;
} batch_private;

static const char *arrow_format(logical_type t, char *buf, size_t capacity)
{
    switch (t.id) {
    case TYPE_BOOLEAN: return "b";
    case TYPE_TINYINT: return "c";
    case TYPE_SMALLINT: return "s";
    case TYPE_INTEGER: return "i";
    case TYPE_BIGINT: return "l";
    case TYPE_REAL: return "f";
    case TYPE_DOUBLE: return "g";
    case TYPE_DECIMAL: snprintf(buf, capacity, "d:%u,%u", t.precision, t.scale); return buf;
    case TYPE_VARCHAR: return "u";
    case TYPE_BLOB: return "z";
    case TYPE_DATE: return "tdD";
    case TYPE_TIMESTAMP: return "tsu:";
    case TYPE_INTERVAL: return "tin";
    default: return "n";
    }
}

static void release_schema(struct ArrowSchema *schema)
{
    for (int64_t i = 0; i < schema->n_children; i++) {
        struct ArrowSchema *child = schema->children[i];
        if (child->release)
            child->release(child);
        free(child);
    }
    free(schema->children);
    free((void *)schema->format);
    free((void *)schema->name);
    schema->release = NULL;
}

static int fill_schema(const result_set *rs, struct ArrowSchema *out)
{
    memset(out, 0, sizeof *out);
    out->format = strdup("+s");
    out->name = strdup("");
    out->n_children = rs->column_count;
    out->children = calloc(rs->column_count ? rs->column_count : 1, sizeof *out->children);
    out->release = release_schema;
    if (out->format == NULL || out->name == NULL || out->children == NULL)
        return ENOMEM;
    for (uint32_t c = 0; c < rs->column_count; c++) {
        struct ArrowSchema *child = calloc(1, sizeof *child);
        if (child == NULL)
            return ENOMEM;
        out->children[c] = child;
        char buf[32];
        child->format = strdup(arrow_format(rs->column_types[c], buf, sizeof buf));
        child->name = strdup(rs->column_names[c]);
        child->flags = ARROW_FLAG_NULLABLE;
        child->release = release_schema;
        if (child->format == NULL || child->name == NULL)
            return ENOMEM;
    }
    return 0;
}

static void release_column(struct ArrowArray *array)
{
    column_private *priv = array->private_data;
    vector_dispose(&priv->shared);
    for (int i = 0; i < 3; i++)
        free(priv->owned[i]);
    free(priv);
    array->release = NULL;
}

static int64_t count_nulls(const vector *v, uint32_t count)
{
    if (v->validity == NULL)
        return 0;
    int64_t nulls = 0;
    for (uint32_t i = 0; i < count; i++)
        nulls += !vector_is_valid(v, i);
    return nulls;
}

/* Converts column values that Arrow lays out differently; false on OOM. */
static bool convert_values(const vector *v, uint32_t count, column_private *priv,
                           int64_t *n_buffers)
{
    logical_type t = v->type;
    if (t.id == TYPE_BOOLEAN) {
        uint8_t *bits = calloc((count + 7) / 8 + 1, 1);
        if (bits == NULL)
            return false;
        for (uint32_t i = 0; i < count; i++)
            if (((const uint8_t *)v->data)[i])
                bits[i / 8] |= (uint8_t)(1u << (i % 8));
        priv->owned[1] = bits;
        priv->buffers[1] = bits;
    } else if (t.id == TYPE_DECIMAL && t.precision <= DECIMAL_INT64_MAX_PRECISION) {
        int128 *wide = malloc((size_t)(count ? count : 1) * sizeof *wide);
        if (wide == NULL)
            return false;
        for (uint32_t i = 0; i < count; i++)
            wide[i] = ((const int64_t *)v->data)[i];
        priv->owned[1] = wide;
        priv->buffers[1] = wide;
    } else if (t.id == TYPE_INTERVAL) {
        struct mdn {
            int32_t months, days;
            int64_t nanos;
        } *out = malloc((size_t)(count ? count : 1) * sizeof *out);
        if (out == NULL)
            return false;
        for (uint32_t i = 0; i < count; i++) {
            const interval_value *iv = &((const interval_value *)v->data)[i];
            out[i].months = iv->months;
            out[i].days = iv->days;
            if (!vector_is_valid(v, i) || __builtin_mul_overflow(iv->micros, 1000, &out[i].nanos))
                out[i].nanos = vector_is_valid(v, i) ? (iv->micros < 0 ? INT64_MIN : INT64_MAX) : 0;
        }
        priv->owned[1] = out;
        priv->buffers[1] = out;
    } else if (type_is_string(t.id)) {
        int32_t *offsets = malloc(((size_t)count + 1) * sizeof *offsets);
        size_t total = 0;
        for (uint32_t i = 0; i < count; i++)
            total += vector_is_valid(v, i) ? ((const string_view *)v->data)[i].length : 0;
        char *bytes = malloc(total ? total : 1);
        if (offsets == NULL || bytes == NULL || total > INT32_MAX) {
            free(offsets);
            free(bytes);
            return false;
        }
        size_t at = 0;
        for (uint32_t i = 0; i < count; i++) {
            offsets[i] = (int32_t)at;
            if (!vector_is_valid(v, i))
                continue;
            const string_view *s = &((const string_view *)v->data)[i];
            memcpy(bytes + at, string_view_data(s), s->length);
            at += s->length;
        }
        offsets[count] = (int32_t)at;
        priv->owned[1] = offsets;
        priv->owned[2] = bytes;
        priv->buffers[1] = offsets;
        priv->buffers[2] = bytes;
        *n_buffers = 3;
    } else {
        priv->buffers[1] = v->data; /* zero-copy: `shared` keeps the buffer alive */
    }
    return true;
}

static int export_column(const vector *v, uint32_t count, struct ArrowArray *out)
{
    memset(out, 0, sizeof *out);
    column_private *priv = calloc(1, sizeof *priv);
    if (priv == NULL)
        return ENOMEM;
    vector_init(&priv->shared, v->type);
    /* Results may keep dictionary-encoded strings: Arrow gets them decoded. */
    if (vector_reference(&priv->shared, v, NULL) != ARM_OK ||
        vector_flatten(&priv->shared, NULL, count, NULL) != ARM_OK) {
        vector_dispose(&priv->shared);
        free(priv);
        return ENOMEM;
    }
    v = &priv->shared;
    out->private_data = priv;
    out->release = release_column;
    out->length = count;
    out->n_buffers = 2;
    out->null_count = count_nulls(v, count);
    priv->buffers[0] = out->null_count ? v->validity : NULL;
    if (!convert_values(&priv->shared, count, priv, &out->n_buffers))
        return ENOMEM;
    out->buffers = priv->buffers;
    return 0;
}

static void release_batch(struct ArrowArray *array)
{
    batch_private *priv = array->private_data;
    for (uint32_t i = 0; i < priv->child_count; i++) {
        if (priv->children[i]->release)
            priv->children[i]->release(priv->children[i]);
        free(priv->children[i]);
    }
    free(priv->children);
    free((void *)array->buffers);
    free(priv);
    array->release = NULL;
}

static int export_batch(const result_set *rs, const batch *b, struct ArrowArray *out)
{
    memset(out, 0, sizeof *out);
    batch_private *priv = calloc(1, sizeof *priv);
    const void **buffers = calloc(1, sizeof *buffers);
    if (priv == NULL || buffers == NULL) {
        free(priv);
        free(buffers);
        return ENOMEM;
    }
    priv->children = calloc(rs->column_count ? rs->column_count : 1, sizeof *priv->children);
    out->private_data = priv;
    out->release = release_batch;
    out->buffers = buffers;
    out->n_buffers = 1;
    out->length = b->count;
    if (priv->children == NULL)
        return ENOMEM;
    for (uint32_t c = 0; c < rs->column_count; c++) {
        priv->children[c] = calloc(1, sizeof(struct ArrowArray));
        if (priv->children[c] == NULL)
            return ENOMEM;
        priv->child_count = c + 1;
        int rc = export_column(&b->columns[c], b->count, priv->children[c]);
        if (rc != 0)
            return rc;
    }
    out->n_children = rs->column_count;
    out->children = priv->children;
    return 0;
}

static int stream_get_schema(struct ArrowArrayStream *stream, struct ArrowSchema *out)
{
    arrow_stream_state *state = stream->private_data;
    int rc = fill_schema(state->result->rows, out);
    if (rc != 0) {
        snprintf(state->last_error, sizeof state->last_error, "out of memory");
        if (out->release)
            out->release(out);
    }
    return rc;
}

static int stream_get_next(struct ArrowArrayStream *stream, struct ArrowArray *out)
{
    arrow_stream_state *state = stream->private_data;
    const result_set *rs = state->result->rows;
    if (state->next_batch >= rs->batch_count) {
        memset(out, 0, sizeof *out); /* end of stream */
        return 0;
    }
    int rc = export_batch(rs, &rs->batches[state->next_batch++], out);
    if (rc != 0) {
        snprintf(state->last_error, sizeof state->last_error, "out of memory");
        if (out->release)
            out->release(out);
    }
    return rc;
}

static const char *stream_last_error(struct ArrowArrayStream *stream)
{
    arrow_stream_state *state = stream->private_data;
    return state->last_error[0] ? state->last_error : NULL;
}

static void stream_release(struct ArrowArrayStream *stream)
{
    arrow_stream_state *state = stream->private_data;
    arm_result_destroy(state->result);
    free(state);
    stream->release = NULL;
}

arm_status arm_result_to_arrow(arm_result *result, struct ArrowArrayStream *out, arm_error *err)
{
    if (result == NULL || out == NULL) {
        arm_result_destroy(result);
        return error_set(err, ARM_ERROR_MISUSE, NULL, -1, "arm_result_to_arrow: NULL argument");
    }
    arrow_stream_state *state = calloc(1, sizeof *state);
    if (state == NULL) {
        arm_result_destroy(result);
        return error_out_of_memory(err);
    }
    state->result = result;
    out->get_schema = stream_get_schema;
    out->get_next = stream_get_next;
    out->get_last_error = stream_last_error;
    out->release = stream_release;
    out->private_data = state;
    return ARM_OK;
}
