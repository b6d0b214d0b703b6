/*
 * function.c: the scalar function registry and overload resolution, as
 * PostgreSQL does it: an exact match wins, else the overload needing the
 * fewest implicit casts; untyped string literals fit any parameter type.
 */
#include <stdio.h>
#include <string.h>

#include "exec/function_internal.h"

int128 function_power10(unsigned n)
{
    int128 x = 1;
    for (unsigned i = 0; i < n && i < 38; i++)
        x *= 10;
    return x;
}

arm_status function_overflow(const expr *call, const char *type_name, arm_error *err)
{
    return error_set(err, ARM_ERROR_OUT_OF_RANGE, "22003", call ? call->position : -1,
                     "%s out of range", type_name);
}

arm_status function_division_by_zero(const expr *call, arm_error *err)
{
    return error_set(err, ARM_ERROR_DIVISION_BY_ZERO, "22012", call ? call->position : -1,
                     "division by zero");
}

typedef struct function_family {
    const scalar_function *table;
    const uint32_t *count;
} function_family;

static const function_family families[] = {
    {function_arith_table, &function_arith_count},
    {function_string_table, &function_string_count},
    {function_math_table, &function_math_count},
    {function_date_table, &function_date_count},
};
#define FAMILY_COUNT (sizeof families / sizeof families[0])

bool function_exists(const char *name)
{
    for (size_t f = 0; f < FAMILY_COUNT; f++)
        for (uint32_t i = 0; i < *families[f].count; i++)
            if (strcmp(families[f].table[i].name, name) == 0)
                return true;
    return false;
}

/* Cost of passing an argument of type `arg` to parameter `param`; -1 if impossible. */
static int argument_cost(logical_type arg, bool is_untyped_literal, logical_type param,
                         logical_type *cast_to)
{
    if (param.id == TYPE_DECIMAL && param.precision == 0) {
        if (arg.id == TYPE_DECIMAL) {
            *cast_to = arg;
            return 0;
        }
        if (type_is_integer(arg.id) || arg.id == TYPE_NULL) {
            uint8_t digits = arg.id == TYPE_TINYINT    ? 3
                             : arg.id == TYPE_SMALLINT ? 5
                             : arg.id == TYPE_INTEGER  ? 10
                                                       : 19;
            *cast_to = type_decimal(digits, 0);
            return 3;
        }
        if (is_untyped_literal) {
            *cast_to = type_decimal(38, 10);
            return 4;
        }
        return -1;
    }
    *cast_to = param;
    if (type_equal(arg, param))
        return 0;
    if (arg.id == TYPE_NULL)
        return 1;
    if (is_untyped_literal)
        return 2;
    if (type_can_implicit_cast(arg, param)) {
        /* Prefer the nearest wider type: cost grows with the distance. */
        int distance = (int)param.id - (int)arg.id;
        return 3 + (distance < 0 ? -distance : distance);
    }
    return -1;
}

static int overload_cost(const scalar_function *fn, const logical_type *arg_types,
                         const bool *untyped, uint32_t arg_count, logical_type *cast_to)
{
    if (fn->flags & FUNCTION_TEXT_ARGS) {
        if (arg_count < fn->arg_count)
            return -1;
        for (uint32_t i = 0; i < arg_count; i++)
            cast_to[i] = type_make(TYPE_VARCHAR);
        return 1;
    }
    if (fn->is_variadic ? arg_count < fn->arg_count : arg_count != fn->arg_count)
        return -1;
    int total = 0;
    for (uint32_t i = 0; i < arg_count; i++) {
        logical_type param = fn->is_variadic && i >= fn->arg_count
                                 ? fn->arg_types[fn->arg_count ? fn->arg_count - 1 : 0]
                                 : fn->arg_types[i];
        int c = argument_cost(arg_types[i], untyped && untyped[i], param, &cast_to[i]);
        if (c < 0)
            return -1;
        total += c;
    }
    return total;
}

static void describe_args(const logical_type *arg_types, uint32_t arg_count, char *buf,
                          size_t capacity)
{
    size_t used = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < arg_count && used < capacity; i++) {
        char t[32];
        type_format(arg_types[i], t, sizeof t);
        for (char *p = t; *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        used += (size_t)snprintf(buf + used, capacity - used, "%s%s", i ? ", " : "", t);
    }
}

arm_status function_resolve(const scalar_function **out, logical_type *cast_to, const char *name,
                            const logical_type *arg_types, const bool *arg_is_untyped_literal,
                            uint32_t arg_count, int32_t position, arm_error *err)
{
    const scalar_function *best = NULL;
    int best_cost = -1;
    logical_type candidate[64];
    if (arg_count > 64)
        return error_set(err, ARM_ERROR_NOT_SUPPORTED, NULL, position,
                         "too many arguments for function %s", name);
    for (size_t f = 0; f < FAMILY_COUNT; f++) {
        for (uint32_t i = 0; i < *families[f].count; i++) {
            const scalar_function *fn = &families[f].table[i];
            if (strcmp(fn->name, name) != 0)
                continue;
            int cost = overload_cost(fn, arg_types, arg_is_untyped_literal, arg_count, candidate);
            if (cost >= 0 && (best == NULL || cost < best_cost)) {
                best = fn;
                best_cost = cost;
                memcpy(cast_to, candidate, arg_count * sizeof *cast_to);
            }
        }
    }
    if (best != NULL) {
        *out = best;
        return ARM_OK;
    }
    char args_text[256];
    describe_args(arg_types, arg_count, args_text, sizeof args_text);
    bool is_operator = strchr("+-*/%=<>|~!", name[0]) != NULL;
    if (is_operator && arg_count == 2) {
        char left[32], right[32];
        describe_args(&arg_types[0], 1, left, sizeof left);
        describe_args(&arg_types[1], 1, right, sizeof right);
        error_set(err, ARM_ERROR_TYPE, "42883", position, "operator does not exist: %s %s %s", left,
                  name, right);
        error_hint(err, "No operator matches the given name and argument types. You might need "
                        "to add explicit type casts.");
        return ARM_ERROR_TYPE;
    }
    error_set(err, ARM_ERROR_NOT_FOUND, "42883", position, "function %s(%s) does not exist", name,
              args_text);
    error_hint(err, "No function matches the given name and argument types. You might need to "
                    "add explicit type casts.");
    return ARM_ERROR_NOT_FOUND;
}
