/*
 * test_parquet_corrupt.c: damaged Parquet input must give an error
 * (ARM_ERROR_CORRUPT naming file, column and offset), never a crash or an
 * allocation driven by an unchecked length: truncation at every byte, byte
 * flips everywhere, bad magic, lying footer lengths and offsets, and
 * hand-built pages with absurd sizes, wrong decompressed sizes and bad
 * indexes.
 */
#include <lz4.h>

#include "format/parquet_codec.h"
#include "format/parquet_encoding.h"
#include "parquet_test_util.h"

/* Opens and reads everything; returns the first failure status (ARM_OK if none). */
static arm_status read_everything(const uint8_t *data, size_t size, arm_error *err)
{
    parquet_reader *r = NULL;
    arm_status status = parquet_reader_open_memory(&r, data, size, "bad.parquet", err);
    if (status != ARM_OK)
        return status;
    vector v;
    for (uint32_t c = 0; c < parquet_reader_column_count(r) && status == ARM_OK; c++) {
        vector_init(&v, parquet_reader_column_type(r, c));
        for (uint32_t g = 0; g < parquet_reader_row_group_count(r) && status == ARM_OK; g++) {
            parquet_column_stats stats;
            parquet_page_info *pages;
            uint32_t count, got;
            if ((status = parquet_reader_column_stats(r, g, c, &stats, err)) != ARM_OK ||
                (status = parquet_reader_page_index(r, g, c, &pages, &count, err)) != ARM_OK)
                break;
            parquet_column_reader *cr = NULL;
            if ((status = parquet_column_reader_open(&cr, r, g, c, err)) != ARM_OK)
                break;
            do {
                status = parquet_column_reader_next(cr, &v, VECTOR_SIZE, &got, err);
            } while (status == ARM_OK && got > 0);
            parquet_column_reader_close(cr);
        }
        vector_dispose(&v);
    }
    parquet_reader_close(r);
    return status;
}

static uint8_t *small_file(parquet_codec_id codec, bool v2, size_t *size)
{
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    options.codec = codec;
    options.data_page_v2 = v2;
    options.row_group_rows = 40;
    options.page_size_bytes = 64;
    return pt_write(100, true, &options, size);
}

static void test_truncation_at_every_byte(void)
{
    arm_error err;
    size_t size;
    uint8_t *image = small_file(PARQUET_CODEC_SNAPPY, false, &size);
    CHECK_OK(read_everything(image, size, &err), &err);
    for (size_t cut = 0; cut < size; cut++) {
        arm_status status = read_everything(image, cut, &err);
        CHECK_INT_EQ(status, ARM_ERROR_CORRUPT);
    }
    free(image);
}

static void test_byte_flips_never_crash(void)
{
    arm_error err;
    static const parquet_codec_id codecs[] = {PARQUET_CODEC_UNCOMPRESSED, PARQUET_CODEC_ZSTD};
    for (int k = 0; k < 4; k++) {
        size_t size;
        uint8_t *image = small_file(codecs[k % 2], k >= 2, &size);
        uint8_t *copy = malloc(size);
        size_t step = size / 1200 + 1;
        int failures = 0;
        for (size_t pos = 0; pos < size; pos += step) {
            static const uint8_t masks[] = {0xff, 0x01, 0x80, 0x7f};
            memcpy(copy, image, size);
            copy[pos] ^= masks[pos % 4];
            arm_status status = read_everything(copy, size, &err);
            CHECK(status == ARM_OK || status == ARM_ERROR_CORRUPT ||
                  status == ARM_ERROR_NOT_SUPPORTED);
            failures += status != ARM_OK;
        }
        CHECK(failures > 0);
        free(copy);
        free(image);
    }
}

static void test_magic_and_footer_length(void)
{
    arm_error err;
    size_t size;
    uint8_t *image = small_file(PARQUET_CODEC_UNCOMPRESSED, false, &size);
    uint8_t *copy = malloc(size);
    memcpy(copy, image, size);
    copy[0] = 'X';
    CHECK_INT_EQ(read_everything(copy, size, &err), ARM_ERROR_CORRUPT);
    CHECK(strstr(err.message, "magic") != NULL);
    CHECK(strstr(err.detail, "bad.parquet") != NULL && strstr(err.detail, "byte offset 0"));
    memcpy(copy, image, size);
    copy[size - 1] = 'X';
    CHECK_INT_EQ(read_everything(copy, size, &err), ARM_ERROR_CORRUPT);
    memcpy(copy, image, size);
    uint32_t lying = 0x7fffffff;
    memcpy(copy + size - 8, &lying, 4);
    CHECK_INT_EQ(read_everything(copy, size, &err), ARM_ERROR_CORRUPT);
    CHECK(strstr(err.message, "footer length") != NULL);
    lying = 0;
    memcpy(copy + size - 8, &lying, 4);
    CHECK_INT_EQ(read_everything(copy, size, &err), ARM_ERROR_CORRUPT);
    /* footer length one too small: the thrift decode fails somewhere inside */
    memcpy(copy, image, size);
    uint32_t footer;
    memcpy(&footer, image + size - 8, 4);
    footer -= 1;
    memcpy(copy + size - 8, &footer, 4);
    CHECK_INT_EQ(read_everything(copy, size, &err), ARM_ERROR_CORRUPT);
    free(copy);
    free(image);
}

/* ---- hand-built files: one required INT32 column "x", one row group ---- */

typedef struct hand_page {
    parquet_page_header header;
    const uint8_t *body;
    size_t body_size;
} hand_page;

/* Builds a file from raw pages; `meta_edit` may change the column metadata before encoding. */
static parquet_physical_type hand_type = PARQUET_INT32;
static parquet_converted_type hand_converted = PARQUET_CT_NONE;
static int32_t hand_precision, hand_scale;

static uint8_t *build_file(const hand_page *pages, int page_count, parquet_codec_id codec,
                           int64_t rows, void (*meta_edit)(parquet_column_chunk *), size_t *size)
{
    parquet_byte_buffer out = {0};
    thrift_writer t;
    thrift_writer_init(&t);
    parquet_byte_buffer_append(&out, "PAR1", 4);
    int64_t first = 4, data_offset = 4;
    bool has_dict = false;
    for (int i = 0; i < page_count; i++) {
        if (pages[i].header.type == PARQUET_PAGE_DICTIONARY)
            has_dict = true;
        else if (data_offset == first &&
                 (i == 0 || pages[i - 1].header.type == PARQUET_PAGE_DICTIONARY))
            data_offset = (int64_t)out.size;
        thrift_writer_reset(&t);
        parquet_page_header_encode(&t, &pages[i].header);
        parquet_byte_buffer_append(&out, t.data, t.size);
        parquet_byte_buffer_append(&out, pages[i].body, pages[i].body_size);
    }
    parquet_schema_element schema[2];
    memset(schema, 0, sizeof schema);
    schema[0].name = "schema";
    schema[0].num_children = 1;
    schema[0].converted_type = PARQUET_CT_NONE;
    schema[1].name = "x";
    schema[1].has_type = true;
    schema[1].type = hand_type;
    schema[1].has_repetition = true;
    schema[1].repetition = PARQUET_REQUIRED;
    schema[1].converted_type = hand_converted;
    schema[1].precision = hand_precision;
    schema[1].scale = hand_scale;
    const char *path[1] = {"x"};
    parquet_encoding encodings[1] = {PARQUET_ENC_PLAIN};
    parquet_column_chunk chunk;
    memset(&chunk, 0, sizeof chunk);
    chunk.has_meta = true;
    chunk.meta = (parquet_column_meta){.type = hand_type,
                                       .encoding_count = 1,
                                       .encodings = encodings,
                                       .path_count = 1,
                                       .path = path,
                                       .codec = codec,
                                       .num_values = rows,
                                       .total_uncompressed_size = (int64_t)out.size - 4,
                                       .total_compressed_size = (int64_t)out.size - 4,
                                       .data_page_offset = data_offset,
                                       .has_dictionary_page_offset = has_dict,
                                       .dictionary_page_offset = 4};
    if (meta_edit)
        meta_edit(&chunk);
    parquet_row_group group = {.column_count = 1, .columns = &chunk, .num_rows = rows};
    parquet_file_meta meta = {.version = 1,
                              .schema_count = 2,
                              .schema = schema,
                              .num_rows = rows,
                              .row_group_count = 1,
                              .row_groups = &group};
    thrift_writer_reset(&t);
    parquet_file_meta_encode(&t, &meta);
    parquet_byte_buffer_append(&out, t.data, t.size);
    uint32_t length = (uint32_t)t.size;
    parquet_byte_buffer_append(&out, &length, 4);
    parquet_byte_buffer_append(&out, "PAR1", 4);
    thrift_writer_dispose(&t);
    *size = out.size;
    return out.data;
}

static parquet_page_header data_header(int32_t values, int32_t size, parquet_encoding encoding)
{
    parquet_page_header h;
    memset(&h, 0, sizeof h);
    h.type = PARQUET_PAGE_DATA;
    h.uncompressed_page_size = size;
    h.compressed_page_size = size;
    h.has_data_page = true;
    h.data_page.num_values = values;
    h.data_page.encoding = encoding;
    h.data_page.definition_level_encoding = PARQUET_ENC_RLE;
    h.data_page.repetition_level_encoding = PARQUET_ENC_RLE;
    return h;
}

static arm_status read_hand(const hand_page *pages, int count, parquet_codec_id codec, int64_t rows,
                            void (*edit)(parquet_column_chunk *), arm_error *err)
{
    size_t size;
    uint8_t *file = build_file(pages, count, codec, rows, edit, &size);
    arm_status status = read_everything(file, size, err);
    free(file);
    return status;
}

static void test_hand_built_good_file(void)
{
    arm_error err;
    int32_t values[4] = {1, 2, 3, 4};
    hand_page page = {data_header(4, 16, PARQUET_ENC_PLAIN), (const uint8_t *)values, 16};
    CHECK_OK(read_hand(&page, 1, PARQUET_CODEC_UNCOMPRESSED, 4, NULL, &err), &err);
}

static void test_page_lies_about_values(void)
{
    arm_error err;
    int32_t values[4] = {1, 2, 3, 4};
    /* claims 1000 values in 16 bytes */
    hand_page page = {data_header(1000, 16, PARQUET_ENC_PLAIN), (const uint8_t *)values, 16};
    CHECK_INT_EQ(read_hand(&page, 1, PARQUET_CODEC_UNCOMPRESSED, 1000, NULL, &err),
                 ARM_ERROR_CORRUPT);
    CHECK(strstr(err.detail, "column \"x\"") != NULL);
    CHECK(strstr(err.detail, "byte offset 4") != NULL);
    /* compressed size larger than the column chunk */
    page.header.compressed_page_size = 1 << 30;
    CHECK_INT_EQ(read_hand(&page, 1, PARQUET_CODEC_UNCOMPRESSED, 4, NULL, &err), ARM_ERROR_CORRUPT);
    /* a negative size */
    page.header.compressed_page_size = -5;
    CHECK_INT_EQ(read_hand(&page, 1, PARQUET_CODEC_UNCOMPRESSED, 4, NULL, &err), ARM_ERROR_CORRUPT);
}

static void test_absurd_uncompressed_size(void)
{
    arm_error err;
    int32_t values[4] = {1, 2, 3, 4};
    uint8_t compressed[256];
    size_t comp_size = sizeof compressed;
    CHECK_OK(parquet_codec_compress(PARQUET_CODEC_ZSTD, 1, (const uint8_t *)values, 16, compressed,
                                    &comp_size, &err),
             &err);
    hand_page page = {data_header(4, 16, PARQUET_ENC_PLAIN), compressed, comp_size};
    page.header.compressed_page_size = (int32_t)comp_size;
    CHECK_OK(read_hand(&page, 1, PARQUET_CODEC_ZSTD, 4, NULL, &err), &err);
    /* header says 2 GiB: refused before allocating */
    page.header.uncompressed_page_size = INT32_MAX;
    CHECK_INT_EQ(read_hand(&page, 1, PARQUET_CODEC_ZSTD, 4, NULL, &err), ARM_ERROR_CORRUPT);
    /* header says 12 bytes but the page decompresses to 16 */
    page.header.uncompressed_page_size = 12;
    CHECK_INT_EQ(read_hand(&page, 1, PARQUET_CODEC_ZSTD, 4, NULL, &err), ARM_ERROR_CORRUPT);
    /* the same with SNAPPY, GZIP and LZ4_RAW */
    static const parquet_codec_id codecs[] = {PARQUET_CODEC_SNAPPY, PARQUET_CODEC_GZIP,
                                              PARQUET_CODEC_LZ4_RAW};
    for (int k = 0; k < 3; k++) {
        comp_size = sizeof compressed;
        CHECK_OK(parquet_codec_compress(codecs[k], 0, (const uint8_t *)values, 16, compressed,
                                        &comp_size, &err),
                 &err);
        page.header.compressed_page_size = (int32_t)comp_size;
        page.body_size = comp_size;
        page.header.uncompressed_page_size = 16;
        CHECK_OK(read_hand(&page, 1, codecs[k], 4, NULL, &err), &err);
        page.header.uncompressed_page_size = 20;
        CHECK_INT_EQ(read_hand(&page, 1, codecs[k], 4, NULL, &err), ARM_ERROR_CORRUPT);
        page.header.uncompressed_page_size = 1 << 29;
        CHECK_INT_EQ(read_hand(&page, 1, codecs[k], 4, NULL, &err), ARM_ERROR_CORRUPT);
        /* garbage compressed bytes */
        memset(compressed, 0xa5, comp_size);
        page.header.uncompressed_page_size = 16;
        CHECK_INT_EQ(read_hand(&page, 1, codecs[k], 4, NULL, &err), ARM_ERROR_CORRUPT);
    }
}

static void test_dictionary_faults(void)
{
    arm_error err;
    int32_t dict_values[2] = {10, 20};
    uint8_t indexes[] = {1, 0x03, 0x0a}; /* width 1, one bit-packed group: 0,1,0,1,0,0,0,0 */
    hand_page pages[2];
    memset(pages, 0, sizeof pages);
    pages[0].header.type = PARQUET_PAGE_DICTIONARY;
    pages[0].header.uncompressed_page_size = pages[0].header.compressed_page_size = 8;
    pages[0].header.has_dictionary_page = true;
    pages[0].header.dictionary_page.num_values = 2;
    pages[0].header.dictionary_page.encoding = PARQUET_ENC_PLAIN;
    pages[0].body = (const uint8_t *)dict_values;
    pages[0].body_size = 8;
    pages[1] = (hand_page){data_header(8, 3, PARQUET_ENC_RLE_DICTIONARY), indexes, 3};
    CHECK_OK(read_hand(pages, 2, PARQUET_CODEC_UNCOMPRESSED, 8, NULL, &err), &err);
    /* index out of range: the dictionary has one entry */
    pages[0].header.dictionary_page.num_values = 1;
    CHECK_INT_EQ(read_hand(pages, 2, PARQUET_CODEC_UNCOMPRESSED, 8, NULL, &err), ARM_ERROR_CORRUPT);
    CHECK(strstr(err.message, "dictionary index") != NULL);
    /* dictionary claiming a billion entries in 8 bytes */
    pages[0].header.dictionary_page.num_values = 1000000000;
    CHECK_INT_EQ(read_hand(pages, 2, PARQUET_CODEC_UNCOMPRESSED, 8, NULL, &err), ARM_ERROR_CORRUPT);
    /* data page refers to a dictionary that is not there */
    CHECK_INT_EQ(read_hand(&pages[1], 1, PARQUET_CODEC_UNCOMPRESSED, 8, NULL, &err),
                 ARM_ERROR_CORRUPT);
    /* index bit width above 32 */
    pages[0].header.dictionary_page.num_values = 2;
    indexes[0] = 40;
    CHECK_INT_EQ(read_hand(pages, 2, PARQUET_CODEC_UNCOMPRESSED, 8, NULL, &err), ARM_ERROR_CORRUPT);
}

static void chunk_beyond_file(parquet_column_chunk *c)
{
    c->meta.data_page_offset = 1LL << 40;
}

static void chunk_absurd_length(parquet_column_chunk *c)
{
    c->meta.total_compressed_size = INT64_MAX;
}

static void chunk_negative(parquet_column_chunk *c)
{
    c->meta.data_page_offset = -100;
}

static void chunk_wrong_type(parquet_column_chunk *c)
{
    c->meta.type = PARQUET_BYTE_ARRAY;
}

static void chunk_bad_codec(parquet_column_chunk *c)
{
    c->meta.codec = PARQUET_CODEC_LZO;
}

static void test_wrong_offsets(void)
{
    arm_error err;
    int32_t values[4] = {1, 2, 3, 4};
    hand_page page = {data_header(4, 16, PARQUET_ENC_PLAIN), (const uint8_t *)values, 16};
    CHECK_INT_EQ(read_hand(&page, 1, PARQUET_CODEC_UNCOMPRESSED, 4, chunk_beyond_file, &err),
                 ARM_ERROR_CORRUPT);
    CHECK(strstr(err.detail, "column \"x\"") != NULL);
    CHECK_INT_EQ(read_hand(&page, 1, PARQUET_CODEC_UNCOMPRESSED, 4, chunk_absurd_length, &err),
                 ARM_ERROR_CORRUPT);
    CHECK_INT_EQ(read_hand(&page, 1, PARQUET_CODEC_UNCOMPRESSED, 4, chunk_negative, &err),
                 ARM_ERROR_CORRUPT);
    CHECK_INT_EQ(read_hand(&page, 1, PARQUET_CODEC_UNCOMPRESSED, 4, chunk_wrong_type, &err),
                 ARM_ERROR_CORRUPT);
    CHECK_INT_EQ(read_hand(&page, 1, PARQUET_CODEC_UNCOMPRESSED, 4, chunk_bad_codec, &err),
                 ARM_ERROR_NOT_SUPPORTED);
}

static void test_nested_schema_not_supported(void)
{
    arm_error err;
    parquet_schema_element schema[3];
    memset(schema, 0, sizeof schema);
    for (int i = 0; i < 3; i++)
        schema[i].converted_type = PARQUET_CT_NONE;
    schema[0].name = "schema";
    schema[0].num_children = 1;
    schema[1].name = "tags";
    schema[1].has_repetition = true;
    schema[1].repetition = PARQUET_OPTIONAL;
    schema[1].num_children = 1;
    schema[2].name = "item";
    schema[2].has_type = true;
    schema[2].type = PARQUET_BYTE_ARRAY;
    schema[2].has_repetition = true;
    schema[2].repetition = PARQUET_REPEATED;
    parquet_file_meta meta = {.version = 1, .schema_count = 3, .schema = schema};
    thrift_writer t;
    thrift_writer_init(&t);
    parquet_file_meta_encode(&t, &meta);
    parquet_byte_buffer out = {0};
    parquet_byte_buffer_append(&out, "PAR1", 4);
    parquet_byte_buffer_append(&out, t.data, t.size);
    uint32_t length = (uint32_t)t.size;
    parquet_byte_buffer_append(&out, &length, 4);
    parquet_byte_buffer_append(&out, "PAR1", 4);
    parquet_reader *r = NULL;
    CHECK_OK(parquet_reader_open_memory(&r, out.data, out.size, NULL, &err), &err);
    if (r != NULL) {
        CHECK_INT_EQ(parquet_reader_column_count(r), 1);
        CHECK_STR_EQ(parquet_reader_column_name(r, 0), "tags.item");
        CHECK_INT_EQ(parquet_reader_column_check(r, 0, &err), ARM_ERROR_NOT_SUPPORTED);
        CHECK(strstr(err.message, "\"tags.item\"") != NULL);
    }
    parquet_reader_close(r);
    /* children count past the end of the schema */
    schema[1].num_children = 5;
    thrift_writer_reset(&t);
    parquet_file_meta_encode(&t, &meta);
    out.size = 4;
    parquet_byte_buffer_append(&out, t.data, t.size);
    length = (uint32_t)t.size;
    parquet_byte_buffer_append(&out, &length, 4);
    parquet_byte_buffer_append(&out, "PAR1", 4);
    CHECK_INT_EQ(parquet_reader_open_memory(&r, out.data, out.size, NULL, &err), ARM_ERROR_CORRUPT);
    thrift_writer_dispose(&t);
    parquet_byte_buffer_dispose(&out);
}

static void test_delta_byte_array_page(void)
{
    static const char *const words[] = {"apple", "applesauce", "apply", "banana", "band"};
    int64_t prefixes[5] = {0, 5, 4, 0, 3}, suffix_lengths[5] = {5, 5, 1, 6, 1};
    parquet_byte_buffer body = {0};
    parquet_delta_encode(&body, prefixes, 5);
    parquet_delta_encode(&body, suffix_lengths, 5);
    parquet_byte_buffer_append(&body, "applesauceybananad", 18);
    hand_page page = {data_header(5, (int32_t)body.size, PARQUET_ENC_DELTA_BYTE_ARRAY), body.data,
                      body.size};
    hand_type = PARQUET_BYTE_ARRAY;
    size_t size;
    uint8_t *file = build_file(&page, 1, PARQUET_CODEC_UNCOMPRESSED, 5, NULL, &size);
    arm_error err;
    parquet_reader *r = NULL;
    CHECK_OK(parquet_reader_open_memory(&r, file, size, NULL, &err), &err);
    parquet_column_reader *cr = NULL;
    if (r != NULL)
        CHECK_OK(parquet_column_reader_open(&cr, r, 0, 0, &err), &err);
    if (cr != NULL) {
        vector v;
        vector_init(&v, parquet_reader_column_type(r, 0));
        uint32_t got = 0;
        /* two calls: the prefix of the first value of the second call comes from the first */
        CHECK_OK(parquet_column_reader_next(cr, &v, 2, &got, &err), &err);
        CHECK_INT_EQ(got, 2);
        for (uint32_t i = 0; i < got; i++) {
            const string_view *s = &((const string_view *)v.data)[i];
            CHECK(s->length == strlen(words[i]) &&
                  memcmp(string_view_data(s), words[i], s->length) == 0);
        }
        CHECK_OK(parquet_column_reader_next(cr, &v, 10, &got, &err), &err);
        CHECK_INT_EQ(got, 3);
        for (uint32_t i = 0; i < got; i++) {
            const string_view *s = &((const string_view *)v.data)[i];
            CHECK(s->length == strlen(words[i + 2]) &&
                  memcmp(string_view_data(s), words[i + 2], s->length) == 0);
        }
        vector_dispose(&v);
        parquet_column_reader_close(cr);
    }
    parquet_reader_close(r);
    free(file);
    /* a prefix longer than the previous value is corrupt */
    body.size = 0;
    prefixes[1] = 9;
    parquet_delta_encode(&body, prefixes, 5);
    parquet_delta_encode(&body, suffix_lengths, 5);
    parquet_byte_buffer_append(&body, "applesauceybananad", 18);
    page = (hand_page){data_header(5, (int32_t)body.size, PARQUET_ENC_DELTA_BYTE_ARRAY), body.data,
                       body.size};
    CHECK_INT_EQ(read_hand(&page, 1, PARQUET_CODEC_UNCOMPRESSED, 5, NULL, &err), ARM_ERROR_CORRUPT);
    hand_type = PARQUET_INT32;
    parquet_byte_buffer_dispose(&body);
}

/* Reads the single column of a hand-built one-page file into `v` (caller disposes). */
static uint32_t read_single(const hand_page *page, vector *v, arm_error *err)
{
    size_t size;
    uint8_t *file = build_file(page, 1, PARQUET_CODEC_UNCOMPRESSED, 2, NULL, &size);
    parquet_reader *r = NULL;
    parquet_column_reader *cr = NULL;
    uint32_t got = 0;
    CHECK_OK(parquet_reader_open_memory(&r, file, size, NULL, err), err);
    if (r != NULL) {
        vector_init(v, parquet_reader_column_type(r, 0));
        CHECK_OK(parquet_column_reader_open(&cr, r, 0, 0, err), err);
    }
    if (cr != NULL)
        CHECK_OK(parquet_column_reader_next(cr, v, VECTOR_SIZE, &got, err), err);
    parquet_column_reader_close(cr);
    parquet_reader_close(r);
    free(file);
    return got;
}

static void test_int96_and_byte_array_decimal(void)
{
    arm_error err;
    vector v;
    /* INT96: (nanos of day, julian day); 2440588 is 1970-01-01 */
    uint8_t int96[24];
    int64_t nanos[2] = {1500, 86400000000000LL - 1000};
    int32_t days[2] = {2440588, 2440587};
    for (int i = 0; i < 2; i++) {
        memcpy(int96 + 12 * i, &nanos[i], 8);
        memcpy(int96 + 12 * i + 8, &days[i], 4);
    }
    hand_type = PARQUET_INT96;
    hand_page page = {data_header(2, 24, PARQUET_ENC_PLAIN), int96, 24};
    CHECK_INT_EQ(read_single(&page, &v, &err), 2);
    CHECK_INT_EQ(v.type.id, TYPE_TIMESTAMP);
    CHECK_INT_EQ(((int64_t *)v.data)[0], 1);
    CHECK_INT_EQ(((int64_t *)v.data)[1], -1);
    vector_dispose(&v);
    /* DECIMAL(10,2) in BYTE_ARRAY: big-endian two's complement of 12345 and -2 */
    static const uint8_t decimals[] = {2, 0, 0, 0, 0x30, 0x39, 1, 0, 0, 0, 0xfe};
    hand_type = PARQUET_BYTE_ARRAY;
    hand_converted = PARQUET_CT_DECIMAL;
    hand_precision = 10;
    hand_scale = 2;
    page =
        (hand_page){data_header(2, sizeof decimals, PARQUET_ENC_PLAIN), decimals, sizeof decimals};
    CHECK_INT_EQ(read_single(&page, &v, &err), 2);
    CHECK(type_equal(v.type, type_decimal(10, 2)));
    CHECK_INT_EQ(((int64_t *)v.data)[0], 12345);
    CHECK_INT_EQ(((int64_t *)v.data)[1], -2);
    vector_dispose(&v);
    hand_type = PARQUET_INT32;
    hand_converted = PARQUET_CT_NONE;
    hand_precision = hand_scale = 0;
}

/* The deprecated LZ4 codec with Hadoop framing: [BE raw size][BE packed size][block]. */
static void test_lz4_hadoop_framing(void)
{
    arm_error err;
    int32_t values[64];
    for (int i = 0; i < 64; i++)
        values[i] = i / 4;
    uint8_t framed[512];
    int packed = LZ4_compress_default((const char *)values, (char *)framed + 8, sizeof values,
                                      (int)sizeof framed - 8);
    CHECK(packed > 0);
    uint32_t sizes[2] = {sizeof values, (uint32_t)packed};
    for (int k = 0; k < 2; k++)
        for (int b = 0; b < 4; b++)
            framed[4 * k + b] = (uint8_t)(sizes[k] >> (24 - 8 * b));
    hand_page page = {data_header(64, sizeof values, PARQUET_ENC_PLAIN), framed,
                      (size_t)packed + 8};
    page.header.compressed_page_size = packed + 8;
    CHECK_OK(read_hand(&page, 1, PARQUET_CODEC_LZ4, 64, NULL, &err), &err);
    /* a bare block under the same codec id */
    page.body = framed + 8;
    page.body_size = (size_t)packed;
    page.header.compressed_page_size = packed;
    CHECK_OK(read_hand(&page, 1, PARQUET_CODEC_LZ4, 64, NULL, &err), &err);
    /* a lying frame header */
    framed[3] ^= 0x40;
    page.body = framed;
    page.body_size = (size_t)packed + 8;
    page.header.compressed_page_size = packed + 8;
    CHECK_INT_EQ(read_hand(&page, 1, PARQUET_CODEC_LZ4, 64, NULL, &err), ARM_ERROR_CORRUPT);
}

static const int64_t huge_stats[2] = {INT64_MIN, INT64_MAX};

static void chunk_huge_stats(parquet_column_chunk *c)
{
    c->meta.has_statistics = true;
    c->meta.statistics.has_min = c->meta.statistics.has_max = true;
    c->meta.statistics.min = (parquet_bytes){(const uint8_t *)&huge_stats[0], 8};
    c->meta.statistics.max = (parquet_bytes){(const uint8_t *)&huge_stats[1], 8};
}

/* Statistics and values at the ends of the int64 range convert without overflow traps. */
static void test_extreme_timestamps(void)
{
    arm_error err;
    for (int k = 0; k < 2; k++) {
        hand_type = PARQUET_INT64;
        hand_converted = k == 0 ? PARQUET_CT_TIMESTAMP_MILLIS : PARQUET_CT_NONE;
        hand_page page = {data_header(2, 16, PARQUET_ENC_PLAIN), (const uint8_t *)huge_stats, 16};
        CHECK_OK(read_hand(&page, 1, PARQUET_CODEC_UNCOMPRESSED, 2, chunk_huge_stats, &err), &err);
    }
    hand_type = PARQUET_INT32;
    hand_converted = PARQUET_CT_NONE;
}

TEST_MAIN(test_extreme_timestamps, test_lz4_hadoop_framing, test_int96_and_byte_array_decimal,
          test_delta_byte_array_page, test_truncation_at_every_byte, test_byte_flips_never_crash,
          test_magic_and_footer_length, test_hand_built_good_file, test_page_lies_about_values,
          test_absurd_uncompressed_size, test_dictionary_faults, test_wrong_offsets,
          test_nested_schema_not_supported)
