/*
 * aggregate_internal.h: what the aggregate function families share: the
 * instance struct (one per function and argument type, made on first use),
 * the binders that pick typed kernels, and inline helpers for reading
 * argument vectors (FLAT or CONSTANT) and writing results.
 */
#ifndef ARM_EXEC_AGGREGATE_INTERNAL_H
#define ARM_EXEC_AGGREGATE_INTERNAL_H

#include "common/error.h"
#include "exec/aggregate.h"

typedef enum agg_kind {
    AGG_COUNT_STAR,
    AGG_COUNT,
    AGG_SUM,
    AGG_AVG,
    AGG_MIN,
    AGG_MAX,
    AGG_VAR_SAMP,
    AGG_VAR_POP,
    AGG_STDDEV_SAMP,
    AGG_STDDEV_POP,
    AGG_STRING_AGG,
    AGG_BOOL_AND,
    AGG_BOOL_OR,
    AGG_AVG_PART_SUM, /* internal: a split AVG's exact sum of one part (aggregate_avg_split) */
    AGG_AVG_MERGE,    /* internal: AVG from the parts' sums and counts (aggregate_avg_split) */
} agg_kind;

/*
 * One aggregate for one argument type: the public struct first, then what
 * the kernels need. States are plain bytes that may be moved with memcpy
 * (no pointers into themselves); init zeroes them.
 */
typedef struct agg_instance {
    aggregate_function fn;
    agg_kind kind;
    struct agg_instance *next;
} agg_instance;

static inline agg_kind agg_kind_of(const aggregate_function *fn)
{
    return ((const agg_instance *)fn)->kind;
}

/* Each family fills fn's state_size and kernels for its kinds (arg/return types set). */
void aggregate_numeric_bind(agg_instance *it); /* COUNT(*), COUNT, SUM, AVG */
void aggregate_minmax_bind(agg_instance *it);  /* MIN, MAX */
void aggregate_stats_bind(agg_instance *it);   /* VAR_*, STDDEV_* */
void aggregate_text_bind(agg_instance *it);    /* STRING_AGG, BOOL_AND, BOOL_OR */

/* Zeroes the state (every family's initial state is all zero bytes). */
void aggregate_init_zero(const aggregate_function *fn, void *state);

/* Row mask: CONSTANT vectors read row 0 for every row. */
static inline uint32_t agg_row_mask(const vector *v)
{
    return v->kind == VECTOR_CONSTANT ? 0 : UINT32_MAX;
}

static inline bool agg_valid(const vector *v, uint32_t masked_row)
{
    return v->validity == NULL || ((v->validity[masked_row >> 6] >> (masked_row & 63)) & 1);
}

/* True when the plain loop applies: flat, no NULLs. */
static inline bool agg_is_plain(const vector *v)
{
    return v->kind == VECTOR_FLAT && v->validity == NULL;
}

/*
 * Columns far larger than the caches arrive from memory a batch at a time
 * (16 KB of doubles), too little for the hardware prefetcher to get ahead of
 * a grouped loop, which then waits on every new page. Such loops ask for the
 * bytes AGG_PREFETCH_BYTES ahead of row i of `d`, once per cache line; past
 * the batch too, where a column decoded in one piece goes on (a prefetch
 * never faults).
 */
#define AGG_PREFETCH_BYTES 2048
#define AGG_PREFETCH(d, i)                                                                         \
    do {                                                                                           \
        if (((i) & (64 / sizeof *(d)-1)) == 0)                                                     \
            __builtin_prefetch((const char *)&(d)[i] + AGG_PREFETCH_BYTES);                        \
    } while (0)

/* Writes NULL into row `row` of a writable flat result. */
static inline arm_status agg_result_null(vector *result, uint32_t row, arm_error *err)
{
    arm_status s = vector_ensure_validity(result, err);
    if (s == ARM_OK)
        vector_set_null(result, row);
    return s;
}

static inline void agg_result_valid(vector *result, uint32_t row)
{
    if (result->validity != NULL)
        vector_set_valid(result, row);
}

static inline arm_status agg_overflow(const char *type_name, arm_error *err)
{
    return error_set(err, ARM_ERROR_OUT_OF_RANGE, "22003", -1, "%s out of range", type_name);
}

#endif
