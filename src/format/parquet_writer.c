/*
 * parquet_writer.c: the Parquet file writer: the sink (file or memory), row
 * group cutting, the page index (all ColumnIndex structs, then all
 * OffsetIndex structs, after the last row group) and the footer. Column
 * encoding lives in parquet_column_writer.c.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "format/parquet_codec.h"
#include "format/parquet_writer_internal.h"

#define CREATED_BY "armillaria 0.1.0"

/* The pages of one written column chunk, kept for the page index. */
typedef struct chunk_pages {
    parquet_written_page *pages;
    uint32_t count;
} chunk_pages;

/*
 * One thread's row group encoder for parquet_writer_write_batches: its own
 * column writers (their buffers are reused from group to group) and an arena
 * for the metadata and statistics of the groups it encodes, which the footer
 * and page index read, so it lives as long as the writer.
 */
typedef struct group_encoder {
    parquet_column_writer *columns;
    arena *arena;
} group_encoder;

struct parquet_writer {
    parquet_writer_options options;
    parquet_sink sink;
    char *path;
    arena *arena;
    uint32_t column_count;
    parquet_column_writer *columns;
    uint64_t buffered_rows;
    uint64_t total_rows;
    parquet_row_group *row_groups;
    chunk_pages *pages; /* row_group_count * column_count */
    uint32_t row_group_count, row_group_capacity;
    group_encoder *encoders; /* parallel writing: one per thread, made on first use */
    uint32_t encoder_count;
    parquet_writer_column *definitions; /* the columns as given, for the encoders */
    parquet_byte_buffer *spare_bytes;   /* encoded group buffers written out, for reuse */
    uint32_t spare_count, spare_capacity;
    struct write_stream *stream; /* between stream_begin and stream_end, with threads */
    bool is_closed;
    bool is_broken;
};

arm_status parquet_sink_write(parquet_sink *s, const void *data, size_t size, arm_error *err)
{
    if (size == 0)
        return ARM_OK;
    if (s->file != NULL) {
        if (fwrite(data, 1, size, s->file) != size)
            return error_set(err, ARM_ERROR_IO, NULL, -1, "could not write parquet file: %s",
                             strerror(errno));
    } else {
        parquet_byte_buffer_append(&s->memory, data, size);
        if (s->memory.failed)
            return error_out_of_memory(err);
    }
    s->offset += size;
    return ARM_OK;
}

static arm_status writer_alloc(parquet_writer **out, const parquet_writer_column *columns,
                               uint32_t column_count, const parquet_writer_options *options,
                               arm_error *err)
{
    static const parquet_writer_options defaults = PARQUET_WRITER_OPTIONS_INIT;
    *out = NULL;
    parquet_writer *w = calloc(1, sizeof *w);
    if (w == NULL)
        return error_out_of_memory(err);
    w->options = options ? *options : defaults;
    if (w->options.row_group_rows == 0)
        w->options.row_group_rows = defaults.row_group_rows;
    if (w->options.page_size_bytes == 0)
        w->options.page_size_bytes = defaults.page_size_bytes;
    w->arena = arena_create(0, NULL);
    w->columns = calloc(column_count + 1, sizeof *w->columns);
    w->definitions = calloc(column_count + 1, sizeof *w->definitions);
    w->column_count = column_count;
    if (w->arena == NULL || w->columns == NULL || w->definitions == NULL) {
        parquet_writer_destroy(w);
        return error_out_of_memory(err);
    }
    for (uint32_t i = 0; i < column_count; i++) {
        arm_status status = parquet_column_writer_init(&w->columns[i], &columns[i], w->arena, err);
        if (status != ARM_OK) {
            parquet_writer_destroy(w);
            return status;
        }
        w->definitions[i] = columns[i];
        w->definitions[i].name = w->columns[i].name;
    }
    if (!parquet_codec_is_writable(w->options.codec)) {
        error_set(err, ARM_ERROR_NOT_SUPPORTED, NULL, -1,
                  "parquet compression codec %s cannot be written",
                  parquet_codec_name(w->options.codec));
        parquet_writer_destroy(w);
        return ARM_ERROR_NOT_SUPPORTED;
    }
    *out = w;
    return ARM_OK;
}

static arm_status write_magic(parquet_writer *w, arm_error *err)
{
    arm_status status = parquet_sink_write(&w->sink, "PAR1", 4, err);
    if (status != ARM_OK)
        w->is_broken = true;
    return status;
}

arm_status parquet_writer_create(parquet_writer **out, const char *path,
                                 const parquet_writer_column *columns, uint32_t column_count,
                                 const parquet_writer_options *options, arm_error *err)
{
    parquet_writer *w;
    arm_status status = writer_alloc(&w, columns, column_count, options, err);
    if (status != ARM_OK)
        return status;
    w->path = arena_strdup(w->arena, path);
    w->sink.file = w->path ? fopen(path, "wb") : NULL;
    if (w->sink.file == NULL) {
        error_set(err, ARM_ERROR_IO, NULL, -1, "could not create parquet file \"%s\": %s", path,
                  strerror(errno));
        parquet_writer_destroy(w);
        return ARM_ERROR_IO;
    }
    if ((status = write_magic(w, err)) != ARM_OK) {
        parquet_writer_destroy(w);
        return status;
    }
    *out = w;
    return ARM_OK;
}

arm_status parquet_writer_create_memory(parquet_writer **out, const parquet_writer_column *columns,
                                        uint32_t column_count,
                                        const parquet_writer_options *options, arm_error *err)
{
    parquet_writer *w;
    arm_status status = writer_alloc(&w, columns, column_count, options, err);
    if (status != ARM_OK)
        return status;
    if ((status = write_magic(w, err)) != ARM_OK) {
        parquet_writer_destroy(w);
        return status;
    }
    *out = w;
    return ARM_OK;
}

static arm_status grow_row_groups(parquet_writer *w, arm_error *err)
{
    if (w->row_group_count < w->row_group_capacity)
        return ARM_OK;
    uint32_t capacity = w->row_group_capacity ? w->row_group_capacity * 2 : 8;
    parquet_row_group *groups = realloc(w->row_groups, capacity * sizeof *groups);
    if (groups == NULL)
        return error_out_of_memory(err);
    w->row_groups = groups;
    chunk_pages *pages =
        realloc(w->pages, (size_t)capacity * (w->column_count + 1) * sizeof *pages);
    if (pages == NULL)
        return error_out_of_memory(err);
    w->pages = pages;
    w->row_group_capacity = capacity;
    return ARM_OK;
}

/*
 * Encodes the rows buffered in `columns` as one row group into `sink`: fills
 * `g` (its column chunks and offsets, relative to the sink) and `pages` (one
 * per column), both allocated in `a`.
 */
static arm_status encode_row_group(const parquet_writer *w, parquet_column_writer *columns,
                                   uint64_t rows, parquet_sink *sink, arena *a,
                                   parquet_row_group *g, chunk_pages *pages, arm_error *err)
{
    memset(g, 0, sizeof *g);
    g->columns = arena_zalloc(a, sizeof(parquet_column_chunk) * (w->column_count + 1));
    if (g->columns == NULL)
        return error_out_of_memory(err);
    g->column_count = w->column_count;
    g->num_rows = (int64_t)rows;
    g->has_file_offset = g->has_total_compressed_size = g->has_ordinal = true;
    g->file_offset = (int64_t)sink->offset;
    for (uint32_t i = 0; i < w->column_count; i++) {
        parquet_column_writer *c = &columns[i];
        arm_status status =
            parquet_column_writer_flush(c, &w->options, sink, a, &g->columns[i], err);
        if (status != ARM_OK)
            return status;
        g->total_byte_size += g->columns[i].meta.total_uncompressed_size;
        g->total_compressed_size += g->columns[i].meta.total_compressed_size;
        pages[i].count = c->page_count;
        pages[i].pages = arena_alloc(a, sizeof(parquet_written_page) * (c->page_count + 1));
        if (pages[i].pages == NULL)
            return error_out_of_memory(err);
        memcpy(pages[i].pages, c->pages, sizeof(parquet_written_page) * c->page_count);
    }
    return ARM_OK;
}

/*
 * Row groups start at multiples of 8: page values are aligned to their width (up to 8) from
 * the group's start, so a group encoded on its own keeps them aligned wherever it lands, and
 * both ways of writing give the same bytes. Readers find column chunks by their offsets, so
 * the zero bytes between groups are passed over (parquet-mr pads row groups the same way).
 */
static arm_status align_row_group(parquet_writer *w, arm_error *err)
{
    static const uint8_t zeros[8] = {0};
    if (w->sink.offset % 8 == 0)
        return ARM_OK;
    return parquet_sink_write(&w->sink, zeros, 8 - w->sink.offset % 8, err);
}

static arm_status flush_row_group(parquet_writer *w, arm_error *err)
{
    arm_status status = grow_row_groups(w, err);
    if (status == ARM_OK)
        status = align_row_group(w, err);
    if (status != ARM_OK)
        return status;
    parquet_row_group *g = &w->row_groups[w->row_group_count];
    chunk_pages *pages = &w->pages[(size_t)w->row_group_count * w->column_count];
    status = encode_row_group(w, w->columns, w->buffered_rows, &w->sink, w->arena, g, pages, err);
    if (status != ARM_OK)
        return status;
    g->ordinal = (int16_t)w->row_group_count;
    w->row_group_count++;
    w->buffered_rows = 0;
    return ARM_OK;
}

static arm_status append_rows(parquet_writer *w, const batch *b, const uint32_t *sel,
                              uint32_t count, arm_error *err)
{
    for (uint32_t i = 0; i < w->column_count; i++) {
        arm_status status =
            parquet_column_writer_append(&w->columns[i], &b->columns[i], sel, count, err);
        if (status != ARM_OK)
            return status;
    }
    w->buffered_rows += count;
    w->total_rows += count;
    if (w->buffered_rows >= w->options.row_group_rows)
        return flush_row_group(w, err);
    return ARM_OK;
}

static arm_status check_batch(const parquet_writer *w, const batch *b, arm_error *err)
{
    if (w->is_closed || w->is_broken)
        return error_set(err, ARM_ERROR_MISUSE, NULL, -1, "parquet writer is closed or failed");
    if (b->column_count != w->column_count)
        return error_set(err, ARM_ERROR_MISUSE, NULL, -1,
                         "batch has %u columns, the parquet writer %u", b->column_count,
                         w->column_count);
    for (uint32_t i = 0; i < w->column_count; i++) {
        if (!type_equal(b->columns[i].type, w->columns[i].type))
            return error_set(err, ARM_ERROR_TYPE, NULL, -1,
                             "batch column %u does not have the type of parquet column \"%s\"", i,
                             w->columns[i].name);
    }
    return ARM_OK;
}

arm_status parquet_writer_write_batch(parquet_writer *w, const batch *b, arm_error *err)
{
    arm_status status = check_batch(w, b, err);
    if (status != ARM_OK)
        return status;
    uint32_t local[VECTOR_SIZE];
    uint32_t done = 0;
    while (done < b->count) {
        uint64_t room = w->options.row_group_rows - w->buffered_rows;
        uint32_t n = b->count - done;
        if (n > room)
            n = (uint32_t)room;
        const uint32_t *sel = NULL;
        if (b->sel != NULL) {
            sel = b->sel + done;
        } else if (done > 0 || n < b->count) {
            for (uint32_t i = 0; i < n && i < VECTOR_SIZE; i++)
                local[i] = done + i;
            sel = local;
        }
        if (n > VECTOR_SIZE && sel == local)
            return error_set(err, ARM_ERROR_MISUSE, NULL, -1, "batch larger than VECTOR_SIZE");
        if ((status = append_rows(w, b, sel, n, err)) != ARM_OK) {
            w->is_broken = true;
            return status;
        }
        done += n;
    }
    return ARM_OK;
}

/* ---- parallel writing ---------------------------------------------------------------- */

/* A row group encoded by some thread, waiting for its turn: bytes with offsets from 0. */
typedef struct encoded_group {
    parquet_byte_buffer bytes;
    parquet_row_group group;
    chunk_pages *pages; /* one per column */
    uint32_t index;     /* the group's place among the stream's groups */
    bool is_ready;
} encoded_group;

/* The shared state of one parquet_writer_write_batches call. */
typedef struct parallel_write {
    parquet_writer *w;
    const batch *batches;
    uint64_t *batch_starts; /* logical row where each batch starts; [batch_count] = total */
    uint32_t batch_count;
    uint64_t first_row; /* rows before it go to the sequential buffer */
    uint32_t group_count;
    _Atomic uint32_t next_group;
    _Atomic bool has_failed;
    uint32_t window;      /* groups encoded ahead of the next to write, at most */
    pthread_mutex_t lock; /* the fields below, the sink and the writer's row group lists */
    pthread_cond_t committed;
    encoded_group *groups;
    uint32_t next_commit;
    arm_error error; /* the first failure */
} parallel_write;

static arm_status encoders_create(parquet_writer *w, uint32_t count, arm_error *err)
{
    if (w->encoder_count >= count)
        return ARM_OK;
    group_encoder *grown = realloc(w->encoders, count * sizeof *grown);
    if (grown == NULL)
        return error_out_of_memory(err);
    w->encoders = grown;
    while (w->encoder_count < count) {
        group_encoder *e = &w->encoders[w->encoder_count];
        e->arena = arena_create(0, NULL);
        e->columns = calloc(w->column_count + 1, sizeof *e->columns);
        if (e->arena == NULL || e->columns == NULL) {
            arena_destroy(e->arena);
            free(e->columns);
            return error_out_of_memory(err);
        }
        w->encoder_count++;
        for (uint32_t i = 0; i < w->column_count; i++)
            if (parquet_column_writer_init(&e->columns[i], &w->definitions[i], e->arena, err) !=
                ARM_OK)
                return err->status;
    }
    return ARM_OK;
}

static void encoders_destroy(parquet_writer *w)
{
    for (uint32_t k = 0; k < w->encoder_count; k++) {
        for (uint32_t i = 0; i < w->column_count; i++)
            parquet_column_writer_dispose(&w->encoders[k].columns[i]);
        free(w->encoders[k].columns);
        arena_destroy(w->encoders[k].arena);
    }
    free(w->encoders);
    for (uint32_t k = 0; k < w->spare_count; k++)
        parquet_byte_buffer_dispose(&w->spare_bytes[k]);
    free(w->spare_bytes);
}

/* Appends logical rows [start, start + count) of the batches to `columns`. */
static arm_status append_range(const parallel_write *pw, parquet_column_writer *columns,
                               uint64_t start, uint64_t count, arm_error *err)
{
    uint32_t lo = 0, hi = pw->batch_count;
    while (hi - lo > 1) { /* the last batch starting at or before `start` */
        uint32_t mid = lo + (hi - lo) / 2;
        if (pw->batch_starts[mid] <= start)
            lo = mid;
        else
            hi = mid;
    }
    uint32_t local[VECTOR_SIZE];
    for (uint32_t b = lo; count > 0; b++) {
        const batch *in = &pw->batches[b];
        uint32_t offset = (uint32_t)(start - pw->batch_starts[b]);
        uint32_t n = in->count - offset;
        if (n > count)
            n = (uint32_t)count;
        const uint32_t *sel = in->sel ? in->sel + offset : NULL;
        if (in->sel == NULL && (offset > 0 || n < in->count)) {
            for (uint32_t i = 0; i < n; i++)
                local[i] = offset + i;
            sel = local;
        }
        for (uint32_t i = 0; i < pw->w->column_count; i++)
            if (parquet_column_writer_append(&columns[i], &in->columns[i], sel, n, err) != ARM_OK)
                return err->status;
        start += n;
        count -= n;
    }
    return ARM_OK;
}

/* Moves a group's offsets from its own buffer to where the file has reached. */
static void rebase_group(parquet_row_group *g, chunk_pages *pages, int64_t base)
{
    g->file_offset += base;
    for (uint32_t i = 0; i < g->column_count; i++) {
        parquet_column_chunk *c = &g->columns[i];
        c->file_offset += base;
        c->meta.data_page_offset += base;
        if (c->meta.has_dictionary_page_offset)
            c->meta.dictionary_page_offset += base;
        for (uint32_t p = 0; p < pages[i].count; p++)
            pages[i].pages[p].offset += base;
    }
}

/* Keeps a written group's buffer for the next encode (the caller's lock guards the list). */
static void recycle_bytes(parquet_writer *w, parquet_byte_buffer *bytes)
{
    bytes->size = 0;
    if (w->spare_count < w->spare_capacity)
        w->spare_bytes[w->spare_count++] = *bytes;
    else
        parquet_byte_buffer_dispose(bytes);
    memset(bytes, 0, sizeof *bytes);
}

/* Writes an encoded group at the file's end; its buffer stays with `e`. */
static arm_status write_group(parquet_writer *w, encoded_group *e, arm_error *err)
{
    arm_status status = grow_row_groups(w, err);
    if (status != ARM_OK)
        return status;
    if ((status = align_row_group(w, err)) != ARM_OK)
        return status;
    rebase_group(&e->group, e->pages, (int64_t)w->sink.offset);
    if ((status = parquet_sink_write(&w->sink, e->bytes.data, e->bytes.size, err)) != ARM_OK)
        return status;
    e->group.ordinal = (int16_t)w->row_group_count;
    w->row_groups[w->row_group_count] = e->group;
    memcpy(&w->pages[(size_t)w->row_group_count * w->column_count], e->pages,
           w->column_count * sizeof *e->pages);
    w->row_group_count++;
    w->total_rows += (uint64_t)e->group.num_rows;
    return ARM_OK;
}

/* Writes an encoded group at the end of the file and keeps its buffer for reuse. */
static arm_status commit_group(parquet_writer *w, encoded_group *e, arm_error *err)
{
    arm_status status = write_group(w, e, err);
    if (status == ARM_OK)
        recycle_bytes(w, &e->bytes);
    return status;
}

/* Under pw->lock: writes the ready groups that are next in order. */
static arm_status commit_ready(parallel_write *pw, arm_error *err)
{
    while (pw->next_commit < pw->group_count && pw->groups[pw->next_commit].is_ready) {
        arm_status status = commit_group(pw->w, &pw->groups[pw->next_commit], err);
        if (status != ARM_OK)
            return status;
        pw->next_commit++;
        pthread_cond_broadcast(&pw->committed);
    }
    return ARM_OK;
}

/* Encodes group `index` with encoder `e` into pw->groups[index], then commits what it can. */
static arm_status encode_group(parallel_write *pw, group_encoder *e, uint32_t index, arm_error *err)
{
    parquet_writer *w = pw->w;
    encoded_group *out = &pw->groups[index];
    uint64_t rows = w->options.row_group_rows;
    arm_status status = append_range(pw, e->columns, pw->first_row + index * rows, rows, err);
    if (status != ARM_OK)
        return status;
    parquet_sink sink;
    memset(&sink, 0, sizeof sink);
    pthread_mutex_lock(&pw->lock);
    if (w->spare_count > 0)
        sink.memory = w->spare_bytes[--w->spare_count];
    pthread_mutex_unlock(&pw->lock);
    out->pages = arena_zalloc(e->arena, (w->column_count + 1) * sizeof *out->pages);
    status = out->pages == NULL ? error_out_of_memory(err)
                                : encode_row_group(w, e->columns, rows, &sink, e->arena,
                                                   &out->group, out->pages, err);
    out->bytes = sink.memory;
    pthread_mutex_lock(&pw->lock);
    if (status == ARM_OK) {
        out->is_ready = true;
        status = commit_ready(pw, err);
    }
    pthread_mutex_unlock(&pw->lock);
    return status;
}

/*
 * Waits while group `index` is too far ahead of the next group to write, so
 * encoded groups do not pile up behind a slow one. The next group to write
 * is always being encoded (its thread never waits here), so this ends.
 */
static bool wait_for_window(parallel_write *pw, uint32_t index)
{
    pthread_mutex_lock(&pw->lock);
    while (!atomic_load(&pw->has_failed) && index >= pw->next_commit + pw->window)
        pthread_cond_wait(&pw->committed, &pw->lock);
    pthread_mutex_unlock(&pw->lock);
    return !atomic_load(&pw->has_failed);
}

static void encode_task(void *context, uint32_t task)
{
    parallel_write *pw = context;
    group_encoder *e = &pw->w->encoders[task];
    arm_error err;
    arm_error_clear(&err);
    for (;;) {
        uint32_t index = atomic_fetch_add(&pw->next_group, 1);
        if (index >= pw->group_count || !wait_for_window(pw, index))
            return;
        if (encode_group(pw, e, index, &err) != ARM_OK) {
            pthread_mutex_lock(&pw->lock);
            if (!atomic_exchange(&pw->has_failed, true))
                pw->error = err;
            pthread_cond_broadcast(&pw->committed);
            pthread_mutex_unlock(&pw->lock);
            return;
        }
    }
}

/*
 * Rows up to the next row group boundary go through the sequential buffer,
 * then whole row groups are encoded in parallel, then the rest is buffered.
 * Row groups hold the same rows as with parquet_writer_write_batch, and a
 * row group's bytes depend only on its rows, so the file is the same.
 */
static arm_status write_groups_parallel(parallel_write *pw, uint32_t thread_count,
                                        thread_pool *pool, arm_error *err)
{
    parquet_writer *w = pw->w;
    uint64_t total = pw->batch_starts[pw->batch_count], rows = w->options.row_group_rows;
    uint64_t head = w->buffered_rows > 0 ? rows - w->buffered_rows : 0;
    if (head > total)
        head = total;
    pw->first_row = head;
    uint64_t groups = (total - head) / rows;
    pw->group_count = groups > UINT32_MAX ? UINT32_MAX : (uint32_t)groups;
    arm_status status = ARM_OK;
    if (head > 0) {
        w->total_rows += head; /* as append_rows counts them */
        status = append_range(pw, w->columns, 0, head, err);
        w->buffered_rows += head;
        if (status == ARM_OK && w->buffered_rows >= rows)
            status = flush_row_group(w, err);
    }
    if (status == ARM_OK && pw->group_count > 0) {
        uint32_t spare_needed = w->spare_count + pw->group_count;
        parquet_byte_buffer *spares = realloc(w->spare_bytes, spare_needed * sizeof *spares);
        pw->groups = calloc(pw->group_count, sizeof *pw->groups);
        if (spares != NULL) {
            w->spare_bytes = spares;
            w->spare_capacity = spare_needed;
        }
        if (spares == NULL || pw->groups == NULL)
            return error_out_of_memory(err);
        if (thread_count > pw->group_count)
            thread_count = pw->group_count;
        pw->window = 2 * thread_count;
        if ((status = encoders_create(w, thread_count, err)) != ARM_OK)
            return status;
        thread_pool_run(pool, thread_count, encode_task, pw);
        if (atomic_load(&pw->has_failed)) {
            if (err != NULL)
                *err = pw->error;
            return pw->error.status;
        }
    }
    uint64_t tail = pw->first_row + (uint64_t)pw->group_count * rows;
    if (status == ARM_OK && tail < total) {
        status = append_range(pw, w->columns, tail, total - tail, err);
        w->buffered_rows += total - tail;
        w->total_rows += total - tail;
    }
    return status;
}

arm_status parquet_writer_write_batches(parquet_writer *w, const batch *batches,
                                        uint32_t batch_count, thread_pool *pool,
                                        uint32_t thread_count, arm_error *err)
{
    arm_status status = ARM_OK;
    if (thread_count <= 1 || pool == NULL) { /* straight to the sink: no group buffers to copy */
        for (uint32_t b = 0; b < batch_count && status == ARM_OK; b++)
            status = parquet_writer_write_batch(w, &batches[b], err);
        return status;
    }
    for (uint32_t b = 0; b < batch_count && status == ARM_OK; b++)
        status = check_batch(w, &batches[b], err);
    if (status != ARM_OK)
        return status;
    parallel_write pw;
    memset(&pw, 0, sizeof pw);
    pw.w = w;
    pw.batches = batches;
    pw.batch_count = batch_count;
    pw.batch_starts = malloc((batch_count + 1) * sizeof *pw.batch_starts);
    if (pw.batch_starts == NULL)
        return error_out_of_memory(err);
    pw.batch_starts[0] = 0;
    for (uint32_t b = 0; b < batch_count; b++)
        pw.batch_starts[b + 1] = pw.batch_starts[b] + batches[b].count;
    atomic_init(&pw.next_group, 0);
    atomic_init(&pw.has_failed, false);
    pthread_mutex_init(&pw.lock, NULL);
    pthread_cond_init(&pw.committed, NULL);
    status = write_groups_parallel(&pw, thread_count > 0 ? thread_count : 1, pool, err);
    for (uint32_t g = 0; pw.groups != NULL && g < pw.group_count; g++)
        parquet_byte_buffer_dispose(&pw.groups[g].bytes);
    free(pw.groups);
    free(pw.batch_starts);
    pthread_mutex_destroy(&pw.lock);
    pthread_cond_destroy(&pw.committed);
    if (status != ARM_OK)
        w->is_broken = true;
    return status;
}

/* ---- streaming ------------------------------------------------------------------------ */

/* Rows [offset, offset + count) of a batch kept for one row group. */
typedef struct stream_piece {
    batch rows;
    uint32_t offset, count;
} stream_piece;

/* The rows of one row group, gathered in order: being filled, or waiting for an encoder. */
typedef struct stream_group {
    stream_piece *pieces;
    uint32_t piece_count, piece_capacity;
    uint64_t rows;
    uint32_t index;
} stream_group;

/*
 * The state between parquet_writer_stream_begin and _end when writing with
 * several threads. `gathering` is touched only by stream_add (one caller at
 * a time) and end; everything below `lock` is shared with stream_work.
 */
typedef struct write_stream {
    uint32_t thread_count;
    stream_group gathering;
    uint32_t next_index; /* the index the next full group gets */
    pthread_mutex_t lock;
    pthread_cond_t committed; /* a group was written or an encoder freed */
    stream_group *queue;      /* full groups in index order, from queue_head */
    uint32_t queue_head, queue_count, queue_capacity;
    encoded_group *parked; /* encoded, waiting for the groups before them */
    uint32_t parked_count, parked_capacity;
    uint32_t next_commit;
    bool committing; /* a thread is writing groups, outside the lock */
    uint32_t *free_encoders;
    uint32_t free_count;
    bool has_failed;
    arm_error error;
} write_stream;

static void stream_group_dispose(stream_group *g)
{
    for (uint32_t i = 0; i < g->piece_count; i++)
        batch_dispose(&g->pieces[i].rows);
    free(g->pieces);
    memset(g, 0, sizeof *g);
}

static void stream_destroy(write_stream *st)
{
    if (st == NULL)
        return;
    stream_group_dispose(&st->gathering);
    for (uint32_t i = 0; i < st->queue_count; i++)
        stream_group_dispose(&st->queue[st->queue_head + i]);
    for (uint32_t i = 0; i < st->parked_count; i++)
        parquet_byte_buffer_dispose(&st->parked[i].bytes);
    free(st->queue);
    free(st->parked);
    free(st->free_encoders);
    pthread_mutex_destroy(&st->lock);
    pthread_cond_destroy(&st->committed);
    free(st);
}

arm_status parquet_writer_stream_begin(parquet_writer *w, uint32_t thread_count, arm_error *err)
{
    if (w->is_closed || w->is_broken || w->stream != NULL || w->buffered_rows > 0)
        return error_set(err, ARM_ERROR_MISUSE, NULL, -1,
                         "parquet writer stream needs an open writer with no rows buffered");
    if (thread_count <= 1)
        return ARM_OK; /* stream_add writes straight through */
    write_stream *st = calloc(1, sizeof *st);
    if (st == NULL)
        return error_out_of_memory(err);
    pthread_mutex_init(&st->lock, NULL);
    pthread_cond_init(&st->committed, NULL);
    st->thread_count = thread_count;
    w->stream = st;
    uint32_t spare_needed = w->spare_count + 3 * thread_count + 1;
    parquet_byte_buffer *spares = realloc(w->spare_bytes, spare_needed * sizeof *spares);
    if (spares != NULL) {
        w->spare_bytes = spares;
        w->spare_capacity = spare_needed;
    }
    st->free_encoders = calloc(thread_count, sizeof *st->free_encoders);
    if (spares == NULL || st->free_encoders == NULL)
        return error_out_of_memory(err);
    arm_status status = encoders_create(w, thread_count, err);
    if (status != ARM_OK)
        return status;
    for (uint32_t i = 0; i < thread_count; i++)
        st->free_encoders[st->free_count++] = i;
    return ARM_OK;
}

/* Keeps rows of `b` as a dense batch of its own (shared buffers, selected rows copied). */
static arm_status keep_rows(batch *dst, const batch *b, arm_error *err)
{
    memset(dst, 0, sizeof *dst);
    dst->columns = calloc(b->column_count + 1, sizeof *dst->columns);
    if (dst->columns == NULL)
        return error_out_of_memory(err);
    dst->column_count = b->column_count;
    arm_status status = ARM_OK;
    for (uint32_t c = 0; c < b->column_count && status == ARM_OK; c++) {
        vector_init(&dst->columns[c], b->columns[c].type);
        status = b->sel == NULL
                     ? vector_reference(&dst->columns[c], &b->columns[c], err)
                     : vector_copy_rows(&dst->columns[c], 0, &b->columns[c], b->sel, b->count, err);
    }
    dst->count = b->count;
    if (status != ARM_OK)
        batch_dispose(dst);
    return status;
}

static arm_status add_piece(stream_group *g, const batch *b, uint32_t offset, uint32_t count,
                            arm_error *err)
{
    if (g->piece_count == g->piece_capacity) {
        uint32_t capacity = g->piece_capacity ? g->piece_capacity * 2 : 64;
        stream_piece *grown = realloc(g->pieces, capacity * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(err);
        g->pieces = grown;
        g->piece_capacity = capacity;
    }
    stream_piece *piece = &g->pieces[g->piece_count];
    arm_status status = keep_rows(&piece->rows, b, err);
    if (status != ARM_OK)
        return status;
    piece->offset = offset;
    piece->count = count;
    g->piece_count++;
    g->rows += count;
    return ARM_OK;
}

/* Moves the full gathering group to the queue, where stream_work finds it. */
static arm_status queue_gathered(write_stream *st, arm_error *err)
{
    pthread_mutex_lock(&st->lock);
    arm_status status = ARM_OK;
    if (st->queue_head > 0 && st->queue_head + st->queue_count == st->queue_capacity) {
        memmove(st->queue, st->queue + st->queue_head, st->queue_count * sizeof *st->queue);
        st->queue_head = 0;
    }
    if (st->queue_head + st->queue_count == st->queue_capacity) {
        uint32_t capacity = st->queue_capacity ? st->queue_capacity * 2 : 8;
        stream_group *grown = realloc(st->queue, capacity * sizeof *grown);
        if (grown == NULL)
            status = error_out_of_memory(err);
        else {
            st->queue = grown;
            st->queue_capacity = capacity;
        }
    }
    if (status == ARM_OK) {
        st->gathering.index = st->next_index++;
        st->queue[st->queue_head + st->queue_count++] = st->gathering;
        memset(&st->gathering, 0, sizeof st->gathering);
    }
    pthread_mutex_unlock(&st->lock);
    return status;
}

arm_status parquet_writer_stream_add(parquet_writer *w, const batch *b, arm_error *err)
{
    write_stream *st = w->stream;
    if (st == NULL)
        return parquet_writer_write_batch(w, b, err);
    arm_status status = check_batch(w, b, err);
    if (status == ARM_OK && b->count > VECTOR_SIZE)
        status = error_set(err, ARM_ERROR_MISUSE, NULL, -1, "batch larger than VECTOR_SIZE");
    uint64_t rows = w->options.row_group_rows;
    for (uint32_t done = 0; status == ARM_OK && done < b->count;) {
        uint64_t room = rows - st->gathering.rows;
        uint32_t n = b->count - done < room ? b->count - done : (uint32_t)room;
        if ((status = add_piece(&st->gathering, b, done, n, err)) != ARM_OK)
            break;
        done += n;
        if (st->gathering.rows == rows)
            status = queue_gathered(st, err);
    }
    if (status != ARM_OK)
        w->is_broken = true;
    return status;
}

/* Appends a group's pieces to `columns`, honouring each piece's range. */
static arm_status append_pieces(const parquet_writer *w, parquet_column_writer *columns,
                                const stream_group *g, arm_error *err)
{
    uint32_t local[VECTOR_SIZE];
    for (uint32_t p = 0; p < g->piece_count; p++) {
        const stream_piece *piece = &g->pieces[p];
        const uint32_t *sel = NULL;
        if (piece->offset > 0 || piece->count < piece->rows.count) {
            for (uint32_t i = 0; i < piece->count; i++)
                local[i] = piece->offset + i;
            sel = local;
        }
        for (uint32_t i = 0; i < w->column_count; i++)
            if (parquet_column_writer_append(&columns[i], &piece->rows.columns[i], sel,
                                             piece->count, err) != ARM_OK)
                return err->status;
    }
    return ARM_OK;
}

/* Encodes group `g` (consumed) with encoder `e` into `out`, its offsets from 0. */
static arm_status encode_stream_group(parquet_writer *w, write_stream *st, group_encoder *e,
                                      stream_group *g, encoded_group *out, arm_error *err)
{
    memset(out, 0, sizeof *out);
    out->index = g->index;
    arm_status status = append_pieces(w, e->columns, g, err);
    uint64_t rows = g->rows;
    stream_group_dispose(g);
    if (status != ARM_OK)
        return status;
    parquet_sink sink;
    memset(&sink, 0, sizeof sink);
    pthread_mutex_lock(&st->lock);
    if (w->spare_count > 0)
        sink.memory = w->spare_bytes[--w->spare_count];
    pthread_mutex_unlock(&st->lock);
    out->pages = arena_zalloc(e->arena, (w->column_count + 1) * sizeof *out->pages);
    status = out->pages == NULL ? error_out_of_memory(err)
                                : encode_row_group(w, e->columns, rows, &sink, e->arena,
                                                   &out->group, out->pages, err);
    out->bytes = sink.memory;
    return status;
}

/*
 * Under st->lock: parks an encoded group, then writes the parked groups that
 * are next. One thread writes at a time and does it with the lock released,
 * so the others keep taking and parking groups meanwhile (the write is a
 * copy into the page cache: a tenth of a ZSTD COPY); groups parked during a
 * write are written by the same thread before it lets go.
 */
static arm_status park_and_commit(parquet_writer *w, write_stream *st, encoded_group *e,
                                  arm_error *err)
{
    if (st->parked_count == st->parked_capacity) {
        uint32_t capacity = st->parked_capacity ? st->parked_capacity * 2 : 8;
        encoded_group *grown = realloc(st->parked, capacity * sizeof *grown);
        if (grown == NULL) {
            parquet_byte_buffer_dispose(&e->bytes);
            return error_out_of_memory(err);
        }
        st->parked = grown;
        st->parked_capacity = capacity;
    }
    st->parked[st->parked_count++] = *e;
    if (st->committing)
        return ARM_OK;
    st->committing = true;
    for (uint32_t i = 0; i < st->parked_count;) {
        if (st->parked[i].index != st->next_commit) {
            i++;
            continue;
        }
        encoded_group next = st->parked[i];
        st->parked[i] = st->parked[--st->parked_count];
        pthread_mutex_unlock(&st->lock);
        arm_status status = write_group(w, &next, err);
        pthread_mutex_lock(&st->lock);
        if (status != ARM_OK) {
            parquet_byte_buffer_dispose(&next.bytes);
            st->committing = false;
            return status;
        }
        recycle_bytes(w, &next.bytes);
        st->next_commit++;
        pthread_cond_broadcast(&st->committed);
        i = 0;
    }
    st->committing = false;
    return ARM_OK;
}

/*
 * Under st->lock: whether this thread may take the queue's first group now.
 * Groups are encoded at most 2 * threads ahead of the next to write, so
 * encoded groups do not pile up behind a slow one.
 */
static bool can_take(const write_stream *st)
{
    return st->free_count > 0 &&
           st->queue[st->queue_head].index < st->next_commit + 2 * st->thread_count;
}

/* Under st->lock: takes one queued group, encodes it unlocked, writes what is next in order. */
static arm_status encode_one(parquet_writer *w, write_stream *st, arm_error *err)
{
    stream_group g = st->queue[st->queue_head++];
    st->queue_count--;
    uint32_t encoder = st->free_encoders[--st->free_count];
    pthread_mutex_unlock(&st->lock);
    encoded_group e;
    arm_status status = encode_stream_group(w, st, &w->encoders[encoder], &g, &e, err);
    pthread_mutex_lock(&st->lock);
    st->free_encoders[st->free_count++] = encoder;
    if (status == ARM_OK)
        status = park_and_commit(w, st, &e, err);
    else
        parquet_byte_buffer_dispose(&e.bytes);
    pthread_cond_broadcast(&st->committed);
    return status;
}

/*
 * Encodes queued groups while there are any this thread may take (with
 * only_backlog, while more are queued than there are threads). A thread
 * waits only while the queue is longer than the thread count and nothing can
 * be taken: then the next group to write is being encoded by a thread that
 * does not wait, so the wait ends.
 */
arm_status parquet_writer_stream_work(parquet_writer *w, bool only_backlog, arm_error *err)
{
    write_stream *st = w->stream;
    if (st == NULL)
        return ARM_OK;
    arm_status status = ARM_OK;
    pthread_mutex_lock(&st->lock);
    while (!st->has_failed && st->queue_count > (only_backlog ? st->thread_count : 0)) {
        if (!can_take(st)) {
            if (st->queue_count <= st->thread_count)
                break;
            pthread_cond_wait(&st->committed, &st->lock);
            continue;
        }
        if ((status = encode_one(w, st, err)) != ARM_OK) {
            st->has_failed = true;
            st->error = *err;
        }
    }
    if (st->has_failed && status == ARM_OK) {
        status = st->error.status;
        *err = st->error;
    }
    pthread_mutex_unlock(&st->lock);
    return status;
}

/* The rows of the last, partial group go to the sequential buffer that close flushes. */
static arm_status buffer_gathered(parquet_writer *w, write_stream *st, arm_error *err)
{
    arm_status status = append_pieces(w, w->columns, &st->gathering, err);
    w->buffered_rows += st->gathering.rows;
    w->total_rows += st->gathering.rows;
    return status;
}

arm_status parquet_writer_stream_end(parquet_writer *w, arm_error *err)
{
    write_stream *st = w->stream;
    arm_status status = w->is_broken ? error_set(err, ARM_ERROR_MISUSE, NULL, -1,
                                                 "parquet writer is closed or failed")
                                     : ARM_OK;
    if (st == NULL)
        return status;
    pthread_mutex_lock(&st->lock); /* alone now: every group can be taken in turn */
    while (status == ARM_OK && !st->has_failed && st->queue_count > 0)
        status = encode_one(w, st, err);
    if (status == ARM_OK && st->has_failed) {
        status = st->error.status;
        *err = st->error;
    }
    pthread_mutex_unlock(&st->lock);
    if (status == ARM_OK)
        status = buffer_gathered(w, st, err);
    stream_destroy(st);
    w->stream = NULL;
    if (status != ARM_OK)
        w->is_broken = true;
    return status;
}

/* Orders statistic bytes of a column's pages (for the column index boundary order). */
static int compare_stat(const parquet_column_writer *c, parquet_bytes a, parquet_bytes b)
{
    switch (c->physical) {
    case PARQUET_INT32: {
        int32_t x, y;
        memcpy(&x, a.data, 4), memcpy(&y, b.data, 4);
        return (x > y) - (x < y);
    }
    case PARQUET_INT64: {
        int64_t x, y;
        memcpy(&x, a.data, 8), memcpy(&y, b.data, 8);
        return (x > y) - (x < y);
    }
    case PARQUET_FLOAT: {
        float x, y;
        memcpy(&x, a.data, 4), memcpy(&y, b.data, 4);
        return (x > y) - (x < y);
    }
    case PARQUET_DOUBLE: {
        double x, y;
        memcpy(&x, a.data, 8), memcpy(&y, b.data, 8);
        return (x > y) - (x < y);
    }
    case PARQUET_BOOLEAN: return (int)a.data[0] - (int)b.data[0];
    case PARQUET_BYTE_ARRAY: {
        uint32_t n = a.length < b.length ? a.length : b.length;
        int r = n > 0 ? memcmp(a.data, b.data, n) : 0;
        return r != 0 ? r : (a.length > b.length) - (a.length < b.length);
    }
    default: return 2; /* decimals in bytes: leave the order unknown */
    }
}

static parquet_boundary_order boundary_order(const parquet_column_writer *c, const chunk_pages *cp)
{
    bool ascending = true, descending = true;
    int last = -1;
    for (uint32_t i = 0; i < cp->count; i++) {
        if (!cp->pages[i].has_min_max)
            continue;
        if (last >= 0) {
            const parquet_written_page *p = &cp->pages[last], *q = &cp->pages[i];
            int lo = compare_stat(c, p->min, q->min), hi = compare_stat(c, p->max, q->max);
            if (lo == 2 || hi == 2)
                return PARQUET_UNORDERED;
            ascending = ascending && lo <= 0 && hi <= 0;
            descending = descending && lo >= 0 && hi >= 0;
        }
        last = (int)i;
    }
    return ascending ? PARQUET_ASCENDING : descending ? PARQUET_DESCENDING : PARQUET_UNORDERED;
}

/* Builds the column index of a chunk; false when a page lacks min/max for its values. */
static bool build_column_index(parquet_writer *w, const parquet_column_writer *c,
                               const chunk_pages *cp, int64_t rows, parquet_column_index *ci)
{
    memset(ci, 0, sizeof *ci);
    ci->page_count = cp->count;
    ci->null_pages = arena_zalloc(w->arena, cp->count + 1);
    ci->min_values = arena_zalloc(w->arena, sizeof(parquet_bytes) * (cp->count + 1));
    ci->max_values = arena_zalloc(w->arena, sizeof(parquet_bytes) * (cp->count + 1));
    ci->null_counts = arena_zalloc(w->arena, sizeof(int64_t) * (cp->count + 1));
    if (!ci->null_pages || !ci->min_values || !ci->max_values || !ci->null_counts)
        return false;
    ci->has_null_counts = true;
    for (uint32_t i = 0; i < cp->count; i++) {
        const parquet_written_page *p = &cp->pages[i];
        int64_t end = i + 1 < cp->count ? cp->pages[i + 1].first_row : rows;
        bool all_null = p->null_count == end - p->first_row;
        if (!all_null && !p->has_min_max)
            return false;
        ci->null_pages[i] = all_null;
        ci->null_counts[i] = p->null_count;
        if (!all_null) {
            ci->min_values[i] = p->min;
            ci->max_values[i] = p->max;
        }
    }
    ci->boundary_order = boundary_order(c, cp);
    return true;
}

static arm_status write_thrift(parquet_writer *w, thrift_writer *t, arm_error *err)
{
    if (t->failed)
        return error_out_of_memory(err);
    return parquet_sink_write(&w->sink, t->data, t->size, err);
}

static arm_status write_page_index(parquet_writer *w, thrift_writer *t, arm_error *err)
{
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t g = 0; g < w->row_group_count; g++) {
            for (uint32_t i = 0; i < w->column_count; i++) {
                const chunk_pages *cp = &w->pages[(size_t)g * w->column_count + i];
                parquet_column_chunk *chunk = &w->row_groups[g].columns[i];
                int64_t offset = (int64_t)w->sink.offset;
                thrift_writer_reset(t);
                if (pass == 0) {
                    parquet_column_index ci;
                    if (!build_column_index(w, &w->columns[i], cp, w->row_groups[g].num_rows, &ci))
                        continue;
                    parquet_column_index_encode(t, &ci);
                } else {
                    parquet_page_location *locations =
                        arena_alloc(w->arena, sizeof *locations * (cp->count + 1));
                    if (locations == NULL)
                        return error_out_of_memory(err);
                    for (uint32_t p = 0; p < cp->count; p++)
                        locations[p] = (parquet_page_location){
                            cp->pages[p].offset, cp->pages[p].size_bytes, cp->pages[p].first_row};
                    parquet_offset_index oi = {cp->count, locations};
                    parquet_offset_index_encode(t, &oi);
                }
                arm_status status = write_thrift(w, t, err);
                if (status != ARM_OK)
                    return status;
                if (pass == 0) {
                    chunk->has_column_index = true;
                    chunk->column_index_offset = offset;
                    chunk->column_index_length = (int32_t)t->size;
                } else {
                    chunk->has_offset_index = true;
                    chunk->offset_index_offset = offset;
                    chunk->offset_index_length = (int32_t)t->size;
                }
            }
        }
    }
    return ARM_OK;
}

static arm_status write_footer(parquet_writer *w, thrift_writer *t, arm_error *err)
{
    parquet_file_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.version = w->options.data_page_v2 ? 2 : 1;
    meta.schema_count = w->column_count + 1;
    meta.schema = arena_zalloc(w->arena, sizeof(parquet_schema_element) * meta.schema_count);
    if (meta.schema == NULL)
        return error_out_of_memory(err);
    meta.schema[0].name = "schema";
    meta.schema[0].num_children = (int32_t)w->column_count;
    meta.schema[0].converted_type = PARQUET_CT_NONE;
    for (uint32_t i = 0; i < w->column_count; i++)
        parquet_column_writer_schema(&w->columns[i], &meta.schema[i + 1]);
    meta.num_rows = (int64_t)w->total_rows;
    meta.row_group_count = w->row_group_count;
    meta.row_groups = w->row_groups;
    meta.created_by = CREATED_BY;
    meta.column_order_count = w->column_count;
    thrift_writer_reset(t);
    parquet_file_meta_encode(t, &meta);
    arm_status status = write_thrift(w, t, err);
    if (status != ARM_OK)
        return status;
    uint8_t tail[8] = {(uint8_t)t->size,
                       (uint8_t)(t->size >> 8),
                       (uint8_t)(t->size >> 16),
                       (uint8_t)(t->size >> 24),
                       'P',
                       'A',
                       'R',
                       '1'};
    return parquet_sink_write(&w->sink, tail, 8, err);
}

arm_status parquet_writer_close(parquet_writer *w, uint64_t *total_bytes, arm_error *err)
{
    if (w->is_closed || w->is_broken || w->stream != NULL)
        return error_set(err, ARM_ERROR_MISUSE, NULL, -1, "parquet writer is closed or failed");
    arm_status status = ARM_OK;
    thrift_writer t;
    thrift_writer_init(&t);
    if (w->buffered_rows > 0)
        status = flush_row_group(w, err);
    if (status == ARM_OK && w->options.write_page_index)
        status = write_page_index(w, &t, err);
    if (status == ARM_OK)
        status = write_footer(w, &t, err);
    thrift_writer_dispose(&t);
    if (w->sink.file != NULL) {
        if (fclose(w->sink.file) != 0 && status == ARM_OK)
            status = error_set(err, ARM_ERROR_IO, NULL, -1,
                               "could not write parquet file \"%s\": %s", w->path, strerror(errno));
        w->sink.file = NULL;
    }
    if (status != ARM_OK) {
        w->is_broken = true;
        return status;
    }
    w->is_closed = true;
    if (total_bytes != NULL)
        *total_bytes = w->sink.offset;
    return ARM_OK;
}

const uint8_t *parquet_writer_memory(const parquet_writer *w, size_t *size)
{
    if (!w->is_closed || w->path != NULL) {
        *size = 0;
        return NULL;
    }
    *size = w->sink.memory.size;
    return w->sink.memory.data;
}

void parquet_writer_destroy(parquet_writer *w)
{
    if (w == NULL)
        return;
    if (w->sink.file != NULL)
        fclose(w->sink.file);
    parquet_byte_buffer_dispose(&w->sink.memory);
    for (uint32_t i = 0; i < w->column_count && w->columns; i++)
        parquet_column_writer_dispose(&w->columns[i]);
    free(w->columns);
    free(w->definitions);
    stream_destroy(w->stream);
    encoders_destroy(w);
    free(w->row_groups);
    free(w->pages);
    arena_destroy(w->arena);
    free(w);
}
