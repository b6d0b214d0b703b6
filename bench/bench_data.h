/*
 * bench_data.h: the BENCH.md tables (events, users, countries), generated
 * deterministically from a fixed seed so both engines load the same rows.
 */
#ifndef ARM_BENCH_DATA_H
#define ARM_BENCH_DATA_H

#include <stdbool.h>
#include <stdint.h>

#define BENCH_USER_COUNT 10000
#define BENCH_COUNTRY_COUNT 50
#define BENCH_CATEGORY_COUNT 20
#define BENCH_REGION_COUNT 8

typedef struct bench_events {
    uint64_t row_count;
    int64_t *id;
    int64_t *user_id;
    uint8_t *category; /* index into bench_category_name */
    uint8_t *region;   /* index into bench_region_name */
    double *score;
    double *amount;
    int32_t *quantity;
    int64_t *ts_micros;
    bool *flag;
    char (*name)[17]; /* NUL-terminated, 8..16 letters */
} bench_events;

typedef struct bench_users {
    int64_t user_id[BENCH_USER_COUNT];
    uint8_t country[BENCH_USER_COUNT]; /* index into bench_country_name */
    int32_t tier[BENCH_USER_COUNT];
} bench_users;

const char *bench_category_name(unsigned i);
const char *bench_region_name(unsigned i);
const char *bench_country_name(unsigned i);
const char *bench_continent_of_country(unsigned i);

/* Fills `e` with `row_count` rows (allocates; free with bench_events_free). */
bool bench_events_generate(bench_events *e, uint64_t row_count);
void bench_events_free(bench_events *e);
void bench_users_generate(bench_users *u);

#endif
