/*
 * sql_storage_committed.c: the committed catalog readers bind against (see
 * the header). Reloading it after a commit reopens only the tables whose
 * version changed, as the writer's catalog does.
 */
#include "sql/sql_storage_committed.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "table/chunk_table.h"

typedef struct committed_table {
    char *schema_name;
    char *name;
    int64_t version_id;
} committed_table;

struct committed_view {
    catalog *cat;
    const table_chunk_io *io;
    column_cache *cache;
    committed_table *tables;
    uint32_t count;
};

arm_status committed_view_create(committed_view **out, const table_chunk_io *io,
                                 column_cache *cache, arm_error *err)
{
    committed_view *v = calloc(1, sizeof *v);
    if (v == NULL)
        return error_out_of_memory(err);
    v->io = io;
    v->cache = cache;
    if (catalog_create(&v->cat, err) != ARM_OK) {
        free(v);
        return err->status;
    }
    *out = v;
    return ARM_OK;
}

static void forget(committed_table *tables, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        free(tables[i].schema_name);
        free(tables[i].name);
    }
    free(tables);
}

void committed_view_destroy(committed_view *v)
{
    if (v == NULL)
        return;
    catalog_destroy(v->cat);
    forget(v->tables, v->count);
    free(v);
}

catalog *committed_view_catalog(committed_view *v)
{
    return v->cat;
}

static bool holds_version(void *context, int64_t version_id)
{
    committed_view *v = context;
    for (uint32_t i = 0; i < v->count; i++)
        if (v->tables[i].version_id == version_id)
            return true;
    return false;
}

static const committed_table *held(const committed_view *v, const catalog_table_version *t)
{
    for (uint32_t i = 0; i < v->count; i++)
        if (v->tables[i].version_id == t->table_version_id &&
            strcmp(v->tables[i].schema_name, t->def.schema_name) == 0 &&
            strcmp(v->tables[i].name, t->def.name) == 0)
            return &v->tables[i];
    return NULL;
}

/* Drops the tables of the catalog that `head` (count versions) does not hold as they are. */
static void drop_changed(committed_view *v, const catalog_table_version *head, uint32_t count)
{
    for (uint32_t i = 0; i < v->count; i++) {
        bool kept = false;
        for (uint32_t k = 0; k < count && !kept; k++)
            kept = head[k].table_version_id == v->tables[i].version_id &&
                   strcmp(head[k].def.name, v->tables[i].name) == 0 &&
                   strcmp(head[k].def.schema_name, v->tables[i].schema_name) == 0;
        if (!kept)
            catalog_drop_table(v->cat, v->tables[i].schema_name, v->tables[i].name, true, NULL);
    }
}

/* A table of the head added to the catalog (one whose deletion vectors are damaged fails
 * every use, as in the writer's catalog). */
static arm_status open_table(committed_view *v, catalog_table_version *t, arm_error *err)
{
    table_provider *provider = NULL;
    arm_error cause;
    if (chunk_table_create(&provider, v->io, v->cache, t, false, &cause) != ARM_OK) {
        if (cause.status != ARM_ERROR_CORRUPT)
            return error_set(err, cause.status, cause.sqlstate, -1, "%s", cause.message);
        if (sql_storage_unreadable_table(t, &cause, &provider, err) != ARM_OK)
            return err->status;
    }
    t->def.provider = provider;
    arm_status st = catalog_create_table(v->cat, &t->def, err);
    t->def.provider = NULL;
    if (st != ARM_OK)
        provider->vtable->destroy(provider);
    return st;
}

typedef struct name_set {
    char **schemas;
    char **names;
    uint32_t count;
    uint32_t capacity;
} name_set;

/* Adds a name (NULL: a schema); dropped silently when out of memory. */
static void add_name(name_set *n, const char *schema_name, const char *name)
{
    if (n->count == n->capacity) {
        uint32_t capacity = n->capacity ? 2 * n->capacity : 16;
        char **schemas = realloc(n->schemas, capacity * sizeof *schemas);
        if (schemas != NULL)
            n->schemas = schemas;
        char **names = schemas ? realloc(n->names, capacity * sizeof *names) : NULL;
        if (names == NULL)
            return;
        n->names = names;
        n->capacity = capacity;
    }
    n->schemas[n->count] = strdup(schema_name);
    n->names[n->count] = name ? strdup(name) : NULL;
    n->count++;
}

static void collect(void *context, const char *schema_name, const char *name, bool is_view)
{
    if (is_view)
        add_name(context, schema_name, name);
}

static void collect_schema(void *context, const char *name)
{
    add_name(context, name, NULL);
}

static void name_set_free(name_set *n)
{
    for (uint32_t i = 0; i < n->count; i++) {
        free(n->schemas[i]);
        free(n->names[i]);
    }
    free(n->schemas);
    free(n->names);
}

/* Replaces the catalog's views and schemas by the commit's `views`. */
static arm_status load_views(committed_view *v, const view_def *views, uint32_t count,
                             arm_error *err)
{
    arm_status st = ARM_OK;
    name_set old = {0};
    catalog_list(v->cat, collect, &old);
    catalog_list_schemas(v->cat, collect_schema, &old);
    for (uint32_t i = 0; i < old.count; i++)
        if (old.names[i] != NULL && old.schemas[i] != NULL)
            catalog_drop_view(v->cat, old.schemas[i], old.names[i], true, NULL);
    for (uint32_t i = 0; i < count && st == ARM_OK; i++) /* schemas: empty name */
        if (views[i].name[0] == '\0')
            st = catalog_create_schema(v->cat, views[i].schema_name, true, err);
    for (uint32_t i = 0; i < old.count && st == ARM_OK; i++) {
        bool kept = old.names[i] != NULL || old.schemas[i] == NULL;
        for (uint32_t k = 0; k < count && !kept; k++)
            kept = views[k].name[0] == '\0' && strcmp(views[k].schema_name, old.schemas[i]) == 0;
        if (!kept)
            catalog_drop_schema(v->cat, old.schemas[i], true, true, NULL);
    }
    for (uint32_t i = 0; i < count && st == ARM_OK; i++)
        if (views[i].name[0] != '\0')
            st = catalog_create_view(v->cat, &views[i], true, err);
    name_set_free(&old);
    return st;
}

arm_status committed_view_load(committed_view *v, catalog_db *cdb, int64_t commit_id,
                               const view_def *views, uint32_t view_count, arm_error *err)
{
    catalog_table_version *head = NULL;
    uint32_t count = 0;
    arm_status st =
        catalog_db_tables_at_known(cdb, commit_id, holds_version, v, &head, &count, err);
    if (st != ARM_OK)
        return st;
    drop_changed(v, head, count);
    for (uint32_t i = 0; i < view_count && st == ARM_OK; i++) /* schemas first: tables go there */
        if (views[i].name[0] == '\0')
            st = catalog_create_schema(v->cat, views[i].schema_name, true, err);
    committed_table *tables = calloc(count + 1, sizeof *tables);
    if (st == ARM_OK && tables == NULL)
        st = error_out_of_memory(err);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < count && st == ARM_OK; i++) {
        if (held(v, &head[i]) == NULL) {
            if (head[i].def.column_count == 0) /* came back bare, yet not held */
                st = error_internal(err, "a committed table lost its definition");
            else
                st = open_table(v, &head[i], err);
        }
        tables[kept].schema_name = strdup(head[i].def.schema_name);
        tables[kept].name = strdup(head[i].def.name);
        tables[kept].version_id = head[i].table_version_id;
        if (tables[kept].schema_name == NULL || tables[kept].name == NULL)
            st = error_out_of_memory(err);
        kept++;
    }
    catalog_db_free_tables(head, count);
    if (st != ARM_OK) { /* start afresh next time: readers bind against the catalog meanwhile */
        for (uint32_t i = 0; i < kept; i++)
            if (tables[i].name != NULL)
                catalog_drop_table(v->cat, tables[i].schema_name, tables[i].name, true, NULL);
        for (uint32_t i = 0; i < v->count; i++)
            catalog_drop_table(v->cat, v->tables[i].schema_name, v->tables[i].name, true, NULL);
        forget(tables, kept);
        forget(v->tables, v->count);
        v->tables = NULL;
        v->count = 0;
        return st;
    }
    forget(v->tables, v->count);
    v->tables = tables;
    v->count = kept;
    return load_views(v, views, view_count, err);
}
