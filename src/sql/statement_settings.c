/*
 * statement_settings.c: SET, RESET and SHOW for the database settings
 * (threads, memory_limit, cache_size, chunk_rows), SHOW ALL and SHOW TABLES. Settings are per
 * database, as DuckDB's are; values are stored in sql_database atomics.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/column_cache.h"
#include "common/error.h"
#include "sql/binder_internal.h"
#include "sql/planner.h"
#include "sql/statement_internal.h"
#include "sql/suggest.h"
#include "table/table_store.h"

int64_t statement_ram_bytes(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page_size <= 0)
        return (int64_t)8 << 30;
    return (int64_t)pages * page_size;
}

bool statement_parse_memory(const char *text, int64_t ram_bytes, int64_t *out_bytes)
{
    static const struct {
        const char *unit;
        double factor;
    } units[] = {
        {"", 1},
        {"b", 1},
        {"bytes", 1},
        {"kb", 1e3},
        {"kib", 1024.0},
        {"mb", 1e6},
        {"mib", 1048576.0},
        {"gb", 1e9},
        {"gib", 1073741824.0},
        {"tb", 1e12},
        {"tib", 1099511627776.0},
        {"%", -1},
    };
    char *end;
    double number = strtod(text, &end);
    if (end == text || number < 0)
        return false;
    while (isspace((unsigned char)*end))
        end++;
    char unit[16];
    size_t n = 0;
    while (end[n] != '\0' && !isspace((unsigned char)end[n]) && n + 1 < sizeof unit) {
        unit[n] = (char)tolower((unsigned char)end[n]);
        n++;
    }
    unit[n] = '\0';
    const char *rest = end + n;
    while (isspace((unsigned char)*rest))
        rest++;
    if (*rest != '\0')
        return false;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(units[i].unit, unit) != 0)
            continue;
        double bytes =
            units[i].factor < 0 ? (double)ram_bytes * number / 100.0 : number * units[i].factor;
        if (bytes < 1 || bytes > 9.2e18)
            return false;
        *out_bytes = (int64_t)bytes;
        return true;
    }
    return false;
}

static void format_memory(int64_t bytes, char *buf, size_t capacity)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double amount = (double)bytes;
    size_t unit = 0;
    while (amount >= 1024.0 && unit + 1 < sizeof units / sizeof units[0]) {
        amount /= 1024.0;
        unit++;
    }
    if (unit == 0)
        snprintf(buf, capacity, "%lld bytes", (long long)bytes);
    else
        snprintf(buf, capacity, "%.1f %s", amount, units[unit]);
}

/* The SET value as a constant: an integer or a string. */
static arm_status setting_value(value *out, sql_session *s, const ast_expr *ast, arm_error *err)
{
    binder b;
    bind_scope scope;
    expr *e;
    if (statement_binder_init(&b, s, 0, NULL, err) != ARM_OK)
        return err->status;
    binder_scope_push(&b, &scope, NULL);
    arm_status status = binder_bind_expr(&e, &b, ast, err);
    if (status == ARM_OK)
        status = optimizer_fold_constants(&e, &b, err);
    if (status == ARM_OK && e->kind != EXPR_CONSTANT)
        status = error_set(err, ARM_ERROR_INVALID_INPUT, "22023", ast->position,
                           "SET requires a constant value");
    if (status == ARM_OK)
        *out = e->u.constant;
    binder_dispose(&b);
    return status;
}

/* An integer setting's value: an integer, or text that is one. */
static bool integer_setting(const value *v, int64_t *n)
{
    if (v->is_null)
        return false;
    if (type_is_integer(v->type.id)) {
        *n = v->u.i64;
        return true;
    }
    if (v->type.id != TYPE_VARCHAR)
        return false;
    char text[32], *end;
    size_t length = v->u.str.length < sizeof text - 1 ? v->u.str.length : sizeof text - 1;
    memcpy(text, v->u.str.data, length);
    text[length] = '\0';
    *n = strtoll(text, &end, 10);
    return end != text && *end == '\0';
}

static arm_status set_threads(sql_database *db, const value *v, int32_t position, arm_error *err)
{
    if (v == NULL) {
        atomic_store(&db->threads, db->default_threads);
        return ARM_OK;
    }
    int64_t n = 0;
    if (!integer_setting(v, &n) || n < 1 || n > 1024)
        return error_set(err, ARM_ERROR_OUT_OF_RANGE, "22023", position,
                         "threads must be an integer between 1 and 1024");
    atomic_store(&db->threads, (uint32_t)n);
    return ARM_OK;
}

/*
 * SET chunk_rows: how many rows the chunks written from now on hold on
 * average (RESET: 65536). Fewer rows make smaller rewrites and finer
 * sharing between versions; more make scans pay less per chunk.
 */
static arm_status set_chunk_rows(sql_database *db, const value *v, int32_t position, arm_error *err)
{
    int64_t n = TABLE_STORE_DEFAULT_CHUNK_ROWS;
    if (v != NULL && (!integer_setting(v, &n) || n < TABLE_STORE_MIN_CHUNK_ROWS ||
                      n > TABLE_STORE_MAX_CHUNK_ROWS || (n & (n - 1)) != 0)) {
        error_set(err, ARM_ERROR_OUT_OF_RANGE, "22023", position,
                  "chunk_rows must be a power of two between %u and %u", TABLE_STORE_MIN_CHUNK_ROWS,
                  TABLE_STORE_MAX_CHUNK_ROWS);
        error_hint(err, "For example SET chunk_rows = 65536 (the default).");
        return err->status;
    }
    atomic_store(&db->chunk_rows, (uint32_t)n); /* the storage reads it at each write */
    return ARM_OK;
}

/* A size setting's value in bytes: a number, or text such as '4GB' or '25%'; NULL: `bytes` stays.
 */
static arm_status parse_size_setting(const char *name, const value *v, int32_t position,
                                     int64_t *bytes, arm_error *err)
{
    if (v != NULL) {
        char text[64];
        bool ok = !v->is_null;
        if (ok && type_is_integer(v->type.id)) {
            snprintf(text, sizeof text, "%lld", (long long)v->u.i64);
        } else if (ok && v->type.id == TYPE_VARCHAR) {
            size_t length = v->u.str.length < sizeof text - 1 ? v->u.str.length : sizeof text - 1;
            memcpy(text, v->u.str.data, length);
            text[length] = '\0';
        } else {
            ok = false;
        }
        if (!ok || !statement_parse_memory(text, statement_ram_bytes(), bytes)) {
            error_set(err, ARM_ERROR_INVALID_INPUT, "22023", position, "invalid value for %s",
                      name);
            error_hint(err, "Use a size such as '2GB', '512MiB' or '80%%' (of RAM).");
            return err->status;
        }
    }
    return ARM_OK;
}

static arm_status set_memory_limit(sql_database *db, const value *v, int32_t position,
                                   arm_error *err)
{
    int64_t bytes = db->default_memory_limit_bytes;
    if (parse_size_setting("memory_limit", v, position, &bytes, err) != ARM_OK)
        return err->status;
    atomic_store(&db->memory_limit_bytes, bytes);
    db->budget.limit_bytes = bytes;
    return ARM_OK;
}

/* SET cache_size: the column cache's bound (RESET: a quarter of RAM); shrinking evicts. */
static arm_status set_cache_size(sql_database *db, const value *v, int32_t position, arm_error *err)
{
    int64_t bytes = (int64_t)column_cache_default_capacity();
    if (parse_size_setting("cache_size", v, position, &bytes, err) != ARM_OK)
        return err->status;
    column_cache_set_capacity(db->cache, (size_t)bytes);
    return ARM_OK;
}

/* The text SHOW gives for each setting, into buf. */
static void show_threads(const sql_database *db, char *buf, size_t size)
{
    snprintf(buf, size, "%u", atomic_load(&db->threads));
}

static void show_cache_size(const sql_database *db, char *buf, size_t size)
{
    column_cache_stats stats;
    column_cache_read_stats(db->cache, &stats);
    format_memory((int64_t)stats.capacity_bytes, buf, size);
}

static void show_chunk_rows(const sql_database *db, char *buf, size_t size)
{
    snprintf(buf, size, "%u", atomic_load(&db->chunk_rows));
}

static void show_memory_limit(const sql_database *db, char *buf, size_t size)
{
    format_memory(atomic_load(&db->memory_limit_bytes), buf, size);
}

/* Every setting, in SHOW ALL's order: how SET changes it and how SHOW writes it. */
typedef struct setting {
    const char *name;
    arm_status (*set)(sql_database *db, const value *v, int32_t position, arm_error *err);
    void (*show)(const sql_database *db, char *buf, size_t size);
} setting;

static const setting settings[] = {
    {"cache_size", set_cache_size, show_cache_size},
    {"chunk_rows", set_chunk_rows, show_chunk_rows},
    {"memory_limit", set_memory_limit, show_memory_limit},
    {"threads", set_threads, show_threads},
};
#define SETTING_COUNT (sizeof settings / sizeof settings[0])

/* Setting `name` (worker_threads is DuckDB's name for threads); NULL if none. */
static const setting *find_setting(const char *name)
{
    if (strcmp(name, "worker_threads") == 0)
        name = "threads";
    for (size_t i = 0; i < SETTING_COUNT; i++)
        if (strcmp(name, settings[i].name) == 0)
            return &settings[i];
    return NULL;
}

static arm_status unknown_setting(const char *name, int32_t position, arm_error *err)
{
    suggester s;
    suggester_init(&s, name);
    for (size_t i = 0; i < SETTING_COUNT; i++)
        suggester_consider(&s, settings[i].name);
    error_set(err, ARM_ERROR_NOT_FOUND, "42704", position,
              "unrecognized configuration parameter \"%s\"", name);
    if (s.best != NULL)
        error_hint(err, "Perhaps you meant \"%s\".", s.best);
    return err->status;
}

arm_status statement_set(result_set **out, sql_session *s, const ast_stmt *stmt, arm_error *err)
{
    const char *name = stmt->u.set.name.name;
    value v;
    int32_t position = stmt->u.set.value ? stmt->u.set.value->position : stmt->position;
    const setting *set = find_setting(name);
    if (set == NULL)
        return unknown_setting(name, stmt->u.set.name.position, err);
    if (stmt->u.set.value != NULL && setting_value(&v, s, stmt->u.set.value, err) != ARM_OK)
        return err->status;
    if (set->set(s->db, stmt->u.set.value ? &v : NULL, position, err) != ARM_OK)
        return err->status;
    return result_set_create_empty(out, RESULT_SET_NOTHING, 0, err);
}

static const char *setting_text(sql_session *s, const setting *set)
{
    char buf[64];
    set->show(s->db, buf, sizeof buf);
    return arena_strdup(s->arena, buf);
}

typedef struct table_names {
    const char **names;
    uint32_t count;
    uint32_t capacity;
    arena *a;
    bool failed;
} table_names;

static void collect_name(void *context, const char *schema_name, const char *name, bool is_view)
{
    (void)schema_name, (void)is_view;
    table_names *t = context;
    if (t->count == t->capacity) {
        uint32_t capacity = t->capacity ? t->capacity * 2 : 16;
        const char **names =
            arena_realloc(t->a, t->names, t->capacity * sizeof *names, capacity * sizeof *names);
        if (names == NULL) {
            t->failed = true;
            return;
        }
        t->names = names;
        t->capacity = capacity;
    }
    const char *copy = arena_strdup(t->a, name);
    if (copy == NULL)
        t->failed = true;
    else
        t->names[t->count++] = copy;
}

static int compare_names(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static arm_status show_tables(result_set **out, sql_session *s, arm_error *err)
{
    table_names t = {NULL, 0, 0, s->arena, false};
    catalog_list(statement_catalog(s), collect_name, &t);
    if (t.failed)
        return error_out_of_memory(err);
    if (t.count > 1)
        qsort(t.names, t.count, sizeof *t.names, compare_names);
    static const char *const column[] = {"name"};
    return statement_text_result(out, column, 1, t.names, t.count, err);
}

arm_status statement_show(result_set **out, sql_session *s, const ast_stmt *stmt, arm_error *err)
{
    const char *name = stmt->u.show.name.name;
    if (name == NULL || strcmp(name, "all") == 0) {
        const char *cells[2 * SETTING_COUNT];
        for (size_t i = 0; i < SETTING_COUNT; i++) {
            cells[2 * i] = settings[i].name;
            if ((cells[2 * i + 1] = setting_text(s, &settings[i])) == NULL)
                return error_out_of_memory(err);
        }
        static const char *const columns[] = {"name", "setting"};
        return statement_text_result(out, columns, 2, cells, SETTING_COUNT, err);
    }
    if (strcmp(name, "tables") == 0)
        return show_tables(out, s, err);
    const setting *set = find_setting(name);
    if (set == NULL)
        return unknown_setting(name, stmt->u.show.name.position, err);
    name = set->name;
    const char *cell = setting_text(s, set);
    if (cell == NULL)
        return error_out_of_memory(err);
    return statement_text_result(out, &name, 1, &cell, 1, err);
}
