/*
 * aggregate_text.c: STRING_AGG(value, separator) in input row order, and
 * BOOL_AND / BOOL_OR (EVERY is BOOL_AND). A STRING_AGG state owns its text
 * and remembers the separator of its first value, so two partial results
 * join with the right separator between them.
 */
#include <stdlib.h>
#include <string.h>

#include "exec/aggregate_internal.h"

typedef struct string_agg_state {
    char *data;
    uint32_t length;
    uint32_t capacity;
    char *first_separator; /* the separator of the first value's row (NULL: none) */
    uint32_t first_separator_length;
    bool has_value;
} string_agg_state;

static arm_status text_append(string_agg_state *st, const char *data, uint32_t length,
                              arm_error *err)
{
    if (length == 0)
        return ARM_OK;
    if ((uint64_t)st->length + length > UINT32_MAX / 2)
        return error_set(err, ARM_ERROR_OUT_OF_RANGE, "54000", -1, "string_agg result is too long");
    if (st->length + length > st->capacity) {
        uint32_t capacity = (st->length + length) * 2 + 16;
        char *grown = realloc(st->data, capacity);
        if (grown == NULL)
            return error_out_of_memory(err);
        st->data = grown;
        st->capacity = capacity;
    }
    memcpy(st->data + st->length, data, length);
    st->length += length;
    return ARM_OK;
}

static arm_status string_agg_row(string_agg_state *st, const vector *v, uint32_t row,
                                 const vector *sep, arm_error *err)
{
    uint32_t r = row & agg_row_mask(v), sr = row & agg_row_mask(sep);
    if (!agg_valid(v, r))
        return ARM_OK;
    const string_view *x = &((const string_view *)v->data)[r];
    const string_view *s = agg_valid(sep, sr) ? &((const string_view *)sep->data)[sr] : NULL;
    arm_status status = ARM_OK;
    if (st->has_value && s != NULL) {
        status = text_append(st, string_view_data(s), s->length, err);
    } else if (!st->has_value && s != NULL && s->length > 0) {
        st->first_separator = malloc(s->length);
        if (st->first_separator == NULL)
            return error_out_of_memory(err);
        memcpy(st->first_separator, string_view_data(s), s->length);
        st->first_separator_length = s->length;
    }
    st->has_value = true;
    if (status == ARM_OK)
        status = text_append(st, string_view_data(x), x->length, err);
    return status;
}

static arm_status string_agg_update(const aggregate_function *fn, uint8_t *const *rows,
                                    uint32_t state_offset, vector *const *args, const uint32_t *sel,
                                    uint32_t count, arm_error *err)
{
    (void)fn;
    for (uint32_t i = 0; i < count; i++) {
        arm_status s = string_agg_row((void *)(rows[i] + state_offset), args[0], sel ? sel[i] : i,
                                      args[1], err);
        if (s != ARM_OK)
            return s;
    }
    return ARM_OK;
}

static arm_status string_agg_update_single(const aggregate_function *fn, void *state,
                                           vector *const *args, const uint32_t *sel, uint32_t count,
                                           arm_error *err)
{
    (void)fn;
    for (uint32_t i = 0; i < count; i++) {
        arm_status s = string_agg_row(state, args[0], sel ? sel[i] : i, args[1], err);
        if (s != ARM_OK)
            return s;
    }
    return ARM_OK;
}

static void string_agg_destroy(const aggregate_function *fn, void *state)
{
    (void)fn;
    string_agg_state *st = state;
    free(st->data);
    free(st->first_separator);
    memset(st, 0, sizeof *st);
}

/* Appends source's text after target's (source holds the later rows). */
static arm_status string_agg_combine(const aggregate_function *fn, void *target, void *source,
                                     arm_error *err)
{
    string_agg_state *t = target, *s = source;
    if (!s->has_value)
        return ARM_OK;
    if (!t->has_value) {
        string_agg_destroy(fn, t);
        *t = *s;
        memset(s, 0, sizeof *s);
        return ARM_OK;
    }
    arm_status status = text_append(t, s->first_separator, s->first_separator_length, err);
    if (status == ARM_OK)
        status = text_append(t, s->data, s->length, err);
    return status;
}

static arm_status string_agg_finalize(const aggregate_function *fn, void *state, vector *result,
                                      uint32_t row, arm_error *err)
{
    (void)fn;
    string_agg_state *st = state;
    if (!st->has_value)
        return agg_result_null(result, row, err);
    agg_result_valid(result, row);
    return vector_add_string(result, st->data ? st->data : "", st->length,
                             &((string_view *)result->data)[row], err);
}

/* ---- BOOL_AND / BOOL_OR ---------------------------------------------------------------- */

typedef struct bool_state {
    uint8_t value;
    uint8_t has_value;
} bool_state;

static inline void bool_add(bool_state *st, bool is_and, uint8_t x)
{
    x = x != 0;
    st->value = !st->has_value ? x : is_and ? (st->value & x) : (st->value | x);
    st->has_value = 1;
}

static arm_status bool_update(const aggregate_function *fn, uint8_t *const *rows,
                              uint32_t state_offset, vector *const *args, const uint32_t *sel,
                              uint32_t count, arm_error *err)
{
    (void)err;
    const vector *v = args[0];
    const uint8_t *d = v->data;
    uint32_t m = agg_row_mask(v);
    bool is_and = agg_kind_of(fn) == AGG_BOOL_AND;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t r = (sel ? sel[i] : i) & m;
        if (agg_valid(v, r))
            bool_add((void *)(rows[i] + state_offset), is_and, d[r]);
    }
    return ARM_OK;
}

static arm_status bool_update_single(const aggregate_function *fn, void *state, vector *const *args,
                                     const uint32_t *sel, uint32_t count, arm_error *err)
{
    (void)err;
    const vector *v = args[0];
    const uint8_t *d = v->data;
    uint32_t m = agg_row_mask(v);
    bool is_and = agg_kind_of(fn) == AGG_BOOL_AND;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t r = (sel ? sel[i] : i) & m;
        if (agg_valid(v, r))
            bool_add(state, is_and, d[r]);
    }
    return ARM_OK;
}

static arm_status bool_combine(const aggregate_function *fn, void *target, void *source,
                               arm_error *err)
{
    (void)err;
    bool_state *s = source;
    if (s->has_value)
        bool_add(target, agg_kind_of(fn) == AGG_BOOL_AND, s->value);
    return ARM_OK;
}

static arm_status bool_finalize(const aggregate_function *fn, void *state, vector *result,
                                uint32_t row, arm_error *err)
{
    (void)fn;
    bool_state *st = state;
    if (!st->has_value)
        return agg_result_null(result, row, err);
    ((uint8_t *)result->data)[row] = st->value;
    agg_result_valid(result, row);
    return ARM_OK;
}

void aggregate_text_bind(agg_instance *it)
{
    aggregate_function *fn = &it->fn;
    fn->init = aggregate_init_zero;
    if (it->kind == AGG_STRING_AGG) {
        fn->state_size = sizeof(string_agg_state);
        fn->update = string_agg_update;
        fn->update_single = string_agg_update_single;
        fn->combine = string_agg_combine;
        fn->finalize = string_agg_finalize;
        fn->destroy = string_agg_destroy;
        return;
    }
    fn->state_size = sizeof(bool_state);
    fn->update = bool_update;
    fn->update_single = bool_update_single;
    fn->combine = bool_combine;
    fn->finalize = bool_finalize;
    fn->destroy = NULL;
}
