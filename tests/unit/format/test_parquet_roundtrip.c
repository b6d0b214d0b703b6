/*
 * test_parquet_roundtrip.c: write every type x nullability x codec x
 * encoding x page version with our writer, read it back with our reader and
 * compare every value; plus schema mapping, statistics, the page index,
 * skipping, dictionary vectors and deterministic output.
 */
#include <math.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/thread_pool.h"
#include "parquet_test_util.h"

static void round_trip(parquet_codec_id codec, bool dictionary, bool v2, bool nullable,
                       uint64_t rows)
{
    arm_error err;
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    options.codec = codec;
    options.use_dictionary = dictionary;
    options.data_page_v2 = v2;
    options.row_group_rows = 3000;
    options.page_size_bytes = 2048;
    size_t size;
    uint8_t *image = pt_write(rows, nullable, &options, &size);
    parquet_reader *r = NULL;
    CHECK_OK(parquet_reader_open_memory(&r, image, size, "roundtrip.parquet", &err), &err);
    if (r != NULL) {
        CHECK_INT_EQ(parquet_reader_row_count(r), rows);
        CHECK_INT_EQ(parquet_reader_row_group_count(r), (rows + 2999) / 3000);
        CHECK_INT_EQ(pt_verify(r, nullable, true), rows);
        CHECK_INT_EQ(pt_verify(r, nullable, false), rows);
    }
    parquet_reader_close(r);
    free(image);
}

static void test_all_codecs_encodings_nullability(void)
{
    static const parquet_codec_id codecs[] = {PARQUET_CODEC_UNCOMPRESSED, PARQUET_CODEC_SNAPPY,
                                              PARQUET_CODEC_GZIP, PARQUET_CODEC_ZSTD,
                                              PARQUET_CODEC_LZ4_RAW};
    for (size_t c = 0; c < sizeof codecs / sizeof codecs[0]; c++)
        for (int mask = 0; mask < 8; mask++)
            round_trip(codecs[c], mask & 1, mask & 2, mask & 4, 7001);
}

/*
 * raw_if_incompressible: a column chunk whose first page compresses by less
 * than 1/16 is stored uncompressed, the others keep the codec; every value
 * reads back either way, and without the option every chunk keeps the codec.
 */
static void test_raw_if_incompressible(void)
{
    arm_error err;
    for (int raw = 0; raw <= 1; raw++) {
        parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
        options.codec = PARQUET_CODEC_LZ4_RAW;
        options.use_dictionary = false;
        options.raw_if_incompressible = raw;
        size_t size;
        uint8_t *image = pt_write(5000, false, &options, &size);
        parquet_reader *r = NULL;
        CHECK_OK(parquet_reader_open_memory(&r, image, size, "raw.parquet", &err), &err);
        if (r == NULL) {
            free(image);
            continue;
        }
        CHECK_INT_EQ(pt_verify(r, false, false), 5000);
        const parquet_file_meta *meta = parquet_reader_metadata(r);
        uint32_t stored_raw = 0, compressed = 0;
        for (uint32_t c = 0; c < parquet_reader_column_count(r); c++) {
            const parquet_column_meta *m = &meta->row_groups[0].columns[c].meta;
            stored_raw += m->codec == PARQUET_CODEC_UNCOMPRESSED;
            compressed += m->codec == PARQUET_CODEC_LZ4_RAW;
            if (m->codec == PARQUET_CODEC_LZ4_RAW && raw) /* kept only where it saves 1/16 */
                CHECK(m->total_compressed_size * 16 <= m->total_uncompressed_size * 15 + 64);
        }
        CHECK(compressed > 0); /* the boolean and small integer columns compress */
        CHECK_INT_EQ(stored_raw > 0, raw);
        parquet_reader_close(r);
        free(image);
    }
}

static bool uses_encoding(const parquet_column_meta *m, parquet_encoding e)
{
    for (uint32_t i = 0; i < m->encoding_count; i++)
        if (m->encodings[i] == e)
            return true;
    return false;
}

/*
 * delta_int64: INT64 columns whose deltas pack into a quarter of PLAIN
 * (arithmetic series) are DELTA_BINARY_PACKED, one whose deltas are wide
 * (INT64_MAX - r every fifth row) stays PLAIN; every value reads back, with
 * dictionaries allowed or not, and without the option nothing is delta-encoded.
 */
static void test_delta_int64(void)
{
    arm_error err;
    for (int mode = 0; mode < 8; mode++) {
        bool delta = mode & 1, nullable = mode & 2, dictionary = mode & 4;
        parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
        options.codec = PARQUET_CODEC_LZ4_RAW;
        options.use_dictionary = dictionary;
        options.delta_int64 = delta;
        size_t size;
        uint8_t *image = pt_write(5000, nullable, &options, &size);
        parquet_reader *r = NULL;
        CHECK_OK(parquet_reader_open_memory(&r, image, size, "delta.parquet", &err), &err);
        if (r == NULL) {
            free(image);
            continue;
        }
        CHECK_INT_EQ(pt_verify(r, nullable, dictionary), 5000);
        const parquet_file_meta *meta = parquet_reader_metadata(r);
        for (uint32_t c = 0; c < parquet_reader_column_count(r); c++) {
            const parquet_column_meta *m = &meta->row_groups[0].columns[c].meta;
            /* the series (a NULL every 11th row makes their deltas wide); column 4 is wide;
             * the series are unique, so a dictionary would not beat delta */
            bool expect = delta && !nullable && (c == 8 || c == 13);
            CHECK_INT_EQ(uses_encoding(m, PARQUET_ENC_DELTA_BINARY_PACKED), expect);
            if (!dictionary)
                CHECK_INT_EQ(uses_encoding(m, PARQUET_ENC_PLAIN), !expect);
        }
        parquet_reader_close(r);
        free(image);
    }
}

static void test_small_and_empty(void)
{
    round_trip(PARQUET_CODEC_ZSTD, true, false, true, 1);
    round_trip(PARQUET_CODEC_ZSTD, true, false, false, 0);
    round_trip(PARQUET_CODEC_SNAPPY, false, true, true, 2048);
}

static void test_schema_mapping(void)
{
    arm_error err;
    size_t size;
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    uint8_t *image = pt_write(10, true, &options, &size);
    parquet_reader *r = NULL;
    CHECK_OK(parquet_reader_open_memory(&r, image, size, NULL, &err), &err);
    if (r == NULL)
        return;
    CHECK_INT_EQ(parquet_reader_column_count(r), PT_COLUMNS);
    for (int c = 0; c < PT_COLUMNS; c++) {
        CHECK_STR_EQ(parquet_reader_column_name(r, (uint32_t)c), pt_names[c]);
        CHECK(type_equal(parquet_reader_column_type(r, (uint32_t)c), pt_type(c)));
        CHECK(parquet_reader_column_is_nullable(r, (uint32_t)c));
        int32_t id = -1;
        CHECK(parquet_reader_column_field_id(r, (uint32_t)c, &id));
        CHECK_INT_EQ(id, 100 + c);
        CHECK_OK(parquet_reader_column_check(r, (uint32_t)c, &err), &err);
    }
    uint32_t found;
    CHECK(parquet_reader_find_column(r, "ts", &found) && found == 13);
    CHECK(!parquet_reader_find_column(r, "nope", &found));
    CHECK_STR_EQ(parquet_reader_metadata(r)->created_by, "armillaria 0.1.0");
    parquet_reader_close(r);
    free(image);
}

static void test_statistics_and_page_index(void)
{
    arm_error err;
    size_t size;
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    options.row_group_rows = 1000;
    options.page_size_bytes = 512;
    uint8_t *image = pt_write(2500, true, &options, &size);
    parquet_reader *r = NULL;
    CHECK_OK(parquet_reader_open_memory(&r, image, size, NULL, &err), &err);
    if (r == NULL)
        return;
    /* column i16 (2): compute expected min/max/nulls of row group 1 (rows 1000..1999) */
    for (int c = 2; c <= 13; c += 11) {
        int64_t lo = INT64_MAX, hi = INT64_MIN, nulls = 0;
        for (uint64_t row = 1000; row < 2000; row++) {
            if (pt_is_null(c, row, true)) {
                nulls++;
                continue;
            }
            uint8_t cell[32];
            char text[64];
            pt_cell(c, row, cell, text);
            int64_t v = c == 2 ? *(int16_t *)cell : *(int64_t *)cell;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        parquet_column_stats s;
        CHECK_OK(parquet_reader_column_stats(r, 1, (uint32_t)c, &s, &err), &err);
        CHECK(s.has_min_max && s.has_null_count);
        CHECK_INT_EQ(s.min.u.i64, lo);
        CHECK_INT_EQ(s.max.u.i64, hi);
        CHECK_INT_EQ(s.null_count, nulls);
        CHECK_INT_EQ(s.row_count, 1000);
    }
    /* string statistics are byte-wise */
    parquet_column_stats s;
    CHECK_OK(parquet_reader_column_stats(r, 0, 10, &s, &err), &err);
    CHECK(s.has_min_max && s.min.u.str.length > 0);
    CHECK(memcmp(s.min.u.str.data, "a longer", 8) == 0);
    CHECK(s.max.u.str.length == 2 && memcmp(s.max.u.str.data, "v9", 2) == 0);
    /* page index of column i32 in row group 2: pages cover the rows exactly */
    parquet_page_info *pages;
    uint32_t count;
    CHECK_OK(parquet_reader_page_index(r, 2, 3, &pages, &count, &err), &err);
    CHECK(count > 1);
    int64_t next_row = 0;
    for (uint32_t p = 0; p < count; p++) {
        CHECK_INT_EQ(pages[p].first_row, next_row);
        next_row += pages[p].row_count;
        int64_t lo = INT64_MAX, hi = INT64_MIN, nulls = 0;
        for (int64_t row = 2000 + pages[p].first_row; row < 2000 + next_row; row++) {
            if (pt_is_null(3, (uint64_t)row, true)) {
                nulls++;
                continue;
            }
            int32_t v;
            char text[64];
            pt_cell(3, (uint64_t)row, &v, text);
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        CHECK(pages[p].stats.has_min_max);
        CHECK_INT_EQ(pages[p].stats.min.u.i64, lo);
        CHECK_INT_EQ(pages[p].stats.max.u.i64, hi);
        CHECK_INT_EQ(pages[p].stats.null_count, nulls);
    }
    CHECK_INT_EQ(next_row, 500);
    /* interval columns have an offset index but no statistics */
    CHECK_OK(parquet_reader_page_index(r, 0, 14, &pages, &count, &err), &err);
    CHECK(count >= 1 && !pages[0].stats.has_min_max);
    parquet_reader_close(r);
    free(image);
}

static void test_skip_rows_and_pages(void)
{
    arm_error err;
    size_t size;
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    options.page_size_bytes = 256;
    options.row_group_rows = 100000;
    uint8_t *image = pt_write(20000, true, &options, &size);
    parquet_reader *r = NULL;
    CHECK_OK(parquet_reader_open_memory(&r, image, size, NULL, &err), &err);
    if (r == NULL)
        return;
    static const uint64_t skips[] = {0, 1, 777, 4096, 12345, 19999};
    for (int c = 0; c < PT_COLUMNS; c++) {
        for (size_t k = 0; k < sizeof skips / sizeof skips[0]; k++) {
            parquet_column_reader *cr = NULL;
            CHECK_OK(parquet_column_reader_open(&cr, r, 0, (uint32_t)c, &err), &err);
            CHECK_OK(parquet_column_reader_skip(cr, skips[k], &err), &err);
            vector v;
            vector_init(&v, pt_type(c));
            uint32_t got = 0;
            CHECK_OK(parquet_column_reader_next(cr, &v, 100, &got, &err), &err);
            uint64_t expect = 20000 - skips[k] < 100 ? 20000 - skips[k] : 100;
            CHECK_INT_EQ(got, expect);
            for (uint32_t i = 0; i < got; i++)
                CHECK(pt_cell_matches(c, skips[k] + i, &v, i, true));
            vector_dispose(&v);
            parquet_column_reader_close(cr);
        }
    }
    parquet_reader_close(r);
    free(image);
}

static void test_dictionary_vectors(void)
{
    arm_error err;
    size_t size;
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    uint8_t *image = pt_write(5000, false, &options, &size);
    parquet_reader *r = NULL;
    CHECK_OK(parquet_reader_open_memory(&r, image, size, NULL, &err), &err);
    if (r == NULL)
        return;
    const parquet_column_meta *m = &parquet_reader_metadata(r)->row_groups[0].columns[10].meta;
    CHECK(m->has_dictionary_page_offset);
    /* the unique long strings do not pay for a dictionary */
    CHECK(!parquet_reader_metadata(r)->row_groups[0].columns[11].meta.has_dictionary_page_offset);
    parquet_column_reader *cr = NULL;
    vector strings;
    vector_init(&strings, pt_type(10));
    uint32_t rows;
    CHECK_OK(parquet_column_reader_open(&cr, r, 0, 10, &err), &err);
    CHECK_OK(parquet_column_reader_next(cr, &strings, VECTOR_SIZE, &rows, &err), &err);
    CHECK_INT_EQ(rows, VECTOR_SIZE);
    CHECK_INT_EQ(strings.kind, VECTOR_DICTIONARY);
    CHECK(strings.dictionary != NULL && strings.dictionary->kind == VECTOR_FLAT);
    for (uint32_t i = 0; i < rows; i++)
        CHECK(pt_cell_matches(10, i, &strings, i, false));
    /* the dictionary outlives the reader through the vector */
    parquet_column_reader_close(cr);
    /* i8 (col 1) is narrow: always flat; decimal d5 dictionary stays a dictionary */
    CHECK_OK(parquet_column_reader_open(&cr, r, 0, 1, &err), &err);
    vector v;
    vector_init(&v, pt_type(1));
    uint32_t got;
    CHECK_OK(parquet_column_reader_next(cr, &v, VECTOR_SIZE, &got, &err), &err);
    CHECK_INT_EQ(v.kind, VECTOR_FLAT);
    vector_dispose(&v);
    parquet_column_reader_close(cr);
    parquet_reader_close(r);
    free(image);
    for (uint32_t i = 0; i < rows; i++)
        CHECK(pt_cell_matches(10, i, &strings, i, false));
    vector_dispose(&strings);
}

static void test_deterministic_bytes(void)
{
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    options.row_group_rows = 4000;
    size_t a_size, b_size;
    uint8_t *a = pt_write(9000, true, &options, &a_size);
    uint8_t *b = pt_write(9000, true, &options, &b_size);
    CHECK_INT_EQ(a_size, b_size);
    CHECK(a_size == b_size && memcmp(a, b, a_size) == 0);
    free(a);
    free(b);
}

/* One reader walks every (column, row group) chunk with reopen; values stay right. */
static void check_reopen_walk(parquet_reader *r, bool keep_dictionary)
{
    arm_error err;
    parquet_column_reader *cr = NULL;
    CHECK_OK(parquet_column_reader_open(&cr, r, 0, 0, &err), &err);
    if (cr == NULL)
        return;
    parquet_column_reader_set_keep_dictionary(cr, keep_dictionary);
    uint64_t mismatches = 0;
    for (int c = 0; c < PT_COLUMNS; c++) {
        vector v;
        vector_init(&v, pt_type(c));
        uint64_t row = 0;
        for (uint32_t g = 0; g < parquet_reader_row_group_count(r); g++) {
            CHECK_OK(parquet_column_reader_reopen(cr, r, g, (uint32_t)c, &err), &err);
            uint32_t got;
            while (parquet_column_reader_next(cr, &v, VECTOR_SIZE, &got, &err) == ARM_OK &&
                   got > 0) {
                for (uint32_t i = 0; i < got; i++)
                    mismatches += !pt_cell_matches(c, row + i, &v, i, true);
                row += got;
            }
        }
        CHECK_INT_EQ(row, parquet_reader_row_count(r));
        vector_dispose(&v);
    }
    CHECK_INT_EQ(mismatches, 0);
    /* a failed reopen leaves a cursor with no rows that can reopen again */
    CHECK_INT_EQ(parquet_column_reader_reopen(cr, r, 999, 0, &err), ARM_ERROR_MISUSE);
    vector v;
    vector_init(&v, pt_type(4));
    uint32_t got = 1;
    CHECK_OK(parquet_column_reader_next(cr, &v, VECTOR_SIZE, &got, &err), &err);
    CHECK_INT_EQ(got, 0);
    CHECK_OK(parquet_column_reader_reopen(cr, r, 1, 4, &err), &err);
    CHECK_OK(parquet_column_reader_next(cr, &v, VECTOR_SIZE, &got, &err), &err);
    CHECK(got > 0 && pt_cell_matches(4, 2500, &v, 0, true));
    vector_dispose(&v);
    parquet_column_reader_close(cr);
}

static void test_reopen_moves_between_chunks(void)
{
    arm_error err;
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    options.row_group_rows = 2500;
    options.codec = PARQUET_CODEC_SNAPPY;
    size_t size;
    uint8_t *image = pt_write(9000, true, &options, &size);
    char path[] = "/tmp/arm_parquet_reopen_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0 && image != NULL && write(fd, image, size) == (ssize_t)size);
    close(fd);
    parquet_reader *r = NULL;
    CHECK_OK(parquet_reader_open(&r, path, &err), &err);
    if (r != NULL) {
        check_reopen_walk(r, true);
        check_reopen_walk(r, false);
        parquet_reader_close(r);
    }
    CHECK_OK(parquet_reader_open_memory(&r, image, size, "<memory>", &err), &err);
    if (r != NULL) {
        check_reopen_walk(r, true);
        parquet_reader_close(r);
    }
    unlink(path);
    free(image);
}

/*
 * Writes column `v` (one row group, one page) and returns its chunk
 * statistics, which borrow from *reader (the caller closes it).
 */
static parquet_column_stats stats_written(const vector *v, uint32_t rows, bool use_dictionary,
                                          uint8_t **image, parquet_reader **reader)
{
    arm_error err;
    parquet_column_stats stats;
    memset(&stats, 0, sizeof stats);
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    options.use_dictionary = use_dictionary;
    options.page_size_bytes = 1u << 24;
    parquet_writer_column column = {"c", v->type, true, -1};
    parquet_writer *w = NULL;
    CHECK_OK(parquet_writer_create_memory(&w, &column, 1, &options, &err), &err);
    batch b;
    memset(&b, 0, sizeof b);
    b.column_count = 1;
    b.columns = (vector *)v;
    b.count = rows;
    CHECK_OK(parquet_writer_write_batch(w, &b, &err), &err);
    CHECK_OK(parquet_writer_close(w, NULL, &err), &err);
    size_t size;
    const uint8_t *bytes = parquet_writer_memory(w, &size);
    *image = malloc(size);
    memcpy(*image, bytes, size);
    parquet_writer_destroy(w);
    parquet_reader *r = NULL;
    CHECK_OK(parquet_reader_open_memory(&r, *image, size, "<memory>", &err), &err);
    if (r != NULL) {
        uint32_t pages = 0;
        parquet_page_info *info = NULL;
        CHECK_OK(parquet_reader_page_index(r, 0, 0, &info, &pages, &err), &err);
        CHECK_INT_EQ(pages, 1);
        CHECK_OK(parquet_reader_column_stats(r, 0, 0, &stats, &err), &err);
    }
    *reader = r;
    return stats;
}

/*
 * Dictionary pages compute min/max once per distinct entry: the statistics
 * must be those of the same values written PLAIN (shared prefixes, NULLs,
 * NaN, -0.0 and 0.0).
 */
static void test_dictionary_page_statistics(void)
{
    arm_error err;
    static const char *const words[] = {
        "cat_07", "cat_1",   "cat_", "cat_07x", "zeta-long-string-1", "zeta-long-string-0",
        "",       "\x7f\x80"};
    static const double numbers[] = {0.0, -0.0, 2.5, -7.25, NAN, 1e300, -1e-300};
    vector strings, doubles;
    vector_init(&strings, type_make(TYPE_VARCHAR));
    vector_init(&doubles, type_make(TYPE_DOUBLE));
    CHECK_OK(vector_prepare_flat(&strings, VECTOR_SIZE, &err), &err);
    CHECK_OK(vector_prepare_flat(&doubles, VECTOR_SIZE, &err), &err);
    CHECK_OK(vector_ensure_validity(&strings, &err), &err);
    uint32_t rows = 2000;
    for (uint32_t i = 0; i < rows; i++) {
        const char *w = words[(i * 7 + i / 13) % 8];
        ((string_view *)strings.data)[i] = string_view_make(w, (uint32_t)strlen(w));
        if (i % 17 == 5)
            vector_set_null(&strings, i);
        ((double *)doubles.data)[i] = numbers[(i * 5 + i / 11) % 7];
    }
    for (int k = 0; k < 2; k++) {
        const vector *v = k == 0 ? &strings : &doubles;
        uint8_t *a_image, *b_image;
        parquet_reader *a_reader, *b_reader;
        parquet_column_stats a = stats_written(v, rows, true, &a_image, &a_reader);
        parquet_column_stats b = stats_written(v, rows, false, &b_image, &b_reader);
        CHECK(a.has_min_max && b.has_min_max);
        CHECK(value_compare(&a.min, &b.min) == 0 && value_compare(&a.max, &b.max) == 0);
        CHECK_INT_EQ(a.null_count, b.null_count);
        if (k == 0) {
            CHECK(a.min.u.str.length == 0);
            CHECK(a.max.u.str.length == 2 && memcmp(a.max.u.str.data, "\x7f\x80", 2) == 0);
        } else {
            CHECK(a.min.u.f64 == -7.25 && a.max.u.f64 == 1e300);
        }
        parquet_reader_close(a_reader);
        parquet_reader_close(b_reader);
        free(a_image);
        free(b_image);
    }
    vector_dispose(&strings);
    vector_dispose(&doubles);
}

static void test_file_round_trip(void)
{
    arm_error err;
    char path[] = "/tmp/arm_parquet_test_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    parquet_writer_column columns[2] = {{"id", type_make(TYPE_BIGINT), false, -1},
                                        {"name", type_make(TYPE_VARCHAR), true, -1}};
    logical_type types[2] = {columns[0].type, columns[1].type};
    parquet_writer *w = NULL;
    CHECK_OK(parquet_writer_create(&w, path, columns, 2, NULL, &err), &err);
    batch b;
    batch_init(&b, 2, types, &err);
    vector_prepare_flat(&b.columns[0], VECTOR_SIZE, &err);
    vector_prepare_flat(&b.columns[1], VECTOR_SIZE, &err);
    vector_ensure_validity(&b.columns[1], &err);
    for (uint32_t i = 0; i < 10; i++) {
        ((int64_t *)b.columns[0].data)[i] = i * 10;
        string_view *s = &((string_view *)b.columns[1].data)[i];
        memset(s, 0, sizeof *s);
        s->length = 1;
        s->u.inlined[0] = (char)('a' + i);
        if (i == 4)
            vector_set_null(&b.columns[1], i);
    }
    /* only the even rows are selected */
    uint32_t sel[5] = {0, 2, 4, 6, 8};
    b.sel = sel;
    b.count = 5;
    CHECK_OK(parquet_writer_write_batch(w, &b, &err), &err);
    uint64_t total = 0;
    CHECK_OK(parquet_writer_close(w, &total, &err), &err);
    parquet_writer_destroy(w);
    b.sel = NULL;
    batch_dispose(&b);
    parquet_reader *r = NULL;
    CHECK_OK(parquet_reader_open(&r, path, &err), &err);
    if (r != NULL) {
        CHECK_INT_EQ(parquet_reader_file_size(r), total);
        CHECK_INT_EQ(parquet_reader_row_count(r), 5);
        CHECK(!parquet_reader_column_is_nullable(r, 0));
        parquet_column_reader *cr = NULL;
        vector v;
        vector_init(&v, columns[1].type);
        uint32_t got;
        CHECK_OK(parquet_column_reader_open(&cr, r, 0, 1, &err), &err);
        parquet_column_reader_set_keep_dictionary(cr, false);
        CHECK_OK(parquet_column_reader_next(cr, &v, VECTOR_SIZE, &got, &err), &err);
        CHECK_INT_EQ(got, 5);
        CHECK(!vector_is_valid(&v, 2));
        CHECK(vector_is_valid(&v, 3) && ((string_view *)v.data)[3].u.inlined[0] == 'g');
        vector_dispose(&v);
        parquet_column_reader_close(cr);
    }
    parquet_reader_close(r);
    unlink(path);
    CHECK(parquet_reader_open(&r, "/nonexistent/x.parquet", &err) == ARM_ERROR_IO);
}

static void test_not_null_violation(void)
{
    arm_error err;
    parquet_writer_column column = {"id", type_make(TYPE_INTEGER), false, -1};
    parquet_writer *w = NULL;
    CHECK_OK(parquet_writer_create_memory(&w, &column, 1, NULL, &err), &err);
    batch b;
    batch_init(&b, 1, &column.type, &err);
    vector_prepare_flat(&b.columns[0], VECTOR_SIZE, &err);
    vector_ensure_validity(&b.columns[0], &err);
    vector_set_null(&b.columns[0], 0);
    b.count = 1;
    CHECK(parquet_writer_write_batch(w, &b, &err) == ARM_ERROR_CONSTRAINT);
    batch_dispose(&b);
    parquet_writer_destroy(w);
}

/* Empty strings, all-NULL chunks, NaN-only pages and constant vectors. */
static void test_edge_values(void)
{
    arm_error err;
    parquet_writer_column columns[3] = {{"e", type_make(TYPE_VARCHAR), true, -1},
                                        {"n", type_make(TYPE_DOUBLE), true, -1},
                                        {"k", type_make(TYPE_BIGINT), false, -1}};
    logical_type types[3] = {columns[0].type, columns[1].type, columns[2].type};
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    options.row_group_rows = 100;
    parquet_writer *w = NULL;
    CHECK_OK(parquet_writer_create_memory(&w, columns, 3, &options, &err), &err);
    batch b;
    batch_init(&b, 3, types, &err);
    for (int c = 0; c < 2; c++) {
        vector_prepare_flat(&b.columns[c], VECTOR_SIZE, &err);
        vector_ensure_validity(&b.columns[c], &err);
    }
    for (uint32_t i = 0; i < 250; i++) {
        memset(&((string_view *)b.columns[0].data)[i], 0, sizeof(string_view));
        ((double *)b.columns[1].data)[i] = i < 100 ? (double)NAN : (double)i;
        if (i % 2 || i >= 200)
            vector_set_null(&b.columns[0], i);
        if (i >= 150)
            vector_set_null(&b.columns[1], i);
    }
    value seven = value_bigint(7);
    CHECK_OK(vector_set_constant(&b.columns[2], &seven, &err), &err);
    b.count = 250;
    CHECK_OK(parquet_writer_write_batch(w, &b, &err), &err);
    CHECK_OK(parquet_writer_close(w, NULL, &err), &err);
    size_t size;
    const uint8_t *image = parquet_writer_memory(w, &size);
    parquet_reader *r = NULL;
    CHECK_OK(parquet_reader_open_memory(&r, image, size, NULL, &err), &err);
    if (r != NULL) {
        vector v[3];
        for (uint32_t g = 0; g < 3; g++) {
            for (uint32_t c = 0; c < 3; c++) {
                parquet_column_reader *cr = NULL;
                uint32_t got = 0;
                vector_init(&v[c], types[c]);
                CHECK_OK(parquet_column_reader_open(&cr, r, g, c, &err), &err);
                if (cr == NULL)
                    continue;
                parquet_column_reader_set_keep_dictionary(cr, false);
                CHECK_OK(parquet_column_reader_next(cr, &v[c], VECTOR_SIZE, &got, &err), &err);
                CHECK_INT_EQ(got, g < 2 ? 100 : 50);
                parquet_column_reader_close(cr);
            }
            for (uint32_t i = 0; i < (g < 2 ? 100u : 50u); i++) {
                uint32_t row = g * 100 + i;
                bool e_valid = !(row % 2 || row >= 200);
                CHECK(vector_is_valid(&v[0], i) == e_valid);
                if (e_valid && v[0].kind == VECTOR_FLAT)
                    CHECK(((string_view *)v[0].data)[i].length == 0);
                CHECK(vector_is_valid(&v[1], i) == (row < 150));
                if (row < 100)
                    CHECK(isnan(((double *)v[1].data)[i]));
                CHECK(((int64_t *)v[2].data)[i] == 7);
            }
            for (uint32_t c = 0; c < 3; c++)
                vector_dispose(&v[c]);
        }
        parquet_column_stats s;
        CHECK_OK(parquet_reader_column_stats(r, 0, 1, &s, &err), &err);
        CHECK(!s.has_min_max);
        CHECK_OK(parquet_reader_column_stats(r, 2, 0, &s, &err), &err);
        CHECK(!s.has_min_max && s.null_count == 50);
        CHECK_OK(parquet_reader_column_stats(r, 0, 0, &s, &err), &err);
        CHECK(s.has_min_max && s.min.u.str.length == 0 && s.null_count == 50);
        parquet_page_info *pages;
        uint32_t count;
        CHECK_OK(parquet_reader_page_index(r, 0, 1, &pages, &count, &err), &err);
        CHECK_INT_EQ(count, 1);
        CHECK(!pages[0].stats.has_min_max);
    }
    parquet_reader_close(r);
    batch_dispose(&b);
    parquet_writer_destroy(w);
}

/* Whether a column of `rows` values (k-th: value_of(k)) is written with a dictionary. */
static bool writes_dictionary(uint32_t rows, int64_t (*value_of)(uint32_t))
{
    vector v;
    vector_init(&v, type_make(TYPE_BIGINT));
    arm_error err;
    CHECK_OK(vector_prepare_flat(&v, rows, &err), &err);
    for (uint32_t k = 0; k < rows; k++)
        ((int64_t *)v.data)[k] = value_of(k);
    uint8_t *image = NULL;
    parquet_reader *r = NULL;
    (void)stats_written(&v, rows, true, &image, &r);
    bool dictionary =
        r != NULL &&
        parquet_reader_metadata(r)->row_groups[0].columns[0].meta.has_dictionary_page_offset;
    parquet_reader_close(r);
    free(image);
    vector_dispose(&v);
    return dictionary;
}

static int64_t cyclic_value(uint32_t k)
{
    return k % 5000;
}

static int64_t distinct_value(uint32_t k)
{
    return (int64_t)k * 7919 - 3;
}

/*
 * A dictionary is skipped when an evenly spread sample is all distinct, not
 * when the first values are: a cyclic column (the first 1024 values all
 * differ) still gets one, a column of distinct values does not.
 */
static void test_dictionary_sample(void)
{
    CHECK(writes_dictionary(20000, cyclic_value));
    CHECK(!writes_dictionary(20000, distinct_value));
}

/* Whole batches of aligned PLAIN values are slices of the page buffer, not copies. */
static void test_zero_copy_batches(void)
{
    arm_error err;
    size_t size;
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    options.use_dictionary = false;
    uint8_t *image = pt_write(10000, false, &options, &size);
    parquet_reader *r = NULL;
    CHECK_OK(parquet_reader_open_memory(&r, image, size, NULL, &err), &err);
    parquet_column_reader *cr = NULL;
    if (r != NULL)
        CHECK_OK(parquet_column_reader_open(&cr, r, 0, 4, &err), &err);
    if (cr != NULL) {
        vector v;
        vector_init(&v, pt_type(4));
        uint32_t got, row = 0, sliced = 0;
        while (parquet_column_reader_next(cr, &v, VECTOR_SIZE, &got, &err) == ARM_OK && got > 0) {
            sliced += v.data_buffer == NULL || v.data != v.data_buffer->data;
            for (uint32_t i = 0; i < got; i++)
                CHECK(pt_cell_matches(4, row + i, &v, i, false));
            row += got;
        }
        CHECK_INT_EQ(row, 10000);
        CHECK(sliced >= 4);
        parquet_column_reader_close(cr);
        /* the slice outlives the reader through the vector */
        parquet_reader_close(r);
        r = NULL;
        CHECK(pt_cell_matches(4, 8192, &v, 0, false));
        vector_dispose(&v);
    }
    parquet_reader_close(r);
    free(image);
}

/*
 * PLAIN fixed-width values of uncompressed pages start at file offsets that are multiples
 * of their width, whatever the page header's size, the levels before them and the row
 * groups before (encoded apart and padded): so every whole batch of such a column is read
 * as a view of the file's bytes, and its values are right.
 */
static void check_views(bool v2, bool nullable, bool parallel_groups, parquet_codec_id codec)
{
    arm_error err;
    static const type_id ids[] = {TYPE_INTEGER, TYPE_BIGINT, TYPE_REAL,
                                  TYPE_DOUBLE,  TYPE_DATE,   TYPE_TIMESTAMP};
    enum { COLUMNS = 6, ROWS = 3 * 4096 + 1000 };
    parquet_writer_column columns[COLUMNS];
    logical_type types[COLUMNS];
    for (int c = 0; c < COLUMNS; c++) {
        types[c] = type_make(ids[c]);
        columns[c] = (parquet_writer_column){pt_names[c], types[c], nullable, c + 1};
    }
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    options.codec = codec;
    options.raw_if_incompressible = true;
    options.use_dictionary = false;
    options.data_page_v2 = v2;
    options.row_group_rows = 4096;
    parquet_writer *w = NULL;
    CHECK_OK(parquet_writer_create_memory(&w, columns, COLUMNS, &options, &err), &err);
    enum { BATCHES = (ROWS + VECTOR_SIZE - 1) / VECTOR_SIZE };
    batch batches[BATCHES];
    /* Values that do not compress (so raw_if_incompressible stores them raw) and that
     * a row's number gives back. */
    for (uint32_t k = 0; k < BATCHES; k++) {
        uint64_t first = (uint64_t)k * VECTOR_SIZE;
        uint32_t n = ROWS - first < VECTOR_SIZE ? (uint32_t)(ROWS - first) : VECTOR_SIZE;
        batch_init(&batches[k], COLUMNS, types, &err);
        for (int c = 0; c < COLUMNS; c++) {
            vector *v = &batches[k].columns[c];
            size_t width = type_physical_size(types[c]);
            vector_prepare_flat(v, VECTOR_SIZE, &err);
            for (uint32_t i = 0; i < n; i++) {
                uint64_t x = hash_u64(first + i);
                memcpy((uint8_t *)v->data + i * width, &x, width);
                if (ids[c] == TYPE_REAL || ids[c] == TYPE_DOUBLE) /* finite floats */
                    ((uint8_t *)v->data)[i * width + width - 1] &= 0x3f;
            }
        }
        batches[k].count = n;
        batches[k].sel = NULL;
    }
    thread_pool *pool = NULL;
    if (parallel_groups) { /* groups encoded apart, then placed at the file's end */
        CHECK_OK(thread_pool_create(&pool, 2, &err), &err);
        CHECK_OK(parquet_writer_write_batches(w, batches, BATCHES, pool, 2, &err), &err);
    } else {
        for (uint32_t k = 0; k < BATCHES; k++)
            CHECK_OK(parquet_writer_write_batch(w, &batches[k], &err), &err);
    }
    uint64_t total = 0;
    CHECK_OK(parquet_writer_close(w, &total, &err), &err);
    size_t size = 0;
    const uint8_t *bytes = parquet_writer_memory(w, &size);
    /* The file as a chunk table reads it: in a buffer of its own from offset 0, so file
     * offsets keep their alignment (here one part holds the whole file). */
    buffer *file = buffer_create(size);
    memcpy(file->data, bytes, size);
    file->size_bytes = size;
    parquet_image_segment segment = {0, file};
    parquet_reader *r = NULL;
    CHECK_OK(parquet_reader_open_segments(&r, &segment, 1, size, NULL, &err), &err);
    buffer_release(file);
    for (int c = 0; r != NULL && c < COLUMNS; c++) {
        uint32_t views = 0, whole = 0;
        uint64_t row = 0;
        vector v;
        vector_init(&v, types[c]);
        for (uint32_t g = 0; g < parquet_reader_row_group_count(r); g++) {
            parquet_column_reader *cr = NULL;
            CHECK_OK(parquet_column_reader_open(&cr, r, g, (uint32_t)c, &err), &err);
            uint32_t got;
            while (cr != NULL &&
                   parquet_column_reader_next(cr, &v, VECTOR_SIZE, &got, &err) == ARM_OK &&
                   got > 0) {
                size_t width = type_physical_size(types[c]);
                whole += got == VECTOR_SIZE;
                views += v.data_buffer == NULL || v.data != v.data_buffer->data;
                CHECK((uintptr_t)v.data % width == 0);
                for (uint32_t i = 0; i < got; i++, row++) {
                    uint64_t x = hash_u64(row);
                    if (ids[c] == TYPE_REAL || ids[c] == TYPE_DOUBLE)
                        ((uint8_t *)&x)[width - 1] &= 0x3f;
                    if (memcmp((uint8_t *)v.data + i * width, &x, width) != 0) {
                        CHECK(!"value read back differs");
                        break;
                    }
                }
            }
            parquet_column_reader_close(cr);
        }
        CHECK_INT_EQ(row, ROWS);
        CHECK_INT_EQ(whole, 6);
        CHECK_INT_EQ(views, whole);
        vector_dispose(&v);
    }
    parquet_reader_close(r);
    for (uint32_t k = 0; k < BATCHES; k++)
        batch_dispose(&batches[k]);
    parquet_writer_destroy(w);
    thread_pool_destroy(pool);
}

static void test_aligned_plain_values_are_views(void)
{
    for (int mask = 0; mask < 8; mask++)
        check_views(mask & 1, mask & 2, mask & 4, PARQUET_CODEC_UNCOMPRESSED);
    check_views(false, true, false, PARQUET_CODEC_LZ4_RAW); /* stored raw: incompressible */
}

/* Text of row `row` of the fallback test: 20 strings, then distinct ones. */
static uint32_t fallback_text(uint64_t row, uint64_t dictionary_rows, char *out)
{
    return (uint32_t)(row < dictionary_rows
                          ? sprintf(out, "cat_%02d", (int)(row % 20))
                          : sprintf(out, "plain text %llu", (unsigned long long)row));
}

/*
 * Writers give up on a dictionary that grows too large and go on with PLAIN
 * pages in the same column chunk. Ours never does, so the test builds such a
 * chunk: our dictionary-encoded column, then a PLAIN page appended by hand
 * and the footer rewritten. A batch that starts on entry numbers (kept, in a
 * buffer sized for them) and goes on with plain values must come out whole.
 */
static void test_dictionary_then_plain_pages(void)
{
    enum { DICT_ROWS = 1000, PLAIN_ROWS = 700, ROWS_ALL = DICT_ROWS + PLAIN_ROWS };
    arm_error err;
    parquet_writer_column column = {"s", type_make(TYPE_VARCHAR), false, 1};
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    options.codec = PARQUET_CODEC_UNCOMPRESSED;
    options.write_page_index = false;
    parquet_writer *w = NULL;
    CHECK_OK(parquet_writer_create_memory(&w, &column, 1, &options, &err), &err);
    batch b;
    logical_type type = column.type;
    CHECK_OK(batch_init(&b, 1, &type, &err), &err);
    CHECK_OK(vector_prepare_flat(&b.columns[0], DICT_ROWS, &err), &err);
    char text[64];
    for (uint32_t i = 0; i < DICT_ROWS; i++) {
        uint32_t n = fallback_text(i, DICT_ROWS, text);
        CHECK_OK(
            vector_add_string(&b.columns[0], text, n, &((string_view *)b.columns[0].data)[i], &err),
            &err);
    }
    b.count = DICT_ROWS;
    CHECK_OK(parquet_writer_write_batch(w, &b, &err), &err);
    uint64_t total = 0;
    CHECK_OK(parquet_writer_close(w, &total, &err), &err);
    size_t size = 0;
    const uint8_t *image = parquet_writer_memory(w, &size);
    parquet_reader *r = NULL;
    CHECK_OK(parquet_reader_open_memory(&r, image, size, "fallback", &err), &err);
    parquet_file_meta meta = *parquet_reader_metadata(r);
    parquet_row_group group = meta.row_groups[0];
    parquet_column_chunk chunk = group.columns[0];
    CHECK(chunk.meta.has_dictionary_page_offset); /* the column is dictionary-encoded */
    uint64_t chunk_end =
        (uint64_t)chunk.meta.dictionary_page_offset + (uint64_t)chunk.meta.total_compressed_size;
    /* the PLAIN page: 4-byte lengths and bytes, no levels (the column is required) */
    thrift_writer body, header;
    thrift_writer_init(&body);
    thrift_writer_init(&header);
    for (uint64_t row = DICT_ROWS; row < ROWS_ALL; row++) {
        uint32_t n = fallback_text(row, DICT_ROWS, text);
        thrift_write_bytes(&body, &n, 4);
        thrift_write_bytes(&body, text, n);
    }
    parquet_page_header h = {0};
    h.type = PARQUET_PAGE_DATA;
    h.uncompressed_page_size = h.compressed_page_size = (int32_t)body.size;
    h.has_data_page = true;
    h.data_page.num_values = PLAIN_ROWS;
    h.data_page.encoding = PARQUET_ENC_PLAIN;
    h.data_page.definition_level_encoding = PARQUET_ENC_RLE;
    h.data_page.repetition_level_encoding = PARQUET_ENC_RLE;
    parquet_page_header_encode(&header, &h);
    int64_t added = (int64_t)(header.size + body.size);
    chunk.meta.num_values += PLAIN_ROWS;
    chunk.meta.total_compressed_size += added;
    chunk.meta.total_uncompressed_size += added;
    chunk.meta.has_statistics = false;
    group.columns = &chunk;
    group.num_rows = ROWS_ALL;
    group.total_byte_size += added;
    group.has_total_compressed_size = false;
    meta.row_groups = &group;
    meta.num_rows = ROWS_ALL;
    thrift_writer footer;
    thrift_writer_init(&footer);
    parquet_file_meta_encode(&footer, &meta);
    CHECK(!body.failed && !header.failed && !footer.failed);
    size_t spliced_size = chunk_end + header.size + body.size + footer.size + 8;
    uint8_t *spliced = malloc(spliced_size), *p = spliced;
    memcpy(p, image, chunk_end), p += chunk_end;
    memcpy(p, header.data, header.size), p += header.size;
    memcpy(p, body.data, body.size), p += body.size;
    memcpy(p, footer.data, footer.size), p += footer.size;
    uint32_t footer_size = (uint32_t)footer.size;
    memcpy(p, &footer_size, 4), memcpy(p + 4, "PAR1", 4);
    parquet_reader_close(r);
    for (int keep = 0; keep < 2; keep++) {
        CHECK_OK(parquet_reader_open_memory(&r, spliced, spliced_size, "fallback", &err), &err);
        parquet_column_reader *cr = NULL;
        CHECK_OK(parquet_column_reader_open(&cr, r, 0, 0, &err), &err);
        parquet_column_reader_set_keep_dictionary(cr, keep);
        vector v;
        vector_init(&v, type);
        uint32_t got = 0, wrong = 0;
        CHECK_OK(parquet_column_reader_next(cr, &v, VECTOR_SIZE, &got, &err), &err);
        CHECK_INT_EQ(got, ROWS_ALL); /* one batch across both kinds of page */
        CHECK(v.kind == VECTOR_FLAT);
        for (uint32_t i = 0; i < got; i++) {
            uint32_t n = fallback_text(i, DICT_ROWS, text);
            const string_view *sv = &((const string_view *)v.data)[i];
            wrong += sv->length != n || memcmp(string_view_data(sv), text, n) != 0;
        }
        CHECK_INT_EQ(wrong, 0);
        vector_dispose(&v);
        parquet_column_reader_close(cr);
        parquet_reader_close(r);
    }
    free(spliced);
    thrift_writer_dispose(&body);
    thrift_writer_dispose(&header);
    thrift_writer_dispose(&footer);
    batch_dispose(&b);
    parquet_writer_destroy(w);
}

TEST_MAIN(test_raw_if_incompressible, test_dictionary_then_plain_pages, test_delta_int64,
          test_dictionary_page_statistics, test_dictionary_sample, test_reopen_moves_between_chunks,
          test_zero_copy_batches, test_edge_values, test_all_codecs_encodings_nullability,
          test_small_and_empty, test_schema_mapping, test_statistics_and_page_index,
          test_skip_rows_and_pages, test_dictionary_vectors, test_deterministic_bytes,
          test_file_round_trip, test_not_null_violation, test_aligned_plain_values_are_views)
