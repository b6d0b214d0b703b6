/*
 * chunk_table_write.c: changes to a stored table's head without touching a
 * chunk. Appends go to the tail (a memory table, which checks NOT NULL and
 * keys among the tail's rows); deletes set bits in the chunk's deletion
 * bitmap, copied first when a scan still holds it; an update deletes the
 * old row and appends the new one. PRIMARY KEY across the chunks uses a set
 * of the committed rows' keys, built on the first write; an entry whose row
 * has since been deleted no longer counts.
 */
#include "table/chunk_table_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/hash.h"
#include "table/memory_table.h"
#include "vector/cast.h"

#define KEY_BYTES_MAX 4096

/* ---- the key set ------------------------------------------------------------------------- */

void chunk_key_set_dispose(chunk_key_set *k)
{
    free(k->slots);
    free(k->keys);
    memset(k, 0, sizeof *k);
}

/* Encodes one cell of a key: a NULL flag, then the value's bytes. */
static size_t encode_cell(const vector *v, uint32_t row, uint8_t *out, size_t room)
{
    value x;
    memset(&x, 0, sizeof x);
    vector_get_value(v, row, &x);
    if (room < 1)
        return 0;
    out[0] = x.is_null ? 0 : 1;
    if (x.is_null)
        return 1;
    const void *bytes = &x.u.i64;
    size_t n = sizeof x.u.i64;
    uint32_t length = 0;
    switch (v->type.id) {
    case TYPE_VARCHAR:
    case TYPE_BLOB:
        length = x.u.str.length;
        if (room < 5 + (size_t)length)
            return 0;
        memcpy(out + 1, &length, 4);
        memcpy(out + 5, x.u.str.data, length);
        return 5 + (size_t)length;
    case TYPE_BOOLEAN: bytes = &x.u.boolean, n = sizeof x.u.boolean; break;
    case TYPE_REAL: bytes = &x.u.f32, n = sizeof x.u.f32; break;
    case TYPE_DOUBLE: bytes = &x.u.f64, n = sizeof x.u.f64; break;
    case TYPE_INTERVAL: bytes = &x.u.interval, n = sizeof x.u.interval; break;
    case TYPE_DECIMAL:
        if (v->type.precision > DECIMAL_INT64_MAX_PRECISION)
            bytes = &x.u.i128, n = sizeof x.u.i128;
        break;
    default: break;
    }
    if (room < 1 + n)
        return 0;
    memcpy(out + 1, bytes, n);
    return 1 + n;
}

/* The key of physical row `row`: `columns[k]` is the batch column of key column k. */
static size_t encode_key(const chunk_table *t, const batch *b, const uint32_t *columns,
                         uint32_t row, uint8_t *out)
{
    size_t at = 0;
    for (uint32_t k = 0; k < t->def->primary_key_count; k++) {
        size_t n = encode_cell(&b->columns[columns[k]], row, out + at, KEY_BYTES_MAX - at);
        if (n == 0)
            return 0;
        at += n;
    }
    return at;
}

static bool row_is_deleted(const chunk_table *t, int64_t row_id)
{
    uint32_t c = (uint32_t)(row_id >> 20);
    uint64_t position = (uint64_t)row_id & (CHUNK_TABLE_MAX_CHUNK_ROWS - 1);
    return c < t->chunk_count && t->deletes[c] != NULL &&
           bitmap_get(t->deletes[c]->data, (uint32_t)position);
}

static arm_status key_set_grow(chunk_key_set *k, arm_error *err)
{
    uint64_t capacity = k->capacity ? 2 * k->capacity : 1024;
    chunk_key_entry *slots = malloc(capacity * sizeof *slots);
    if (slots == NULL)
        return error_out_of_memory(err);
    for (uint64_t i = 0; i < capacity; i++)
        slots[i].row_id = -1;
    uint64_t used = 0;
    for (uint64_t i = 0; i < k->capacity; i++) {
        if (k->slots[i].row_id < 0)
            continue;
        uint64_t at = k->slots[i].hash & (capacity - 1);
        while (slots[at].row_id != -1)
            at = (at + 1) & (capacity - 1);
        slots[at] = k->slots[i];
        used++;
    }
    free(k->slots);
    k->slots = slots;
    k->capacity = capacity;
    k->used = used;
    return ARM_OK;
}

/* The live committed row holding this key, or -1. */
static int64_t key_set_find(const chunk_table *t, uint64_t hash, const uint8_t *key, size_t length)
{
    const chunk_key_set *k = &t->keys;
    if (k->capacity == 0)
        return -1;
    for (uint64_t at = hash & (k->capacity - 1);; at = (at + 1) & (k->capacity - 1)) {
        const chunk_key_entry *e = &k->slots[at];
        if (e->row_id == -1)
            return -1;
        if (e->row_id >= 0 && e->hash == hash && e->length == length &&
            memcmp(k->keys + e->offset, key, length) == 0 && !row_is_deleted(t, e->row_id))
            return e->row_id;
    }
}

static arm_status key_set_insert(chunk_key_set *k, uint64_t hash, const uint8_t *key, size_t length,
                                 int64_t row_id, arm_error *err)
{
    if ((k->used + 1) * 4 > k->capacity * 3 && key_set_grow(k, err) != ARM_OK)
        return err->status;
    if (k->keys_length + length > k->keys_capacity) {
        size_t capacity = k->keys_capacity ? 2 * k->keys_capacity : 65536;
        while (capacity < k->keys_length + length)
            capacity *= 2;
        uint8_t *grown = realloc(k->keys, capacity);
        if (grown == NULL || capacity > UINT32_MAX) {
            free(grown == k->keys ? NULL : grown);
            return error_out_of_memory(err);
        }
        k->keys = grown;
        k->keys_capacity = capacity;
    }
    memcpy(k->keys + k->keys_length, key, length);
    uint64_t at = hash & (k->capacity - 1);
    while (k->slots[at].row_id != -1)
        at = (at + 1) & (k->capacity - 1);
    k->slots[at] = (chunk_key_entry){hash, row_id, (uint32_t)k->keys_length, (uint32_t)length};
    k->keys_length += length;
    k->used++;
    return ARM_OK;
}

typedef struct key_build {
    chunk_table *table;
    uint32_t *columns; /* 0..key count-1 */
    uint32_t row_id_column;
    uint8_t key[KEY_BYTES_MAX];
} key_build;

static arm_status add_batch_keys(void *context, const batch *b, arm_error *err)
{
    key_build *kb = context;
    const int64_t *ids = b->columns[kb->row_id_column].data;
    for (uint32_t i = 0; i < b->count; i++) {
        uint32_t row = batch_row(b, i);
        size_t n = encode_key(kb->table, b, kb->columns, row, kb->key);
        if (n == 0)
            return error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", -1,
                             "a primary key value of \"%s\" is longer than %d bytes",
                             kb->table->name, KEY_BYTES_MAX);
        if (key_set_insert(&kb->table->keys, hash_bytes(kb->key, n), kb->key, n, ids[row], err) !=
            ARM_OK)
            return err->status;
    }
    return ARM_OK;
}

/* Reads the keys of every committed row once (the key columns only). */
static arm_status build_keys(chunk_table *t, arm_error *err)
{
    uint32_t keys = t->def->primary_key_count;
    if (keys == 0 || t->keys.built)
        return ARM_OK;
    key_build *kb = calloc(1, sizeof *kb);
    uint32_t *ids = calloc(keys + 1, sizeof *ids);
    kb = kb && (kb->columns = calloc(keys, sizeof *kb->columns)) != NULL ? kb : (free(kb), NULL);
    if (kb == NULL || ids == NULL) {
        free(ids);
        return error_out_of_memory(err);
    }
    for (uint32_t k = 0; k < keys; k++) {
        ids[k] = t->def->primary_key[k];
        kb->columns[k] = k;
    }
    ids[keys] = TABLE_COLUMN_ROW_ID;
    kb->table = t;
    kb->row_id_column = keys;
    arm_status s = chunk_table_scan_all(t, ids, keys + 1, add_batch_keys, kb, err);
    t->keys.built = s == ARM_OK;
    if (s != ARM_OK)
        chunk_key_set_dispose(&t->keys);
    free(kb->columns);
    free(kb);
    free(ids);
    return s;
}

/*
 * Fails with 23505 when a row of `rows` (logical rows; `only` NULL or the
 * rows to check) has the key of a live committed row that is not about to
 * be replaced (`replaced`, sorted, may be NULL).
 */
static arm_status check_committed_keys(chunk_table *t, const batch *rows, const int64_t *replaced,
                                       uint64_t replaced_count, arm_error *err)
{
    if (t->def->primary_key_count == 0)
        return ARM_OK;
    if (build_keys(t, err) != ARM_OK)
        return err->status;
    uint8_t *key = malloc(KEY_BYTES_MAX);
    if (key == NULL)
        return error_out_of_memory(err);
    arm_status s = ARM_OK;
    for (uint32_t i = 0; i < rows->count && s == ARM_OK; i++) {
        size_t n = encode_key(t, rows, t->def->primary_key, batch_row(rows, i), key);
        if (n == 0)
            continue; /* too long to index: the tail's own check still runs */
        int64_t holder = key_set_find(t, hash_bytes(key, n), key, n);
        if (holder < 0)
            continue;
        bool is_replaced = false;
        for (uint64_t lo = 0, hi = replaced_count; lo < hi && !is_replaced;) {
            uint64_t mid = lo + (hi - lo) / 2;
            if (replaced[mid] == holder)
                is_replaced = true;
            else if (replaced[mid] < holder)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (is_replaced)
            continue;
        char shown[ARM_ERROR_DETAIL_SIZE / 2], columns[256];
        size_t m = 0, at = 0;
        shown[0] = columns[0] = '\0';
        for (uint32_t k = 0; k < t->def->primary_key_count; k++) {
            uint32_t c = t->def->primary_key[k];
            value v;
            vector_get_value(&rows->columns[c], batch_row(rows, i), &v);
            if (m < sizeof columns)
                m += (size_t)snprintf(columns + m, sizeof columns - m, "%s%s", k ? ", " : "",
                                      t->base.column_names[c]);
            if (at + 3 < sizeof shown) {
                at += (size_t)snprintf(shown + at, sizeof shown - at, "%s", k ? ", " : "");
                size_t used = value_format(&v, shown + at, sizeof shown - at);
                at += used < sizeof shown - at ? used : sizeof shown - at - 1;
            }
        }
        s = error_set(err, ARM_ERROR_CONSTRAINT, "23505", -1,
                      "duplicate key value violates unique constraint \"%s_pkey\"", t->name);
        error_detail(err, "Key (%s)=(%s) already exists.", columns, shown);
    }
    free(key);
    return s;
}

/* ---- writes ------------------------------------------------------------------------------ */

static arm_status ensure_tail(chunk_table *t, arm_error *err)
{
    return t->tail != NULL ? ARM_OK : memory_table_create(&t->tail, t->def, err);
}

arm_status chunk_table_append(table_provider *provider, const batch *rows, arm_error *err)
{
    chunk_table *t = (chunk_table *)provider;
    pthread_mutex_lock(&t->lock);
    arm_status s = check_committed_keys(t, rows, NULL, 0, err);
    if (s == ARM_OK)
        s = ensure_tail(t, err);
    if (s == ARM_OK)
        s = t->tail->vtable->append(t->tail, rows, err);
    t->change_count++;
    pthread_mutex_unlock(&t->lock);
    return s;
}

static bool is_tail_row(int64_t row_id)
{
    return (row_id & CHUNK_TABLE_TAIL_ROW) != 0;
}

static arm_status check_row_id(const chunk_table *t, int64_t row_id, arm_error *err)
{
    uint32_t c = (uint32_t)(row_id >> 20);
    uint64_t position = (uint64_t)row_id & (CHUNK_TABLE_MAX_CHUNK_ROWS - 1);
    if (row_id < 0 || c >= t->chunk_count || position >= t->chunks[c].row_count ||
        row_is_deleted(t, row_id))
        return error_internal(err, "a DELETE or UPDATE named a row that is not live");
    return ARM_OK;
}

/* Marks committed rows deleted; the ids were checked. */
static arm_status mark_deleted(chunk_table *t, const int64_t *row_ids, uint64_t count,
                               arm_error *err)
{
    for (uint64_t i = 0; i < count; i++) {
        uint32_t c = (uint32_t)(row_ids[i] >> 20);
        uint32_t position = (uint32_t)((uint64_t)row_ids[i] & (CHUNK_TABLE_MAX_CHUNK_ROWS - 1));
        buffer *b = t->deletes[c];
        if (b == NULL || !buffer_is_unique(b)) { /* a scan holds it: copy on write */
            size_t bytes = (t->chunks[c].row_count + 63) / 64 * 8 + 8;
            buffer *copy = buffer_create(bytes);
            if (copy == NULL)
                return error_out_of_memory(err);
            if (b != NULL)
                memcpy(copy->data, b->data, bytes);
            else
                memset(copy->data, 0, bytes);
            buffer_release(b);
            t->deletes[c] = b = copy;
        }
        uint64_t *bits = b->data;
        if (!bitmap_get(bits, position)) {
            bits[position >> 6] |= UINT64_C(1) << (position & 63);
            t->deleted_counts[c]++;
        }
        t->changed[c] = true;
        t->has_new_deletes = true;
    }
    return ARM_OK;
}

/* Splits row ids into committed ones (sorted) and tail ones (tail ids, in order). */
static arm_status split_ids(const chunk_table *t, const int64_t *row_ids, uint64_t count,
                            int64_t **committed, uint64_t *committed_count, int64_t **tail,
                            uint64_t *tail_count, arm_error *err)
{
    *committed = malloc((count + 1) * sizeof **committed);
    *tail = malloc((count + 1) * sizeof **tail);
    *committed_count = *tail_count = 0;
    if (*committed == NULL || *tail == NULL)
        return error_out_of_memory(err);
    for (uint64_t i = 0; i < count; i++) {
        if (is_tail_row(row_ids[i])) {
            (*tail)[(*tail_count)++] = row_ids[i] & ~CHUNK_TABLE_TAIL_ROW;
        } else {
            if (check_row_id(t, row_ids[i], err) != ARM_OK)
                return err->status;
            (*committed)[(*committed_count)++] = row_ids[i];
        }
    }
    return ARM_OK;
}

static int compare_ids(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

arm_status chunk_table_delete(table_provider *provider, const int64_t *row_ids, uint64_t count,
                              arm_error *err)
{
    chunk_table *t = (chunk_table *)provider;
    int64_t *committed = NULL, *tail = NULL;
    uint64_t committed_count = 0, tail_count = 0;
    pthread_mutex_lock(&t->lock);
    arm_status s =
        split_ids(t, row_ids, count, &committed, &committed_count, &tail, &tail_count, err);
    if (s == ARM_OK && tail_count > 0)
        s = t->tail == NULL ? error_internal(err, "tail row id without a tail")
                            : t->tail->vtable->delete_rows(t->tail, tail, tail_count, err);
    if (s == ARM_OK)
        s = mark_deleted(t, committed, committed_count, err);
    t->change_count++;
    pthread_mutex_unlock(&t->lock);
    free(committed);
    free(tail);
    return s;
}

/* The rows of `rows` at the logical positions `which` (count of them) as a batch sharing columns.
 */
static void select_rows(const batch *rows, const uint32_t *which, uint32_t count, uint32_t *sel,
                        batch *out)
{
    *out = *rows;
    for (uint32_t i = 0; i < count; i++)
        sel[i] = batch_row(rows, which[i]);
    out->sel = sel;
    out->count = count;
}

arm_status chunk_table_update(table_provider *provider, const int64_t *row_ids,
                              const batch *new_rows, arm_error *err)
{
    chunk_table *t = (chunk_table *)provider;
    uint32_t n = new_rows->count;
    int64_t *committed = NULL, *tail_ids = NULL;
    uint64_t committed_count = 0, tail_count = 0;
    uint32_t *to_tail = malloc((n + 1) * sizeof *to_tail);     /* rows replacing tail rows */
    uint32_t *to_append = malloc((n + 1) * sizeof *to_append); /* rows replacing chunk rows */
    uint32_t *sel = malloc((n + 1) * sizeof *sel);
    pthread_mutex_lock(&t->lock);
    arm_status s = to_tail && to_append && sel ? ARM_OK : error_out_of_memory(err);
    if (s == ARM_OK)
        s = split_ids(t, row_ids, n, &committed, &committed_count, &tail_ids, &tail_count, err);
    uint32_t tails = 0, appends = 0;
    for (uint32_t i = 0; s == ARM_OK && i < n; i++) {
        if (is_tail_row(row_ids[i]))
            to_tail[tails++] = i;
        else
            to_append[appends++] = i;
    }
    if (s == ARM_OK) {
        qsort(committed, committed_count, sizeof *committed, compare_ids);
        s = check_committed_keys(t, new_rows, committed, committed_count, err);
    }
    batch part;
    if (s == ARM_OK && tails > 0) {
        select_rows(new_rows, to_tail, tails, sel, &part);
        s = t->tail == NULL ? error_internal(err, "tail row id without a tail")
                            : t->tail->vtable->update_rows(t->tail, tail_ids, &part, err);
    }
    if (s == ARM_OK && appends > 0) {
        select_rows(new_rows, to_append, appends, sel, &part);
        if ((s = ensure_tail(t, err)) == ARM_OK)
            s = t->tail->vtable->append(t->tail, &part, err);
    }
    if (s == ARM_OK)
        s = mark_deleted(t, committed, committed_count, err);
    t->change_count++;
    pthread_mutex_unlock(&t->lock);
    free(committed);
    free(tail_ids);
    free(to_tail);
    free(to_append);
    free(sel);
    return s;
}

arm_status chunk_table_apply_deletes(table_provider *provider, uint32_t chunk, const uint64_t *bits,
                                     arm_error *err)
{
    chunk_table *t = (chunk_table *)provider;
    uint64_t rows = t->chunks[chunk].row_count;
    int64_t *ids = malloc((rows + 1) * sizeof *ids);
    if (ids == NULL)
        return error_out_of_memory(err);
    uint64_t count = 0;
    pthread_mutex_lock(&t->lock);
    for (uint64_t r = 0; r < rows; r++) {
        int64_t id = (int64_t)((uint64_t)chunk << 20 | r);
        if (bitmap_get(bits, (uint32_t)r) && !row_is_deleted(t, id))
            ids[count++] = id;
    }
    arm_status s = mark_deleted(t, ids, count, err);
    t->change_count++;
    pthread_mutex_unlock(&t->lock);
    free(ids);
    return s;
}
