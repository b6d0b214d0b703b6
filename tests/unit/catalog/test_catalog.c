/*
 * Tests for the in-memory catalog (src/catalog): tables and views sharing a
 * namespace per schema, errors with SQLSTATEs, deep copies, field ids,
 * sorted listing, versions, and references that outlive a DROP, also while
 * other threads look names up.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "harness.h"
#include "table/table_provider.h"

/* A provider that only counts how often it is destroyed. */
static _Atomic int providers_alive;

static uint64_t fake_rows(table_provider *t)
{
    (void)t;
    return 42;
}

static void fake_destroy(table_provider *t)
{
    atomic_fetch_sub(&providers_alive, 1);
    free(t);
}

static const table_provider_vtable fake_vtable = {
    .estimated_row_count = fake_rows,
    .destroy = fake_destroy,
};

static table_provider *fake_provider(void)
{
    table_provider *t = calloc(1, sizeof *t);
    t->vtable = &fake_vtable;
    atomic_fetch_add(&providers_alive, 1);
    return t;
}

/* Creates schema.name(a INTEGER, b VARCHAR) with a fake provider. */
static arm_status create_table(catalog *cat, const char *schema, const char *name, arm_error *err)
{
    column_def columns[2] = {{"a", type_make(TYPE_INTEGER), true, NULL, 0},
                             {"b", type_make(TYPE_VARCHAR), false, "'x'", 0}};
    table_def def;
    memset(&def, 0, sizeof def);
    def.schema_name = (char *)schema;
    def.name = (char *)name;
    def.columns = columns;
    def.column_count = 2;
    def.provider = fake_provider();
    arm_status s = catalog_create_table(cat, &def, err);
    if (s != ARM_OK) /* on failure the provider stays ours */
        def.provider->vtable->destroy(def.provider);
    return s;
}

static arm_status create_view(catalog *cat, const char *schema, const char *name, const char *sql,
                              bool or_replace, arm_error *err)
{
    view_def def = {0, (char *)schema, (char *)name, (char *)sql, NULL, 0};
    return catalog_create_view(cat, &def, or_replace, err);
}

typedef struct listing {
    char text[512];
} listing;

static void list_one(void *context, const char *schema, const char *name, bool is_view)
{
    listing *l = context;
    size_t n = strlen(l->text);
    snprintf(l->text + n, sizeof l->text - n, "%s.%s%s ", schema, name, is_view ? "(v)" : "");
}

static void test_tables_views_and_namespaces(void)
{
    arm_error err;
    catalog *cat = NULL;
    CHECK_OK(catalog_create(&cat, &err), &err);
    CHECK_OK(create_table(cat, NULL, "people", &err), &err);
    CHECK_INT_EQ(create_table(cat, "other", "people", &err), ARM_ERROR_NOT_FOUND);
    CHECK_STR_EQ(err.sqlstate, "3F000"); /* schemas are created first */
    CHECK_OK(catalog_create_schema(cat, "other", false, &err), &err);
    CHECK_INT_EQ(catalog_create_schema(cat, "other", false, &err), ARM_ERROR_ALREADY_EXISTS);
    CHECK_OK(catalog_create_schema(cat, "other", true, &err), &err);
    CHECK_OK(create_table(cat, "other", "people", &err), &err); /* another schema */
    CHECK_OK(create_table(cat, "main", "People", &err), &err);  /* names come normalized */
    CHECK(create_table(cat, "main", "people", &err) == ARM_ERROR_ALREADY_EXISTS);
    CHECK_STR_EQ(err.sqlstate, "42P07");
    CHECK_STR_EQ(err.message, "relation \"people\" already exists");
    /* views share the namespace */
    CHECK(create_view(cat, NULL, "people", "SELECT 1", false, &err) == ARM_ERROR_ALREADY_EXISTS);
    CHECK_STR_EQ(err.message, "relation \"people\" already exists");
    CHECK(create_view(cat, NULL, "people", "SELECT 1", true, &err) == ARM_ERROR_ALREADY_EXISTS);
    CHECK_OK(create_view(cat, NULL, "v", "SELECT 1", false, &err), &err);
    CHECK(create_table(cat, NULL, "v", &err) == ARM_ERROR_ALREADY_EXISTS);
    CHECK(create_view(cat, NULL, "v", "SELECT 2", false, &err) == ARM_ERROR_ALREADY_EXISTS);
    uint64_t version = catalog_version(cat);
    CHECK_OK(create_view(cat, NULL, "v", "SELECT 2", true, &err), &err);
    CHECK(catalog_version(cat) > version);
    view_def *v = catalog_lookup_view(cat, "main", "v");
    CHECK(v != NULL && strcmp(v->sql, "SELECT 2") == 0 && strcmp(v->schema_name, "main") == 0);
    view_def_release(v);
    CHECK(catalog_lookup_view(cat, NULL, "people") == NULL);
    CHECK(catalog_lookup_table(cat, NULL, "v") == NULL);
    CHECK(catalog_lookup_table(cat, "other", "v") == NULL);
    listing l = {""};
    catalog_list(cat, list_one, &l);
    CHECK_STR_EQ(l.text, "main.People main.people main.v(v) other.people ");
    /* a schema with members drops only with CASCADE, which drops them; main stays */
    CHECK_INT_EQ(catalog_drop_schema(cat, "other", false, false, &err), ARM_ERROR_MISUSE);
    CHECK_STR_EQ(err.sqlstate, "2BP01");
    CHECK_OK(catalog_drop_schema(cat, "other", false, true, &err), &err);
    CHECK(!catalog_has_schema(cat, "other"));
    CHECK(catalog_lookup_table(cat, "other", "people") == NULL);
    CHECK_INT_EQ(catalog_drop_schema(cat, "other", false, false, &err), ARM_ERROR_NOT_FOUND);
    CHECK_OK(catalog_drop_schema(cat, "other", true, false, &err), &err);
    CHECK_INT_EQ(catalog_drop_schema(cat, "main", false, true, &err), ARM_ERROR_MISUSE);
    CHECK(catalog_has_schema(cat, NULL) && catalog_has_schema(cat, "main"));
    catalog_destroy(cat);
    CHECK_INT_EQ(atomic_load(&providers_alive), 0);
}

static void test_drop_errors(void)
{
    arm_error err;
    catalog *cat = NULL;
    CHECK_OK(catalog_create(&cat, &err), &err);
    CHECK(catalog_drop_table(cat, NULL, "nope", false, &err) == ARM_ERROR_NOT_FOUND);
    CHECK_STR_EQ(err.sqlstate, "42P01");
    CHECK_STR_EQ(err.message, "table \"nope\" does not exist");
    CHECK_OK(catalog_drop_table(cat, NULL, "nope", true, &err), &err);
    CHECK(catalog_drop_view(cat, NULL, "nope", false, &err) == ARM_ERROR_NOT_FOUND);
    CHECK_STR_EQ(err.message, "view \"nope\" does not exist");
    CHECK_OK(catalog_drop_view(cat, NULL, "nope", true, &err), &err);
    CHECK_OK(create_table(cat, NULL, "t", &err), &err);
    CHECK_OK(create_view(cat, NULL, "w", "SELECT 1", false, &err), &err);
    CHECK(catalog_drop_view(cat, NULL, "t", false, &err) != ARM_OK);
    CHECK(strstr(err.message, "\"t\" is not a view") != NULL);
    CHECK(catalog_drop_table(cat, NULL, "w", true, &err) != ARM_OK);
    CHECK(strstr(err.message, "\"w\" is not a table") != NULL);
    uint64_t version = catalog_version(cat);
    CHECK_OK(catalog_drop_view(cat, "main", "w", false, &err), &err);
    CHECK(catalog_version(cat) > version);
    version = catalog_version(cat);
    CHECK_OK(catalog_drop_table(cat, "main", "t", false, &err), &err);
    CHECK(catalog_version(cat) > version);
    CHECK(catalog_drop_table(cat, "other", "t", false, &err) == ARM_ERROR_NOT_FOUND);
    catalog_destroy(cat);
    CHECK_INT_EQ(atomic_load(&providers_alive), 0);
}

/* Definitions are deep copies; field ids are assigned when not given. */
static void test_copies_and_field_ids(void)
{
    arm_error err;
    catalog *cat = NULL;
    CHECK_OK(catalog_create(&cat, &err), &err);
    char name[8] = "t", column[8] = "a", dflt[8] = "1 + 1";
    column_def columns[3] = {{column, type_make(TYPE_BIGINT), false, dflt, 0},
                             {"b", type_decimal(10, 2), true, NULL, 7},
                             {"c", type_make(TYPE_DATE), false, NULL, 0}};
    uint32_t pk[1] = {1};
    table_def def;
    memset(&def, 0, sizeof def);
    def.name = name;
    def.columns = columns;
    def.column_count = 3;
    def.primary_key = pk;
    def.primary_key_count = 1;
    def.provider = fake_provider();
    CHECK_OK(catalog_create_table(cat, &def, &err), &err);
    strcpy(name, "x");
    strcpy(column, "x");
    strcpy(dflt, "x");
    pk[0] = 2;
    table_def *t = catalog_lookup_table(cat, NULL, "t");
    CHECK(t != NULL);
    if (t != NULL) {
        CHECK_STR_EQ(t->name, "t");
        CHECK_STR_EQ(t->schema_name, "main");
        CHECK_STR_EQ(t->columns[0].name, "a");
        CHECK_STR_EQ(t->columns[0].default_sql, "1 + 1");
        CHECK(t->columns[2].default_sql == NULL);
        CHECK(t->columns[1].is_not_null && t->columns[1].type.scale == 2);
        CHECK_INT_EQ(t->columns[1].field_id, 7);
        CHECK_INT_EQ(t->columns[0].field_id, 8);
        CHECK_INT_EQ(t->columns[2].field_id, 9);
        CHECK(t->primary_key_count == 1 && t->primary_key[0] == 1);
        table_def_release(t);
    }
    CHECK(catalog_lookup_table(cat, NULL, "x") == NULL);
    catalog_destroy(cat);
}

/* A reference taken before a DROP keeps the definition and its provider alive. */
static void test_references_outlive_drop(void)
{
    arm_error err;
    catalog *cat = NULL;
    CHECK_OK(catalog_create(&cat, &err), &err);
    CHECK_OK(create_table(cat, NULL, "t", &err), &err);
    table_def *held = catalog_lookup_table(cat, NULL, "t");
    CHECK_OK(catalog_drop_table(cat, NULL, "t", false, &err), &err);
    CHECK(catalog_lookup_table(cat, NULL, "t") == NULL);
    CHECK_INT_EQ(atomic_load(&providers_alive), 1);
    CHECK_INT_EQ(held->provider->vtable->estimated_row_count(held->provider), 42);
    CHECK_STR_EQ(held->columns[1].name, "b");
    /* the name is free again while the old definition lives on */
    CHECK_OK(create_table(cat, NULL, "t", &err), &err);
    CHECK_INT_EQ(atomic_load(&providers_alive), 2);
    table_def_release(held);
    CHECK_INT_EQ(atomic_load(&providers_alive), 1);
    CHECK_OK(create_view(cat, NULL, "v", "SELECT 1", false, &err), &err);
    view_def *view = catalog_lookup_view(cat, NULL, "v");
    CHECK_OK(create_view(cat, NULL, "v", "SELECT 2", true, &err), &err);
    CHECK_STR_EQ(view->sql, "SELECT 1"); /* replaced, but our reference still reads */
    view_def_release(view);
    table_def_release(NULL);
    view_def_release(NULL);
    catalog_destroy(cat);
    catalog_destroy(NULL);
    CHECK_INT_EQ(atomic_load(&providers_alive), 0);
}

static _Atomic uint64_t lookups_found;

typedef struct looker {
    catalog *cat;
    _Atomic bool *stop;
    uint64_t found;
    bool ok;
} looker;

static void *look_up_tables(void *arg)
{
    looker *l = arg;
    l->ok = true;
    for (unsigned i = 0; !atomic_load(l->stop); i++) {
        char name[16];
        snprintf(name, sizeof name, "t%u", i % 8);
        table_def *t = catalog_lookup_table(l->cat, NULL, name);
        if (t == NULL)
            continue;
        /* use the definition as a query would, while the writer may drop it */
        l->ok = l->ok && strcmp(t->name, name) == 0 && t->column_count == 2 &&
                strcmp(t->columns[1].default_sql, "'x'") == 0 &&
                t->provider->vtable->estimated_row_count(t->provider) == 42;
        l->found++;
        atomic_fetch_add(&lookups_found, 1);
        table_def_release(t);
    }
    return NULL;
}

static void test_concurrent_lookups_while_dropping(void)
{
    arm_error err;
    catalog *cat = NULL;
    CHECK_OK(catalog_create(&cat, &err), &err);
    _Atomic bool stop = false;
    looker lookers[4];
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        lookers[i] = (looker){cat, &stop, 0, false};
        pthread_create(&threads[i], NULL, look_up_tables, &lookers[i]);
    }
    bool ok = true;
    /* until the lookers have seen plenty (threads may start late), within bounds */
    for (unsigned round = 0;
         round < 2000 || (atomic_load(&lookups_found) < 10000 && round < 10000000); round++) {
        char name[16];
        snprintf(name, sizeof name, "t%u", round % 8);
        ok = ok && create_table(cat, NULL, name, &err) == ARM_OK;
        snprintf(name, sizeof name, "t%u", (round + 4) % 8);
        ok = ok && catalog_drop_table(cat, NULL, name, true, &err) == ARM_OK;
    }
    atomic_store(&stop, true);
    uint64_t found = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        CHECK(lookers[i].ok);
        found += lookers[i].found;
    }
    CHECK(ok);
    CHECK(found > 0);
    catalog_destroy(cat);
    CHECK_INT_EQ(atomic_load(&providers_alive), 0);
}

TEST_MAIN(test_tables_views_and_namespaces, test_drop_errors, test_copies_and_field_ids,
          test_references_outlive_drop, test_concurrent_lookups_while_dropping)
