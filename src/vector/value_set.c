/*
 * value_set.c: an open-addressing hash set of values of one type, for IN
 * lists and IN (subquery). Strings are copied into the set's own arena.
 */
#include "vector/value_set.h"

#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/error.h"
#include "common/hash.h"

typedef struct set_slot {
    uint64_t hash;
    bool used;
    value val;
} set_slot;

/*
 * Integer types (one int64 per value) keep only the keys, 8 bytes a slot
 * instead of a whole value: COUNT(DISTINCT) over ten thousand ids then
 * probes 256 KB, not 2 MB. INT64_MIN marks an empty slot; the value itself
 * is remembered in has_min.
 */
#define EMPTY_INTEGER INT64_MIN
/*
 * A set of integers grown past BITMAP_AFTER values that all lie within
 * BITMAP_VALUES of each other (ids, codes, days) turns into a bitmap over
 * that window: 8 KB that stay in the L1 cache, where the hash slots of ten
 * thousand ids take 256 KB. A value outside the window turns it back.
 */
#define BITMAP_AFTER 512
#define BITMAP_VALUES 65536

struct subquery_set {
    logical_type type;
    set_slot *slots;   /* other types */
    int64_t *integers; /* integer types */
    uint64_t capacity; /* power of two */
    uint64_t count;    /* values in the set; not kept in bitmap mode (see value_set_count) */
    bool has_null;
    bool has_min;
    bool bitmap_tried;
    uint64_t *bits; /* bitmap mode: bit v - bits_base for each value v but INT64_MIN */
    int64_t bits_base;
    int64_t bits_lo, bits_hi; /* the smallest and largest value in the bitmap */
    arena *strings;
};

static bool is_plain_integer(logical_type t);

static uint64_t hash_value(const value *v)
{
    switch (v->type.id) {
    case TYPE_VARCHAR:
    case TYPE_BLOB: return hash_bytes(v->u.str.data, v->u.str.length);
    case TYPE_DOUBLE: {
        double d = v->u.f64 == 0 ? 0 : v->u.f64;
        uint64_t bits;
        memcpy(&bits, &d, 8);
        return hash_u64(bits);
    }
    case TYPE_REAL: {
        float f = v->u.f32 == 0 ? 0 : v->u.f32;
        uint32_t bits;
        memcpy(&bits, &f, 4);
        return hash_u64(bits);
    }
    case TYPE_DECIMAL:
        if (v->type.precision > DECIMAL_INT64_MAX_PRECISION)
            return hash_combine(hash_u64((uint64_t)v->u.i128),
                                hash_u64((uint64_t)(v->u.i128 >> 64)));
        return hash_u64((uint64_t)v->u.i64);
    case TYPE_BOOLEAN: return hash_u64(v->u.boolean);
    case TYPE_INTERVAL:
        return hash_combine(
            hash_u64((uint64_t)v->u.interval.months << 32 | (uint32_t)v->u.interval.days),
            hash_u64((uint64_t)v->u.interval.micros));
    default: return hash_u64((uint64_t)v->u.i64);
    }
}

static bool same_value(const value *a, const value *b)
{
    switch (a->type.id) {
    case TYPE_VARCHAR:
    case TYPE_BLOB:
        return a->u.str.length == b->u.str.length &&
               memcmp(a->u.str.data, b->u.str.data, a->u.str.length) == 0;
    case TYPE_DOUBLE: return a->u.f64 == b->u.f64;
    case TYPE_REAL: return a->u.f32 == b->u.f32;
    case TYPE_DECIMAL:
        return a->type.precision > DECIMAL_INT64_MAX_PRECISION ? a->u.i128 == b->u.i128
                                                               : a->u.i64 == b->u.i64;
    case TYPE_BOOLEAN: return a->u.boolean == b->u.boolean;
    case TYPE_INTERVAL:
        return a->u.interval.months == b->u.interval.months &&
               a->u.interval.days == b->u.interval.days &&
               a->u.interval.micros == b->u.interval.micros;
    default: return a->u.i64 == b->u.i64;
    }
}

arm_status value_set_create(subquery_set **out, logical_type type, arm_error *err)
{
    subquery_set *set = calloc(1, sizeof *set);
    if (set == NULL)
        return error_out_of_memory(err);
    set->type = type;
    set->capacity = 16;
    if (is_plain_integer(type)) {
        set->integers = malloc(set->capacity * sizeof *set->integers);
        for (uint64_t i = 0; set->integers != NULL && i < set->capacity; i++)
            set->integers[i] = EMPTY_INTEGER;
    } else {
        set->slots = calloc(set->capacity, sizeof *set->slots);
    }
    set->strings = arena_create(4096, NULL);
    if ((set->slots == NULL && set->integers == NULL) || set->strings == NULL) {
        value_set_destroy(set);
        return error_out_of_memory(err);
    }
    *out = set;
    return ARM_OK;
}

void value_set_destroy(subquery_set *set)
{
    if (set == NULL)
        return;
    free(set->slots);
    free(set->integers);
    free(set->bits);
    arena_destroy(set->strings);
    free(set);
}

static arm_status grow_integers(subquery_set *set, arm_error *err)
{
    uint64_t capacity = set->capacity * 2, mask = capacity - 1;
    int64_t *integers = malloc(capacity * sizeof *integers);
    if (integers == NULL)
        return error_out_of_memory(err);
    for (uint64_t i = 0; i < capacity; i++)
        integers[i] = EMPTY_INTEGER;
    for (uint64_t i = 0; i < set->capacity; i++) {
        int64_t x = set->integers[i];
        if (x == EMPTY_INTEGER)
            continue;
        uint64_t at = hash_u64((uint64_t)x) & mask;
        while (integers[at] != EMPTY_INTEGER)
            at = (at + 1) & mask;
        integers[at] = x;
    }
    free(set->integers);
    set->integers = integers;
    set->capacity = capacity;
    return ARM_OK;
}

static bool find_integer(const subquery_set *set, int64_t x)
{
    if (x == EMPTY_INTEGER)
        return set->has_min;
    if (set->bits != NULL) {
        uint64_t d = (uint64_t)x - (uint64_t)set->bits_base;
        return d < BITMAP_VALUES && (set->bits[d >> 6] >> (d & 63) & 1);
    }
    uint64_t mask = set->capacity - 1, at = hash_u64((uint64_t)x) & mask;
    for (;; at = (at + 1) & mask) {
        int64_t y = set->integers[at];
        if (y == x)
            return true;
        if (y == EMPTY_INTEGER)
            return false;
    }
}

static void try_bitmap(subquery_set *set);

static arm_status add_hashed(subquery_set *set, int64_t x, arm_error *err)
{
    if (x == EMPTY_INTEGER) {
        set->count += !set->has_min;
        set->has_min = true;
        return ARM_OK;
    }
    uint64_t mask = set->capacity - 1, at = hash_u64((uint64_t)x) & mask;
    for (;; at = (at + 1) & mask) {
        int64_t y = set->integers[at];
        if (y == x)
            return ARM_OK;
        if (y == EMPTY_INTEGER)
            break;
    }
    if ((set->count + 1) * 2 > set->capacity) {
        if (grow_integers(set, err) != ARM_OK)
            return err->status;
        mask = set->capacity - 1;
        at = hash_u64((uint64_t)x) & mask;
        while (set->integers[at] != EMPTY_INTEGER)
            at = (at + 1) & mask;
    }
    set->integers[at] = x;
    set->count++;
    if (set->count == BITMAP_AFTER && !set->bitmap_tried)
        try_bitmap(set);
    return ARM_OK;
}

/* The first value of a window centred on [lo, lo + span], not wrapping past INT64_MIN. */
static int64_t window_base(int64_t lo, uint64_t span)
{
    uint64_t slack = (BITMAP_VALUES - 1 - span) / 2;
    return (uint64_t)lo - (uint64_t)INT64_MIN < slack ? INT64_MIN : lo - (int64_t)slack;
}

/* Moves the hashed values into a bitmap when they fit one window (else leaves them). */
static void try_bitmap(subquery_set *set)
{
    set->bitmap_tried = true;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (uint64_t i = 0; i < set->capacity; i++) {
        int64_t x = set->integers[i];
        if (x != EMPTY_INTEGER) {
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
    }
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    if (lo > hi || span >= BITMAP_VALUES || (set->bits = calloc(BITMAP_VALUES / 64, 8)) == NULL)
        return;
    set->bits_base = window_base(lo, span);
    set->bits_lo = lo;
    set->bits_hi = hi;
    for (uint64_t i = 0; i < set->capacity; i++) {
        int64_t x = set->integers[i];
        if (x != EMPTY_INTEGER) {
            uint64_t d = (uint64_t)x - (uint64_t)set->bits_base;
            set->bits[d >> 6] |= 1ull << (d & 63);
            set->integers[i] = EMPTY_INTEGER;
        }
    }
}

/* Leaves bitmap mode: every value goes back into the (emptied) hash slots. */
static arm_status leave_bitmap(subquery_set *set, arm_error *err)
{
    uint64_t *bits = set->bits;
    set->bits = NULL;
    set->count = set->has_min; /* the values are counted again as they go back */
    arm_status s = ARM_OK;
    for (uint64_t w = 0; w < BITMAP_VALUES / 64 && s == ARM_OK; w++)
        for (uint64_t word = bits[w]; word != 0 && s == ARM_OK; word &= word - 1) {
            uint64_t d = w * 64 + (uint64_t)__builtin_ctzll(word);
            s = add_hashed(set, (int64_t)((uint64_t)set->bits_base + d), err);
        }
    free(bits);
    return s;
}

/*
 * `x` fell outside the window: when every value and x still span less than
 * a window, the bitmap moves to a window centred on them (ids arriving in
 * order move it a few times); else the set goes back to hashing.
 */
static arm_status move_window(subquery_set *set, int64_t x, bool *moved, arm_error *err)
{
    int64_t lo = x < set->bits_lo ? x : set->bits_lo, hi = x > set->bits_hi ? x : set->bits_hi;
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    *moved = span < BITMAP_VALUES;
    if (!*moved)
        return leave_bitmap(set, err);
    uint64_t *bits = calloc(BITMAP_VALUES / 64, 8);
    if (bits == NULL)
        return error_out_of_memory(err);
    int64_t base = window_base(lo, span);
    for (uint64_t w = 0; w < BITMAP_VALUES / 64; w++)
        for (uint64_t word = set->bits[w]; word != 0; word &= word - 1) {
            uint64_t v = (uint64_t)set->bits_base + w * 64 + (uint64_t)__builtin_ctzll(word);
            uint64_t d = v - (uint64_t)base;
            bits[d >> 6] |= 1ull << (d & 63);
        }
    free(set->bits);
    set->bits = bits;
    set->bits_base = base;
    return ARM_OK;
}

static inline arm_status add_integer(subquery_set *set, int64_t x, arm_error *err)
{
    if (set->bits != NULL && x != EMPTY_INTEGER) {
        uint64_t d = (uint64_t)x - (uint64_t)set->bits_base;
        bool moved = false;
        if (d >= BITMAP_VALUES && move_window(set, x, &moved, err) != ARM_OK)
            return err->status;
        if (d < BITMAP_VALUES || moved) {
            d = (uint64_t)x - (uint64_t)set->bits_base;
            set->bits[d >> 6] |= 1ull << (d & 63);
            set->bits_lo = x < set->bits_lo ? x : set->bits_lo;
            set->bits_hi = x > set->bits_hi ? x : set->bits_hi;
            return ARM_OK;
        }
    }
    return add_hashed(set, x, err);
}

static arm_status grow(subquery_set *set, arm_error *err)
{
    uint64_t capacity = set->capacity * 2;
    set_slot *slots = calloc(capacity, sizeof *slots);
    if (slots == NULL)
        return error_out_of_memory(err);
    for (uint64_t i = 0; i < set->capacity; i++) {
        if (!set->slots[i].used)
            continue;
        uint64_t at = set->slots[i].hash & (capacity - 1);
        while (slots[at].used)
            at = (at + 1) & (capacity - 1);
        slots[at] = set->slots[i];
    }
    free(set->slots);
    set->slots = slots;
    set->capacity = capacity;
    return ARM_OK;
}

static const set_slot *find(const subquery_set *set, const value *v, uint64_t hash)
{
    uint64_t at = hash & (set->capacity - 1);
    while (set->slots[at].used) {
        if (set->slots[at].hash == hash && same_value(&set->slots[at].val, v))
            return &set->slots[at];
        at = (at + 1) & (set->capacity - 1);
    }
    return NULL;
}

arm_status value_set_insert(subquery_set *set, const value *val, arm_error *err)
{
    if (val->is_null) {
        set->has_null = true;
        return ARM_OK;
    }
    if (set->integers != NULL)
        return add_integer(set, val->u.i64, err);
    value v = *val;
    v.type = set->type;
    uint64_t hash = hash_value(&v);
    if (find(set, &v, hash) != NULL)
        return ARM_OK;
    if ((set->count + 1) * 2 > set->capacity) {
        arm_status s = grow(set, err);
        if (s != ARM_OK)
            return s;
    }
    if (type_is_string(v.type.id)) {
        char *copy = arena_strndup(set->strings, v.u.str.data, v.u.str.length);
        if (copy == NULL)
            return error_out_of_memory(err);
        v.u.str.data = copy;
    }
    uint64_t at = hash & (set->capacity - 1);
    while (set->slots[at].used)
        at = (at + 1) & (set->capacity - 1);
    set->slots[at].used = true;
    set->slots[at].hash = hash;
    set->slots[at].val = v;
    set->count++;
    return ARM_OK;
}

/* Types whose values are one int64 in `value` (u.i64) and in flat vectors of width w. */
static bool is_plain_integer(logical_type t)
{
    switch (t.id) {
    case TYPE_SMALLINT:
    case TYPE_INTEGER:
    case TYPE_DATE:
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: return true;
    case TYPE_DECIMAL: return t.precision <= DECIMAL_INT64_MAX_PRECISION;
    default: return false;
    }
}

static inline int64_t load_integer(const void *data, uint32_t row, size_t width)
{
    switch (width) {
    case 2: return ((const int16_t *)data)[row];
    case 4: return ((const int32_t *)data)[row];
    default: return ((const int64_t *)data)[row];
    }
}

static inline bool row_is_valid(const uint64_t *validity, uint32_t row)
{
    return validity == NULL || (validity[row >> 6] >> (row & 63) & 1);
}

/*
 * Bitmap mode, one batch of a flat vector at once: when its non-NULL values
 * all lie in the window, each only sets its bit, in a loop that keeps the
 * bitmap and its base in registers; bits_lo/bits_hi widen once per batch.
 * add_integer per value made a dependency chain through memory instead: the
 * struct's int64 fields may alias the bitmap words, so the compiler stored
 * and reloaded them (and the count, hence not kept in bitmap mode) per value.
 *
 * The first pass only ORs the offsets from the base, which vectorizes: the OR
 * is below BITMAP_VALUES exactly when every offset is. Windows that start at
 * INT64_MIN (its bit is never set: has_min) or wrap past INT64_MAX are left
 * to add_integer; in the others offsets order like the values, so the
 * smallest and largest offsets give bits_lo and bits_hi, and INT64_MIN is
 * outside. Returns false, having changed nothing, when add_integer must take
 * the batch value by value. `width` is a constant in each caller.
 */
static inline __attribute__((always_inline)) bool set_window_bits(subquery_set *set,
                                                                  const vector *v, size_t width,
                                                                  const uint32_t *sel,
                                                                  uint32_t count)
{
    int64_t base = set->bits_base;
    if (base == INT64_MIN || base > INT64_MAX - (BITMAP_VALUES - 1))
        return false;
    const void *data = v->data;
    const uint64_t *validity = v->validity;
    uint64_t reach = 0; /* the OR of the offsets */
    bool has_null = false;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        if (row_is_valid(validity, row))
            reach |= (uint64_t)load_integer(data, row, width) - (uint64_t)base;
        else
            has_null = true;
    }
    if (reach >= BITMAP_VALUES)
        return false;
    uint64_t *bits = set->bits, lo = BITMAP_VALUES, hi = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        if (!row_is_valid(validity, row))
            continue;
        uint64_t d = (uint64_t)load_integer(data, row, width) - (uint64_t)base;
        bits[d >> 6] |= 1ull << (d & 63);
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
    }
    if (lo <= hi) { /* some value was not NULL */
        int64_t batch_lo = base + (int64_t)lo, batch_hi = base + (int64_t)hi;
        set->bits_lo = batch_lo < set->bits_lo ? batch_lo : set->bits_lo;
        set->bits_hi = batch_hi > set->bits_hi ? batch_hi : set->bits_hi;
    }
    set->has_null |= has_null;
    return true;
}

static bool insert_window_batch(subquery_set *set, const vector *v, size_t width,
                                const uint32_t *sel, uint32_t count)
{
    switch (width) {
    case 2: return set_window_bits(set, v, 2, sel, count);
    case 4: return set_window_bits(set, v, 4, sel, count);
    default: return set_window_bits(set, v, 8, sel, count);
    }
}

/* COUNT(DISTINCT) over integers: one probe per row, straight from the column. */
static arm_status insert_integers(subquery_set *set, const vector *v, const uint32_t *sel,
                                  uint32_t count, arm_error *err)
{
    size_t width = type_physical_size(v->type);
    if (set->bits != NULL && insert_window_batch(set, v, width, sel, count))
        return ARM_OK;
    if (v->validity == NULL && width == 8) { /* BIGINT ids: the common case, one tight loop */
        const int64_t *d = v->data;
        for (uint32_t i = 0; i < count; i++)
            if (add_integer(set, d[sel ? sel[i] : i], err) != ARM_OK)
                return err->status;
        return ARM_OK;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        if (!vector_is_valid(v, row))
            set->has_null = true;
        else if (add_integer(set, load_integer(v->data, row, width), err) != ARM_OK)
            return err->status;
    }
    return ARM_OK;
}

arm_status value_set_insert_vector(subquery_set *set, const vector *v, const uint32_t *sel,
                                   uint32_t count, arm_error *err)
{
    if (v->kind == VECTOR_FLAT && set->integers != NULL && type_equal(v->type, set->type))
        return insert_integers(set, v, sel, count, err);
    for (uint32_t i = 0; i < count; i++) {
        value val;
        vector_get_value(v, sel ? sel[i] : i, &val);
        arm_status s = value_set_insert(set, &val, err);
        if (s != ARM_OK)
            return s;
    }
    return ARM_OK;
}

bool value_set_has_null(const subquery_set *set)
{
    return set->has_null;
}

/* In bitmap mode the count is the bitmap's bits and has_min (INT64_MIN has no bit). */
uint64_t value_set_count(const subquery_set *set)
{
    if (set->bits == NULL)
        return set->count;
    uint64_t count = set->has_min;
    for (uint64_t w = 0; w < BITMAP_VALUES / 64; w++)
        count += (uint64_t)__builtin_popcountll(set->bits[w]);
    return count;
}

void value_set_probe(const subquery_set *set, const vector *probe, const uint32_t *sel,
                     uint32_t count, uint8_t *result)
{
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        value v;
        vector_get_value(probe, row, &v);
        if (v.is_null) {
            result[row] = 0;
            continue;
        }
        v.type = set->type;
        result[row] = set->integers != NULL ? find_integer(set, v.u.i64)
                                            : find(set, &v, hash_value(&v)) != NULL;
    }
}

void value_set_for_each(const subquery_set *set, void (*fn)(void *context, const value *v),
                        void *context)
{
    if (set->integers == NULL) {
        for (uint64_t i = 0; i < set->capacity; i++)
            if (set->slots[i].used)
                fn(context, &set->slots[i].val);
        return;
    }
    value v;
    memset(&v, 0, sizeof v);
    v.type = set->type;
    for (uint64_t w = 0; set->bits != NULL && w < BITMAP_VALUES / 64; w++)
        for (uint64_t word = set->bits[w]; word != 0; word &= word - 1) {
            v.u.i64 =
                (int64_t)((uint64_t)set->bits_base + w * 64 + (uint64_t)__builtin_ctzll(word));
            fn(context, &v);
        }
    for (uint64_t i = 0; i < set->capacity; i++) {
        if (set->integers[i] != EMPTY_INTEGER) {
            v.u.i64 = set->integers[i];
            fn(context, &v);
        }
    }
    if (set->has_min) {
        v.u.i64 = EMPTY_INTEGER;
        fn(context, &v);
    }
}
