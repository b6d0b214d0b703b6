/*
 * aggregate.c: aggregate functions as state machines (init, update,
 * update_single, combine, finalize). Result types follow PostgreSQL:
 * SUM(INTEGER) is BIGINT, SUM(BIGINT) is DECIMAL(38,0), AVG is DOUBLE.
 * Instances are made per argument type on first use and kept for the
 * process (a bounded set: one per distinct type).
 */
#include "exec/aggregate.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

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
} agg_kind;

/* One instance: the public struct first, then what the kernels need. */
typedef struct agg_instance {
    aggregate_function fn;
    agg_kind kind;
    struct agg_instance *next;
} agg_instance;

/* The state of every aggregate fits this union. */
typedef struct agg_state {
    bool has_value;
    int64_t count;
    union {
        int64_t i64;
        int128 i128;
        double f64;
        struct {
            double mean;
            double m2;
        } welford;
        struct {
            char *data;
            uint32_t length;
            uint32_t capacity;
        } text;
        value extreme; /* MIN/MAX; strings owned (malloc) */
    } u;
} agg_state;

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

static agg_kind kind_of(const aggregate_function *fn)
{
    return ((const agg_instance *)fn)->kind;
}

/* ---- reading arguments --------------------------------------------------- */

static inline uint32_t arg_row(const vector *v, uint32_t row)
{
    return v->kind == VECTOR_CONSTANT ? 0 : row;
}

static inline double read_double(const vector *v, uint32_t row)
{
    row = arg_row(v, row);
    switch (v->type.id) {
    case TYPE_DOUBLE: return ((const double *)v->data)[row];
    case TYPE_REAL: return ((const float *)v->data)[row];
    case TYPE_INTEGER: return ((const int32_t *)v->data)[row];
    case TYPE_SMALLINT: return ((const int16_t *)v->data)[row];
    case TYPE_TINYINT: return ((const int8_t *)v->data)[row];
    case TYPE_BIGINT: return (double)((const int64_t *)v->data)[row];
    case TYPE_DECIMAL: {
        double x = v->type.precision <= DECIMAL_INT64_MAX_PRECISION
                       ? (double)((const int64_t *)v->data)[row]
                       : (double)((const int128 *)v->data)[row];
        for (unsigned i = 0; i < v->type.scale; i++)
            x /= 10;
        return x;
    }
    default: return 0;
    }
}

static inline int128 read_int128(const vector *v, uint32_t row)
{
    row = arg_row(v, row);
    switch (v->type.id) {
    case TYPE_INTEGER: return ((const int32_t *)v->data)[row];
    case TYPE_SMALLINT: return ((const int16_t *)v->data)[row];
    case TYPE_TINYINT: return ((const int8_t *)v->data)[row];
    case TYPE_BIGINT: return ((const int64_t *)v->data)[row];
    case TYPE_DECIMAL:
        return v->type.precision <= DECIMAL_INT64_MAX_PRECISION ? ((const int64_t *)v->data)[row]
                                                                : ((const int128 *)v->data)[row];
    default: return 0;
    }
}

/* ---- per-row state update --------------------------------------------------- */

static arm_status overflow(const char *type_name, arm_error *err)
{
    return error_set(err, ARM_ERROR_OUT_OF_RANGE, "22003", -1, "%s out of range", type_name);
}

static arm_status set_extreme(agg_state *st, const value *v, arm_error *err)
{
    if (st->has_value && type_is_string(st->u.extreme.type.id))
        free((void *)st->u.extreme.u.str.data);
    st->u.extreme = *v;
    if (type_is_string(v->type.id)) {
        char *copy = malloc(v->u.str.length ? v->u.str.length : 1);
        if (copy == NULL) {
            st->has_value = false;
            return error_out_of_memory(err);
        }
        memcpy(copy, v->u.str.data, v->u.str.length);
        st->u.extreme.u.str.data = copy;
    }
    st->has_value = true;
    return ARM_OK;
}

static arm_status append_text(agg_state *st, const char *data, uint32_t length, arm_error *err)
{
    if (st->u.text.length + length > st->u.text.capacity) {
        uint32_t capacity = (st->u.text.length + length) * 2 + 16;
        char *grown = realloc(st->u.text.data, capacity);
        if (grown == NULL)
            return error_out_of_memory(err);
        st->u.text.data = grown;
        st->u.text.capacity = capacity;
    }
    memcpy(st->u.text.data + st->u.text.length, data, length);
    st->u.text.length += length;
    return ARM_OK;
}

static arm_status update_row(const aggregate_function *fn, agg_state *st, vector *const *args,
                             uint32_t row, arm_error *err)
{
    agg_kind kind = kind_of(fn);
    if (kind == AGG_COUNT_STAR) {
        st->count++;
        return ARM_OK;
    }
    const vector *v = args[0];
    if (!vector_is_valid(v, row))
        return ARM_OK;
    switch (kind) {
    case AGG_COUNT: st->count++; break;
    case AGG_SUM:
        if (fn->return_type.id == TYPE_DOUBLE) {
            st->u.f64 += read_double(v, row);
        } else if (fn->return_type.id == TYPE_BIGINT) {
            if (__builtin_add_overflow(st->u.i64, (int64_t)read_int128(v, row), &st->u.i64))
                return overflow("bigint", err);
        } else if (__builtin_add_overflow(st->u.i128, read_int128(v, row), &st->u.i128)) {
            return overflow("numeric", err);
        }
        st->has_value = true;
        break;
    case AGG_AVG:
        st->u.f64 += read_double(v, row);
        st->count++;
        break;
    case AGG_MIN:
    case AGG_MAX: {
        value x;
        vector_get_value(v, row, &x);
        x.type = fn->arg_type;
        int c = st->has_value ? value_compare(&x, &st->u.extreme) : 0;
        if (!st->has_value || (kind == AGG_MIN ? c < 0 : c > 0))
            return set_extreme(st, &x, err);
        break;
    }
    case AGG_VAR_SAMP:
    case AGG_VAR_POP:
    case AGG_STDDEV_SAMP:
    case AGG_STDDEV_POP: {
        /* Youngs-Cramer, as PostgreSQL's float8 accumulators: N, Sx, Sxx. */
        double x = read_double(v, row);
        st->count++;
        st->u.welford.mean += x; /* Sx */
        if (st->count > 1) {
            double t = x * (double)st->count - st->u.welford.mean;
            st->u.welford.m2 += t * t / ((double)st->count * (double)(st->count - 1));
        }
        break;
    }
    case AGG_STRING_AGG: {
        value x, sep;
        vector_get_value(v, row, &x);
        arm_status s = ARM_OK;
        if (st->has_value && vector_is_valid(args[1], row)) {
            vector_get_value(args[1], row, &sep);
            s = append_text(st, sep.u.str.data, sep.u.str.length, err);
        }
        if (s == ARM_OK)
            s = append_text(st, x.u.str.data, x.u.str.length, err);
        st->has_value = true;
        return s;
    }
    case AGG_BOOL_AND:
    case AGG_BOOL_OR: {
        bool b = ((const uint8_t *)v->data)[arg_row(v, row)] != 0;
        st->u.i64 = !st->has_value ? b : kind == AGG_BOOL_AND ? (st->u.i64 && b) : (st->u.i64 || b);
        st->has_value = true;
        break;
    }
    default: break;
    }
    return ARM_OK;
}

static void agg_init(const aggregate_function *fn, void *state)
{
    (void)fn;
    memset(state, 0, sizeof(agg_state));
}

static arm_status agg_update(const aggregate_function *fn, void **states, vector *const *args,
                             const uint32_t *sel, uint32_t count, arm_error *err)
{
    for (uint32_t i = 0; i < count; i++) {
        arm_status s = update_row(fn, states[i], args, sel ? sel[i] : i, err);
        if (s != ARM_OK)
            return s;
    }
    return ARM_OK;
}

/* The ungrouped fast path: tight loops for the common flat, NULL-free cases. */
static arm_status agg_update_single(const aggregate_function *fn, void *state, vector *const *args,
                                    const uint32_t *sel, uint32_t count, arm_error *err)
{
    agg_state *st = state;
    agg_kind kind = kind_of(fn);
    if (kind == AGG_COUNT_STAR) {
        st->count += count;
        return ARM_OK;
    }
    const vector *v = args[0];
    bool simple = v->kind == VECTOR_FLAT && v->validity == NULL;
    if (simple && kind == AGG_COUNT) {
        st->count += count;
        return ARM_OK;
    }
    if (simple && (kind == AGG_SUM || kind == AGG_AVG) && v->type.id == TYPE_DOUBLE) {
        const double *d = v->data;
        double sum = 0;
        if (sel == NULL)
            for (uint32_t i = 0; i < count; i++)
                sum += d[i];
        else
            for (uint32_t i = 0; i < count; i++)
                sum += d[sel[i]];
        st->u.f64 += sum;
        st->count += count;
        st->has_value = st->has_value || count > 0;
        return ARM_OK;
    }
    for (uint32_t i = 0; i < count; i++) {
        arm_status s = update_row(fn, st, args, sel ? sel[i] : i, err);
        if (s != ARM_OK)
            return s;
    }
    return ARM_OK;
}

static arm_status agg_combine(const aggregate_function *fn, void *target_state, void *source_state,
                              arm_error *err)
{
    agg_state *t = target_state, *s = source_state;
    agg_kind kind = kind_of(fn);
    switch (kind) {
    case AGG_COUNT_STAR:
    case AGG_COUNT: t->count += s->count; break;
    case AGG_SUM:
        if (!s->has_value)
            break;
        if (fn->return_type.id == TYPE_DOUBLE)
            t->u.f64 += s->u.f64;
        else if (fn->return_type.id == TYPE_BIGINT) {
            if (__builtin_add_overflow(t->u.i64, s->u.i64, &t->u.i64))
                return overflow("bigint", err);
        } else if (__builtin_add_overflow(t->u.i128, s->u.i128, &t->u.i128))
            return overflow("numeric", err);
        t->has_value = true;
        break;
    case AGG_AVG:
        t->u.f64 += s->u.f64;
        t->count += s->count;
        break;
    case AGG_MIN:
    case AGG_MAX:
        if (s->has_value) {
            int c = t->has_value ? value_compare(&s->u.extreme, &t->u.extreme) : 0;
            if (!t->has_value || (kind == AGG_MIN ? c < 0 : c > 0))
                return set_extreme(t, &s->u.extreme, err);
        }
        break;
    case AGG_STRING_AGG:
        if (s->has_value) {
            /* Parallel partials keep no separator; the executor merges in order. */
            arm_status st = append_text(t, s->u.text.data, s->u.text.length, err);
            t->has_value = true;
            return st;
        }
        break;
    case AGG_BOOL_AND:
    case AGG_BOOL_OR:
        if (s->has_value) {
            t->u.i64 = !t->has_value          ? s->u.i64
                       : kind == AGG_BOOL_AND ? (t->u.i64 && s->u.i64)
                                              : (t->u.i64 || s->u.i64);
            t->has_value = true;
        }
        break;
    default: { /* Youngs-Cramer partials, combined as PostgreSQL's float8_combine */
        if (s->count == 0)
            break;
        if (t->count == 0) {
            *t = *s;
            break;
        }
        double n1 = (double)t->count, n2 = (double)s->count;
        double tmp = t->u.welford.mean / n1 - s->u.welford.mean / n2;
        t->u.welford.m2 += s->u.welford.m2 + n1 * n2 * tmp * tmp / (n1 + n2);
        t->u.welford.mean += s->u.welford.mean;
        t->count += s->count;
        break;
    }
    }
    return ARM_OK;
}

static arm_status agg_finalize(const aggregate_function *fn, void *state, vector *result,
                               uint32_t row, arm_error *err)
{
    agg_state *st = state;
    value v = value_null(fn->return_type);
    switch (kind_of(fn)) {
    case AGG_COUNT_STAR:
    case AGG_COUNT: v = value_bigint(st->count); break;
    case AGG_SUM:
        if (!st->has_value)
            break;
        v.is_null = false;
        if (fn->return_type.id == TYPE_DOUBLE)
            v.u.f64 = st->u.f64;
        else if (fn->return_type.id == TYPE_BIGINT)
            v.u.i64 = st->u.i64;
        else
            v.u.i128 = st->u.i128;
        break;
    case AGG_AVG:
        if (st->count > 0)
            v = value_double(st->u.f64 / (double)st->count);
        break;
    case AGG_MIN:
    case AGG_MAX:
        if (st->has_value)
            v = st->u.extreme;
        break;
    case AGG_VAR_SAMP:
    case AGG_STDDEV_SAMP:
        if (st->count > 1) {
            double var = st->u.welford.m2 / (double)(st->count - 1);
            v = value_double(kind_of(fn) == AGG_VAR_SAMP ? var : sqrt(var));
        }
        break;
    case AGG_VAR_POP:
    case AGG_STDDEV_POP:
        if (st->count > 0) {
            double var = st->u.welford.m2 / (double)st->count;
            v = value_double(kind_of(fn) == AGG_VAR_POP ? var : sqrt(var));
        }
        break;
    case AGG_STRING_AGG:
        if (st->has_value)
            v = value_varchar(st->u.text.data ? st->u.text.data : "", st->u.text.length);
        break;
    case AGG_BOOL_AND:
    case AGG_BOOL_OR:
        if (st->has_value)
            v = value_boolean(st->u.i64 != 0);
        break;
    }
    v.type = fn->return_type;
    return vector_set_value(result, row, &v, err);
}

static void agg_destroy(const aggregate_function *fn, void *state)
{
    agg_state *st = state;
    agg_kind kind = kind_of(fn);
    if (kind == AGG_STRING_AGG)
        free(st->u.text.data);
    else if ((kind == AGG_MIN || kind == AGG_MAX) && st->has_value &&
             type_is_string(st->u.extreme.type.id))
        free((void *)st->u.extreme.u.str.data);
    st->has_value = false;
}

/* ---- resolution --------------------------------------------------------------- */

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
    if (it == NULL && (it = calloc(1, sizeof *it)) != NULL) {
        it->kind = kind;
        it->fn.name = name;
        it->fn.arg_type = arg;
        it->fn.return_type = result;
        it->fn.state_size = sizeof(agg_state);
        it->fn.init = agg_init;
        it->fn.update = agg_update;
        it->fn.update_single = agg_update_single;
        it->fn.combine = agg_combine;
        it->fn.finalize = agg_finalize;
        it->fn.destroy = agg_destroy;
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
