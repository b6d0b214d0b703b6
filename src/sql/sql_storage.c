/*
 * sql_storage.c: loading a branch head into the in-memory catalog (chunk
 * tables over the committed versions), committing what statements changed
 * (new chunks for appended rows, deletion vectors for deleted ones),
 * rebasing commits that lost a race, branches and tags, and CHECKPOINT.
 * History tables and VACUUM are in sql_storage_history.c.
 */
#include "sql/sql_storage.h"
#include "sql/sql_storage_internal.h"

#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/column_cache.h"
#include "catalog/catalog_db.h"
#include "common/error.h"
#include "exec/result_set.h"
#include "format/roaring.h"
#include "sql/sql_storage_committed.h"
#include "store/object_store.h"
#include "table/chunk_table.h"
#include "table/memory_table.h"
#include "table/table_store.h"

static arm_status chunk_put(void *context, const uint8_t *data, size_t length, uint8_t id[32],
                            arm_error *err)
{
    return object_store_put(context, data, length, id, NULL, err);
}

static arm_status chunk_get(void *context, const uint8_t id[32], uint8_t **data, size_t *length,
                            arm_error *err)
{
    return object_store_get(context, id, data, length, err);
}

static arm_status chunk_read_ranges(void *context, const uint8_t id[32], uint64_t size,
                                    const object_range *ranges, uint32_t count, arm_error *err)
{
    return object_store_read_ranges(context, id, size, ranges, count, err);
}

static uint64_t change_count_of(table_provider *t);

static void forget_tables(sql_storage *s)
{
    for (uint32_t i = 0; i < s->table_count; i++) {
        free(s->tables[i].schema_name);
        free(s->tables[i].name);
    }
    s->table_count = 0;
}

static arm_status remember_table(sql_storage *s, const char *schema_name, const char *name,
                                 const catalog_table_version *v, table_provider *provider,
                                 arm_error *err)
{
    if (s->table_count == s->table_capacity) {
        uint32_t capacity = s->table_capacity ? 2 * s->table_capacity : 16;
        stored_table *grown = realloc(s->tables, capacity * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(err);
        s->tables = grown;
        s->table_capacity = capacity;
    }
    stored_table *t = &s->tables[s->table_count];
    t->schema_name = strdup(schema_name);
    t->name = strdup(name);
    if (t->schema_name == NULL || t->name == NULL) {
        free(t->schema_name);
        free(t->name);
        return error_out_of_memory(err);
    }
    t->table_id = v->table_id;
    t->table_version_id = v->table_version_id;
    t->provider = provider;
    t->change_count = change_count_of(provider);
    s->table_count++;
    return ARM_OK;
}

/*
 * A table whose chunks cannot be read (missing or damaged objects): every
 * use fails with the error loading it gave, so the queries that need it
 * say why and the rest of the database stays usable.
 */
typedef struct unreadable_table {
    table_provider base;
    arm_error error;
} unreadable_table;

static arm_status unreadable(table_provider *t, arm_error *err)
{
    const arm_error *e = &((unreadable_table *)t)->error;
    error_set(err, e->status, e->sqlstate, -1, "%s", e->message);
    if (e->hint[0] != '\0')
        error_hint(err, "%s", e->hint);
    return e->status;
}

static arm_status unreadable_scan(table_provider *t, const table_scan_options *options,
                                  table_scan **out, arm_error *err)
{
    (void)options;
    *out = NULL;
    return unreadable(t, err);
}

static arm_status unreadable_append(table_provider *t, const batch *rows, arm_error *err)
{
    (void)rows;
    return unreadable(t, err);
}

static arm_status unreadable_delete(table_provider *t, const int64_t *row_ids, uint64_t count,
                                    arm_error *err)
{
    (void)row_ids;
    (void)count;
    return unreadable(t, err);
}

static arm_status unreadable_update(table_provider *t, const int64_t *row_ids,
                                    const batch *new_rows, arm_error *err)
{
    (void)row_ids;
    (void)new_rows;
    return unreadable(t, err);
}

static uint64_t unreadable_rows(table_provider *t)
{
    (void)t;
    return 0;
}

static void unreadable_destroy(table_provider *t)
{
    free(t->column_types);
    for (uint32_t i = 0; i < t->column_count; i++)
        free(t->column_names[i]);
    free(t->column_names);
    free(t);
}

static const table_provider_vtable unreadable_vtable = {
    .scan_begin = unreadable_scan,
    .append = unreadable_append,
    .delete_rows = unreadable_delete,
    .update_rows = unreadable_update,
    .estimated_row_count = unreadable_rows,
    .destroy = unreadable_destroy,
};

static bool is_unreadable(const table_provider *t)
{
    return t->vtable == &unreadable_vtable;
}

static uint64_t change_count_of(table_provider *t)
{
    if (is_unreadable(t))
        return 0;
    return chunk_table_is(t) ? chunk_table_change_count(t) : memory_table_change_count(t);
}

arm_status sql_storage_unreadable_table(const catalog_table_version *v, const arm_error *cause,
                                        table_provider **out, arm_error *err)
{
    unreadable_table *t = calloc(1, sizeof *t);
    uint32_t n = v->def.column_count;
    if (t == NULL || (t->base.column_types = calloc(n + 1, sizeof(logical_type))) == NULL ||
        (t->base.column_names = calloc(n + 1, sizeof(char *))) == NULL) {
        if (t)
            free(t->base.column_types);
        free(t);
        return error_out_of_memory(err);
    }
    t->base.vtable = &unreadable_vtable;
    t->base.column_count = n;
    for (uint32_t i = 0; i < n; i++) {
        t->base.column_types[i] = v->def.columns[i].type;
        t->base.column_names[i] = strdup(v->def.columns[i].name);
    }
    t->error = *cause;
    error_set(&t->error, cause->status, cause->sqlstate, -1, "cannot read table \"%s\": %s",
              v->def.name, cause->message);
    error_hint(&t->error, "%s", cause->hint);
    *out = &t->base;
    return ARM_OK;
}

/* The head's table `v`, writable, its rows left in their chunks (the provider is the caller's). */
static arm_status materialize(sql_storage *s, const catalog_table_version *v, table_provider **out,
                              arm_error *err)
{
    return chunk_table_create(out, &s->io, s->cache, v, true, err);
}

typedef struct name_list {
    char **schemas;
    char **names;
    uint32_t count;
    uint32_t capacity;
    bool failed;
} name_list;

static void collect_table(void *context, const char *schema_name, const char *name, bool is_view)
{
    name_list *l = context;
    if (is_view || l->failed)
        return;
    if (l->count == l->capacity) {
        uint32_t capacity = l->capacity ? 2 * l->capacity : 16;
        char **schemas = realloc(l->schemas, capacity * sizeof *schemas);
        char **names = schemas ? realloc(l->names, capacity * sizeof *names) : NULL;
        if (schemas)
            l->schemas = schemas;
        if (names == NULL) {
            l->failed = true;
            return;
        }
        l->names = names;
        l->capacity = capacity;
    }
    l->schemas[l->count] = strdup(schema_name);
    l->names[l->count] = strdup(name);
    l->count++;
}

static void name_list_dispose(name_list *l)
{
    for (uint32_t i = 0; i < l->count; i++) {
        free(l->schemas[i]);
        free(l->names[i]);
    }
    free(l->schemas);
    free(l->names);
}

/* ---- views ----------------------------------------------------------------------------- */

/* The views of `cat`, retained (release with release_views). */
typedef struct view_list {
    view_def **views;
    uint32_t count;
    uint32_t capacity;
    bool failed;
    catalog *cat;
} view_list;

/* Room for one more entry; false (and `failed` set) when out of memory. */
static bool view_list_reserve(view_list *l)
{
    if (l->failed)
        return false;
    if (l->count == l->capacity) {
        uint32_t capacity = l->capacity ? 2 * l->capacity : 8;
        view_def **grown = realloc(l->views, capacity * sizeof *grown);
        if (grown == NULL) {
            l->failed = true;
            return false;
        }
        l->views = grown;
        l->capacity = capacity;
    }
    return true;
}

static void collect_view(void *context, const char *schema_name, const char *name, bool is_view)
{
    view_list *l = context;
    if (!is_view || !view_list_reserve(l))
        return;
    view_def *v = catalog_lookup_view(l->cat, schema_name, name);
    if (v != NULL)
        l->views[l->count++] = v;
}

/*
 * Schemas travel with the views: a schema is a row of commit_views with an
 * empty name (and no SQL), so commits, conflicts and rebases treat created
 * and dropped schemas as they treat views.
 */
static void collect_schema(void *context, const char *name)
{
    view_list *l = context;
    if (!view_list_reserve(l))
        return;
    view_def *v = calloc(1, sizeof *v);
    if (v != NULL) {
        atomic_init(&v->refcount, 1);
        v->schema_name = strdup(name);
        v->name = strdup("");
        v->sql = strdup("");
    }
    if (v == NULL || v->schema_name == NULL || v->name == NULL || v->sql == NULL) {
        view_def_release(v);
        l->failed = true;
        return;
    }
    l->views[l->count++] = v;
}

static bool is_schema_entry(const view_def *v)
{
    return v->name[0] == '\0';
}

static void release_views(view_list *l)
{
    for (uint32_t i = 0; i < l->count; i++)
        view_def_release(l->views[i]);
    free(l->views);
}

/* One text naming every view's name, SQL and column names (malloc'd; NULL when out of memory). */
static char *views_fingerprint(const view_list *l)
{
    size_t size = 1;
    for (uint32_t i = 0; i < l->count; i++) {
        const view_def *v = l->views[i];
        size += strlen(v->schema_name) + strlen(v->name) + strlen(v->sql) + 4;
        for (uint32_t k = 0; k < v->column_name_count; k++)
            size += strlen(v->column_names[k]) + 1;
    }
    char *text = malloc(size), *at = text;
    for (uint32_t i = 0; text != NULL && i < l->count; i++) {
        const view_def *v = l->views[i];
        at += sprintf(at, "%s\x1e%s\x1e%s\x1e", v->schema_name, v->name, v->sql);
        for (uint32_t k = 0; k < v->column_name_count; k++)
            at += sprintf(at, "%s\x1f", v->column_names[k]);
        *at++ = '\x1d';
    }
    if (text != NULL)
        *at = '\0';
    return text;
}

static arm_status current_views(sql_storage *s, catalog *cat, view_list *l, char **fingerprint,
                                arm_error *err)
{
    (void)s;
    memset(l, 0, sizeof *l);
    l->cat = cat;
    catalog_list(cat, collect_view, l);
    catalog_list_schemas(cat, collect_schema, l);
    *fingerprint = l->failed ? NULL : views_fingerprint(l);
    if (*fingerprint == NULL) {
        release_views(l);
        memset(l, 0, sizeof *l);
        return error_out_of_memory(err);
    }
    return ARM_OK;
}

/* Replaces the views (and schemas) of `cat` by the head commit's `views`. */
static arm_status load_views(sql_storage *s, catalog *cat, const view_def *views, uint32_t count,
                             arm_error *err)
{
    view_list old;
    char *fingerprint = NULL;
    if (current_views(s, cat, &old, &fingerprint, err) != ARM_OK)
        return err->status;
    for (uint32_t i = 0; i < old.count; i++)
        if (!is_schema_entry(old.views[i]))
            catalog_drop_view(cat, old.views[i]->schema_name, old.views[i]->name, true, NULL);
    arm_status st = ARM_OK;
    for (uint32_t i = 0; i < count && st == ARM_OK; i++)
        if (!is_schema_entry(&views[i]))
            st = catalog_create_view(cat, &views[i], true, err);
    for (uint32_t i = 0; i < old.count && st == ARM_OK; i++) { /* schemas the head dropped */
        bool kept = false;
        for (uint32_t k = 0; k < count && !kept; k++)
            kept = is_schema_entry(&views[k]) &&
                   strcmp(views[k].schema_name, old.views[i]->schema_name) == 0;
        if (is_schema_entry(old.views[i]) && !kept)
            catalog_drop_schema(cat, old.views[i]->schema_name, true, true, NULL);
    }
    release_views(&old);
    free(fingerprint);
    view_list now;
    if (st == ARM_OK && (st = current_views(s, cat, &now, &fingerprint, err)) == ARM_OK) {
        free(s->views_fingerprint);
        s->views_fingerprint = fingerprint;
        release_views(&now);
    }
    return st;
}

/* A stored table still as loaded: same provider in `cat`, no write since. */
static bool is_untouched(catalog *cat, const stored_table *t)
{
    table_def *def = catalog_lookup_table(cat, t->schema_name, t->name);
    bool untouched = def != NULL && def->provider == t->provider &&
                     t->change_count == change_count_of(def->provider);
    table_def_release(def);
    return untouched;
}

typedef struct known_versions {
    sql_storage *s;
    catalog *cat;
} known_versions;

static bool is_known(void *context, int64_t table_version_id)
{
    known_versions *k = context;
    for (uint32_t i = 0; i < k->s->table_count; i++)
        if (k->s->tables[i].table_version_id == table_version_id)
            return is_untouched(k->cat, &k->s->tables[i]);
    return false;
}

/* The stored entry holding version `v` untouched (its provider can stay), or NULL. */
static stored_table *kept_entry(sql_storage *s, catalog *cat, const catalog_table_version *v)
{
    for (uint32_t i = 0; i < s->table_count; i++)
        if (s->tables[i].table_version_id == v->table_version_id &&
            strcmp(s->tables[i].schema_name, v->def.schema_name) == 0 &&
            strcmp(s->tables[i].name, v->def.name) == 0 && is_untouched(cat, &s->tables[i]))
            return &s->tables[i];
    return NULL;
}

/* True when table `schema.name` of `cat` is kept: the head has its version and it is untouched. */
static bool is_kept(sql_storage *s, catalog *cat, const catalog_table_version *head, uint32_t count,
                    const char *schema_name, const char *name)
{
    for (uint32_t i = 0; i < count; i++)
        if (strcmp(head[i].def.schema_name, schema_name) == 0 &&
            strcmp(head[i].def.name, name) == 0)
            return kept_entry(s, cat, &head[i]) != NULL;
    return false;
}

/* Adds the head's table `v` to `cat` as a chunk table (or an unreadable one). */
static arm_status load_table(sql_storage *s, catalog *cat, catalog_table_version *v,
                             table_provider **out, arm_error *err)
{
    table_provider *provider = NULL;
    arm_error cause;
    arm_status st = ARM_OK;
    if (materialize(s, v, &provider, &cause) != ARM_OK)
        st = cause.status == ARM_ERROR_CORRUPT
                 ? sql_storage_unreadable_table(v, &cause, &provider, err)
                 : error_set(err, cause.status, cause.sqlstate, -1, "%s", cause.message);
    if (st != ARM_OK)
        return st;
    v->def.provider = provider;
    st = catalog_create_table(cat, &v->def, err);
    v->def.provider = NULL;
    if (st != ARM_OK)
        provider->vtable->destroy(provider);
    *out = provider;
    return st;
}

/*
 * Makes `cat` hold the branch head: tables whose version the head still has
 * and that nothing wrote to stay as they are (their decoded state and key
 * sets too); every other table is dropped, and the head's other tables are
 * loaded, so a reload costs what changed.
 */
/* Creates the head's schemas in `cat` before its tables arrive in them. */
static arm_status load_schemas(catalog *cat, const view_def *views, uint32_t count, arm_error *err)
{
    arm_status st = ARM_OK;
    for (uint32_t i = 0; i < count && st == ARM_OK; i++)
        if (is_schema_entry(&views[i]))
            st = catalog_create_schema(cat, views[i].schema_name, true, err);
    return st;
}

static arm_status load_head(sql_storage *s, catalog *cat, arm_error *err)
{
    catalog_table_version *tables = NULL;
    uint32_t count = 0;
    known_versions known = {s, cat};
    view_def *views = NULL; /* views and schemas, read once for both catalogs */
    uint32_t view_count = 0;
    arm_status st = catalog_db_branch_head(s->cdb, s->branch, &s->head_commit_id, err);
    if (st == ARM_OK)
        st = catalog_db_views_at(s->cdb, s->head_commit_id, &views, &view_count, err);
    if (st == ARM_OK)
        st = load_schemas(cat, views, view_count, err);
    if (st == ARM_OK)
        st = catalog_db_tables_at_known(s->cdb, s->head_commit_id, is_known, &known, &tables,
                                        &count, err);
    name_list old = {0};
    catalog_list(cat, collect_table, &old);
    for (uint32_t i = 0; i < old.count; i++)
        if (old.names[i] != NULL &&
            (st != ARM_OK || !is_kept(s, cat, tables, count, old.schemas[i], old.names[i])))
            catalog_drop_table(cat, old.schemas[i], old.names[i], true, NULL);
    name_list_dispose(&old);
    stored_table *previous = s->tables;
    uint32_t previous_count = s->table_count;
    s->tables = NULL;
    s->table_count = s->table_capacity = 0;
    for (uint32_t i = 0; i < count && st == ARM_OK; i++) {
        table_provider *provider = NULL;
        stored_table *kept = NULL;
        for (uint32_t k = 0; k < previous_count && kept == NULL; k++)
            if (previous[k].table_version_id == tables[i].table_version_id &&
                previous[k].provider != NULL && strcmp(previous[k].name, tables[i].def.name) == 0 &&
                strcmp(previous[k].schema_name, tables[i].def.schema_name) == 0) {
                table_def *def =
                    catalog_lookup_table(cat, previous[k].schema_name, previous[k].name);
                kept = def != NULL && def->provider == previous[k].provider ? &previous[k] : NULL;
                table_def_release(def);
            }
        if (kept != NULL)
            provider = kept->provider;
        else if (tables[i].def.column_count == 0) /* came back bare, yet not kept */
            st = error_internal(err, "a reloaded table lost its definition");
        else
            st = load_table(s, cat, &tables[i], &provider, err);
        if (st == ARM_OK)
            st = remember_table(s, tables[i].def.schema_name, tables[i].def.name, &tables[i],
                                provider, err);
    }
    for (uint32_t k = 0; k < previous_count; k++) {
        free(previous[k].schema_name);
        free(previous[k].name);
    }
    free(previous);
    catalog_db_free_tables(tables, count);
    if (st == ARM_OK)
        st = load_views(s, cat, views, view_count, err);
    if (st == ARM_OK)
        st = committed_view_load(s->committed, s->cdb, s->head_commit_id, views, view_count, err);
    catalog_db_free_views(views, view_count);
    return st;
}

arm_status sql_storage_open(sql_storage **out, const char *folder, catalog *cat,
                            column_cache *cache, const _Atomic uint32_t *chunk_rows, arm_error *err)
{
    *out = NULL;
    sql_storage *s = calloc(1, sizeof *s);
    if (s == NULL || (s->branch = strdup(CATALOG_DB_MAIN_BRANCH)) == NULL) {
        free(s);
        return error_out_of_memory(err);
    }
    pthread_mutex_init(&s->lock, NULL);
    s->cache = cache;
    s->chunk_rows = chunk_rows;
    arm_status st = catalog_db_open(&s->cdb, folder, true, err);
    if (st == ARM_OK)
        st = object_store_open_local(&s->objects, folder, err);
    s->io.context = s->objects;
    s->io.put = chunk_put;
    s->io.get = chunk_get;
    s->io.read_ranges = chunk_read_ranges;
    if (st == ARM_OK)
        st = committed_view_create(&s->committed, &s->io, cache, err);
    if (st == ARM_OK)
        st = load_head(s, cat, err);
    if (st != ARM_OK) {
        sql_storage_close(s);
        return st;
    }
    *out = s;
    return ARM_OK;
}

void sql_storage_close(sql_storage *s)
{
    if (s == NULL)
        return;
    forget_tables(s);
    free(s->tables);
    free(s->views_fingerprint);
    committed_view_destroy(s->committed); /* its chunk tables read through s->io: first */
    catalog_db_close(s->cdb);
    object_store_close(s->objects);
    pthread_mutex_destroy(&s->lock);
    free(s->branch);
    free(s);
}

arm_status sql_storage_refresh(sql_storage *s, catalog *cat, arm_error *err)
{
    pthread_mutex_lock(&s->lock);
    catalog_db_stamp stamp;
    catalog_db_read_stamp(s->cdb, &stamp);
    arm_status st = ARM_OK;
    if (memcmp(&stamp, &s->stamp, sizeof stamp) != 0) { /* the files changed: ask SQLite */
        int64_t head = 0;
        st = catalog_db_branch_head(s->cdb, s->branch, &head, err);
        if (st == ARM_OK && head != s->head_commit_id)
            st = load_head(s, cat, err);
        if (st == ARM_OK)
            s->stamp = stamp;
    }
    pthread_mutex_unlock(&s->lock);
    return st;
}

/* ---- committing ---------------------------------------------------------------------- */

/* The changes of one commit, with the chunk lists they own. */
typedef struct change_set {
    catalog_table_change *changes;
    table_def **defs; /* retained, one per change (NULL for drops) */
    table_store_output *outputs;
    uint32_t count;
    uint32_t capacity;
} change_set;

static catalog_table_change *add_change(change_set *c, int64_t table_id, table_def *def)
{
    if (c->count == c->capacity) {
        uint32_t capacity = c->capacity ? 2 * c->capacity : 8;
        catalog_table_change *changes = realloc(c->changes, capacity * sizeof *changes);
        if (changes != NULL)
            c->changes = changes;
        table_def **defs = changes ? realloc(c->defs, capacity * sizeof *defs) : NULL;
        if (defs != NULL)
            c->defs = defs;
        table_store_output *outputs = defs ? realloc(c->outputs, capacity * sizeof *outputs) : NULL;
        if (outputs == NULL)
            return NULL;
        c->outputs = outputs;
        c->capacity = capacity;
    }
    catalog_table_change *change = &c->changes[c->count];
    memset(change, 0, sizeof *change);
    change->table_id = table_id;
    change->def = def;
    c->defs[c->count] = def;
    memset(&c->outputs[c->count], 0, sizeof c->outputs[c->count]);
    c->count++;
    return change;
}

static void change_set_dispose(change_set *c)
{
    for (uint32_t i = 0; i < c->count; i++) {
        table_def_release(c->defs[i]);
        table_store_output_dispose(&c->outputs[i]);
    }
    free(c->changes);
    free(c->defs);
    free(c->outputs);
}

static stored_table *find_stored(sql_storage *s, const char *schema_name, const char *name)
{
    for (uint32_t i = 0; i < s->table_count; i++)
        if (strcmp(s->tables[i].schema_name, schema_name) == 0 &&
            strcmp(s->tables[i].name, name) == 0)
            return &s->tables[i];
    return NULL;
}

/* Writes chunk `c`'s deletion bitmap as a Roaring object and points `ref` at it. */
static arm_status write_deletes(sql_storage *s, table_provider *t, uint32_t c,
                                catalog_chunk_ref *ref, arm_error *err)
{
    uint64_t deleted = 0;
    const uint64_t *bits = chunk_table_deletes(t, c, &deleted);
    ref->deleted_count = deleted;
    memset(ref->deletes_id, 0, sizeof ref->deletes_id);
    if (bits == NULL || deleted == 0)
        return ARM_OK;
    uint8_t *bytes = NULL;
    size_t length = 0;
    arm_status st = roaring_serialize(bits, ref->row_count, &bytes, &length, err);
    if (st == ARM_OK)
        st = s->io.put(s->io.context, bytes, length, ref->deletes_id, err);
    free(bytes);
    return st;
}

/* A chunk worth rewriting: more than half its rows deleted, or fewer than a chunk's minimum. */
static bool is_sparse(const table_store_options *options, const catalog_chunk_ref *chunk,
                      uint64_t deleted)
{
    return deleted * 2 > chunk->row_count || chunk->row_count - deleted < options->min_rows;
}

/* The bounds of the chunks this database writes now (SET chunk_rows). */
static table_store_options chunk_options(const sql_storage *s)
{
    return table_store_options_for(atomic_load(s->chunk_rows));
}

/*
 * A stored table's new version: its chunks as they were, minus those whose
 * rows are all deleted, with new deletion vectors where rows were deleted,
 * then the tail's rows cut into new chunks. A last chunk without deletes is
 * cut again together with the tail (the cuts a full pass would make), so
 * small INSERTs grow it instead of leaving a tiny chunk each.
 */
static arm_status write_stored(sql_storage *s, table_store_output *out, table_def *def,
                               arm_error *err)
{
    table_provider *t = def->provider;
    uint32_t count = 0;
    const catalog_chunk_ref *committed = chunk_table_chunks(t, &count);
    table_provider *tail = chunk_table_tail(t);
    table_store_options options = chunk_options(s);
    catalog_chunk_ref *kept = calloc(count + 1, sizeof *kept);
    if (kept == NULL)
        return error_out_of_memory(err);
    uint32_t kept_count = 0;
    arm_status st = ARM_OK;
    for (uint32_t c = 0; c < count && st == ARM_OK; c++) {
        uint64_t deleted = 0;
        chunk_table_deletes(t, c, &deleted);
        if (deleted >= committed[c].row_count)
            continue;
        kept[kept_count] = committed[c];
        if (chunk_table_chunk_changed(t, c))
            st = write_deletes(s, t, c, &kept[kept_count], err);
        kept_count++;
    }
    table_provider *sources[2] = {NULL, tail};
    uint32_t first = 1;
    if (st == ARM_OK && tail != NULL && kept_count > 0 && count > 0 &&
        kept[kept_count - 1].deleted_count == 0 &&
        memcmp(kept[kept_count - 1].object_id, committed[count - 1].object_id, 32) == 0) {
        st = chunk_table_single_chunk(t, count - 1, &sources[0], err);
        first = 0;
        kept_count--;
    }
    if (st == ARM_OK)
        st = table_store_cut(&s->io, &options, sources + first, tail != NULL ? 2 - first : 0, def,
                             kept, kept_count, 0, out, err);
    if (sources[0] != NULL)
        sources[0]->vtable->destroy(sources[0]);
    free(kept);
    return st;
}

/* Adds the table's new version (its rows written as chunks) to the change set. */
static arm_status write_table(sql_storage *s, change_set *c, const stored_table *stored,
                              table_def *def, arm_error *err)
{
    catalog_table_change *change = add_change(c, stored ? stored->table_id : 0, def);
    if (change == NULL) {
        table_def_release(def);
        return error_out_of_memory(err);
    }
    table_store_output *out = &c->outputs[c->count - 1];
    table_store_options options = chunk_options(s);
    arm_status st =
        stored != NULL && chunk_table_is(def->provider)
            ? write_stored(s, out, def, err)
            : table_store_cut(&s->io, &options, &def->provider, 1, def, NULL, 0, 0, out, err);
    if (st != ARM_OK)
        return st;
    change->chunks = out->chunks;
    change->chunk_stats = out->stats;
    change->chunk_count = out->chunk_count;
    return ARM_OK;
}

/* Compares `cat` with what was stored: new, changed and dropped tables. */
static arm_status collect_changes(sql_storage *s, catalog *cat, change_set *c, arm_error *err)
{
    name_list live = {0};
    catalog_list(cat, collect_table, &live);
    arm_status st = live.failed ? error_out_of_memory(err) : ARM_OK;
    for (uint32_t i = 0; i < live.count && st == ARM_OK; i++) {
        table_def *def = catalog_lookup_table(cat, live.schemas[i], live.names[i]);
        if (def == NULL)
            continue;
        stored_table *t = find_stored(s, live.schemas[i], live.names[i]);
        if (t != NULL && t->provider == def->provider &&
            t->change_count == change_count_of(def->provider)) {
            table_def_release(def);
            continue;
        }
        if (t != NULL && t->provider != def->provider) { /* dropped and created again */
            if (add_change(c, t->table_id, NULL) == NULL)
                st = error_out_of_memory(err);
            t = NULL;
        }
        if (st == ARM_OK)
            st = write_table(s, c, t, def, err);
        else
            table_def_release(def);
    }
    for (uint32_t i = 0; i < s->table_count && st == ARM_OK; i++) {
        bool alive = false;
        for (uint32_t j = 0; j < live.count && !alive; j++)
            alive = strcmp(live.schemas[j], s->tables[i].schema_name) == 0 &&
                    strcmp(live.names[j], s->tables[i].name) == 0;
        if (!alive && add_change(c, s->tables[i].table_id, NULL) == NULL)
            st = error_out_of_memory(err);
    }
    name_list_dispose(&live);
    return st;
}

/* Who commits: $ARM_AUTHOR, else the login name of the process's user. */
static const char *commit_author(void)
{
    const char *name = getenv("ARM_AUTHOR");
    if (name == NULL || *name == '\0')
        name = getenv("USER");
    if (name == NULL || *name == '\0') {
        struct passwd *pw = getpwuid(getuid());
        name = pw != NULL ? pw->pw_name : NULL;
    }
    return name != NULL ? name : "";
}

/* Commits the change set and the views (view_list's defs are flattened into the request). */
static arm_status commit_changes(sql_storage *s, catalog *cat, change_set *c, view_list *views,
                                 bool views_changed, const char *message, arm_error *err)
{
    view_def *flat = calloc(views->count + 1, sizeof *flat);
    if (flat == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < views->count; i++)
        flat[i] = *views->views[i];
    const char *user = commit_author();
    catalog_commit_request request = {s->branch, s->head_commit_id, c->changes, c->count,     user,
                                      message,   views_changed,     flat,       views->count, 0};
    int64_t commit_id = 0;
    arm_status st = catalog_db_commit(s->cdb, &request, &commit_id, err);
    free(flat);
    if (st != ARM_OK)
        return st;
    /* the committed tables become chunk tables of their new versions (their tails are in
     * chunks now); a rebased commit also brings in the other commits' tables */
    return load_head(s, cat, err);
}

/* One attempt at committing what changed; leaves memory as it is on failure. */
static arm_status commit_once(sql_storage *s, catalog *cat, const char *message, arm_error *err)
{
    change_set c = {0};
    view_list views;
    char *fingerprint = NULL;
    arm_status st = current_views(s, cat, &views, &fingerprint, err);
    bool views_changed = st == ARM_OK && strcmp(fingerprint, s->views_fingerprint) != 0;
    if (st == ARM_OK)
        st = collect_changes(s, cat, &c, err);
    if (st == ARM_OK && (c.count > 0 || views_changed)) {
        st = commit_changes(s, cat, &c, &views, views_changed, message, err);
        if (st == ARM_OK) {
            free(s->views_fingerprint);
            s->views_fingerprint = fingerprint;
            fingerprint = NULL;
        }
    }
    free(fingerprint);
    release_views(&views);
    change_set_dispose(&c);
    return st;
}

/* ---- rebasing appends and deletes ----------------------------------------------------------- */

/* Rows a transaction deleted from one chunk, and the deletion vector it started from. */
typedef struct saved_deletes {
    catalog_chunk_ref base; /* the chunk as committed when the transaction read it */
    uint64_t *bits;         /* the chunk's bitmap now: base's rows and this transaction's */
} saved_deletes;

/* What a transaction did to one table, kept to be done again on the new head. */
typedef struct saved_change {
    char *schema_name;
    char *name;
    result_set *rows; /* appended (NULL: none) */
    saved_deletes *deletes;
    uint32_t delete_count;
} saved_change;

static void free_saved(saved_change *saved, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        free(saved[i].schema_name);
        free(saved[i].name);
        result_set_destroy(saved[i].rows);
        for (uint32_t d = 0; d < saved[i].delete_count; d++)
            free(saved[i].deletes[d].bits);
        free(saved[i].deletes);
    }
    free(saved);
}

static arm_status keep_batch(void *context, batch *b, arm_error *err)
{
    return result_set_append(context, b, err);
}

/* Every row of `table`, copied. */
static arm_status save_rows(table_provider *table, result_set **out, arm_error *err)
{
    arm_status st =
        result_set_create(out, table->column_count, (const char *const *)table->column_names,
                          table->column_types, err);
    return st == ARM_OK ? table_scan_each(table, keep_batch, *out, err) : st;
}

/* Copies the deletion bitmaps of the chunks that lost rows in this transaction. */
static bool save_deletes(table_provider *t, saved_change *a)
{
    uint32_t count = 0;
    const catalog_chunk_ref *chunks = chunk_table_chunks(t, &count);
    a->deletes = calloc(count + 1, sizeof *a->deletes);
    if (a->deletes == NULL)
        return false;
    for (uint32_t c = 0; c < count; c++) {
        if (!chunk_table_chunk_changed(t, c))
            continue;
        uint64_t deleted = 0;
        const uint64_t *bits = chunk_table_deletes(t, c, &deleted);
        size_t bytes = (chunks[c].row_count + 63) / 64 * 8;
        saved_deletes *d = &a->deletes[a->delete_count++];
        d->base = chunks[c];
        if ((d->bits = malloc(bytes + 8)) == NULL)
            return false;
        memcpy(d->bits, bits, bytes);
    }
    return true;
}

/*
 * When every change since the last commit is an append to or a delete from
 * a table the storage already had (no DDL or view changes), saves them and
 * returns true: appends commute with whatever the other commits did, and
 * deletes commute with them as long as the chunks they hit are unchanged.
 */
static bool save_changes(sql_storage *s, catalog *cat, saved_change **out, uint32_t *count)
{
    *out = NULL;
    *count = 0;
    name_list live = {0};
    catalog_list(cat, collect_table, &live);
    bool ok = !live.failed && live.count == s->table_count;
    view_list views;
    char *fingerprint = NULL;
    arm_error err;
    if (ok && current_views(s, cat, &views, &fingerprint, &err) == ARM_OK) {
        ok = strcmp(fingerprint, s->views_fingerprint) == 0;
        release_views(&views);
        free(fingerprint);
    }
    saved_change *saved = calloc(live.count + 1, sizeof *saved);
    ok = ok && saved != NULL;
    for (uint32_t i = 0; i < live.count && ok; i++) {
        table_def *def = catalog_lookup_table(cat, live.schemas[i], live.names[i]);
        stored_table *t = find_stored(s, live.schemas[i], live.names[i]);
        ok = def != NULL && t != NULL && t->provider == def->provider &&
             chunk_table_is(def->provider);
        if (ok && t->change_count != change_count_of(def->provider)) {
            table_provider *tail = chunk_table_tail(def->provider);
            saved_change *a = &saved[(*count)++];
            a->schema_name = strdup(live.schemas[i]);
            a->name = strdup(live.names[i]);
            ok = a->schema_name && a->name &&
                 (tail == NULL || save_rows(tail, &a->rows, &err) == ARM_OK) &&
                 (!chunk_table_has_deletes(def->provider) || save_deletes(def->provider, a));
        }
        table_def_release(def);
    }
    name_list_dispose(&live);
    if (!ok) {
        free_saved(saved, *count);
        *count = 0;
        return false;
    }
    *out = saved;
    return true;
}

static arm_status changed_meanwhile(const char *name, arm_error *err)
{
    error_set(err, ARM_ERROR_CONFLICT, "40001", -1,
              "could not commit: rows of table \"%s\" that this transaction deleted or updated "
              "were changed by a concurrent commit",
              name);
    error_hint(err, "Run the transaction again.");
    return ARM_ERROR_CONFLICT;
}

/* Deletes again, on the new head, the rows a saved change deleted. */
static arm_status replay_deletes(table_provider *t, const saved_change *a, arm_error *err)
{
    uint32_t count = 0;
    const catalog_chunk_ref *chunks = chunk_table_chunks(t, &count);
    for (uint32_t d = 0; d < a->delete_count; d++) {
        const catalog_chunk_ref *base = &a->deletes[d].base;
        uint32_t c = 0;
        while (c < count && memcmp(chunks[c].object_id, base->object_id, 32) != 0)
            c++;
        if (c == count || chunks[c].deleted_count != base->deleted_count ||
            memcmp(chunks[c].deletes_id, base->deletes_id, 32) != 0)
            return changed_meanwhile(a->name, err);
        if (chunk_table_apply_deletes(t, c, a->deletes[d].bits, err) != ARM_OK)
            return err->status;
    }
    return ARM_OK;
}

static arm_status replay_changes(catalog *cat, const saved_change *saved, uint32_t count,
                                 arm_error *err)
{
    for (uint32_t i = 0; i < count; i++) {
        table_def *def = catalog_lookup_table(cat, saved[i].schema_name, saved[i].name);
        arm_status st = def == NULL || !chunk_table_is(def->provider)
                            ? error_set(err, ARM_ERROR_CONFLICT, "40001", -1,
                                        "could not commit: table \"%s\" was dropped or changed by "
                                        "a concurrent commit",
                                        saved[i].name)
                            : replay_deletes(def->provider, &saved[i], err);
        for (uint32_t b = 0; st == ARM_OK && saved[i].rows && b < saved[i].rows->batch_count; b++)
            st = def->provider->vtable->append(def->provider, &saved[i].rows->batches[b], err);
        table_def_release(def);
        if (st != ARM_OK)
            return st;
    }
    return ARM_OK;
}

/*
 * Commits; when another commit moved the branch and every change here is an
 * append or a delete, takes the catalog's write lock, reloads the head, does
 * the saved changes again and commits under that same lock, so the rebase
 * cannot be overtaken however many writers there are.
 */
arm_status sql_storage_commit(sql_storage *s, catalog *cat, const char *message, arm_error *err)
{
    pthread_mutex_lock(&s->lock);
    arm_status st = commit_once(s, cat, message, err);
    saved_change *saved = NULL;
    uint32_t count = 0;
    if (st == ARM_ERROR_CONFLICT && save_changes(s, cat, &saved, &count)) {
        arm_error rebase;
        arm_status r = catalog_db_begin_commit(s->cdb, &rebase);
        if (r == ARM_OK)
            r = load_head(s, cat, &rebase);
        if (r == ARM_OK)
            r = replay_changes(cat, saved, count, &rebase);
        if (r == ARM_OK)
            r = commit_once(s, cat, message, &rebase); /* commits inside the held lock */
        catalog_db_abort_commit(s->cdb);               /* no-op once committed */
        if (r == ARM_OK || r == ARM_ERROR_CONSTRAINT || r == ARM_ERROR_CONFLICT) {
            st = r; /* success, or the real reason: e.g. a key another writer took first */
            if (r != ARM_OK)
                *err = rebase;
        }
    }
    free_saved(saved, count);
    if (st != ARM_OK) {
        arm_error ignored;
        load_head(s, cat, &ignored); /* memory goes back to what the storage holds */
    }
    pthread_mutex_unlock(&s->lock);
    return st;
}

/* True when a table of `cat` differs from what was last loaded or committed. */
static bool has_changes(sql_storage *s, catalog *cat)
{
    name_list live = {0};
    catalog_list(cat, collect_table, &live);
    bool changed = live.failed || live.count != s->table_count;
    for (uint32_t i = 0; i < live.count && !changed; i++) {
        table_def *def = catalog_lookup_table(cat, live.schemas[i], live.names[i]);
        stored_table *t = find_stored(s, live.schemas[i], live.names[i]);
        changed = def == NULL || t == NULL || t->provider != def->provider ||
                  t->change_count != change_count_of(def->provider);
        table_def_release(def);
    }
    name_list_dispose(&live);
    view_list views;
    char *fingerprint = NULL;
    arm_error ignored;
    if (!changed && current_views(s, cat, &views, &fingerprint, &ignored) == ARM_OK) {
        changed = strcmp(fingerprint, s->views_fingerprint) != 0;
        release_views(&views);
        free(fingerprint);
    }
    return changed;
}

arm_status sql_storage_rollback(sql_storage *s, catalog *cat, arm_error *err)
{
    pthread_mutex_lock(&s->lock);
    arm_status st = has_changes(s, cat) ? load_head(s, cat, err) : ARM_OK;
    pthread_mutex_unlock(&s->lock);
    return st;
}

/* ---- other versions ------------------------------------------------------------------ */

static arm_status commit_of_ref(sql_storage *s, const char *ref, int64_t *out, arm_error *err)
{
    if (ref == NULL) {
        *out = s->head_commit_id;
        return ARM_OK;
    }
    if (catalog_db_branch_head(s->cdb, ref, out, err) == ARM_OK)
        return ARM_OK;
    if (err->status != ARM_ERROR_NOT_FOUND)
        return err->status;
    return catalog_db_tag_commit(s->cdb, ref, out, err);
}

arm_status sql_storage_open_version(sql_storage *s, const char *schema_name, const char *name,
                                    int64_t version, int64_t as_of_micros, const char *ref,
                                    table_def **out, arm_error *err)
{
    *out = NULL;
    pthread_mutex_lock(&s->lock);
    int64_t commit_id = 0;
    catalog_table_version v;
    memset(&v, 0, sizeof v);
    arm_status st = commit_of_ref(s, ref, &commit_id, err);
    if (st == ARM_OK)
        st = catalog_db_table_version(s->cdb, commit_id, schema_name, name, version, as_of_micros,
                                      &v, err);
    pthread_mutex_unlock(&s->lock);
    table_provider *provider = NULL;
    if (st == ARM_OK) /* read from the chunks as the query scans, nothing loaded up front */
        st = chunk_table_create(&provider, &s->io, s->cache, &v, false, err);
    if (st == ARM_OK) {
        v.def.provider = provider;
        if ((*out = table_def_copy(&v.def)) == NULL) {
            provider->vtable->destroy(provider);
            st = error_out_of_memory(err);
        }
        v.def.provider = NULL;
    }
    catalog_table_version_dispose(&v);
    return st;
}

/* ---- branches and tags ----------------------------------------------------------------- */

arm_status sql_storage_create_ref(sql_storage *s, bool is_branch, const char *name,
                                  const char *from, int64_t from_commit, arm_error *err)
{
    pthread_mutex_lock(&s->lock);
    int64_t commit_id = 0, other = 0;
    arm_status st = commit_of_ref(s, from, &commit_id, err);
    bool on_line = false;
    if (st == ARM_OK && from_commit >= 0 &&
        (st = catalog_db_is_ancestor(s->cdb, from_commit, commit_id, &on_line, err)) == ARM_OK) {
        if (!on_line) {
            st = error_set(err, ARM_ERROR_NOT_FOUND, "42704", -1,
                           "commit %lld is not in the history of \"%s\"", (long long)from_commit,
                           from ? from : s->branch);
            error_hint(err, "SELECT commit_id FROM arm_log() lists the commits of this branch.");
        }
        commit_id = from_commit;
    }
    /* t@name must mean one thing: a branch and a tag may not share a name */
    arm_error ignored;
    if (st == ARM_OK &&
        (is_branch ? catalog_db_tag_commit(s->cdb, name, &other, &ignored)
                   : catalog_db_branch_head(s->cdb, name, &other, &ignored)) == ARM_OK)
        st = error_set(err, ARM_ERROR_ALREADY_EXISTS, "42710", -1,
                       "a %s named \"%s\" already exists", is_branch ? "tag" : "branch", name);
    if (st == ARM_OK)
        st = is_branch ? catalog_db_create_branch(s->cdb, name, commit_id, err)
                       : catalog_db_create_tag(s->cdb, name, commit_id, err);
    pthread_mutex_unlock(&s->lock);
    return st;
}

arm_status sql_storage_drop_ref(sql_storage *s, bool is_branch, const char *name, bool if_exists,
                                arm_error *err)
{
    pthread_mutex_lock(&s->lock);
    arm_status st = ARM_OK;
    if (is_branch && strcmp(name, s->branch) == 0 && strcmp(name, CATALOG_DB_MAIN_BRANCH) != 0) {
        st = error_set(err, ARM_ERROR_MISUSE, "55006", -1,
                       "cannot drop branch \"%s\": it is the current branch", name);
        error_hint(err, "USE BRANCH main first.");
    } else {
        st = is_branch ? catalog_db_drop_branch(s->cdb, name, err)
                       : catalog_db_drop_tag(s->cdb, name, err);
        if (st == ARM_ERROR_NOT_FOUND && if_exists)
            st = ARM_OK;
    }
    pthread_mutex_unlock(&s->lock);
    return st;
}

arm_status sql_storage_use_branch(sql_storage *s, catalog *cat, const char *name, arm_error *err)
{
    pthread_mutex_lock(&s->lock);
    int64_t head = 0;
    char *copy = NULL;
    arm_status st = catalog_db_branch_head(s->cdb, name, &head, err);
    if (st == ARM_OK && (copy = strdup(name)) == NULL)
        st = error_out_of_memory(err);
    if (st == ARM_OK) {
        free(s->branch);
        s->branch = copy;
        st = load_head(s, cat, err);
    }
    pthread_mutex_unlock(&s->lock);
    return st;
}

catalog *sql_storage_committed_catalog(sql_storage *s)
{
    return committed_view_catalog(s->committed);
}

const char *sql_storage_branch(const sql_storage *s)
{
    return s->branch;
}

/*
 * Adds to `c` the table's version with its sparse chunks cut again into
 * full ones (deleted rows dropped), when there is something to gain: two or
 * more sparse chunks, or one carrying deleted rows.
 */
static arm_status compact_table(sql_storage *s, change_set *c, const stored_table *stored,
                                table_def *def, uint64_t *compacted, arm_error *err)
{
    uint32_t count = 0;
    const catalog_chunk_ref *chunks = chunk_table_chunks(def->provider, &count);
    catalog_chunk_ref *kept = calloc(count + 1, sizeof *kept);
    table_provider **sources = calloc(count + 1, sizeof *sources);
    uint32_t kept_count = 0, source_count = 0;
    bool has_deletes = false;
    table_store_options options = chunk_options(s);
    arm_status st = kept && sources ? ARM_OK : error_out_of_memory(err);
    for (uint32_t i = 0; i < count && st == ARM_OK; i++) {
        uint64_t deleted = 0;
        chunk_table_deletes(def->provider, i, &deleted);
        if (!is_sparse(&options, &chunks[i], deleted)) {
            kept[kept_count++] = chunks[i];
            continue;
        }
        has_deletes |= deleted > 0;
        st = chunk_table_single_chunk(def->provider, i, &sources[source_count++], err);
    }
    bool worth_it = source_count >= 2 || (source_count == 1 && has_deletes);
    catalog_table_change *change = NULL;
    if (st == ARM_OK && worth_it) {
        change = add_change(c, stored->table_id, def);
        def = NULL; /* the change set owns it now */
        st = change == NULL ? error_out_of_memory(err) : ARM_OK;
    }
    if (change != NULL && st == ARM_OK) {
        table_store_output *out = &c->outputs[c->count - 1];
        st = table_store_cut(&s->io, &options, sources, source_count, c->defs[c->count - 1], kept,
                             kept_count, 0, out, err);
        change->chunks = out->chunks;
        change->chunk_stats = out->stats;
        change->chunk_count = out->chunk_count;
        *compacted += source_count;
    }
    for (uint32_t i = 0; i < source_count; i++)
        if (sources[i] != NULL)
            sources[i]->vtable->destroy(sources[i]);
    free(sources);
    free(kept);
    table_def_release(def);
    return st;
}

arm_status sql_storage_checkpoint(sql_storage *s, catalog *cat, uint64_t *compacted, arm_error *err)
{
    *compacted = 0;
    pthread_mutex_lock(&s->lock);
    arm_status st = ARM_OK;
    if (has_changes(s, cat)) {
        st = error_set(err, ARM_ERROR_MISUSE, "25001", -1,
                       "CHECKPOINT cannot run with uncommitted changes");
        error_hint(err, "COMMIT or ROLLBACK the transaction first.");
    }
    change_set c = {0};
    for (uint32_t i = 0; i < s->table_count && st == ARM_OK; i++) {
        table_def *def = catalog_lookup_table(cat, s->tables[i].schema_name, s->tables[i].name);
        if (def != NULL && chunk_table_is(def->provider))
            st = compact_table(s, &c, &s->tables[i], def, compacted, err);
        else
            table_def_release(def);
    }
    view_list views;
    if (st == ARM_OK && c.count > 0) {
        char *fingerprint = NULL;
        st = current_views(s, cat, &views, &fingerprint, err);
        free(fingerprint);
        if (st == ARM_OK) {
            st = commit_changes(s, cat, &c, &views, false, "CHECKPOINT", err);
            release_views(&views);
        }
    }
    change_set_dispose(&c);
    if (st == ARM_OK)
        st = catalog_db_checkpoint(s->cdb, err);
    pthread_mutex_unlock(&s->lock);
    return st;
}
