/*
 * aggregate.h: aggregate functions (COUNT, SUM, AVG, MIN, MAX, STDDEV,
 * VARIANCE, STRING_AGG, BOOL_AND, BOOL_OR) as state machines the hash
 * aggregate drives: init, update (per row group of states), combine (merge
 * thread-local partials), finalize.
 */
#ifndef ARM_EXEC_AGGREGATE_H
#define ARM_EXEC_AGGREGATE_H

#include "exec/plan.h"

struct aggregate_function {
    const char *name;
    logical_type arg_type;    /* the binder casts the (first) argument to this */
    logical_type return_type; /* e.g. SUM(INTEGER) is BIGINT, AVG(INTEGER) is DOUBLE */
    uint32_t state_size;
    void (*init)(const aggregate_function *fn, void *state);
    /* The state at rows[i] + state_offset takes row sel ? sel[i] : i of args (args NULL
     * for COUNT(*)): group rows and the state's offset in them, so the caller fills no
     * array of state pointers per aggregate. */
    arm_status (*update)(const aggregate_function *fn, uint8_t *const *rows, uint32_t state_offset,
                         vector *const *args, const uint32_t *sel, uint32_t count, arm_error *err);
    /* Optional (NULL when the family has none): the state at states + entries[r] * stride
     * takes row r = sel ? sel[i] : i of args, entries being a dictionary key's entry
     * numbers by row: GROUP BY one small dictionary into dense per-entry states, with no
     * group pointer per row. States offered this way own no memory (no destroy). */
    arm_status (*update_dense)(const aggregate_function *fn, uint8_t *states, uint32_t stride,
                               const uint32_t *entries, vector *const *args, const uint32_t *sel,
                               uint32_t count, arm_error *err);
    /* One state, all selected rows (ungrouped aggregates: the fast path). */
    arm_status (*update_single)(const aggregate_function *fn, void *state, vector *const *args,
                                const uint32_t *sel, uint32_t count, arm_error *err);
    arm_status (*combine)(const aggregate_function *fn, void *target, void *source, arm_error *err);
    /* Writes the result into row `row` of writable flat `result`. */
    arm_status (*finalize)(const aggregate_function *fn, void *state, vector *result, uint32_t row,
                           arm_error *err);
    void (*destroy)(const aggregate_function *fn, void *state); /* may be NULL */
};

/* True when `name` (lower case) is an aggregate function. */
bool aggregate_exists(const char *name);
/*
 * Resolves `name(args)`; `is_star` for COUNT(*). `cast_to` receives the
 * type each argument must be cast to. Errors name the function and types.
 */
arm_status aggregate_resolve(const aggregate_function **out, logical_type *cast_to,
                             const char *name, const logical_type *arg_types, uint32_t arg_count,
                             bool is_star, int32_t position, arm_error *err);

/* True for COUNT(*): it reads no argument, so only the number of rows matters. */
bool aggregate_is_count_star(const aggregate_function *fn);

/*
 * The aggregate that combines results of `partial` computed over parts of the
 * rows (an eager aggregation below a join): SUM of SUMs and of COUNTs, MIN
 * of MINs, MAX of MAXes, each returning partial's own result type. NULL when
 * `partial` cannot be split that way (AVG, DISTINCT forms, text aggregates).
 */
const aggregate_function *aggregate_merge_of(const aggregate_function *partial);

/* True when `fn` is an AVG (or MEAN): aggregate_avg_split computes every one in parts. */
bool aggregate_is_avg(const aggregate_function *fn);

/*
 * AVG `avg` computed in parts (an eager aggregation below a join): parts[0]
 * sums a part's values, parts[1] counts them (BIGINT), and *merge takes
 * those two columns from every part and returns what `avg` returns over all
 * the rows: the same DOUBLE, rounded the same way. Floats sum into a DOUBLE.
 * Integers and decimals sum exactly, as AVG does, into an int128 typed
 * DECIMAL(38, scale) that is not checked against 38 digits (a part of an AVG
 * over DECIMAL(38) may pass them where AVG does not fail) and is read only
 * by the merge, which adds the sums in int128 ("numeric out of range" as
 * AVG) and divides as AVG does. A part with no values has a NULL sum and a
 * count of 0. Requires aggregate_is_avg(avg); the instances are kept for
 * the process. ARM_ERROR_OUT_OF_MEMORY.
 */
arm_status aggregate_avg_split(const aggregate_function *parts[2], const aggregate_function **merge,
                               const aggregate_function *avg, arm_error *err);

#endif
