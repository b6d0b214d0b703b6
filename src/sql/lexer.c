/*
 * lexer.c: one pass over the SQL text producing the token array. Strings
 * and quoted identifiers are unescaped here; comments and whitespace vanish;
 * identifiers get their keyword id from a small open-addressing hash table
 * built once, so keyword checks in the parser are integer compares.
 */
#include "sql/lexer.h"

#include <pthread.h>
#include <string.h>

#define KEYWORD_MAX_LENGTH 24
#define KEYWORD_SLOTS 512 /* power of two, about 3.5 times the keyword count */
#define PARAMETER_MAX 65535

static const char *const keyword_names[KW_COUNT] = {[KW_NONE] = "",
#define KEYWORD_NAME(id, spelling, reserved) [KW_##id] = spelling,
                                                    KEYWORD_LIST(KEYWORD_NAME)
#undef KEYWORD_NAME
};

static const bool keyword_reserved[KW_COUNT] = {
#define KEYWORD_RESERVED(id, spelling, reserved) [KW_##id] = reserved,
    KEYWORD_LIST(KEYWORD_RESERVED)
#undef KEYWORD_RESERVED
};

static uint8_t keyword_slots[KEYWORD_SLOTS]; /* keyword_id, 0 = empty */
static pthread_once_t keyword_slots_once = PTHREAD_ONCE_INIT;

_Static_assert(KW_COUNT < 256, "keyword ids must fit keyword_slots");

static inline char lower_ascii(char c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

static inline bool is_digit(char c)
{
    return (unsigned char)(c - '0') < 10;
}

static inline bool is_ident_start(char c)
{
    return (unsigned char)((c | 32) - 'a') < 26 || c == '_' || (unsigned char)c >= 0x80;
}

static inline bool is_ident_char(char c)
{
    return is_ident_start(c) || is_digit(c) || c == '$';
}

static inline bool is_space(char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static inline uint32_t keyword_hash_step(uint32_t h, char lower)
{
    return (h ^ (unsigned char)lower) * 0x01000193u;
}

static void build_keyword_slots(void)
{
    for (int id = 1; id < KW_COUNT; id++) {
        uint32_t h = 0x811c9dc5u;
        for (const char *c = keyword_names[id]; *c; c++)
            h = keyword_hash_step(h, *c);
        uint32_t slot = h & (KEYWORD_SLOTS - 1);
        while (keyword_slots[slot] != 0)
            slot = (slot + 1) & (KEYWORD_SLOTS - 1);
        keyword_slots[slot] = (uint8_t)id;
    }
}

/* `lower` holds the word in lower case, `h` its hash. */
static keyword_id find_keyword(const char *lower, size_t length, uint32_t h)
{
    for (uint32_t slot = h & (KEYWORD_SLOTS - 1);; slot = (slot + 1) & (KEYWORD_SLOTS - 1)) {
        uint8_t id = keyword_slots[slot];
        if (id == 0)
            return KW_NONE;
        const char *name = keyword_names[id];
        if (strncmp(name, lower, length) == 0 && name[length] == '\0')
            return (keyword_id)id;
    }
}

keyword_id keyword_lookup(const char *word, size_t length)
{
    pthread_once(&keyword_slots_once, build_keyword_slots);
    if (length == 0 || length > KEYWORD_MAX_LENGTH)
        return KW_NONE;
    char lower[KEYWORD_MAX_LENGTH];
    uint32_t h = 0x811c9dc5u;
    for (size_t i = 0; i < length; i++) {
        lower[i] = lower_ascii(word[i]);
        h = keyword_hash_step(h, lower[i]);
    }
    return find_keyword(lower, length, h);
}

const char *keyword_name(keyword_id id)
{
    return (unsigned)id < KW_COUNT ? keyword_names[id] : "";
}

bool keyword_is_reserved(keyword_id id)
{
    return (unsigned)id < KW_COUNT && keyword_reserved[id];
}

typedef struct lexer {
    const char *sql;
    size_t length;
    size_t at;
    arena *a;
    token *tokens;
    uint32_t count;
    uint32_t capacity;
    arm_error *err;
} lexer;

static arm_status lex_error(lexer *lx, size_t position, const char *message)
{
    return error_set(lx->err, ARM_ERROR_SYNTAX, "42601", (int32_t)position, "%s", message);
}

static arm_status push(lexer *lx, const token *t)
{
    if (lx->count == lx->capacity) {
        uint32_t capacity = lx->capacity * 2;
        token *grown = arena_realloc(lx->a, lx->tokens, lx->capacity * sizeof *grown,
                                     capacity * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(lx->err);
        lx->tokens = grown;
        lx->capacity = capacity;
    }
    lx->tokens[lx->count++] = *t;
    return ARM_OK;
}

/* Skips a block comment starting at lx->at ("/ *"); comments nest as in PostgreSQL. */
static arm_status skip_block_comment(lexer *lx)
{
    size_t start = lx->at;
    int depth = 0;
    while (lx->at + 1 < lx->length) {
        const char *s = lx->sql + lx->at;
        if (s[0] == '/' && s[1] == '*') {
            depth++;
            lx->at += 2;
        } else if (s[0] == '*' && s[1] == '/') {
            lx->at += 2;
            if (--depth == 0)
                return ARM_OK;
        } else {
            lx->at++;
        }
    }
    lx->at = lx->length;
    return lex_error(lx, start, "unterminated /* comment");
}

/* Skips spaces and comments. */
static arm_status skip_blank(lexer *lx)
{
    const char *s = lx->sql;
    for (;;) {
        while (lx->at < lx->length && is_space(s[lx->at]))
            lx->at++;
        if (lx->at + 1 >= lx->length)
            return ARM_OK;
        if (s[lx->at] == '-' && s[lx->at + 1] == '-') {
            while (lx->at < lx->length && s[lx->at] != '\n')
                lx->at++;
        } else if (s[lx->at] == '/' && s[lx->at + 1] == '*') {
            arm_status st = skip_block_comment(lx);
            if (st != ARM_OK)
                return st;
        } else {
            return ARM_OK;
        }
    }
}

/* The index after the closing quote of the run opening at `open`, or 0 if unterminated. */
static size_t quoted_end(const lexer *lx, size_t open, char quote, bool backslash_escapes)
{
    const char *s = lx->sql;
    size_t i = open + 1;
    while (i < lx->length) {
        if (s[i] == quote) {
            if (i + 1 < lx->length && s[i + 1] == quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += backslash_escapes && s[i] == '\\' ? 2 : 1;
    }
    return 0;
}

/*
 * After a string ending at `end`: the opening quote of a continuation, i.e.
 * a string separated from it only by whitespace holding a newline (SQL
 * standard), or 0.
 */
static size_t continuation_start(const lexer *lx, size_t end)
{
    bool newline = false;
    size_t i = end;
    while (i < lx->length && is_space(lx->sql[i]))
        newline |= lx->sql[i++] == '\n';
    return newline && i < lx->length && lx->sql[i] == '\'' ? i : 0;
}

static int hex_value(char c)
{
    if (is_digit(c))
        return c - '0';
    c = lower_ascii(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One backslash escape of an E'' string at s[*i] (after the backslash); -1 for a NUL byte. */
static int unescape_one(const char *s, size_t *i, size_t end)
{
    char e = s[(*i)++];
    switch (e) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'x':
        if (*i < end && hex_value(s[*i]) >= 0) {
            int v = hex_value(s[(*i)++]);
            if (*i < end && hex_value(s[*i]) >= 0)
                v = v * 16 + hex_value(s[(*i)++]);
            return v == 0 ? -1 : v;
        }
        return 'x';
    default:
        if (e >= '0' && e <= '7') {
            int v = e - '0';
            for (int k = 0; k < 2 && *i < end && s[*i] >= '0' && s[*i] <= '7'; k++)
                v = v * 8 + (s[(*i)++] - '0');
            return (v & 0xff) == 0 ? -1 : (v & 0xff);
        }
        return (unsigned char)e;
    }
}

/* Unescapes the run between quotes (open, close) into out; false on a NUL escape. */
static bool unescape_run(const lexer *lx, size_t open, size_t close, char quote,
                         bool backslash_escapes, char *out, size_t *n)
{
    const char *s = lx->sql;
    for (size_t i = open + 1; i < close;) {
        if (s[i] == quote) { /* doubled quote */
            out[(*n)++] = quote;
            i += 2;
        } else if (backslash_escapes && s[i] == '\\') {
            i++;
            int c = unescape_one(s, &i, close);
            if (c < 0)
                return false;
            out[(*n)++] = (char)c;
        } else {
            out[(*n)++] = s[i++];
        }
    }
    return true;
}

/*
 * A quoted run at lx->at: 'string', E'string' (open is after the E), or
 * "identifier"; strings continue across newline-separated literals.
 */
static arm_status read_quoted(lexer *lx, size_t open, char quote, bool backslash_escapes, token *t)
{
    size_t end = quoted_end(lx, open, quote, backslash_escapes);
    if (end == 0)
        return lex_error(lx, t->position,
                         quote == '\'' ? "unterminated quoted string"
                                       : "unterminated quoted identifier");
    size_t last_end = end, next;
    while (quote == '\'' && (next = continuation_start(lx, last_end)) != 0) {
        size_t next_end = quoted_end(lx, next, quote, backslash_escapes);
        if (next_end == 0)
            return lex_error(lx, next, "unterminated quoted string");
        last_end = next_end;
    }
    char *out = arena_alloc(lx->a, last_end - open);
    if (out == NULL)
        return error_out_of_memory(lx->err);
    size_t n = 0;
    for (size_t run = open;;) {
        size_t run_end = quoted_end(lx, run, quote, backslash_escapes);
        if (!unescape_run(lx, run, run_end - 1, quote, backslash_escapes, out, &n))
            return lex_error(lx, run, "invalid byte sequence: a string cannot contain a zero byte");
        if (run_end == last_end)
            break;
        run = continuation_start(lx, run_end);
    }
    out[n] = '\0';
    lx->at = last_end;
    t->text = out;
    t->text_length = (uint32_t)n;
    return ARM_OK;
}

static void read_number(lexer *lx)
{
    const char *s = lx->sql;
    while (lx->at < lx->length && (is_digit(s[lx->at]) || s[lx->at] == '_'))
        lx->at++;
    if (lx->at < lx->length && s[lx->at] == '.' &&
        !(lx->at + 1 < lx->length && s[lx->at + 1] == '.')) {
        lx->at++;
        while (lx->at < lx->length && is_digit(s[lx->at]))
            lx->at++;
    }
    if (lx->at < lx->length && (s[lx->at] == 'e' || s[lx->at] == 'E')) {
        size_t save = lx->at++;
        if (lx->at < lx->length && (s[lx->at] == '+' || s[lx->at] == '-'))
            lx->at++;
        if (lx->at < lx->length && is_digit(s[lx->at])) {
            while (lx->at < lx->length && is_digit(s[lx->at]))
                lx->at++;
        } else {
            lx->at = save;
        }
    }
}

/* An identifier; its keyword id is computed while scanning. */
static void read_identifier(lexer *lx, token *t)
{
    const char *s = lx->sql;
    size_t start = lx->at;
    char lower[KEYWORD_MAX_LENGTH];
    uint32_t h = 0x811c9dc5u;
    while (lx->at < lx->length && is_ident_char(s[lx->at])) {
        size_t i = lx->at - start;
        if (i < KEYWORD_MAX_LENGTH) {
            lower[i] = lower_ascii(s[lx->at]);
            h = keyword_hash_step(h, lower[i]);
        }
        lx->at++;
    }
    size_t length = lx->at - start;
    t->kind = TOKEN_IDENT;
    t->keyword = length <= KEYWORD_MAX_LENGTH ? (uint16_t)find_keyword(lower, length, h) : KW_NONE;
}

static arm_status read_parameter(lexer *lx, token *t)
{
    const char *s = lx->sql;
    if (s[lx->at] == '?') {
        lx->at++;
        t->number = 0;
        return ARM_OK;
    }
    lx->at++; /* $ */
    int64_t n = 0;
    while (lx->at < lx->length && is_digit(s[lx->at])) {
        if (n <= PARAMETER_MAX)
            n = n * 10 + (s[lx->at] - '0');
        lx->at++;
    }
    if (n < 1 || n > PARAMETER_MAX)
        return error_set(lx->err, ARM_ERROR_SYNTAX, "42P02", t->position,
                         "there is no parameter $%.*s", (int)(lx->at - (size_t)t->position - 1),
                         s + t->position + 1);
    t->number = n;
    return ARM_OK;
}

static const char *const two_char_symbols[] = {
    "::", "||", "<>", "!=", "<=", ">=", "=>", "==", "!~"};

static const char *const one_char_symbols[128] = {
    ['('] = "(", [')'] = ")", [','] = ",", [';'] = ";", ['.'] = ".", ['+'] = "+",
    ['-'] = "-", ['*'] = "*", ['/'] = "/", ['%'] = "%", ['='] = "=", ['<'] = "<",
    ['>'] = ">", ['@'] = "@", ['['] = "[", [']'] = "]", [':'] = ":", ['~'] = "~",
    ['^'] = "^", ['&'] = "&", ['|'] = "|", ['!'] = "!", ['{'] = "{", ['}'] = "}",
};

static arm_status read_symbol(lexer *lx, token *t)
{
    const char *s = lx->sql + lx->at;
    t->kind = TOKEN_SYMBOL;
    if (lx->at + 1 < lx->length) {
        for (size_t i = 0; i < sizeof two_char_symbols / sizeof two_char_symbols[0]; i++) {
            if (s[0] == two_char_symbols[i][0] && s[1] == two_char_symbols[i][1]) {
                t->text = two_char_symbols[i];
                t->text_length = 2;
                t->symbol = SYMBOL_CODE(t->text);
                lx->at += 2;
                return ARM_OK;
            }
        }
    }
    unsigned char c = (unsigned char)s[0];
    if (c >= 128 || one_char_symbols[c] == NULL)
        return error_set(lx->err, ARM_ERROR_SYNTAX, "42601", t->position,
                         c >= 32 && c < 127 ? "syntax error at or near \"%c\""
                                            : "syntax error at or near byte 0x%02x",
                         c);
    t->text = one_char_symbols[c];
    t->text_length = 1;
    t->symbol = SYMBOL_CODE(t->text);
    lx->at++;
    return ARM_OK;
}

static arm_status read_token(lexer *lx, token *t)
{
    const char *s = lx->sql;
    char c = s[lx->at];
    size_t start = lx->at;
    arm_status st = ARM_OK;
    t->position = (int32_t)start;
    if (c == '\'') {
        t->kind = TOKEN_STRING;
        st = read_quoted(lx, start, '\'', false, t);
    } else if ((c == 'E' || c == 'e') && lx->at + 1 < lx->length && s[lx->at + 1] == '\'') {
        t->kind = TOKEN_STRING;
        st = read_quoted(lx, start + 1, '\'', true, t);
    } else if (c == '"') {
        t->kind = TOKEN_QUOTED_IDENT;
        st = read_quoted(lx, start, '"', false, t);
        if (st == ARM_OK && t->text_length == 0)
            return lex_error(lx, start, "zero-length delimited identifier");
    } else if (is_digit(c) || (c == '.' && lx->at + 1 < lx->length && is_digit(s[lx->at + 1]))) {
        t->kind = TOKEN_NUMBER;
        read_number(lx);
    } else if (is_ident_start(c)) {
        read_identifier(lx, t);
    } else if (c == '?' || (c == '$' && lx->at + 1 < lx->length && is_digit(s[lx->at + 1]))) {
        t->kind = TOKEN_PARAMETER;
        st = read_parameter(lx, t);
    } else {
        st = read_symbol(lx, t);
    }
    if (st != ARM_OK)
        return st;
    t->length = (uint32_t)(lx->at - start);
    if (t->kind == TOKEN_IDENT || t->kind == TOKEN_NUMBER || t->kind == TOKEN_PARAMETER) {
        char *text = arena_strndup(lx->a, s + start, t->length);
        if (text == NULL)
            return error_out_of_memory(lx->err);
        t->text = text;
        t->text_length = t->length;
    }
    return ARM_OK;
}

arm_status lexer_tokenize(token_list *out, arena *a, const char *sql, arm_error *err)
{
    pthread_once(&keyword_slots_once, build_keyword_slots);
    size_t length = strlen(sql);
    if (length > INT32_MAX)
        return error_set(err, ARM_ERROR_INVALID_INPUT, "54000", -1,
                         "SQL text of %zu bytes is too long", length);
    lexer lx = {sql, length, 0, a, NULL, 0, 0, err};
    lx.capacity = (uint32_t)(length / 4 < 1024 ? length / 4 + 8 : 1024);
    lx.tokens = arena_alloc(a, lx.capacity * sizeof *lx.tokens);
    if (lx.tokens == NULL)
        return error_out_of_memory(err);
    for (;;) {
        arm_status s = skip_blank(&lx);
        if (s != ARM_OK)
            return s;
        token t;
        memset(&t, 0, sizeof t);
        if (lx.at >= lx.length) {
            t.kind = TOKEN_END;
            t.position = (int32_t)lx.length;
            t.text = "";
            if ((s = push(&lx, &t)) != ARM_OK)
                return s;
            break;
        }
        if ((s = read_token(&lx, &t)) != ARM_OK || (s = push(&lx, &t)) != ARM_OK)
            return s;
    }
    out->tokens = lx.tokens;
    out->count = lx.count;
    return ARM_OK;
}
