/*
 * parquet_test_util.h: shared helpers of the Parquet unit tests: a table of
 * every logical type, deterministic cell generators, writing a generated
 * table with given options and checking what the reader returns.
 */
#ifndef ARM_TESTS_PARQUET_TEST_UTIL_H
#define ARM_TESTS_PARQUET_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>

#include "format/parquet_reader.h"
#include "format/parquet_writer.h"
#include "harness.h"

#define PT_COLUMNS 15

static const char *const pt_names[PT_COLUMNS] = {"b",   "i8",   "i16", "i32", "i64",
                                                 "f32", "f64",  "d5",  "d15", "d30",
                                                 "s",   "blob", "day", "ts",  "iv"};

static inline logical_type pt_type(int c)
{
    static const type_id ids[PT_COLUMNS] = {
        TYPE_BOOLEAN, TYPE_TINYINT, TYPE_SMALLINT, TYPE_INTEGER,   TYPE_BIGINT,
        TYPE_REAL,    TYPE_DOUBLE,  TYPE_DECIMAL,  TYPE_DECIMAL,   TYPE_DECIMAL,
        TYPE_VARCHAR, TYPE_BLOB,    TYPE_DATE,     TYPE_TIMESTAMP, TYPE_INTERVAL};
    if (c == 7)
        return type_decimal(5, 2);
    if (c == 8)
        return type_decimal(15, 3);
    if (c == 9)
        return type_decimal(30, 4);
    return type_make(ids[c]);
}

/* DuckDB refuses to write negative intervals, so its round trips ask for positive ones. */
static bool pt_positive_intervals;

static inline bool pt_is_null(int c, uint64_t row, bool nullable)
{
    return nullable && (row * 7 + (uint64_t)c) % 11 == 3;
}

/* Text of string cells: low-cardinality short, or unique long. */
static inline uint32_t pt_text(int c, uint64_t row, char *buf)
{
    if (c == 10 && row % 3 != 0)
        return (uint32_t)snprintf(buf, 64, "v%llu", (unsigned long long)(row % 40));
    return (uint32_t)snprintf(buf, 64, "a longer value for row %llu of col %d",
                              (unsigned long long)row, c);
}

/* Writes the expected cell of column c, row `row` into `out` (physical form of the type). */
static inline void pt_cell(int c, uint64_t row, void *out, char *text)
{
    int64_t r = (int64_t)row;
    switch (c) {
    case 0: *(uint8_t *)out = (uint8_t)(row % 3 == 1); break;
    case 1: *(int8_t *)out = (int8_t)(r % 251 - 125); break;
    case 2: *(int16_t *)out = (int16_t)(r * 13 % 65521 - 32000); break;
    case 3:
        *(int32_t *)out = (int32_t)(r % 100 == 0 ? INT32_MIN + r : r * 1000003 % 2147483647);
        break;
    case 4: *(int64_t *)out = r % 5 == 0 ? INT64_MAX - r : r * 7919 * 1000003; break;
    case 5: *(float *)out = (float)r * 0.25f - 100.0f; break;
    case 6: *(double *)out = r % 13 == 0 ? -0.0 : (double)r / 3.0 - 1e6; break;
    case 7: *(int64_t *)out = r % 19999 - 9999; break;
    case 8: *(int64_t *)out = (r * 999999937) % 999999999999999LL - 499999999999999LL; break;
    case 9: {
        int128 v = ((int128)r * 1000000007 * 1000000007) * (r % 2 ? -1 : 1);
        memcpy(out, &v, 16);
        break;
    }
    case 10:
    case 11: {
        uint32_t n = pt_text(c, row, text);
        string_view s;
        memset(&s, 0, sizeof s);
        s.length = n;
        if (n <= STRING_VIEW_INLINE_MAX) {
            memcpy(s.u.inlined, text, n);
        } else {
            memcpy(s.u.ref.prefix, text, 4);
            s.u.ref.ptr = text;
        }
        memcpy(out, &s, sizeof s);
        break;
    }
    case 12: *(int32_t *)out = (int32_t)(r % 30000 - 10000); break;
    case 13: *(int64_t *)out = r * 1234567891LL - 5000000000000LL; break;
    case 14: {
        interval_value iv = {(int32_t)(r % 25), (int32_t)(r % 40 - 20), (r % 1000) * 1000 - 3000};
        if (pt_positive_intervals)
            iv.days += 20, iv.micros += 3000;
        memcpy(out, &iv, sizeof iv);
        break;
    }
    }
}

/* Fills batch `b` (prepared for PT_COLUMNS columns) with rows [first, first+count). */
static inline void pt_fill_batch(batch *b, uint64_t first, uint32_t count, bool nullable,
                                 char *pool)
{
    arm_error err;
    for (int c = 0; c < PT_COLUMNS; c++) {
        vector *v = &b->columns[c];
        vector_prepare_flat(v, VECTOR_SIZE, &err);
        size_t width = type_physical_size(v->type);
        for (uint32_t i = 0; i < count; i++) {
            uint64_t row = first + i;
            if (pt_is_null(c, row, nullable)) {
                vector_ensure_validity(v, &err);
                vector_set_null(v, i);
                memset((uint8_t *)v->data + i * width, 0, width);
                continue;
            }
            pt_cell(c, row, (uint8_t *)v->data + i * width,
                    pool + ((size_t)c * VECTOR_SIZE + i) * 64);
        }
    }
    b->count = count;
    b->sel = NULL;
}

/* Compares one cell of a read vector with the expected value. */
static inline bool pt_cell_matches(int c, uint64_t row, const vector *v, uint32_t i, bool nullable)
{
    bool valid = vector_is_valid(v, i);
    if (pt_is_null(c, row, nullable))
        return !valid;
    if (!valid)
        return false;
    const vector *values = v;
    uint32_t index = i;
    if (v->kind == VECTOR_DICTIONARY) {
        index = ((const uint32_t *)v->data)[i];
        values = v->dictionary;
    }
    size_t width = type_physical_size(values->type);
    const uint8_t *got = (const uint8_t *)values->data + index * width;
    uint8_t expected[32];
    char text[64];
    pt_cell(c, row, expected, text);
    if (c == 10 || c == 11) {
        const string_view *a = (const string_view *)got, *e = (const string_view *)expected;
        return a->length == e->length &&
               memcmp(string_view_data(a), string_view_data(e), a->length) == 0;
    }
    if (c == 6) {
        double a, e;
        memcpy(&a, got, 8), memcpy(&e, expected, 8);
        return a == e;
    }
    return memcmp(got, expected, width) == 0;
}

/* Writes `rows` generated rows; returns the memory image (caller frees) and its size. */
static uint8_t *pt_write(uint64_t rows, bool nullable, const parquet_writer_options *options,
                         size_t *size)
{
    arm_error err;
    parquet_writer_column columns[PT_COLUMNS];
    logical_type types[PT_COLUMNS];
    for (int c = 0; c < PT_COLUMNS; c++) {
        columns[c] = (parquet_writer_column){pt_names[c], pt_type(c), nullable, 100 + c};
        types[c] = pt_type(c);
    }
    parquet_writer *w = NULL;
    CHECK_OK(parquet_writer_create_memory(&w, columns, PT_COLUMNS, options, &err), &err);
    if (w == NULL)
        return NULL;
    batch b;
    batch_init(&b, PT_COLUMNS, types, &err);
    char *pool = malloc((size_t)PT_COLUMNS * VECTOR_SIZE * 64);
    for (uint64_t first = 0; first < rows; first += VECTOR_SIZE) {
        uint32_t n = rows - first < VECTOR_SIZE ? (uint32_t)(rows - first) : VECTOR_SIZE;
        pt_fill_batch(&b, first, n, nullable, pool);
        CHECK_OK(parquet_writer_write_batch(w, &b, &err), &err);
    }
    uint64_t total = 0;
    CHECK_OK(parquet_writer_close(w, &total, &err), &err);
    size_t n = 0;
    const uint8_t *image = parquet_writer_memory(w, &n);
    CHECK_INT_EQ(n, total);
    uint8_t *copy = malloc(n ? n : 1);
    if (image)
        memcpy(copy, image, n);
    *size = n;
    free(pool);
    batch_dispose(&b);
    parquet_writer_destroy(w);
    return copy;
}

/* Reads every column of every row group and checks all values; returns rows seen. */
static inline uint64_t pt_verify(parquet_reader *r, bool nullable, bool keep_dictionary)
{
    arm_error err;
    uint64_t mismatches = 0, total_rows = 0;
    for (int c = 0; c < PT_COLUMNS; c++) {
        uint64_t row = 0;
        vector v;
        vector_init(&v, pt_type(c));
        for (uint32_t g = 0; g < parquet_reader_row_group_count(r); g++) {
            parquet_column_reader *cr = NULL;
            CHECK_OK(parquet_column_reader_open(&cr, r, g, (uint32_t)c, &err), &err);
            if (cr == NULL)
                continue;
            parquet_column_reader_set_keep_dictionary(cr, keep_dictionary);
            uint32_t got;
            uint64_t group_rows = 0;
            for (;;) {
                arm_status s = parquet_column_reader_next(cr, &v, VECTOR_SIZE, &got, &err);
                CHECK_OK(s, &err);
                if (s != ARM_OK || got == 0)
                    break;
                for (uint32_t i = 0; i < got; i++)
                    if (!pt_cell_matches(c, row + i, &v, i, nullable) && mismatches++ < 5)
                        fprintf(stderr, "column %s row %llu differs\n", pt_names[c],
                                (unsigned long long)(row + i));
                row += got;
                group_rows += got;
            }
            CHECK_INT_EQ(group_rows, parquet_reader_row_group_rows(r, g));
            parquet_column_reader_close(cr);
        }
        vector_dispose(&v);
        total_rows = row;
    }
    CHECK_INT_EQ(mismatches, 0);
    return total_rows;
}

#endif
