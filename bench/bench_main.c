/*
 * bench_main.c: the BENCH.md suite. Generates the data, loads it into
 * Armillaria and into DuckDB (libduckdb.so via dlopen), runs Q1-Q12 side by
 * side in one process with the same thread count, checks that both return
 * the same results, and prints medians, mins and ratios.
 *
 * Usage: arm_bench [--rows N[,N...]] [--threads T[,T...]] [--runs R]
 *                  [--duckdb PATH] [--check-only] [--markdown]
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    unsigned threads[4];
    unsigned thread_count_count;
    unsigned runs;
    const char *duckdb_path;
    bool check_only;
    bool markdown;
} bench_options;

/* An order-independent summary of a result, to compare engines. */
typedef struct result_digest {
    uint64_t row_count;
    unsigned column_count;
    double numeric_sum[16];
    uint64_t text_hash[16];
    uint64_t null_count[16];
    bool failed;
} result_digest;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t hash_text(const char *text, size_t length)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < length; i++)
        h = (h ^ (unsigned char)text[i]) * 1099511628211ULL;
    return h ^ (h >> 29);
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

static void format_timestamp(int64_t micros, char *buf, size_t capacity)
{
    time_t seconds = (time_t)(micros / 1000000);
    struct tm tm;
    gmtime_r(&seconds, &tm);
    snprintf(buf, capacity, "%04d-%02d-%02d %02d:%02d:%02d.%06d", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(micros % 1000000));
}

static bool arm_load(arm_conn *conn, const bench_events *e, const bench_users *u)
{
    if (!arm_exec(conn, "CREATE TABLE events (id BIGINT, user_id BIGINT, category VARCHAR, "
                        "region VARCHAR, score DOUBLE, amount DOUBLE, quantity INTEGER, "
                        "ts TIMESTAMP, flag BOOLEAN, name VARCHAR)") ||
        !arm_exec(conn, "CREATE TABLE users (user_id BIGINT, country VARCHAR, tier INTEGER)") ||
        !arm_exec(conn, "CREATE TABLE countries (country VARCHAR, continent VARCHAR)"))
        return false;
    size_t capacity = 4 << 20;
    char *sql = malloc(capacity);
    if (sql == NULL)
        return false;
    const uint64_t rows_per_statement = 2048;
    for (uint64_t start = 0; start < e->row_count; start += rows_per_statement) {
        size_t used = (size_t)snprintf(sql, capacity, "INSERT INTO events VALUES ");
        uint64_t end =
            start + rows_per_statement < e->row_count ? start + rows_per_statement : e->row_count;
        for (uint64_t i = start; i < end; i++) {
            char ts[40];
            format_timestamp(e->ts_micros[i], ts, sizeof ts);
            used += (size_t)snprintf(
                sql + used, capacity - used,
                "%s(%" PRId64 ",%" PRId64 ",'%s','%s',%.17g,%.17g,%d,TIMESTAMP '%s',%s,'%s')",
                i == start ? "" : ",", e->id[i], e->user_id[i], bench_category_name(e->category[i]),
                bench_region_name(e->region[i]), e->score[i], e->amount[i], e->quantity[i], ts,
                e->flag[i] ? "true" : "false", e->name[i]);
        }
        if (!arm_exec(conn, sql)) {
            free(sql);
            return false;
        }
    }
    size_t used = (size_t)snprintf(sql, capacity, "INSERT INTO users VALUES ");
    for (unsigned i = 0; i < BENCH_USER_COUNT; i++)
        used +=
            (size_t)snprintf(sql + used, capacity - used, "%s(%" PRId64 ",'%s',%d)", i ? "," : "",
                             u->user_id[i], bench_country_name(u->country[i]), u->tier[i]);
    bool ok = arm_exec(conn, sql);
    used = (size_t)snprintf(sql, capacity, "INSERT INTO countries VALUES ");
    for (unsigned i = 0; i < BENCH_COUNTRY_COUNT; i++)
        used += (size_t)snprintf(sql + used, capacity - used, "%s('%s','%s')", i ? "," : "",
                                 bench_country_name(i), bench_continent_of_country(i));
    ok = ok && arm_exec(conn, sql);
    free(sql);
    return ok;
}

static void arm_digest(arm_result *r, result_digest *d)
{
    memset(d, 0, sizeof *d);
    d->row_count = arm_result_row_count(r);
    d->column_count = (unsigned)arm_result_column_count(r);
    for (unsigned c = 0; c < d->column_count && c < 16; c++) {
        arm_type type = arm_result_column_type(r, c);
        for (uint64_t row = 0; row < d->row_count; row++) {
            if (arm_result_is_null(r, c, row)) {
                d->null_count[c]++;
                continue;
            }
            if (type.id == ARM_TYPE_VARCHAR) {
                size_t length = 0;
                const char *text = arm_result_get_string(r, c, row, &length);
                d->text_hash[c] += hash_text(text, length);
            } else if (type.id == ARM_TYPE_BOOLEAN) {
                d->numeric_sum[c] += arm_result_get_bool(r, c, row);
            } else if (type.id == ARM_TYPE_TIMESTAMP) {
                d->numeric_sum[c] += (double)arm_result_get_timestamp(r, c, row);
            } else {
                d->numeric_sum[c] += arm_result_get_double(r, c, row);
            }
        }
    }
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

/* DuckDB's string_t: 16 bytes, inline up to 12, else prefix + pointer. */
typedef struct duck_string {
    uint32_t length;
    union {
        char inlined[12];
        struct {
            char prefix[4];
            const char *ptr;
        } ref;
    } u;
} duck_string;

static void duck_digest_value(result_digest *d, unsigned c, int type, void *data, uint64_t row)
{
    switch (type) {
    case DUCKDB_T_BOOLEAN: d->numeric_sum[c] += ((uint8_t *)data)[row]; break;
    case DUCKDB_T_INTEGER: d->numeric_sum[c] += ((int32_t *)data)[row]; break;
    case DUCKDB_T_BIGINT:
    case DUCKDB_T_TIMESTAMP: d->numeric_sum[c] += (double)((int64_t *)data)[row]; break;
    case DUCKDB_T_DOUBLE: d->numeric_sum[c] += ((double *)data)[row]; break;
    case DUCKDB_T_HUGEINT: d->numeric_sum[c] += (double)((__int128 *)data)[row]; break;
    case DUCKDB_T_VARCHAR: {
        duck_string *s = &((duck_string *)data)[row];
        const char *text = s->length <= 12 ? s->u.inlined : s->u.ref.ptr;
        d->text_hash[c] += hash_text(text, s->length);
        break;
    }
    default: d->failed = true; break;
    }
}

static void duck_digest(duckdb_api *api, duckdb_result_s *r, result_digest *d)
{
    memset(d, 0, sizeof *d);
    d->column_count = (unsigned)api->column_count(r);
    int types[16];
    for (unsigned c = 0; c < d->column_count && c < 16; c++)
        types[c] = api->column_type(r, c);
    duckdb_idx chunks = api->result_chunk_count(*r);
    for (duckdb_idx k = 0; k < chunks; k++) {
        duckdb_data_chunk_h chunk = api->result_get_chunk(*r, k);
        duckdb_idx size = api->data_chunk_get_size(chunk);
        d->row_count += size;
        for (unsigned c = 0; c < d->column_count && c < 16; c++) {
            duckdb_vector_h v = api->data_chunk_get_vector(chunk, c);
            void *data = api->vector_get_data(v);
            uint64_t *validity = api->vector_get_validity(v);
            for (duckdb_idx row = 0; row < size; row++) {
                if (validity && !((validity[row / 64] >> (row % 64)) & 1)) {
                    d->null_count[c]++;
                    continue;
                }
                duck_digest_value(d, c, types[c], data, row);
            }
        }
        api->destroy_data_chunk(&chunk);
    }
}

/* ---- comparison and timing -------------------------------------------- */

static bool digests_match(const result_digest *a, const result_digest *b, char *why, size_t cap)
{
    if (a->failed || b->failed) {
        snprintf(why, cap, "unsupported result type");
        return false;
    }
    if (a->row_count != b->row_count || a->column_count != b->column_count) {
        snprintf(why, cap, "shape %" PRIu64 "x%u vs %" PRIu64 "x%u", a->row_count, a->column_count,
                 b->row_count, b->column_count);
        return false;
    }
    for (unsigned c = 0; c < a->column_count && c < 16; c++) {
        double x = a->numeric_sum[c], y = b->numeric_sum[c];
        double scale = fabs(x) > fabs(y) ? fabs(x) : fabs(y);
        if (fabs(x - y) > 1e-9 * (scale > 1 ? scale : 1) || a->text_hash[c] != b->text_hash[c] ||
            a->null_count[c] != b->null_count[c]) {
            snprintf(why, cap, "column %u differs (sum %.17g vs %.17g)", c + 1, x, y);
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
        } else {
            fprintf(stderr,
                    "usage: %s [--rows N,..] [--threads T,..] [--runs R] [--duckdb PATH] "
                    "[--check-only] [--markdown]\n",
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

static int run_size(const bench_options *o, duckdb_api *api, uint64_t rows, const bench_users *u)
{
    bench_events events;
    if (!bench_events_generate(&events, rows)) {
        fprintf(stderr, "bench: out of memory generating %" PRIu64 " rows\n", rows);
        return 1;
    }
    arm_error err;
    arm_db *db = NULL;
    arm_conn *conn = NULL;
    duckdb_database_h duck_db = NULL;
    duckdb_connection_h duck = NULL;
    int failures = 0;
    if (arm_db_open(&db, ":memory:", &err) != ARM_OK || arm_conn_open(&conn, db, &err) != ARM_OK ||
        api->open(NULL, &duck_db) != 0 || api->connect(duck_db, &duck) != 0) {
        fprintf(stderr, "bench: cannot open the engines\n");
        failures = 1;
        goto cleanup;
    }
    double load_start = now_seconds();
    if (!arm_load(conn, &events, u)) {
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
        printf("\n%" PRIu64 " rows, %u thread%s, hot, median of %u (min)\n", rows, o->threads[t],
               o->threads[t] == 1 ? "" : "s", o->runs);
        printf("| query | armillaria | duckdb | ratio (duckdb/arm) | check |\n");
        printf("|---|---|---|---|---|\n");
        double log_ratio_sum = 0;
        unsigned ratio_count = 0;
        for (unsigned q = 0; q < QUERY_COUNT; q++) {
            arm_result *r = NULL;
            duckdb_result_s dr;
            result_digest ad, dd;
            char why[640] = "ok";
            bool checked = false;
            if (arm_conn_query(&r, conn, queries[q].sql, &err) == ARM_OK) {
                arm_digest(r, &ad);
                arm_result_destroy(r);
                if (api->query(duck, queries[q].sql, &dr) == 0) {
                    duck_digest(api, &dr, &dd);
                    checked = digests_match(&ad, &dd, why, sizeof why);
                } else {
                    snprintf(why, sizeof why, "duckdb failed: %s", api->result_error(&dr));
                }
                api->destroy_result(&dr);
            } else {
                snprintf(why, sizeof why, "armillaria failed: %s", err.message);
            }
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
            char a_med[32], a_min[32], d_med[32], d_min[32];
            format_duration(at.median_seconds, a_med, sizeof a_med);
            format_duration(at.min_seconds, a_min, sizeof a_min);
            format_duration(dt.median_seconds, d_med, sizeof d_med);
            format_duration(dt.min_seconds, d_min, sizeof d_min);
            double ratio = dt.median_seconds / at.median_seconds;
            log_ratio_sum += log(ratio);
            ratio_count++;
            printf("| %s | %s (%s) | %s (%s) | %.2fx | ok |\n", queries[q].id, a_med, a_min, d_med,
                   d_min, ratio);
            fflush(stdout);
        }
        if (ratio_count)
            printf("geometric mean ratio: %.2fx\n", exp(log_ratio_sum / ratio_count));
    }
cleanup:
    arm_conn_close(conn);
    arm_db_close(db);
    if (duck)
        api->disconnect(&duck);
    if (duck_db)
        api->close(&duck_db);
    bench_events_free(&events);
    return failures;
}

int main(int argc, char **argv)
{
    bench_options o;
    parse_options(argc, argv, &o);
    if (o.duckdb_path == NULL) {
        fprintf(stderr, "bench: set ARM_DUCKDB_LIB or pass --duckdb PATH to libduckdb.so "
                        "(bench/install_duckdb.sh installs it)\n");
        return 2;
    }
    duckdb_api api;
    if (!duckdb_api_load(&api, o.duckdb_path))
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
