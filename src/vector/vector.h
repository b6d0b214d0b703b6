/*
 * vector.h: column vectors and batches, the unit every operator processes.
 * Values use the Apache Arrow layout (validity bitmap with 1 = valid, fixed
 * width values, 16-byte string views) except BOOLEAN, kept one byte per value.
 * A batch holds up to VECTOR_SIZE rows and an optional selection vector.
 */
#ifndef ARM_VECTOR_VECTOR_H
#define ARM_VECTOR_VECTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "vector/buffer.h"
#include "vector/types.h"

#define VECTOR_SIZE 2048

typedef enum vector_kind {
    VECTOR_FLAT = 0,       /* data[row] for every physical row */
    VECTOR_CONSTANT = 1,   /* one value (data[0], validity bit 0) for every row */
    VECTOR_DICTIONARY = 2, /* data holds uint32 indexes into `dictionary` (a FLAT vector) */
} vector_kind;

/*
 * One column of a batch. `data` and `validity` point into `data_buffer` and
 * `validity_buffer` (retained) or into memory that a retained buffer in
 * `keep_alive` owns (zero-copy slices of cached or stored columns).
 * String bytes of long strings live in buffers listed in `keep_alive`.
 * A vector is a struct in caller memory: vector_init / vector_dispose.
 */
typedef struct vector {
    logical_type type;
    vector_kind kind;
    void *data;
    uint64_t *validity; /* NULL: no NULLs */
    buffer *data_buffer;
    buffer *validity_buffer;
    struct vector *dictionary; /* DICTIONARY only; owned (heap) */
    buffer **keep_alive;
    uint32_t keep_alive_count;
    uint32_t keep_alive_capacity;
    buffer *string_heap; /* current buffer for vector_add_string, also in keep_alive */
    uint32_t capacity;   /* rows the flat buffers can hold */
} vector;

void vector_init(vector *v, logical_type type);
/* Releases all buffers; the vector can be re-initialized. */
void vector_dispose(vector *v);

/*
 * Makes `v` a writable FLAT vector of at least `capacity` rows with no NULLs,
 * reusing its buffers when they are unique and large enough (hot path: no
 * allocation per batch). Drops keep_alive references. Contents undefined.
 */
arm_status vector_prepare_flat(vector *v, uint32_t capacity, arm_error *err);
/*
 * Makes `v` a read-only FLAT vector of `rows` values at `data`, with no NULLs, inside
 * `owner` (kept alive): zero-copy decoding. Its own data buffer, if any, is kept for the
 * next vector_prepare_flat; a vector that never had one holds none.
 */
arm_status vector_view(vector *v, const void *data, uint32_t rows, buffer *owner, arm_error *err);
/* Allocates (all valid) the validity bitmap of a writable flat vector when missing. */
arm_status vector_ensure_validity(vector *v, arm_error *err);
/* Makes `v` share the contents of `src` (retains buffers; no copy). */
arm_status vector_reference(vector *v, const vector *src, arm_error *err);
/* Makes `v` a CONSTANT vector of `val` (strings copied into v's heap). */
arm_status vector_set_constant(vector *v, const value *val, arm_error *err);
/*
 * Turns CONSTANT or DICTIONARY into FLAT for physical rows [0, count) (or the
 * rows in `sel` when given, other rows undefined). No-op on FLAT.
 */
arm_status vector_flatten(vector *v, const uint32_t *sel, uint32_t count, arm_error *err);
/*
 * Makes `v`, whose data already holds uint32 entry numbers, a DICTIONARY
 * vector over `dictionary` (referenced, not copied).
 */
arm_status vector_attach_dictionary(vector *v, const vector *dictionary, arm_error *err);
/* Keeps `b` alive as long as `v` references it (retains it). */
arm_status vector_keep_alive(vector *v, buffer *b, arm_error *err);
/*
 * Copies `length` bytes into v's string heap and returns a view of them
 * (inline when short). `out` is set; errors only on OOM.
 */
arm_status vector_add_string(vector *v, const char *data, uint32_t length, string_view *out,
                             arm_error *err);

static inline bool vector_is_valid(const vector *v, uint32_t row)
{
    if (v->validity == NULL)
        return true;
    if (v->kind == VECTOR_CONSTANT)
        row = 0;
    return (v->validity[row >> 6] >> (row & 63)) & 1;
}
/* Requires a writable flat vector with validity allocated (vector_ensure_validity). */
static inline void vector_set_null(vector *v, uint32_t row)
{
    v->validity[row >> 6] &= ~(1ULL << (row & 63));
}
static inline void vector_set_valid(vector *v, uint32_t row)
{
    v->validity[row >> 6] |= 1ULL << (row & 63);
}

/* Reads one cell as a value (strings borrowed from the vector). */
void vector_get_value(const vector *v, uint32_t row, value *out);
/* Writes one cell of a writable flat vector (strings copied into its heap). */
arm_status vector_set_value(vector *v, uint32_t row, const value *val, arm_error *err);
/*
 * Makes a flat vector writable with room for `capacity` rows, keeping its
 * first `keep_rows` rows (and validity).
 */
arm_status vector_reserve(vector *v, uint32_t capacity, uint32_t keep_rows, arm_error *err);
/*
 * Appends rows `sel[0..count)` (or [0, count)) of `src` to flat `dst` at
 * positions [dst_offset, dst_offset+count), growing it; strings are kept
 * alive by reference, not copied.
 */
arm_status vector_copy_rows(vector *dst, uint32_t dst_offset, const vector *src,
                            const uint32_t *sel, uint32_t count, arm_error *err);

/*
 * A set of columns with `count` logical rows. When `sel` is non-NULL,
 * logical row i is physical row sel[i] of every column (sel is sorted
 * ascending); when NULL, rows 0..count-1. Expressions evaluate the selected
 * physical rows and write results at the same physical positions, so a
 * filtered batch passes its columns on without copying.
 */
typedef struct batch {
    uint32_t count;
    uint32_t column_count;
    vector *columns;
    uint32_t *sel;         /* NULL or points to sel_storage or elsewhere */
    uint32_t *sel_storage; /* VECTOR_SIZE entries owned by the batch */
    uint64_t sequence;     /* source order (morsel, batch): lets results keep insertion order */
} batch;

/* Allocates `column_count` vectors of the given types and the selection storage. */
arm_status batch_init(batch *b, uint32_t column_count, const logical_type *types, arm_error *err);
void batch_dispose(batch *b);
/* Drops contents (count 0, no sel) but keeps buffers for reuse. */
void batch_reset(batch *b);
/* Physical row of logical row i. */
static inline uint32_t batch_row(const batch *b, uint32_t i)
{
    return b->sel ? b->sel[i] : i;
}

/* Sets bit i of a bitmap sized for `count` bits. */
static inline bool bitmap_get(const uint64_t *bits, uint32_t i)
{
    return (bits[i >> 6] >> (i & 63)) & 1;
}

#endif
