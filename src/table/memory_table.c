/*
 * memory_table.c: tables held in memory as row groups of up to 122,880 rows,
 * each column a flat vector per 2048 rows. Writes append past the rows any
 * scan has seen (scans reference the stored vectors, zero-copy), deletes
 * mark rows in copy-on-write deletion maps, and NOT NULL and PRIMARY KEY
 * are checked before anything changes, so a write is all or nothing.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "common/hash.h"
#include "table/memory_table_internal.h"
#include "vector/cast.h"

_Static_assert(offsetof(table_provider_vtable, destroy) ==
                   CATALOG_PROVIDER_DESTROY_SLOT * sizeof(void *),
               "catalog.c mirrors the position of destroy in table_provider_vtable");
_Static_assert(MEMORY_TABLE_ROW_GROUP_ROWS % VECTOR_SIZE == 0, "whole chunks per row group");

/* Scratch indexes larger than this are freed after a write rather than cleared. */
#define SCRATCH_KEEP_SLOTS 4096

/* ---- row groups --------------------------------------------------------------- */

static void row_group_destroy(row_group *g, uint32_t column_count)
{
    if (g == NULL)
        return;
    for (uint32_t c = 0; g->columns != NULL && c < column_count; c++)
        for (uint32_t k = 0; k < ROW_GROUP_CHUNKS; k++)
            vector_dispose(&g->columns[c].chunks[k]);
    free(g->columns);
    deletion_map_release(g->deleted);
    free(g);
}

static row_group *row_group_create(const memory_table *t)
{
    row_group *g = calloc(1, sizeof *g);
    if (g == NULL)
        return NULL;
    uint32_t n = t->base.column_count;
    g->columns = calloc(n ? n : 1, sizeof *g->columns);
    if (g->columns == NULL) {
        free(g);
        return NULL;
    }
    for (uint32_t c = 0; c < n; c++) {
        logical_type type = t->base.column_types[c];
        column_chunks *cc = &g->columns[c];
        for (uint32_t k = 0; k < ROW_GROUP_CHUNKS; k++) {
            vector_init(&cc->chunks[k], type);
            zone_map_init(&cc->zones[k], type);
        }
        zone_map_init(&cc->zone, type);
    }
    return g;
}

/* Rows stored (deleted ones included): every group but the last is full. */
static int64_t stored_rows(const memory_table *t)
{
    if (t->group_count == 0)
        return 0;
    return (int64_t)(t->group_count - 1) * MEMORY_TABLE_ROW_GROUP_ROWS +
           t->groups[t->group_count - 1]->row_count;
}

/* The stored vector and physical row holding column `column` of row `row_id`. */
static const vector *stored_cell(const memory_table *t, int64_t row_id, uint32_t column,
                                 uint32_t *row)
{
    const row_group *g = t->groups[row_id / MEMORY_TABLE_ROW_GROUP_ROWS];
    uint32_t at = (uint32_t)(row_id % MEMORY_TABLE_ROW_GROUP_ROWS);
    *row = at % VECTOR_SIZE;
    return &g->columns[column].chunks[at / VECTOR_SIZE];
}

/* ---- reading the rows being written (any vector kind) ----------------------------- */

static bool source_may_have_nulls(const vector *v)
{
    return v->type.id == TYPE_NULL || v->validity != NULL ||
           (v->kind == VECTOR_DICTIONARY && v->dictionary->validity != NULL);
}

static bool source_is_null(const vector *v, uint32_t row)
{
    if (v->type.id == TYPE_NULL || !vector_is_valid(v, row))
        return true;
    return v->kind == VECTOR_DICTIONARY &&
           !vector_is_valid(v->dictionary, ((const uint32_t *)v->data)[row]);
}

static const void *source_slot(const vector *v, uint32_t row, size_t width)
{
    if (v->kind == VECTOR_CONSTANT) {
        row = 0;
    } else if (v->kind == VECTOR_DICTIONARY) {
        row = ((const uint32_t *)v->data)[row];
        v = v->dictionary;
    }
    return (const char *)v->data + (size_t)row * width;
}

/* ---- NOT NULL ---------------------------------------------------------------------- */

/* "1, null, 'x'" for the failing row (PostgreSQL's `Failing row contains (...)`). */
static void format_row(const memory_table *t, const batch *rows, uint32_t row, char *buf,
                       size_t capacity)
{
    size_t at = 0;
    buf[0] = '\0';
    for (uint32_t c = 0; c < t->base.column_count && at + 1 < capacity; c++) {
        if (c > 0)
            at += (size_t)snprintf(buf + at, capacity - at, ", ");
        if (at + 1 >= capacity)
            break;
        value v;
        if (source_is_null(&rows->columns[c], row)) {
            at += (size_t)snprintf(buf + at, capacity - at, "null");
            continue;
        }
        vector_get_value(&rows->columns[c], row, &v);
        size_t n = value_format(&v, buf + at, capacity - at);
        at += n < capacity - at ? n : capacity - at - 1;
    }
}

static arm_status check_not_null(const memory_table *t, const batch *rows, arm_error *err)
{
    for (uint32_t c = 0; c < t->base.column_count; c++) {
        const vector *v = &rows->columns[c];
        if (!t->not_null[c] || !source_may_have_nulls(v))
            continue;
        for (uint32_t i = 0; i < rows->count; i++) {
            uint32_t row = batch_row(rows, i);
            if (!source_is_null(v, row))
                continue;
            char shown[ARM_ERROR_DETAIL_SIZE - 32];
            format_row(t, rows, row, shown, sizeof shown);
            error_set(err, ARM_ERROR_CONSTRAINT, "23502", -1,
                      "null value in column \"%s\" of relation \"%s\" violates not-null "
                      "constraint",
                      t->base.column_names[c], t->name);
            error_detail(err, "Failing row contains (%s).", shown);
            return ARM_ERROR_CONSTRAINT;
        }
    }
    return ARM_OK;
}

/* ---- PRIMARY KEY ------------------------------------------------------------------- */

static uint64_t hash_value(const value *v)
{
    switch (v->type.id) {
    case TYPE_VARCHAR:
    case TYPE_BLOB: return hash_bytes(v->u.str.data, v->u.str.length);
    case TYPE_BOOLEAN: return hash_u64(v->u.boolean);
    case TYPE_REAL:
    case TYPE_DOUBLE: {
        double d = v->type.id == TYPE_REAL ? (double)v->u.f32 : v->u.f64;
        if (d == 0)
            d = 0; /* -0.0 and 0.0 are equal */
        if (isnan(d))
            d = NAN;
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return hash_u64(bits);
    }
    case TYPE_DECIMAL:
        if (v->type.precision > DECIMAL_INT64_MAX_PRECISION)
            return hash_combine(hash_u64((uint64_t)v->u.i128),
                                hash_u64((uint64_t)(v->u.i128 >> 64)));
        return hash_u64((uint64_t)v->u.i64);
    case TYPE_INTERVAL: {
        int128 span = (int128)v->u.interval.months * 30 * 86400000000LL +
                      (int128)v->u.interval.days * 86400000000LL + v->u.interval.micros;
        return hash_combine(hash_u64((uint64_t)span), hash_u64((uint64_t)(span >> 64)));
    }
    default: return hash_u64((uint64_t)v->u.i64);
    }
}

static bool values_equal(const value *a, const value *b)
{
    if (a->type.id == TYPE_DOUBLE)
        return a->u.f64 == b->u.f64 || (isnan(a->u.f64) && isnan(b->u.f64));
    if (a->type.id == TYPE_REAL)
        return a->u.f32 == b->u.f32 || (isnan(a->u.f32) && isnan(b->u.f32));
    return value_compare(a, b) == 0;
}

/* Reads the key of logical row `i` of `rows` into t->key; returns its hash. */
static uint64_t read_batch_key(memory_table *t, const batch *rows, uint32_t i)
{
    uint64_t h = 0;
    for (uint32_t k = 0; k < t->primary_key_count; k++) {
        vector_get_value(&rows->columns[t->primary_key[k]], batch_row(rows, i), &t->key[k]);
        h = hash_combine(h, hash_value(&t->key[k]));
    }
    return h;
}

static uint64_t hash_stored_key(const memory_table *t, int64_t row_id)
{
    uint64_t h = 0;
    for (uint32_t k = 0; k < t->primary_key_count; k++) {
        uint32_t row;
        const vector *v = stored_cell(t, row_id, t->primary_key[k], &row);
        value x;
        vector_get_value(v, row, &x);
        h = hash_combine(h, hash_value(&x));
    }
    return h;
}

typedef struct key_probe {
    const memory_table *table;
    const batch *rows;
} key_probe;

static bool stored_row_has_key(void *context, int64_t row_id)
{
    const key_probe *p = context;
    const memory_table *t = p->table;
    for (uint32_t k = 0; k < t->primary_key_count; k++) {
        uint32_t row;
        const vector *v = stored_cell(t, row_id, t->primary_key[k], &row);
        value x;
        vector_get_value(v, row, &x);
        if (!values_equal(&x, &t->key[k]))
            return false;
    }
    return true;
}

static bool batch_row_has_key(void *context, int64_t i)
{
    const key_probe *p = context;
    const memory_table *t = p->table;
    for (uint32_t k = 0; k < t->primary_key_count; k++) {
        value x;
        vector_get_value(&p->rows->columns[t->primary_key[k]], batch_row(p->rows, (uint32_t)i), &x);
        if (!values_equal(&x, &t->key[k]))
            return false;
    }
    return true;
}

static arm_status duplicate_key(const memory_table *t, arm_error *err)
{
    char columns[256], shown[ARM_ERROR_DETAIL_SIZE / 2];
    size_t m = 0, n = 0;
    columns[0] = shown[0] = '\0';
    for (uint32_t k = 0; k < t->primary_key_count; k++) {
        if (m < sizeof columns)
            m += (size_t)snprintf(columns + m, sizeof columns - m, "%s%s", k ? ", " : "",
                                  t->base.column_names[t->primary_key[k]]);
        if (n + 3 < sizeof shown) {
            n += (size_t)snprintf(shown + n, sizeof shown - n, "%s", k ? ", " : "");
            size_t used = value_format(&t->key[k], shown + n, sizeof shown - n);
            n += used < sizeof shown - n ? used : sizeof shown - n - 1;
        }
    }
    error_set(err, ARM_ERROR_CONSTRAINT, "23505", -1,
              "duplicate key value violates unique constraint \"%s_pkey\"", t->name);
    error_detail(err, "Key (%s)=(%s) already exists.", columns, shown);
    return ARM_ERROR_CONSTRAINT;
}

/*
 * Checks the keys of `rows` against the table and against each other and
 * writes their hashes to `hashes`. Reserves index room for them, so adding
 * them after the write cannot fail. Changes nothing visible.
 */
static arm_status check_keys(memory_table *t, const batch *rows, uint64_t *hashes, arm_error *err)
{
    arm_status s = key_index_reserve(&t->index, rows->count, err);
    if (s != ARM_OK)
        return s;
    key_index_clear(&t->scratch);
    if ((s = key_index_reserve(&t->scratch, rows->count, err)) != ARM_OK)
        return s;
    key_probe probe = {t, rows};
    for (uint32_t i = 0; i < rows->count; i++) {
        hashes[i] = read_batch_key(t, rows, i);
        if (key_index_find(&t->index, hashes[i], stored_row_has_key, &probe) >= 0 ||
            key_index_find(&t->scratch, hashes[i], batch_row_has_key, &probe) >= 0)
            return duplicate_key(t, err);
        key_index_insert(&t->scratch, hashes[i], i);
    }
    return ARM_OK;
}

static void finish_keys(memory_table *t)
{
    if (t->scratch.mask + 1 > SCRATCH_KEEP_SLOTS)
        key_index_dispose(&t->scratch);
}

/* ---- appending ---------------------------------------------------------------------- */

/* Makes the validity bitmap of a stored chunk exist and belong to it alone. */
static arm_status own_validity(vector *v, arm_error *err)
{
    if (v->validity == NULL)
        return vector_ensure_validity(v, err);
    if (buffer_is_unique(v->validity_buffer))
        return ARM_OK;
    buffer *copy = buffer_create(v->validity_buffer->capacity_bytes);
    if (copy == NULL)
        return error_out_of_memory(err);
    memcpy(copy->data, v->validity, v->validity_buffer->capacity_bytes);
    buffer_release(v->validity_buffer);
    v->validity_buffer = copy;
    v->validity = copy->data;
    return ARM_OK;
}

static void copy_fixed(void *dst, const void *src, size_t width)
{
    switch (width) {
    case 1: *(uint8_t *)dst = *(const uint8_t *)src; break;
    case 2: memcpy(dst, src, 2); break;
    case 4: memcpy(dst, src, 4); break;
    case 8: memcpy(dst, src, 8); break;
    default: memcpy(dst, src, width);
    }
}

/* Writes one value (not NULL) of `src` to row `to` of stored chunk `dst`. */
static arm_status write_value(vector *dst, uint32_t to, const vector *src, uint32_t row,
                              size_t width, arm_error *err)
{
    const void *slot = source_slot(src, row, width);
    char *target = (char *)dst->data + (size_t)to * width;
    if (!type_is_string(dst->type.id)) {
        copy_fixed(target, slot, width);
        return ARM_OK;
    }
    const string_view *view = slot;
    if (view->length <= STRING_VIEW_INLINE_MAX) {
        memcpy(target, view, sizeof *view);
        return ARM_OK;
    }
    /* Long strings are copied into the chunk's own heap: the writer's buffers may be huge. */
    return vector_add_string(dst, view->u.ref.ptr, view->length, (string_view *)target, err);
}

/* Writes logical rows [first, first + count) of column `src` to chunk `dst` at `at`. */
static arm_status write_column(vector *dst, uint32_t at, const vector *src, const batch *rows,
                               uint32_t first, uint32_t count, arm_error *err)
{
    size_t width = type_physical_size(dst->type);
    bool may_null = source_may_have_nulls(src);
    arm_status s;
    if ((may_null || dst->validity != NULL) && (s = own_validity(dst, err)) != ARM_OK)
        return s;
    if (!may_null && src->kind == VECTOR_FLAT && rows->sel == NULL &&
        !type_is_string(dst->type.id)) {
        memcpy((char *)dst->data + (size_t)at * width, (const char *)src->data + first * width,
               (size_t)count * width);
        for (uint32_t i = 0; dst->validity != NULL && i < count; i++)
            vector_set_valid(dst, at + i);
        return ARM_OK;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = batch_row(rows, first + i);
        if (may_null && source_is_null(src, row)) {
            memset((char *)dst->data + (size_t)(at + i) * width, 0, width);
            vector_set_null(dst, at + i);
            continue;
        }
        if (dst->validity != NULL)
            vector_set_valid(dst, at + i);
        if ((s = write_value(dst, at + i, src, row, width, err)) != ARM_OK)
            return s;
    }
    return ARM_OK;
}

static arm_status add_group(memory_table *t, arm_error *err)
{
    if (t->group_count == t->group_capacity) {
        uint32_t capacity = t->group_capacity ? t->group_capacity * 2 : 4;
        row_group **grown = realloc(t->groups, capacity * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(err);
        t->groups = grown;
        t->group_capacity = capacity;
    }
    row_group *g = row_group_create(t);
    if (g == NULL)
        return error_out_of_memory(err);
    t->groups[t->group_count++] = g;
    return ARM_OK;
}

/* Writes one slice of rows into group `g` from row `at` (within one chunk). */
static arm_status write_slice(memory_table *t, row_group *g, uint32_t at, const batch *rows,
                              uint32_t first, uint32_t count, arm_error *err)
{
    uint32_t k = at / VECTOR_SIZE;
    arm_status s = ARM_OK;
    for (uint32_t c = 0; c < t->base.column_count && s == ARM_OK; c++) {
        vector *chunk = &g->columns[c].chunks[k];
        if (chunk->data_buffer == NULL && (s = vector_prepare_flat(chunk, VECTOR_SIZE, err)))
            break;
        s = write_column(chunk, at % VECTOR_SIZE, &rows->columns[c], rows, first, count, err);
    }
    return s;
}

/* Makes rows [from, to) of group `g` visible: zone maps first, then the row count. */
static void publish_rows(memory_table *t, row_group *g, uint32_t from, uint32_t to)
{
    for (uint32_t c = 0; c < t->base.column_count; c++) {
        column_chunks *cc = &g->columns[c];
        for (uint32_t at = from; at < to;) {
            uint32_t k = at / VECTOR_SIZE, end = (k + 1) * VECTOR_SIZE;
            end = end < to ? end : to;
            zone_map delta;
            zone_map_init(&delta, t->base.column_types[c]);
            zone_map_update(&delta, &cc->chunks[k], at % VECTOR_SIZE, (end - 1) % VECTOR_SIZE + 1);
            zone_map_merge(&cc->zones[k], &delta);
            zone_map_merge(&cc->zone, &delta);
            at = end;
        }
    }
    g->row_count = to;
}

/*
 * Appends all rows after the stored ones (caller holds both locks). Values
 * go past every published row count, so running scans are undisturbed; on
 * failure new groups are dropped and nothing was published.
 */
static arm_status append_locked(memory_table *t, const batch *rows, arm_error *err)
{
    uint32_t first_group = t->group_count, old_group_count = t->group_count;
    if (first_group > 0 && t->groups[first_group - 1]->row_count < MEMORY_TABLE_ROW_GROUP_ROWS)
        first_group--;
    uint32_t g = first_group, at = g < t->group_count ? t->groups[g]->row_count : 0;
    arm_status s = ARM_OK;
    for (uint32_t done = 0; done < rows->count && s == ARM_OK;) {
        if (at == MEMORY_TABLE_ROW_GROUP_ROWS) {
            g++;
            at = 0;
        }
        if (g == t->group_count && (s = add_group(t, err)) != ARM_OK)
            break;
        uint32_t n = VECTOR_SIZE - at % VECTOR_SIZE;
        n = n < rows->count - done ? n : rows->count - done;
        s = write_slice(t, t->groups[g], at, rows, done, n, err);
        done += n;
        at += n;
    }
    if (s != ARM_OK) {
        while (t->group_count > old_group_count)
            row_group_destroy(t->groups[--t->group_count], t->base.column_count);
        return s;
    }
    for (uint32_t i = first_group; i < t->group_count; i++) {
        row_group *group = t->groups[i];
        uint32_t end = i < t->group_count - 1 ? MEMORY_TABLE_ROW_GROUP_ROWS : at;
        publish_rows(t, group, group->row_count, end);
    }
    atomic_fetch_add(&t->live_rows, rows->count);
    return ARM_OK;
}

static void index_new_rows(memory_table *t, const uint64_t *hashes, int64_t first_row_id,
                           uint32_t count)
{
    for (uint32_t i = 0; hashes != NULL && i < count; i++)
        key_index_insert(&t->index, hashes[i], first_row_id + i);
}

static arm_status check_types(const memory_table *t, const batch *rows, arm_error *err)
{
    if (rows->column_count != t->base.column_count)
        return error_internal(err, "write: column count does not match the table");
    for (uint32_t c = 0; c < rows->column_count; c++) {
        logical_type have = rows->columns[c].type;
        if (!type_equal(have, t->base.column_types[c]) && have.id != TYPE_NULL)
            return error_internal(err, "write: column type does not match the table");
    }
    return ARM_OK;
}

/* NOT NULL, then the primary key; `hashes` receives the key hashes (NULL without a key). */
static arm_status check_rows(memory_table *t, const batch *rows, uint64_t **hashes, arm_error *err)
{
    *hashes = NULL;
    arm_status s = check_not_null(t, rows, err);
    if (s != ARM_OK || t->primary_key_count == 0)
        return s;
    *hashes = malloc((size_t)rows->count * sizeof **hashes);
    if (*hashes == NULL)
        return error_out_of_memory(err);
    s = check_keys(t, rows, *hashes, err);
    finish_keys(t);
    return s;
}

static arm_status memory_append(table_provider *provider, const batch *rows, arm_error *err)
{
    memory_table *t = (memory_table *)provider;
    arm_status s = check_types(t, rows, err);
    if (s != ARM_OK || rows->count == 0)
        return s;
    pthread_mutex_lock(&t->write_lock);
    uint64_t *hashes = NULL;
    if ((s = check_rows(t, rows, &hashes, err)) == ARM_OK) {
        int64_t first_row_id = stored_rows(t);
        pthread_rwlock_wrlock(&t->lock);
        s = append_locked(t, rows, err);
        pthread_rwlock_unlock(&t->lock);
        if (s == ARM_OK)
            index_new_rows(t, hashes, first_row_id, rows->count);
    }
    free(hashes);
    pthread_mutex_unlock(&t->write_lock);
    return s;
}

/* ---- deleting and updating ---------------------------------------------------------- */

static arm_status check_row_ids(const memory_table *t, const int64_t *row_ids, uint64_t count,
                                arm_error *err)
{
    int64_t stored = stored_rows(t);
    for (uint64_t i = 0; i < count; i++)
        if (row_ids[i] < 0 || row_ids[i] >= stored)
            return error_internal(err, "row id out of range");
    return ARM_OK;
}

/* Gives every group a row of `row_ids` touches a deletion map of its own (holds `lock`). */
static arm_status own_deletion_maps(memory_table *t, const int64_t *row_ids, uint64_t count,
                                    arm_error *err)
{
    for (uint64_t i = 0; i < count; i++) {
        row_group *g = t->groups[row_ids[i] / MEMORY_TABLE_ROW_GROUP_ROWS];
        if (g->deleted != NULL && atomic_load(&g->deleted->refcount) == 1)
            continue;
        deletion_map *d = malloc(sizeof *d);
        if (d == NULL)
            return error_out_of_memory(err);
        if (g->deleted != NULL)
            memcpy(d, g->deleted, sizeof *d);
        else
            memset(d, 0, sizeof *d);
        atomic_init(&d->refcount, 1);
        deletion_map_release(g->deleted); /* scans that hold it keep their snapshot */
        g->deleted = d;
    }
    return ARM_OK;
}

static bool is_deleted(const memory_table *t, int64_t row_id)
{
    const row_group *g = t->groups[row_id / MEMORY_TABLE_ROW_GROUP_ROWS];
    return g->deleted != NULL &&
           bitmap_get(g->deleted->bits, (uint32_t)(row_id % MEMORY_TABLE_ROW_GROUP_ROWS));
}

/* Marks rows deleted (maps already owned; holds `lock`). */
static void mark_deleted(memory_table *t, const int64_t *row_ids, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++) {
        row_group *g = t->groups[row_ids[i] / MEMORY_TABLE_ROW_GROUP_ROWS];
        uint32_t row = (uint32_t)(row_ids[i] % MEMORY_TABLE_ROW_GROUP_ROWS);
        if (bitmap_get(g->deleted->bits, row))
            continue;
        g->deleted->bits[row >> 6] |= 1ULL << (row & 63);
        g->deleted->deleted_count++;
        atomic_fetch_sub(&t->live_rows, 1);
    }
}

/*
 * Tombstones the key entries of live rows in `row_ids`, recording each slot
 * in `slots` (KEY_INDEX_NO_SLOT when none) so that a failed write can undo it.
 */
static void unindex_rows(memory_table *t, const int64_t *row_ids, uint64_t count, uint64_t *slots)
{
    for (uint64_t i = 0; i < count; i++) {
        slots[i] = KEY_INDEX_NO_SLOT;
        if (is_deleted(t, row_ids[i]))
            continue;
        slots[i] = key_index_slot_of(&t->index, hash_stored_key(t, row_ids[i]), row_ids[i]);
        if (slots[i] != KEY_INDEX_NO_SLOT)
            key_index_remove_slot(&t->index, slots[i]);
    }
}

static void reindex_rows(memory_table *t, const int64_t *row_ids, uint64_t count,
                         const uint64_t *slots)
{
    for (uint64_t i = 0; i < count; i++)
        if (slots[i] != KEY_INDEX_NO_SLOT)
            key_index_restore_slot(&t->index, slots[i], row_ids[i]);
}

static arm_status memory_delete(table_provider *provider, const int64_t *row_ids, uint64_t count,
                                arm_error *err)
{
    memory_table *t = (memory_table *)provider;
    pthread_mutex_lock(&t->write_lock);
    arm_status s = check_row_ids(t, row_ids, count, err);
    uint64_t *slots = NULL;
    if (s == ARM_OK && t->primary_key_count > 0 &&
        (slots = malloc((count ? count : 1) * sizeof *slots)) == NULL)
        s = error_out_of_memory(err);
    if (s == ARM_OK) {
        pthread_rwlock_wrlock(&t->lock);
        if ((s = own_deletion_maps(t, row_ids, count, err)) == ARM_OK) {
            if (slots != NULL)
                unindex_rows(t, row_ids, count, slots);
            mark_deleted(t, row_ids, count);
        }
        pthread_rwlock_unlock(&t->lock);
    }
    free(slots);
    pthread_mutex_unlock(&t->write_lock);
    return s;
}

/* The primary-key part of an update: old keys leave the index, new ones are checked. */
static arm_status check_update_keys(memory_table *t, const int64_t *row_ids, const batch *rows,
                                    uint64_t *slots, uint64_t *hashes, arm_error *err)
{
    /* Reserve before tombstoning: growing the index later would move the slots. */
    arm_status s = key_index_reserve(&t->index, rows->count, err);
    if (s != ARM_OK)
        return s;
    unindex_rows(t, row_ids, rows->count, slots);
    s = check_keys(t, rows, hashes, err);
    finish_keys(t);
    if (s != ARM_OK)
        reindex_rows(t, row_ids, rows->count, slots);
    return s;
}

static arm_status update_locked(memory_table *t, const int64_t *row_ids, const batch *rows,
                                uint64_t *slots, uint64_t *hashes, arm_error *err)
{
    arm_status s = check_not_null(t, rows, err);
    if (s != ARM_OK || (t->primary_key_count > 0 &&
                        (s = check_update_keys(t, row_ids, rows, slots, hashes, err)) != ARM_OK))
        return s;
    int64_t first_row_id = stored_rows(t);
    pthread_rwlock_wrlock(&t->lock);
    if ((s = own_deletion_maps(t, row_ids, rows->count, err)) == ARM_OK &&
        (s = append_locked(t, rows, err)) == ARM_OK)
        mark_deleted(t, row_ids, rows->count);
    pthread_rwlock_unlock(&t->lock);
    if (s != ARM_OK && t->primary_key_count > 0)
        reindex_rows(t, row_ids, rows->count, slots);
    else if (s == ARM_OK && t->primary_key_count > 0)
        index_new_rows(t, hashes, first_row_id, rows->count);
    return s;
}

/*
 * An update is a delete plus an append: the new rows get new row ids (the
 * versioned storage issue replaces this with versions of the same row).
 */
static arm_status memory_update(table_provider *provider, const int64_t *row_ids,
                                const batch *new_rows, arm_error *err)
{
    memory_table *t = (memory_table *)provider;
    arm_status s = check_types(t, new_rows, err);
    if (s != ARM_OK || new_rows->count == 0)
        return s;
    pthread_mutex_lock(&t->write_lock);
    uint64_t *slots = NULL, *hashes = NULL;
    if ((s = check_row_ids(t, row_ids, new_rows->count, err)) == ARM_OK &&
        t->primary_key_count > 0) {
        slots = malloc((size_t)new_rows->count * sizeof *slots);
        hashes = malloc((size_t)new_rows->count * sizeof *hashes);
        if (slots == NULL || hashes == NULL)
            s = error_out_of_memory(err);
    }
    if (s == ARM_OK)
        s = update_locked(t, row_ids, new_rows, slots, hashes, err);
    free(slots);
    free(hashes);
    pthread_mutex_unlock(&t->write_lock);
    return s;
}

/* ---- creation ------------------------------------------------------------------------- */

static void memory_destroy(table_provider *provider)
{
    memory_table *t = (memory_table *)provider;
    if (t == NULL)
        return;
    for (uint32_t i = 0; i < t->group_count; i++)
        row_group_destroy(t->groups[i], t->base.column_count);
    free(t->groups);
    key_index_dispose(&t->index);
    key_index_dispose(&t->scratch);
    for (uint32_t c = 0; t->base.column_names != NULL && c < t->base.column_count; c++)
        free(t->base.column_names[c]);
    free(t->base.column_names);
    free(t->base.column_types);
    free(t->not_null);
    free(t->primary_key);
    free(t->key);
    free(t->name);
    pthread_mutex_destroy(&t->write_lock);
    pthread_rwlock_destroy(&t->lock);
    free(t);
}

/* Writes count their successes: storage commits only the tables whose count moved. */
static arm_status counted_append(table_provider *provider, const batch *rows, arm_error *err)
{
    arm_status s = memory_append(provider, rows, err);
    if (s == ARM_OK && rows->count > 0)
        atomic_fetch_add(&((memory_table *)provider)->change_count, 1);
    return s;
}

static arm_status counted_delete(table_provider *provider, const int64_t *row_ids, uint64_t count,
                                 arm_error *err)
{
    arm_status s = memory_delete(provider, row_ids, count, err);
    if (s == ARM_OK && count > 0) {
        atomic_fetch_add(&((memory_table *)provider)->change_count, 1);
        atomic_fetch_add(&((memory_table *)provider)->rewrite_count, 1);
    }
    return s;
}

static arm_status counted_update(table_provider *provider, const int64_t *row_ids,
                                 const batch *new_rows, arm_error *err)
{
    arm_status s = memory_update(provider, row_ids, new_rows, err);
    if (s == ARM_OK && new_rows->count > 0) {
        atomic_fetch_add(&((memory_table *)provider)->change_count, 1);
        atomic_fetch_add(&((memory_table *)provider)->rewrite_count, 1);
    }
    return s;
}

uint64_t memory_table_change_count(table_provider *provider)
{
    return atomic_load(&((memory_table *)provider)->change_count);
}

uint64_t memory_table_rewrite_count(table_provider *provider)
{
    return atomic_load(&((memory_table *)provider)->rewrite_count);
}

static const table_provider_vtable memory_table_vtable = {
    .scan_begin = memory_table_scan_begin,
    .scan_local_create = memory_table_scan_local_create,
    .scan_next = memory_table_scan_next,
    .scan_local_destroy = memory_table_scan_local_destroy,
    .scan_end = memory_table_scan_end,
    .append = counted_append,
    .delete_rows = counted_delete,
    .update_rows = counted_update,
    .estimated_row_count = memory_table_estimated_rows,
    .exact_row_count = memory_table_exact_rows,
    .column_stats = memory_table_column_stats,
    .destroy = memory_destroy,
};

arm_status memory_table_create(table_provider **out, const table_def *def, arm_error *err)
{
    memory_table *t = calloc(1, sizeof *t);
    if (t == NULL)
        return error_out_of_memory(err);
    uint32_t n = def->column_count, keys = def->primary_key_count;
    t->base.vtable = &memory_table_vtable;
    t->base.column_count = n;
    t->base.column_types = calloc(n ? n : 1, sizeof *t->base.column_types);
    t->base.column_names = calloc(n ? n : 1, sizeof *t->base.column_names);
    t->not_null = calloc(n ? n : 1, sizeof *t->not_null);
    t->primary_key = calloc(keys ? keys : 1, sizeof *t->primary_key);
    t->key = calloc(keys ? keys : 1, sizeof *t->key);
    t->name = strdup(def->name ? def->name : "table");
    pthread_mutex_init(&t->write_lock, NULL);
    pthread_rwlock_init(&t->lock, NULL);
    key_index_init(&t->index);
    key_index_init(&t->scratch);
    atomic_init(&t->live_rows, 0);
    bool ok = t->base.column_types && t->base.column_names && t->not_null && t->primary_key &&
              t->key && t->name;
    for (uint32_t c = 0; ok && c < n; c++) {
        t->base.column_types[c] = def->columns[c].type;
        t->not_null[c] = def->columns[c].is_not_null;
        ok = (t->base.column_names[c] = strdup(def->columns[c].name)) != NULL;
    }
    if (!ok) {
        memory_destroy(&t->base);
        return error_out_of_memory(err);
    }
    for (uint32_t k = 0; k < keys; k++) {
        if (def->primary_key[k] >= n) {
            memory_destroy(&t->base);
            return error_internal(err, "primary key column out of range");
        }
        t->primary_key[k] = def->primary_key[k];
        t->not_null[t->primary_key[k]] = true;
    }
    t->primary_key_count = keys;
    *out = &t->base;
    return ARM_OK;
}
