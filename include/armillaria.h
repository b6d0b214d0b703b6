/*
 * armillaria.h: the public C API of Armillaria, an embedded analytical database.
 * This is the only public header. Conventions (see docs/api.md):
 *  - every fallible function returns arm_status and takes an arm_error * last
 *    (which may be NULL); on failure the error is filled, on success untouched;
 *  - objects returned through `**out` are owned by the caller and freed with the
 *    matching _close/_destroy function, which accepts NULL;
 *  - pointers returned directly (names, strings) are borrowed: they live as long
 *    as the object they came from, unless the comment says otherwise.
 */
#ifndef ARMILLARIA_H
#define ARMILLARIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ARM_VERSION_STRING "0.1.0"

/* Status codes. Retry decisions use these, never message text. */
typedef enum arm_status {
    ARM_OK = 0,
    ARM_ERROR = 1,              /* unclassified failure */
    ARM_ERROR_SYNTAX,           /* malformed SQL (SQLSTATE 42601) */
    ARM_ERROR_NOT_FOUND,        /* unknown table, column, function... (42P01, 42703, 42883) */
    ARM_ERROR_ALREADY_EXISTS,   /* object exists (42P07) */
    ARM_ERROR_TYPE,             /* wrong types (42804) */
    ARM_ERROR_INVALID_INPUT,    /* a value that cannot be converted (22P02, 22007...) */
    ARM_ERROR_OUT_OF_RANGE,     /* overflow, value out of range (22003) */
    ARM_ERROR_DIVISION_BY_ZERO, /* 22012 */
    ARM_ERROR_CONSTRAINT,       /* NOT NULL, PRIMARY KEY violations (23502, 23505) */
    ARM_ERROR_NOT_SUPPORTED,    /* valid SQL that Armillaria does not do yet (0A000) */
    ARM_ERROR_OUT_OF_MEMORY,    /* allocation failed (53200) */
    ARM_ERROR_MEMORY_LIMIT,     /* a query would exceed memory_limit (53200) */
    ARM_ERROR_IO,               /* a file could not be read or written (58030) */
    ARM_ERROR_CORRUPT,          /* a file or object is damaged (XX001) */
    ARM_ERROR_CONFLICT,         /* a concurrent commit conflicts (40001) */
    ARM_ERROR_INTERRUPTED,      /* cancelled by arm_conn_interrupt (57014) */
    ARM_ERROR_MISUSE,           /* API used wrongly: bad index, wrong state (HY000) */
    ARM_ERROR_INTERNAL,         /* a bug in Armillaria (XX000) */
} arm_status;

#define ARM_ERROR_MESSAGE_SIZE 512
#define ARM_ERROR_DETAIL_SIZE 512
#define ARM_ERROR_HINT_SIZE 256

/*
 * An error report. Callers own it (usually on the stack); filling it never
 * allocates. `position` is the byte offset into the SQL text the error is
 * about, or -1. Strings are NUL-terminated and may be empty.
 */
typedef struct arm_error {
    arm_status status;
    char sqlstate[6];
    int32_t position;
    char message[ARM_ERROR_MESSAGE_SIZE];
    char detail[ARM_ERROR_DETAIL_SIZE];
    char hint[ARM_ERROR_HINT_SIZE];
} arm_error;

/* Resets `err` to "no error". */
void arm_error_clear(arm_error *err);

/* A short constant name for a status ("syntax error", "conflict"...). */
const char *arm_status_name(arm_status status);

/* Logical types, as reported by results. Values are stable across versions. */
typedef enum arm_type_id {
    ARM_TYPE_INVALID = 0,
    ARM_TYPE_NULL = 1, /* the type of an untyped NULL literal */
    ARM_TYPE_BOOLEAN = 2,
    ARM_TYPE_TINYINT = 3,
    ARM_TYPE_SMALLINT = 4,
    ARM_TYPE_INTEGER = 5,
    ARM_TYPE_BIGINT = 6,
    ARM_TYPE_REAL = 7,
    ARM_TYPE_DOUBLE = 8,
    ARM_TYPE_DECIMAL = 9,
    ARM_TYPE_VARCHAR = 10,
    ARM_TYPE_BLOB = 11,
    ARM_TYPE_DATE = 12,
    ARM_TYPE_TIMESTAMP = 13,
    ARM_TYPE_INTERVAL = 14,
} arm_type_id;

typedef struct arm_type {
    arm_type_id id;
    uint8_t precision; /* DECIMAL only */
    uint8_t scale;     /* DECIMAL only */
} arm_type;

/* An INTERVAL value, as PostgreSQL keeps it. */
typedef struct arm_interval {
    int32_t months;
    int32_t days;
    int64_t micros;
} arm_interval;

typedef struct arm_db arm_db;
typedef struct arm_conn arm_conn;
typedef struct arm_result arm_result;
typedef struct arm_stmt arm_stmt;
typedef struct arm_appender arm_appender;

/* ---- databases and connections ---------------------------------------- */

/*
 * Opens the database at `path` (a folder; created when missing), or an
 * in-memory database for ":memory:" or NULL. A folder keeps every committed
 * version (catalog.db and objects/); several processes may open it at once.
 * A folder that is not a database, or one written by a newer Armillaria, is
 * an error (ARM_ERROR_CORRUPT / ARM_ERROR_NOT_SUPPORTED). The handle is
 * thread-safe and owned by the caller; close it after all its connections.
 * Its connections share the loaded tables and the current branch (USE BRANCH).
 */
arm_status arm_db_open(arm_db **out, const char *path, arm_error *err);

/* Closes a database. Connections still open are a misuse. Accepts NULL. */
void arm_db_close(arm_db *db);

/*
 * Opens a connection. A connection is used by one thread at a time; open one
 * per thread. Settings (SET threads, SET memory_limit) are per database.
 */
arm_status arm_conn_open(arm_conn **out, arm_db *db, arm_error *err);

/* Closes a connection. Accepts NULL. */
void arm_conn_close(arm_conn *conn);

/*
 * Runs every statement in `sql` (separated by ';') and returns the result of
 * the last one through `out` (caller destroys it; `out` may be NULL to
 * discard). Stops at the first failing statement; earlier ones stay done.
 */
arm_status arm_conn_query(arm_result **out, arm_conn *conn, const char *sql, arm_error *err);

/*
 * Cancels the statement running on `conn`, from any thread or a signal
 * handler (it only sets a flag). The statement fails with
 * ARM_ERROR_INTERRUPTED; the connection stays usable.
 */
void arm_conn_interrupt(arm_conn *conn);

/* ---- results ------------------------------------------------------------ */

/* What kind of statement produced a result. */
typedef enum arm_result_kind {
    ARM_RESULT_ROWS = 0,    /* a query: rows to read */
    ARM_RESULT_CHANGES = 1, /* INSERT, UPDATE, DELETE: see arm_result_rows_changed */
    ARM_RESULT_NOTHING = 2, /* DDL, SET and the like */
} arm_result_kind;

/* A materialized result. Thread-compatible: read it from one thread at a time. */
arm_result_kind arm_result_kind_of(const arm_result *result);
size_t arm_result_column_count(const arm_result *result);
/* Borrowed; NULL when `column` is out of range. */
const char *arm_result_column_name(const arm_result *result, size_t column);
arm_type arm_result_column_type(const arm_result *result, size_t column);
uint64_t arm_result_row_count(const arm_result *result);
uint64_t arm_result_rows_changed(const arm_result *result);

/*
 * Typed access. Out-of-range indexes and NULL values give false / 0 / NULL.
 * Getters convert between numeric types where the value fits.
 */
bool arm_result_is_null(const arm_result *result, size_t column, uint64_t row);
bool arm_result_get_bool(const arm_result *result, size_t column, uint64_t row);
int64_t arm_result_get_int64(const arm_result *result, size_t column, uint64_t row);
double arm_result_get_double(const arm_result *result, size_t column, uint64_t row);
/* DATE as days since 1970-01-01; TIMESTAMP as microseconds since 1970-01-01 00:00:00. */
int32_t arm_result_get_date(const arm_result *result, size_t column, uint64_t row);
int64_t arm_result_get_timestamp(const arm_result *result, size_t column, uint64_t row);
arm_interval arm_result_get_interval(const arm_result *result, size_t column, uint64_t row);
/*
 * VARCHAR and BLOB bytes, borrowed from the result (not NUL-terminated);
 * `length` receives the byte count. NULL for NULL values and other types.
 */
const char *arm_result_get_string(const arm_result *result, size_t column, uint64_t row,
                                  size_t *length);
/*
 * Formats any value as text the way the shell shows it (NULL gives "NULL"),
 * into `buf` of `capacity` bytes, NUL-terminated and truncated to fit.
 * Returns the full length the text needs, excluding the NUL (as snprintf).
 */
size_t arm_result_format(const arm_result *result, size_t column, uint64_t row, char *buf,
                         size_t capacity);

/* Frees a result. Accepts NULL. */
void arm_result_destroy(arm_result *result);

/* ---- Arrow C data interface (https://arrow.apache.org/docs/format/CDataInterface.html) */

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4
struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};
struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};
#endif
#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE
struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};
#endif

/*
 * Exports a result as an Arrow stream of record batches (struct arrays, one
 * child per column). Ownership of `result` moves into the stream: do not use
 * or destroy it afterwards, even on failure. Column buffers are shared, not
 * copied, where the layouts agree (see docs/decisions.md for the exceptions).
 * The stream and every array it yields stay valid after the database closes.
 */
arm_status arm_result_to_arrow(arm_result *result, struct ArrowArrayStream *out, arm_error *err);

/* ---- prepared statements ------------------------------------------------ */

/*
 * Prepares one statement with parameters `$1`, `$2`... or `?`. The statement
 * belongs to `conn` and must be destroyed before it.
 */
arm_status arm_stmt_prepare(arm_stmt **out, arm_conn *conn, const char *sql, arm_error *err);
size_t arm_stmt_param_count(const arm_stmt *stmt);
/* Parameters are numbered from 1. Values are copied; bindings persist across executions. */
arm_status arm_stmt_bind_null(arm_stmt *stmt, size_t index, arm_error *err);
arm_status arm_stmt_bind_bool(arm_stmt *stmt, size_t index, bool value, arm_error *err);
arm_status arm_stmt_bind_int64(arm_stmt *stmt, size_t index, int64_t value, arm_error *err);
arm_status arm_stmt_bind_double(arm_stmt *stmt, size_t index, double value, arm_error *err);
arm_status arm_stmt_bind_text(arm_stmt *stmt, size_t index, const char *text, size_t length,
                              arm_error *err);
/* Runs the statement; `out` as for arm_conn_query. */
arm_status arm_stmt_execute(arm_result **out, arm_stmt *stmt, arm_error *err);
void arm_stmt_destroy(arm_stmt *stmt);

/* ---- appenders: bulk loading from C ------------------------------------- */

/*
 * Opens an appender on table `table` of `conn`: "t" or "s.t", spelt as in
 * SQL (unquoted names fold to lower case; "Quoted" ones keep their case).
 * An unknown table is ARM_ERROR_NOT_FOUND (42P01, with a suggestion in the
 * hint when a name is close); a view is ARM_ERROR_NOT_SUPPORTED. The
 * appender belongs to `conn`, is used by one thread at a time and must be
 * closed before the connection.
 *
 * Rows are given value by value, one per column in table order, each row
 * ended with arm_appender_end_row. Values convert to the column's type by
 * the rules of INSERT: integers narrow with a range check (22003), text
 * parses as a cast from text would (a DATE, TIMESTAMP, DECIMAL, BOOLEAN...
 * column; 22P02/22007/22008), and a value with no conversion to the column
 * type (an int64 into a DATE column) is ARM_ERROR_TYPE (42804). Error
 * messages name the column and the table.
 *
 * Any error in a value or in arm_appender_end_row (a row with too few or too
 * many values is ARM_ERROR_MISUSE) discards the row being built: the next
 * value is the first column of a new row, and rows ended earlier stay
 * buffered. The appender stays usable.
 *
 * Complete rows are buffered in columns and written to the table by
 * arm_appender_flush, arm_appender_close, and automatically every 122,880
 * rows (by arm_appender_end_row). Each write is one INSERT of the buffered
 * rows: it takes the database's write lock (55P03 when another connection
 * holds it past 5 s), checks NOT NULL and PRIMARY KEY, counts against
 * memory_limit, and is all or nothing. Outside a transaction each write
 * commits on its own (on a database folder, one commit per flush);
 * inside BEGIN ... COMMIT it joins the transaction, and a failed write rolls
 * the transaction back as a failed INSERT does. Buffered rows are invisible
 * to queries and belong to no transaction until written: flush before
 * COMMIT, ROLLBACK or reading them back.
 */
arm_status arm_appender_open(arm_appender **out, arm_conn *conn, const char *table, arm_error *err);
/* Columns of the table, in the order values are appended. */
size_t arm_appender_column_count(const arm_appender *appender);

/* The next value of the current row. `text`/`data` are copied; NULL text appends NULL. */
arm_status arm_appender_append_null(arm_appender *appender, arm_error *err);
arm_status arm_appender_append_bool(arm_appender *appender, bool value, arm_error *err);
arm_status arm_appender_append_int64(arm_appender *appender, int64_t value, arm_error *err);
arm_status arm_appender_append_double(arm_appender *appender, double value, arm_error *err);
arm_status arm_appender_append_text(arm_appender *appender, const char *text, size_t length,
                                    arm_error *err);
arm_status arm_appender_append_blob(arm_appender *appender, const void *data, size_t length,
                                    arm_error *err);
/* As the result getters: days since 1970-01-01; microseconds since 1970-01-01 00:00:00. */
arm_status arm_appender_append_date(arm_appender *appender, int32_t days, arm_error *err);
arm_status arm_appender_append_timestamp(arm_appender *appender, int64_t micros, arm_error *err);
arm_status arm_appender_append_interval(arm_appender *appender, arm_interval value, arm_error *err);

/*
 * Ends the current row, which must have one value per column. When the
 * buffer is full its rows are written (see above) and the write's status
 * returned; after a failed write the buffered rows are dropped.
 */
arm_status arm_appender_end_row(arm_appender *appender, arm_error *err);

/*
 * Writes the buffered rows to the table now (nothing buffered: nothing
 * happens). On failure none of them is written and they are dropped (append
 * them again to retry, e.g. after ARM_ERROR_CONFLICT); the appender stays
 * usable. A row in progress is ARM_ERROR_MISUSE (end it first) and nothing
 * is written.
 */
arm_status arm_appender_flush(arm_appender *appender, arm_error *err);

/*
 * Writes the buffered rows and frees the appender, whatever happens; returns
 * the write's status. A row in progress is discarded and reported as
 * ARM_ERROR_MISUSE after the complete rows were written. Accepts NULL.
 */
arm_status arm_appender_close(arm_appender *appender, arm_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ARMILLARIA_H */
