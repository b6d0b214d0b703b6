/*
 * memory_table.c: tables held in memory as immutable segments of up to
 * VECTOR_SIZE rows. A table is a refcounted `table_version` (an array of
 * segment pointers); readers retain the current version with one atomic
 * increment and scan it without locks, writers build and publish a new
 * version (copy-on-write), so scans are zero-copy and never see a half write.
 */
#include "table/memory_table.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/hash.h"
#include "vector/cast.h"
#include "vector/value_set.h"

_Static_assert(offsetof(table_provider_vtable, destroy) ==
                   CATALOG_PROVIDER_DESTROY_SLOT * sizeof(void *),
               "catalog.c mirrors the position of destroy in table_provider_vtable");

#define DELETED_WORDS (VECTOR_SIZE / 64)

typedef struct segment {
    _Atomic unsigned refcount;
    uint32_t row_count;
    uint32_t deleted_count;
    vector *columns;
    uint64_t *deleted; /* NULL when no row is deleted */
    uint32_t column_count;
} segment;

typedef struct table_version {
    _Atomic unsigned refcount;
    segment **segments;
    uint32_t segment_count;
    uint64_t live_rows;
} table_version;

typedef struct memory_table {
    table_provider base;
    char *name;
    bool *not_null;
    uint32_t *primary_key;
    uint32_t primary_key_count;
    pthread_mutex_t write_lock;   /* one writer at a time */
    pthread_mutex_t version_lock; /* guards `current` while retaining it */
    table_version *current;
    struct subquery_set *key_index; /* encoded primary keys; rebuilt when stale */
    bool key_index_stale;
} memory_table;

typedef struct memory_scan {
    memory_table *table;
    table_version *version;
    uint32_t *column_ids;
    uint32_t column_count;
    _Atomic uint32_t next_segment;
} memory_scan;

/* ---- segments and versions ------------------------------------------------ */

static void segment_release(segment *s)
{
    if (s == NULL || atomic_fetch_sub(&s->refcount, 1) != 1)
        return;
    for (uint32_t c = 0; c < s->column_count; c++)
        vector_dispose(&s->columns[c]);
    free(s->columns);
    free(s->deleted);
    free(s);
}

static segment *segment_create(uint32_t column_count, const logical_type *types)
{
    segment *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    atomic_init(&s->refcount, 1);
    s->column_count = column_count;
    s->columns = calloc(column_count ? column_count : 1, sizeof *s->columns);
    if (s->columns == NULL) {
        free(s);
        return NULL;
    }
    for (uint32_t c = 0; c < column_count && types != NULL; c++)
        vector_init(&s->columns[c], types[c]);
    return s;
}

static void version_release(table_version *v)
{
    if (v == NULL || atomic_fetch_sub(&v->refcount, 1) != 1)
        return;
    for (uint32_t i = 0; i < v->segment_count; i++)
        segment_release(v->segments[i]);
    free(v->segments);
    free(v);
}

static table_version *version_retain_current(memory_table *t)
{
    pthread_mutex_lock(&t->version_lock);
    table_version *v = t->current;
    atomic_fetch_add(&v->refcount, 1);
    pthread_mutex_unlock(&t->version_lock);
    return v;
}

static void version_publish(memory_table *t, table_version *next)
{
    pthread_mutex_lock(&t->version_lock);
    table_version *old = t->current;
    t->current = next;
    pthread_mutex_unlock(&t->version_lock);
    version_release(old);
}

/* A new version sharing every segment of `from`, with room for `extra` more. */
static table_version *version_copy(const table_version *from, uint32_t extra)
{
    table_version *v = calloc(1, sizeof *v);
    if (v == NULL)
        return NULL;
    atomic_init(&v->refcount, 1);
    v->segments = malloc(((size_t)from->segment_count + extra + 1) * sizeof *v->segments);
    if (v->segments == NULL) {
        free(v);
        return NULL;
    }
    for (uint32_t i = 0; i < from->segment_count; i++) {
        v->segments[i] = from->segments[i];
        atomic_fetch_add(&v->segments[i]->refcount, 1);
    }
    v->segment_count = from->segment_count;
    v->live_rows = from->live_rows;
    return v;
}

/* ---- constraints --------------------------------------------------------- */

static arm_status check_not_null(memory_table *t, const batch *rows, arm_error *err)
{
    for (uint32_t c = 0; c < t->base.column_count; c++) {
        if (!t->not_null[c])
            continue;
        const vector *v = &rows->columns[c];
        for (uint32_t i = 0; i < rows->count; i++) {
            uint32_t row = batch_row(rows, i);
            value val;
            vector_get_value(v, row, &val);
            if (val.is_null) {
                error_set(err, ARM_ERROR_CONSTRAINT, "23502", -1,
                          "null value in column \"%s\" of relation \"%s\" violates not-null "
                          "constraint",
                          t->base.column_names[c], t->name);
                error_detail(err, "Failing row is number %u of the rows written.", i + 1);
                return ARM_ERROR_CONSTRAINT;
            }
        }
    }
    return ARM_OK;
}

/* Encodes the key columns of one row as bytes (text of each value, 0-separated). */
static size_t encode_key(memory_table *t, const vector *columns, uint32_t row, char *buf,
                         size_t capacity, char *shown, size_t shown_capacity)
{
    size_t n = 0, m = 0;
    for (uint32_t k = 0; k < t->primary_key_count; k++) {
        value v;
        vector_get_value(&columns[t->primary_key[k]], row, &v);
        char text[256];
        size_t length = value_format(&v, text, sizeof text);
        if (length >= sizeof text)
            length = sizeof text - 1;
        if (n + length + 1 < capacity) {
            memcpy(buf + n, text, length);
            n += length;
            buf[n++] = '\0';
        }
        if (shown != NULL && m + length + 3 < shown_capacity)
            m += (size_t)snprintf(shown + m, shown_capacity - m, "%s%s", k ? ", " : "", text);
    }
    return n;
}

static void key_columns_text(memory_table *t, char *buf, size_t capacity)
{
    size_t m = 0;
    buf[0] = '\0';
    for (uint32_t k = 0; k < t->primary_key_count && m < capacity; k++)
        m += (size_t)snprintf(buf + m, capacity - m, "%s%s", k ? ", " : "",
                              t->base.column_names[t->primary_key[k]]);
}

static arm_status duplicate_key(memory_table *t, const char *shown, arm_error *err)
{
    char columns[256];
    key_columns_text(t, columns, sizeof columns);
    error_set(err, ARM_ERROR_CONSTRAINT, "23505", -1,
              "duplicate key value violates unique constraint \"%s_pkey\"", t->name);
    error_detail(err, "Key (%s)=(%s) already exists.", columns, shown);
    return ARM_ERROR_CONSTRAINT;
}

static arm_status rebuild_key_index(memory_table *t, const table_version *v, arm_error *err)
{
    value_set_destroy(t->key_index);
    t->key_index = NULL;
    arm_status s = value_set_create(&t->key_index, type_make(TYPE_BLOB), err);
    char key[1024];
    for (uint32_t i = 0; s == ARM_OK && i < v->segment_count; i++) {
        const segment *seg = v->segments[i];
        for (uint32_t r = 0; s == ARM_OK && r < seg->row_count; r++) {
            if (seg->deleted && bitmap_get(seg->deleted, r))
                continue;
            size_t n = encode_key(t, seg->columns, r, key, sizeof key, NULL, 0);
            value kv = value_varchar(key, (uint32_t)n);
            kv.type = type_make(TYPE_BLOB);
            s = value_set_insert(t->key_index, &kv, err);
        }
    }
    t->key_index_stale = false;
    return s;
}

/* Checks the batch's keys against the table and each other; adds them when `commit`. */
static arm_status check_primary_key(memory_table *t, const table_version *v, const batch *rows,
                                    arm_error *err)
{
    if (t->primary_key_count == 0)
        return ARM_OK;
    arm_status s;
    if ((t->key_index == NULL || t->key_index_stale) &&
        (s = rebuild_key_index(t, v, err)) != ARM_OK)
        return s;
    subquery_set *fresh;
    if ((s = value_set_create(&fresh, type_make(TYPE_BLOB), err)) != ARM_OK)
        return s;
    char key[1024], shown[512];
    for (uint32_t i = 0; s == ARM_OK && i < rows->count; i++) {
        uint32_t row = batch_row(rows, i);
        size_t n = encode_key(t, rows->columns, row, key, sizeof key, shown, sizeof shown);
        value kv = value_varchar(key, (uint32_t)n);
        kv.type = type_make(TYPE_BLOB);
        vector probe;
        vector_init(&probe, kv.type);
        uint8_t hit[2] = {0, 0};
        if ((s = vector_set_constant(&probe, &kv, err)) == ARM_OK) {
            value_set_probe(t->key_index, &probe, NULL, 1, hit);
            if (!hit[0])
                value_set_probe(fresh, &probe, NULL, 1, hit);
        }
        vector_dispose(&probe);
        if (s == ARM_OK && hit[0])
            s = duplicate_key(t, shown, err);
        if (s == ARM_OK)
            s = value_set_insert(fresh, &kv, err);
    }
    value_set_destroy(fresh);
    return s;
}

/* Adds the batch's keys to the index after a successful write. */
static void index_keys(memory_table *t, const batch *rows)
{
    if (t->primary_key_count == 0 || t->key_index == NULL || t->key_index_stale)
        return;
    char key[1024];
    for (uint32_t i = 0; i < rows->count; i++) {
        size_t n = encode_key(t, rows->columns, batch_row(rows, i), key, sizeof key, NULL, 0);
        value kv = value_varchar(key, (uint32_t)n);
        kv.type = type_make(TYPE_BLOB);
        if (value_set_insert(t->key_index, &kv, NULL) != ARM_OK)
            t->key_index_stale = true;
    }
}

/* ---- writes ----------------------------------------------------------------- */

/*
 * Copies string values into the segment's own heap. Referencing the writer's
 * buffers instead would keep every buffer of an INSERT ... SELECT alive in
 * every segment (and make each scan retain them all).
 */
static arm_status copy_strings(vector *dst, uint32_t offset, const vector *src, const uint32_t *sel,
                               uint32_t count, uint32_t first, arm_error *err)
{
    arm_status s = vector_reserve(dst, offset + count, offset, err);
    for (uint32_t i = 0; i < count && s == ARM_OK; i++) {
        value v;
        vector_get_value(src, sel ? sel[i] : first + i, &v);
        if (v.is_null) {
            if ((s = vector_ensure_validity(dst, err)) == ARM_OK)
                vector_set_null(dst, offset + i);
            continue;
        }
        if (dst->validity != NULL)
            vector_set_valid(dst, offset + i);
        s = vector_add_string(dst, v.u.str.data, v.u.str.length,
                              &((string_view *)dst->data)[offset + i], err);
    }
    return s;
}

/* Appends rows [from, from+n) of `rows` to version `v`, copying a non-full tail segment. */
static arm_status append_rows(memory_table *t, table_version *v, const batch *rows, arm_error *err)
{
    uint32_t done = 0;
    arm_status s = ARM_OK;
    while (done < rows->count && s == ARM_OK) {
        segment *tail = v->segment_count ? v->segments[v->segment_count - 1] : NULL;
        segment *seg;
        uint32_t keep = 0;
        if (tail != NULL && tail->row_count < VECTOR_SIZE) {
            /* Published segments are immutable: build a copy with room to grow. */
            seg = segment_create(t->base.column_count, t->base.column_types);
            if (seg == NULL)
                return error_out_of_memory(err);
            keep = tail->row_count;
            for (uint32_t c = 0; c < t->base.column_count && s == ARM_OK; c++)
                s = vector_copy_rows(&seg->columns[c], 0, &tail->columns[c], NULL, keep, err);
            if (tail->deleted != NULL && s == ARM_OK) {
                seg->deleted = malloc(DELETED_WORDS * sizeof *seg->deleted);
                if (seg->deleted == NULL)
                    s = error_out_of_memory(err);
                else
                    memcpy(seg->deleted, tail->deleted, DELETED_WORDS * sizeof *seg->deleted);
                seg->deleted_count = tail->deleted_count;
            }
            seg->row_count = keep;
            v->segments[v->segment_count - 1] = seg;
            segment_release(tail);
        } else {
            seg = segment_create(t->base.column_count, t->base.column_types);
            if (seg == NULL)
                return error_out_of_memory(err);
            v->segments[v->segment_count++] = seg;
        }
        uint32_t take = VECTOR_SIZE - seg->row_count;
        if (take > rows->count - done)
            take = rows->count - done;
        const uint32_t *sel = rows->sel ? rows->sel + done : NULL;
        uint32_t *dense = NULL;
        if (sel == NULL && done > 0) {
            dense = malloc(take * sizeof *dense);
            if (dense == NULL)
                return error_out_of_memory(err);
            for (uint32_t i = 0; i < take; i++)
                dense[i] = done + i;
            sel = dense;
        }
        for (uint32_t c = 0; c < t->base.column_count && s == ARM_OK; c++) {
            if (type_is_string(t->base.column_types[c].id))
                s = copy_strings(&seg->columns[c], seg->row_count, &rows->columns[c], sel, take,
                                 done, err);
            else
                s = vector_copy_rows(&seg->columns[c], seg->row_count, &rows->columns[c], sel, take,
                                     err);
            seg->columns[c].type = t->base.column_types[c];
        }
        free(dense);
        seg->row_count += take;
        v->live_rows += take;
        done += take;
    }
    return s;
}

static arm_status check_types(memory_table *t, const batch *rows, arm_error *err)
{
    if (rows->column_count != t->base.column_count)
        return error_internal(err, "append: column count does not match the table");
    for (uint32_t c = 0; c < rows->column_count; c++) {
        logical_type have = rows->columns[c].type;
        if (!type_equal(have, t->base.column_types[c]) && have.id != TYPE_NULL)
            return error_internal(err, "append: column type does not match the table");
    }
    return ARM_OK;
}

static arm_status memory_append(table_provider *provider, const batch *rows, arm_error *err)
{
    memory_table *t = (memory_table *)provider;
    arm_status s = check_types(t, rows, err);
    if (s != ARM_OK || rows->count == 0)
        return s;
    pthread_mutex_lock(&t->write_lock);
    table_version *v = NULL;
    if ((s = check_not_null(t, rows, err)) != ARM_OK ||
        (s = check_primary_key(t, t->current, rows, err)) != ARM_OK)
        goto done;
    v = version_copy(t->current, rows->count / VECTOR_SIZE + 2);
    if (v == NULL) {
        s = error_out_of_memory(err);
        goto done;
    }
    if ((s = append_rows(t, v, rows, err)) != ARM_OK) {
        version_release(v);
        goto done;
    }
    index_keys(t, rows);
    version_publish(t, v);
done:
    pthread_mutex_unlock(&t->write_lock);
    return s;
}

/* Marks rows deleted in a new version `v` (segments touched are copied). */
static arm_status mark_deleted(table_version *v, const int64_t *row_ids, uint64_t count,
                               arm_error *err)
{
    for (uint64_t i = 0; i < count; i++) {
        int64_t id = row_ids[i];
        uint32_t index = (uint32_t)(id / VECTOR_SIZE), row = (uint32_t)(id % VECTOR_SIZE);
        if (id < 0 || index >= v->segment_count || row >= v->segments[index]->row_count)
            return error_internal(err, "delete: row id out of range");
        segment *seg = v->segments[index];
        if (atomic_load(&seg->refcount) > 1) {
            segment *copy = segment_create(seg->column_count, NULL);
            if (copy == NULL)
                return error_out_of_memory(err);
            copy->row_count = seg->row_count;
            copy->deleted_count = seg->deleted_count;
            for (uint32_t c = 0; c < seg->column_count; c++) {
                vector_init(&copy->columns[c], seg->columns[c].type);
                if (vector_reference(&copy->columns[c], &seg->columns[c], err) != ARM_OK)
                    return ARM_ERROR_OUT_OF_MEMORY;
            }
            copy->deleted = calloc(DELETED_WORDS, sizeof *copy->deleted);
            if (copy->deleted == NULL)
                return error_out_of_memory(err);
            if (seg->deleted)
                memcpy(copy->deleted, seg->deleted, DELETED_WORDS * sizeof *copy->deleted);
            v->segments[index] = copy;
            segment_release(seg);
            seg = copy;
        }
        if (seg->deleted == NULL &&
            (seg->deleted = calloc(DELETED_WORDS, sizeof(uint64_t))) == NULL)
            return error_out_of_memory(err);
        if (!bitmap_get(seg->deleted, row)) {
            seg->deleted[row >> 6] |= 1ULL << (row & 63);
            seg->deleted_count++;
            v->live_rows--;
        }
    }
    return ARM_OK;
}

static arm_status memory_delete(table_provider *provider, const int64_t *row_ids, uint64_t count,
                                arm_error *err)
{
    memory_table *t = (memory_table *)provider;
    pthread_mutex_lock(&t->write_lock);
    arm_status s = ARM_OK;
    table_version *v = version_copy(t->current, 0);
    if (v == NULL)
        s = error_out_of_memory(err);
    else if ((s = mark_deleted(v, row_ids, count, err)) != ARM_OK)
        version_release(v);
    else {
        t->key_index_stale = true;
        version_publish(t, v);
    }
    pthread_mutex_unlock(&t->write_lock);
    return s;
}

static arm_status memory_update(table_provider *provider, const int64_t *row_ids,
                                const batch *new_rows, arm_error *err)
{
    memory_table *t = (memory_table *)provider;
    arm_status s = check_types(t, new_rows, err);
    if (s != ARM_OK || new_rows->count == 0)
        return s;
    pthread_mutex_lock(&t->write_lock);
    table_version *v = version_copy(t->current, new_rows->count / VECTOR_SIZE + 2);
    if (v == NULL) {
        s = error_out_of_memory(err);
        goto done;
    }
    if ((s = check_not_null(t, new_rows, err)) != ARM_OK ||
        (s = mark_deleted(v, row_ids, new_rows->count, err)) != ARM_OK)
        goto fail;
    if (t->primary_key_count > 0) {
        t->key_index_stale = true;
        if ((s = check_primary_key(t, v, new_rows, err)) != ARM_OK)
            goto fail;
        t->key_index_stale = true; /* the index now describes v, not the published version */
    }
    if ((s = append_rows(t, v, new_rows, err)) != ARM_OK)
        goto fail;
    version_publish(t, v);
    goto done;
fail:
    version_release(v);
done:
    pthread_mutex_unlock(&t->write_lock);
    return s;
}

/* ---- scans ----------------------------------------------------------------------- */

static arm_status memory_scan_begin(table_provider *provider, const table_scan_options *options,
                                    table_scan **out, arm_error *err)
{
    memory_table *t = (memory_table *)provider;
    memory_scan *scan = calloc(1, sizeof *scan);
    if (scan == NULL)
        return error_out_of_memory(err);
    scan->column_ids =
        malloc((options->column_count ? options->column_count : 1) * sizeof(uint32_t));
    if (scan->column_ids == NULL) {
        free(scan);
        return error_out_of_memory(err);
    }
    memcpy(scan->column_ids, options->column_ids, options->column_count * sizeof(uint32_t));
    scan->column_count = options->column_count;
    scan->table = t;
    scan->version = version_retain_current(t);
    atomic_init(&scan->next_segment, 0);
    *out = (table_scan *)scan;
    return ARM_OK;
}

static arm_status memory_scan_local_create(table_scan *scan, table_scan_local **out, arm_error *err)
{
    (void)scan, (void)err;
    *out = NULL;
    return ARM_OK;
}

static arm_status fill_row_ids(vector *v, uint32_t segment_index, uint32_t rows, arm_error *err)
{
    v->type = type_make(TYPE_BIGINT);
    arm_status s = vector_prepare_flat(v, rows, err);
    if (s != ARM_OK)
        return s;
    int64_t *ids = v->data;
    int64_t base = (int64_t)segment_index * VECTOR_SIZE;
    for (uint32_t i = 0; i < rows; i++)
        ids[i] = base + i;
    return ARM_OK;
}

static arm_status memory_scan_next(table_scan *table_scan_base, table_scan_local *local, batch *out,
                                   arm_error *err)
{
    (void)local;
    memory_scan *scan = (memory_scan *)table_scan_base;
    out->count = 0;
    out->sel = NULL;
    for (;;) {
        uint32_t index = atomic_fetch_add(&scan->next_segment, 1);
        if (index >= scan->version->segment_count)
            return ARM_OK;
        const segment *seg = scan->version->segments[index];
        if (seg->row_count == seg->deleted_count)
            continue;
        arm_status s = ARM_OK;
        for (uint32_t k = 0; k < scan->column_count && s == ARM_OK; k++) {
            uint32_t id = scan->column_ids[k];
            if (id == TABLE_COLUMN_ROW_ID)
                s = fill_row_ids(&out->columns[k], index, seg->row_count, err);
            else
                s = vector_reference(&out->columns[k], &seg->columns[id], err);
        }
        if (s != ARM_OK)
            return s;
        out->sequence = index;
        if (seg->deleted_count == 0) {
            out->count = seg->row_count;
            return ARM_OK;
        }
        uint32_t n = 0;
        for (uint32_t r = 0; r < seg->row_count; r++)
            if (!bitmap_get(seg->deleted, r))
                out->sel_storage[n++] = r;
        out->sel = out->sel_storage;
        out->count = n;
        return ARM_OK;
    }
}

static void memory_scan_local_destroy(table_scan_local *local)
{
    (void)local;
}

static void memory_scan_end(table_scan *table_scan_base)
{
    memory_scan *scan = (memory_scan *)table_scan_base;
    if (scan == NULL)
        return;
    version_release(scan->version);
    free(scan->column_ids);
    free(scan);
}

static uint64_t memory_estimated_rows(table_provider *provider)
{
    memory_table *t = (memory_table *)provider;
    table_version *v = version_retain_current(t);
    uint64_t rows = v->live_rows;
    version_release(v);
    return rows;
}

static void memory_destroy(table_provider *provider)
{
    memory_table *t = (memory_table *)provider;
    if (t == NULL)
        return;
    version_release(t->current);
    value_set_destroy(t->key_index);
    for (uint32_t c = 0; c < t->base.column_count; c++)
        free(t->base.column_names[c]);
    free(t->base.column_names);
    free(t->base.column_types);
    free(t->not_null);
    free(t->primary_key);
    free(t->name);
    pthread_mutex_destroy(&t->write_lock);
    pthread_mutex_destroy(&t->version_lock);
    free(t);
}

static const table_provider_vtable memory_table_vtable = {
    .scan_begin = memory_scan_begin,
    .scan_local_create = memory_scan_local_create,
    .scan_next = memory_scan_next,
    .scan_local_destroy = memory_scan_local_destroy,
    .scan_end = memory_scan_end,
    .append = memory_append,
    .delete_rows = memory_delete,
    .update_rows = memory_update,
    .estimated_row_count = memory_estimated_rows,
    .column_stats = NULL,
    .destroy = memory_destroy,
};

arm_status memory_table_create(table_provider **out, const table_def *def, arm_error *err)
{
    memory_table *t = calloc(1, sizeof *t);
    if (t == NULL)
        return error_out_of_memory(err);
    uint32_t n = def->column_count;
    t->base.vtable = &memory_table_vtable;
    t->base.column_count = n;
    t->base.column_types = calloc(n ? n : 1, sizeof *t->base.column_types);
    t->base.column_names = calloc(n ? n : 1, sizeof *t->base.column_names);
    t->not_null = calloc(n ? n : 1, sizeof *t->not_null);
    t->primary_key = calloc(def->primary_key_count ? def->primary_key_count : 1, sizeof(uint32_t));
    t->name = strdup(def->name ? def->name : "table");
    t->current = calloc(1, sizeof *t->current);
    pthread_mutex_init(&t->write_lock, NULL);
    pthread_mutex_init(&t->version_lock, NULL);
    if (!t->base.column_types || !t->base.column_names || !t->not_null || !t->primary_key ||
        !t->name || !t->current) {
        free(t->current);
        t->current = NULL;
        memory_destroy(&t->base);
        return error_out_of_memory(err);
    }
    atomic_init(&t->current->refcount, 1);
    for (uint32_t c = 0; c < n; c++) {
        t->base.column_types[c] = def->columns[c].type;
        t->base.column_names[c] = strdup(def->columns[c].name);
        t->not_null[c] = def->columns[c].is_not_null;
    }
    t->primary_key_count = def->primary_key_count;
    for (uint32_t k = 0; k < def->primary_key_count; k++) {
        t->primary_key[k] = def->primary_key[k];
        t->not_null[def->primary_key[k]] = true;
    }
    *out = &t->base;
    return ARM_OK;
}
