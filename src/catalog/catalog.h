/*
 * catalog.h: the database's named objects (schemas, tables, views) and
 * their definitions. In memory for now; the versioned storage issue puts it
 * in SQLite behind this same interface. Thread-safe; definitions are
 * refcounted so a running query keeps what it bound even if dropped.
 */
#ifndef ARM_CATALOG_CATALOG_H
#define ARM_CATALOG_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "vector/types.h"

struct table_provider; /* table/table_provider.h; the catalog only stores it */

/* Index of `destroy` in table_provider_vtable (checked by a static assert in table/). */
#define CATALOG_PROVIDER_DESTROY_SLOT 11

typedef struct column_def {
    char *name;
    logical_type type;
    bool is_not_null;
    char *default_sql; /* DEFAULT expression as SQL text, or NULL */
    uint32_t field_id; /* stable across renames (Parquet field ids) */
} column_def;

/* One table: its definition and the provider holding its rows. */
typedef struct table_def {
    _Atomic unsigned refcount;
    char *schema_name;
    char *name;
    column_def *columns;
    uint32_t column_count;
    uint32_t *primary_key; /* column indexes */
    uint32_t primary_key_count;
    uint64_t schema_version;
    struct table_provider *provider; /* owned: destroyed with the last reference */
} table_def;

typedef struct view_def {
    _Atomic unsigned refcount;
    char *schema_name;
    char *name;
    char *sql;           /* the SELECT text */
    char **column_names; /* explicit names from CREATE VIEW v(a, b), or NULL */
    uint32_t column_name_count;
} view_def;

typedef struct catalog catalog;

arm_status catalog_create(catalog **out, arm_error *err);
void catalog_destroy(catalog *cat);

/*
 * Creates a table from `def` (deep-copied; provider ownership moves to the
 * catalog on success and stays with the caller on failure).
 * ARM_ERROR_ALREADY_EXISTS when a table or view has that name
 * (names are case-insensitive unless quoted; callers pass normalized names).
 * `schema_name` NULL means "main".
 */
arm_status catalog_create_table(catalog *cat, const table_def *def, arm_error *err);
arm_status catalog_drop_table(catalog *cat, const char *schema_name, const char *name,
                              bool if_exists, arm_error *err);
/* Retained reference or NULL; release with table_def_release. */
table_def *catalog_lookup_table(catalog *cat, const char *schema_name, const char *name);
void table_def_release(table_def *def);
/*
 * A deep copy of `def` with refcount 1 that owns def->provider (NULL when
 * out of memory: the provider then stays the caller's). Columns without a
 * field id get fresh ones.
 */
table_def *table_def_copy(const table_def *def);

arm_status catalog_create_view(catalog *cat, const view_def *def, bool or_replace, arm_error *err);
arm_status catalog_drop_view(catalog *cat, const char *schema_name, const char *name,
                             bool if_exists, arm_error *err);
view_def *catalog_lookup_view(catalog *cat, const char *schema_name, const char *name);
void view_def_release(view_def *def);

/*
 * Calls `fn` for each table and view name (sorted), e.g. for `.tables` and
 * for suggesting a name when one is misspelt.
 */
typedef void (*catalog_name_fn)(void *context, const char *schema_name, const char *name,
                                bool is_view);
void catalog_list(catalog *cat, catalog_name_fn fn, void *context);

/*
 * Schemas (namespaces). "main" always exists. Creating a table or view in a
 * schema that does not exist is ARM_ERROR_NOT_FOUND (3F000). Dropping a
 * schema that holds tables or views needs `cascade`, which drops them too.
 */
arm_status catalog_create_schema(catalog *cat, const char *name, bool if_not_exists,
                                 arm_error *err);
arm_status catalog_drop_schema(catalog *cat, const char *name, bool if_exists, bool cascade,
                               arm_error *err);
bool catalog_has_schema(catalog *cat, const char *name);
/* Calls `fn` for each created schema (sorted; "main" is not listed). */
void catalog_list_schemas(catalog *cat, void (*fn)(void *context, const char *name), void *context);

/* Changes on every DDL: plan caches compare it to know their plans are still valid. */
uint64_t catalog_version(catalog *cat);

/*
 * True when each of `tables` is still the very table_def its schema and name
 * resolve to in `cat` (a table dropped, re-created or reloaded at another
 * version is a new def), and each of `views` still names a view with the same
 * definition (text and column names). Retains nothing. Plan caches call it
 * once catalog_version moved, to keep plans whose objects did not change.
 */
bool catalog_holds(catalog *cat, table_def *const *tables, uint32_t table_count,
                   view_def *const *views, uint32_t view_count);

#endif
