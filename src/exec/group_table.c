/*
 * group_table.c: the aggregate hash table: salted linear probing over group
 * rows kept in fixed blocks, typed key comparison against input vectors or
 * other tables' rows, and growth by rehashing the stored hashes.
 */
#include "exec/group_table.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "exec/key_hash.h"

#define SALT_MASK 0xffff000000000000ULL
#define INITIAL_SLOTS 256

static uint32_t align_up(uint32_t x, uint32_t to)
{
    return (x + to - 1) & ~(to - 1);
}

arm_status group_layout_init(group_layout *layout, arena *a, const logical_type *types,
                             uint32_t key_count, uint32_t payload_bytes, arm_error *err)
{
    memset(layout, 0, sizeof *layout);
    layout->key_count = key_count;
    layout->key_types = types;
    layout->key_offsets = arena_alloc(a, (key_count + 1) * sizeof *layout->key_offsets);
    layout->key_widths = arena_alloc(a, key_count + 1);
    if (layout->key_offsets == NULL || layout->key_widths == NULL)
        return error_out_of_memory(err);
    layout->null_offset = 8;
    uint32_t offset = 8 + key_count;
    for (uint32_t k = 0; k < key_count; k++) {
        uint32_t width = (uint32_t)type_physical_size(types[k]);
        if (width == 0)
            width = 1; /* NULL-typed keys: only the flag matters */
        offset = align_up(offset, width < 8 ? width : 8);
        layout->key_offsets[k] = offset;
        layout->key_widths[k] = (uint8_t)width;
        offset += width;
    }
    layout->payload_offset = align_up(offset, 16);
    layout->row_width = align_up(layout->payload_offset + payload_bytes, 16);
    return ARM_OK;
}

arm_status group_table_init(group_table *t, const group_layout *layout, memory_budget *budget,
                            arm_error *err)
{
    memset(t, 0, sizeof *t);
    t->layout = layout;
    t->budget = budget;
    /* Without keys there is one group: small first allocations keep an ungrouped aggregate
     * (COUNT(*) and the like) from allocating and freeing tens of KB per query. */
    uint32_t slots = layout->key_count == 0 ? 16 : INITIAL_SLOTS;
    t->first_block_rows = layout->key_count == 0 ? 1 : GROUP_BLOCK_ROWS;
    arm_status s =
        memory_budget_reserve_or_error(budget, slots * sizeof(uint64_t), "the hash aggregate", err);
    if (s != ARM_OK)
        return s;
    t->reserved_bytes = slots * sizeof(uint64_t);
    t->slots = calloc(slots, sizeof *t->slots);
    t->slot_mask = slots - 1;
    return t->slots == NULL ? error_out_of_memory(err) : ARM_OK;
}

void group_table_dispose(group_table *t)
{
    for (uint32_t b = 0; b < t->block_count; b++)
        free(t->blocks[b]);
    free(t->blocks);
    free(t->slots);
    for (uint32_t i = 0; i < t->arena_count; i++)
        arena_destroy(t->arenas[i]);
    free(t->arenas);
    if (t->budget != NULL && t->reserved_bytes > 0)
        memory_budget_release(t->budget, t->reserved_bytes);
    memset(t, 0, sizeof *t);
}

static arm_status reserve(group_table *t, int64_t bytes, arm_error *err)
{
    arm_status s = memory_budget_reserve_or_error(t->budget, bytes, "the hash aggregate", err);
    if (s == ARM_OK)
        t->reserved_bytes += bytes;
    return s;
}

static arm_status grow_slots(group_table *t, arm_error *err)
{
    uint64_t capacity = (t->slot_mask + 1) * 2, mask = capacity - 1;
    arm_status s = reserve(t, (int64_t)(capacity * sizeof(uint64_t)), err);
    if (s != ARM_OK)
        return s;
    uint64_t *slots = calloc(capacity, sizeof *slots);
    if (slots == NULL)
        return error_out_of_memory(err);
    for (uint32_t g = 0; g < t->group_count; g++) {
        uint64_t h = group_row_hash(group_table_row(t, g));
        uint64_t at = h & mask;
        while (slots[at] != 0)
            at = (at + 1) & mask;
        slots[at] = (h & SALT_MASK) | ((uint64_t)g + 1);
    }
    memory_budget_release(t->budget, (int64_t)((t->slot_mask + 1) * sizeof(uint64_t)));
    t->reserved_bytes -= (int64_t)((t->slot_mask + 1) * sizeof(uint64_t));
    free(t->slots);
    t->slots = slots;
    t->slot_mask = mask;
    return ARM_OK;
}

/* Grows block 0 to a full block when a short first block fills up. */
static arm_status widen_first_block(group_table *t, arm_error *err)
{
    size_t width = t->layout->row_width;
    size_t more = (size_t)(GROUP_BLOCK_ROWS - t->first_block_rows) * width;
    if (reserve(t, (int64_t)more, err) != ARM_OK)
        return err->status;
    uint8_t *grown = realloc(t->blocks[0], (size_t)GROUP_BLOCK_ROWS * width);
    if (grown == NULL)
        return error_out_of_memory(err);
    t->blocks[0] = grown;
    t->first_block_rows = GROUP_BLOCK_ROWS;
    return ARM_OK;
}

/* A zeroed row for a new group (hash stored), or NULL with err set. */
static uint8_t *new_row(group_table *t, uint64_t hash, arm_error *err)
{
    uint32_t g = t->group_count;
    if (t->block_count == 1 && g == t->first_block_rows && g < GROUP_BLOCK_ROWS &&
        widen_first_block(t, err) != ARM_OK)
        return NULL;
    if ((g >> GROUP_BLOCK_SHIFT) == t->block_count) {
        if (t->block_count == t->block_capacity) {
            uint32_t capacity = t->block_capacity ? t->block_capacity * 2 : 16;
            uint8_t **grown = realloc(t->blocks, capacity * sizeof *grown);
            if (grown == NULL) {
                error_out_of_memory(err);
                return NULL;
            }
            t->blocks = grown;
            t->block_capacity = capacity;
        }
        uint32_t rows = t->block_count == 0 ? t->first_block_rows : GROUP_BLOCK_ROWS;
        size_t bytes = (size_t)rows * t->layout->row_width;
        if (reserve(t, (int64_t)bytes, err) != ARM_OK)
            return NULL;
        t->blocks[t->block_count] = malloc(bytes);
        if (t->blocks[t->block_count] == NULL) {
            error_out_of_memory(err);
            return NULL;
        }
        t->block_count++;
    }
    uint8_t *row = group_table_row(t, g);
    memset(row, 0, t->layout->row_width);
    memcpy(row, &hash, 8);
    t->group_count++;
    return row;
}

static arm_status copy_long_string(group_table *t, string_view *view, arm_error *err)
{
    if (t->arena_count == 0) {
        t->arenas = malloc(4 * sizeof *t->arenas);
        if (t->arenas == NULL || (t->arenas[0] = arena_create(65536, NULL)) == NULL)
            return error_out_of_memory(err);
        t->arena_count = 1;
        t->arena_capacity = 4;
    }
    arm_status s = reserve(t, view->length, err);
    if (s != ARM_OK)
        return s;
    char *copy = arena_alloc(t->arenas[0], view->length);
    if (copy == NULL)
        return error_out_of_memory(err);
    memcpy(copy, view->u.ref.ptr, view->length);
    view->u.ref.ptr = copy;
    return ARM_OK;
}

/* Stores cell vr of key vector v as key k of a new row. */
static arm_status store_key(group_table *t, uint8_t *row, uint32_t k, const vector *v, uint32_t vr,
                            arm_error *err)
{
    const group_layout *l = t->layout;
    if (v->validity != NULL && !bitmap_get(v->validity, vr)) {
        row[l->null_offset + k] = 1;
        return ARM_OK;
    }
    uint8_t *p = row + l->key_offsets[k];
    uint32_t width = l->key_widths[k];
    if (type_is_string(v->type.id)) {
        string_view view = ((const string_view *)v->data)[vr];
        if (view.length <= STRING_VIEW_INLINE_MAX) {
            view = string_view_make(view.u.inlined, view.length); /* padding zeroed */
            memcpy(p, &view, sizeof view);
            return ARM_OK;
        }
        arm_status s = copy_long_string(t, &view, err);
        memcpy(p, &view, sizeof view);
        return s;
    }
    if (v->type.id == TYPE_DOUBLE) {
        double x = key_normalize_double(((const double *)v->data)[vr]);
        memcpy(p, &x, 8);
    } else if (v->type.id == TYPE_REAL) {
        float x = key_normalize_float(((const float *)v->data)[vr]);
        memcpy(p, &x, 4);
    } else if (v->type.id != TYPE_NULL) {
        memcpy(p, (const uint8_t *)v->data + (size_t)vr * width, width);
    }
    return ARM_OK;
}

/* True when key cells of input row r equal the stored keys of `row`. */
static inline bool row_equals_input(const group_layout *l, const uint8_t *row, const vector *keys,
                                    uint32_t r)
{
    for (uint32_t k = 0; k < l->key_count; k++) {
        const vector *v = &keys[k];
        uint32_t vr = v->kind == VECTOR_CONSTANT ? 0 : r;
        bool is_null = v->validity != NULL && !bitmap_get(v->validity, vr);
        if (row[l->null_offset + k] != is_null)
            return false;
        if (is_null)
            continue;
        const uint8_t *p = row + l->key_offsets[k];
        const uint8_t *q = (const uint8_t *)v->data;
        switch (l->key_widths[k]) {
        case 1:
            if (*p != q[vr])
                return false;
            break;
        case 2:
            if (memcmp(p, q + (size_t)vr * 2, 2) != 0)
                return false;
            break;
        case 4: {
            uint32_t x, y;
            memcpy(&x, p, 4);
            if (v->type.id == TYPE_REAL) {
                float f = key_normalize_float(((const float *)q)[vr]);
                memcpy(&y, &f, 4);
            } else {
                memcpy(&y, q + (size_t)vr * 4, 4);
            }
            if (x != y)
                return false;
            break;
        }
        case 8: {
            uint64_t x, y;
            memcpy(&x, p, 8);
            if (v->type.id == TYPE_DOUBLE) {
                double f = key_normalize_double(((const double *)q)[vr]);
                memcpy(&y, &f, 8);
            } else {
                memcpy(&y, q + (size_t)vr * 8, 8);
            }
            if (x != y)
                return false;
            break;
        }
        default:
            if (type_is_string(v->type.id)) {
                string_view stored;
                memcpy(&stored, p, sizeof stored);
                if (!key_strings_equal(&stored, &((const string_view *)q)[vr]))
                    return false;
            } else if (memcmp(p, q + (size_t)vr * 16, 16) != 0) {
                return false;
            }
            break;
        }
    }
    return true;
}

static arm_status create_group(group_table *t, const vector *keys, uint32_t r, uint64_t h,
                               uint64_t at, uint8_t **row_out, arm_error *err)
{
    uint8_t *row = new_row(t, h, err);
    if (row == NULL)
        return err->status;
    for (uint32_t k = 0; k < t->layout->key_count; k++) {
        const vector *v = &keys[k];
        arm_status s = store_key(t, row, k, v, v->kind == VECTOR_CONSTANT ? 0 : r, err);
        if (s != ARM_OK)
            return s;
    }
    t->slots[at] = (h & SALT_MASK) | (uint64_t)t->group_count;
    *row_out = row;
    return ARM_OK;
}

/*
 * The common GROUP BY: one flat integer key without NULLs. The stored key
 * is compared as a T at its fixed offset instead of through the per-key,
 * per-width loop of row_equals_input.
 */
#define FIND_INTEGER_LOOP(T)                                                                       \
    do {                                                                                           \
        const T *d = keys[0].data;                                                                 \
        uint32_t offset = t->layout->key_offsets[0], null_at = t->layout->null_offset;             \
        for (uint32_t i = 0; i < count; i++) {                                                     \
            if (((uint64_t)t->group_count + 1) * 2 > t->slot_mask + 1) {                           \
                arm_status s = grow_slots(t, err);                                                 \
                if (s != ARM_OK)                                                                   \
                    return s;                                                                      \
            }                                                                                      \
            uint32_t r = sel ? sel[i] : i;                                                         \
            T x = d[r];                                                                            \
            uint64_t h = hashes[i], mask = t->slot_mask, at = h & mask;                            \
            for (;;) {                                                                             \
                uint64_t e = t->slots[at];                                                         \
                if (e == 0) {                                                                      \
                    arm_status s = create_group(t, keys, r, h, at, &rows_out[i], err);             \
                    if (s != ARM_OK)                                                               \
                        return s;                                                                  \
                    made++;                                                                        \
                    break;                                                                         \
                }                                                                                  \
                if (((e ^ h) & SALT_MASK) == 0) {                                                  \
                    uint8_t *row = group_table_row(t, (uint32_t)(e & ~SALT_MASK) - 1);             \
                    T y;                                                                           \
                    memcpy(&y, row + offset, sizeof y);                                            \
                    if (y == x && row[null_at] == 0) {                                             \
                        rows_out[i] = row;                                                         \
                        break;                                                                     \
                    }                                                                              \
                }                                                                                  \
                at = (at + 1) & mask;                                                              \
            }                                                                                      \
        }                                                                                          \
    } while (0)

static bool is_integer_key(const group_layout *l, const vector *keys, uint32_t width)
{
    if (l->key_count != 1 || keys[0].kind != VECTOR_FLAT || keys[0].validity != NULL ||
        l->key_widths[0] != width)
        return false;
    type_id id = keys[0].type.id;
    return width == 8 ? id == TYPE_BIGINT || id == TYPE_TIMESTAMP ||
                            (id == TYPE_DECIMAL && keys[0].type.precision <= 18)
                      : id == TYPE_INTEGER || id == TYPE_DATE;
}

arm_status group_table_find_or_create(group_table *t, const vector *keys, const uint32_t *sel,
                                      uint32_t count, const uint64_t *hashes, uint8_t **rows_out,
                                      uint32_t *created, arm_error *err)
{
    uint32_t made = 0;
    if (is_integer_key(t->layout, keys, 8) || is_integer_key(t->layout, keys, 4)) {
        if (t->layout->key_widths[0] == 8)
            FIND_INTEGER_LOOP(int64_t);
        else
            FIND_INTEGER_LOOP(int32_t);
        if (created != NULL)
            *created = made;
        return ARM_OK;
    }
    for (uint32_t i = 0; i < count; i++) {
        if (((uint64_t)t->group_count + 1) * 2 > t->slot_mask + 1) {
            arm_status s = grow_slots(t, err);
            if (s != ARM_OK)
                return s;
        }
        uint32_t r = sel ? sel[i] : i;
        uint64_t h = hashes[i], mask = t->slot_mask, at = h & mask;
        for (;;) {
            uint64_t e = t->slots[at];
            if (e == 0) {
                arm_status s = create_group(t, keys, r, h, at, &rows_out[i], err);
                if (s != ARM_OK)
                    return s;
                made++;
                break;
            }
            if (((e ^ h) & SALT_MASK) == 0) {
                uint8_t *row = group_table_row(t, (uint32_t)(e & ~SALT_MASK) - 1);
                if (row_equals_input(t->layout, row, keys, r)) {
                    rows_out[i] = row;
                    break;
                }
            }
            at = (at + 1) & mask;
        }
    }
    if (created != NULL)
        *created = made;
    return ARM_OK;
}

static bool rows_equal(const group_layout *l, const uint8_t *a, const uint8_t *b)
{
    if (memcmp(a + l->null_offset, b + l->null_offset, l->key_count) != 0)
        return false;
    for (uint32_t k = 0; k < l->key_count; k++) {
        if (a[l->null_offset + k])
            continue;
        const uint8_t *p = a + l->key_offsets[k], *q = b + l->key_offsets[k];
        if (type_is_string(l->key_types[k].id)) {
            string_view x, y;
            memcpy(&x, p, sizeof x);
            memcpy(&y, q, sizeof y);
            if (!key_strings_equal(&x, &y))
                return false;
        } else if (memcmp(p, q, l->key_widths[k]) != 0) {
            return false;
        }
    }
    return true;
}

arm_status group_table_find_or_copy_row(group_table *t, const uint8_t *row, uint8_t **row_out,
                                        bool *created, arm_error *err)
{
    if (((uint64_t)t->group_count + 1) * 2 > t->slot_mask + 1) {
        arm_status s = grow_slots(t, err);
        if (s != ARM_OK)
            return s;
    }
    uint64_t h = group_row_hash(row), mask = t->slot_mask, at = h & mask;
    for (;;) {
        uint64_t e = t->slots[at];
        if (e == 0)
            break;
        if (((e ^ h) & SALT_MASK) == 0) {
            uint8_t *candidate = group_table_row(t, (uint32_t)(e & ~SALT_MASK) - 1);
            if (rows_equal(t->layout, candidate, row)) {
                *row_out = candidate;
                *created = false;
                return ARM_OK;
            }
        }
        at = (at + 1) & mask;
    }
    uint8_t *copy = new_row(t, h, err);
    if (copy == NULL)
        return err->status;
    memcpy(copy, row, t->layout->row_width);
    t->slots[at] = (h & SALT_MASK) | (uint64_t)t->group_count;
    *row_out = copy;
    *created = true;
    return ARM_OK;
}

arm_status group_table_adopt_arenas(group_table *t, group_table *from, arm_error *err)
{
    if (from->arena_count == 0)
        return ARM_OK;
    if (t->arena_count + from->arena_count + 1 > t->arena_capacity) {
        uint32_t capacity = (t->arena_count + from->arena_count + 1) * 2;
        arena **grown = realloc(t->arenas, capacity * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(err);
        t->arenas = grown;
        t->arena_capacity = capacity;
    }
    if (t->arena_count == 0) {
        /* keep slot 0 for this table's own arena */
        if ((t->arenas[0] = arena_create(65536, NULL)) == NULL)
            return error_out_of_memory(err);
        t->arena_count = 1;
    }
    for (uint32_t i = 0; i < from->arena_count; i++)
        t->arenas[t->arena_count++] = from->arenas[i];
    from->arena_count = 0;
    return ARM_OK;
}

arm_status group_table_read_key(const group_layout *layout, const uint8_t *row, uint32_t k,
                                vector *out, uint32_t out_row, arm_error *err)
{
    if (row[layout->null_offset + k]) {
        arm_status s = vector_ensure_validity(out, err);
        if (s == ARM_OK)
            vector_set_null(out, out_row);
        return s;
    }
    if (out->validity != NULL)
        vector_set_valid(out, out_row);
    const uint8_t *p = row + layout->key_offsets[k];
    if (type_is_string(layout->key_types[k].id)) {
        string_view view;
        memcpy(&view, p, sizeof view);
        string_view *target = &((string_view *)out->data)[out_row];
        if (view.length <= STRING_VIEW_INLINE_MAX) {
            *target = view;
            return ARM_OK;
        }
        return vector_add_string(out, view.u.ref.ptr, view.length, target, err);
    }
    uint32_t width = (uint32_t)type_physical_size(layout->key_types[k]);
    if (width > 0)
        memcpy((uint8_t *)out->data + (size_t)out_row * width, p, width);
    return ARM_OK;
}
