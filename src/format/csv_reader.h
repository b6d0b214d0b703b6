/*
 * csv_reader.h: splits CSV text into records and fields (RFC 4180: quoted
 * fields with doubled quotes, embedded delimiters and newlines, LF or CRLF
 * line ends). It does not interpret values: callers convert field text to
 * their column types and report bad values with the record's line number.
 */
#ifndef ARM_FORMAT_CSV_READER_H
#define ARM_FORMAT_CSV_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef struct csv_reader csv_reader;

/* One field of the current record; text is valid until the next record. */
typedef struct csv_field {
    const char *text;
    uint32_t length;
    bool quoted; /* written in quotes: "" is an empty string, not NULL */
} csv_field;

/* Reads the whole file at `path` (ARM_ERROR_IO naming it when it cannot). */
arm_status csv_reader_open(csv_reader **out, const char *path, char delimiter, char quote,
                           arm_error *err);
void csv_reader_close(csv_reader *r); /* accepts NULL */

/*
 * The next record: *fields (borrowed) and *count, and the line it starts on
 * (from 1). *count is 0 at the end of the file. An unterminated quote is
 * ARM_ERROR_INVALID_INPUT naming the line.
 */
arm_status csv_reader_next(csv_reader *r, const csv_field **fields, uint32_t *count, uint64_t *line,
                           arm_error *err);

#endif
