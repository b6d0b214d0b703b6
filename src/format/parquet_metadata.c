/*
 * parquet_metadata.c: decoding and encoding of the Parquet thrift structures,
 * field by field as parquet.thrift numbers them. Decoders skip unknown
 * fields, check that required fields are present and bound every list by the
 * input; encoders write fields in increasing id order (deterministic bytes).
 */
#include "format/parquet_metadata.h"

#include <string.h>

#define FIELD_LOOP(r, type, id)                                                                    \
    thrift_type type;                                                                              \
    int16_t id;                                                                                    \
    while (thrift_read_field(r, &type, &id))

static bool expect_type(thrift_reader *r, thrift_type got, thrift_type want)
{
    if (got != want)
        return thrift_reader_fail(r, "field has the wrong type");
    return true;
}

static bool oom(thrift_reader *r)
{
    return thrift_reader_fail(r, "out of memory");
}

static const char *read_string(thrift_reader *r, arena *a)
{
    uint32_t length;
    const uint8_t *p = thrift_read_binary(r, &length);
    if (r->failed)
        return NULL;
    char *s = arena_strndup(a, (const char *)p, length);
    if (s == NULL)
        oom(r);
    return s;
}

static bool read_i32_field(thrift_reader *r, thrift_type type, int32_t *out)
{
    if (!expect_type(r, type, THRIFT_I32))
        return false;
    *out = thrift_read_i32(r);
    return !r->failed;
}

static bool read_i64_field(thrift_reader *r, thrift_type type, int64_t *out)
{
    if (type != THRIFT_I64 && type != THRIFT_I32)
        return thrift_reader_fail(r, "field has the wrong type");
    *out = thrift_read_i64(r);
    return !r->failed;
}

static bool read_bool_field(thrift_reader *r, thrift_type type, bool *out)
{
    if (type != THRIFT_BOOL_TRUE && type != THRIFT_BOOL_FALSE)
        return thrift_reader_fail(r, "field has the wrong type");
    *out = thrift_read_field_bool(type);
    return true;
}

static bool read_bytes_field(thrift_reader *r, thrift_type type, parquet_bytes *out)
{
    if (!expect_type(r, type, THRIFT_BINARY))
        return false;
    out->data = thrift_read_binary(r, &out->length);
    return !r->failed;
}

static bool read_statistics(parquet_statistics *s, thrift_reader *r)
{
    parquet_bytes legacy_min = {0}, legacy_max = {0};
    bool has_legacy_min = false, has_legacy_max = false;
    memset(s, 0, sizeof *s);
    if (!thrift_read_struct_begin(r))
        return false;
    FIELD_LOOP(r, type, id)
    {
        bool ok = true;
        switch (id) {
        case 1: ok = has_legacy_max = read_bytes_field(r, type, &legacy_max); break;
        case 2: ok = has_legacy_min = read_bytes_field(r, type, &legacy_min); break;
        case 3: ok = s->has_null_count = read_i64_field(r, type, &s->null_count); break;
        case 4: ok = s->has_distinct_count = read_i64_field(r, type, &s->distinct_count); break;
        case 5: ok = s->has_max = read_bytes_field(r, type, &s->max); break;
        case 6: ok = s->has_min = read_bytes_field(r, type, &s->min); break;
        default: ok = thrift_skip(r, type); break;
        }
        if (!ok)
            break;
    }
    thrift_read_struct_end(r);
    if (!s->has_min && !s->has_max && (has_legacy_min || has_legacy_max)) {
        s->has_min = has_legacy_min;
        s->has_max = has_legacy_max;
        s->min = legacy_min;
        s->max = legacy_max;
        s->min_max_is_legacy = true;
    }
    return !r->failed;
}

/* Reads a struct field whose value is an empty struct (union members). */
static bool read_time_unit(thrift_reader *r, parquet_time_unit *unit)
{
    if (!thrift_read_struct_begin(r))
        return false;
    FIELD_LOOP(r, type, id)
    {
        if (id >= 1 && id <= 3)
            *unit = (parquet_time_unit)id;
        if (!thrift_skip(r, type))
            break;
    }
    thrift_read_struct_end(r);
    return !r->failed;
}

static bool read_logical_member(parquet_logical_type *lt, thrift_reader *r, int16_t member)
{
    if (!thrift_read_struct_begin(r))
        return false;
    FIELD_LOOP(r, type, id)
    {
        bool ok = true;
        if (member == PARQUET_LT_DECIMAL && id == 1)
            ok = read_i32_field(r, type, &lt->decimal_scale);
        else if (member == PARQUET_LT_DECIMAL && id == 2)
            ok = read_i32_field(r, type, &lt->decimal_precision);
        else if ((member == PARQUET_LT_TIME || member == PARQUET_LT_TIMESTAMP) && id == 1)
            ok = read_bool_field(r, type, &lt->is_adjusted_to_utc);
        else if ((member == PARQUET_LT_TIME || member == PARQUET_LT_TIMESTAMP) && id == 2)
            ok = expect_type(r, type, THRIFT_STRUCT) && read_time_unit(r, &lt->unit);
        else if (member == PARQUET_LT_INTEGER && id == 1 && type == THRIFT_BYTE)
            lt->bit_width = thrift_read_byte(r);
        else if (member == PARQUET_LT_INTEGER && id == 2)
            ok = read_bool_field(r, type, &lt->is_signed);
        else
            ok = thrift_skip(r, type);
        if (!ok)
            break;
    }
    thrift_read_struct_end(r);
    return !r->failed;
}

static bool read_logical_type(parquet_logical_type *lt, thrift_reader *r)
{
    if (!thrift_read_struct_begin(r))
        return false;
    FIELD_LOOP(r, type, id)
    {
        if (type != THRIFT_STRUCT) {
            thrift_reader_fail(r, "logical type member is not a struct");
            break;
        }
        bool known = id >= 1 && id <= 15 && id != 9;
        if (known)
            lt->kind = (parquet_logical_kind)id;
        if (!(known ? read_logical_member(lt, r, id) : thrift_skip(r, type)))
            break;
    }
    thrift_read_struct_end(r);
    return !r->failed;
}

static bool read_schema_element(parquet_schema_element *e, thrift_reader *r, arena *a)
{
    memset(e, 0, sizeof *e);
    e->converted_type = PARQUET_CT_NONE;
    if (!thrift_read_struct_begin(r))
        return false;
    FIELD_LOOP(r, type, id)
    {
        bool ok = true;
        int32_t v = 0;
        switch (id) {
        case 1:
            ok = e->has_type = read_i32_field(r, type, &v);
            if (ok && (v < 0 || v > PARQUET_FIXED_LEN_BYTE_ARRAY))
                ok = thrift_reader_fail(r, "unknown physical type");
            e->type = (parquet_physical_type)v;
            break;
        case 2: ok = read_i32_field(r, type, &e->type_length); break;
        case 3:
            ok = e->has_repetition = read_i32_field(r, type, &v);
            e->repetition = (parquet_repetition)v;
            break;
        case 4: ok = expect_type(r, type, THRIFT_BINARY) && (e->name = read_string(r, a)); break;
        case 5: ok = read_i32_field(r, type, &e->num_children); break;
        case 6:
            ok = read_i32_field(r, type, &v);
            e->converted_type = (parquet_converted_type)v;
            break;
        case 7: ok = read_i32_field(r, type, &e->scale); break;
        case 8: ok = read_i32_field(r, type, &e->precision); break;
        case 9: ok = e->has_field_id = read_i32_field(r, type, &e->field_id); break;
        case 10:
            ok = expect_type(r, type, THRIFT_STRUCT) && read_logical_type(&e->logical, r);
            break;
        default: ok = thrift_skip(r, type); break;
        }
        if (!ok)
            break;
    }
    thrift_read_struct_end(r);
    if (!r->failed && e->name == NULL)
        thrift_reader_fail(r, "schema element without a name");
    return !r->failed;
}

/* Reads a list header of the expected element type and allocates `count` elements. */
static void *read_list_alloc(thrift_reader *r, arena *a, thrift_type type, thrift_type want,
                             size_t elem_size, uint32_t *count)
{
    thrift_type elem;
    *count = 0;
    if (!expect_type(r, type, THRIFT_LIST) || !thrift_read_list(r, &elem, count))
        return NULL;
    bool is_bool_want = want == THRIFT_BOOL_TRUE;
    bool is_bool_got = elem == THRIFT_BOOL_TRUE || elem == THRIFT_BOOL_FALSE;
    bool is_int = want == THRIFT_I32 || want == THRIFT_I64;
    bool int_ok = is_int && (elem == THRIFT_I32 || elem == THRIFT_I64);
    if (!(elem == want || (is_bool_want && is_bool_got) || int_ok)) {
        thrift_reader_fail(r, "list has the wrong element type");
        *count = 0;
        return NULL;
    }
    void *p = arena_zalloc(a, elem_size * (*count ? *count : 1));
    if (p == NULL) {
        oom(r);
        *count = 0;
    }
    return p;
}

static bool read_encoding_stats(parquet_column_meta *m, thrift_reader *r, thrift_type type)
{
    thrift_type elem;
    uint32_t count;
    if (!expect_type(r, type, THRIFT_LIST) || !thrift_read_list(r, &elem, &count))
        return false;
    if (elem != THRIFT_STRUCT)
        return thrift_reader_fail(r, "list has the wrong element type");
    m->has_encoding_stats = true;
    for (uint32_t i = 0; i < count && !r->failed; i++) {
        int32_t page_type = -1, encoding = -1, pages = 0;
        if (!thrift_read_struct_begin(r))
            return false;
        FIELD_LOOP(r, t, id)
        {
            bool ok = id == 1   ? read_i32_field(r, t, &page_type)
                      : id == 2 ? read_i32_field(r, t, &encoding)
                      : id == 3 ? read_i32_field(r, t, &pages)
                                : thrift_skip(r, t);
            if (!ok)
                break;
        }
        thrift_read_struct_end(r);
        if (page_type == PARQUET_PAGE_DATA || page_type == PARQUET_PAGE_DATA_V2) {
            bool is_dict =
                encoding == PARQUET_ENC_RLE_DICTIONARY || encoding == PARQUET_ENC_PLAIN_DICTIONARY;
            if (is_dict)
                m->data_pages_dictionary += (uint32_t)pages;
            else
                m->data_pages_other += (uint32_t)pages;
        }
    }
    return !r->failed;
}

static bool read_column_meta_lists(parquet_column_meta *m, thrift_reader *r, arena *a,
                                   thrift_type type, int16_t id)
{
    if (id == 2) {
        m->encodings =
            read_list_alloc(r, a, type, THRIFT_I32, sizeof(parquet_encoding), &m->encoding_count);
        for (uint32_t i = 0; i < m->encoding_count && !r->failed; i++)
            m->encodings[i] = (parquet_encoding)thrift_read_i32(r);
    } else {
        m->path = read_list_alloc(r, a, type, THRIFT_BINARY, sizeof(char *), &m->path_count);
        for (uint32_t i = 0; i < m->path_count && !r->failed; i++)
            m->path[i] = read_string(r, a);
    }
    return !r->failed;
}

static bool read_column_meta(parquet_column_meta *m, thrift_reader *r, arena *a)
{
    int32_t v = 0;
    uint32_t seen = 0;
    memset(m, 0, sizeof *m);
    if (!thrift_read_struct_begin(r))
        return false;
    FIELD_LOOP(r, type, id)
    {
        bool ok = true;
        if (id >= 1 && id <= 9)
            seen |= 1u << id;
        switch (id) {
        case 1:
            ok = read_i32_field(r, type, &v);
            if (ok && (v < 0 || v > PARQUET_FIXED_LEN_BYTE_ARRAY))
                ok = thrift_reader_fail(r, "unknown physical type");
            m->type = (parquet_physical_type)v;
            break;
        case 2:
        case 3: ok = read_column_meta_lists(m, r, a, type, id); break;
        case 4:
            ok = read_i32_field(r, type, &v);
            m->codec = (parquet_codec_id)v;
            break;
        case 5: ok = read_i64_field(r, type, &m->num_values); break;
        case 6: ok = read_i64_field(r, type, &m->total_uncompressed_size); break;
        case 7: ok = read_i64_field(r, type, &m->total_compressed_size); break;
        case 9: ok = read_i64_field(r, type, &m->data_page_offset); break;
        case 11:
            ok = m->has_dictionary_page_offset =
                read_i64_field(r, type, &m->dictionary_page_offset);
            break;
        case 12:
            ok = m->has_statistics =
                expect_type(r, type, THRIFT_STRUCT) && read_statistics(&m->statistics, r);
            break;
        case 13: ok = read_encoding_stats(m, r, type); break;
        default: ok = thrift_skip(r, type); break;
        }
        if (!ok)
            break;
    }
    thrift_read_struct_end(r);
    uint32_t required = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) |
                        (1u << 7) | (1u << 9);
    if (!r->failed && (seen & required) != required)
        thrift_reader_fail(r, "column metadata misses a required field");
    return !r->failed;
}

static bool read_column_chunk(parquet_column_chunk *c, thrift_reader *r, arena *a)
{
    memset(c, 0, sizeof *c);
    if (!thrift_read_struct_begin(r))
        return false;
    FIELD_LOOP(r, type, id)
    {
        bool ok = true;
        switch (id) {
        case 2: ok = read_i64_field(r, type, &c->file_offset); break;
        case 3:
            ok = c->has_meta =
                expect_type(r, type, THRIFT_STRUCT) && read_column_meta(&c->meta, r, a);
            break;
        case 4: ok = c->has_offset_index = read_i64_field(r, type, &c->offset_index_offset); break;
        case 5: ok = read_i32_field(r, type, &c->offset_index_length); break;
        case 6: ok = c->has_column_index = read_i64_field(r, type, &c->column_index_offset); break;
        case 7: ok = read_i32_field(r, type, &c->column_index_length); break;
        default: ok = thrift_skip(r, type); break;
        }
        if (!ok)
            break;
    }
    thrift_read_struct_end(r);
    if (!r->failed && !c->has_meta)
        thrift_reader_fail(r, "column chunk without metadata");
    return !r->failed;
}

static bool read_row_group(parquet_row_group *g, thrift_reader *r, arena *a)
{
    bool has_columns = false, has_rows = false;
    memset(g, 0, sizeof *g);
    if (!thrift_read_struct_begin(r))
        return false;
    FIELD_LOOP(r, type, id)
    {
        bool ok = true;
        int32_t ordinal = 0;
        switch (id) {
        case 1:
            g->columns = read_list_alloc(r, a, type, THRIFT_STRUCT, sizeof(parquet_column_chunk),
                                         &g->column_count);
            for (uint32_t i = 0; i < g->column_count && !r->failed; i++)
                read_column_chunk(&g->columns[i], r, a);
            ok = has_columns = !r->failed;
            break;
        case 2: ok = read_i64_field(r, type, &g->total_byte_size); break;
        case 3: ok = has_rows = read_i64_field(r, type, &g->num_rows); break;
        case 5: ok = g->has_file_offset = read_i64_field(r, type, &g->file_offset); break;
        case 6:
            ok = g->has_total_compressed_size = read_i64_field(r, type, &g->total_compressed_size);
            break;
        case 7:
            ok = g->has_ordinal = type == THRIFT_I16 && (ordinal = thrift_read_i32(r), !r->failed);
            g->ordinal = (int16_t)ordinal;
            break;
        default: ok = thrift_skip(r, type); break;
        }
        if (!ok)
            break;
    }
    thrift_read_struct_end(r);
    if (!r->failed && (!has_columns || !has_rows))
        thrift_reader_fail(r, "row group misses a required field");
    return !r->failed;
}

static bool read_key_values(parquet_file_meta *m, thrift_reader *r, arena *a, thrift_type type)
{
    m->key_values =
        read_list_alloc(r, a, type, THRIFT_STRUCT, sizeof(parquet_key_value), &m->key_value_count);
    for (uint32_t i = 0; i < m->key_value_count && !r->failed; i++) {
        if (!thrift_read_struct_begin(r))
            break;
        FIELD_LOOP(r, t, id)
        {
            bool ok = true;
            if (id == 1)
                ok = expect_type(r, t, THRIFT_BINARY) && (m->key_values[i].key = read_string(r, a));
            else if (id == 2)
                ok = expect_type(r, t, THRIFT_BINARY) &&
                     (m->key_values[i].value = read_string(r, a));
            else
                ok = thrift_skip(r, t);
            if (!ok)
                break;
        }
        thrift_read_struct_end(r);
        if (!r->failed && m->key_values[i].key == NULL)
            thrift_reader_fail(r, "key/value without a key");
    }
    return !r->failed;
}

static bool read_file_meta_list(parquet_file_meta *m, thrift_reader *r, arena *a, thrift_type type,
                                int16_t id)
{
    if (id == 2) {
        m->schema = read_list_alloc(r, a, type, THRIFT_STRUCT, sizeof(parquet_schema_element),
                                    &m->schema_count);
        for (uint32_t i = 0; i < m->schema_count && !r->failed; i++)
            read_schema_element(&m->schema[i], r, a);
    } else {
        m->row_groups = read_list_alloc(r, a, type, THRIFT_STRUCT, sizeof(parquet_row_group),
                                        &m->row_group_count);
        for (uint32_t i = 0; i < m->row_group_count && !r->failed; i++)
            read_row_group(&m->row_groups[i], r, a);
    }
    return !r->failed;
}

bool parquet_file_meta_decode(parquet_file_meta *m, thrift_reader *r, arena *a)
{
    bool has_schema = false, has_rows = false, has_groups = false;
    memset(m, 0, sizeof *m);
    if (!thrift_read_struct_begin(r))
        return false;
    FIELD_LOOP(r, type, id)
    {
        bool ok = true;
        switch (id) {
        case 1: ok = read_i32_field(r, type, &m->version); break;
        case 2: ok = has_schema = read_file_meta_list(m, r, a, type, id); break;
        case 3: ok = has_rows = read_i64_field(r, type, &m->num_rows); break;
        case 4: ok = has_groups = read_file_meta_list(m, r, a, type, id); break;
        case 5: ok = read_key_values(m, r, a, type); break;
        case 6:
            ok = expect_type(r, type, THRIFT_BINARY) && (m->created_by = read_string(r, a));
            break;
        default: ok = thrift_skip(r, type); break;
        }
        if (!ok)
            break;
    }
    thrift_read_struct_end(r);
    if (!r->failed && (!has_schema || !has_rows || !has_groups))
        thrift_reader_fail(r, "file metadata misses a required field");
    return !r->failed;
}

static bool read_data_page_header(parquet_data_page_header *h, thrift_reader *r)
{
    int32_t v[4] = {0};
    uint32_t seen = 0;
    memset(h, 0, sizeof *h);
    if (!thrift_read_struct_begin(r))
        return false;
    FIELD_LOOP(r, type, id)
    {
        bool ok = true;
        if (id >= 1 && id <= 4) {
            ok = read_i32_field(r, type, &v[id - 1]);
            seen |= 1u << id;
        } else if (id == 5) {
            ok = h->has_statistics =
                expect_type(r, type, THRIFT_STRUCT) && read_statistics(&h->statistics, r);
        } else {
            ok = thrift_skip(r, type);
        }
        if (!ok)
            break;
    }
    thrift_read_struct_end(r);
    h->num_values = v[0];
    h->encoding = (parquet_encoding)v[1];
    h->definition_level_encoding = (parquet_encoding)v[2];
    h->repetition_level_encoding = (parquet_encoding)v[3];
    if (!r->failed && seen != 0x1e)
        thrift_reader_fail(r, "data page header misses a required field");
    return !r->failed;
}

static bool read_dictionary_page_header(parquet_dictionary_page_header *h, thrift_reader *r)
{
    int32_t encoding = 0;
    uint32_t seen = 0;
    memset(h, 0, sizeof *h);
    if (!thrift_read_struct_begin(r))
        return false;
    FIELD_LOOP(r, type, id)
    {
        bool ok = id == 1   ? read_i32_field(r, type, &h->num_values)
                  : id == 2 ? read_i32_field(r, type, &encoding)
                  : id == 3 ? read_bool_field(r, type, &h->is_sorted)
                            : thrift_skip(r, type);
        if (id == 1 || id == 2)
            seen |= 1u << id;
        if (!ok)
            break;
    }
    thrift_read_struct_end(r);
    h->encoding = (parquet_encoding)encoding;
    if (!r->failed && seen != 0x6)
        thrift_reader_fail(r, "dictionary page header misses a required field");
    return !r->failed;
}

static bool read_data_page_header_v2(parquet_data_page_header_v2 *h, thrift_reader *r)
{
    int32_t v[7] = {0};
    uint32_t seen = 0;
    memset(h, 0, sizeof *h);
    h->is_compressed = true;
    if (!thrift_read_struct_begin(r))
        return false;
    FIELD_LOOP(r, type, id)
    {
        bool ok = true;
        if (id >= 1 && id <= 6) {
            ok = read_i32_field(r, type, &v[id]);
            seen |= 1u << id;
        } else if (id == 7) {
            ok = read_bool_field(r, type, &h->is_compressed);
        } else if (id == 8) {
            ok = h->has_statistics =
                expect_type(r, type, THRIFT_STRUCT) && read_statistics(&h->statistics, r);
        } else {
            ok = thrift_skip(r, type);
        }
        if (!ok)
            break;
    }
    thrift_read_struct_end(r);
    h->num_values = v[1];
    h->num_nulls = v[2];
    h->num_rows = v[3];
    h->encoding = (parquet_encoding)v[4];
    h->definition_levels_byte_length = v[5];
    h->repetition_levels_byte_length = v[6];
    if (!r->failed && seen != 0x7e)
        thrift_reader_fail(r, "data page v2 header misses a required field");
    return !r->failed;
}

bool parquet_page_header_decode(parquet_page_header *h, thrift_reader *r)
{
    int32_t page_type = 0;
    uint32_t seen = 0;
    memset(h, 0, sizeof *h);
    if (!thrift_read_struct_begin(r))
        return false;
    FIELD_LOOP(r, type, id)
    {
        bool ok = true;
        switch (id) {
        case 1: ok = read_i32_field(r, type, &page_type); break;
        case 2: ok = read_i32_field(r, type, &h->uncompressed_page_size); break;
        case 3: ok = read_i32_field(r, type, &h->compressed_page_size); break;
        case 4: ok = h->has_crc = read_i32_field(r, type, &h->crc); break;
        case 5:
            ok = h->has_data_page =
                expect_type(r, type, THRIFT_STRUCT) && read_data_page_header(&h->data_page, r);
            break;
        case 7:
            ok = h->has_dictionary_page = expect_type(r, type, THRIFT_STRUCT) &&
                                          read_dictionary_page_header(&h->dictionary_page, r);
            break;
        case 8:
            ok = h->has_data_page_v2 = expect_type(r, type, THRIFT_STRUCT) &&
                                       read_data_page_header_v2(&h->data_page_v2, r);
            break;
        default: ok = thrift_skip(r, type); break;
        }
        if (id >= 1 && id <= 3)
            seen |= 1u << id;
        if (!ok)
            break;
    }
    thrift_read_struct_end(r);
    h->type = (parquet_page_type)page_type;
    if (!r->failed && seen != 0xe)
        thrift_reader_fail(r, "page header misses a required field");
    if (!r->failed && (h->uncompressed_page_size < 0 || h->compressed_page_size < 0))
        thrift_reader_fail(r, "negative page size");
    return !r->failed;
}

static bool read_column_index_lists(parquet_column_index *c, thrift_reader *r, arena *a,
                                    thrift_type type, int16_t id, uint32_t *count)
{
    if (id == 1) {
        c->null_pages = read_list_alloc(r, a, type, THRIFT_BOOL_TRUE, sizeof(bool), count);
        for (uint32_t i = 0; i < *count && !r->failed; i++)
            c->null_pages[i] = thrift_read_list_bool(r);
    } else if (id == 2 || id == 3) {
        parquet_bytes *v = read_list_alloc(r, a, type, THRIFT_BINARY, sizeof(parquet_bytes), count);
        for (uint32_t i = 0; i < *count && !r->failed; i++)
            v[i].data = thrift_read_binary(r, &v[i].length);
        if (id == 2)
            c->min_values = v;
        else
            c->max_values = v;
    } else {
        c->null_counts = read_list_alloc(r, a, type, THRIFT_I64, sizeof(int64_t), count);
        for (uint32_t i = 0; i < *count && !r->failed; i++)
            c->null_counts[i] = thrift_read_i64(r);
        c->has_null_counts = !r->failed;
    }
    return !r->failed;
}

bool parquet_column_index_decode(parquet_column_index *c, thrift_reader *r, arena *a)
{
    uint32_t counts[6] = {0};
    int32_t order = 0;
    memset(c, 0, sizeof *c);
    if (!thrift_read_struct_begin(r))
        return false;
    FIELD_LOOP(r, type, id)
    {
        bool ok = true;
        if (id == 1 || id == 2 || id == 3 || id == 5)
            ok = read_column_index_lists(c, r, a, type, id, &counts[id]);
        else if (id == 4)
            ok = read_i32_field(r, type, &order);
        else
            ok = thrift_skip(r, type);
        if (!ok)
            break;
    }
    thrift_read_struct_end(r);
    c->boundary_order = (parquet_boundary_order)order;
    c->page_count = counts[1];
    if (!r->failed && (c->null_pages == NULL || c->min_values == NULL || c->max_values == NULL ||
                       counts[2] != counts[1] || counts[3] != counts[1] ||
                       (c->has_null_counts && counts[5] != counts[1])))
        thrift_reader_fail(r, "column index lists are missing or differ in length");
    return !r->failed;
}

bool parquet_offset_index_decode(parquet_offset_index *o, thrift_reader *r, arena *a)
{
    bool has_pages = false;
    memset(o, 0, sizeof *o);
    if (!thrift_read_struct_begin(r))
        return false;
    FIELD_LOOP(r, type, id)
    {
        if (id != 1) {
            if (!thrift_skip(r, type))
                break;
            continue;
        }
        o->pages = read_list_alloc(r, a, type, THRIFT_STRUCT, sizeof(parquet_page_location),
                                   &o->page_count);
        for (uint32_t i = 0; i < o->page_count && !r->failed; i++) {
            parquet_page_location *p = &o->pages[i];
            if (!thrift_read_struct_begin(r))
                break;
            FIELD_LOOP(r, t, fid)
            {
                bool ok = fid == 1   ? read_i64_field(r, t, &p->offset)
                          : fid == 2 ? read_i32_field(r, t, &p->compressed_page_size)
                          : fid == 3 ? read_i64_field(r, t, &p->first_row_index)
                                     : thrift_skip(r, t);
                if (!ok)
                    break;
            }
            thrift_read_struct_end(r);
        }
        has_pages = !r->failed;
    }
    thrift_read_struct_end(r);
    if (!r->failed && !has_pages)
        thrift_reader_fail(r, "offset index without page locations");
    return !r->failed;
}

/* ---- encoders ---- */

static void write_statistics(thrift_writer *w, int16_t id, const parquet_statistics *s)
{
    thrift_write_field_struct(w, id);
    if (s->has_null_count)
        thrift_write_field_i64(w, 3, s->null_count);
    if (s->has_distinct_count)
        thrift_write_field_i64(w, 4, s->distinct_count);
    if (s->has_max)
        thrift_write_field_binary(w, 5, s->max.data, s->max.length);
    if (s->has_min)
        thrift_write_field_binary(w, 6, s->min.data, s->min.length);
    thrift_write_struct_end(w);
}

static void write_empty_struct_field(thrift_writer *w, int16_t id)
{
    thrift_write_field_struct(w, id);
    thrift_write_struct_end(w);
}

static void write_logical_type(thrift_writer *w, const parquet_logical_type *lt)
{
    thrift_write_field_struct(w, 10);
    thrift_write_field_struct(w, (int16_t)lt->kind);
    switch (lt->kind) {
    case PARQUET_LT_DECIMAL:
        thrift_write_field_i32(w, 1, lt->decimal_scale);
        thrift_write_field_i32(w, 2, lt->decimal_precision);
        break;
    case PARQUET_LT_TIME:
    case PARQUET_LT_TIMESTAMP:
        thrift_write_field_bool(w, 1, lt->is_adjusted_to_utc);
        thrift_write_field_struct(w, 2);
        write_empty_struct_field(w, (int16_t)lt->unit);
        thrift_write_struct_end(w);
        break;
    case PARQUET_LT_INTEGER: {
        thrift_write_field_begin(w, THRIFT_BYTE, 1);
        uint8_t width = (uint8_t)lt->bit_width;
        thrift_write_bytes(w, &width, 1);
        thrift_write_field_bool(w, 2, lt->is_signed);
        break;
    }
    default: break;
    }
    thrift_write_struct_end(w);
    thrift_write_struct_end(w);
}

static void write_schema_element(thrift_writer *w, const parquet_schema_element *e)
{
    thrift_write_struct_begin(w);
    if (e->has_type)
        thrift_write_field_i32(w, 1, e->type);
    if (e->has_type && e->type == PARQUET_FIXED_LEN_BYTE_ARRAY)
        thrift_write_field_i32(w, 2, e->type_length);
    if (e->has_repetition)
        thrift_write_field_i32(w, 3, e->repetition);
    thrift_write_field_binary(w, 4, e->name, strlen(e->name));
    if (!e->has_type)
        thrift_write_field_i32(w, 5, e->num_children);
    if (e->converted_type != PARQUET_CT_NONE)
        thrift_write_field_i32(w, 6, e->converted_type);
    if (e->converted_type == PARQUET_CT_DECIMAL) {
        thrift_write_field_i32(w, 7, e->scale);
        thrift_write_field_i32(w, 8, e->precision);
    }
    if (e->has_field_id)
        thrift_write_field_i32(w, 9, e->field_id);
    if (e->logical.kind != PARQUET_LT_NONE)
        write_logical_type(w, &e->logical);
    thrift_write_struct_end(w);
}

static void write_column_meta(thrift_writer *w, const parquet_column_meta *m)
{
    thrift_write_field_struct(w, 3);
    thrift_write_field_i32(w, 1, m->type);
    thrift_write_field_begin(w, THRIFT_LIST, 2);
    thrift_write_list_begin(w, THRIFT_I32, m->encoding_count);
    for (uint32_t i = 0; i < m->encoding_count; i++)
        thrift_write_i32(w, m->encodings[i]);
    thrift_write_field_begin(w, THRIFT_LIST, 3);
    thrift_write_list_begin(w, THRIFT_BINARY, m->path_count);
    for (uint32_t i = 0; i < m->path_count; i++)
        thrift_write_binary(w, m->path[i], strlen(m->path[i]));
    thrift_write_field_i32(w, 4, m->codec);
    thrift_write_field_i64(w, 5, m->num_values);
    thrift_write_field_i64(w, 6, m->total_uncompressed_size);
    thrift_write_field_i64(w, 7, m->total_compressed_size);
    thrift_write_field_i64(w, 9, m->data_page_offset);
    if (m->has_dictionary_page_offset)
        thrift_write_field_i64(w, 11, m->dictionary_page_offset);
    if (m->has_statistics)
        write_statistics(w, 12, &m->statistics);
    thrift_write_struct_end(w);
}

static void write_row_group(thrift_writer *w, const parquet_row_group *g)
{
    thrift_write_struct_begin(w);
    thrift_write_field_begin(w, THRIFT_LIST, 1);
    thrift_write_list_begin(w, THRIFT_STRUCT, g->column_count);
    for (uint32_t i = 0; i < g->column_count; i++) {
        const parquet_column_chunk *c = &g->columns[i];
        thrift_write_struct_begin(w);
        thrift_write_field_i64(w, 2, c->file_offset);
        write_column_meta(w, &c->meta);
        if (c->has_offset_index) {
            thrift_write_field_i64(w, 4, c->offset_index_offset);
            thrift_write_field_i32(w, 5, c->offset_index_length);
        }
        if (c->has_column_index) {
            thrift_write_field_i64(w, 6, c->column_index_offset);
            thrift_write_field_i32(w, 7, c->column_index_length);
        }
        thrift_write_struct_end(w);
    }
    thrift_write_field_i64(w, 2, g->total_byte_size);
    thrift_write_field_i64(w, 3, g->num_rows);
    if (g->has_file_offset)
        thrift_write_field_i64(w, 5, g->file_offset);
    if (g->has_total_compressed_size)
        thrift_write_field_i64(w, 6, g->total_compressed_size);
    if (g->has_ordinal) {
        thrift_write_field_begin(w, THRIFT_I16, 7);
        thrift_write_i32(w, g->ordinal);
    }
    thrift_write_struct_end(w);
}

void parquet_file_meta_encode(thrift_writer *w, const parquet_file_meta *m)
{
    thrift_write_struct_begin(w);
    thrift_write_field_i32(w, 1, m->version);
    thrift_write_field_begin(w, THRIFT_LIST, 2);
    thrift_write_list_begin(w, THRIFT_STRUCT, m->schema_count);
    for (uint32_t i = 0; i < m->schema_count; i++)
        write_schema_element(w, &m->schema[i]);
    thrift_write_field_i64(w, 3, m->num_rows);
    thrift_write_field_begin(w, THRIFT_LIST, 4);
    thrift_write_list_begin(w, THRIFT_STRUCT, m->row_group_count);
    for (uint32_t i = 0; i < m->row_group_count; i++)
        write_row_group(w, &m->row_groups[i]);
    if (m->key_value_count > 0) {
        thrift_write_field_begin(w, THRIFT_LIST, 5);
        thrift_write_list_begin(w, THRIFT_STRUCT, m->key_value_count);
        for (uint32_t i = 0; i < m->key_value_count; i++) {
            thrift_write_struct_begin(w);
            const parquet_key_value *kv = &m->key_values[i];
            thrift_write_field_binary(w, 1, kv->key, strlen(kv->key));
            if (kv->value != NULL)
                thrift_write_field_binary(w, 2, kv->value, strlen(kv->value));
            thrift_write_struct_end(w);
        }
    }
    if (m->created_by != NULL)
        thrift_write_field_binary(w, 6, m->created_by, strlen(m->created_by));
    if (m->column_order_count > 0) {
        thrift_write_field_begin(w, THRIFT_LIST, 7);
        thrift_write_list_begin(w, THRIFT_STRUCT, m->column_order_count);
        for (uint32_t i = 0; i < m->column_order_count; i++) {
            thrift_write_struct_begin(w);
            write_empty_struct_field(w, 1);
            thrift_write_struct_end(w);
        }
    }
    thrift_write_struct_end(w);
}

void parquet_page_header_encode(thrift_writer *w, const parquet_page_header *h)
{
    thrift_write_struct_begin(w);
    thrift_write_field_i32(w, 1, h->type);
    thrift_write_field_i32(w, 2, h->uncompressed_page_size);
    thrift_write_field_i32(w, 3, h->compressed_page_size);
    if (h->has_crc)
        thrift_write_field_i32(w, 4, h->crc);
    if (h->has_data_page) {
        const parquet_data_page_header *d = &h->data_page;
        thrift_write_field_struct(w, 5);
        thrift_write_field_i32(w, 1, d->num_values);
        thrift_write_field_i32(w, 2, d->encoding);
        thrift_write_field_i32(w, 3, d->definition_level_encoding);
        thrift_write_field_i32(w, 4, d->repetition_level_encoding);
        if (d->has_statistics)
            write_statistics(w, 5, &d->statistics);
        thrift_write_struct_end(w);
    }
    if (h->has_dictionary_page) {
        thrift_write_field_struct(w, 7);
        thrift_write_field_i32(w, 1, h->dictionary_page.num_values);
        thrift_write_field_i32(w, 2, h->dictionary_page.encoding);
        thrift_write_field_bool(w, 3, h->dictionary_page.is_sorted);
        thrift_write_struct_end(w);
    }
    if (h->has_data_page_v2) {
        const parquet_data_page_header_v2 *d = &h->data_page_v2;
        thrift_write_field_struct(w, 8);
        thrift_write_field_i32(w, 1, d->num_values);
        thrift_write_field_i32(w, 2, d->num_nulls);
        thrift_write_field_i32(w, 3, d->num_rows);
        thrift_write_field_i32(w, 4, d->encoding);
        thrift_write_field_i32(w, 5, d->definition_levels_byte_length);
        thrift_write_field_i32(w, 6, d->repetition_levels_byte_length);
        thrift_write_field_bool(w, 7, d->is_compressed);
        if (d->has_statistics)
            write_statistics(w, 8, &d->statistics);
        thrift_write_struct_end(w);
    }
    thrift_write_struct_end(w);
}

void parquet_column_index_encode(thrift_writer *w, const parquet_column_index *c)
{
    thrift_write_struct_begin(w);
    thrift_write_field_begin(w, THRIFT_LIST, 1);
    thrift_write_list_begin(w, THRIFT_BOOL_TRUE, c->page_count);
    for (uint32_t i = 0; i < c->page_count; i++)
        thrift_write_list_bool(w, c->null_pages[i]);
    for (int16_t id = 2; id <= 3; id++) {
        const parquet_bytes *v = id == 2 ? c->min_values : c->max_values;
        thrift_write_field_begin(w, THRIFT_LIST, id);
        thrift_write_list_begin(w, THRIFT_BINARY, c->page_count);
        for (uint32_t i = 0; i < c->page_count; i++)
            thrift_write_binary(w, v[i].data, v[i].length);
    }
    thrift_write_field_i32(w, 4, c->boundary_order);
    if (c->has_null_counts) {
        thrift_write_field_begin(w, THRIFT_LIST, 5);
        thrift_write_list_begin(w, THRIFT_I64, c->page_count);
        for (uint32_t i = 0; i < c->page_count; i++)
            thrift_write_i64(w, c->null_counts[i]);
    }
    thrift_write_struct_end(w);
}

void parquet_offset_index_encode(thrift_writer *w, const parquet_offset_index *o)
{
    thrift_write_struct_begin(w);
    thrift_write_field_begin(w, THRIFT_LIST, 1);
    thrift_write_list_begin(w, THRIFT_STRUCT, o->page_count);
    for (uint32_t i = 0; i < o->page_count; i++) {
        thrift_write_struct_begin(w);
        thrift_write_field_i64(w, 1, o->pages[i].offset);
        thrift_write_field_i32(w, 2, o->pages[i].compressed_page_size);
        thrift_write_field_i64(w, 3, o->pages[i].first_row_index);
        thrift_write_struct_end(w);
    }
    thrift_write_struct_end(w);
}
