/*
 * slt_runner.c: executes the records of a sqllogictest file (the SQLite and
 * DuckDB format): statement ok/error/count, query with nosort/rowsort/valuesort,
 * skipif/onlyif, halt, hash-threshold, mode skip/unskip, loop/foreach/endloop,
 * require. Values are printed with arm_result_format; NULL as NULL, '' as (empty).
 */
#include <ctype.h>
#include <openssl/evp.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "armillaria.h"
#include "slt.h"

#define ENGINE_NAME "armillaria"
#define MAX_LOOP_DEPTH 8
#define MAX_TOKENS 16
#define MAX_FOREACH_VALUES 32

/* A growable NUL-terminated string. */
typedef struct strbuf {
    char *data;
    size_t length;
    size_t capacity;
} strbuf;

/* A growable list of owned strings. */
typedef struct strlist {
    char **items;
    size_t count;
    size_t capacity;
} strlist;

/* One active loop or foreach: its variable, current and last value, body start. */
typedef struct loop_frame {
    char name[32];
    long current;
    long end; /* exclusive */
    size_t body_line;
    bool is_foreach;
    char *values[MAX_FOREACH_VALUES];
    int value_count;
} loop_frame;

/* The state of running one script. */
typedef struct runner {
    const slt_script *script;
    bool is_verbose;
    slt_counts *counts;
    arm_db *db;
    arm_conn *conn;
    size_t line;
    loop_frame loops[MAX_LOOP_DEPTH];
    int loop_depth;
    bool is_skip_mode;
    bool is_halted;
} runner;

enum sort_mode { SORT_NONE, SORT_ROWS, SORT_VALUES };

/* One parsed record, with loop variables substituted. */
typedef struct record {
    size_t line_number; /* 1-based, for messages */
    strbuf sql;
    strlist expected;
    bool has_expected;
} record;

static void *checked_realloc(void *p, size_t size)
{
    void *grown = realloc(p, size ? size : 1);
    if (grown == NULL) {
        fputs("arm_sqllogictest: out of memory\n", stderr);
        exit(2);
    }
    return grown;
}

static void strbuf_append(strbuf *sb, const char *text, size_t length)
{
    if (sb->length + length + 1 > sb->capacity) {
        size_t capacity = sb->capacity ? sb->capacity * 2 : 128;
        while (capacity < sb->length + length + 1)
            capacity *= 2;
        sb->data = checked_realloc(sb->data, capacity);
        sb->capacity = capacity;
    }
    memcpy(sb->data + sb->length, text, length);
    sb->length += length;
    sb->data[sb->length] = '\0';
}

static void strbuf_append_str(strbuf *sb, const char *text)
{
    strbuf_append(sb, text, strlen(text));
}

static void strlist_push(strlist *list, char *item)
{
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 16;
        list->items = checked_realloc(list->items, list->capacity * sizeof(char *));
    }
    list->items[list->count++] = item;
}

static void strlist_dispose(strlist *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i]);
    free(list->items);
    memset(list, 0, sizeof(*list));
}

static char *dup_string(const char *text, size_t length)
{
    char *copy = checked_realloc(NULL, length + 1);
    memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}

static bool is_blank_line(const char *line)
{
    for (; *line; line++) {
        if (!isspace((unsigned char)*line))
            return false;
    }
    return true;
}

/* Splits a copy of `line` on whitespace; `tokens` point into `buf`. */
static int tokenize(const char *line, char *buf, size_t capacity, char **tokens)
{
    snprintf(buf, capacity, "%s", line);
    int count = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, " \t", &save); tok && count < MAX_TOKENS;
         tok = strtok_r(NULL, " \t", &save))
        tokens[count++] = tok;
    return count;
}

/* Appends `line` to `out` with ${name} replaced by the active loop values. */
static void substitute(const runner *r, const char *line, strbuf *out)
{
    const char *p = line;
    while (*p) {
        if (p[0] == '$' && p[1] == '{') {
            const char *close = strchr(p, '}');
            bool is_done = false;
            for (int i = r->loop_depth - 1; close && i >= 0 && !is_done; i--) {
                const loop_frame *f = &r->loops[i];
                size_t name_length = (size_t)(close - p - 2);
                if (strlen(f->name) != name_length || memcmp(p + 2, f->name, name_length) != 0)
                    continue;
                char number[32];
                const char *value = number;
                if (f->is_foreach)
                    value = f->values[f->current];
                else
                    snprintf(number, sizeof(number), "%ld", f->current);
                strbuf_append_str(out, value);
                p = close + 1;
                is_done = true;
            }
            if (is_done)
                continue;
        }
        strbuf_append(out, p, 1);
        p++;
    }
}

static void record_dispose(record *rec)
{
    free(rec->sql.data);
    strlist_dispose(&rec->expected);
}

/* Reads the SQL after the record's head line and the block after "----". */
static void read_record_body(runner *r, record *rec)
{
    const slt_script *s = r->script;
    memset(&rec->sql, 0, sizeof(rec->sql));
    memset(&rec->expected, 0, sizeof(rec->expected));
    rec->has_expected = false;
    strbuf_append(&rec->sql, "", 0);
    while (r->line < s->line_count && !is_blank_line(s->lines[r->line]) &&
           strcmp(s->lines[r->line], "----") != 0) {
        if (rec->sql.length > 0)
            strbuf_append(&rec->sql, "\n", 1);
        substitute(r, s->lines[r->line], &rec->sql);
        r->line++;
    }
    if (r->line < s->line_count && strcmp(s->lines[r->line], "----") == 0) {
        rec->has_expected = true;
        r->line++;
        while (r->line < s->line_count && !is_blank_line(s->lines[r->line])) {
            strbuf line = {0};
            strbuf_append(&line, "", 0);
            substitute(r, s->lines[r->line], &line);
            strlist_push(&rec->expected, line.data);
            r->line++;
        }
    }
}

static void report_failure(const runner *r, const record *rec, const char *what)
{
    fprintf(stderr, "\n=== FAIL %s:%zu: %s\n", r->script->path, rec->line_number, what);
    fprintf(stderr, "--- SQL:\n%s\n", rec->sql.data);
}

/* Message, DETAIL and HINT in one text, for matching expected error substrings. */
static void error_text(const arm_error *err, strbuf *out)
{
    strbuf_append_str(out, err->message);
    if (err->detail[0]) {
        strbuf_append_str(out, "\nDETAIL: ");
        strbuf_append_str(out, err->detail);
    }
    if (err->hint[0]) {
        strbuf_append_str(out, "\nHINT: ");
        strbuf_append_str(out, err->hint);
    }
}

static bool run_statement(runner *r, record *rec, const char *kind, long expected_count)
{
    arm_result *result = NULL;
    arm_error err;
    arm_error_clear(&err);
    arm_status status = arm_conn_query(&result, r->conn, rec->sql.data, &err);
    bool is_ok = true;
    strbuf text = {0};
    strbuf_append(&text, "", 0);
    error_text(&err, &text);
    if (strcmp(kind, "error") == 0) {
        if (status == ARM_OK) {
            report_failure(r, rec, "statement should have failed but succeeded");
            is_ok = false;
        }
        for (size_t i = 0; is_ok && i < rec->expected.count; i++) {
            if (strstr(text.data, rec->expected.items[i]) == NULL) {
                report_failure(r, rec, "error message does not match");
                fprintf(stderr, "--- expected the error to contain:\n%s\n--- actual error:\n%s\n",
                        rec->expected.items[i], text.data);
                is_ok = false;
            }
        }
    } else if (status != ARM_OK) {
        report_failure(r, rec, "statement failed");
        fprintf(stderr, "--- error (%s):\n%s\n", arm_status_name(status), text.data);
        is_ok = false;
    } else if (expected_count >= 0 &&
               (result == NULL || arm_result_rows_changed(result) != (uint64_t)expected_count)) {
        report_failure(r, rec, "wrong count of changed rows");
        fprintf(stderr, "--- expected %ld, got %llu\n", expected_count,
                result ? (unsigned long long)arm_result_rows_changed(result) : 0ULL);
        is_ok = false;
    }
    free(text.data);
    arm_result_destroy(result);
    return is_ok;
}

/* Formats every value of a result into `values`, row after row. */
static void collect_values(const arm_result *result, strlist *values)
{
    size_t column_count = arm_result_column_count(result);
    uint64_t row_count = arm_result_row_count(result);
    char small[256];
    for (uint64_t row = 0; row < row_count; row++) {
        for (size_t column = 0; column < column_count; column++) {
            if (arm_result_is_null(result, column, row)) {
                strlist_push(values, dup_string("NULL", 4));
                continue;
            }
            size_t length = arm_result_format(result, column, row, small, sizeof(small));
            if (length == 0) {
                strlist_push(values, dup_string("(empty)", 7));
            } else if (length < sizeof(small)) {
                strlist_push(values, dup_string(small, length));
            } else {
                char *big = checked_realloc(NULL, length + 1);
                arm_result_format(result, column, row, big, length + 1);
                strlist_push(values, big);
            }
        }
    }
}

/* Splits expected lines on tabs into one flat list of values. */
static void flatten_expected(const strlist *lines, strlist *values)
{
    for (size_t i = 0; i < lines->count; i++) {
        const char *p = lines->items[i];
        for (;;) {
            const char *tab = strchr(p, '\t');
            size_t length = tab ? (size_t)(tab - p) : strlen(p);
            strlist_push(values, dup_string(p, length));
            if (tab == NULL)
                break;
            p = tab + 1;
        }
    }
}

static size_t sort_width;

static int compare_rows(const void *a, const void *b)
{
    char *const *x = a;
    char *const *y = b;
    for (size_t i = 0; i < sort_width; i++) {
        int c = strcmp(x[i], y[i]);
        if (c != 0)
            return c;
    }
    return 0;
}

static void sort_values(strlist *values, size_t width)
{
    if (width == 0 || values->count == 0 || values->count % width != 0)
        return;
    sort_width = width;
    qsort(values->items, values->count / width, width * sizeof(char *), compare_rows);
}

static void print_values(const strlist *values, size_t width)
{
    for (size_t i = 0; i < values->count; i++) {
        fputs(values->items[i], stderr);
        fputc(width > 0 && (i + 1) % width == 0 ? '\n' : '\t', stderr);
    }
    if (width == 0 || values->count % width != 0)
        fputc('\n', stderr);
}

static bool values_equal(const strlist *a, const strlist *b)
{
    if (a->count != b->count)
        return false;
    for (size_t i = 0; i < a->count; i++) {
        if (strcmp(a->items[i], b->items[i]) != 0)
            return false;
    }
    return true;
}

#define REGEX_PREFIX "<REGEX>:"

/*
 * An expected block of one line "<REGEX>:pattern" matches when the POSIX
 * extended pattern (case-insensitive) is found anywhere in the result text
 * (values joined by tabs, rows by newlines); for plans and other free text.
 */
static bool check_regex(runner *r, record *rec, const strlist *actual, size_t column_count)
{
    strbuf text = {0};
    strbuf_append(&text, "", 0);
    for (size_t i = 0; i < actual->count; i++) {
        strbuf_append_str(&text, actual->items[i]);
        strbuf_append(&text, column_count > 0 && (i + 1) % column_count == 0 ? "\n" : "\t", 1);
    }
    if (text.length > 0)
        text.data[--text.length] = '\0'; /* no separator after the last value */
    const char *pattern = rec->expected.items[0] + strlen(REGEX_PREFIX);
    regex_t regex;
    bool is_ok = false;
    if (regcomp(&regex, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0) {
        report_failure(r, rec, "bad <REGEX>: pattern");
    } else {
        is_ok = regexec(&regex, text.data, 0, NULL, 0) == 0;
        regfree(&regex);
        if (!is_ok) {
            report_failure(r, rec, "result does not match the pattern");
            fprintf(stderr, "--- pattern:\n%s\n--- actual:\n%s\n", pattern, text.data);
        }
    }
    free(text.data);
    return is_ok;
}

/*
 * SQLite's hashed form of a large result, "N values hashing to MD5": the MD5
 * of every value followed by a newline, after sorting. Returns false when the
 * expected block is not in that form.
 */
static bool parse_hashed(const strlist *expected, unsigned long long *count, char md5_hex[33])
{
    char tail[64];
    return expected->count == 1 &&
           sscanf(expected->items[0], "%llu values hashing to %32s%63s", count, md5_hex, tail) ==
               2 &&
           strlen(md5_hex) == 32;
}

static void md5_of_values(const strlist *values, char md5_hex[33])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    md5_hex[0] = '\0';
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return;
    }
    for (size_t i = 0; i < values->count; i++) {
        EVP_DigestUpdate(ctx, values->items[i], strlen(values->items[i]));
        EVP_DigestUpdate(ctx, "\n", 1);
    }
    EVP_DigestFinal_ex(ctx, digest, &digest_length);
    EVP_MD_CTX_free(ctx);
    for (unsigned int i = 0; i < digest_length && i < 16; i++)
        snprintf(md5_hex + 2 * i, 3, "%02x", digest[i]);
}

static bool check_hashed(runner *r, record *rec, const strlist *actual, unsigned long long count,
                         const char *md5_hex)
{
    char actual_md5[33];
    md5_of_values(actual, actual_md5);
    if (actual->count == count && strcmp(actual_md5, md5_hex) == 0)
        return true;
    report_failure(r, rec, "wrong result");
    fprintf(stderr,
            "--- expected:\n%llu values hashing to %s\n--- actual:\n%zu values hashing to %s\n",
            count, md5_hex, actual->count, actual_md5);
    return false;
}

/* Compares a query result with the expected block; prints both on mismatch. */
static bool check_query_result(runner *r, record *rec, const arm_result *result, const char *types,
                               enum sort_mode sort)
{
    size_t column_count = arm_result_column_count(result);
    if (strlen(types) != column_count) {
        char what[128];
        snprintf(what, sizeof(what), "query has %zu columns but the type string \"%s\" has %zu",
                 column_count, types, strlen(types));
        report_failure(r, rec, what);
        return false;
    }
    strlist actual = {0};
    strlist expected = {0};
    collect_values(result, &actual);
    if (rec->expected.count == 1 &&
        strncmp(rec->expected.items[0], REGEX_PREFIX, strlen(REGEX_PREFIX)) == 0) {
        bool is_match = check_regex(r, rec, &actual, column_count);
        strlist_dispose(&actual);
        return is_match;
    }
    size_t width = sort == SORT_VALUES ? 1 : column_count;
    if (sort != SORT_NONE)
        sort_values(&actual, width);
    unsigned long long hashed_count;
    char md5_hex[33];
    if (parse_hashed(&rec->expected, &hashed_count, md5_hex)) {
        bool is_match = check_hashed(r, rec, &actual, hashed_count, md5_hex);
        strlist_dispose(&actual);
        return is_match;
    }
    flatten_expected(&rec->expected, &expected);
    if (sort != SORT_NONE)
        sort_values(&expected, width);
    bool is_ok = values_equal(&actual, &expected);
    if (!is_ok) {
        report_failure(r, rec, "wrong result");
        fprintf(stderr, "--- expected:\n");
        print_values(&expected, column_count);
        fprintf(stderr, "--- actual:\n");
        print_values(&actual, column_count);
    }
    strlist_dispose(&actual);
    strlist_dispose(&expected);
    return is_ok;
}

static bool run_query(runner *r, record *rec, char **tokens, int token_count)
{
    const char *types = token_count > 1 ? tokens[1] : "";
    enum sort_mode sort = SORT_NONE;
    if (token_count > 2 && strcmp(tokens[2], "rowsort") == 0)
        sort = SORT_ROWS;
    else if (token_count > 2 && strcmp(tokens[2], "valuesort") == 0)
        sort = SORT_VALUES;
    arm_result *result = NULL;
    arm_error err;
    arm_error_clear(&err);
    if (arm_conn_query(&result, r->conn, rec->sql.data, &err) != ARM_OK) {
        strbuf text = {0};
        strbuf_append(&text, "", 0);
        error_text(&err, &text);
        report_failure(r, rec, "query failed");
        fprintf(stderr, "--- error (%s):\n%s\n", arm_status_name(err.status), text.data);
        free(text.data);
        return false;
    }
    bool is_ok = true;
    if (result == NULL || arm_result_kind_of(result) != ARM_RESULT_ROWS) {
        report_failure(r, rec, "query returned no rows result");
        is_ok = false;
    } else if (rec->has_expected || rec->expected.count > 0) {
        is_ok = check_query_result(r, rec, result, types, sort);
    }
    arm_result_destroy(result);
    return is_ok;
}

static void count_outcome(runner *r, bool is_ok)
{
    if (is_ok)
        r->counts->passed++;
    else
        r->counts->failed++;
}

/* Runs (or skips) a statement/query record whose head line is tokens[]. */
static void run_record(runner *r, char **tokens, int token_count, bool is_skipped)
{
    record rec;
    rec.line_number = r->line;
    read_record_body(r, &rec);
    if (is_skipped || r->is_skip_mode) {
        r->counts->skipped++;
    } else if (strcmp(tokens[0], "statement") == 0) {
        const char *kind = token_count > 1 ? tokens[1] : "ok";
        long count = strcmp(kind, "count") == 0 && token_count > 2 ? atol(tokens[2]) : -1;
        if (r->is_verbose)
            fprintf(stderr, "%s:%zu: statement %s\n", r->script->path, rec.line_number, kind);
        count_outcome(r, run_statement(r, &rec, kind, count));
    } else {
        if (r->is_verbose)
            fprintf(stderr, "%s:%zu: query\n", r->script->path, rec.line_number);
        count_outcome(r, run_query(r, &rec, tokens, token_count));
    }
    record_dispose(&rec);
}

static void begin_loop(runner *r, char **tokens, int token_count, bool is_foreach)
{
    if (r->loop_depth >= MAX_LOOP_DEPTH || token_count < 3 || (!is_foreach && token_count < 4)) {
        fprintf(stderr, "%s:%zu: bad loop\n", r->script->path, r->line);
        r->counts->failed++;
        r->is_halted = true;
        return;
    }
    loop_frame *f = &r->loops[r->loop_depth++];
    memset(f, 0, sizeof(*f));
    snprintf(f->name, sizeof(f->name), "%s", tokens[1]);
    f->body_line = r->line;
    f->is_foreach = is_foreach;
    if (is_foreach) {
        for (int i = 2; i < token_count && f->value_count < MAX_FOREACH_VALUES; i++)
            f->values[f->value_count++] = dup_string(tokens[i], strlen(tokens[i]));
        f->current = 0;
        f->end = f->value_count;
    } else {
        f->current = atol(tokens[2]);
        f->end = atol(tokens[3]);
    }
    if (f->current < f->end)
        return;
    /* an empty loop: skip its body up to the matching endloop */
    int depth = 1;
    while (r->line < r->script->line_count && depth > 0) {
        const char *line = r->script->lines[r->line++];
        if (strncmp(line, "loop ", 5) == 0 || strncmp(line, "foreach ", 8) == 0)
            depth++;
        else if (strncmp(line, "endloop", 7) == 0)
            depth--;
    }
    for (int i = 0; i < f->value_count; i++)
        free(f->values[i]);
    r->loop_depth--;
}

static void end_loop(runner *r)
{
    if (r->loop_depth == 0) {
        fprintf(stderr, "%s:%zu: endloop without loop\n", r->script->path, r->line);
        r->counts->failed++;
        return;
    }
    loop_frame *f = &r->loops[r->loop_depth - 1];
    if (++f->current < f->end) {
        r->line = f->body_line;
        return;
    }
    for (int i = 0; i < f->value_count; i++)
        free(f->values[i]);
    r->loop_depth--;
}

/* Handles control lines (halt, mode, loop...); returns false if the head is unknown. */
static bool run_control(runner *r, char **tokens, int token_count)
{
    const char *head = tokens[0];
    if (strcmp(head, "halt") == 0) {
        r->is_halted = !r->is_skip_mode;
    } else if (strcmp(head, "hash-threshold") == 0) {
        /* accepted; results are always compared value by value */
    } else if (strcmp(head, "mode") == 0) {
        if (token_count > 1 && strcmp(tokens[1], "skip") == 0)
            r->is_skip_mode = true;
        else if (token_count > 1 && strcmp(tokens[1], "unskip") == 0)
            r->is_skip_mode = false;
    } else if (strcmp(head, "loop") == 0 || strcmp(head, "foreach") == 0) {
        begin_loop(r, tokens, token_count, head[0] == 'f');
    } else if (strcmp(head, "endloop") == 0) {
        end_loop(r);
    } else if (strcmp(head, "require") == 0) {
        r->counts->skipped_file = true;
        r->is_halted = true;
    } else {
        return false;
    }
    return true;
}

/* Applies a skipif/onlyif line to the record that follows. */
static void apply_condition(char **tokens, int token_count, bool *is_skipped)
{
    bool is_us =
        token_count > 1 && (strcmp(tokens[1], ENGINE_NAME) == 0 || strcmp(tokens[1], "arm") == 0);
    if (strcmp(tokens[0], "skipif") == 0 && is_us)
        *is_skipped = true;
    if (strcmp(tokens[0], "onlyif") == 0 && !is_us)
        *is_skipped = true;
}

static void run_lines(runner *r)
{
    const slt_script *s = r->script;
    bool is_skipped = false;
    while (r->line < s->line_count && !r->is_halted) {
        const char *line = s->lines[r->line];
        if (is_blank_line(line) || line[0] == '#') {
            r->line++;
            continue;
        }
        char buf[1024];
        char *tokens[MAX_TOKENS];
        int token_count = tokenize(line, buf, sizeof(buf), tokens);
        r->line++;
        if (strcmp(tokens[0], "skipif") == 0 || strcmp(tokens[0], "onlyif") == 0) {
            apply_condition(tokens, token_count, &is_skipped);
            continue;
        }
        if (strcmp(tokens[0], "statement") == 0 || strcmp(tokens[0], "query") == 0) {
            run_record(r, tokens, token_count, is_skipped);
        } else if (!run_control(r, tokens, token_count)) {
            fprintf(stderr, "\n=== FAIL %s:%zu: unknown record \"%s\"\n", s->path, r->line,
                    tokens[0]);
            r->counts->failed++;
        }
        is_skipped = false;
    }
}

void slt_script_run(const slt_script *script, bool is_verbose, slt_counts *counts)
{
    runner r;
    memset(&r, 0, sizeof(r));
    r.script = script;
    r.is_verbose = is_verbose;
    r.counts = counts;
    arm_error err;
    arm_error_clear(&err);
    if (arm_db_open(&r.db, NULL, &err) != ARM_OK || arm_conn_open(&r.conn, r.db, &err) != ARM_OK) {
        fprintf(stderr, "%s: cannot open an in-memory database: %s\n", script->path, err.message);
        counts->failed++;
        arm_db_close(r.db);
        return;
    }
    run_lines(&r);
    for (int i = 0; i < r.loop_depth; i++) {
        for (int v = 0; v < r.loops[i].value_count; v++)
            free(r.loops[i].values[v]);
    }
    arm_conn_close(r.conn);
    arm_db_close(r.db);
}
