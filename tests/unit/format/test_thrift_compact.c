/*
 * test_thrift_compact.c: the Thrift compact protocol decoder and encoder:
 * round trips, hand-made inputs, and malformed input (truncation, overflow,
 * unknown types, depth bombs, lying counts) that must fail cleanly.
 */
#include <stdlib.h>

#include "format/parquet_metadata.h"
#include "format/thrift_compact.h"
#include "harness.h"

static void test_varint_zigzag_round_trip(void)
{
    static const int64_t values[] = {0,   1,    -1,        63,        -64,       64,
                                     300, -300, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN};
    thrift_writer w;
    thrift_writer_init(&w);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        thrift_write_i64(&w, values[i]);
    thrift_reader r;
    thrift_reader_init(&r, w.data, w.size);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        CHECK_INT_EQ(thrift_read_i64(&r), values[i]);
    CHECK(!r.failed);
    CHECK_INT_EQ(r.pos, w.size);
    thrift_writer_dispose(&w);
}

static void test_hand_made_struct(void)
{
    /* field 1 i32 = 5 (delta 1, type 5, zigzag 10), field 3 binary "ab", field 20 (long form) bool
     * true, stop */
    static const uint8_t bytes[] = {0x15, 0x0a, 0x28, 0x02, 'a', 'b', 0x01, 0x28, 0x00};
    thrift_reader r;
    thrift_reader_init(&r, bytes, sizeof bytes);
    CHECK(thrift_read_struct_begin(&r));
    thrift_type type;
    int16_t id;
    CHECK(thrift_read_field(&r, &type, &id));
    CHECK_INT_EQ(id, 1);
    CHECK_INT_EQ(type, THRIFT_I32);
    CHECK_INT_EQ(thrift_read_i32(&r), 5);
    CHECK(thrift_read_field(&r, &type, &id));
    CHECK_INT_EQ(id, 3);
    uint32_t length;
    const uint8_t *p = thrift_read_binary(&r, &length);
    CHECK(length == 2 && p[0] == 'a' && p[1] == 'b');
    CHECK(thrift_read_field(&r, &type, &id));
    CHECK_INT_EQ(id, 20);
    CHECK(thrift_read_field_bool(type));
    CHECK(!thrift_read_field(&r, &type, &id));
    CHECK(!r.failed);
    thrift_read_struct_end(&r);
}

static void test_malformed_inputs_fail(void)
{
    thrift_reader r;
    thrift_type type;
    int16_t id;
    uint32_t length;
    /* varint longer than 10 bytes */
    static const uint8_t long_varint[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    thrift_reader_init(&r, long_varint, sizeof long_varint);
    thrift_read_varint(&r);
    CHECK(r.failed);
    /* binary length beyond the input */
    static const uint8_t lying_binary[] = {0x10, 'x'};
    thrift_reader_init(&r, lying_binary, sizeof lying_binary);
    CHECK(thrift_read_binary(&r, &length) == NULL);
    CHECK(r.failed);
    /* unknown field type 13 */
    static const uint8_t unknown[] = {0x1d, 0x00};
    thrift_reader_init(&r, unknown, sizeof unknown);
    thrift_read_struct_begin(&r);
    CHECK(!thrift_read_field(&r, &type, &id));
    CHECK(r.failed);
    /* list claiming 2^31 elements */
    static const uint8_t big_list[] = {0xf5, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00};
    thrift_reader_init(&r, big_list, sizeof big_list);
    thrift_type elem;
    uint32_t count;
    CHECK(!thrift_read_list(&r, &elem, &count));
    CHECK(r.failed);
    /* truncated in the middle of a struct */
    static const uint8_t truncated[] = {0x15};
    thrift_reader_init(&r, truncated, sizeof truncated);
    CHECK(!thrift_skip(&r, THRIFT_STRUCT));
    CHECK(r.failed);
}

static void test_depth_bomb_fails(void)
{
    /* 10000 nested struct fields: each byte 0x1c opens field 1 of type struct. */
    size_t n = 10000;
    uint8_t *bytes = malloc(n);
    memset(bytes, 0x1c, n);
    thrift_reader r;
    thrift_reader_init(&r, bytes, n);
    CHECK(!thrift_skip(&r, THRIFT_STRUCT));
    CHECK(r.failed);
    CHECK_STR_EQ(r.failure, "nesting too deep");
    /* nested lists of lists */
    for (size_t i = 0; i < n; i++)
        bytes[i] = 0x19; /* list of 1 element of type list */
    thrift_reader_init(&r, bytes, n);
    CHECK(!thrift_skip(&r, THRIFT_LIST));
    CHECK(r.failed);
    free(bytes);
}

static void test_skip_unknown_fields(void)
{
    /* A page header with an unknown field 9 (a map) and field 4 crc, between the required ones. */
    thrift_writer w;
    thrift_writer_init(&w);
    thrift_write_struct_begin(&w);
    thrift_write_field_i32(&w, 1, PARQUET_PAGE_DATA);
    thrift_write_field_i32(&w, 2, 100);
    thrift_write_field_i32(&w, 3, 80);
    thrift_write_field_i32(&w, 4, 1234);
    thrift_write_field_struct(&w, 5);
    thrift_write_field_i32(&w, 1, 10);
    thrift_write_field_i32(&w, 2, PARQUET_ENC_PLAIN);
    thrift_write_field_i32(&w, 3, PARQUET_ENC_RLE);
    thrift_write_field_i32(&w, 4, PARQUET_ENC_RLE);
    thrift_write_struct_end(&w);
    thrift_write_field_begin(&w, THRIFT_MAP, 9);
    thrift_write_varint(&w, 1);
    uint8_t kinds = (THRIFT_BINARY << 4) | THRIFT_I32;
    thrift_write_bytes(&w, &kinds, 1);
    thrift_write_binary(&w, "k", 1);
    thrift_write_i32(&w, 7);
    thrift_write_field_begin(&w, THRIFT_DOUBLE, 10);
    double d = 1.5;
    thrift_write_bytes(&w, &d, 8);
    thrift_write_struct_end(&w);
    CHECK(!w.failed);
    parquet_page_header h;
    thrift_reader r;
    thrift_reader_init(&r, w.data, w.size);
    CHECK(parquet_page_header_decode(&h, &r));
    CHECK_INT_EQ(h.uncompressed_page_size, 100);
    CHECK_INT_EQ(h.compressed_page_size, 80);
    CHECK(h.has_crc && h.crc == 1234);
    CHECK(h.has_data_page);
    CHECK_INT_EQ(h.data_page.num_values, 10);
    CHECK_INT_EQ(r.pos, w.size);
    /* Every strict prefix must fail. */
    for (size_t cut = 0; cut < w.size; cut++) {
        thrift_reader_init(&r, w.data, cut);
        CHECK(!parquet_page_header_decode(&h, &r));
    }
    thrift_writer_dispose(&w);
}

static void test_missing_required_field(void)
{
    thrift_writer w;
    thrift_writer_init(&w);
    thrift_write_struct_begin(&w);
    thrift_write_field_i32(&w, 1, PARQUET_PAGE_DATA);
    thrift_write_field_i32(&w, 3, 80); /* no uncompressed size */
    thrift_write_struct_end(&w);
    parquet_page_header h;
    thrift_reader r;
    thrift_reader_init(&r, w.data, w.size);
    CHECK(!parquet_page_header_decode(&h, &r));
    CHECK(r.failed);
    thrift_writer_dispose(&w);
}

static void test_column_index_round_trip(void)
{
    bool nulls[3] = {false, true, false};
    parquet_bytes mins[3] = {{(const uint8_t *)"a", 1}, {NULL, 0}, {(const uint8_t *)"m", 1}};
    parquet_bytes maxs[3] = {{(const uint8_t *)"f", 1}, {NULL, 0}, {(const uint8_t *)"z", 1}};
    int64_t counts[3] = {0, 20, 3};
    parquet_column_index ci = {3, nulls, mins, maxs, PARQUET_ASCENDING, true, counts};
    thrift_writer w;
    thrift_writer_init(&w);
    parquet_column_index_encode(&w, &ci);
    arena *a = arena_create(0, NULL);
    parquet_column_index out;
    thrift_reader r;
    thrift_reader_init(&r, w.data, w.size);
    CHECK(parquet_column_index_decode(&out, &r, a));
    CHECK_INT_EQ(out.page_count, 3);
    CHECK(!out.null_pages[0] && out.null_pages[1] && !out.null_pages[2]);
    CHECK(out.min_values[2].length == 1 && out.min_values[2].data[0] == 'm');
    CHECK(out.max_values[0].length == 1 && out.max_values[0].data[0] == 'f');
    CHECK_INT_EQ(out.boundary_order, PARQUET_ASCENDING);
    CHECK(out.has_null_counts && out.null_counts[1] == 20);
    arena_destroy(a);
    thrift_writer_dispose(&w);
}

TEST_MAIN(test_varint_zigzag_round_trip, test_hand_made_struct, test_malformed_inputs_fail,
          test_depth_bomb_fails, test_skip_unknown_fields, test_missing_required_field,
          test_column_index_round_trip)
