/*
 * test_parquet_parallel_write.c: parquet_writer_write_batches encodes row
 * groups on a thread pool; the file must be byte for byte the one that
 * parquet_writer_write_batch writes one batch at a time, for any thread
 * count, selection vectors, and calls mixed with write_batch. The streaming
 * API (stream_add in order, stream_work on any thread) must write the same.
 */
#include <pthread.h>
#include <stdlib.h>

#include "common/thread_pool.h"
#include "parquet_test_util.h"

#define BATCHES 23

/* Generated rows in BATCHES batches; each batch has its own string storage. */
typedef struct batch_set {
    batch batches[BATCHES];
    char *text[BATCHES];
    uint64_t rows;
} batch_set;

/* Batches of varying sizes (full, short, one row); `with_sel` selects every other row. */
static void batch_set_init(batch_set *s, bool with_sel)
{
    arm_error err;
    logical_type types[PT_COLUMNS];
    for (int c = 0; c < PT_COLUMNS; c++)
        types[c] = pt_type(c);
    s->rows = 0;
    for (uint32_t k = 0; k < BATCHES; k++) {
        uint32_t n = k % 5 == 3 ? 1 : k % 3 == 1 ? 700 : VECTOR_SIZE;
        batch *b = &s->batches[k];
        CHECK_OK(batch_init(b, PT_COLUMNS, types, &err), &err);
        s->text[k] = malloc((size_t)PT_COLUMNS * VECTOR_SIZE * 64);
        pt_fill_batch(b, s->rows, n, true, s->text[k]);
        if (with_sel && n > 1) {
            for (uint32_t i = 0; i < n / 2; i++)
                b->sel_storage[i] = 2 * i + 1;
            b->sel = b->sel_storage;
            b->count = n / 2;
        }
        s->rows += n;
    }
}

static void batch_set_dispose(batch_set *s)
{
    for (uint32_t k = 0; k < BATCHES; k++) {
        batch_dispose(&s->batches[k]);
        free(s->text[k]);
    }
}

static parquet_writer *open_writer(const parquet_writer_options *options)
{
    arm_error err;
    parquet_writer_column columns[PT_COLUMNS];
    for (int c = 0; c < PT_COLUMNS; c++)
        columns[c] = (parquet_writer_column){pt_names[c], pt_type(c), true, 100 + c};
    parquet_writer *w = NULL;
    CHECK_OK(parquet_writer_create_memory(&w, columns, PT_COLUMNS, options, &err), &err);
    return w;
}

/* Closes `w` and returns a copy of its bytes (caller frees). */
static uint8_t *close_writer(parquet_writer *w, size_t *size)
{
    arm_error err;
    *size = 0;
    if (w == NULL)
        return NULL;
    CHECK_OK(parquet_writer_close(w, NULL, &err), &err);
    const uint8_t *image = parquet_writer_memory(w, size);
    uint8_t *copy = malloc(*size ? *size : 1);
    if (image != NULL)
        memcpy(copy, image, *size);
    parquet_writer_destroy(w);
    return copy;
}

/* Batches [0, split) one by one, [split, end) at once on the pool, the rest one by one. */
static uint8_t *write_mixed(const batch_set *s, const parquet_writer_options *options,
                            thread_pool *pool, uint32_t threads, uint32_t split, uint32_t end,
                            size_t *size)
{
    arm_error err;
    parquet_writer *w = open_writer(options);
    if (w == NULL)
        return NULL;
    for (uint32_t k = 0; k < split; k++)
        CHECK_OK(parquet_writer_write_batch(w, &s->batches[k], &err), &err);
    CHECK_OK(parquet_writer_write_batches(w, s->batches + split, end - split, pool, threads, &err),
             &err);
    for (uint32_t k = end; k < BATCHES; k++)
        CHECK_OK(parquet_writer_write_batch(w, &s->batches[k], &err), &err);
    return close_writer(w, size);
}

static void check_same_bytes(const batch_set *s, const parquet_writer_options *options,
                             thread_pool *pool)
{
    size_t expected_size, size;
    uint8_t *expected = write_mixed(s, options, NULL, 1, BATCHES, BATCHES, &expected_size);
    static const uint32_t threads[] = {1, 2, 3, 8};
    for (uint32_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        uint8_t *got = write_mixed(s, options, pool, threads[t], 0, BATCHES, &size);
        CHECK_INT_EQ(size, expected_size);
        CHECK(got && expected && size == expected_size && memcmp(got, expected, size) == 0);
        free(got);
        got = write_mixed(s, options, pool, threads[t], 4, 17, &size);
        CHECK_INT_EQ(size, expected_size);
        CHECK(got && expected && size == expected_size && memcmp(got, expected, size) == 0);
        free(got);
    }
    free(expected);
}

static void test_same_bytes_as_sequential(void)
{
    arm_error err;
    thread_pool *pool = NULL;
    CHECK_OK(thread_pool_create(&pool, 3, &err), &err);
    batch_set s;
    batch_set_init(&s, false);
    static const parquet_codec_id codecs[] = {PARQUET_CODEC_ZSTD, PARQUET_CODEC_SNAPPY,
                                              PARQUET_CODEC_UNCOMPRESSED};
    static const uint64_t group_rows[] = {3000, 4096, 122880};
    for (uint32_t c = 0; c < 3; c++) {
        parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
        options.codec = codecs[c];
        options.row_group_rows = group_rows[c];
        options.page_size_bytes = 8192;
        check_same_bytes(&s, &options, pool);
    }
    batch_set_dispose(&s);
    thread_pool_destroy(pool);
}

static void test_selection_vectors(void)
{
    arm_error err;
    thread_pool *pool = NULL;
    CHECK_OK(thread_pool_create(&pool, 2, &err), &err);
    batch_set s;
    batch_set_init(&s, true);
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    options.row_group_rows = 1000;
    check_same_bytes(&s, &options, pool);
    batch_set_dispose(&s);
    thread_pool_destroy(pool);
}

/*
 * What the pool wrote reads back as the generated rows, in order, and is
 * the file pt_write makes from the same rows cut into other batches.
 */
static void test_values_read_back(void)
{
    arm_error err;
    thread_pool *pool = NULL;
    CHECK_OK(thread_pool_create(&pool, 2, &err), &err);
    batch_set s;
    batch_set_init(&s, false);
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    options.row_group_rows = 2500;
    size_t size;
    uint8_t *image = write_mixed(&s, &options, pool, 3, 0, BATCHES, &size);
    size_t expected_size;
    uint8_t *expected = pt_write(s.rows, true, &options, &expected_size);
    CHECK(image && expected && size == expected_size && memcmp(image, expected, size) == 0);
    free(expected);
    parquet_reader *r = NULL;
    CHECK_OK(parquet_reader_open_memory(&r, image, size, "<memory>", &err), &err);
    if (r != NULL) {
        CHECK_INT_EQ(parquet_reader_row_count(r), s.rows);
        CHECK_INT_EQ(parquet_reader_row_group_count(r), (s.rows + 2499) / 2500);
        CHECK_INT_EQ(pt_verify(r, true, true), s.rows);
        parquet_reader_close(r);
    }
    free(image);
    batch_set_dispose(&s);
    thread_pool_destroy(pool);
}

/* A NULL in a non-nullable column fails the call and leaves the writer failed. */
static void test_error_in_a_group(void)
{
    arm_error err;
    thread_pool *pool = NULL;
    CHECK_OK(thread_pool_create(&pool, 2, &err), &err);
    batch_set s;
    batch_set_init(&s, false);
    parquet_writer_column columns[PT_COLUMNS];
    for (int c = 0; c < PT_COLUMNS; c++)
        columns[c] = (parquet_writer_column){pt_names[c], pt_type(c), c != 3, -1};
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    options.row_group_rows = 3000;
    parquet_writer *w = NULL;
    CHECK_OK(parquet_writer_create_memory(&w, columns, PT_COLUMNS, &options, &err), &err);
    CHECK_INT_EQ(parquet_writer_write_batches(w, s.batches, BATCHES, pool, 2, &err),
                 ARM_ERROR_CONSTRAINT);
    CHECK(strstr(err.message, "\"i32\"") != NULL);
    CHECK_INT_EQ(parquet_writer_close(w, NULL, &err), ARM_ERROR_MISUSE);
    parquet_writer_destroy(w);
    batch_set_dispose(&s);
    thread_pool_destroy(pool);
}

/* Tasks that add the batches in order, one at a time, and encode between adds, as COPY does. */
typedef struct stream_run {
    const batch_set *set;
    parquet_writer *w;
    pthread_mutex_t lock;
    uint32_t next;
    _Atomic int failures;
} stream_run;

static void stream_task(void *context, uint32_t task)
{
    (void)task;
    stream_run *run = context;
    arm_error err;
    for (;;) {
        pthread_mutex_lock(&run->lock);
        uint32_t k = run->next++;
        arm_status s =
            k < BATCHES ? parquet_writer_stream_add(run->w, &run->set->batches[k], &err) : ARM_OK;
        pthread_mutex_unlock(&run->lock);
        if (s == ARM_OK)
            s = parquet_writer_stream_work(run->w, k % 3 == 0, &err);
        if (s != ARM_OK)
            run->failures++;
        if (s != ARM_OK || k >= BATCHES)
            return;
    }
}

static uint8_t *write_streamed(const batch_set *s, const parquet_writer_options *options,
                               thread_pool *pool, uint32_t threads, size_t *size)
{
    arm_error err;
    stream_run run = {.set = s, .w = open_writer(options)};
    pthread_mutex_init(&run.lock, NULL);
    CHECK_OK(parquet_writer_stream_begin(run.w, threads, &err), &err);
    thread_pool_run(pool, threads, stream_task, &run);
    pthread_mutex_destroy(&run.lock);
    CHECK_INT_EQ(run.failures, 0);
    CHECK_OK(parquet_writer_stream_end(run.w, &err), &err);
    return close_writer(run.w, size);
}

static void test_stream_same_bytes(void)
{
    arm_error err;
    thread_pool *pool = NULL;
    CHECK_OK(thread_pool_create(&pool, 3, &err), &err);
    for (int with_sel = 0; with_sel < 2; with_sel++) {
        batch_set s;
        batch_set_init(&s, with_sel);
        static const uint64_t group_rows[] = {700, 3000, 4096, 122880};
        for (uint32_t g = 0; g < sizeof group_rows / sizeof group_rows[0]; g++) {
            parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
            options.row_group_rows = group_rows[g];
            options.codec = g % 2 ? PARQUET_CODEC_SNAPPY : PARQUET_CODEC_ZSTD;
            size_t expected_size, size;
            uint8_t *expected =
                write_mixed(&s, &options, NULL, 1, BATCHES, BATCHES, &expected_size);
            for (uint32_t threads = 1; threads <= 4; threads *= 2) {
                uint8_t *got = write_streamed(&s, &options, pool, threads, &size);
                CHECK_INT_EQ(size, expected_size);
                CHECK(got && expected && size == expected_size && memcmp(got, expected, size) == 0);
                free(got);
            }
            free(expected);
        }
        batch_set_dispose(&s);
    }
    thread_pool_destroy(pool);
}

/* An encoding error fails stream_work or stream_end; close then refuses, destroy frees it all. */
static void test_stream_error(void)
{
    arm_error err;
    batch_set s;
    batch_set_init(&s, false);
    parquet_writer_column columns[PT_COLUMNS];
    for (int c = 0; c < PT_COLUMNS; c++)
        columns[c] = (parquet_writer_column){pt_names[c], pt_type(c), c != 3, -1};
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    options.row_group_rows = 3000;
    parquet_writer *w = NULL;
    CHECK_OK(parquet_writer_create_memory(&w, columns, PT_COLUMNS, &options, &err), &err);
    CHECK_OK(parquet_writer_stream_begin(w, 2, &err), &err);
    arm_status st = ARM_OK;
    for (uint32_t k = 0; k < BATCHES && st == ARM_OK; k++)
        st = parquet_writer_stream_add(w, &s.batches[k], &err);
    CHECK_INT_EQ(st, ARM_OK); /* only encoding finds the NULL */
    CHECK_INT_EQ(parquet_writer_stream_end(w, &err), ARM_ERROR_CONSTRAINT);
    CHECK_INT_EQ(parquet_writer_close(w, NULL, &err), ARM_ERROR_MISUSE);
    parquet_writer_destroy(w);
    /* abandoned with groups still queued */
    CHECK_OK(parquet_writer_create_memory(&w, columns, PT_COLUMNS, &options, &err), &err);
    CHECK_OK(parquet_writer_stream_begin(w, 2, &err), &err);
    for (uint32_t k = 0; k < BATCHES; k++)
        CHECK_OK(parquet_writer_stream_add(w, &s.batches[k], &err), &err);
    parquet_writer_destroy(w);
    batch_set_dispose(&s);
}

TEST_MAIN(test_same_bytes_as_sequential, test_selection_vectors, test_values_read_back,
          test_error_in_a_group, test_stream_same_bytes, test_stream_error)
