/*
 * planner.h: from a bound logical plan to the physical plan_node tree the
 * executor runs: optimizer.c rewrites the logical tree (constant folding,
 * filter and projection pushdown, join order, top-N), planner.c resolves
 * column bindings to positions and picks physical operators.
 */
#ifndef ARM_SQL_PLANNER_H
#define ARM_SQL_PLANNER_H

#include "sql/binder.h"

/* Rewrites the tree in place (the root may change). */
arm_status optimizer_optimize(logical_op **root, binder *b, arm_error *err);
/* Folds every constant subtree of `*slot` (errors such as 1/0 are reported). */
arm_status optimizer_fold_constants(expr **slot, binder *b, arm_error *err);

/* Builds the physical plan of an optimized logical tree. */
arm_status planner_create_physical(plan_node **out, binder *b, logical_op *root, arm_error *err);

/* optimizer_optimize + planner_create_physical + node numbering. */
arm_status planner_plan(plan_node **out, binder *b, logical_op *root, arm_error *err);

#endif
