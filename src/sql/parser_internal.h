/*
 * parser_internal.h: the recursive-descent parser's state and the token
 * helpers shared by parser_expr.c (expressions), parser_query.c (SELECT,
 * FROM, set operations) and parser_stmt.c (statements).
 */
#ifndef ARM_SQL_PARSER_INTERNAL_H
#define ARM_SQL_PARSER_INTERNAL_H

#include <strings.h>

#include "common/error.h"
#include "sql/lexer.h"
#include "sql/parser.h"

#define PARSER_MAX_DEPTH 500

typedef struct parser {
    arena *a;
    const char *sql;
    token *tokens;
    uint32_t count;
    uint32_t at;
    uint32_t depth;
    uint32_t question_marks; /* `?` parameters numbered in order */
    uint32_t max_parameter;
    arm_error *err;
} parser;

static inline const token *peek(const parser *p)
{
    return &p->tokens[p->at];
}

static inline const token *peek_at(const parser *p, uint32_t ahead)
{
    uint32_t i = p->at + ahead;
    return &p->tokens[i < p->count ? i : p->count - 1];
}

static inline const token *advance(parser *p)
{
    const token *t = &p->tokens[p->at];
    if (t->kind != TOKEN_END)
        p->at++;
    return t;
}

static inline bool token_is_keyword(const token *t, const char *word)
{
    return t->kind == TOKEN_IDENT && strcasecmp(t->text, word) == 0;
}

static inline bool token_is_symbol(const token *t, const char *symbol)
{
    return t->kind == TOKEN_SYMBOL && strcmp(t->text, symbol) == 0;
}

static inline bool accept_keyword(parser *p, const char *word)
{
    if (token_is_keyword(peek(p), word)) {
        advance(p);
        return true;
    }
    return false;
}

static inline bool accept_symbol(parser *p, const char *symbol)
{
    if (token_is_symbol(peek(p), symbol)) {
        advance(p);
        return true;
    }
    return false;
}

/* Reports a syntax error at the current token and returns ARM_ERROR_SYNTAX. */
arm_status parser_error(parser *p, const char *hint);
arm_status expect_keyword(parser *p, const char *word);
arm_status expect_symbol(parser *p, const char *symbol);
/* True when the identifier is reserved (cannot be an implicit alias or bare column name). */
bool parser_is_reserved(const char *word);
arm_status parse_ident(parser *p, ast_ident *out);
arm_status parse_name(parser *p, ast_name *out);
arm_status parse_type(parser *p, ast_type *out);

arm_status parse_expr(parser *p, ast_expr **out);
arm_status parse_expr_list(parser *p, ast_expr ***out, uint32_t *count);
arm_status parse_query(parser *p, ast_query **out);
arm_status parse_order_by(parser *p, ast_order_item **out, uint32_t *count);
arm_status parse_statement(parser *p, ast_stmt **out);

void *parser_alloc(parser *p, size_t size);
/* Appends to an arena-grown array. */
void *parser_push(parser *p, void *array, uint32_t *count, uint32_t *capacity, size_t item_size);

#endif
