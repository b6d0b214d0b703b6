/*
 * aggregate_numeric.c: COUNT(*), COUNT(x), SUM and AVG with one typed
 * kernel per argument type (no per-row type switch). SUM of small integers
 * is BIGINT with overflow errors, SUM(BIGINT/DECIMAL) is DECIMAL(38,s) in an
 * int128, SUM of floats is DOUBLE; AVG is DOUBLE for every input. AVG split
 * into parts (aggregate_avg_split) has its partial sum and merge here too.
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "exec/aggregate_internal.h"

typedef struct count_state {
    int64_t count;
} count_state;

typedef struct sum_i64_state {
    int64_t sum;
    int64_t count; /* non-NULL inputs: 0 means the result is NULL */
} sum_i64_state;

typedef struct sum_i128_state {
    int128 sum;
    int64_t count;
} sum_i128_state;

typedef struct sum_f64_state {
    double sum;
    int64_t count;
} sum_f64_state;

void aggregate_init_zero(const aggregate_function *fn, void *state)
{
    memset(state, 0, fn->state_size);
}

/* ---- COUNT ------------------------------------------------------------------------- */

static arm_status count_star_update(const aggregate_function *fn, uint8_t *const *rows,
                                    uint32_t state_offset, vector *const *args, const uint32_t *sel,
                                    uint32_t count, arm_error *err)
{
    (void)fn, (void)args, (void)sel, (void)err;
    for (uint32_t i = 0; i < count; i++)
        ((count_state *)(void *)(rows[i] + state_offset))->count++;
    return ARM_OK;
}

static arm_status count_star_update_single(const aggregate_function *fn, void *state,
                                           vector *const *args, const uint32_t *sel, uint32_t count,
                                           arm_error *err)
{
    (void)fn, (void)args, (void)sel, (void)err;
    ((count_state *)state)->count += count;
    return ARM_OK;
}

static arm_status count_update(const aggregate_function *fn, uint8_t *const *rows,
                               uint32_t state_offset, vector *const *args, const uint32_t *sel,
                               uint32_t count, arm_error *err)
{
    const vector *v = args[0];
    if (v->validity == NULL)
        return count_star_update(fn, rows, state_offset, args, sel, count, err);
    uint32_t m = agg_row_mask(v);
    for (uint32_t i = 0; i < count; i++)
        ((count_state *)(void *)(rows[i] + state_offset))->count +=
            agg_valid(v, (sel ? sel[i] : i) & m);
    return ARM_OK;
}

static arm_status count_star_update_dense(const aggregate_function *fn, uint8_t *states,
                                          uint32_t stride, const uint32_t *entries,
                                          vector *const *args, const uint32_t *sel, uint32_t count,
                                          arm_error *err)
{
    (void)fn, (void)args, (void)err;
    for (uint32_t i = 0; i < count; i++)
        ((count_state *)(void *)(states + (size_t)entries[sel ? sel[i] : i] * stride))->count++;
    return ARM_OK;
}

static arm_status count_update_dense(const aggregate_function *fn, uint8_t *states, uint32_t stride,
                                     const uint32_t *entries, vector *const *args,
                                     const uint32_t *sel, uint32_t count, arm_error *err)
{
    const vector *v = args[0];
    if (v->validity == NULL)
        return count_star_update_dense(fn, states, stride, entries, args, sel, count, err);
    uint32_t m = agg_row_mask(v);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t r = sel ? sel[i] : i;
        ((count_state *)(void *)(states + (size_t)entries[r] * stride))->count +=
            agg_valid(v, r & m);
    }
    return ARM_OK;
}

static arm_status count_update_single(const aggregate_function *fn, void *state,
                                      vector *const *args, const uint32_t *sel, uint32_t count,
                                      arm_error *err)
{
    (void)fn, (void)err;
    const vector *v = args[0];
    uint32_t m = agg_row_mask(v), n = count;
    if (v->validity != NULL) {
        n = 0;
        for (uint32_t i = 0; i < count; i++)
            n += agg_valid(v, (sel ? sel[i] : i) & m);
    }
    ((count_state *)state)->count += n;
    return ARM_OK;
}

static arm_status count_combine(const aggregate_function *fn, void *target, void *source,
                                arm_error *err)
{
    (void)fn, (void)err;
    ((count_state *)target)->count += ((count_state *)source)->count;
    return ARM_OK;
}

static arm_status count_finalize(const aggregate_function *fn, void *state, vector *result,
                                 uint32_t row, arm_error *err)
{
    (void)fn, (void)err;
    ((int64_t *)result->data)[row] = ((count_state *)state)->count;
    agg_result_valid(result, row);
    return ARM_OK;
}

/* ---- SUM / AVG kernels, one per (argument C type, state) ------------------------------- */

/* Integer accumulators check overflow per row; float ones are plain loops. */
#define SUM_ADD_INT(acc, x, name)                                                                  \
    do {                                                                                           \
        if (__builtin_add_overflow(acc, x, &(acc)))                                                \
            return agg_overflow(name, err);                                                        \
    } while (0)
#define SUM_ADD_FLOAT(acc, x, name) ((acc) += (x))

/* Adds value x to the STATE at `at` and counts it: the grouped kernels' row step. */
#define SUM_ADD_INT_ROW(STATE, at, x, name)                                                        \
    do {                                                                                           \
        STATE *st = (void *)(at);                                                                  \
        SUM_ADD_INT(st->sum, x, name);                                                             \
        st->count++;                                                                               \
    } while (0)

#ifdef __SSE2__
/*
 * The sum and the count of a float state in one 16-byte load and store: the
 * double add leaves the count's lane as it is, and adding the integers {0, 1}
 * leaves the sum's bits as they are. Grouped loops are bound by stores (a
 * group's next row comes a few rows later), so this halves their cost.
 */
static inline void add_and_count_f64(sum_f64_state *st, double x)
{
    __m128i both = _mm_loadu_si128((const __m128i *)(void *)st);
    __m128d sum = _mm_add_sd(_mm_castsi128_pd(both), _mm_set_sd(x));
    both = _mm_add_epi64(_mm_castpd_si128(sum), _mm_set_epi64x(1, 0));
    _mm_storeu_si128((__m128i *)(void *)st, both);
}
#define SUM_ADD_FLOAT_ROW(STATE, at, x, name) add_and_count_f64((void *)(at), x)
#else
#define SUM_ADD_FLOAT_ROW(STATE, at, x, name)                                                      \
    do {                                                                                           \
        STATE *st = (void *)(at);                                                                  \
        st->sum += (x);                                                                            \
        st->count++;                                                                               \
    } while (0)
#endif

#define SUM_ROW(STATE, ACC_T, ADD, OVERFLOW_NAME, at, r)                                           \
    ADD##_ROW(STATE, at, (ACC_T)d[r], OVERFLOW_NAME)

/*
 * The grouped kernels find row i's state at AT(i, r) (r its physical row):
 * a group pointer per row (update) or a dense state per dictionary entry
 * (update_dense). Without NULLs or a selection the loop reads row i directly.
 */
#define SUM_LOOPS(T, STATE, ACC_T, ADD, OVERFLOW_NAME, AT)                                         \
    do {                                                                                           \
        const vector *v = args[0];                                                                 \
        const T *d = v->data;                                                                      \
        if (agg_is_plain(v) && sel == NULL) {                                                      \
            for (uint32_t i = 0; i < count; i++) {                                                 \
                AGG_PREFETCH(d, i);                                                                \
                SUM_ROW(STATE, ACC_T, ADD, OVERFLOW_NAME, AT(i, i), i);                            \
            }                                                                                      \
        } else if (agg_is_plain(v)) {                                                              \
            for (uint32_t i = 0; i < count; i++)                                                   \
                SUM_ROW(STATE, ACC_T, ADD, OVERFLOW_NAME, AT(i, sel[i]), sel[i]);                  \
        } else {                                                                                   \
            uint32_t m = agg_row_mask(v);                                                          \
            for (uint32_t i = 0; i < count; i++) {                                                 \
                uint32_t r = sel ? sel[i] : i, at = r & m;                                         \
                if (agg_valid(v, at))                                                              \
                    SUM_ROW(STATE, ACC_T, ADD, OVERFLOW_NAME, AT(i, r), at);                       \
            }                                                                                      \
        }                                                                                          \
        return ARM_OK;                                                                             \
    } while (0)

#define AT_GROUP(i, r) (rows[i] + state_offset)
#define AT_ENTRY(i, r) (states + (size_t)entries[r] * stride)

#define DEFINE_SUM_KERNELS(NAME, T, STATE, ACC_T, ADD, OVERFLOW_NAME)                              \
    static arm_status NAME##_update(const aggregate_function *fn, uint8_t *const *rows,            \
                                    uint32_t state_offset, vector *const *args,                    \
                                    const uint32_t *sel, uint32_t count, arm_error *err)           \
    {                                                                                              \
        (void)fn, (void)err;                                                                       \
        SUM_LOOPS(T, STATE, ACC_T, ADD, OVERFLOW_NAME, AT_GROUP);                                  \
    }                                                                                              \
    static arm_status NAME##_update_dense(                                                         \
        const aggregate_function *fn, uint8_t *states, uint32_t stride, const uint32_t *entries,   \
        vector *const *args, const uint32_t *sel, uint32_t count, arm_error *err)                  \
    {                                                                                              \
        (void)fn, (void)err;                                                                       \
        SUM_LOOPS(T, STATE, ACC_T, ADD, OVERFLOW_NAME, AT_ENTRY);                                  \
    }                                                                                              \
    static arm_status NAME##_update_single(const aggregate_function *fn, void *state,              \
                                           vector *const *args, const uint32_t *sel,               \
                                           uint32_t count, arm_error *err)                         \
    {                                                                                              \
        (void)fn, (void)err;                                                                       \
        const vector *v = args[0];                                                                 \
        const T *d = v->data;                                                                      \
        STATE *st = state;                                                                         \
        ACC_T acc = st->sum;                                                                       \
        int64_t n = 0;                                                                             \
        if (agg_is_plain(v) && sel == NULL) {                                                      \
            for (uint32_t i = 0; i < count; i++)                                                   \
                ADD(acc, (ACC_T)d[i], OVERFLOW_NAME);                                              \
            n = count;                                                                             \
        } else if (agg_is_plain(v)) {                                                              \
            for (uint32_t i = 0; i < count; i++)                                                   \
                ADD(acc, (ACC_T)d[sel[i]], OVERFLOW_NAME);                                         \
            n = count;                                                                             \
        } else {                                                                                   \
            uint32_t m = agg_row_mask(v);                                                          \
            for (uint32_t i = 0; i < count; i++) {                                                 \
                uint32_t r = (sel ? sel[i] : i) & m;                                               \
                if (agg_valid(v, r)) {                                                             \
                    ADD(acc, (ACC_T)d[r], OVERFLOW_NAME);                                          \
                    n++;                                                                           \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
        st->sum = acc;                                                                             \
        st->count += n;                                                                            \
        return ARM_OK;                                                                             \
    }

DEFINE_SUM_KERNELS(sum_i8, int8_t, sum_i64_state, int64_t, SUM_ADD_INT, "bigint")
DEFINE_SUM_KERNELS(sum_i16, int16_t, sum_i64_state, int64_t, SUM_ADD_INT, "bigint")
DEFINE_SUM_KERNELS(sum_i32, int32_t, sum_i64_state, int64_t, SUM_ADD_INT, "bigint")
DEFINE_SUM_KERNELS(sum_i64, int64_t, sum_i64_state, int64_t, SUM_ADD_INT, "bigint") /* merges */
DEFINE_SUM_KERNELS(wide_i8, int8_t, sum_i128_state, int128, SUM_ADD_INT, "numeric")
DEFINE_SUM_KERNELS(wide_i16, int16_t, sum_i128_state, int128, SUM_ADD_INT, "numeric")
DEFINE_SUM_KERNELS(wide_i32, int32_t, sum_i128_state, int128, SUM_ADD_INT, "numeric")
DEFINE_SUM_KERNELS(wide_i64, int64_t, sum_i128_state, int128, SUM_ADD_INT, "numeric")
DEFINE_SUM_KERNELS(wide_i128, int128, sum_i128_state, int128, SUM_ADD_INT, "numeric")
DEFINE_SUM_KERNELS(sum_f32, float, sum_f64_state, double, SUM_ADD_FLOAT, "double precision")
DEFINE_SUM_KERNELS(sum_f64, double, sum_f64_state, double, SUM_ADD_FLOAT, "double precision")

/* ---- combine and finalize per state kind ---------------------------------------------- */

static arm_status i64_combine(const aggregate_function *fn, void *target, void *source,
                              arm_error *err)
{
    (void)fn;
    sum_i64_state *t = target, *s = source;
    if (__builtin_add_overflow(t->sum, s->sum, &t->sum))
        return agg_overflow("bigint", err);
    t->count += s->count;
    return ARM_OK;
}

static arm_status i128_combine(const aggregate_function *fn, void *target, void *source,
                               arm_error *err)
{
    (void)fn;
    sum_i128_state *t = target, *s = source;
    if (__builtin_add_overflow(t->sum, s->sum, &t->sum))
        return agg_overflow("numeric", err);
    t->count += s->count;
    return ARM_OK;
}

static arm_status f64_combine(const aggregate_function *fn, void *target, void *source,
                              arm_error *err)
{
    (void)fn, (void)err;
    sum_f64_state *t = target, *s = source;
    t->sum += s->sum;
    t->count += s->count;
    return ARM_OK;
}

static arm_status sum_i64_finalize(const aggregate_function *fn, void *state, vector *result,
                                   uint32_t row, arm_error *err)
{
    (void)fn;
    const sum_i64_state *st = state;
    if (st->count == 0)
        return agg_result_null(result, row, err);
    ((int64_t *)result->data)[row] = st->sum;
    agg_result_valid(result, row);
    return ARM_OK;
}

static arm_status sum_i128_finalize(const aggregate_function *fn, void *state, vector *result,
                                    uint32_t row, arm_error *err)
{
    (void)fn;
    const sum_i128_state *st = state;
    if (st->count == 0)
        return agg_result_null(result, row, err);
    int128 limit = 1;
    for (int i = 0; i < DECIMAL_MAX_PRECISION; i++)
        limit *= 10;
    if (st->sum >= limit || st->sum <= -limit)
        return error_set(err, ARM_ERROR_OUT_OF_RANGE, "22003", -1, "numeric field overflow");
    ((int128 *)result->data)[row] = st->sum;
    agg_result_valid(result, row);
    return ARM_OK;
}

/* A split AVG's part: the exact int128 sum, past 38 digits too (only the merge reads it). */
static arm_status avg_part_sum_finalize(const aggregate_function *fn, void *state, vector *result,
                                        uint32_t row, arm_error *err)
{
    (void)fn;
    const sum_i128_state *st = state;
    if (st->count == 0)
        return agg_result_null(result, row, err);
    ((int128 *)result->data)[row] = st->sum;
    agg_result_valid(result, row);
    return ARM_OK;
}

static arm_status sum_f64_finalize(const aggregate_function *fn, void *state, vector *result,
                                   uint32_t row, arm_error *err)
{
    (void)fn;
    const sum_f64_state *st = state;
    if (st->count == 0)
        return agg_result_null(result, row, err);
    ((double *)result->data)[row] = st->sum;
    agg_result_valid(result, row);
    return ARM_OK;
}

static arm_status avg_i128_finalize(const aggregate_function *fn, void *state, vector *result,
                                    uint32_t row, arm_error *err)
{
    const sum_i128_state *st = state;
    if (st->count == 0)
        return agg_result_null(result, row, err);
    double avg = (double)st->sum / (double)st->count;
    if (fn->arg_type.id == TYPE_DECIMAL)
        for (unsigned i = 0; i < fn->arg_type.scale; i++)
            avg /= 10;
    ((double *)result->data)[row] = avg;
    agg_result_valid(result, row);
    return ARM_OK;
}

static arm_status avg_f64_finalize(const aggregate_function *fn, void *state, vector *result,
                                   uint32_t row, arm_error *err)
{
    (void)fn;
    const sum_f64_state *st = state;
    if (st->count == 0)
        return agg_result_null(result, row, err);
    ((double *)result->data)[row] = st->sum / (double)st->count;
    agg_result_valid(result, row);
    return ARM_OK;
}

/*
 * ---- AVG from partial results: args are a part's sum (NULL: no values) and count ----
 * A DOUBLE sum merges into a sum_f64_state; a DECIMAL(38, s) one, the exact sum of
 * integers or decimals, into a sum_i128_state, so the merged state is the one AVG
 * itself would have built and avg_i128_finalize divides it the same way.
 */

static inline void avg_merge_f64_row(sum_f64_state *st, const vector *sums, const vector *counts,
                                     uint32_t row)
{
    uint32_t s = row & agg_row_mask(sums), c = row & agg_row_mask(counts);
    if (agg_valid(sums, s))
        st->sum += ((const double *)sums->data)[s];
    st->count += ((const int64_t *)counts->data)[c];
}

static inline bool avg_merge_i128_row(sum_i128_state *st, const vector *sums, const vector *counts,
                                      uint32_t row)
{
    uint32_t s = row & agg_row_mask(sums), c = row & agg_row_mask(counts);
    st->count += ((const int64_t *)counts->data)[c];
    return !agg_valid(sums, s) ||
           !__builtin_add_overflow(st->sum, ((const int128 *)sums->data)[s], &st->sum);
}

static arm_status avg_merge_f64_update(const aggregate_function *fn, uint8_t *const *rows,
                                       uint32_t state_offset, vector *const *args,
                                       const uint32_t *sel, uint32_t count, arm_error *err)
{
    (void)fn, (void)err;
    for (uint32_t i = 0; i < count; i++)
        avg_merge_f64_row((sum_f64_state *)(void *)(rows[i] + state_offset), args[0], args[1],
                          sel ? sel[i] : i);
    return ARM_OK;
}

static arm_status avg_merge_f64_update_single(const aggregate_function *fn, void *state,
                                              vector *const *args, const uint32_t *sel,
                                              uint32_t count, arm_error *err)
{
    (void)fn, (void)err;
    for (uint32_t i = 0; i < count; i++)
        avg_merge_f64_row(state, args[0], args[1], sel ? sel[i] : i);
    return ARM_OK;
}

static arm_status avg_merge_i128_update(const aggregate_function *fn, uint8_t *const *rows,
                                        uint32_t state_offset, vector *const *args,
                                        const uint32_t *sel, uint32_t count, arm_error *err)
{
    (void)fn;
    for (uint32_t i = 0; i < count; i++)
        if (!avg_merge_i128_row((sum_i128_state *)(void *)(rows[i] + state_offset), args[0],
                                args[1], sel ? sel[i] : i))
            return agg_overflow("numeric", err);
    return ARM_OK;
}

static arm_status avg_merge_i128_update_single(const aggregate_function *fn, void *state,
                                               vector *const *args, const uint32_t *sel,
                                               uint32_t count, arm_error *err)
{
    (void)fn;
    for (uint32_t i = 0; i < count; i++)
        if (!avg_merge_i128_row(state, args[0], args[1], sel ? sel[i] : i))
            return agg_overflow("numeric", err);
    return ARM_OK;
}

/* ---- binding ------------------------------------------------------------------------- */

#define USE_KERNELS(fn, NAME)                                                                      \
    do {                                                                                           \
        (fn)->update = NAME##_update;                                                              \
        (fn)->update_single = NAME##_update_single;                                                \
        (fn)->update_dense = NAME##_update_dense;                                                  \
    } while (0)

/* Wide (int128) kernels for integers and decimals; false for floats. */
static bool bind_wide(aggregate_function *fn)
{
    logical_type t = fn->arg_type;
    switch (t.id) {
    case TYPE_TINYINT: USE_KERNELS(fn, wide_i8); return true;
    case TYPE_SMALLINT: USE_KERNELS(fn, wide_i16); return true;
    case TYPE_INTEGER: USE_KERNELS(fn, wide_i32); return true;
    case TYPE_BIGINT: USE_KERNELS(fn, wide_i64); return true;
    case TYPE_DECIMAL:
        if (t.precision <= DECIMAL_INT64_MAX_PRECISION)
            USE_KERNELS(fn, wide_i64);
        else
            USE_KERNELS(fn, wide_i128);
        return true;
    default: return false;
    }
}

static void bind_float(aggregate_function *fn)
{
    if (fn->arg_type.id == TYPE_REAL)
        USE_KERNELS(fn, sum_f32);
    else
        USE_KERNELS(fn, sum_f64);
    fn->state_size = sizeof(sum_f64_state);
    fn->combine = f64_combine;
}

static void bind_sum(aggregate_function *fn)
{
    switch (fn->return_type.id) {
    case TYPE_BIGINT:
        fn->state_size = sizeof(sum_i64_state);
        fn->combine = i64_combine;
        fn->finalize = sum_i64_finalize;
        if (fn->arg_type.id == TYPE_TINYINT)
            USE_KERNELS(fn, sum_i8);
        else if (fn->arg_type.id == TYPE_SMALLINT)
            USE_KERNELS(fn, sum_i16);
        else if (fn->arg_type.id == TYPE_BIGINT) /* only aggregate_merge_of: summing counts */
            USE_KERNELS(fn, sum_i64);
        else
            USE_KERNELS(fn, sum_i32);
        return;
    case TYPE_DECIMAL:
        bind_wide(fn);
        fn->state_size = sizeof(sum_i128_state);
        fn->combine = i128_combine;
        fn->finalize = sum_i128_finalize;
        return;
    default: bind_float(fn); fn->finalize = sum_f64_finalize;
    }
}

void aggregate_numeric_bind(agg_instance *it)
{
    aggregate_function *fn = &it->fn;
    fn->init = aggregate_init_zero;
    fn->destroy = NULL;
    switch (it->kind) {
    case AGG_COUNT_STAR:
    case AGG_COUNT:
        fn->state_size = sizeof(count_state);
        fn->update = it->kind == AGG_COUNT ? count_update : count_star_update;
        fn->update_single = it->kind == AGG_COUNT ? count_update_single : count_star_update_single;
        fn->update_dense = it->kind == AGG_COUNT ? count_update_dense : count_star_update_dense;
        fn->combine = count_combine;
        fn->finalize = count_finalize;
        break;
    case AGG_SUM: bind_sum(fn); break;
    case AGG_AVG:
        if (bind_wide(fn)) {
            fn->state_size = sizeof(sum_i128_state);
            fn->combine = i128_combine;
            fn->finalize = avg_i128_finalize;
        } else {
            bind_float(fn);
            fn->finalize = avg_f64_finalize;
        }
        break;
    case AGG_AVG_PART_SUM:
        bind_wide(fn);
        fn->state_size = sizeof(sum_i128_state);
        fn->combine = i128_combine;
        fn->finalize = avg_part_sum_finalize;
        break;
    case AGG_AVG_MERGE:
        if (fn->arg_type.id == TYPE_DECIMAL) {
            fn->update = avg_merge_i128_update;
            fn->update_single = avg_merge_i128_update_single;
            fn->state_size = sizeof(sum_i128_state);
            fn->combine = i128_combine;
            fn->finalize = avg_i128_finalize;
        } else {
            fn->update = avg_merge_f64_update;
            fn->update_single = avg_merge_f64_update_single;
            fn->state_size = sizeof(sum_f64_state);
            fn->combine = f64_combine;
            fn->finalize = avg_f64_finalize;
        }
        break;
    default: break;
    }
}
