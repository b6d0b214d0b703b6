/*
 * catalog.c: the in-memory catalog: tables and views by (schema, name),
 * behind a reader-writer lock. Definitions are deep-copied and refcounted so
 * a query keeps what it bound even if another connection drops it.
 */
#include "catalog/catalog.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

/*
 * The catalog sits below table/ and cannot include its headers, yet owns the
 * providers it stores. This mirrors the start of table_provider and its
 * vtable, whose `destroy` is the 12th slot; table/memory_table.c asserts the
 * layout at compile time (CATALOG_PROVIDER_DESTROY_SLOT).
 */
typedef struct provider_header {
    const struct {
        void *slots[CATALOG_PROVIDER_DESTROY_SLOT];
        void (*destroy)(void *t);
    } * vtable;
} provider_header;

typedef struct catalog_entry {
    bool is_view;
    table_def *table;
    view_def *view;
} catalog_entry;

struct catalog {
    pthread_rwlock_t lock;
    catalog_entry *entries;
    uint32_t count;
    uint32_t capacity;
    char **schemas; /* created schemas, sorted; "main" always exists and is not listed */
    uint32_t schema_count;
    uint32_t schema_capacity;
    _Atomic uint64_t version;
};

static const char *schema_or_main(const char *schema_name)
{
    return schema_name ? schema_name : "main";
}

arm_status catalog_create(catalog **out, arm_error *err)
{
    catalog *cat = calloc(1, sizeof *cat);
    if (cat == NULL)
        return error_out_of_memory(err);
    pthread_rwlock_init(&cat->lock, NULL);
    atomic_init(&cat->version, 1);
    *out = cat;
    return ARM_OK;
}

void catalog_destroy(catalog *cat)
{
    if (cat == NULL)
        return;
    for (uint32_t i = 0; i < cat->count; i++) {
        if (cat->entries[i].is_view)
            view_def_release(cat->entries[i].view);
        else
            table_def_release(cat->entries[i].table);
    }
    free(cat->entries);
    for (uint32_t i = 0; i < cat->schema_count; i++)
        free(cat->schemas[i]);
    free(cat->schemas);
    pthread_rwlock_destroy(&cat->lock);
    free(cat);
}

/* ---- schemas ------------------------------------------------------------------------------ */

static int schema_index(const catalog *cat, const char *name)
{
    for (uint32_t i = 0; i < cat->schema_count; i++)
        if (strcmp(cat->schemas[i], name) == 0)
            return (int)i;
    return -1;
}

static bool has_schema(const catalog *cat, const char *name)
{
    return strcmp(schema_or_main(name), "main") == 0 || schema_index(cat, name) >= 0;
}

static arm_status no_such_schema(const char *name, arm_error *err)
{
    error_set(err, ARM_ERROR_NOT_FOUND, "3F000", -1, "schema \"%s\" does not exist", name);
    error_hint(err, "Create it first: CREATE SCHEMA %s;", name);
    return ARM_ERROR_NOT_FOUND;
}

bool catalog_has_schema(catalog *cat, const char *name)
{
    pthread_rwlock_rdlock(&cat->lock);
    bool found = has_schema(cat, name);
    pthread_rwlock_unlock(&cat->lock);
    return found;
}

/* Makes room for one more schema name; false when out of memory. */
static bool reserve_schema(catalog *cat)
{
    if (cat->schema_count < cat->schema_capacity)
        return true;
    uint32_t capacity = cat->schema_capacity ? 2 * cat->schema_capacity : 8;
    char **grown = realloc(cat->schemas, capacity * sizeof *grown);
    if (grown == NULL)
        return false;
    cat->schemas = grown;
    cat->schema_capacity = capacity;
    return true;
}

arm_status catalog_create_schema(catalog *cat, const char *name, bool if_not_exists, arm_error *err)
{
    pthread_rwlock_wrlock(&cat->lock);
    arm_status s = ARM_OK;
    char *copy = NULL;
    if (has_schema(cat, name)) {
        if (!if_not_exists)
            s = error_set(err, ARM_ERROR_ALREADY_EXISTS, "42P06", -1,
                          "schema \"%s\" already exists", name);
    } else if (!reserve_schema(cat) || (copy = strdup(name)) == NULL) {
        s = error_out_of_memory(err);
    } else {
        uint32_t at = 0;
        while (at < cat->schema_count && strcmp(cat->schemas[at], name) < 0)
            at++;
        memmove(&cat->schemas[at + 1], &cat->schemas[at],
                (cat->schema_count - at) * sizeof *cat->schemas);
        cat->schemas[at] = copy;
        cat->schema_count++;
        atomic_fetch_add(&cat->version, 1);
    }
    pthread_rwlock_unlock(&cat->lock);
    return s;
}

static void release_entry(catalog_entry *e)
{
    if (e->is_view)
        view_def_release(e->view);
    else
        table_def_release(e->table);
}

static const char *entry_schema(const catalog_entry *e)
{
    return e->is_view ? e->view->schema_name : e->table->schema_name;
}

arm_status catalog_drop_schema(catalog *cat, const char *name, bool if_exists, bool cascade,
                               arm_error *err)
{
    pthread_rwlock_wrlock(&cat->lock);
    arm_status s = ARM_OK;
    int index = schema_index(cat, name);
    uint32_t members = 0;
    for (uint32_t i = 0; i < cat->count; i++)
        members += strcmp(entry_schema(&cat->entries[i]), name) == 0;
    if (strcmp(name, "main") == 0) {
        s = error_set(err, ARM_ERROR_MISUSE, "42501", -1, "schema \"main\" cannot be dropped");
    } else if (index < 0) {
        if (!if_exists)
            s = no_such_schema(name, err);
    } else if (members > 0 && !cascade) {
        error_set(err, ARM_ERROR_MISUSE, "2BP01", -1,
                  "cannot drop schema \"%s\" because other objects depend on it", name);
        error_hint(err, "Use DROP SCHEMA %s CASCADE to drop its %u tables and views too.", name,
                   members);
        s = ARM_ERROR_MISUSE;
    } else {
        uint32_t kept = 0;
        for (uint32_t i = 0; i < cat->count; i++) {
            if (strcmp(entry_schema(&cat->entries[i]), name) == 0)
                release_entry(&cat->entries[i]);
            else
                cat->entries[kept++] = cat->entries[i];
        }
        cat->count = kept;
        free(cat->schemas[index]);
        memmove(&cat->schemas[index], &cat->schemas[index + 1],
                (cat->schema_count - (uint32_t)index - 1) * sizeof *cat->schemas);
        cat->schema_count--;
        atomic_fetch_add(&cat->version, 1);
    }
    pthread_rwlock_unlock(&cat->lock);
    return s;
}

void catalog_list_schemas(catalog *cat, void (*fn)(void *context, const char *name), void *context)
{
    pthread_rwlock_rdlock(&cat->lock);
    for (uint32_t i = 0; i < cat->schema_count; i++)
        fn(context, cat->schemas[i]);
    pthread_rwlock_unlock(&cat->lock);
}

static catalog_entry *find(catalog *cat, const char *schema_name, const char *name)
{
    const char *schema = schema_or_main(schema_name);
    for (uint32_t i = 0; i < cat->count; i++) {
        catalog_entry *e = &cat->entries[i];
        const char *entry_schema = e->is_view ? e->view->schema_name : e->table->schema_name;
        const char *entry_name = e->is_view ? e->view->name : e->table->name;
        if (strcmp(entry_name, name) == 0 && strcmp(entry_schema, schema) == 0)
            return e;
    }
    return NULL;
}

static arm_status add_entry(catalog *cat, catalog_entry entry, arm_error *err)
{
    if (cat->count == cat->capacity) {
        uint32_t capacity = cat->capacity ? cat->capacity * 2 : 16;
        catalog_entry *grown = realloc(cat->entries, capacity * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(err);
        cat->entries = grown;
        cat->capacity = capacity;
    }
    cat->entries[cat->count++] = entry;
    atomic_fetch_add(&cat->version, 1);
    return ARM_OK;
}

static void remove_entry(catalog *cat, catalog_entry *e)
{
    *e = cat->entries[--cat->count];
    atomic_fetch_add(&cat->version, 1);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

table_def *table_def_copy(const table_def *def)
{
    table_def *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    atomic_init(&t->refcount, 1);
    t->schema_name = strdup(schema_or_main(def->schema_name));
    t->name = strdup(def->name);
    t->column_count = def->column_count;
    t->columns = calloc(def->column_count ? def->column_count : 1, sizeof *t->columns);
    t->primary_key_count = def->primary_key_count;
    t->primary_key =
        calloc(def->primary_key_count ? def->primary_key_count : 1, sizeof *t->primary_key);
    t->schema_version = def->schema_version;
    t->provider = def->provider;
    if (t->schema_name == NULL || t->name == NULL || t->columns == NULL || t->primary_key == NULL)
        goto fail;
    /* Columns without a field id get the next ones after the largest given (1..n when none). */
    uint32_t next_field_id = 1;
    for (uint32_t i = 0; i < def->column_count; i++)
        if (def->columns[i].field_id >= next_field_id)
            next_field_id = def->columns[i].field_id + 1;
    for (uint32_t i = 0; i < def->column_count; i++) {
        t->columns[i] = def->columns[i];
        t->columns[i].name = strdup(def->columns[i].name);
        t->columns[i].default_sql = dup_or_null(def->columns[i].default_sql);
        if (t->columns[i].field_id == 0)
            t->columns[i].field_id = next_field_id++;
        if (t->columns[i].name == NULL ||
            (def->columns[i].default_sql != NULL && t->columns[i].default_sql == NULL))
            goto fail;
    }
    if (def->primary_key_count)
        memcpy(t->primary_key, def->primary_key, def->primary_key_count * sizeof *t->primary_key);
    return t;
fail:
    t->provider = NULL;
    table_def_release(t);
    return NULL;
}

static arm_status already_exists(const char *name, arm_error *err)
{
    return error_set(err, ARM_ERROR_ALREADY_EXISTS, "42P07", -1, "relation \"%s\" already exists",
                     name);
}

arm_status catalog_create_table(catalog *cat, const table_def *def, arm_error *err)
{
    pthread_rwlock_wrlock(&cat->lock);
    arm_status s = ARM_OK;
    if (!has_schema(cat, def->schema_name)) {
        s = no_such_schema(def->schema_name, err);
        goto done;
    }
    if (find(cat, def->schema_name, def->name) != NULL) {
        s = already_exists(def->name, err);
        goto done;
    }
    table_def *t = table_def_copy(def);
    if (t == NULL) {
        s = error_out_of_memory(err);
        goto done;
    }
    catalog_entry entry = {false, t, NULL};
    if ((s = add_entry(cat, entry, err)) != ARM_OK) {
        t->provider = NULL;
        table_def_release(t);
    }
done:
    pthread_rwlock_unlock(&cat->lock);
    return s;
}

arm_status catalog_drop_table(catalog *cat, const char *schema_name, const char *name,
                              bool if_exists, arm_error *err)
{
    pthread_rwlock_wrlock(&cat->lock);
    catalog_entry *e = find(cat, schema_name, name);
    arm_status s = ARM_OK;
    if (e == NULL || e->is_view) {
        if (e != NULL)
            s = error_set(err, ARM_ERROR_TYPE, "42809", -1, "\"%s\" is not a table", name);
        else if (!if_exists)
            s = error_set(err, ARM_ERROR_NOT_FOUND, "42P01", -1, "table \"%s\" does not exist",
                          name);
    } else {
        table_def *t = e->table;
        remove_entry(cat, e);
        table_def_release(t);
    }
    pthread_rwlock_unlock(&cat->lock);
    return s;
}

table_def *catalog_lookup_table(catalog *cat, const char *schema_name, const char *name)
{
    pthread_rwlock_rdlock(&cat->lock);
    catalog_entry *e = find(cat, schema_name, name);
    table_def *t = e && !e->is_view ? e->table : NULL;
    if (t != NULL)
        atomic_fetch_add(&t->refcount, 1);
    pthread_rwlock_unlock(&cat->lock);
    return t;
}

void table_def_release(table_def *def)
{
    if (def == NULL || atomic_fetch_sub(&def->refcount, 1) != 1)
        return;
    if (def->provider != NULL) {
        provider_header *p = (provider_header *)def->provider;
        p->vtable->destroy(def->provider);
    }
    for (uint32_t i = 0; def->columns && i < def->column_count; i++) {
        free(def->columns[i].name);
        free(def->columns[i].default_sql);
    }
    free(def->columns);
    free(def->primary_key);
    free(def->schema_name);
    free(def->name);
    free(def);
}

arm_status catalog_create_view(catalog *cat, const view_def *def, bool or_replace, arm_error *err)
{
    view_def *v = calloc(1, sizeof *v);
    if (v == NULL)
        return error_out_of_memory(err);
    atomic_init(&v->refcount, 1);
    v->schema_name = strdup(schema_or_main(def->schema_name));
    v->name = strdup(def->name);
    v->sql = strdup(def->sql);
    v->column_name_count = def->column_name_count;
    v->column_names = calloc(def->column_name_count ? def->column_name_count : 1, sizeof(char *));
    bool ok = v->schema_name && v->name && v->sql && v->column_names;
    for (uint32_t i = 0; ok && i < def->column_name_count; i++)
        ok = (v->column_names[i] = strdup(def->column_names[i])) != NULL;
    if (!ok) {
        view_def_release(v);
        return error_out_of_memory(err);
    }
    pthread_rwlock_wrlock(&cat->lock);
    arm_status s = ARM_OK;
    catalog_entry *e = find(cat, def->schema_name, def->name);
    if (!has_schema(cat, def->schema_name)) {
        s = no_such_schema(def->schema_name, err);
        view_def_release(v);
    } else if (e != NULL && (!or_replace || !e->is_view)) {
        s = already_exists(def->name, err);
        view_def_release(v);
    } else if (e != NULL) {
        view_def_release(e->view);
        e->view = v;
        atomic_fetch_add(&cat->version, 1);
    } else {
        catalog_entry entry = {true, NULL, v};
        if ((s = add_entry(cat, entry, err)) != ARM_OK)
            view_def_release(v);
    }
    pthread_rwlock_unlock(&cat->lock);
    return s;
}

arm_status catalog_drop_view(catalog *cat, const char *schema_name, const char *name,
                             bool if_exists, arm_error *err)
{
    pthread_rwlock_wrlock(&cat->lock);
    catalog_entry *e = find(cat, schema_name, name);
    arm_status s = ARM_OK;
    if (e == NULL || !e->is_view) {
        if (e != NULL)
            s = error_set(err, ARM_ERROR_TYPE, "42809", -1, "\"%s\" is not a view", name);
        else if (!if_exists)
            s = error_set(err, ARM_ERROR_NOT_FOUND, "42P01", -1, "view \"%s\" does not exist",
                          name);
    } else {
        view_def *v = e->view;
        remove_entry(cat, e);
        view_def_release(v);
    }
    pthread_rwlock_unlock(&cat->lock);
    return s;
}

view_def *catalog_lookup_view(catalog *cat, const char *schema_name, const char *name)
{
    pthread_rwlock_rdlock(&cat->lock);
    catalog_entry *e = find(cat, schema_name, name);
    view_def *v = e && e->is_view ? e->view : NULL;
    if (v != NULL)
        atomic_fetch_add(&v->refcount, 1);
    pthread_rwlock_unlock(&cat->lock);
    return v;
}

void view_def_release(view_def *def)
{
    if (def == NULL || atomic_fetch_sub(&def->refcount, 1) != 1)
        return;
    for (uint32_t i = 0; def->column_names && i < def->column_name_count; i++)
        free(def->column_names[i]);
    free(def->column_names);
    free(def->schema_name);
    free(def->name);
    free(def->sql);
    free(def);
}

typedef struct name_item {
    const char *schema;
    const char *name;
    bool is_view;
} name_item;

static int compare_items(const void *a, const void *b)
{
    const name_item *x = a, *y = b;
    int c = strcmp(x->schema, y->schema);
    return c ? c : strcmp(x->name, y->name);
}

void catalog_list(catalog *cat, catalog_name_fn fn, void *context)
{
    pthread_rwlock_rdlock(&cat->lock);
    name_item *items = calloc(cat->count ? cat->count : 1, sizeof *items);
    if (items != NULL) {
        for (uint32_t i = 0; i < cat->count; i++) {
            catalog_entry *e = &cat->entries[i];
            items[i].schema = e->is_view ? e->view->schema_name : e->table->schema_name;
            items[i].name = e->is_view ? e->view->name : e->table->name;
            items[i].is_view = e->is_view;
        }
        qsort(items, cat->count, sizeof *items, compare_items);
        for (uint32_t i = 0; i < cat->count; i++)
            fn(context, items[i].schema, items[i].name, items[i].is_view);
        free(items);
    }
    pthread_rwlock_unlock(&cat->lock);
}

uint64_t catalog_version(catalog *cat)
{
    return atomic_load(&cat->version);
}

/* Same text and column names: binding one gives what binding the other gave. */
static bool same_view(const view_def *a, const view_def *b)
{
    if (a == b)
        return true;
    if (strcmp(a->sql, b->sql) != 0 || a->column_name_count != b->column_name_count)
        return false;
    for (uint32_t i = 0; i < a->column_name_count; i++)
        if (strcmp(a->column_names[i], b->column_names[i]) != 0)
            return false;
    return true;
}

bool catalog_holds(catalog *cat, table_def *const *tables, uint32_t table_count,
                   view_def *const *views, uint32_t view_count)
{
    bool holds = true;
    pthread_rwlock_rdlock(&cat->lock);
    for (uint32_t i = 0; holds && i < table_count; i++) {
        catalog_entry *e = tables[i]->name ? find(cat, tables[i]->schema_name, tables[i]->name)
                                           : NULL; /* table functions' defs have no name */
        holds = e != NULL && !e->is_view && e->table == tables[i];
    }
    for (uint32_t i = 0; holds && i < view_count; i++) {
        catalog_entry *e = find(cat, views[i]->schema_name, views[i]->name);
        holds = e != NULL && e->is_view && same_view(e->view, views[i]);
    }
    pthread_rwlock_unlock(&cat->lock);
    return holds;
}
