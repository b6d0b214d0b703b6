/*
 * csv_import.h: CSV files into tables, for COPY t FROM 'f.csv' and
 * read_csv('f.csv'): field text is converted to the column types batch by
 * batch; a value that does not convert is reported with its file, line and
 * column. read_csv infers the column types (and whether the first line is a
 * header) from a sample of the file.
 */
#ifndef ARM_SQL_CSV_IMPORT_H
#define ARM_SQL_CSV_IMPORT_H

#include "catalog/catalog.h"

typedef struct csv_import_options {
    bool header; /* the first record names the columns */
    char delimiter;
    char quote;
    const char *null_text; /* an unquoted field equal to it is NULL ("" by default) */
} csv_import_options;

/* Appends the records of `path` to def->provider; *rows counts them. */
arm_status csv_import_append(table_def *def, const char *path, const csv_import_options *options,
                             uint64_t *rows, arm_error *err);

/*
 * Reads `path` into a new in-memory table whose columns and types are
 * inferred from the first records (BOOLEAN, BIGINT, DOUBLE, DATE,
 * TIMESTAMP, else VARCHAR). `header_known` false: decide from the data
 * whether the first record is a header. *out has refcount 1.
 */
arm_status csv_import_read(table_def **out, const char *path, csv_import_options options,
                           bool header_known, arm_error *err);

#endif
