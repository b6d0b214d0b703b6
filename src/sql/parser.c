/*
 * parser.c: parser_parse, the entry point that tokenizes a script and parses
 * its ';'-separated statements (and parser_parse_name for a lone table name),
 * plus the helpers every parser file shares: arena arrays, syntax errors
 * with hints, depth limits, names and types.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/parser_internal.h"

void *parser_alloc(parser *p, size_t size)
{
    void *x = arena_zalloc(p->a, size);
    if (x == NULL)
        error_out_of_memory(p->err);
    return x;
}

void *parser_push(parser *p, void *array, uint32_t *count, uint32_t *capacity, size_t item_size)
{
    if (*count == *capacity) {
        uint32_t grown_capacity = *capacity ? *capacity * 2 : 4;
        void *grown = arena_realloc(p->a, array, *capacity * item_size, grown_capacity * item_size);
        if (grown == NULL) {
            error_out_of_memory(p->err);
            return NULL;
        }
        array = grown;
        *capacity = grown_capacity;
    }
    memset((char *)array + *count * item_size, 0, item_size);
    (*count)++;
    return array;
}

arm_status parser_error(parser *p, const char *hint)
{
    const token *t = peek(p);
    if (t->kind == TOKEN_END)
        error_set(p->err, ARM_ERROR_SYNTAX, "42601", t->position, "syntax error at end of input");
    else
        error_set(p->err, ARM_ERROR_SYNTAX, "42601", t->position,
                  "syntax error at or near \"%.*s\"", (int)(t->length < 64 ? t->length : 64),
                  p->sql + t->position);
    if (hint != NULL)
        error_hint(p->err, "%s", hint);
    return ARM_ERROR_SYNTAX;
}

arm_status parser_not_supported(parser *p, int32_t position, const char *what)
{
    return error_set(p->err, ARM_ERROR_NOT_SUPPORTED, "0A000", position, "%s is not supported yet",
                     what);
}

arm_status parser_enter(parser *p)
{
    if (++p->depth <= PARSER_MAX_DEPTH)
        return ARM_OK;
    return error_set(p->err, ARM_ERROR_SYNTAX, "54001", peek(p)->position,
                     "statement is nested too deeply");
}

arm_status expect_keyword(parser *p, keyword_id word)
{
    if (accept_keyword(p, word))
        return ARM_OK;
    char hint[64], upper[32];
    const char *name = keyword_name(word);
    size_t n = 0;
    for (; name[n] && n + 1 < sizeof upper; n++)
        upper[n] = (char)(name[n] >= 'a' && name[n] <= 'z' ? name[n] - 32 : name[n]);
    upper[n] = '\0';
    snprintf(hint, sizeof hint, "Expected %s here.", upper);
    return parser_error(p, hint);
}

arm_status expect_symbol(parser *p, const char *symbol)
{
    if (accept_symbol(p, symbol))
        return ARM_OK;
    char hint[64];
    if (strcmp(symbol, ")") == 0)
        snprintf(hint, sizeof hint, "A closing parenthesis is missing.");
    else
        snprintf(hint, sizeof hint, "Expected \"%s\" here.", symbol);
    return parser_error(p, hint);
}

arm_status parse_ident(parser *p, ast_ident *out)
{
    const token *t = peek(p);
    if (t->kind == TOKEN_QUOTED_IDENT || (t->kind == TOKEN_IDENT && !token_is_reserved(t))) {
        out->name = t->text;
        out->quoted = t->kind == TOKEN_QUOTED_IDENT;
        out->position = t->position;
        advance(p);
        return ARM_OK;
    }
    return parser_error(p, t->kind == TOKEN_IDENT ? "A reserved word cannot be used as a name "
                                                    "here; quote it with double quotes."
                                                  : NULL);
}

arm_status parse_ident_list(parser *p, ast_ident **out, uint32_t *count)
{
    ast_ident *list = NULL;
    uint32_t n = 0, capacity = 0;
    do {
        if ((list = parser_push(p, list, &n, &capacity, sizeof *list)) == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        arm_status s = parse_ident(p, &list[n - 1]);
        if (s != ARM_OK)
            return s;
    } while (accept_symbol(p, ","));
    *out = list;
    *count = n;
    return ARM_OK;
}

arm_status parse_paren_ident_list(parser *p, ast_ident **out, uint32_t *count)
{
    arm_status s = expect_symbol(p, "(");
    if (s == ARM_OK && (s = parse_ident_list(p, out, count)) == ARM_OK)
        s = expect_symbol(p, ")");
    return s;
}

arm_status parse_name(parser *p, ast_name *out)
{
    memset(out, 0, sizeof *out);
    out->position = peek(p)->position;
    for (;;) {
        if (out->count == 3)
            return parser_error(p, "A name has at most three parts.");
        arm_status s = parse_ident(p, &out->parts[out->count]);
        if (s != ARM_OK)
            return s;
        out->count++;
        if (!(token_is_symbol(peek(p), ".") && peek_at(p, 1)->kind != TOKEN_SYMBOL))
            return ARM_OK;
        advance(p);
    }
}

/* ---- types -------------------------------------------------------------- */

static arm_status parse_type_arguments(parser *p, int64_t *args, uint32_t *count)
{
    *count = 0;
    if (!accept_symbol(p, "("))
        return ARM_OK;
    do {
        const token *t = peek(p);
        if (t->kind != TOKEN_NUMBER || *count == 2 || strpbrk(t->text, ".eE") != NULL)
            return parser_error(p, "Type arguments are integers, e.g. DECIMAL(10, 2).");
        args[(*count)++] = t->length > 6 ? 1000000 : strtoll(t->text, NULL, 10);
        advance(p);
    } while (accept_symbol(p, ","));
    return expect_symbol(p, ")");
}

static arm_status check_decimal(parser *p, int32_t position, int64_t precision, int64_t scale)
{
    if (precision < 1 || precision > DECIMAL_MAX_PRECISION)
        return error_set(p->err, ARM_ERROR_INVALID_INPUT, "22023", position,
                         "NUMERIC precision %lld must be between 1 and %d", (long long)precision,
                         DECIMAL_MAX_PRECISION);
    if (scale < 0 || scale > precision)
        return error_set(p->err, ARM_ERROR_INVALID_INPUT, "22023", position,
                         "NUMERIC scale %lld must be between 0 and precision %lld",
                         (long long)scale, (long long)precision);
    return ARM_OK;
}

/* The words after the type name: DOUBLE PRECISION, CHARACTER VARYING, TIMESTAMP WITHOUT TIME ZONE.
 */
static arm_status parse_type_suffix(parser *p, type_id id)
{
    arm_status s = ARM_OK;
    if (id == TYPE_TIMESTAMP && accept_keyword(p, KW_WITHOUT)) {
        if ((s = expect_keyword(p, KW_TIME)) == ARM_OK)
            s = expect_keyword(p, KW_ZONE);
    } else if (id == TYPE_TIMESTAMP && token_is_keyword(peek(p), KW_WITH) &&
               token_is_keyword(peek_at(p, 1), KW_TIME)) {
        s = parser_not_supported(p, peek(p)->position, "TIMESTAMP WITH TIME ZONE");
    }
    return s;
}

arm_status parse_type(parser *p, ast_type *out)
{
    const token *t = peek(p);
    out->position = t->position;
    if (t->kind != TOKEN_IDENT)
        return parser_error(p, "Expected a type name.");
    type_id id;
    if (!type_from_name(t->text, t->text_length, &id)) {
        char lower[64];
        size_t n = 0;
        for (; n < t->text_length && n + 1 < sizeof lower; n++)
            lower[n] =
                (char)(t->text[n] >= 'A' && t->text[n] <= 'Z' ? t->text[n] + 32 : t->text[n]);
        lower[n] = '\0';
        return error_set(p->err, ARM_ERROR_NOT_FOUND, "42704", out->position,
                         "type \"%s\" does not exist", lower);
    }
    advance(p);
    if (token_is_keyword(t, KW_DOUBLE))
        accept_keyword(p, KW_PRECISION);
    else if (token_is_keyword(t, KW_CHARACTER) || token_is_keyword(t, KW_CHAR))
        accept_keyword(p, KW_VARYING);
    int64_t args[2];
    uint32_t arg_count;
    arm_status s = parse_type_arguments(p, args, &arg_count);
    if (s != ARM_OK || (s = parse_type_suffix(p, id)) != ARM_OK)
        return s;
    out->type = type_make(id);
    if (id == TYPE_DECIMAL) {
        int64_t precision = arg_count > 0 ? args[0] : 18;
        int64_t scale = arg_count > 1 ? args[1] : arg_count == 0 ? 3 : 0;
        if ((s = check_decimal(p, out->position, precision, scale)) != ARM_OK)
            return s;
        out->type = type_decimal((uint8_t)precision, (uint8_t)scale);
    } else if (id == TYPE_DOUBLE && arg_count == 1 && token_is_keyword(t, KW_FLOAT)) {
        /* FLOAT(p): binary digits of precision, as in PostgreSQL */
        if (args[0] < 1 || args[0] > 53)
            return error_set(p->err, ARM_ERROR_INVALID_INPUT, "22023", out->position,
                             "precision for type float must be between 1 and 53 bits");
        out->type = type_make(args[0] <= 24 ? TYPE_REAL : TYPE_DOUBLE);
    } else if (arg_count > 0 && id != TYPE_VARCHAR && id != TYPE_TIMESTAMP) {
        error_set(p->err, ARM_ERROR_SYNTAX, "42601", out->position,
                  "type %s does not take arguments", t->text);
        return ARM_ERROR_SYNTAX;
    }
    return ARM_OK;
}

/* ---- scripts ------------------------------------------------------------ */

static arm_status check_statement_end(parser *p)
{
    const token *t = peek(p);
    if (token_is_symbol(t, ";") || t->kind == TOKEN_END)
        return ARM_OK;
    if (token_is_keyword(t, KW_FORM))
        return parser_error(p, "Did you mean FROM?");
    if (token_is_symbol(t, "=="))
        return parser_error(p, "Use = to compare values.");
    if (token_is_symbol(t, ")"))
        return parser_error(p, "This closing parenthesis has no opening one.");
    return parser_error(p, NULL);
}

arm_status parser_parse(ast_script *out, arena *a, const char *sql, arm_error *err)
{
    memset(out, 0, sizeof *out);
    token_list tokens;
    arm_status s = lexer_tokenize(&tokens, a, sql, err);
    if (s != ARM_OK)
        return s;
    parser p = {a, sql, tokens.tokens, tokens.count, 0, 0, 0, 0, err};
    uint32_t capacity = 0;
    for (;;) {
        while (accept_symbol(&p, ";")) {
        }
        if (peek(&p)->kind == TOKEN_END)
            break;
        out->statements =
            parser_push(&p, out->statements, &out->count, &capacity, sizeof *out->statements);
        if (out->statements == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        if ((s = parse_statement(&p, &out->statements[out->count - 1])) != ARM_OK ||
            (s = check_statement_end(&p)) != ARM_OK) {
            out->count = 0;
            return s;
        }
    }
    out->parameter_count = p.max_parameter;
    return ARM_OK;
}

arm_status parser_parse_name(ast_name *out, arena *a, const char *text, arm_error *err)
{
    memset(out, 0, sizeof *out);
    token_list tokens;
    arm_status s = lexer_tokenize(&tokens, a, text, err);
    if (s != ARM_OK)
        return s;
    parser p = {a, text, tokens.tokens, tokens.count, 0, 0, 0, 0, err};
    if (peek(&p)->kind == TOKEN_END)
        return error_set(err, ARM_ERROR_SYNTAX, "42601", 0, "the table name is empty");
    if ((s = parse_name(&p, out)) != ARM_OK)
        return s;
    if (peek(&p)->kind != TOKEN_END)
        return parser_error(&p, "Give one table name, optionally after its schema: s.t.");
    return ARM_OK;
}
