/*
 * value_set.h: a hash set of values of one type, for `x IN (constants)` and
 * `x IN (SELECT ...)`: built once per query, probed per batch.
 */
#ifndef ARM_EXEC_VALUE_SET_H
#define ARM_EXEC_VALUE_SET_H

#include "vector/vector.h"

typedef struct subquery_set subquery_set;

/* An empty set of values of `type`. Strings inserted are copied into the set. */
arm_status value_set_create(subquery_set **out, logical_type type, arm_error *err);
void value_set_destroy(subquery_set *set);
/* Inserts the selected non-NULL rows of `v` (its type must be the set's type). */
arm_status value_set_insert_vector(subquery_set *set, const vector *v, const uint32_t *sel,
                                   uint32_t count, arm_error *err);
arm_status value_set_insert(subquery_set *set, const value *val, arm_error *err);
/* True if a NULL was inserted (x IN (..., NULL) is NULL rather than FALSE when not found). */
bool value_set_has_null(const subquery_set *set);
uint64_t value_set_count(const subquery_set *set);
/*
 * For the selected rows of `probe`, writes result[row] = 1 when the value is
 * in the set, else 0 (caller handles NULL probes and has_null semantics).
 */
void value_set_probe(const subquery_set *set, const vector *probe, const uint32_t *sel,
                     uint32_t count, uint8_t *result);

/* Calls fn for every (non-NULL) value in the set; strings are owned by the set. */
void value_set_for_each(const subquery_set *set, void (*fn)(void *context, const value *v),
                        void *context);
#endif
