/*
 * parser_internal.h: the recursive-descent parser's state and the helpers
 * shared by parser.c (entry point, names, types), parser_expr.c
 * (expressions), parser_query.c (SELECT, FROM, set operations) and
 * parser_stmt.c (statements). Keywords are compared by id (lexer.h).
 */
#ifndef ARM_SQL_PARSER_INTERNAL_H
#define ARM_SQL_PARSER_INTERNAL_H

#include "common/error.h"
#include "sql/lexer.h"
#include "sql/parser.h"

/* Nesting levels (parentheses, subqueries, NOT/sign chains) before "nested too deeply". */
#define PARSER_MAX_DEPTH 1000

/* One parse: the token array, the cursor and counters shared by the statements. */
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

static inline bool token_is_keyword(const token *t, keyword_id word)
{
    return t->kind == TOKEN_IDENT && t->keyword == word;
}

/* `symbol` is a string literal of one or two characters ("(", "::"). */
static inline bool token_is_symbol(const token *t, const char *symbol)
{
    return t->kind == TOKEN_SYMBOL && t->symbol == SYMBOL_CODE(symbol);
}

/* An identifier that is a reserved keyword. */
static inline bool token_is_reserved(const token *t)
{
    return t->kind == TOKEN_IDENT && t->keyword != KW_NONE && keyword_is_reserved(t->keyword);
}

static inline bool accept_keyword(parser *p, keyword_id word)
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

/* Reports a syntax error at the current token (with an optional hint); ARM_ERROR_SYNTAX. */
arm_status parser_error(parser *p, const char *hint);
/* ARM_ERROR_NOT_SUPPORTED (0A000): "<what> is not supported yet". */
arm_status parser_not_supported(parser *p, int32_t position, const char *what);
/* Enters one nesting level: "statement is nested too deeply" past PARSER_MAX_DEPTH. */
arm_status parser_enter(parser *p);

static inline void parser_leave(parser *p)
{
    p->depth--;
}

arm_status expect_keyword(parser *p, keyword_id word);
arm_status expect_symbol(parser *p, const char *symbol);
arm_status parse_ident(parser *p, ast_ident *out);
arm_status parse_ref_name(parser *p, ast_ident *out); /* branch/tag: feature/x-1 */
arm_status parse_ident_list(parser *p, ast_ident **out, uint32_t *count);
/* ( a, b, ... ) */
arm_status parse_paren_ident_list(parser *p, ast_ident **out, uint32_t *count);
arm_status parse_name(parser *p, ast_name *out);
arm_status parse_type(parser *p, ast_type *out);

arm_status parse_expr(parser *p, ast_expr **out);
arm_status parse_expr_list(parser *p, ast_expr ***out, uint32_t *count);
/* True at SELECT, WITH or VALUES (a query starts here). */
bool parser_at_query(const parser *p);
arm_status parse_query(parser *p, ast_query **out);
arm_status parse_order_by(parser *p, ast_order_item **out, uint32_t *count);
arm_status parse_table_ref_list(parser *p, ast_table_ref **out);
arm_status parse_statement(parser *p, ast_stmt **out);

void *parser_alloc(parser *p, size_t size);
/* Appends a zeroed item to an arena-grown array; NULL (error set) on out-of-memory. */
void *parser_push(parser *p, void *array, uint32_t *count, uint32_t *capacity, size_t item_size);

#endif
