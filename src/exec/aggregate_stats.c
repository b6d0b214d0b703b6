/*
 * aggregate_stats.c: VAR_SAMP, VAR_POP, STDDEV_SAMP, STDDEV_POP (and the
 * VARIANCE / STDDEV aliases) over any numeric argument, as DOUBLE. States
 * are PostgreSQL's float8 accumulators (N, Sx, Sxx updated Youngs-Cramer
 * style), which stay exact for large offsets and combine exactly.
 */
#include <math.h>
#include <string.h>

#include "exec/aggregate_internal.h"

typedef struct stats_state {
    int64_t n;
    double sx;
    double sxx;
} stats_state;

static inline void stats_add(stats_state *st, double x)
{
    st->n++;
    st->sx += x;
    if (st->n > 1) {
        double n = (double)st->n;
        double t = x * n - st->sx;
        st->sxx += t * t / (n * (n - 1));
    }
}

/* 10^scale for DECIMAL arguments, 1 otherwise. */
static double scale_divisor(const aggregate_function *fn)
{
    double d = 1;
    if (fn->arg_type.id == TYPE_DECIMAL)
        for (unsigned i = 0; i < fn->arg_type.scale; i++)
            d *= 10;
    return d;
}

#define DEFINE_STATS_KERNELS(NAME, T)                                                              \
    static arm_status NAME##_update(const aggregate_function *fn, uint8_t *const *rows,            \
                                    uint32_t state_offset, vector *const *args,                    \
                                    const uint32_t *sel, uint32_t count, arm_error *err)           \
    {                                                                                              \
        (void)err;                                                                                 \
        const vector *v = args[0];                                                                 \
        const T *d = v->data;                                                                      \
        uint32_t m = agg_row_mask(v);                                                              \
        double divisor = scale_divisor(fn);                                                        \
        for (uint32_t i = 0; i < count; i++) {                                                     \
            uint32_t r = (sel ? sel[i] : i) & m;                                                   \
            if (agg_valid(v, r))                                                                   \
                stats_add((void *)(rows[i] + state_offset), (double)d[r] / divisor);               \
        }                                                                                          \
        return ARM_OK;                                                                             \
    }                                                                                              \
    static arm_status NAME##_update_single(const aggregate_function *fn, void *state,              \
                                           vector *const *args, const uint32_t *sel,               \
                                           uint32_t count, arm_error *err)                         \
    {                                                                                              \
        (void)err;                                                                                 \
        const vector *v = args[0];                                                                 \
        const T *d = v->data;                                                                      \
        uint32_t m = agg_row_mask(v);                                                              \
        double divisor = scale_divisor(fn);                                                        \
        stats_state st = *(stats_state *)state;                                                    \
        for (uint32_t i = 0; i < count; i++) {                                                     \
            uint32_t r = (sel ? sel[i] : i) & m;                                                   \
            if (agg_valid(v, r))                                                                   \
                stats_add(&st, (double)d[r] / divisor);                                            \
        }                                                                                          \
        *(stats_state *)state = st;                                                                \
        return ARM_OK;                                                                             \
    }

DEFINE_STATS_KERNELS(stats_i8, int8_t)
DEFINE_STATS_KERNELS(stats_i16, int16_t)
DEFINE_STATS_KERNELS(stats_i32, int32_t)
DEFINE_STATS_KERNELS(stats_i64, int64_t)
DEFINE_STATS_KERNELS(stats_i128, int128)
DEFINE_STATS_KERNELS(stats_f32, float)
DEFINE_STATS_KERNELS(stats_f64, double)

/* Merges two accumulators as PostgreSQL's float8_combine. */
static arm_status stats_combine(const aggregate_function *fn, void *target, void *source,
                                arm_error *err)
{
    (void)fn, (void)err;
    stats_state *t = target, *s = source;
    if (s->n == 0)
        return ARM_OK;
    if (t->n == 0) {
        *t = *s;
        return ARM_OK;
    }
    double n1 = (double)t->n, n2 = (double)s->n;
    double tmp = t->sx / n1 - s->sx / n2;
    t->sxx += s->sxx + n1 * n2 * tmp * tmp / (n1 + n2);
    t->sx += s->sx;
    t->n += s->n;
    return ARM_OK;
}

static arm_status stats_finalize(const aggregate_function *fn, void *state, vector *result,
                                 uint32_t row, arm_error *err)
{
    const stats_state *st = state;
    agg_kind kind = agg_kind_of(fn);
    bool is_sample = kind == AGG_VAR_SAMP || kind == AGG_STDDEV_SAMP;
    if (st->n == 0 || (is_sample && st->n == 1))
        return agg_result_null(result, row, err);
    double var = st->sxx / (double)(is_sample ? st->n - 1 : st->n);
    if (var < 0)
        var = 0;
    bool is_stddev = kind == AGG_STDDEV_SAMP || kind == AGG_STDDEV_POP;
    ((double *)result->data)[row] = is_stddev ? sqrt(var) : var;
    agg_result_valid(result, row);
    return ARM_OK;
}

#define USE_STATS(fn, NAME)                                                                        \
    do {                                                                                           \
        (fn)->update = NAME##_update;                                                              \
        (fn)->update_single = NAME##_update_single;                                                \
    } while (0)

void aggregate_stats_bind(agg_instance *it)
{
    aggregate_function *fn = &it->fn;
    fn->state_size = sizeof(stats_state);
    fn->init = aggregate_init_zero;
    fn->combine = stats_combine;
    fn->finalize = stats_finalize;
    fn->destroy = NULL;
    switch (fn->arg_type.id) {
    case TYPE_TINYINT: USE_STATS(fn, stats_i8); break;
    case TYPE_SMALLINT: USE_STATS(fn, stats_i16); break;
    case TYPE_INTEGER: USE_STATS(fn, stats_i32); break;
    case TYPE_BIGINT: USE_STATS(fn, stats_i64); break;
    case TYPE_DECIMAL:
        if (fn->arg_type.precision <= DECIMAL_INT64_MAX_PRECISION)
            USE_STATS(fn, stats_i64);
        else
            USE_STATS(fn, stats_i128);
        break;
    case TYPE_REAL: USE_STATS(fn, stats_f32); break;
    default: USE_STATS(fn, stats_f64); break;
    }
}
