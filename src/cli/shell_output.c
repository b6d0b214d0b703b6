/*
 * shell_output.c: the shell's result renderers (box, table, csv, json, line,
 * markdown, list). A result is first formatted into a `grid` of cell texts
 * (one text buffer, offsets per cell) so the boxed modes can size columns.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"

/* One formatted result: cell texts of rows x columns, kept in one buffer. */
typedef struct grid {
    size_t column_count;
    uint64_t row_count;
    char **names;     /* column_count names */
    bool *is_numeric; /* per column: right-align, unquoted in json */
    bool *is_boolean; /* per column: unquoted in json */
    size_t *offsets;  /* row_count * column_count offsets into text */
    bool *is_null;    /* row_count * column_count */
    char *text;
    size_t text_length;
    size_t text_capacity;
} grid;

static const char *const mode_names[] = {"box", "table", "csv", "json", "line", "markdown", "list"};

const char *shell_mode_name(shell_mode mode)
{
    return mode_names[mode];
}

bool shell_mode_parse(const char *name, shell_mode *out)
{
    for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
        if (strcasecmp(name, mode_names[i]) == 0) {
            *out = (shell_mode)i;
            return true;
        }
    }
    return false;
}

void shell_type_name(arm_type type, char *buf, size_t capacity)
{
    static const char *const names[] = {"INVALID", "NULL",   "BOOLEAN", "TINYINT",   "SMALLINT",
                                        "INTEGER", "BIGINT", "REAL",    "DOUBLE",    "DECIMAL",
                                        "VARCHAR", "BLOB",   "DATE",    "TIMESTAMP", "INTERVAL"};
    if (type.id == ARM_TYPE_DECIMAL) {
        snprintf(buf, capacity, "DECIMAL(%u,%u)", type.precision, type.scale);
        return;
    }
    size_t index = (size_t)type.id;
    snprintf(buf, capacity, "%s", index < sizeof(names) / sizeof(names[0]) ? names[index] : "?");
}

static void *checked_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p == NULL) {
        fprintf(stderr, "Error: out of memory\n");
        exit(1);
    }
    return p;
}

static void grid_reserve(grid *g, size_t extra)
{
    if (g->text_length + extra <= g->text_capacity)
        return;
    size_t capacity = g->text_capacity ? g->text_capacity : 4096;
    while (capacity < g->text_length + extra)
        capacity *= 2;
    char *grown = realloc(g->text, capacity);
    if (grown == NULL) {
        fprintf(stderr, "Error: out of memory\n");
        exit(1);
    }
    g->text = grown;
    g->text_capacity = capacity;
}

/* Appends a NUL-terminated cell text and returns its offset. */
static size_t grid_add_text(grid *g, const char *text, size_t length)
{
    grid_reserve(g, length + 1);
    size_t offset = g->text_length;
    memcpy(g->text + offset, text, length);
    g->text[offset + length] = '\0';
    g->text_length += length + 1;
    return offset;
}

static size_t grid_add_value(grid *g, const arm_result *result, size_t column, uint64_t row)
{
    char small[256];
    size_t length = arm_result_format(result, column, row, small, sizeof(small));
    if (length < sizeof(small))
        return grid_add_text(g, small, length);
    grid_reserve(g, length + 1);
    size_t offset = g->text_length;
    arm_result_format(result, column, row, g->text + offset, length + 1);
    g->text_length += length + 1;
    return offset;
}

static void grid_init(grid *g, size_t column_count, uint64_t row_count)
{
    memset(g, 0, sizeof(*g));
    g->column_count = column_count;
    g->row_count = row_count;
    g->names = checked_calloc(column_count, sizeof(char *));
    g->is_numeric = checked_calloc(column_count, sizeof(bool));
    g->is_boolean = checked_calloc(column_count, sizeof(bool));
    g->offsets = checked_calloc(column_count * row_count, sizeof(size_t));
    g->is_null = checked_calloc(column_count * row_count, sizeof(bool));
}

static void grid_from_result(grid *g, const arm_result *result)
{
    size_t column_count = arm_result_column_count(result);
    uint64_t row_count = arm_result_row_count(result);
    grid_init(g, column_count, row_count);
    for (size_t c = 0; c < column_count; c++) {
        const char *name = arm_result_column_name(result, c);
        g->names[c] = strdup(name ? name : "");
        arm_type_id id = arm_result_column_type(result, c).id;
        g->is_numeric[c] = id >= ARM_TYPE_TINYINT && id <= ARM_TYPE_DECIMAL;
        g->is_boolean[c] = id == ARM_TYPE_BOOLEAN;
    }
    for (uint64_t r = 0; r < row_count; r++) {
        for (size_t c = 0; c < column_count; c++) {
            size_t cell = r * column_count + c;
            g->is_null[cell] = arm_result_is_null(result, c, r);
            g->offsets[cell] = g->is_null[cell] ? 0 : grid_add_value(g, result, c, r);
        }
    }
}

static void grid_dispose(grid *g)
{
    for (size_t c = 0; c < g->column_count; c++)
        free(g->names[c]);
    free(g->names);
    free(g->is_numeric);
    free(g->is_boolean);
    free(g->offsets);
    free(g->is_null);
    free(g->text);
}

static const char *null_text(const shell *sh)
{
    if (sh->has_nullvalue)
        return sh->nullvalue;
    return sh->mode == SHELL_MODE_BOX || sh->mode == SHELL_MODE_TABLE ? "NULL" : "";
}

static const char *grid_cell(const grid *g, const shell *sh, uint64_t row, size_t column)
{
    size_t cell = row * g->column_count + column;
    return g->is_null[cell] ? null_text(sh) : g->text + g->offsets[cell];
}

/* Display width in code points (UTF-8 continuation bytes do not count). */
static size_t display_width(const char *text)
{
    size_t width = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p & 0xC0) != 0x80)
            width++;
    }
    return width;
}

static void put_repeat(FILE *out, const char *piece, size_t count)
{
    for (size_t i = 0; i < count; i++)
        fputs(piece, out);
}

/* Writes `text` padded to `width`: right-aligned, centered or left-aligned. */
static void put_padded(FILE *out, const char *text, size_t width, int align)
{
    size_t w = display_width(text);
    size_t pad = width > w ? width - w : 0;
    size_t before = align > 0 ? pad : align == 0 ? pad / 2 : 0;
    put_repeat(out, " ", before);
    fputs(text, out);
    put_repeat(out, " ", pad - before);
}

static size_t *column_widths(const grid *g, const shell *sh)
{
    size_t *widths = checked_calloc(g->column_count, sizeof(size_t));
    for (size_t c = 0; c < g->column_count; c++) {
        widths[c] = display_width(g->names[c]);
        for (uint64_t r = 0; r < g->row_count; r++) {
            size_t w = display_width(grid_cell(g, sh, r, c));
            if (w > widths[c])
                widths[c] = w;
        }
    }
    return widths;
}

/* The pieces of one frame style: left, fill, junction, right for each rule. */
typedef struct frame {
    const char *top[4];
    const char *middle[4];
    const char *bottom[4];
    const char *bar;
} frame;

static const frame box_frame = {
    {"┌", "─", "┬", "┐"}, {"├", "─", "┼", "┤"}, {"└", "─", "┴", "┘"}, "│"};
static const frame table_frame = {
    {"+", "-", "+", "+"}, {"+", "-", "+", "+"}, {"+", "-", "+", "+"}, "|"};

static void put_rule(FILE *out, const char *const pieces[4], const size_t *widths, size_t count)
{
    fputs(pieces[0], out);
    for (size_t c = 0; c < count; c++) {
        put_repeat(out, pieces[1], widths[c] + 2);
        fputs(c + 1 < count ? pieces[2] : pieces[3], out);
    }
    fputc('\n', out);
}

static void render_framed(const shell *sh, const grid *g, const frame *f)
{
    FILE *out = sh->out;
    size_t *widths = column_widths(g, sh);
    put_rule(out, f->top, widths, g->column_count);
    fputs(f->bar, out);
    for (size_t c = 0; c < g->column_count; c++) {
        fputc(' ', out);
        put_padded(out, g->names[c], widths[c], 0);
        fputc(' ', out);
        fputs(f->bar, out);
    }
    fputc('\n', out);
    put_rule(out, f->middle, widths, g->column_count);
    for (uint64_t r = 0; r < g->row_count; r++) {
        fputs(f->bar, out);
        for (size_t c = 0; c < g->column_count; c++) {
            fputc(' ', out);
            put_padded(out, grid_cell(g, sh, r, c), widths[c], g->is_numeric[c] ? 1 : -1);
            fputc(' ', out);
            fputs(f->bar, out);
        }
        fputc('\n', out);
    }
    put_rule(out, f->bottom, widths, g->column_count);
    free(widths);
}

static void render_markdown(const shell *sh, const grid *g)
{
    FILE *out = sh->out;
    size_t *widths = column_widths(g, sh);
    fputc('|', out);
    for (size_t c = 0; c < g->column_count; c++) {
        fputc(' ', out);
        put_padded(out, g->names[c], widths[c], -1);
        fputs(" |", out);
    }
    fputs("\n|", out);
    for (size_t c = 0; c < g->column_count; c++) {
        put_repeat(out, "-", widths[c] + 1);
        fputs(g->is_numeric[c] ? ":|" : "-|", out);
    }
    fputc('\n', out);
    for (uint64_t r = 0; r < g->row_count; r++) {
        fputc('|', out);
        for (size_t c = 0; c < g->column_count; c++) {
            fputc(' ', out);
            put_padded(out, grid_cell(g, sh, r, c), widths[c], g->is_numeric[c] ? 1 : -1);
            fputs(" |", out);
        }
        fputc('\n', out);
    }
    free(widths);
}

static void put_csv_field(FILE *out, const char *text)
{
    if (strpbrk(text, ",\"\n\r") == NULL) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

static void render_separated(const shell *sh, const grid *g, bool is_csv)
{
    FILE *out = sh->out;
    const char *separator = is_csv ? "," : sh->separator;
    if (sh->show_header) {
        for (size_t c = 0; c < g->column_count; c++) {
            if (c > 0)
                fputs(separator, out);
            if (is_csv)
                put_csv_field(out, g->names[c]);
            else
                fputs(g->names[c], out);
        }
        fputc('\n', out);
    }
    for (uint64_t r = 0; r < g->row_count; r++) {
        for (size_t c = 0; c < g->column_count; c++) {
            if (c > 0)
                fputs(separator, out);
            size_t cell = r * g->column_count + c;
            if (is_csv && !g->is_null[cell])
                put_csv_field(out, grid_cell(g, sh, r, c));
            else
                fputs(grid_cell(g, sh, r, c), out);
        }
        fputc('\n', out);
    }
}

static void put_json_string(FILE *out, const char *text)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        case '\b': fputs("\\b", out); break;
        case '\f': fputs("\\f", out); break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

/* True when `text` is a valid JSON number (so NaN and Infinity get quoted). */
static bool is_json_number(const char *text)
{
    const char *p = text;
    if (*p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return false;
    return strspn(p, "0123456789.eE+-") == strlen(p);
}

static void put_json_value(FILE *out, const grid *g, uint64_t row, size_t column)
{
    size_t cell = row * g->column_count + column;
    const char *text = g->text + g->offsets[cell];
    if (g->is_null[cell])
        fputs("null", out);
    else if ((g->is_numeric[column] && is_json_number(text)) || g->is_boolean[column])
        fputs(text, out);
    else
        put_json_string(out, text);
}

static void render_json(const shell *sh, const grid *g)
{
    FILE *out = sh->out;
    if (g->row_count == 0) {
        fputs("[]\n", out);
        return;
    }
    for (uint64_t r = 0; r < g->row_count; r++) {
        fputs(r == 0 ? "[{" : "{", out);
        for (size_t c = 0; c < g->column_count; c++) {
            if (c > 0)
                fputc(',', out);
            put_json_string(out, g->names[c]);
            fputc(':', out);
            put_json_value(out, g, r, c);
        }
        fputs(r + 1 < g->row_count ? "},\n" : "}]\n", out);
    }
}

static void render_line(const shell *sh, const grid *g)
{
    size_t name_width = 0;
    for (size_t c = 0; c < g->column_count; c++) {
        size_t w = display_width(g->names[c]);
        if (w > name_width)
            name_width = w;
    }
    for (uint64_t r = 0; r < g->row_count; r++) {
        if (r > 0)
            fputc('\n', sh->out);
        for (size_t c = 0; c < g->column_count; c++) {
            put_padded(sh->out, g->names[c], name_width, 1);
            fprintf(sh->out, " = %s\n", grid_cell(g, sh, r, c));
        }
    }
}

static void render_grid(const shell *sh, const grid *g)
{
    switch (sh->mode) {
    case SHELL_MODE_BOX: render_framed(sh, g, &box_frame); break;
    case SHELL_MODE_TABLE: render_framed(sh, g, &table_frame); break;
    case SHELL_MODE_CSV: render_separated(sh, g, true); break;
    case SHELL_MODE_JSON: render_json(sh, g); break;
    case SHELL_MODE_LINE: render_line(sh, g); break;
    case SHELL_MODE_MARKDOWN: render_markdown(sh, g); break;
    case SHELL_MODE_LIST: render_separated(sh, g, false); break;
    }
}

/* INSERT/UPDATE/DELETE: the interactive shell shows the count, as duckdb does. */
static void render_changes(const shell *sh, const arm_result *result)
{
    grid g;
    grid_init(&g, 1, 1);
    g.names[0] = strdup("Count");
    g.is_numeric[0] = true;
    char text[32];
    int length =
        snprintf(text, sizeof(text), "%llu", (unsigned long long)arm_result_rows_changed(result));
    g.offsets[0] = grid_add_text(&g, text, (size_t)length);
    render_grid(sh, &g);
    grid_dispose(&g);
}

void shell_output_result(shell *sh, const arm_result *result)
{
    if (result == NULL)
        return;
    arm_result_kind kind = arm_result_kind_of(result);
    if (kind == ARM_RESULT_CHANGES && sh->is_interactive) {
        render_changes(sh, result);
    } else if (kind == ARM_RESULT_ROWS) {
        grid g;
        grid_from_result(&g, result);
        render_grid(sh, &g);
        grid_dispose(&g);
    }
    fflush(sh->out);
}
