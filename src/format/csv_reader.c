/*
 * csv_reader.c: the whole file is read into memory and split in place;
 * quoted fields with doubled quotes are unescaped into a scratch buffer so
 * that fields never alias each other.
 */
#include "format/csv_reader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct csv_reader {
    char *path;
    char *data;
    size_t size;
    size_t at;
    uint64_t line;
    char delimiter;
    char quote;
    csv_field *fields;
    uint32_t field_capacity;
    char *scratch; /* unescaped quoted fields of the current record */
    size_t scratch_capacity;
};

arm_status csv_reader_open(csv_reader **out, const char *path, char delimiter, char quote,
                           arm_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return error_set(err, ARM_ERROR_IO, "58P01", -1, "cannot read \"%s\": %s", path,
                         strerror(errno));
    csv_reader *r = calloc(1, sizeof *r);
    long size = -1;
    if (r != NULL && fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (r == NULL || size < 0 || fseek(f, 0, SEEK_SET) != 0 ||
        (r->data = malloc((size_t)size + 1)) == NULL || (r->path = strdup(path)) == NULL ||
        fread(r->data, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        csv_reader_close(r);
        return error_set(err, ARM_ERROR_IO, "58030", -1, "cannot read \"%s\"", path);
    }
    fclose(f);
    r->size = (size_t)size;
    r->data[r->size] = '\0';
    r->line = 1;
    r->delimiter = delimiter;
    r->quote = quote;
    if (r->size >= 3 && memcmp(r->data, "\xEF\xBB\xBF", 3) == 0)
        r->at = 3; /* a UTF-8 byte order mark is not part of the first field */
    *out = r;
    return ARM_OK;
}

void csv_reader_close(csv_reader *r)
{
    if (r == NULL)
        return;
    free(r->path);
    free(r->data);
    free(r->fields);
    free(r->scratch);
    free(r);
}

static bool add_field(csv_reader *r, uint32_t *count, const char *text, size_t length, bool quoted)
{
    if (*count == r->field_capacity) {
        uint32_t capacity = r->field_capacity ? 2 * r->field_capacity : 16;
        csv_field *grown = realloc(r->fields, capacity * sizeof *grown);
        if (grown == NULL)
            return false;
        r->fields = grown;
        r->field_capacity = capacity;
    }
    r->fields[(*count)++] = (csv_field){text, (uint32_t)length, quoted};
    return true;
}

/* A quoted field starting after its opening quote; unescaped into scratch at *used. */
static arm_status quoted_field(csv_reader *r, size_t *used, const char **text, size_t *length,
                               uint64_t start_line, arm_error *err)
{
    size_t begin = *used;
    for (;;) {
        if (r->at >= r->size)
            return error_set(err, ARM_ERROR_INVALID_INPUT, "22P04", -1,
                             "unterminated quoted field in \"%s\" line %llu", r->path,
                             (unsigned long long)start_line);
        char ch = r->data[r->at++];
        if (ch == r->quote) {
            if (r->at < r->size && r->data[r->at] == r->quote)
                r->at++; /* a doubled quote is one quote */
            else
                break;
        }
        if (ch == '\n')
            r->line++;
        r->scratch[(*used)++] = ch;
    }
    *text = r->scratch + begin;
    *length = *used - begin;
    return ARM_OK;
}

arm_status csv_reader_next(csv_reader *r, const csv_field **fields, uint32_t *count, uint64_t *line,
                           arm_error *err)
{
    *count = 0;
    *fields = r->fields;
    while (r->at < r->size && (r->data[r->at] == '\n' || r->data[r->at] == '\r')) {
        r->line += r->data[r->at] == '\n';
        r->at++; /* blank lines are not records */
    }
    *line = r->line;
    if (r->at >= r->size)
        return ARM_OK;
    if (r->scratch_capacity < r->size + 1) { /* quoted text never outgrows the file */
        free(r->scratch);
        r->scratch_capacity = r->size + 1;
        if ((r->scratch = malloc(r->scratch_capacity)) == NULL)
            return error_out_of_memory(err);
    }
    size_t used = 0;
    for (;;) {
        const char *text = r->data + r->at;
        size_t length = 0;
        bool quoted = r->data[r->at] == r->quote;
        if (quoted) {
            r->at++;
            if (quoted_field(r, &used, &text, &length, *line, err) != ARM_OK)
                return err->status;
        }
        while (r->at < r->size && r->data[r->at] != r->delimiter && r->data[r->at] != '\n') {
            r->at++; /* text after a closing quote is ignored, as most readers do */
            length += !quoted;
        }
        if (!quoted && length > 0 && text[length - 1] == '\r')
            length--;
        if (!add_field(r, count, text, length, quoted))
            return error_out_of_memory(err);
        *fields = r->fields;
        if (r->at >= r->size || r->data[r->at] == '\n') {
            if (r->at < r->size) {
                r->at++;
                r->line++;
            }
            return ARM_OK;
        }
        r->at++; /* the delimiter */
    }
}
