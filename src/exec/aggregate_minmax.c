/*
 * aggregate_minmax.c: MIN and MAX on every type. Fixed-width types get one
 * typed kernel each (floats order NaN above every number, as PostgreSQL);
 * strings are copied into memory the state owns, so a state never points
 * into an input batch; intervals compare by their span.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exec/aggregate_internal.h"

#define LESS_PLAIN(a, b) ((a) < (b))
#define LESS_FLOAT(a, b) ((!isnan(a) && isnan(b)) || (a) < (b))
#define LESS_INTERVAL(a, b) (interval_span(a) < interval_span(b))

static inline int128 interval_span(interval_value v)
{
    return ((int128)v.months * 30 + v.days) * 86400000000LL + v.micros;
}

/* Replaces `cur` by `x` when x is better: x < cur for MIN (IS_MAX 0), cur < x for MAX. */
#define BETTER(LESS, IS_MAX, x, cur) ((IS_MAX) ? LESS(cur, x) : LESS(x, cur))

/* Row r's value (masked row mr) into the state at `at`. */
#define EXTREME_ROW(NAME, T, LESS, IS_MAX, at, mr)                                                 \
    do {                                                                                           \
        NAME##_state *st = (void *)(at);                                                           \
        T x = d[mr];                                                                               \
        if (!st->has_value || BETTER(LESS, IS_MAX, x, st->value)) {                                \
            st->value = x;                                                                         \
            st->has_value = true;                                                                  \
        }                                                                                          \
    } while (0)

/* Row i's state is at AT(i, r), r its physical row. Without NULLs or a selection the
 * loop reads row i directly. */
#define EXTREME_LOOP(NAME, T, LESS, IS_MAX, AT)                                                    \
    do {                                                                                           \
        const vector *v = args[0];                                                                 \
        const T *d = v->data;                                                                      \
        uint32_t m = agg_row_mask(v);                                                              \
        if (agg_is_plain(v) && sel == NULL) {                                                      \
            for (uint32_t i = 0; i < count; i++)                                                   \
                EXTREME_ROW(NAME, T, LESS, IS_MAX, AT(i, i), i);                                   \
            return ARM_OK;                                                                         \
        }                                                                                          \
        for (uint32_t i = 0; i < count; i++) {                                                     \
            uint32_t r = sel ? sel[i] : i, at = r & m;                                             \
            if (agg_valid(v, at))                                                                  \
                EXTREME_ROW(NAME, T, LESS, IS_MAX, AT(i, r), at);                                  \
        }                                                                                          \
        return ARM_OK;                                                                             \
    } while (0)

#define AT_GROUP(i, r) (rows[i] + state_offset)

#define DEFINE_EXTREME(NAME, T, LESS, IS_MAX)                                                      \
    typedef struct NAME##_state {                                                                  \
        T value;                                                                                   \
        bool has_value;                                                                            \
    } NAME##_state;                                                                                \
    static arm_status NAME##_update(const aggregate_function *fn, uint8_t *const *rows,            \
                                    uint32_t state_offset, vector *const *args,                    \
                                    const uint32_t *sel, uint32_t count, arm_error *err)           \
    {                                                                                              \
        (void)fn, (void)err;                                                                       \
        EXTREME_LOOP(NAME, T, LESS, IS_MAX, AT_GROUP);                                             \
    }                                                                                              \
    static arm_status NAME##_update_single(const aggregate_function *fn, void *state,              \
                                           vector *const *args, const uint32_t *sel,               \
                                           uint32_t count, arm_error *err)                         \
    {                                                                                              \
        (void)fn, (void)err;                                                                       \
        const vector *v = args[0];                                                                 \
        const T *d = v->data;                                                                      \
        uint32_t m = agg_row_mask(v);                                                              \
        NAME##_state *st = state;                                                                  \
        T best = st->value;                                                                        \
        bool has = st->has_value;                                                                  \
        for (uint32_t i = 0; i < count; i++) {                                                     \
            uint32_t r = (sel ? sel[i] : i) & m;                                                   \
            if (!agg_valid(v, r))                                                                  \
                continue;                                                                          \
            T x = d[r];                                                                            \
            if (!has || BETTER(LESS, IS_MAX, x, best)) {                                           \
                best = x;                                                                          \
                has = true;                                                                        \
            }                                                                                      \
        }                                                                                          \
        st->value = best;                                                                          \
        st->has_value = has;                                                                       \
        return ARM_OK;                                                                             \
    }                                                                                              \
    static arm_status NAME##_combine(const aggregate_function *fn, void *target, void *source,     \
                                     arm_error *err)                                               \
    {                                                                                              \
        (void)fn, (void)err;                                                                       \
        NAME##_state *t = target, *s = source;                                                     \
        if (s->has_value && (!t->has_value || BETTER(LESS, IS_MAX, s->value, t->value)))           \
            *t = *s;                                                                               \
        return ARM_OK;                                                                             \
    }                                                                                              \
    static arm_status NAME##_finalize(const aggregate_function *fn, void *state, vector *result,   \
                                      uint32_t row, arm_error *err)                                \
    {                                                                                              \
        (void)fn;                                                                                  \
        NAME##_state *st = state;                                                                  \
        if (!st->has_value)                                                                        \
            return agg_result_null(result, row, err);                                              \
        ((T *)result->data)[row] = st->value;                                                      \
        agg_result_valid(result, row);                                                             \
        return ARM_OK;                                                                             \
    }

#define DEFINE_MIN_MAX(NAME, T, LESS)                                                              \
    DEFINE_EXTREME(min_##NAME, T, LESS, 0)                                                         \
    DEFINE_EXTREME(max_##NAME, T, LESS, 1)

DEFINE_MIN_MAX(u8, uint8_t, LESS_PLAIN)
DEFINE_MIN_MAX(i8, int8_t, LESS_PLAIN)
DEFINE_MIN_MAX(i16, int16_t, LESS_PLAIN)
DEFINE_MIN_MAX(i32, int32_t, LESS_PLAIN)
DEFINE_MIN_MAX(i64, int64_t, LESS_PLAIN)
DEFINE_MIN_MAX(i128, int128, LESS_PLAIN)
DEFINE_MIN_MAX(f32, float, LESS_FLOAT)
DEFINE_MIN_MAX(f64, double, LESS_FLOAT)
DEFINE_MIN_MAX(interval, interval_value, LESS_INTERVAL)

/* ---- strings ---------------------------------------------------------------------------- */

/* The best string so far, in malloc'ed memory the state owns. */
typedef struct text_extreme_state {
    char *data;
    uint32_t length;
    uint32_t capacity;
    bool has_value;
} text_extreme_state;

static int compare_to_state(const char *x, uint32_t length, const text_extreme_state *st)
{
    uint32_t n = length < st->length ? length : st->length;
    int c = n ? memcmp(x, st->data, n) : 0;
    return c != 0 ? c : (length > st->length) - (length < st->length);
}

static arm_status text_keep(text_extreme_state *st, const char *x, uint32_t length, arm_error *err)
{
    if (length > st->capacity || st->data == NULL) {
        uint32_t capacity = length < 16 ? 16 : length;
        char *grown = realloc(st->data, capacity);
        if (grown == NULL)
            return error_out_of_memory(err);
        st->data = grown;
        st->capacity = capacity;
    }
    if (length > 0)
        memcpy(st->data, x, length);
    st->length = length;
    st->has_value = true;
    return ARM_OK;
}

static arm_status text_offer(const aggregate_function *fn, text_extreme_state *st, const char *x,
                             uint32_t length, arm_error *err)
{
    if (st->has_value) {
        int c = compare_to_state(x, length, st);
        if (agg_kind_of(fn) == AGG_MIN ? c >= 0 : c <= 0)
            return ARM_OK;
    }
    return text_keep(st, x, length, err);
}

static arm_status text_update(const aggregate_function *fn, uint8_t *const *rows,
                              uint32_t state_offset, vector *const *args, const uint32_t *sel,
                              uint32_t count, arm_error *err)
{
    const vector *v = args[0];
    const string_view *d = v->data;
    uint32_t m = agg_row_mask(v);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t r = (sel ? sel[i] : i) & m;
        if (!agg_valid(v, r))
            continue;
        arm_status s = text_offer(fn, (void *)(rows[i] + state_offset), string_view_data(&d[r]),
                                  d[r].length, err);
        if (s != ARM_OK)
            return s;
    }
    return ARM_OK;
}

static arm_status text_update_single(const aggregate_function *fn, void *state, vector *const *args,
                                     const uint32_t *sel, uint32_t count, arm_error *err)
{
    const vector *v = args[0];
    const string_view *d = v->data;
    uint32_t m = agg_row_mask(v);
    /* Find the batch's best view first, then copy it once. */
    const string_view *best = NULL;
    bool is_min = agg_kind_of(fn) == AGG_MIN;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t r = (sel ? sel[i] : i) & m;
        if (!agg_valid(v, r))
            continue;
        if (best == NULL) {
            best = &d[r];
            continue;
        }
        int c = string_view_compare(&d[r], best);
        if (is_min ? c < 0 : c > 0)
            best = &d[r];
    }
    if (best == NULL)
        return ARM_OK;
    return text_offer(fn, state, string_view_data(best), best->length, err);
}

static arm_status text_combine(const aggregate_function *fn, void *target, void *source,
                               arm_error *err)
{
    text_extreme_state *s = source;
    if (!s->has_value)
        return ARM_OK;
    return text_offer(fn, target, s->data, s->length, err);
}

static arm_status text_finalize(const aggregate_function *fn, void *state, vector *result,
                                uint32_t row, arm_error *err)
{
    (void)fn;
    text_extreme_state *st = state;
    if (!st->has_value)
        return agg_result_null(result, row, err);
    agg_result_valid(result, row);
    return vector_add_string(result, st->data ? st->data : "", st->length,
                             &((string_view *)result->data)[row], err);
}

static void text_destroy(const aggregate_function *fn, void *state)
{
    (void)fn;
    text_extreme_state *st = state;
    free(st->data);
    memset(st, 0, sizeof *st);
}

/* ---- binding ------------------------------------------------------------------------------ */

#define USE_EXTREME(fn, is_max, NAME)                                                              \
    do {                                                                                           \
        (fn)->state_size = (is_max) ? sizeof(max_##NAME##_state) : sizeof(min_##NAME##_state);     \
        (fn)->update = (is_max) ? max_##NAME##_update : min_##NAME##_update;                       \
        (fn)->update_single = (is_max) ? max_##NAME##_update_single : min_##NAME##_update_single;  \
        (fn)->combine = (is_max) ? max_##NAME##_combine : min_##NAME##_combine;                    \
        (fn)->finalize = (is_max) ? max_##NAME##_finalize : min_##NAME##_finalize;                 \
    } while (0)

void aggregate_minmax_bind(agg_instance *it)
{
    aggregate_function *fn = &it->fn;
    bool is_max = it->kind == AGG_MAX;
    fn->init = aggregate_init_zero;
    fn->destroy = NULL;
    /* No update_dense: measured, a GROUP BY of MIN and MAX over a small dictionary
     * ran faster through group pointers than through the entries' row counts. */
    fn->update_dense = NULL;
    switch (fn->arg_type.id) {
    case TYPE_BOOLEAN: USE_EXTREME(fn, is_max, u8); break;
    case TYPE_TINYINT: USE_EXTREME(fn, is_max, i8); break;
    case TYPE_SMALLINT: USE_EXTREME(fn, is_max, i16); break;
    case TYPE_INTEGER:
    case TYPE_DATE: USE_EXTREME(fn, is_max, i32); break;
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: USE_EXTREME(fn, is_max, i64); break;
    case TYPE_DECIMAL:
        if (fn->arg_type.precision <= DECIMAL_INT64_MAX_PRECISION)
            USE_EXTREME(fn, is_max, i64);
        else
            USE_EXTREME(fn, is_max, i128);
        break;
    case TYPE_REAL: USE_EXTREME(fn, is_max, f32); break;
    case TYPE_DOUBLE: USE_EXTREME(fn, is_max, f64); break;
    case TYPE_INTERVAL: USE_EXTREME(fn, is_max, interval); break;
    default: /* VARCHAR, BLOB */
        fn->state_size = sizeof(text_extreme_state);
        fn->update = text_update;
        fn->update_single = text_update_single;
        fn->combine = text_combine;
        fn->finalize = text_finalize;
        fn->destroy = text_destroy;
        break;
    }
}
