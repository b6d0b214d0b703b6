/*
 * aggregate.c: the aggregate registry: names, resolution of a call to an
 * instance per (function, argument type) with PostgreSQL's result types
 * (SUM(INTEGER) is BIGINT, SUM(BIGINT) is DECIMAL(38,0), AVG is DOUBLE).
 * Instances are made on first use and kept for the process (a bounded set);
 * the kernels live in aggregate_numeric/minmax/stats/text.c.
 */
#include "exec/aggregate.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "exec/aggregate_internal.h"

static const struct {
    const char *name;
    agg_kind kind;
} agg_names[] = {
    {"count", AGG_COUNT},
    {"sum", AGG_SUM},
    {"avg", AGG_AVG},
    {"mean", AGG_AVG},
    {"min", AGG_MIN},
    {"max", AGG_MAX},
    {"variance", AGG_VAR_SAMP},
    {"var_samp", AGG_VAR_SAMP},
    {"var_pop", AGG_VAR_POP},
    {"stddev", AGG_STDDEV_SAMP},
    {"stddev_samp", AGG_STDDEV_SAMP},
    {"stddev_pop", AGG_STDDEV_POP},
    {"string_agg", AGG_STRING_AGG},
    {"bool_and", AGG_BOOL_AND},
    {"bool_or", AGG_BOOL_OR},
    {"every", AGG_BOOL_AND},
};

bool aggregate_exists(const char *name)
{
    for (size_t i = 0; i < sizeof agg_names / sizeof agg_names[0]; i++)
        if (strcmp(agg_names[i].name, name) == 0)
            return true;
    return false;
}

/* ---- resolution --------------------------------------------------------------- */

/* Picks the family's typed kernels for the instance's kind and argument type. */
static void bind_kernels(agg_instance *it)
{
    switch (it->kind) {
    case AGG_COUNT_STAR:
    case AGG_COUNT:
    case AGG_SUM:
    case AGG_AVG:
    case AGG_AVG_PART_SUM:
    case AGG_AVG_MERGE: aggregate_numeric_bind(it); break;
    case AGG_MIN:
    case AGG_MAX: aggregate_minmax_bind(it); break;
    case AGG_VAR_SAMP:
    case AGG_VAR_POP:
    case AGG_STDDEV_SAMP:
    case AGG_STDDEV_POP: aggregate_stats_bind(it); break;
    default: aggregate_text_bind(it); break;
    }
}

static pthread_mutex_t instances_lock = PTHREAD_MUTEX_INITIALIZER;
static agg_instance *instances;

static const aggregate_function *instance_for(agg_kind kind, const char *name, logical_type arg,
                                              logical_type result)
{
    pthread_mutex_lock(&instances_lock);
    agg_instance *it = instances;
    for (; it != NULL; it = it->next)
        if (it->kind == kind && strcmp(it->fn.name, name) == 0 &&
            type_equal(it->fn.arg_type, arg) && type_equal(it->fn.return_type, result))
            break;
    char *own_name = it == NULL ? strdup(name) : NULL; /* `name` lives in a statement arena */
    if (it == NULL && own_name != NULL && (it = calloc(1, sizeof *it)) == NULL)
        free(own_name);
    else if (it != NULL && own_name != NULL) {
        it->kind = kind;
        it->fn.name = own_name;
        it->fn.arg_type = arg;
        it->fn.return_type = result;
        bind_kernels(it);
        it->next = instances;
        instances = it;
    }
    pthread_mutex_unlock(&instances_lock);
    return it ? &it->fn : NULL;
}

static arm_status no_such(const char *name, const logical_type *args, uint32_t count,
                          int32_t position, arm_error *err)
{
    char t[32] = "";
    if (count > 0)
        type_format(args[0], t, sizeof t);
    for (char *p = t; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    error_set(err, ARM_ERROR_TYPE, "42883", position, "function %s(%s) does not exist", name, t);
    error_hint(err, "No function matches the given name and argument types. You might need to "
                    "add explicit type casts.");
    return ARM_ERROR_TYPE;
}

/* Result type of `kind` over `arg`; false when the aggregate does not take that type. */
static bool result_type(agg_kind kind, logical_type arg, logical_type *cast, logical_type *result)
{
    *cast = arg;
    switch (kind) {
    case AGG_COUNT: *result = type_make(TYPE_BIGINT); return true;
    case AGG_SUM:
        if (type_is_integer(arg.id))
            *result = type_make(arg.id == TYPE_BIGINT ? TYPE_DECIMAL : TYPE_BIGINT);
        else if (arg.id == TYPE_DECIMAL)
            *result = type_decimal(38, arg.scale);
        else if (arg.id == TYPE_REAL || arg.id == TYPE_DOUBLE)
            *result = type_make(TYPE_DOUBLE);
        else
            return false;
        if (arg.id == TYPE_BIGINT)
            *result = type_decimal(38, 0);
        return true;
    case AGG_AVG:
    case AGG_VAR_SAMP:
    case AGG_VAR_POP:
    case AGG_STDDEV_SAMP:
    case AGG_STDDEV_POP: *result = type_make(TYPE_DOUBLE); return type_is_numeric(arg.id);
    case AGG_MIN:
    case AGG_MAX: *result = arg; return arg.id != TYPE_NULL && arg.id != TYPE_INVALID;
    case AGG_STRING_AGG:
        *result = type_make(TYPE_VARCHAR);
        *cast = type_make(TYPE_VARCHAR);
        return arg.id == TYPE_VARCHAR || arg.id == TYPE_NULL;
    case AGG_BOOL_AND:
    case AGG_BOOL_OR:
        *result = type_make(TYPE_BOOLEAN);
        return arg.id == TYPE_BOOLEAN || arg.id == TYPE_NULL;
    default: return false;
    }
}

arm_status aggregate_resolve(const aggregate_function **out, logical_type *cast_to,
                             const char *name, const logical_type *arg_types, uint32_t arg_count,
                             bool is_star, int32_t position, arm_error *err)
{
    agg_kind kind = AGG_COUNT;
    bool found = false;
    for (size_t i = 0; i < sizeof agg_names / sizeof agg_names[0] && !found; i++)
        if (strcmp(agg_names[i].name, name) == 0) {
            kind = agg_names[i].kind;
            found = true;
        }
    if (!found)
        return no_such(name, arg_types, arg_count, position, err);
    for (uint32_t i = 0; i < arg_count; i++)
        cast_to[i] = type_make(TYPE_INVALID);
    if (is_star) {
        if (kind != AGG_COUNT)
            return error_set(err, ARM_ERROR_SYNTAX, "42809", position,
                             "%s(*) is not allowed; only count(*)", name);
        *out = instance_for(AGG_COUNT_STAR, "count", type_make(TYPE_NULL), type_make(TYPE_BIGINT));
        return *out ? ARM_OK : error_out_of_memory(err);
    }
    uint32_t expected = kind == AGG_STRING_AGG ? 2 : 1;
    if (arg_count != expected) {
        error_set(err, ARM_ERROR_TYPE, "42883", position, "function %s takes %u argument%s", name,
                  expected, expected == 1 ? "" : "s");
        return ARM_ERROR_TYPE;
    }
    logical_type arg = arg_types[0], cast, result;
    if (arg.id == TYPE_NULL && kind != AGG_COUNT)
        arg = kind == AGG_STRING_AGG                          ? type_make(TYPE_VARCHAR)
              : (kind == AGG_BOOL_AND || kind == AGG_BOOL_OR) ? type_make(TYPE_BOOLEAN)
                                                              : type_make(TYPE_DOUBLE);
    if (!result_type(kind, arg, &cast, &result))
        return no_such(name, arg_types, arg_count, position, err);
    if (!type_equal(cast, arg_types[0]))
        cast_to[0] = cast;
    if (kind == AGG_STRING_AGG && arg_types[1].id != TYPE_VARCHAR)
        cast_to[1] = type_make(TYPE_VARCHAR);
    *out = instance_for(kind, name, cast, result);
    return *out ? ARM_OK : error_out_of_memory(err);
}

const aggregate_function *aggregate_merge_of(const aggregate_function *partial)
{
    logical_type t = partial->return_type;
    switch (agg_kind_of(partial)) {
    case AGG_COUNT_STAR:
    case AGG_COUNT: return instance_for(AGG_SUM, "sum", t, t); /* counts add up, as BIGINT */
    case AGG_SUM:
        if (t.id != TYPE_BIGINT && t.id != TYPE_DOUBLE && t.id != TYPE_DECIMAL)
            return NULL;
        return instance_for(AGG_SUM, "sum", t, t);
    case AGG_MIN:
    case AGG_MAX: return type_equal(partial->arg_type, t) ? partial : NULL;
    default: return NULL;
    }
}

bool aggregate_is_avg(const aggregate_function *fn)
{
    return agg_kind_of(fn) == AGG_AVG;
}

arm_status aggregate_avg_split(const aggregate_function *parts[2], const aggregate_function **merge,
                               const aggregate_function *avg, arm_error *err)
{
    if (NEVER(!aggregate_is_avg(avg)))
        return error_set(err, ARM_ERROR_INTERNAL, "XX000", -1, "%s is not an average", avg->name);
    logical_type arg = avg->arg_type;
    bool is_float = arg.id == TYPE_DOUBLE || arg.id == TYPE_REAL;
    logical_type sum =
        is_float ? type_make(TYPE_DOUBLE)
                 : type_decimal(DECIMAL_MAX_PRECISION, arg.id == TYPE_DECIMAL ? arg.scale : 0);
    parts[0] = instance_for(is_float ? AGG_SUM : AGG_AVG_PART_SUM, "sum", arg, sum);
    parts[1] = instance_for(AGG_COUNT, "count", arg, type_make(TYPE_BIGINT));
    *merge = instance_for(AGG_AVG_MERGE, "avg", sum, type_make(TYPE_DOUBLE));
    return parts[0] && parts[1] && *merge ? ARM_OK : error_out_of_memory(err);
}

bool aggregate_is_count_star(const aggregate_function *fn)
{
    return agg_kind_of(fn) == AGG_COUNT_STAR;
}
