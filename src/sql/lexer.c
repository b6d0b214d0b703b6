/*
 * lexer.c: one pass over the SQL text producing the token array. Strings
 * and quoted identifiers are unescaped here; comments and whitespace vanish.
 */
#include "sql/lexer.h"

#include <ctype.h>
#include <string.h>

#include "common/error.h"

typedef struct lexer {
    const char *sql;
    size_t length;
    size_t at;
    arena *a;
    token *tokens;
    uint32_t count;
    uint32_t capacity;
} lexer;

static arm_status push(lexer *lx, token t, arm_error *err)
{
    if (lx->count == lx->capacity) {
        uint32_t capacity = lx->capacity ? lx->capacity * 2 : 64;
        token *grown = arena_realloc(lx->a, lx->tokens, lx->capacity * sizeof *grown,
                                     capacity * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(err);
        lx->tokens = grown;
        lx->capacity = capacity;
    }
    lx->tokens[lx->count++] = t;
    return ARM_OK;
}

static bool is_ident_start(char c)
{
    return isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

static bool is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

/* Skips spaces and comments; error on an unterminated block comment. */
static arm_status skip_blank(lexer *lx, arm_error *err)
{
    for (;;) {
        while (lx->at < lx->length && isspace((unsigned char)lx->sql[lx->at]))
            lx->at++;
        if (lx->at + 1 < lx->length && lx->sql[lx->at] == '-' && lx->sql[lx->at + 1] == '-') {
            while (lx->at < lx->length && lx->sql[lx->at] != '\n')
                lx->at++;
            continue;
        }
        if (lx->at + 1 < lx->length && lx->sql[lx->at] == '/' && lx->sql[lx->at + 1] == '*') {
            size_t start = lx->at;
            int depth = 0;
            while (lx->at + 1 < lx->length) {
                if (lx->sql[lx->at] == '/' && lx->sql[lx->at + 1] == '*') {
                    depth++;
                    lx->at += 2;
                } else if (lx->sql[lx->at] == '*' && lx->sql[lx->at + 1] == '/') {
                    lx->at += 2;
                    if (--depth == 0)
                        break;
                } else {
                    lx->at++;
                }
            }
            if (depth != 0)
                return error_set(err, ARM_ERROR_SYNTAX, "42601", (int32_t)start,
                                 "unterminated /* comment");
            continue;
        }
        return ARM_OK;
    }
}

/* Reads a quoted run ending in `quote`, doubling as escape; unescapes into the arena. */
static arm_status read_quoted(lexer *lx, char quote, bool backslash_escapes, token *t,
                              arm_error *err)
{
    size_t start = lx->at;
    lx->at++; /* opening quote */
    /* Size the copy by the quoted run (doubled quotes only shrink it), not the rest of the text. */
    size_t end = lx->at;
    while (end < lx->length) {
        if (lx->sql[end] == quote) {
            if (end + 1 < lx->length && lx->sql[end + 1] == quote) {
                end += 2;
                continue;
            }
            break;
        }
        end += backslash_escapes && lx->sql[end] == '\\' ? 2 : 1;
    }
    char *out = arena_alloc(lx->a, (end < lx->length ? end : lx->length) - lx->at + 1);
    if (out == NULL)
        return error_out_of_memory(err);
    size_t n = 0;
    for (;;) {
        if (lx->at >= lx->length)
            return error_set(err, ARM_ERROR_SYNTAX, "42601", (int32_t)start,
                             quote == '\'' ? "unterminated quoted string"
                                           : "unterminated quoted identifier");
        char c = lx->sql[lx->at];
        if (c == quote) {
            if (lx->at + 1 < lx->length && lx->sql[lx->at + 1] == quote) {
                out[n++] = quote;
                lx->at += 2;
                continue;
            }
            lx->at++;
            break;
        }
        if (backslash_escapes && c == '\\' && lx->at + 1 < lx->length) {
            char e = lx->sql[lx->at + 1];
            out[n++] = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == '0' ? '\0' : e;
            lx->at += 2;
            continue;
        }
        out[n++] = c;
        lx->at++;
    }
    out[n] = '\0';
    t->text = out;
    t->text_length = (uint32_t)n;
    return ARM_OK;
}

static void read_number(lexer *lx)
{
    const char *s = lx->sql;
    while (lx->at < lx->length && (isdigit((unsigned char)s[lx->at]) || s[lx->at] == '_'))
        lx->at++;
    if (lx->at < lx->length && s[lx->at] == '.' &&
        !(lx->at + 1 < lx->length && s[lx->at + 1] == '.')) {
        lx->at++;
        while (lx->at < lx->length && isdigit((unsigned char)s[lx->at]))
            lx->at++;
    }
    if (lx->at < lx->length && (s[lx->at] == 'e' || s[lx->at] == 'E')) {
        size_t save = lx->at++;
        if (lx->at < lx->length && (s[lx->at] == '+' || s[lx->at] == '-'))
            lx->at++;
        if (lx->at < lx->length && isdigit((unsigned char)s[lx->at])) {
            while (lx->at < lx->length && isdigit((unsigned char)s[lx->at]))
                lx->at++;
        } else {
            lx->at = save;
        }
    }
}

static const char *const two_char_symbols[] = {
    "::", "||", "<>", "!=", "<=", ">=", "=>", "==", "!~"};

static arm_status read_token(lexer *lx, token *t, arm_error *err)
{
    const char *s = lx->sql;
    char c = s[lx->at];
    size_t start = lx->at;
    t->position = (int32_t)start;
    if (c == '\'' || ((c == 'E' || c == 'e') && lx->at + 1 < lx->length && s[lx->at + 1] == '\'')) {
        bool escapes = c != '\'';
        if (escapes)
            lx->at++;
        t->kind = TOKEN_STRING;
        arm_status st = read_quoted(lx, '\'', escapes, t, err);
        t->length = (uint32_t)(lx->at - start);
        return st;
    }
    if (c == '"') {
        t->kind = TOKEN_QUOTED_IDENT;
        arm_status st = read_quoted(lx, '"', false, t, err);
        t->length = (uint32_t)(lx->at - start);
        if (st == ARM_OK && t->text_length == 0)
            return error_set(err, ARM_ERROR_SYNTAX, "42601", (int32_t)start,
                             "zero-length delimited identifier");
        return st;
    }
    if (isdigit((unsigned char)c) ||
        (c == '.' && lx->at + 1 < lx->length && isdigit((unsigned char)s[lx->at + 1]))) {
        t->kind = TOKEN_NUMBER;
        read_number(lx);
    } else if (is_ident_start(c)) {
        t->kind = TOKEN_IDENT;
        while (lx->at < lx->length && is_ident_char(s[lx->at]))
            lx->at++;
    } else if (c == '$' && lx->at + 1 < lx->length && isdigit((unsigned char)s[lx->at + 1])) {
        t->kind = TOKEN_PARAMETER;
        lx->at++;
        int64_t n = 0;
        while (lx->at < lx->length && isdigit((unsigned char)s[lx->at]) && n < 100000)
            n = n * 10 + (s[lx->at++] - '0');
        t->number = n;
    } else if (c == '?') {
        t->kind = TOKEN_PARAMETER;
        t->number = 0;
        lx->at++;
    } else {
        t->kind = TOKEN_SYMBOL;
        for (size_t i = 0; i < sizeof two_char_symbols / sizeof two_char_symbols[0]; i++) {
            if (lx->at + 1 < lx->length && s[lx->at] == two_char_symbols[i][0] &&
                s[lx->at + 1] == two_char_symbols[i][1]) {
                lx->at += 2;
                goto done;
            }
        }
        if (strchr("(),;.+-*/%=<>@[]:~^&|!{}", c) == NULL || c == '\0')
            return error_set(err, ARM_ERROR_SYNTAX, "42601", (int32_t)start,
                             "syntax error at or near \"%c\"", c);
        lx->at++;
    }
done:
    t->length = (uint32_t)(lx->at - start);
    if (t->kind != TOKEN_STRING && t->kind != TOKEN_QUOTED_IDENT) {
        char *text = arena_strndup(lx->a, s + start, t->length);
        if (text == NULL)
            return error_out_of_memory(err);
        t->text = text;
        t->text_length = t->length;
    }
    t->length = (uint32_t)(lx->at - start);
    return ARM_OK;
}

arm_status lexer_tokenize(token_list *out, arena *a, const char *sql, arm_error *err)
{
    lexer lx = {sql, strlen(sql), 0, a, NULL, 0, 0};
    for (;;) {
        arm_status s = skip_blank(&lx, err);
        if (s != ARM_OK)
            return s;
        token t;
        memset(&t, 0, sizeof t);
        if (lx.at >= lx.length) {
            t.kind = TOKEN_END;
            t.position = (int32_t)lx.length;
            t.text = "";
            if ((s = push(&lx, t, err)) != ARM_OK)
                return s;
            break;
        }
        if ((s = read_token(&lx, &t, err)) != ARM_OK || (s = push(&lx, t, err)) != ARM_OK)
            return s;
    }
    out->tokens = lx.tokens;
    out->count = lx.count;
    return ARM_OK;
}
