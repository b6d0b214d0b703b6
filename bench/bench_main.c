/*
 * bench_main.c: the BENCH.md suite. Generates the data, loads it into
 * Armillaria and into DuckDB (libduckdb.so via dlopen), runs Q1-Q12 side by
 * side in one process with the same thread count, checks that both return
 * the same results, and prints medians, mins and ratios.
 *
 * Usage: arm_bench [--rows N[,N...]] [--threads T[,T...]] [--runs R]
 *                  [--duckdb PATH] [--check-only] [--markdown] [--parquet]
 *                  [--folder DIR] [--memory] [--queries 5,8,..]
 * --parquet times Parquet instead (issue 3): each engine writes the events
 * table with COPY (ZSTD and SNAPPY), then both scan the file DuckDB wrote,
 * every column and two columns, through read_parquet.
 * --memory runs the hot suite in each engine alone, in a child process, and
 * prints its resident memory after loading and its peak during the queries.
 * --folder loads Armillaria into a database folder DIR (emptied first) in
 * one transaction, runs the hot suite on it, then the cold suite: each run
 * opens the folder afresh (nothing decoded; the OS cache stays warm) while
 * DuckDB reads the same tables from one Parquet file each.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "armillaria.h"
#include "bench_data.h"
#include "duckdb_api.h"

typedef struct bench_query {
    const char *id;
    const char *sql;
} bench_query;

static const bench_query queries[] = {
    {"Q1", "SELECT * FROM events WHERE score > 95"},
    {"Q2", "SELECT id, score FROM events"},
    {"Q3", "SELECT * FROM events"},
    {"Q4", "SELECT COUNT(*) FROM events"},
    {"Q5", "SELECT category, COUNT(*), SUM(amount), AVG(score) FROM events GROUP BY category"},
    {"Q6", "SELECT AVG(amount) FROM events WHERE quantity > 50 AND flag"},
    {"Q7", "SELECT region, category, SUM(amount) AS s FROM events WHERE score BETWEEN 20 AND 80 "
           "AND quantity < 90 GROUP BY region, category HAVING COUNT(*) > 10 ORDER BY s DESC "
           "LIMIT 10"},
    {"Q8", "SELECT u.tier, SUM(e.amount) FROM events e JOIN users u ON e.user_id = u.user_id "
           "GROUP BY u.tier"},
    {"Q9", "SELECT c.continent, COUNT(*), AVG(e.score) FROM events e JOIN users u ON e.user_id "
           "= u.user_id JOIN countries c ON u.country = c.country WHERE e.flag GROUP BY "
           "c.continent"},
    {"Q10", "SELECT id, score FROM events ORDER BY score DESC LIMIT 100"},
    {"Q11", "SELECT COUNT(DISTINCT user_id) FROM events"},
    {"Q12", "SELECT COUNT(*) FROM events WHERE name LIKE '%ab%'"},
};
#define QUERY_COUNT (sizeof queries / sizeof queries[0])

typedef struct bench_options {
    uint64_t rows[8];
    unsigned row_size_count;
    uint64_t query_mask; /* bit q set: run query q+1 (all when --queries is absent) */
    unsigned threads[4];
    unsigned thread_count_count;
    unsigned runs;
    const char *duckdb_path;
    bool check_only;
    bool markdown;
    bool parquet;       /* --parquet: Parquet write and scan timings instead of Q1-Q12 */
    const char *folder; /* --folder: Armillaria in this database folder, plus cold runs */
    bool memory;        /* --memory: peak resident memory of each engine's hot suite */
    bool scaling;       /* --scaling: Armillaria alone, hot, speed-up over the first --threads */
} bench_options;

/*
 * Results are compared through a summary query run by both engines over the
 * query as a subquery: the row count and, per column, a sum (numbers), a
 * count of TRUE (booleans), the epoch sum (timestamps) or the total length
 * (strings). Order-independent, and it reads nothing engine-specific.
 */
#define CHECK_MAX_VALUES 32

typedef struct result_summary {
    unsigned count;
    double values[CHECK_MAX_VALUES];
    bool is_null[CHECK_MAX_VALUES];
} result_summary;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- Armillaria ------------------------------------------------------- */

static bool arm_exec(arm_conn *conn, const char *sql)
{
    arm_error err;
    arm_error_clear(&err);
    if (arm_conn_query(NULL, conn, sql, &err) != ARM_OK) {
        fprintf(stderr, "armillaria: %s\n  in: %.200s\n", err.message, sql);
        return false;
    }
    return true;
}

static bool arm_append_text(arm_appender *a, const char *text, arm_error *err)
{
    return arm_appender_append_text(a, text, strlen(text), err) == ARM_OK;
}

/* Closes `a`, which writes its last rows; false when that or an earlier step (!ok) failed. */
static bool arm_close_appender(arm_appender *a, bool ok, arm_error *err)
{
    arm_error close_err;
    if (arm_appender_close(a, &close_err) == ARM_OK || !ok)
        return ok;
    *err = close_err;
    return false;
}

static bool arm_load(arm_conn *conn, const bench_events *e, const bench_users *u)
{
    if (!arm_exec(conn, "CREATE TABLE events (id BIGINT, user_id BIGINT, category VARCHAR, "
                        "region VARCHAR, score DOUBLE, amount DOUBLE, quantity INTEGER, "
                        "ts TIMESTAMP, flag BOOLEAN, name VARCHAR)") ||
        !arm_exec(conn, "CREATE TABLE users (user_id BIGINT, country VARCHAR, tier INTEGER)") ||
        !arm_exec(conn, "CREATE TABLE countries (country VARCHAR, continent VARCHAR)"))
        return false;
    arm_error err;
    arm_appender *a = NULL;
    bool ok = arm_appender_open(&a, conn, "events", &err) == ARM_OK;
    for (uint64_t i = 0; ok && i < e->row_count; i++)
        ok = arm_appender_append_int64(a, e->id[i], &err) == ARM_OK &&
             arm_appender_append_int64(a, e->user_id[i], &err) == ARM_OK &&
             arm_append_text(a, bench_category_name(e->category[i]), &err) &&
             arm_append_text(a, bench_region_name(e->region[i]), &err) &&
             arm_appender_append_double(a, e->score[i], &err) == ARM_OK &&
             arm_appender_append_double(a, e->amount[i], &err) == ARM_OK &&
             arm_appender_append_int64(a, e->quantity[i], &err) == ARM_OK &&
             arm_appender_append_timestamp(a, e->ts_micros[i], &err) == ARM_OK &&
             arm_appender_append_bool(a, e->flag[i], &err) == ARM_OK &&
             arm_append_text(a, e->name[i], &err) && arm_appender_end_row(a, &err) == ARM_OK;
    ok = arm_close_appender(a, ok, &err);
    a = NULL;
    ok = ok && arm_appender_open(&a, conn, "users", &err) == ARM_OK;
    for (unsigned i = 0; ok && i < BENCH_USER_COUNT; i++)
        ok = arm_appender_append_int64(a, u->user_id[i], &err) == ARM_OK &&
             arm_append_text(a, bench_country_name(u->country[i]), &err) &&
             arm_appender_append_int64(a, u->tier[i], &err) == ARM_OK &&
             arm_appender_end_row(a, &err) == ARM_OK;
    ok = arm_close_appender(a, ok, &err);
    a = NULL;
    ok = ok && arm_appender_open(&a, conn, "countries", &err) == ARM_OK;
    for (unsigned i = 0; ok && i < BENCH_COUNTRY_COUNT; i++)
        ok = arm_append_text(a, bench_country_name(i), &err) &&
             arm_append_text(a, bench_continent_of_country(i), &err) &&
             arm_appender_end_row(a, &err) == ARM_OK;
    ok = arm_close_appender(a, ok, &err);
    if (!ok)
        fprintf(stderr, "armillaria: loading: %s\n", err.message);
    return ok;
}

/* Builds the summary query for `sql` from the column types of its result. */
static bool build_summary_sql(arm_conn *conn, const char *sql, char *out, size_t capacity)
{
    arm_result *r = NULL;
    arm_error err;
    if (arm_conn_query(&r, conn, sql, &err) != ARM_OK) {
        fprintf(stderr, "armillaria: %s\n", err.message);
        return false;
    }
    size_t columns = arm_result_column_count(r);
    size_t used = (size_t)snprintf(out, capacity, "SELECT count(*)");
    for (size_t c = 0; c < columns && c + 1 < CHECK_MAX_VALUES; c++) {
        arm_type t = arm_result_column_type(r, c);
        const char *form = "sum(CAST(c%zu AS DOUBLE))";
        if (t.id == ARM_TYPE_VARCHAR)
            form = "sum(length(c%zu))";
        else if (t.id == ARM_TYPE_BOOLEAN)
            form = "sum(CASE WHEN c%zu THEN 1 ELSE 0 END)";
        else if (t.id == ARM_TYPE_TIMESTAMP)
            form = "sum(date_part('epoch', c%zu))";
        used += (size_t)snprintf(out + used, capacity - used, ", ");
        used += (size_t)snprintf(out + used, capacity - used, form, c + 1);
    }
    used += (size_t)snprintf(out + used, capacity - used, " FROM (%s) AS q(", sql);
    for (size_t c = 0; c < columns; c++)
        used += (size_t)snprintf(out + used, capacity - used, "%sc%zu", c ? ", " : "", c + 1);
    snprintf(out + used, capacity - used, ")");
    arm_result_destroy(r);
    return true;
}

static bool arm_summary(arm_conn *conn, const char *sql, result_summary *s, char *why, size_t cap)
{
    arm_result *r = NULL;
    arm_error err;
    if (arm_conn_query(&r, conn, sql, &err) != ARM_OK) {
        snprintf(why, cap, "armillaria: %s", err.message);
        return false;
    }
    s->count = (unsigned)arm_result_column_count(r);
    for (unsigned c = 0; c < s->count && c < CHECK_MAX_VALUES; c++) {
        s->is_null[c] = arm_result_is_null(r, c, 0);
        s->values[c] = arm_result_get_double(r, c, 0);
    }
    arm_result_destroy(r);
    return true;
}

/* ---- DuckDB ------------------------------------------------------------ */

static bool duck_exec(duckdb_api *api, duckdb_connection_h conn, const char *sql)
{
    duckdb_result_s result;
    int state = api->query(conn, sql, &result);
    if (state != 0)
        fprintf(stderr, "duckdb: %s\n  in: %.200s\n", api->result_error(&result), sql);
    api->destroy_result(&result);
    return state == 0;
}

static bool duck_load(duckdb_api *api, duckdb_connection_h conn, const bench_events *e,
                      const bench_users *u)
{
    if (!duck_exec(api, conn,
                   "CREATE TABLE events (id BIGINT, user_id BIGINT, category VARCHAR, region "
                   "VARCHAR, score DOUBLE, amount DOUBLE, quantity INTEGER, ts TIMESTAMP, flag "
                   "BOOLEAN, name VARCHAR)") ||
        !duck_exec(api, conn,
                   "CREATE TABLE users (user_id BIGINT, country VARCHAR, tier INTEGER)") ||
        !duck_exec(api, conn, "CREATE TABLE countries (country VARCHAR, continent VARCHAR)"))
        return false;
    duckdb_appender_h app;
    if (api->appender_create(conn, NULL, "events", &app) != 0)
        return false;
    for (uint64_t i = 0; i < e->row_count; i++) {
        const char *category = bench_category_name(e->category[i]);
        const char *region = bench_region_name(e->region[i]);
        api->append_int64(app, e->id[i]);
        api->append_int64(app, e->user_id[i]);
        api->append_varchar_length(app, category, strlen(category));
        api->append_varchar_length(app, region, strlen(region));
        api->append_double(app, e->score[i]);
        api->append_double(app, e->amount[i]);
        api->append_int32(app, e->quantity[i]);
        api->append_timestamp(app, e->ts_micros[i]);
        api->append_bool(app, e->flag[i]);
        api->append_varchar_length(app, e->name[i], strlen(e->name[i]));
        api->appender_end_row(app);
    }
    api->appender_destroy(&app);
    if (api->appender_create(conn, NULL, "users", &app) != 0)
        return false;
    for (unsigned i = 0; i < BENCH_USER_COUNT; i++) {
        const char *country = bench_country_name(u->country[i]);
        api->append_int64(app, u->user_id[i]);
        api->append_varchar_length(app, country, strlen(country));
        api->append_int32(app, u->tier[i]);
        api->appender_end_row(app);
    }
    api->appender_destroy(&app);
    if (api->appender_create(conn, NULL, "countries", &app) != 0)
        return false;
    for (unsigned i = 0; i < BENCH_COUNTRY_COUNT; i++) {
        const char *country = bench_country_name(i), *continent = bench_continent_of_country(i);
        api->append_varchar_length(app, country, strlen(country));
        api->append_varchar_length(app, continent, strlen(continent));
        api->appender_end_row(app);
    }
    api->appender_destroy(&app);
    return true;
}

static bool duck_summary(duckdb_api *api, duckdb_connection_h conn, const char *sql,
                         result_summary *s, char *why, size_t cap)
{
    duckdb_result_s r;
    if (api->query(conn, sql, &r) != 0) {
        snprintf(why, cap, "duckdb: %s", api->result_error(&r));
        api->destroy_result(&r);
        return false;
    }
    s->count = (unsigned)api->column_count(&r);
    for (unsigned c = 0; c < s->count && c < CHECK_MAX_VALUES; c++) {
        s->is_null[c] = api->value_is_null(&r, c, 0);
        s->values[c] = api->value_double(&r, c, 0);
    }
    api->destroy_result(&r);
    return true;
}

/* ---- comparison and timing -------------------------------------------- */

static bool summaries_match(const result_summary *a, const result_summary *b, char *why, size_t cap)
{
    if (a->count != b->count) {
        snprintf(why, cap, "summary shapes differ");
        return false;
    }
    for (unsigned c = 0; c < a->count && c < CHECK_MAX_VALUES; c++) {
        double x = a->values[c], y = b->values[c];
        double scale = fabs(x) > fabs(y) ? fabs(x) : fabs(y);
        if (a->is_null[c] != b->is_null[c] || fabs(x - y) > 1e-9 * (scale > 1 ? scale : 1)) {
            snprintf(why, cap, "%s differs: %.17g vs %.17g", c ? "a column summary" : "row count",
                     x, y);
            return false;
        }
    }
    return true;
}

typedef struct timing {
    double median_seconds;
    double min_seconds;
} timing;

static timing summarize(double *samples, unsigned count)
{
    qsort(samples, count, sizeof *samples, compare_doubles);
    timing t = {samples[count / 2], samples[0]};
    return t;
}

static bool time_arm(arm_conn *conn, const char *sql, unsigned runs, timing *out)
{
    double samples[64];
    for (unsigned i = 0; i < runs + 2; i++) {
        arm_error err;
        arm_result *r = NULL;
        double start = now_seconds();
        arm_status s = arm_conn_query(&r, conn, sql, &err);
        double elapsed = now_seconds() - start;
        arm_result_destroy(r);
        if (s != ARM_OK) {
            fprintf(stderr, "armillaria: %s\n", err.message);
            return false;
        }
        if (i >= 2)
            samples[i - 2] = elapsed;
    }
    *out = summarize(samples, runs);
    return true;
}

static bool time_duck(duckdb_api *api, duckdb_connection_h conn, const char *sql, unsigned runs,
                      timing *out)
{
    double samples[64];
    for (unsigned i = 0; i < runs + 2; i++) {
        duckdb_result_s r;
        double start = now_seconds();
        int state = api->query(conn, sql, &r);
        double elapsed = now_seconds() - start;
        api->destroy_result(&r);
        if (state != 0)
            return false;
        if (i >= 2)
            samples[i - 2] = elapsed;
    }
    *out = summarize(samples, runs);
    return true;
}

static void format_duration(double seconds, char *buf, size_t capacity)
{
    if (seconds < 1e-3)
        snprintf(buf, capacity, "%.1f us", seconds * 1e6);
    else if (seconds < 1)
        snprintf(buf, capacity, "%.2f ms", seconds * 1e3);
    else
        snprintf(buf, capacity, "%.2f s", seconds);
}

/* One table row: both engines' median (min) and the ratio, which it returns. */
static double print_timings(const char *label, const timing *at, const timing *dt, const char *tail)
{
    char a_med[32], a_min[32], d_med[32], d_min[32];
    format_duration(at->median_seconds, a_med, sizeof a_med);
    format_duration(at->min_seconds, a_min, sizeof a_min);
    format_duration(dt->median_seconds, d_med, sizeof d_med);
    format_duration(dt->min_seconds, d_min, sizeof d_min);
    double ratio = dt->median_seconds / at->median_seconds;
    printf("| %s | %s (%s) | %s (%s) | %.2fx |%s\n", label, a_med, a_min, d_med, d_min, ratio,
           tail);
    fflush(stdout);
    return ratio;
}

/* ---- main --------------------------------------------------------------- */

static unsigned parse_list(const char *text, uint64_t *out, unsigned max)
{
    unsigned n = 0;
    char *end;
    while (*text && n < max) {
        out[n++] = strtoull(text, &end, 10);
        text = *end == ',' ? end + 1 : end;
        if (end == text && *text)
            break;
    }
    return n;
}

static void parse_options(int argc, char **argv, bench_options *o)
{
    memset(o, 0, sizeof *o);
    o->rows[0] = 100000;
    o->row_size_count = 1;
    o->threads[0] = 1;
    o->threads[1] = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    o->thread_count_count = o->threads[1] > 1 ? 2 : 1;
    o->runs = 15;
    o->duckdb_path = getenv("ARM_DUCKDB_LIB");
    o->query_mask = ~0ull;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc) {
            o->row_size_count = parse_list(argv[++i], o->rows, 8);
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            uint64_t t[4];
            o->thread_count_count = parse_list(argv[++i], t, 4);
            for (unsigned k = 0; k < o->thread_count_count; k++)
                o->threads[k] = (unsigned)t[k];
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            o->runs = (unsigned)atoi(argv[++i]);
            if (o->runs < 1 || o->runs > 60)
                o->runs = 15;
        } else if (strcmp(argv[i], "--duckdb") == 0 && i + 1 < argc) {
            o->duckdb_path = argv[++i];
        } else if (strcmp(argv[i], "--check-only") == 0) {
            o->check_only = true;
        } else if (strcmp(argv[i], "--markdown") == 0) {
            o->markdown = true;
        } else if (strcmp(argv[i], "--parquet") == 0) {
            o->parquet = true;
        } else if (strcmp(argv[i], "--memory") == 0) {
            o->memory = true;
        } else if (strcmp(argv[i], "--scaling") == 0) {
            o->scaling = true;
        } else if (strcmp(argv[i], "--folder") == 0 && i + 1 < argc) {
            o->folder = argv[++i];
        } else if (strcmp(argv[i], "--queries") == 0 && i + 1 < argc) {
            uint64_t ids[QUERY_COUNT];
            unsigned n = parse_list(argv[++i], ids, QUERY_COUNT);
            o->query_mask = 0;
            for (unsigned k = 0; k < n; k++)
                if (ids[k] >= 1 && ids[k] <= QUERY_COUNT)
                    o->query_mask |= 1ull << (ids[k] - 1);
        } else {
            fprintf(stderr,
                    "usage: %s [--rows N,..] [--threads T,..] [--runs R] [--duckdb PATH] "
                    "[--check-only] [--markdown] [--parquet] [--memory] [--scaling] "
                    "[--folder DIR] [--queries 5,8,..]\n",
                    argv[0]);
            exit(2);
        }
    }
}

static bool set_threads(arm_conn *conn, duckdb_api *api, duckdb_connection_h duck, unsigned t)
{
    char sql[64];
    snprintf(sql, sizeof sql, "SET threads = %u", t);
    return arm_exec(conn, sql) && duck_exec(api, duck, sql);
}

/* Times one statement in both engines (no result check: COPY has no rows to compare). */
static int time_pair(duckdb_api *api, duckdb_connection_h duck, arm_conn *conn, const char *label,
                     const char *arm_sql, const char *duck_sql, unsigned runs)
{
    timing at, dt;
    if (!time_arm(conn, arm_sql, runs, &at) || !time_duck(api, duck, duck_sql, runs, &dt))
        return 1;
    print_timings(label, &at, &dt, "");
    return 0;
}

/* Checks that both engines read the same values from the file, then times the scan. */
static int time_scan(duckdb_api *api, duckdb_connection_h duck, arm_conn *conn, const char *label,
                     const char *sql, unsigned runs)
{
    static char summary_sql[8192];
    char why[640] = "ok";
    result_summary as, ds;
    if (!build_summary_sql(conn, sql, summary_sql, sizeof summary_sql) ||
        !arm_summary(conn, summary_sql, &as, why, sizeof why) ||
        !duck_summary(api, duck, summary_sql, &ds, why, sizeof why) ||
        !summaries_match(&as, &ds, why, sizeof why)) {
        printf("| %s | - | - | MISMATCH: %s |\n", label, why);
        return 1;
    }
    return time_pair(api, duck, conn, label, sql, sql, runs);
}

/* Parquet writing (each engine its own file) and scanning (both the file DuckDB wrote). */
static int run_parquet(const bench_options *o, duckdb_api *api, duckdb_connection_h duck,
                       arm_conn *conn, uint64_t rows, unsigned threads)
{
    static const char *const codecs[] = {"zstd", "snappy"};
    int failures = 0;
    printf("\n%" PRIu64 " rows, %u thread%s, Parquet, median of %u (min)\n", rows, threads,
           threads == 1 ? "" : "s", o->runs);
    printf("| operation | armillaria | duckdb | ratio (duckdb/arm) |\n|---|---|---|---|\n");
    char arm_sql[512], duck_sql[512], label[64];
    for (unsigned c = 0; c < 2; c++) {
        snprintf(label, sizeof label, "write %s (COPY TO)", codecs[c]);
        snprintf(arm_sql, sizeof arm_sql,
                 "COPY events TO '/tmp/arm_bench_arm.parquet' (FORMAT parquet, COMPRESSION %s)",
                 codecs[c]);
        snprintf(duck_sql, sizeof duck_sql,
                 "COPY events TO '/tmp/arm_bench_duck_%s.parquet' (FORMAT parquet, COMPRESSION "
                 "%s)",
                 codecs[c], codecs[c]);
        failures += time_pair(api, duck, conn, label, arm_sql, duck_sql, o->runs);
    }
    for (unsigned c = 0; c < 2; c++) {
        const char *file = codecs[c];
        snprintf(label, sizeof label, "scan all columns, %s", file);
        snprintf(arm_sql, sizeof arm_sql,
                 "SELECT count(*), min(id), max(user_id), min(category), max(region), sum(score), "
                 "sum(amount), sum(quantity), max(ts), sum(CASE WHEN flag THEN 1 ELSE 0 END), "
                 "max(name) FROM read_parquet('/tmp/arm_bench_duck_%s.parquet')",
                 file);
        failures += time_scan(api, duck, conn, label, arm_sql, o->runs);
        snprintf(label, sizeof label, "scan id, score, %s", file);
        snprintf(arm_sql, sizeof arm_sql,
                 "SELECT sum(id), sum(score) FROM read_parquet('/tmp/arm_bench_duck_%s.parquet')",
                 file);
        failures += time_scan(api, duck, conn, label, arm_sql, o->runs);
    }
    return failures;
}

/* ---- cold runs (--folder) ------------------------------------------------------ */

/* Opens the folder afresh with `threads` threads, runs `sql` once per run, times only the query. */
static bool time_arm_cold(const char *folder, unsigned threads, const char *sql, unsigned runs,
                          timing *out)
{
    double samples[64];
    for (unsigned i = 0; i < runs; i++) {
        arm_db *db = NULL;
        arm_conn *conn = NULL;
        arm_error err;
        char set[64];
        snprintf(set, sizeof set, "SET threads = %u", threads);
        if (arm_db_open(&db, folder, &err) != ARM_OK || arm_conn_open(&conn, db, &err) != ARM_OK ||
            !arm_exec(conn, set)) {
            fprintf(stderr, "armillaria: %s\n", err.message);
            arm_conn_close(conn);
            arm_db_close(db);
            return false;
        }
        arm_result *r = NULL;
        double start = now_seconds();
        arm_status s = arm_conn_query(&r, conn, sql, &err);
        samples[i] = now_seconds() - start;
        arm_result_destroy(r);
        arm_conn_close(conn);
        arm_db_close(db);
        if (s != ARM_OK) {
            fprintf(stderr, "armillaria: %s\n", err.message);
            return false;
        }
    }
    *out = summarize(samples, runs);
    return true;
}

/* A second DuckDB whose events, users and countries are views over Parquet files DuckDB wrote. */
static bool duck_parquet_tables(duckdb_api *api, duckdb_connection_h duck, duckdb_database_h *db2,
                                duckdb_connection_h *conn2)
{
    static const char *const tables[] = {"events", "users", "countries"};
    if (api->open(NULL, db2) != 0 || api->connect(*db2, conn2) != 0)
        return false;
    for (unsigned i = 0; i < 3; i++) {
        char sql[512];
        snprintf(sql, sizeof sql, "COPY %s TO '/tmp/arm_bench_cold_%s.parquet' (FORMAT parquet)",
                 tables[i], tables[i]);
        if (!duck_exec(api, duck, sql))
            return false;
        snprintf(sql, sizeof sql,
                 "CREATE VIEW %s AS SELECT * FROM read_parquet('/tmp/arm_bench_cold_%s.parquet')",
                 tables[i], tables[i]);
        if (!duck_exec(api, *conn2, sql))
            return false;
    }
    return true;
}

/* Every query cold in Armillaria (a fresh open each run) against DuckDB on Parquet files. */
static int run_cold(const bench_options *o, duckdb_api *api, duckdb_connection_h duck,
                    uint64_t rows, unsigned threads)
{
    duckdb_database_h db2 = NULL;
    duckdb_connection_h conn2 = NULL;
    char set[64];
    snprintf(set, sizeof set, "SET threads = %u", threads);
    int failures = 0;
    if (!duck_parquet_tables(api, duck, &db2, &conn2) || !duck_exec(api, conn2, set)) {
        fprintf(stderr, "bench: DuckDB could not read its Parquet copies\n");
        failures = 1;
    }
    printf("\n%" PRIu64 " rows, %u thread%s, cold (Armillaria: folder opened afresh each run; "
           "DuckDB: read_parquet), median of %u (min)\n",
           rows, threads, threads == 1 ? "" : "s", o->runs);
    printf("| query | armillaria | duckdb | ratio (duckdb/arm) |\n|---|---|---|---|\n");
    double log_ratio_sum = 0;
    unsigned ratio_count = 0;
    for (unsigned q = 0; q < QUERY_COUNT && failures == 0; q++) {
        if (!(o->query_mask >> q & 1))
            continue;
        timing at, dt;
        if (!time_arm_cold(o->folder, threads, queries[q].sql, o->runs, &at) ||
            !time_duck(api, conn2, queries[q].sql, o->runs, &dt)) {
            failures++;
            break;
        }
        log_ratio_sum += log(print_timings(queries[q].id, &at, &dt, ""));
        ratio_count++;
    }
    if (ratio_count)
        printf("geometric mean ratio: %.2fx\n", exp(log_ratio_sum / ratio_count));
    if (conn2)
        api->disconnect(&conn2);
    if (db2)
        api->close(&db2);
    return failures;
}

/* Opens Armillaria on --folder (emptied first) or in memory. */
static bool arm_open_fresh(const bench_options *o, arm_db **db, arm_conn **conn)
{
    if (o->folder != NULL) {
        char command[1100];
        snprintf(command, sizeof command, "rm -rf '%s'", o->folder);
        if (system(command) != 0)
            fprintf(stderr, "bench: could not empty %s\n", o->folder);
    }
    arm_error err;
    return arm_db_open(db, o->folder ? o->folder : ":memory:", &err) == ARM_OK &&
           arm_conn_open(conn, *db, &err) == ARM_OK;
}

/* Loads the data; a folder commits once, not per INSERT. */
static bool arm_load_all(const bench_options *o, arm_conn *conn, const bench_events *e,
                         const bench_users *u)
{
    bool in_transaction = o->folder != NULL;
    return (!in_transaction || arm_exec(conn, "BEGIN")) && arm_load(conn, e, u) &&
           (!in_transaction || arm_exec(conn, "COMMIT"));
}

static void close_engines(arm_db *db, arm_conn *conn, duckdb_api *api, duckdb_database_h duck_db,
                          duckdb_connection_h duck)
{
    arm_conn_close(conn);
    arm_db_close(db);
    if (duck)
        api->disconnect(&duck);
    if (duck_db)
        api->close(&duck_db);
}

/* ---- --memory: each engine alone in a child process ---------------------------------- */

/* A "VmHWM:"-style line of /proc/self/status, in KiB (0 when unreadable). */
static uint64_t status_kib(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    uint64_t kib = 0;
    size_t n = strlen(field);
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, field, n) == 0)
            kib = strtoull(line + n, NULL, 10);
    if (f != NULL)
        fclose(f);
    return kib;
}

/* Resets the peak resident size (Linux: clear_refs 5), so VmHWM covers what follows. */
static void reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f != NULL) {
        fputs("5", f);
        fclose(f);
    }
}

/*
 * Child process body: loads one engine, frees the generated rows, resets the
 * peak and runs the hot suite at every thread count; prints resident memory
 * after the load and the peak over the queries. Returns the exit status.
 */
static int memory_child(const bench_options *o, duckdb_api *api, bench_events *events,
                        const bench_users *u, bool is_arm)
{
    arm_db *db = NULL;
    arm_conn *conn = NULL;
    duckdb_database_h duck_db = NULL;
    duckdb_connection_h duck = NULL;
    bool ok;
    if (is_arm) {
        ok = arm_open_fresh(o, &db, &conn) && arm_load_all(o, conn, events, u);
    } else {
        ok = api->open(NULL, &duck_db) == 0 && api->connect(duck_db, &duck) == 0 &&
             duck_load(api, duck, events, u);
    }
    bench_events_free(events);
    if (!ok)
        return 1;
    uint64_t loaded = status_kib("VmRSS:");
    reset_peak();
    for (unsigned t = 0; t < o->thread_count_count && ok; t++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SET threads = %u", o->threads[t]);
        ok = is_arm ? arm_exec(conn, sql) : duck_exec(api, duck, sql);
        for (unsigned q = 0; q < QUERY_COUNT && ok; q++) {
            timing tm;
            if (o->query_mask >> q & 1)
                ok = is_arm ? time_arm(conn, queries[q].sql, o->runs, &tm)
                            : time_duck(api, duck, queries[q].sql, o->runs, &tm);
        }
    }
    printf("| %s | %.0f MiB | %.0f MiB |\n", is_arm ? "armillaria" : "duckdb", loaded / 1024.0,
           status_kib("VmHWM:") / 1024.0);
    fflush(stdout);
    close_engines(db, conn, api, duck_db, duck);
    return ok ? 0 : 1;
}

/* Runs memory_child for each engine in its own process, one after the other. */
static int run_memory(const bench_options *o, duckdb_api *api, bench_events *events,
                      const bench_users *u, uint64_t rows)
{
    printf("\n%" PRIu64 " rows, hot suite, resident memory (each engine alone in a process)\n",
           rows);
    printf("| engine | after load | peak during the queries |\n|---|---|---|\n");
    fflush(stdout);
    int failures = 0;
    for (int engine = 0; engine < 2; engine++) {
        pid_t child = fork();
        if (child == 0)
            _exit(memory_child(o, api, events, u, engine == 0));
        int status = 1;
        if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0)
            failures++;
    }
    bench_events_free(events);
    return failures;
}

/* ---- --scaling: Armillaria alone, one column per thread count -------------------------- */

/*
 * Loads Armillaria only (no DuckDB: the 16-core machine the scaling target
 * is measured on has no network to install it), then times each query hot
 * at every --threads count and prints the speed-up of each over the first.
 */
static int run_scaling(const bench_options *o, bench_events *events, const bench_users *u,
                       uint64_t rows)
{
    arm_db *db = NULL;
    arm_conn *conn = NULL;
    bool ok = arm_open_fresh(o, &db, &conn) && arm_load_all(o, conn, events, u);
    bench_events_free(events);
    printf("\n%" PRIu64 " rows, armillaria alone, hot, median of %u (speed-up over %u thread%s)\n",
           rows, o->runs, o->threads[0], o->threads[0] == 1 ? "" : "s");
    printf("| query |");
    for (unsigned t = 0; t < o->thread_count_count; t++)
        printf(" %u thread%s |", o->threads[t], o->threads[t] == 1 ? "" : "s");
    printf("\n|---|");
    for (unsigned t = 0; t < o->thread_count_count; t++)
        printf("---|");
    printf("\n");
    for (unsigned q = 0; q < QUERY_COUNT && ok; q++) {
        if (!(o->query_mask >> q & 1))
            continue;
        printf("| %s |", queries[q].id);
        double first = 0;
        for (unsigned t = 0; t < o->thread_count_count && ok; t++) {
            char sql[64], text[32];
            timing tm;
            snprintf(sql, sizeof sql, "SET threads = %u", o->threads[t]);
            ok = arm_exec(conn, sql) && time_arm(conn, queries[q].sql, o->runs, &tm);
            if (!ok)
                break;
            first = t == 0 ? tm.median_seconds : first;
            format_duration(tm.median_seconds, text, sizeof text);
            if (t == 0)
                printf(" %s |", text);
            else
                printf(" %s (%.2fx) |", text, first / tm.median_seconds);
        }
        printf("\n");
        fflush(stdout);
    }
    arm_conn_close(conn);
    arm_db_close(db);
    return ok ? 0 : 1;
}

static int run_size(const bench_options *o, duckdb_api *api, uint64_t rows, const bench_users *u)
{
    bench_events events;
    if (!bench_events_generate(&events, rows)) {
        fprintf(stderr, "bench: out of memory generating %" PRIu64 " rows\n", rows);
        return 1;
    }
    if (o->memory)
        return run_memory(o, api, &events, u, rows);
    if (o->scaling)
        return run_scaling(o, &events, u, rows);
    arm_db *db = NULL;
    arm_conn *conn = NULL;
    duckdb_database_h duck_db = NULL;
    duckdb_connection_h duck = NULL;
    int failures = 0;
    if (!arm_open_fresh(o, &db, &conn) || api->open(NULL, &duck_db) != 0 ||
        api->connect(duck_db, &duck) != 0) {
        fprintf(stderr, "bench: cannot open the engines\n");
        failures = 1;
        goto cleanup;
    }
    double load_start = now_seconds();
    if (!arm_load_all(o, conn, &events, u)) {
        failures = 1;
        goto cleanup;
    }
    double arm_load_seconds = now_seconds() - load_start;
    load_start = now_seconds();
    if (!duck_load(api, duck, &events, u)) {
        failures = 1;
        goto cleanup;
    }
    fprintf(stderr, "loaded %" PRIu64 " rows: armillaria %.2f s, duckdb %.2f s\n", rows,
            arm_load_seconds, now_seconds() - load_start);

    for (unsigned t = 0; t < o->thread_count_count; t++) {
        if (!set_threads(conn, api, duck, o->threads[t])) {
            failures++;
            continue;
        }
        if (o->parquet) {
            failures += run_parquet(o, api, duck, conn, rows, o->threads[t]);
            continue;
        }
        printf("\n%" PRIu64 " rows, %u thread%s, hot, median of %u (min)\n", rows, o->threads[t],
               o->threads[t] == 1 ? "" : "s", o->runs);
        printf("| query | armillaria | duckdb | ratio (duckdb/arm) | check |\n");
        printf("|---|---|---|---|---|\n");
        double log_ratio_sum = 0;
        unsigned ratio_count = 0;
        for (unsigned q = 0; q < QUERY_COUNT; q++) {
            if (!(o->query_mask >> q & 1))
                continue;
            static char summary_sql[8192];
            char why[640] = "ok";
            bool checked = false;
            result_summary as, ds;
            if (build_summary_sql(conn, queries[q].sql, summary_sql, sizeof summary_sql) &&
                arm_summary(conn, summary_sql, &as, why, sizeof why) &&
                duck_summary(api, duck, summary_sql, &ds, why, sizeof why))
                checked = summaries_match(&as, &ds, why, sizeof why);
            if (!checked) {
                failures++;
                printf("| %s | - | - | - | MISMATCH: %s |\n", queries[q].id, why);
                continue;
            }
            if (o->check_only) {
                printf("| %s | - | - | - | ok |\n", queries[q].id);
                continue;
            }
            timing at, dt;
            if (!time_arm(conn, queries[q].sql, o->runs, &at) ||
                !time_duck(api, duck, queries[q].sql, o->runs, &dt)) {
                failures++;
                continue;
            }
            log_ratio_sum += log(print_timings(queries[q].id, &at, &dt, " ok |"));
            ratio_count++;
        }
        if (ratio_count)
            printf("geometric mean ratio: %.2fx\n", exp(log_ratio_sum / ratio_count));
        if (o->folder != NULL && !o->check_only)
            failures += run_cold(o, api, duck, rows, o->threads[t]);
    }
cleanup:
    close_engines(db, conn, api, duck_db, duck);
    bench_events_free(&events);
    return failures;
}

int main(int argc, char **argv)
{
    bench_options o;
    parse_options(argc, argv, &o);
    if (o.duckdb_path == NULL && !o.scaling) {
        fprintf(stderr, "bench: set ARM_DUCKDB_LIB or pass --duckdb PATH to libduckdb.so "
                        "(bench/install_duckdb.sh installs it)\n");
        return 2;
    }
    duckdb_api api;
    memset(&api, 0, sizeof api);
    if (!o.scaling && !duckdb_api_load(&api, o.duckdb_path))
        return 2;
    bench_users *users = malloc(sizeof *users);
    if (users == NULL)
        return 1;
    bench_users_generate(users);
    int failures = 0;
    for (unsigned i = 0; i < o.row_size_count; i++)
        failures += run_size(&o, &api, o.rows[i], users);
    free(users);
    if (failures)
        fprintf(stderr, "bench: %d failure(s)\n", failures);
    return failures ? 1 : 0;
}
