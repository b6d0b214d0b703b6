/*
 * parser_expr.c: expressions, with PostgreSQL's operator precedence
 * (lowest first): OR, AND, NOT, IS, comparison, BETWEEN/IN/LIKE, ||,
 * + -, * / %, unary sign, :: casts, primaries. Also names and types.
 */
#include <ctype.h>
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
                  "syntax error at or near \"%.*s\"", (int)t->length, p->sql + t->position);
    if (hint != NULL)
        error_hint(p->err, "%s", hint);
    return ARM_ERROR_SYNTAX;
}

arm_status expect_keyword(parser *p, const char *word)
{
    if (accept_keyword(p, word))
        return ARM_OK;
    char hint[96];
    snprintf(hint, sizeof hint, "Expected %s here.", word);
    return parser_error(p, hint);
}

arm_status expect_symbol(parser *p, const char *symbol)
{
    if (accept_symbol(p, symbol))
        return ARM_OK;
    char hint[96];
    snprintf(hint, sizeof hint, "Expected \"%s\" here.", symbol);
    if (strcmp(symbol, ")") == 0)
        snprintf(hint, sizeof hint, "A closing parenthesis is missing.");
    return parser_error(p, hint);
}

static const char *const reserved_words[] = {
    "all",
    "and",
    "any",
    "as",
    "asc",
    "between",
    "both",
    "by",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "create",
    "cross",
    "current_date",
    "current_timestamp",
    "default",
    "delete",
    "desc",
    "distinct",
    "do",
    "drop",
    "else",
    "end",
    "except",
    "exists",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "inner",
    "insert",
    "intersect",
    "into",
    "is",
    "join",
    "leading",
    "left",
    "like",
    "limit",
    "natural",
    "not",
    "null",
    "offset",
    "on",
    "or",
    "order",
    "outer",
    "primary",
    "references",
    "right",
    "select",
    "set",
    "some",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "update",
    "using",
    "values",
    "when",
    "where",
    "window",
    "with",
    "returning",
};

bool parser_is_reserved(const char *word)
{
    for (size_t i = 0; i < sizeof reserved_words / sizeof reserved_words[0]; i++)
        if (strcasecmp(reserved_words[i], word) == 0)
            return true;
    return false;
}

arm_status parse_ident(parser *p, ast_ident *out)
{
    const token *t = peek(p);
    if (t->kind == TOKEN_QUOTED_IDENT || (t->kind == TOKEN_IDENT && !parser_is_reserved(t->text))) {
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
        if (t->kind != TOKEN_NUMBER || *count == 2)
            return parser_error(p, "Type arguments are integers, e.g. DECIMAL(10, 2).");
        args[(*count)++] = strtoll(t->text, NULL, 10);
        advance(p);
    } while (accept_symbol(p, ","));
    return expect_symbol(p, ")");
}

arm_status parse_type(parser *p, ast_type *out)
{
    const token *t = peek(p);
    out->position = t->position;
    if (t->kind != TOKEN_IDENT)
        return parser_error(p, "Expected a type name.");
    char name[64];
    snprintf(name, sizeof name, "%s", t->text);
    advance(p);
    if (strcasecmp(name, "double") == 0)
        accept_keyword(p, "precision");
    else if (strcasecmp(name, "character") == 0 || strcasecmp(name, "char") == 0)
        accept_keyword(p, "varying");
    type_id id;
    for (char *c = name; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    if (!type_from_name(name, strlen(name), &id)) {
        error_set(p->err, ARM_ERROR_NOT_FOUND, "42704", out->position, "type \"%s\" does not exist",
                  name);
        return ARM_ERROR_NOT_FOUND;
    }
    int64_t args[2];
    uint32_t arg_count;
    arm_status s = parse_type_arguments(p, args, &arg_count);
    if (s != ARM_OK)
        return s;
    if (id == TYPE_TIMESTAMP && accept_keyword(p, "without")) {
        if ((s = expect_keyword(p, "time")) != ARM_OK || (s = expect_keyword(p, "zone")) != ARM_OK)
            return s;
    }
    out->type = type_make(id);
    if (id == TYPE_DECIMAL) {
        int64_t precision = arg_count > 0 ? args[0] : 18, scale = arg_count > 1 ? args[1] : 0;
        if (arg_count == 0)
            scale = 3;
        if (precision < 1 || precision > DECIMAL_MAX_PRECISION) {
            error_set(p->err, ARM_ERROR_INVALID_INPUT, "22023", out->position,
                      "NUMERIC precision %lld must be between 1 and 38", (long long)precision);
            return ARM_ERROR_INVALID_INPUT;
        }
        if (scale < 0 || scale > precision) {
            error_set(p->err, ARM_ERROR_INVALID_INPUT, "22023", out->position,
                      "NUMERIC scale %lld must be between 0 and precision %lld", (long long)scale,
                      (long long)precision);
            return ARM_ERROR_INVALID_INPUT;
        }
        out->type = type_decimal((uint8_t)precision, (uint8_t)scale);
    }
    return ARM_OK;
}

/* ---- expressions ----------------------------------------------------------- */

static ast_expr *new_expr(parser *p, ast_expr_kind kind, int32_t position)
{
    ast_expr *e = parser_alloc(p, sizeof *e);
    if (e != NULL) {
        e->kind = kind;
        e->position = position;
    }
    return e;
}

static ast_expr *binary(parser *p, const char *op, ast_expr *left, ast_expr *right,
                        int32_t position)
{
    ast_expr *e = new_expr(p, AST_BINARY, position);
    if (e != NULL) {
        e->u.binary.op = op;
        e->u.binary.left = left;
        e->u.binary.right = right;
    }
    return e;
}

static arm_status parse_level(parser *p, int level, ast_expr **out);

arm_status parse_expr(parser *p, ast_expr **out)
{
    if (++p->depth > PARSER_MAX_DEPTH) {
        error_set(p->err, ARM_ERROR_SYNTAX, "54001", peek(p)->position,
                  "statement is nested too deeply");
        return ARM_ERROR_SYNTAX;
    }
    arm_status s = parse_level(p, 0, out);
    p->depth--;
    return s;
}

arm_status parse_expr_list(parser *p, ast_expr ***out, uint32_t *count)
{
    ast_expr **list = NULL;
    uint32_t n = 0, capacity = 0;
    do {
        list = parser_push(p, list, &n, &capacity, sizeof *list);
        if (list == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        arm_status s = parse_expr(p, &list[n - 1]);
        if (s != ARM_OK)
            return s;
    } while (accept_symbol(p, ","));
    *out = list;
    *count = n;
    return ARM_OK;
}

static ast_expr *string_literal(parser *p, const char *text, uint32_t length, int32_t position)
{
    ast_expr *e = new_expr(p, AST_LITERAL, position);
    if (e == NULL)
        return NULL;
    e->u.literal.val = value_varchar(text, length);
    e->u.literal.is_string = true;
    e->u.literal.text = text;
    return e;
}

static ast_expr *number_literal(parser *p, const token *t)
{
    ast_expr *e = new_expr(p, AST_LITERAL, t->position);
    if (e == NULL)
        return NULL;
    e->u.literal.text = t->text;
    const char *s = t->text;
    bool has_dot = strchr(s, '.') != NULL, has_exp = strpbrk(s, "eE") != NULL;
    char digits[64];
    size_t n = 0, scale = 0;
    bool after_dot = false;
    for (const char *c = s; *c && n < sizeof digits - 1; c++) {
        if (*c == '.')
            after_dot = true;
        else if (isdigit((unsigned char)*c)) {
            digits[n++] = *c;
            scale += after_dot;
        }
    }
    digits[n] = '\0';
    if (has_exp || n > 38) {
        e->u.literal.val = value_double(strtod(s, NULL));
        return e;
    }
    int128 v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (digits[i] - '0');
    if (!has_dot && v <= INT64_MAX) {
        e->u.literal.val = value_bigint((int64_t)v);
        return e;
    }
    /* leading zeros don't count towards precision */
    size_t first = 0;
    while (first + 1 < n - scale && digits[first] == '0')
        first++;
    size_t precision = n - first;
    if (precision < scale)
        precision = scale;
    if (precision == 0)
        precision = 1;
    memset(&e->u.literal.val, 0, sizeof e->u.literal.val);
    e->u.literal.val.type = type_decimal((uint8_t)precision, (uint8_t)scale);
    if (precision <= DECIMAL_INT64_MAX_PRECISION)
        e->u.literal.val.u.i64 = (int64_t)v;
    else
        e->u.literal.val.u.i128 = v;
    return e;
}

static arm_status parse_case(parser *p, int32_t position, ast_expr **out)
{
    ast_expr *e = new_expr(p, AST_CASE, position);
    if (e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    arm_status s;
    if (!token_is_keyword(peek(p), "when") && (s = parse_expr(p, &e->u.case_.operand)) != ARM_OK)
        return s;
    uint32_t capacity_when = 0, capacity_then = 0, count_then = 0;
    while (accept_keyword(p, "when")) {
        e->u.case_.when =
            parser_push(p, e->u.case_.when, &e->u.case_.count, &capacity_when, sizeof(ast_expr *));
        e->u.case_.then =
            parser_push(p, e->u.case_.then, &count_then, &capacity_then, sizeof(ast_expr *));
        if (e->u.case_.when == NULL || e->u.case_.then == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        if ((s = parse_expr(p, &e->u.case_.when[e->u.case_.count - 1])) != ARM_OK ||
            (s = expect_keyword(p, "then")) != ARM_OK ||
            (s = parse_expr(p, &e->u.case_.then[count_then - 1])) != ARM_OK)
            return s;
    }
    if (e->u.case_.count == 0)
        return parser_error(p, "CASE needs at least one WHEN ... THEN ...");
    if (accept_keyword(p, "else") && (s = parse_expr(p, &e->u.case_.otherwise)) != ARM_OK)
        return s;
    if ((s = expect_keyword(p, "end")) != ARM_OK)
        return s;
    *out = e;
    return ARM_OK;
}

static ast_expr *function_call(parser *p, const char *name, int32_t position, ast_expr **args,
                               uint32_t arg_count)
{
    ast_expr *e = new_expr(p, AST_FUNCTION, position);
    if (e == NULL)
        return NULL;
    e->u.function.name.count = 1;
    e->u.function.name.parts[0].name = name;
    e->u.function.name.parts[0].position = position;
    e->u.function.name.position = position;
    e->u.function.args = args;
    e->u.function.arg_count = arg_count;
    return e;
}

/* SUBSTRING(x FROM a FOR b), POSITION(a IN b), TRIM([LEADING|...] [c] FROM x). */
static arm_status parse_special_function(parser *p, const char *name, int32_t position,
                                         ast_expr **out, bool *handled)
{
    *handled = false;
    arm_status s;
    ast_expr **args = parser_alloc(p, 3 * sizeof *args);
    if (args == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    uint32_t save = p->at;
    if (strcasecmp(name, "position") == 0) {
        /* POSITION(a IN b) → strpos(b, a); parse a above the IN level. */
        if ((s = parse_level(p, 6, &args[1])) != ARM_OK)
            return s;
        if (!accept_keyword(p, "in")) {
            p->at = save;
            return ARM_OK;
        }
        if ((s = parse_expr(p, &args[0])) != ARM_OK || (s = expect_symbol(p, ")")) != ARM_OK)
            return s;
        *out = function_call(p, "strpos", position, args, 2);
        *handled = true;
        return ARM_OK;
    }
    if (strcasecmp(name, "trim") == 0) {
        const char *fn = "trim";
        if (accept_keyword(p, "leading"))
            fn = "ltrim";
        else if (accept_keyword(p, "trailing"))
            fn = "rtrim";
        else
            accept_keyword(p, "both");
        uint32_t n = 0;
        if (!accept_keyword(p, "from")) {
            if ((s = parse_expr(p, &args[1])) != ARM_OK)
                return s;
            n = 1;
            if (!accept_keyword(p, "from")) {
                if (strcmp(fn, "trim") == 0 && token_is_symbol(peek(p), ")")) {
                    p->at = save;
                    return ARM_OK;
                }
                return parser_error(p, "Expected FROM in TRIM(... FROM ...).");
            }
        }
        if ((s = parse_expr(p, &args[0])) != ARM_OK || (s = expect_symbol(p, ")")) != ARM_OK)
            return s;
        *out = function_call(p, fn, position, args, n + 1);
        *handled = true;
        return ARM_OK;
    }
    if (strcasecmp(name, "substring") == 0) {
        if ((s = parse_expr(p, &args[0])) != ARM_OK)
            return s;
        if (!token_is_keyword(peek(p), "from") && !token_is_keyword(peek(p), "for")) {
            p->at = save;
            return ARM_OK;
        }
        uint32_t n = 1;
        if (accept_keyword(p, "from")) {
            if ((s = parse_expr(p, &args[1])) != ARM_OK)
                return s;
            n = 2;
        } else {
            args[1] = number_literal(p, &(token){TOKEN_NUMBER, position, 1, "1", 1, 0});
            n = 2;
        }
        if (accept_keyword(p, "for")) {
            if ((s = parse_expr(p, &args[2])) != ARM_OK)
                return s;
            n = 3;
        }
        if ((s = expect_symbol(p, ")")) != ARM_OK)
            return s;
        *out = function_call(p, "substring", position, args, n);
        *handled = true;
    }
    return ARM_OK;
}

static arm_status parse_function(parser *p, ast_name *name, ast_expr **out)
{
    ast_expr *e = new_expr(p, AST_FUNCTION, name->position);
    if (e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    arm_status s;
    if (name->count == 1) {
        bool handled;
        if ((s = parse_special_function(p, name->parts[0].name, name->position, out, &handled)) !=
                ARM_OK ||
            handled)
            return s;
    }
    e->u.function.name = *name;
    if (accept_symbol(p, "*")) {
        e->u.function.is_star = true;
    } else if (!token_is_symbol(peek(p), ")")) {
        if (accept_keyword(p, "distinct"))
            e->u.function.is_distinct = true;
        else
            accept_keyword(p, "all");
        if ((s = parse_expr_list(p, &e->u.function.args, &e->u.function.arg_count)) != ARM_OK)
            return s;
        if (accept_keyword(p, "order")) {
            if ((s = expect_keyword(p, "by")) != ARM_OK ||
                (s = parse_order_by(p, &e->u.function.order_by, &e->u.function.order_by_count)) !=
                    ARM_OK)
                return s;
        }
    }
    if ((s = expect_symbol(p, ")")) != ARM_OK)
        return s;
    if (accept_keyword(p, "filter")) {
        if ((s = expect_symbol(p, "(")) != ARM_OK || (s = expect_keyword(p, "where")) != ARM_OK ||
            (s = parse_expr(p, &e->u.function.filter)) != ARM_OK ||
            (s = expect_symbol(p, ")")) != ARM_OK)
            return s;
    }
    if (token_is_keyword(peek(p), "over")) {
        error_set(p->err, ARM_ERROR_NOT_SUPPORTED, "0A000", peek(p)->position,
                  "window functions are not supported yet");
        return ARM_ERROR_NOT_SUPPORTED;
    }
    *out = e;
    return ARM_OK;
}

static arm_status parse_typed_literal(parser *p, const token *type_token, ast_expr **out)
{
    ast_type type;
    uint32_t save = p->at;
    p->at = (uint32_t)(type_token - p->tokens);
    arm_status s = parse_type(p, &type);
    if (s != ARM_OK || peek(p)->kind != TOKEN_STRING) {
        p->at = save;
        return ARM_ERROR_NOT_FOUND; /* not a typed literal: caller tries other forms */
    }
    const token *str = advance(p);
    const char *text = str->text;
    uint32_t length = str->text_length;
    if (type.type.id == TYPE_INTERVAL && peek(p)->kind == TOKEN_IDENT &&
        !parser_is_reserved(peek(p)->text)) {
        const token *unit = peek(p);
        char *combined = arena_printf(p->a, "%s %s", text, unit->text);
        if (combined == NULL)
            return error_out_of_memory(p->err);
        if (strcasecmp(unit->text, "year") == 0 || strcasecmp(unit->text, "month") == 0 ||
            strcasecmp(unit->text, "day") == 0 || strcasecmp(unit->text, "hour") == 0 ||
            strcasecmp(unit->text, "minute") == 0 || strcasecmp(unit->text, "second") == 0) {
            advance(p);
            text = combined;
            length = (uint32_t)strlen(combined);
        }
    }
    ast_expr *lit = string_literal(p, text, length, str->position);
    ast_expr *e = new_expr(p, AST_CAST, type_token->position);
    if (lit == NULL || e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    e->u.cast.operand = lit;
    e->u.cast.type = type;
    *out = e;
    return ARM_OK;
}

static arm_status parse_subquery_expr(parser *p, ast_expr_kind kind, int32_t position,
                                      ast_expr **out)
{
    ast_expr *e = new_expr(p, kind, position);
    if (e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    arm_status s = parse_query(p, &e->u.subquery.query);
    if (s == ARM_OK)
        s = expect_symbol(p, ")");
    *out = e;
    return s;
}

static bool starts_query(const parser *p)
{
    return token_is_keyword(peek(p), "select") || token_is_keyword(peek(p), "with") ||
           token_is_keyword(peek(p), "values");
}

static arm_status parse_identifier_primary(parser *p, ast_expr **out)
{
    const token *t = peek(p);
    int32_t position = t->position;
    /* Typed literals: DATE '...', TIMESTAMP '...', INTERVAL '...' */
    if (t->kind == TOKEN_IDENT && peek_at(p, 1)->kind == TOKEN_STRING &&
        parse_typed_literal(p, t, out) == ARM_OK)
        return ARM_OK;
    if (token_is_keyword(t, "current_date") || token_is_keyword(t, "current_timestamp") ||
        (token_is_keyword(t, "localtimestamp"))) {
        advance(p);
        *out = function_call(
            p, token_is_keyword(t, "current_date") ? "current_date" : "current_timestamp", position,
            NULL, 0);
        return *out ? ARM_OK : ARM_ERROR_OUT_OF_MEMORY;
    }
    if (t->kind == TOKEN_IDENT && parser_is_reserved(t->text)) {
        /* left(...) and right(...) are functions despite LEFT/RIGHT JOIN */
        bool is_call = (token_is_keyword(t, "left") || token_is_keyword(t, "right")) &&
                       token_is_symbol(peek_at(p, 1), "(");
        if (!is_call)
            return parser_error(p, NULL);
        advance(p);
        advance(p);
        ast_name fname;
        memset(&fname, 0, sizeof fname);
        fname.count = 1;
        fname.parts[0].name = t->text;
        fname.parts[0].position = position;
        fname.position = position;
        return parse_function(p, &fname, out);
    }
    ast_name name;
    arm_status s;
    memset(&name, 0, sizeof name);
    name.position = position;
    for (;;) {
        if (name.count == 3)
            return parser_error(p, "A name has at most three parts.");
        if ((s = parse_ident(p, &name.parts[name.count])) != ARM_OK)
            return s;
        name.count++;
        if (!token_is_symbol(peek(p), "."))
            break;
        advance(p);
        if (accept_symbol(p, "*")) {
            ast_expr *star = new_expr(p, AST_STAR, position);
            if (star == NULL)
                return ARM_ERROR_OUT_OF_MEMORY;
            star->u.star.qualifier = name;
            *out = star;
            return ARM_OK;
        }
    }
    if (accept_symbol(p, "("))
        return parse_function(p, &name, out);
    ast_expr *e = new_expr(p, AST_COLUMN_REF, position);
    if (e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    e->u.column = name;
    *out = e;
    return ARM_OK;
}

static arm_status parse_primary(parser *p, ast_expr **out)
{
    const token *t = peek(p);
    int32_t position = t->position;
    arm_status s;
    switch (t->kind) {
    case TOKEN_NUMBER:
        advance(p);
        *out = number_literal(p, t);
        return *out ? ARM_OK : ARM_ERROR_OUT_OF_MEMORY;
    case TOKEN_STRING:
        advance(p);
        *out = string_literal(p, t->text, t->text_length, position);
        return *out ? ARM_OK : ARM_ERROR_OUT_OF_MEMORY;
    case TOKEN_PARAMETER: {
        advance(p);
        ast_expr *e = new_expr(p, AST_PARAMETER, position);
        if (e == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        e->u.parameter.index = t->number ? (uint32_t)t->number : ++p->question_marks;
        if (e->u.parameter.index > p->max_parameter)
            p->max_parameter = e->u.parameter.index;
        *out = e;
        return ARM_OK;
    }
    case TOKEN_SYMBOL:
        if (accept_symbol(p, "*")) {
            *out = new_expr(p, AST_STAR, position);
            return *out ? ARM_OK : ARM_ERROR_OUT_OF_MEMORY;
        }
        if (accept_symbol(p, "(")) {
            if (starts_query(p))
                return parse_subquery_expr(p, AST_SUBQUERY, position, out);
            if ((s = parse_expr(p, out)) != ARM_OK)
                return s;
            return expect_symbol(p, ")");
        }
        return parser_error(p, token_is_symbol(t, "==") ? "Use = to compare values." : NULL);
    case TOKEN_IDENT:
        if (accept_keyword(p, "null") || token_is_keyword(t, "true") ||
            token_is_keyword(t, "false")) {
            if (!token_is_keyword(t, "null"))
                advance(p);
            ast_expr *e = new_expr(p, AST_LITERAL, position);
            if (e == NULL)
                return ARM_ERROR_OUT_OF_MEMORY;
            e->u.literal.val = token_is_keyword(t, "null")
                                   ? value_null(type_make(TYPE_NULL))
                                   : value_boolean(token_is_keyword(t, "true"));
            e->u.literal.text = t->text;
            *out = e;
            return ARM_OK;
        }
        if (accept_keyword(p, "case"))
            return parse_case(p, position, out);
        if (accept_keyword(p, "default")) {
            /* Only meaningful in INSERT ... VALUES and UPDATE ... SET; the binder checks. */
            *out = new_expr(p, AST_DEFAULT, position);
            return *out ? ARM_OK : ARM_ERROR_OUT_OF_MEMORY;
        }
        if (token_is_keyword(t, "cast") || token_is_keyword(t, "try_cast")) {
            bool is_try = token_is_keyword(t, "try_cast");
            advance(p);
            ast_expr *e = new_expr(p, AST_CAST, position);
            if (e == NULL)
                return ARM_ERROR_OUT_OF_MEMORY;
            e->u.cast.is_try = is_try;
            if ((s = expect_symbol(p, "(")) != ARM_OK ||
                (s = parse_expr(p, &e->u.cast.operand)) != ARM_OK ||
                (s = expect_keyword(p, "as")) != ARM_OK ||
                (s = parse_type(p, &e->u.cast.type)) != ARM_OK ||
                (s = expect_symbol(p, ")")) != ARM_OK)
                return s;
            *out = e;
            return ARM_OK;
        }
        if (token_is_keyword(t, "exists") && token_is_symbol(peek_at(p, 1), "(")) {
            advance(p);
            advance(p);
            return parse_subquery_expr(p, AST_EXISTS, position, out);
        }
        if (token_is_keyword(t, "extract") && token_is_symbol(peek_at(p, 1), "(")) {
            advance(p);
            advance(p);
            ast_expr *e = new_expr(p, AST_EXTRACT, position);
            if (e == NULL)
                return ARM_ERROR_OUT_OF_MEMORY;
            const token *field = advance(p);
            if (field->kind != TOKEN_IDENT && field->kind != TOKEN_STRING)
                return parser_error(p, "Expected a field name such as YEAR.");
            char *lower = arena_strdup(p->a, field->text);
            if (lower == NULL)
                return error_out_of_memory(p->err);
            for (char *c = lower; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            e->u.extract.field = lower;
            if ((s = expect_keyword(p, "from")) != ARM_OK ||
                (s = parse_expr(p, &e->u.extract.operand)) != ARM_OK ||
                (s = expect_symbol(p, ")")) != ARM_OK)
                return s;
            *out = e;
            return ARM_OK;
        }
        return parse_identifier_primary(p, out);
    case TOKEN_QUOTED_IDENT: return parse_identifier_primary(p, out);
    case TOKEN_END: return parser_error(p, NULL);
    }
    return parser_error(p, NULL);
}

static arm_status parse_postfix(parser *p, ast_expr **out)
{
    arm_status s = parse_primary(p, out);
    while (s == ARM_OK && token_is_symbol(peek(p), "::")) {
        int32_t position = advance(p)->position;
        ast_expr *e = new_expr(p, AST_CAST, position);
        if (e == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        e->u.cast.operand = *out;
        s = parse_type(p, &e->u.cast.type);
        *out = e;
    }
    return s;
}

static arm_status parse_unary(parser *p, ast_expr **out)
{
    const token *t = peek(p);
    if (token_is_symbol(t, "-") || token_is_symbol(t, "+")) {
        advance(p);
        if (++p->depth > PARSER_MAX_DEPTH) {
            error_set(p->err, ARM_ERROR_SYNTAX, "54001", t->position,
                      "statement is nested too deeply");
            return ARM_ERROR_SYNTAX;
        }
        ast_expr *operand;
        arm_status s = parse_unary(p, &operand);
        p->depth--;
        if (s != ARM_OK)
            return s;
        ast_expr *e = new_expr(p, AST_UNARY, t->position);
        if (e == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        e->u.unary.op = token_is_symbol(t, "-") ? "-" : "+";
        e->u.unary.operand = operand;
        *out = e;
        return ARM_OK;
    }
    return parse_postfix(p, out);
}

/* Binary operator levels above comparison. */
static const char *match_operator(parser *p, int level)
{
    const token *t = peek(p);
    if (t->kind != TOKEN_SYMBOL)
        return NULL;
    static const char *const level_ops[][4] = {
        [6] = {"||", NULL},
        [7] = {"+", "-", NULL},
        [8] = {"*", "/", "%", NULL},
    };
    for (int i = 0; level_ops[level][i] != NULL; i++)
        if (strcmp(t->text, level_ops[level][i]) == 0)
            return level_ops[level][i];
    return NULL;
}

static const char *match_comparison(parser *p)
{
    const token *t = peek(p);
    static const char *const ops[] = {"=", "<>", "<", "<=", ">", ">="};
    if (t->kind != TOKEN_SYMBOL)
        return NULL;
    if (strcmp(t->text, "!=") == 0)
        return "<>";
    for (size_t i = 0; i < 6; i++)
        if (strcmp(t->text, ops[i]) == 0)
            return ops[i];
    return NULL;
}

static arm_status parse_in(parser *p, ast_expr *left, bool negated, int32_t position,
                           ast_expr **out)
{
    arm_status s = expect_symbol(p, "(");
    if (s != ARM_OK)
        return s;
    if (starts_query(p)) {
        ast_expr *e = new_expr(p, AST_IN_SUBQUERY, position);
        if (e == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        e->u.in_subquery.operand = left;
        e->u.in_subquery.negated = negated;
        if ((s = parse_query(p, &e->u.in_subquery.query)) != ARM_OK)
            return s;
        *out = e;
        return expect_symbol(p, ")");
    }
    ast_expr *e = new_expr(p, AST_IN_LIST, position);
    if (e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    e->u.in_list.operand = left;
    e->u.in_list.negated = negated;
    if ((s = parse_expr_list(p, &e->u.in_list.list, &e->u.in_list.count)) != ARM_OK)
        return s;
    *out = e;
    return expect_symbol(p, ")");
}

/* Level 5: BETWEEN, IN, LIKE, ILIKE with optional NOT. */
static arm_status parse_predicate(parser *p, ast_expr **out)
{
    arm_status s = parse_level(p, 6, out);
    while (s == ARM_OK) {
        uint32_t save = p->at;
        int32_t position = peek(p)->position;
        bool negated = accept_keyword(p, "not");
        if (accept_keyword(p, "between")) {
            ast_expr *e = new_expr(p, AST_BETWEEN, position);
            if (e == NULL)
                return ARM_ERROR_OUT_OF_MEMORY;
            e->u.between.operand = *out;
            e->u.between.negated = negated;
            bool symmetric = accept_keyword(p, "symmetric");
            if (!symmetric)
                accept_keyword(p, "asymmetric");
            if ((s = parse_level(p, 6, &e->u.between.low)) != ARM_OK ||
                (s = expect_keyword(p, "and")) != ARM_OK ||
                (s = parse_level(p, 6, &e->u.between.high)) != ARM_OK)
                return s;
            *out = e;
            if (symmetric) {
                /* x BETWEEN SYMMETRIC a AND b: either order of the bounds. */
                ast_expr *swapped = new_expr(p, AST_BETWEEN, position);
                if (swapped == NULL)
                    return ARM_ERROR_OUT_OF_MEMORY;
                *swapped = *e;
                swapped->u.between.low = e->u.between.high;
                swapped->u.between.high = e->u.between.low;
                swapped->u.between.negated = false;
                e->u.between.negated = false;
                ast_expr *either = binary(p, "OR", e, swapped, position);
                if (either == NULL)
                    return ARM_ERROR_OUT_OF_MEMORY;
                *out = either;
                if (negated) {
                    ast_expr *not_expr = new_expr(p, AST_UNARY, position);
                    if (not_expr == NULL)
                        return ARM_ERROR_OUT_OF_MEMORY;
                    not_expr->u.unary.op = "NOT";
                    not_expr->u.unary.operand = either;
                    *out = not_expr;
                }
            }
        } else if (accept_keyword(p, "in")) {
            s = parse_in(p, *out, negated, position, out);
        } else if (token_is_keyword(peek(p), "like") || token_is_keyword(peek(p), "ilike")) {
            bool ci = token_is_keyword(advance(p), "ilike");
            ast_expr *e = new_expr(p, AST_LIKE, position);
            if (e == NULL)
                return ARM_ERROR_OUT_OF_MEMORY;
            e->u.like.operand = *out;
            e->u.like.negated = negated;
            e->u.like.case_insensitive = ci;
            if ((s = parse_level(p, 6, &e->u.like.pattern)) != ARM_OK)
                return s;
            if (accept_keyword(p, "escape") && (s = parse_level(p, 6, &e->u.like.escape)) != ARM_OK)
                return s;
            *out = e;
        } else {
            p->at = save;
            break;
        }
    }
    return s;
}

/* Level 3: IS [NOT] NULL / TRUE / FALSE / DISTINCT FROM, ISNULL, NOTNULL. */
static arm_status parse_is(parser *p, ast_expr **out)
{
    arm_status s = parse_level(p, 4, out);
    while (s == ARM_OK) {
        int32_t position = peek(p)->position;
        if (accept_keyword(p, "isnull") || accept_keyword(p, "notnull")) {
            ast_expr *e = new_expr(p, AST_IS_NULL, position);
            if (e == NULL)
                return ARM_ERROR_OUT_OF_MEMORY;
            e->u.is.operand = *out;
            e->u.is.negated = token_is_keyword(&p->tokens[p->at - 1], "notnull");
            *out = e;
            continue;
        }
        if (!accept_keyword(p, "is"))
            break;
        bool negated = accept_keyword(p, "not");
        ast_expr *e;
        if (accept_keyword(p, "null") || accept_keyword(p, "unknown")) {
            e = new_expr(p, AST_IS_NULL, position);
        } else if (token_is_keyword(peek(p), "true") || token_is_keyword(peek(p), "false")) {
            e = new_expr(p, AST_IS_BOOL, position);
            if (e != NULL)
                e->u.is.bool_value = token_is_keyword(peek(p), "true");
            advance(p);
        } else if (accept_keyword(p, "distinct")) {
            e = new_expr(p, AST_IS_DISTINCT, position);
            if ((s = expect_keyword(p, "from")) != ARM_OK)
                return s;
            if (e != NULL && (s = parse_level(p, 4, &e->u.is.other)) != ARM_OK)
                return s;
        } else {
            return parser_error(p, "Expected NULL, TRUE, FALSE or DISTINCT FROM after IS.");
        }
        if (e == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        e->u.is.operand = *out;
        e->u.is.negated = negated;
        *out = e;
    }
    return s;
}

static arm_status parse_level(parser *p, int level, ast_expr **out)
{
    arm_status s;
    switch (level) {
    case 0: /* OR */
    case 1: /* AND */ {
        const char *word = level == 0 ? "or" : "and";
        if ((s = parse_level(p, level + 1, out)) != ARM_OK)
            return s;
        while (token_is_keyword(peek(p), word)) {
            int32_t position = advance(p)->position;
            ast_expr *right;
            if ((s = parse_level(p, level + 1, &right)) != ARM_OK)
                return s;
            if ((*out = binary(p, level == 0 ? "OR" : "AND", *out, right, position)) == NULL)
                return ARM_ERROR_OUT_OF_MEMORY;
        }
        return ARM_OK;
    }
    case 2: /* NOT */
        if (token_is_keyword(peek(p), "not")) {
            int32_t position = advance(p)->position;
            if (++p->depth > PARSER_MAX_DEPTH) {
                error_set(p->err, ARM_ERROR_SYNTAX, "54001", position,
                          "statement is nested too deeply");
                return ARM_ERROR_SYNTAX;
            }
            ast_expr *operand;
            s = parse_level(p, 2, &operand);
            p->depth--;
            if (s != ARM_OK)
                return s;
            ast_expr *e = new_expr(p, AST_UNARY, position);
            if (e == NULL)
                return ARM_ERROR_OUT_OF_MEMORY;
            e->u.unary.op = "NOT";
            e->u.unary.operand = operand;
            *out = e;
            return ARM_OK;
        }
        return parse_level(p, 3, out);
    case 3: return parse_is(p, out);
    case 4: { /* comparison */
        if ((s = parse_level(p, 5, out)) != ARM_OK)
            return s;
        const char *op;
        while ((op = match_comparison(p)) != NULL) {
            int32_t position = advance(p)->position;
            ast_expr *right;
            if ((s = parse_level(p, 5, &right)) != ARM_OK)
                return s;
            if ((*out = binary(p, op, *out, right, position)) == NULL)
                return ARM_ERROR_OUT_OF_MEMORY;
        }
        if (token_is_symbol(peek(p), "=="))
            return parser_error(p, "Use = to compare values.");
        return ARM_OK;
    }
    case 5: return parse_predicate(p, out);
    case 6:
    case 7:
    case 8: {
        if ((s = level == 8 ? parse_unary(p, out) : parse_level(p, level + 1, out)) != ARM_OK)
            return s;
        const char *op;
        while ((op = match_operator(p, level)) != NULL) {
            int32_t position = advance(p)->position;
            ast_expr *right;
            if ((s = level == 8 ? parse_unary(p, &right) : parse_level(p, level + 1, &right)) !=
                ARM_OK)
                return s;
            if ((*out = binary(p, op, *out, right, position)) == NULL)
                return ARM_ERROR_OUT_OF_MEMORY;
        }
        return ARM_OK;
    }
    default: return parse_unary(p, out);
    }
}
