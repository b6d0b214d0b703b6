/*
 * bench_data.c: deterministic generation of the BENCH.md data with a
 * splitmix64 generator (fixed seed), so every run and both engines see the
 * same rows.
 */
#include "bench_data.h"

#include <stdlib.h>
#include <string.h>

static const char *const region_names[BENCH_REGION_COUNT] = {
    "north", "south", "east", "west", "central", "north-east", "south-west", "islands"};

static const char *const continent_names[5] = {"Europe", "Asia", "Americas", "Africa", "Oceania"};

static char category_names[BENCH_CATEGORY_COUNT][8];
static char country_names[BENCH_COUNTRY_COUNT][12];

static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double next_unit(uint64_t *state)
{
    return (double)(next_random(state) >> 11) * (1.0 / 9007199254740992.0);
}

static void init_names(void)
{
    for (unsigned i = 0; i < BENCH_CATEGORY_COUNT; i++) {
        memcpy(category_names[i], "cat_00", 7);
        category_names[i][4] = (char)('0' + i / 10);
        category_names[i][5] = (char)('0' + i % 10);
    }
    for (unsigned i = 0; i < BENCH_COUNTRY_COUNT; i++) {
        memcpy(country_names[i], "country_00", 11);
        country_names[i][8] = (char)('0' + i / 10);
        country_names[i][9] = (char)('0' + i % 10);
    }
}

const char *bench_category_name(unsigned i)
{
    init_names();
    return category_names[i];
}

const char *bench_region_name(unsigned i)
{
    return region_names[i];
}

const char *bench_country_name(unsigned i)
{
    init_names();
    return country_names[i];
}

const char *bench_continent_of_country(unsigned i)
{
    return continent_names[i % 5];
}

bool bench_events_generate(bench_events *e, uint64_t row_count)
{
    memset(e, 0, sizeof *e);
    e->row_count = row_count;
    e->id = malloc(row_count * sizeof *e->id);
    e->user_id = malloc(row_count * sizeof *e->user_id);
    e->category = malloc(row_count);
    e->region = malloc(row_count);
    e->score = malloc(row_count * sizeof *e->score);
    e->amount = malloc(row_count * sizeof *e->amount);
    e->quantity = malloc(row_count * sizeof *e->quantity);
    e->ts_micros = malloc(row_count * sizeof *e->ts_micros);
    e->flag = malloc(row_count * sizeof *e->flag);
    e->name = malloc(row_count * sizeof *e->name);
    if (!e->id || !e->user_id || !e->category || !e->region || !e->score || !e->amount ||
        !e->quantity || !e->ts_micros || !e->flag || !e->name) {
        bench_events_free(e);
        return false;
    }
    uint64_t state = 42;
    const int64_t year_start_micros = 1735689600LL * 1000000; /* 2025-01-01 */
    const int64_t year_micros = 365LL * 86400 * 1000000;
    for (uint64_t i = 0; i < row_count; i++) {
        e->id[i] = (int64_t)i;
        e->user_id[i] = (int64_t)(next_random(&state) % BENCH_USER_COUNT);
        e->category[i] = (uint8_t)(next_random(&state) % BENCH_CATEGORY_COUNT);
        e->region[i] = (uint8_t)(next_random(&state) % BENCH_REGION_COUNT);
        e->score[i] = next_unit(&state) * 100.0;
        e->amount[i] = next_unit(&state) * 1000.0;
        e->quantity[i] = (int32_t)(1 + next_random(&state) % 100);
        e->ts_micros[i] =
            year_start_micros + (int64_t)(next_random(&state) % (uint64_t)year_micros);
        e->flag[i] = (next_random(&state) & 1) != 0;
        unsigned length = 8 + (unsigned)(next_random(&state) % 9);
        uint64_t letters = next_random(&state);
        for (unsigned k = 0; k < length; k++) {
            if (k == 12)
                letters = next_random(&state);
            e->name[i][k] = (char)('a' + (letters % 26));
            letters /= 26;
        }
        e->name[i][length] = '\0';
    }
    return true;
}

void bench_events_free(bench_events *e)
{
    free(e->id);
    free(e->user_id);
    free(e->category);
    free(e->region);
    free(e->score);
    free(e->amount);
    free(e->quantity);
    free(e->ts_micros);
    free(e->flag);
    free(e->name);
    memset(e, 0, sizeof *e);
}

void bench_users_generate(bench_users *u)
{
    uint64_t state = 7;
    for (unsigned i = 0; i < BENCH_USER_COUNT; i++) {
        u->user_id[i] = i;
        u->country[i] = (uint8_t)(next_random(&state) % BENCH_COUNTRY_COUNT);
        u->tier[i] = (int32_t)(1 + next_random(&state) % 5);
    }
}
