/*
 * shell_input.c: reading the shell's input. Splits text into statements (a ';'
 * outside quotes, comments and dollar quotes ends one), runs each as soon as it
 * is complete so pipes see results statement by statement, and drives the
 * interactive libedit loop with multi-line prompts and ~/.arm_history.
 */
#include <ctype.h>
#include <editline/readline.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"

enum {
    SPLIT_NORMAL,
    SPLIT_QUOTE,        /* '...' */
    SPLIT_ESCAPE_QUOTE, /* E'...' with backslash escapes */
    SPLIT_IDENT,        /* "..." */
    SPLIT_LINE_COMMENT, /* -- ... */
    SPLIT_BLOCK,        /* nested block comments */
    SPLIT_DOLLAR,       /* $tag$ ... $tag$ */
};

#define PROMPT_FIRST "arm> "
#define PROMPT_MORE "  ...> "
#define HISTORY_SIZE 1000

/* Text of statements still being typed; `scanned` is where the splitter stopped. */
typedef struct input_buffer {
    char *text;
    size_t length;
    size_t capacity;
    size_t scanned;
    shell_splitter splitter;
} input_buffer;

void shell_splitter_init(shell_splitter *sp)
{
    memset(sp, 0, sizeof(*sp));
    sp->state = SPLIT_NORMAL;
}

static bool is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

/* Tries to read a dollar-quote tag ($$ or $name$) at text[i]; returns its length or 0. */
static size_t match_dollar_tag(const char *text, size_t i, size_t length)
{
    size_t j = i + 1;
    if (i > 0 && is_ident_char(text[i - 1]))
        return 0; /* part of an identifier like a$b */
    if (j < length && isdigit((unsigned char)text[j]))
        return 0; /* $1 is a parameter */
    while (j < length && is_ident_char(text[j]))
        j++;
    if (j < length && text[j] == '$')
        return j - i + 1;
    return 0;
}

/* Handles one character in the normal state; returns the new index (exclusive). */
static size_t scan_normal(shell_splitter *sp, const char *text, size_t i, size_t length)
{
    char c = text[i];
    char next = i + 1 < length ? text[i + 1] : '\0';
    if (c == '\'') {
        bool is_escape = i > 0 && (text[i - 1] == 'E' || text[i - 1] == 'e') &&
                         (i < 2 || !is_ident_char(text[i - 2]));
        sp->state = is_escape ? SPLIT_ESCAPE_QUOTE : SPLIT_QUOTE;
    } else if (c == '"') {
        sp->state = SPLIT_IDENT;
    } else if (c == '-' && next == '-') {
        sp->state = SPLIT_LINE_COMMENT;
        return i + 2;
    } else if (c == '/' && next == '*') {
        sp->state = SPLIT_BLOCK;
        sp->block_depth = 1;
        return i + 2;
    } else if (c == '$') {
        size_t tag_length = match_dollar_tag(text, i, length);
        if (tag_length > 0 && tag_length < sizeof(sp->dollar_tag)) {
            memcpy(sp->dollar_tag, text + i, tag_length);
            sp->dollar_tag[tag_length] = '\0';
            sp->state = SPLIT_DOLLAR;
            return i + tag_length;
        }
    }
    return i + 1;
}

/* Handles one character inside a quote or comment; returns the new index. */
static size_t scan_quoted(shell_splitter *sp, const char *text, size_t i, size_t length)
{
    char c = text[i];
    char next = i + 1 < length ? text[i + 1] : '\0';
    switch (sp->state) {
    case SPLIT_ESCAPE_QUOTE:
    case SPLIT_QUOTE:
        if (c == '\\' && sp->state == SPLIT_ESCAPE_QUOTE)
            return i + 2 <= length ? i + 2 : length;
        if (c == '\'' && next == '\'')
            return i + 2;
        if (c == '\'')
            sp->state = SPLIT_NORMAL;
        return i + 1;
    case SPLIT_IDENT:
        if (c == '"')
            sp->state = SPLIT_NORMAL; /* "" re-enters at once: same result */
        return i + 1;
    case SPLIT_LINE_COMMENT:
        if (c == '\n')
            sp->state = SPLIT_NORMAL;
        return i + 1;
    case SPLIT_BLOCK:
        if (c == '/' && next == '*') {
            sp->block_depth++;
            return i + 2;
        }
        if (c == '*' && next == '/') {
            if (--sp->block_depth == 0)
                sp->state = SPLIT_NORMAL;
            return i + 2;
        }
        return i + 1;
    default: { /* SPLIT_DOLLAR */
        size_t tag_length = strlen(sp->dollar_tag);
        if (c == '$' && i + tag_length <= length &&
            memcmp(text + i, sp->dollar_tag, tag_length) == 0) {
            sp->state = SPLIT_NORMAL;
            return i + tag_length;
        }
        return i + 1;
    }
    }
}

long shell_splitter_scan(shell_splitter *sp, const char *text, size_t from, size_t length)
{
    size_t i = from;
    while (i < length) {
        if (sp->state == SPLIT_NORMAL) {
            if (text[i] == ';')
                return (long)(i + 1);
            i = scan_normal(sp, text, i, length);
        } else {
            i = scan_quoted(sp, text, i, length);
        }
    }
    return -1;
}

bool shell_sql_is_blank(const char *text)
{
    shell_splitter sp;
    shell_splitter_init(&sp);
    size_t length = strlen(text);
    size_t i = 0;
    while (i < length) {
        if (sp.state != SPLIT_NORMAL) {
            i = scan_quoted(&sp, text, i, length);
            continue;
        }
        char c = text[i];
        if (isspace((unsigned char)c) || c == ';') {
            i++;
            continue;
        }
        size_t next = scan_normal(&sp, text, i, length);
        if (sp.state != SPLIT_LINE_COMMENT && sp.state != SPLIT_BLOCK)
            return false;
        i = next;
    }
    return sp.state != SPLIT_BLOCK;
}

static void buffer_append(input_buffer *buf, const char *text, size_t length)
{
    if (buf->length + length + 1 > buf->capacity) {
        size_t capacity = buf->capacity ? buf->capacity : 256;
        while (capacity < buf->length + length + 1)
            capacity *= 2;
        char *grown = realloc(buf->text, capacity);
        if (grown == NULL) {
            fprintf(stderr, "Error: out of memory\n");
            exit(1);
        }
        buf->text = grown;
        buf->capacity = capacity;
    }
    memcpy(buf->text + buf->length, text, length);
    buf->length += length;
    buf->text[buf->length] = '\0';
}

static void buffer_reset(input_buffer *buf)
{
    buf->length = 0;
    buf->scanned = 0;
    if (buf->text)
        buf->text[0] = '\0';
    shell_splitter_init(&buf->splitter);
}

/* True when the buffer holds only whitespace and closed comments. */
static bool buffer_is_empty(const input_buffer *buf)
{
    return buf->length == 0 || shell_sql_is_blank(buf->text);
}

static void add_statement_to_history(const char *sql)
{
    char *copy = strdup(sql);
    if (copy == NULL)
        return;
    for (char *p = copy; *p; p++) {
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    }
    add_history(copy);
    free(copy);
}

/* Runs every complete statement in the buffer; returns false to stop reading. */
static bool run_complete_statements(shell *sh, input_buffer *buf)
{
    for (;;) {
        long end = shell_splitter_scan(&buf->splitter, buf->text, buf->scanned, buf->length);
        if (end < 0) {
            buf->scanned = buf->length;
            return true;
        }
        size_t start = 0;
        while (start < (size_t)end && isspace((unsigned char)buf->text[start]))
            start++;
        char saved = buf->text[end];
        buf->text[end] = '\0';
        bool is_ok = true;
        if (!shell_sql_is_blank(buf->text + start)) {
            if (sh->is_interactive)
                add_statement_to_history(buf->text + start);
            is_ok = shell_run_sql(sh, buf->text + start);
        }
        buf->text[end] = saved;
        size_t rest = buf->length - (size_t)end;
        memmove(buf->text, buf->text + end, rest + 1);
        buf->length = rest;
        buf->scanned = 0;
        shell_splitter_init(&buf->splitter);
        if ((!is_ok && sh->bail) || sh->quit_requested)
            return false;
    }
}

/* Feeds one input line (without its newline); returns false to stop reading. */
static bool feed_line(shell *sh, input_buffer *buf, const char *line)
{
    if (buffer_is_empty(buf)) {
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '.') {
            buffer_reset(buf);
            if (sh->is_interactive)
                add_history(p);
            bool is_ok = shell_command_run(sh, p);
            if (!is_ok)
                sh->error_count++;
            return !sh->quit_requested && (is_ok || !sh->bail);
        }
    }
    buffer_append(buf, line, strlen(line));
    buffer_append(buf, "\n", 1);
    return run_complete_statements(sh, buf);
}

/* Runs what is left at the end of input (a last statement without ';'). */
static bool flush_remaining(shell *sh, input_buffer *buf)
{
    if (buf->length == 0 || shell_sql_is_blank(buf->text))
        return true;
    const char *start = buf->text;
    while (isspace((unsigned char)*start))
        start++;
    return shell_run_sql(sh, start);
}

bool shell_input_run_stream(shell *sh, FILE *in)
{
    input_buffer buf = {0};
    shell_splitter_init(&buf.splitter);
    char *line = NULL;
    size_t line_capacity = 0;
    bool keep_going = true;
    ssize_t line_length;
    while (keep_going && (line_length = getline(&line, &line_capacity, in)) >= 0) {
        while (line_length > 0 && (line[line_length - 1] == '\n' || line[line_length - 1] == '\r'))
            line[--line_length] = '\0';
        keep_going = feed_line(sh, &buf, line);
    }
    /* false only when -bail stopped the input (.quit is not a failure) */
    bool is_ok = keep_going || sh->quit_requested;
    if (keep_going && !flush_remaining(sh, &buf) && sh->bail)
        is_ok = false;
    free(line);
    free(buf.text);
    return is_ok;
}

static void history_path(char *buf, size_t capacity)
{
    const char *home = getenv("HOME");
    if (home == NULL || *home == '\0') {
        buf[0] = '\0';
        return;
    }
    snprintf(buf, capacity, "%s/.arm_history", home);
}

void shell_input_run_interactive(shell *sh)
{
    char path[4096];
    history_path(path, sizeof(path));
    using_history();
    stifle_history(HISTORY_SIZE);
    if (path[0])
        read_history(path);
    input_buffer buf = {0};
    shell_splitter_init(&buf.splitter);
    for (;;) {
        shell_sigint_seen = 0;
        errno = 0;
        char *line = readline(buffer_is_empty(&buf) ? PROMPT_FIRST : PROMPT_MORE);
        if (line == NULL) {
            if (shell_sigint_seen || errno == EINTR) {
                /* Ctrl-C at the prompt: drop what was typed, start over. */
                fputs("^C\n", stdout);
                buffer_reset(&buf);
                continue;
            }
            fputc('\n', stdout); /* Ctrl-D */
            break;
        }
        if (shell_sigint_seen) {
            buffer_reset(&buf);
            free(line);
            continue;
        }
        bool keep_going = feed_line(sh, &buf, line);
        free(line);
        if (!keep_going && sh->quit_requested)
            break;
    }
    if (path[0])
        write_history(path);
    free(buf.text);
}
