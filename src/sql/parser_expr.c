/*
 * parser_expr.c: expressions by precedence climbing with PostgreSQL's
 * levels (lowest first): OR, AND, NOT, IS, comparison, BETWEEN/IN/LIKE, ||,
 * + -, * / %, unary sign, :: casts, primaries. Also literals and their
 * types, CASE, CAST, EXTRACT and the SQL-syntax functions (POSITION, TRIM,
 * SUBSTRING) that become ordinary calls.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sql/parser_internal.h"

enum {
    LEVEL_OR,
    LEVEL_AND,
    LEVEL_NOT,
    LEVEL_IS,
    LEVEL_COMPARISON,
    LEVEL_PREDICATE, /* BETWEEN, IN, LIKE, ILIKE */
    LEVEL_CONCAT,    /* || */
    LEVEL_ADD,       /* + - */
    LEVEL_MULTIPLY,  /* * / % */
    LEVEL_UNARY,     /* unary + - */
    LEVEL_NONE,      /* not a binary operator */
};

static arm_status parse_binary(parser *p, int min_level, ast_expr **out);

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

static ast_expr *unary(parser *p, const char *op, ast_expr *operand, int32_t position)
{
    ast_expr *e = new_expr(p, AST_UNARY, position);
    if (e != NULL) {
        e->u.unary.op = op;
        e->u.unary.operand = operand;
    }
    return e;
}

arm_status parse_expr(parser *p, ast_expr **out)
{
    return parse_binary(p, LEVEL_OR, out);
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

bool parser_at_query(const parser *p)
{
    const token *t = peek(p);
    return token_is_keyword(t, KW_SELECT) || token_is_keyword(t, KW_WITH) ||
           token_is_keyword(t, KW_VALUES);
}

/* ---- literals ------------------------------------------------------------ */

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

/* A number with an exponent, or too long for DECIMAL: DOUBLE. */
static arm_status double_literal(parser *p, const token *t, ast_expr *e)
{
    char clean[128];
    size_t n = 0;
    for (const char *c = t->text; *c && n + 1 < sizeof clean; c++)
        if (*c != '_')
            clean[n++] = *c;
    clean[n] = '\0';
    errno = 0;
    double v = strtod(clean, NULL);
    if (errno == ERANGE && (v > 1 || v < -1))
        return error_set(p->err, ARM_ERROR_INVALID_INPUT, "22003", t->position,
                         "\"%.*s\" is out of range for type double precision",
                         (int)(t->length < 64 ? t->length : 64), t->text);
    e->u.literal.val = value_double(v);
    return ARM_OK;
}

/*
 * Integers: BIGINT when they fit, else DECIMAL(38,0) up to 38 digits, else
 * DOUBLE. With a '.': DECIMAL with precision and scale as written.
 */
static arm_status number_literal(parser *p, const token *t, ast_expr **out)
{
    ast_expr *e = new_expr(p, AST_LITERAL, t->position);
    if (e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    e->u.literal.text = t->text;
    *out = e;
    if (strpbrk(t->text, "eE") != NULL)
        return double_literal(p, t, e);
    uint32_t precision = 0, scale = 0;
    bool has_dot = false;
    int128 v = 0;
    for (const char *c = t->text; *c; c++) {
        if (*c == '.') {
            has_dot = true;
        } else if (*c >= '0' && *c <= '9') {
            scale += has_dot;
            if (precision == 0 && *c == '0' && !has_dot)
                continue; /* leading zeros do not count */
            if (++precision > DECIMAL_MAX_PRECISION)
                return double_literal(p, t, e);
            v = v * 10 + (*c - '0');
        }
    }
    if (!has_dot && v <= INT64_MAX) {
        e->u.literal.val = value_bigint((int64_t)v);
        return ARM_OK;
    }
    if (!has_dot)
        precision = DECIMAL_MAX_PRECISION;
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
    return ARM_OK;
}

static bool is_interval_unit(const token *t)
{
    switch (t->kind == TOKEN_IDENT ? t->keyword : KW_NONE) {
    case KW_YEAR:
    case KW_MONTH:
    case KW_DAY:
    case KW_HOUR:
    case KW_MINUTE:
    case KW_SECOND: return true;
    default: return false;
    }
}

/* DATE '...', TIMESTAMP '...', INTERVAL '1 day', INTERVAL '3' DAY: casts of a string. */
static arm_status parse_typed_literal(parser *p, ast_expr **out)
{
    const token *type_token = advance(p);
    type_id id;
    if (!type_from_name(type_token->text, type_token->text_length, &id))
        return parser_error(p, NULL);
    const token *str = advance(p);
    const char *text = str->text;
    uint32_t length = str->text_length;
    if (id == TYPE_INTERVAL && is_interval_unit(peek(p))) {
        const char *unit = keyword_name(advance(p)->keyword);
        char *combined = arena_printf(p->a, "%s %s", text, unit);
        if (combined == NULL)
            return error_out_of_memory(p->err);
        text = combined;
        length = (uint32_t)strlen(combined);
    }
    ast_expr *lit = string_literal(p, text, length, str->position);
    ast_expr *e = new_expr(p, AST_CAST, type_token->position);
    if (lit == NULL || e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    e->u.cast.operand = lit;
    e->u.cast.type.type = type_make(id);
    e->u.cast.type.position = type_token->position;
    if (id == TYPE_DECIMAL)
        e->u.cast.type.type = type_decimal(18, 3);
    *out = e;
    return ARM_OK;
}

static arm_status keyword_literal(parser *p, ast_expr **out)
{
    const token *t = advance(p);
    ast_expr *e = new_expr(p, AST_LITERAL, t->position);
    if (e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    e->u.literal.val = t->keyword == KW_NULL ? value_null(type_make(TYPE_NULL))
                                             : value_boolean(t->keyword == KW_TRUE);
    e->u.literal.text = t->text;
    *out = e;
    return ARM_OK;
}

static arm_status parameter(parser *p, ast_expr **out)
{
    const token *t = advance(p);
    ast_expr *e = new_expr(p, AST_PARAMETER, t->position);
    if (e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    e->u.parameter.index = t->number ? (uint32_t)t->number : ++p->question_marks;
    if (e->u.parameter.index > p->max_parameter)
        p->max_parameter = e->u.parameter.index;
    *out = e;
    return ARM_OK;
}

/* ---- CASE, CAST, EXTRACT, subqueries ------------------------------------------------ */

static arm_status parse_case(parser *p, ast_expr **out)
{
    ast_expr *e = new_expr(p, AST_CASE, advance(p)->position);
    if (e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    arm_status s;
    if (!token_is_keyword(peek(p), KW_WHEN) && (s = parse_expr(p, &e->u.case_.operand)) != ARM_OK)
        return s;
    uint32_t capacity_when = 0, capacity_then = 0, count_then = 0;
    while (accept_keyword(p, KW_WHEN)) {
        e->u.case_.when =
            parser_push(p, e->u.case_.when, &e->u.case_.count, &capacity_when, sizeof(ast_expr *));
        e->u.case_.then =
            parser_push(p, e->u.case_.then, &count_then, &capacity_then, sizeof(ast_expr *));
        if (e->u.case_.when == NULL || e->u.case_.then == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        if ((s = parse_expr(p, &e->u.case_.when[e->u.case_.count - 1])) != ARM_OK ||
            (s = expect_keyword(p, KW_THEN)) != ARM_OK ||
            (s = parse_expr(p, &e->u.case_.then[count_then - 1])) != ARM_OK)
            return s;
    }
    if (e->u.case_.count == 0)
        return parser_error(p, "CASE needs at least one WHEN ... THEN ...");
    if (accept_keyword(p, KW_ELSE) && (s = parse_expr(p, &e->u.case_.otherwise)) != ARM_OK)
        return s;
    if ((s = expect_keyword(p, KW_END)) != ARM_OK)
        return s;
    *out = e;
    return ARM_OK;
}

/* CAST(x AS type), TRY_CAST(x AS type); the caller saw the "(". */
static arm_status parse_cast(parser *p, ast_expr **out)
{
    const token *t = advance(p);
    ast_expr *e = new_expr(p, AST_CAST, t->position);
    if (e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    e->u.cast.is_try = t->keyword == KW_TRY_CAST;
    arm_status s;
    if ((s = expect_symbol(p, "(")) != ARM_OK ||
        (s = parse_expr(p, &e->u.cast.operand)) != ARM_OK ||
        (s = expect_keyword(p, KW_AS)) != ARM_OK ||
        (s = parse_type(p, &e->u.cast.type)) != ARM_OK || (s = expect_symbol(p, ")")) != ARM_OK)
        return s;
    *out = e;
    return ARM_OK;
}

static arm_status parse_extract(parser *p, ast_expr **out)
{
    ast_expr *e = new_expr(p, AST_EXTRACT, advance(p)->position);
    if (e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    advance(p); /* ( */
    const token *field = peek(p);
    if (field->kind != TOKEN_IDENT && field->kind != TOKEN_STRING)
        return parser_error(p, "Expected a field name such as YEAR.");
    advance(p);
    char *lower = arena_strndup(p->a, field->text, field->text_length);
    if (lower == NULL)
        return error_out_of_memory(p->err);
    for (char *c = lower; *c; c++)
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
    e->u.extract.field = lower;
    arm_status s;
    if ((s = expect_keyword(p, KW_FROM)) != ARM_OK ||
        (s = parse_expr(p, &e->u.extract.operand)) != ARM_OK ||
        (s = expect_symbol(p, ")")) != ARM_OK)
        return s;
    *out = e;
    return ARM_OK;
}

/* After "(" at SELECT/WITH/VALUES: (query) as EXISTS or a scalar subquery. */
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

/* ---- function calls ------------------------------------------------------------ */

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

static arm_status finish_call(parser *p, const char *name, int32_t position, ast_expr **args,
                              uint32_t arg_count, ast_expr **out)
{
    arm_status s = expect_symbol(p, ")");
    if (s != ARM_OK)
        return s;
    *out = function_call(p, name, position, args, arg_count);
    return *out ? ARM_OK : ARM_ERROR_OUT_OF_MEMORY;
}

/* POSITION(a IN b) → strpos(b, a). `a` is parsed above the IN level. */
static arm_status parse_position(parser *p, int32_t position, ast_expr **args, ast_expr **out)
{
    arm_status s = parse_binary(p, LEVEL_CONCAT, &args[1]);
    if (s != ARM_OK || (s = expect_keyword(p, KW_IN)) != ARM_OK ||
        (s = parse_expr(p, &args[0])) != ARM_OK)
        return s;
    return finish_call(p, "strpos", position, args, 2, out);
}

/* TRIM([LEADING|TRAILING|BOTH] [chars] FROM x) or TRIM(x[, chars]) → trim/ltrim/rtrim(x[, chars]).
 */
static arm_status parse_trim(parser *p, int32_t position, ast_expr **args, ast_expr **out)
{
    const char *name = "trim";
    bool has_side = true;
    if (accept_keyword(p, KW_LEADING))
        name = "ltrim";
    else if (accept_keyword(p, KW_TRAILING))
        name = "rtrim";
    else
        has_side = accept_keyword(p, KW_BOTH);
    arm_status s;
    if (accept_keyword(p, KW_FROM)) {
        if ((s = parse_expr(p, &args[0])) != ARM_OK)
            return s;
        return finish_call(p, name, position, args, 1, out);
    }
    ast_expr *first;
    if ((s = parse_expr(p, &first)) != ARM_OK)
        return s;
    if (accept_keyword(p, KW_FROM)) {
        args[1] = first;
        if ((s = parse_expr(p, &args[0])) != ARM_OK)
            return s;
        return finish_call(p, name, position, args, 2, out);
    }
    if (has_side)
        return parser_error(p, "Expected FROM in TRIM(... FROM ...).");
    args[0] = first;
    if (accept_symbol(p, ",")) {
        if ((s = parse_expr(p, &args[1])) != ARM_OK)
            return s;
        return finish_call(p, name, position, args, 2, out);
    }
    return finish_call(p, name, position, args, 1, out);
}

/* SUBSTRING(x FROM a FOR b), SUBSTRING(x FOR b), SUBSTRING(x, a[, b]) → substring(x, a[, b]). */
static arm_status parse_substring(parser *p, int32_t position, ast_expr **args, ast_expr **out)
{
    arm_status s = parse_expr(p, &args[0]);
    if (s != ARM_OK)
        return s;
    uint32_t n = 1;
    if (accept_symbol(p, ",")) {
        while (n < 3) {
            if ((s = parse_expr(p, &args[n++])) != ARM_OK)
                return s;
            if (!accept_symbol(p, ","))
                break;
        }
        return finish_call(p, "substring", position, args, n, out);
    }
    if (accept_keyword(p, KW_FROM)) {
        if ((s = parse_expr(p, &args[n++])) != ARM_OK)
            return s;
    } else if (token_is_keyword(peek(p), KW_FOR)) {
        ast_expr *one = new_expr(p, AST_LITERAL, position);
        if (one == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        one->u.literal.val = value_bigint(1);
        one->u.literal.text = "1";
        args[n++] = one;
    }
    if (n == 2 && accept_keyword(p, KW_FOR) && (s = parse_expr(p, &args[n++])) != ARM_OK)
        return s;
    return finish_call(p, "substring", position, args, n, out);
}

/* The SQL-syntax functions; *handled false for an ordinary call. The "(" is consumed. */
static arm_status parse_special_call(parser *p, const token *name, ast_expr **out, bool *handled)
{
    *handled = name->kind == TOKEN_IDENT &&
               (name->keyword == KW_POSITION || name->keyword == KW_TRIM ||
                name->keyword == KW_SUBSTRING) &&
               !token_is_symbol(peek(p), ")");
    if (!*handled)
        return ARM_OK;
    ast_expr **args = parser_alloc(p, 3 * sizeof *args);
    if (args == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    if (name->keyword == KW_POSITION)
        return parse_position(p, name->position, args, out);
    if (name->keyword == KW_TRIM)
        return parse_trim(p, name->position, args, out);
    return parse_substring(p, name->position, args, out);
}

static arm_status parse_call_arguments(parser *p, ast_expr *e)
{
    arm_status s;
    if (accept_symbol(p, "*")) {
        e->u.function.is_star = true;
        return ARM_OK;
    }
    if (token_is_symbol(peek(p), ")"))
        return ARM_OK;
    if (accept_keyword(p, KW_DISTINCT))
        e->u.function.is_distinct = true;
    else
        accept_keyword(p, KW_ALL);
    if ((s = parse_expr_list(p, &e->u.function.args, &e->u.function.arg_count)) != ARM_OK)
        return s;
    if (accept_keyword(p, KW_ORDER)) {
        if ((s = expect_keyword(p, KW_BY)) != ARM_OK ||
            (s = parse_order_by(p, &e->u.function.order_by, &e->u.function.order_by_count)) !=
                ARM_OK)
            return s;
    }
    return ARM_OK;
}

/* name(...) after the "(": arguments, then FILTER (WHERE ...). */
static arm_status parse_function(parser *p, const ast_name *name, const token *name_token,
                                 ast_expr **out)
{
    bool handled = false;
    arm_status s;
    if (name->count == 1 &&
        ((s = parse_special_call(p, name_token, out, &handled)) != ARM_OK || handled))
        return s;
    ast_expr *e = new_expr(p, AST_FUNCTION, name->position);
    if (e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    e->u.function.name = *name;
    if ((s = parse_call_arguments(p, e)) != ARM_OK || (s = expect_symbol(p, ")")) != ARM_OK)
        return s;
    if (accept_keyword(p, KW_FILTER)) {
        if ((s = expect_symbol(p, "(")) != ARM_OK || (s = expect_keyword(p, KW_WHERE)) != ARM_OK ||
            (s = parse_expr(p, &e->u.function.filter)) != ARM_OK ||
            (s = expect_symbol(p, ")")) != ARM_OK)
            return s;
    }
    if (token_is_keyword(peek(p), KW_OVER))
        return parser_not_supported(p, peek(p)->position, "a window function (OVER)");
    *out = e;
    return ARM_OK;
}

/* ---- names and primaries -------------------------------------------------------------- */

/* A column a / t.a / s.t.a, a star t.*, or a call f(...) / s.f(...). */
static arm_status parse_name_primary(parser *p, ast_expr **out)
{
    const token *first = peek(p);
    ast_name name;
    memset(&name, 0, sizeof name);
    name.position = first->position;
    arm_status s;
    for (;;) {
        if (name.count == 3)
            return parser_error(p, "A name has at most three parts.");
        if ((s = parse_ident(p, &name.parts[name.count])) != ARM_OK)
            return s;
        name.count++;
        if (!accept_symbol(p, "."))
            break;
        if (accept_symbol(p, "*")) {
            ast_expr *star = new_expr(p, AST_STAR, first->position);
            if (star == NULL)
                return ARM_ERROR_OUT_OF_MEMORY;
            star->u.star.qualifier = name;
            *out = star;
            return ARM_OK;
        }
    }
    if (accept_symbol(p, "("))
        return parse_function(p, &name, first, out);
    ast_expr *e = new_expr(p, AST_COLUMN_REF, first->position);
    if (e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    e->u.column = name;
    *out = e;
    return ARM_OK;
}

/* LEFT(...) and RIGHT(...) are functions although LEFT and RIGHT are reserved (joins). */
static arm_status parse_reserved_call(parser *p, ast_expr **out)
{
    const token *t = advance(p);
    advance(p); /* ( */
    ast_name name;
    memset(&name, 0, sizeof name);
    name.count = 1;
    name.parts[0].name = keyword_name(t->keyword);
    name.parts[0].position = t->position;
    name.position = t->position;
    return parse_function(p, &name, t, out);
}

static arm_status parse_keyword_primary(parser *p, ast_expr **out)
{
    const token *t = peek(p);
    bool call = token_is_symbol(peek_at(p, 1), "(");
    switch (t->keyword) {
    case KW_NULL:
    case KW_TRUE:
    case KW_FALSE: return keyword_literal(p, out);
    case KW_CASE: return parse_case(p, out);
    case KW_DEFAULT:
        /* Only meaningful in INSERT ... VALUES and UPDATE ... SET; the binder checks. */
        *out = new_expr(p, AST_DEFAULT, advance(p)->position);
        return *out ? ARM_OK : ARM_ERROR_OUT_OF_MEMORY;
    case KW_CURRENT_DATE:
    case KW_CURRENT_TIMESTAMP:
    case KW_LOCALTIMESTAMP:
        advance(p);
        *out =
            function_call(p, t->keyword == KW_CURRENT_DATE ? "current_date" : "current_timestamp",
                          t->position, NULL, 0);
        return *out ? ARM_OK : ARM_ERROR_OUT_OF_MEMORY;
    case KW_CAST: return parse_cast(p, out);
    case KW_TRY_CAST: return call ? parse_cast(p, out) : parse_name_primary(p, out);
    case KW_EXTRACT: return call ? parse_extract(p, out) : parse_name_primary(p, out);
    case KW_EXISTS:
        if (!call)
            return parser_error(p, NULL);
        advance(p);
        advance(p);
        if (!parser_at_query(p))
            return parser_error(p, "EXISTS needs a subquery: EXISTS (SELECT ...).");
        return parse_subquery_expr(p, AST_EXISTS, t->position, out);
    case KW_LEFT:
    case KW_RIGHT:
        if (call)
            return parse_reserved_call(p, out);
        return parser_error(p, NULL);
    default:
        if (keyword_is_reserved(t->keyword))
            return parser_error(p, token_is_keyword(t, KW_FROM) && p->at > 0 &&
                                           token_is_symbol(&p->tokens[p->at - 1], ",")
                                       ? "Remove the comma before FROM."
                                       : NULL);
        return parse_name_primary(p, out);
    }
}

static arm_status parse_paren(parser *p, ast_expr **out)
{
    int32_t position = advance(p)->position;
    if (parser_at_query(p))
        return parse_subquery_expr(p, AST_SUBQUERY, position, out);
    arm_status s = parse_expr(p, out);
    return s == ARM_OK ? expect_symbol(p, ")") : s;
}

/* [a, b, ...] or []; the cursor is at "[". */
static arm_status parse_list(parser *p, ast_expr **out)
{
    ast_expr *e = new_expr(p, AST_LIST, advance(p)->position);
    if (e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    *out = e;
    arm_status s;
    if (!token_is_symbol(peek(p), "]") &&
        (s = parse_expr_list(p, &e->u.list.items, &e->u.list.count)) != ARM_OK)
        return s;
    return expect_symbol(p, "]");
}

static arm_status parse_primary(parser *p, ast_expr **out)
{
    const token *t = peek(p);
    switch (t->kind) {
    case TOKEN_NUMBER: return number_literal(p, advance(p), out);
    case TOKEN_STRING:
        advance(p);
        *out = string_literal(p, t->text, t->text_length, t->position);
        return *out ? ARM_OK : ARM_ERROR_OUT_OF_MEMORY;
    case TOKEN_PARAMETER: return parameter(p, out);
    case TOKEN_SYMBOL:
        if (token_is_symbol(t, "("))
            return parse_paren(p, out);
        if (token_is_symbol(t, "["))
            return parse_list(p, out);
        if (token_is_symbol(t, "*")) {
            *out = new_expr(p, AST_STAR, advance(p)->position);
            return *out ? ARM_OK : ARM_ERROR_OUT_OF_MEMORY;
        }
        return parser_error(p, token_is_symbol(t, "==") ? "Use = to compare values." : NULL);
    case TOKEN_IDENT:
        if (peek_at(p, 1)->kind == TOKEN_STRING && !token_is_reserved(t))
            return parse_typed_literal(p, out);
        if (t->keyword != KW_NONE)
            return parse_keyword_primary(p, out);
        return parse_name_primary(p, out);
    case TOKEN_QUOTED_IDENT: return parse_name_primary(p, out);
    case TOKEN_END: break;
    }
    return parser_error(p, NULL);
}

/* A primary followed by ::type casts. */
static arm_status parse_postfix(parser *p, ast_expr **out)
{
    arm_status s = parse_primary(p, out);
    while (s == ARM_OK && token_is_symbol(peek(p), "::")) {
        ast_expr *e = new_expr(p, AST_CAST, advance(p)->position);
        if (e == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        e->u.cast.operand = *out;
        s = parse_type(p, &e->u.cast.type);
        *out = e;
    }
    return s;
}

/* Prefix operators: NOT (below IS) and unary signs (above * /), else a postfix expression. */
static arm_status parse_prefix(parser *p, ast_expr **out)
{
    const token *t = peek(p);
    const char *op = token_is_keyword(t, KW_NOT) ? "NOT"
                     : token_is_symbol(t, "-")   ? "-"
                     : token_is_symbol(t, "+")   ? "+"
                                                 : NULL;
    if (op == NULL)
        return parse_postfix(p, out);
    advance(p);
    ast_expr *operand;
    arm_status s = parse_binary(p, op[0] == 'N' ? LEVEL_NOT : LEVEL_UNARY, &operand);
    if (s != ARM_OK)
        return s;
    *out = unary(p, op, operand, t->position);
    return *out ? ARM_OK : ARM_ERROR_OUT_OF_MEMORY;
}

/* ---- infix and postfix operators -------------------------------------------------------- */

/* The level of the operator at the cursor, and its AST spelling for plain binary operators. */
static int operator_level(const parser *p, const char **op)
{
    const token *t = peek(p);
    *op = NULL;
    if (t->kind == TOKEN_SYMBOL) {
        switch (t->symbol) {
        case SYMBOL_CODE2('=', 0): *op = "="; return LEVEL_COMPARISON;
        case SYMBOL_CODE2('<', '>'):
        case SYMBOL_CODE2('!', '='): *op = "<>"; return LEVEL_COMPARISON;
        case SYMBOL_CODE2('<', 0): *op = "<"; return LEVEL_COMPARISON;
        case SYMBOL_CODE2('<', '='): *op = "<="; return LEVEL_COMPARISON;
        case SYMBOL_CODE2('>', 0): *op = ">"; return LEVEL_COMPARISON;
        case SYMBOL_CODE2('>', '='): *op = ">="; return LEVEL_COMPARISON;
        case SYMBOL_CODE2('|', '|'): *op = "||"; return LEVEL_CONCAT;
        case SYMBOL_CODE2('+', 0): *op = "+"; return LEVEL_ADD;
        case SYMBOL_CODE2('-', 0): *op = "-"; return LEVEL_ADD;
        case SYMBOL_CODE2('*', 0): *op = "*"; return LEVEL_MULTIPLY;
        case SYMBOL_CODE2('/', 0): *op = "/"; return LEVEL_MULTIPLY;
        case SYMBOL_CODE2('%', 0): *op = "%"; return LEVEL_MULTIPLY;
        default: return LEVEL_NONE;
        }
    }
    if (t->kind != TOKEN_IDENT)
        return LEVEL_NONE;
    switch (t->keyword) {
    case KW_OR: *op = "OR"; return LEVEL_OR;
    case KW_AND: *op = "AND"; return LEVEL_AND;
    case KW_IS:
    case KW_ISNULL:
    case KW_NOTNULL: return LEVEL_IS;
    case KW_BETWEEN:
    case KW_IN:
    case KW_LIKE:
    case KW_ILIKE: return LEVEL_PREDICATE;
    case KW_NOT: {
        keyword_id next = peek_at(p, 1)->kind == TOKEN_IDENT ? peek_at(p, 1)->keyword : KW_NONE;
        bool predicate = next == KW_BETWEEN || next == KW_IN || next == KW_LIKE || next == KW_ILIKE;
        return predicate ? LEVEL_PREDICATE : LEVEL_NONE;
    }
    default: return LEVEL_NONE;
    }
}

/* x [NOT] IN (list) / (query); the cursor is after IN. */
static arm_status parse_in(parser *p, ast_expr *left, bool negated, int32_t position,
                           ast_expr **out)
{
    arm_status s = expect_symbol(p, "(");
    if (s != ARM_OK)
        return s;
    ast_expr *e;
    if (parser_at_query(p)) {
        if ((e = new_expr(p, AST_IN_SUBQUERY, position)) == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        e->u.in_subquery.operand = left;
        e->u.in_subquery.negated = negated;
        s = parse_query(p, &e->u.in_subquery.query);
    } else {
        if ((e = new_expr(p, AST_IN_LIST, position)) == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        e->u.in_list.operand = left;
        e->u.in_list.negated = negated;
        s = parse_expr_list(p, &e->u.in_list.list, &e->u.in_list.count);
    }
    if (s != ARM_OK)
        return s;
    *out = e;
    return expect_symbol(p, ")");
}

/* x [NOT] BETWEEN [SYMMETRIC] lo AND hi; SYMMETRIC becomes (x BETWEEN lo AND hi OR x BETWEEN hi AND
 * lo). */
static arm_status parse_between(parser *p, ast_expr *left, bool negated, int32_t position,
                                ast_expr **out)
{
    ast_expr *e = new_expr(p, AST_BETWEEN, position);
    if (e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    e->u.between.operand = left;
    e->u.between.negated = negated;
    bool symmetric = accept_keyword(p, KW_SYMMETRIC);
    if (!symmetric)
        accept_keyword(p, KW_ASYMMETRIC);
    arm_status s;
    if ((s = parse_binary(p, LEVEL_CONCAT, &e->u.between.low)) != ARM_OK ||
        (s = expect_keyword(p, KW_AND)) != ARM_OK ||
        (s = parse_binary(p, LEVEL_CONCAT, &e->u.between.high)) != ARM_OK)
        return s;
    *out = e;
    if (!symmetric)
        return ARM_OK;
    ast_expr *swapped = new_expr(p, AST_BETWEEN, position);
    if (swapped == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    *swapped = *e;
    swapped->u.between.low = e->u.between.high;
    swapped->u.between.high = e->u.between.low;
    swapped->u.between.negated = false;
    e->u.between.negated = false;
    ast_expr *either = binary(p, "OR", e, swapped, position);
    *out = either != NULL && negated ? unary(p, "NOT", either, position) : either;
    return *out ? ARM_OK : ARM_ERROR_OUT_OF_MEMORY;
}

static arm_status parse_like(parser *p, ast_expr *left, bool negated, int32_t position,
                             ast_expr **out)
{
    ast_expr *e = new_expr(p, AST_LIKE, position);
    if (e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    e->u.like.operand = left;
    e->u.like.negated = negated;
    e->u.like.case_insensitive = token_is_keyword(advance(p), KW_ILIKE);
    arm_status s = parse_binary(p, LEVEL_CONCAT, &e->u.like.pattern);
    if (s == ARM_OK && accept_keyword(p, KW_ESCAPE))
        s = parse_binary(p, LEVEL_CONCAT, &e->u.like.escape);
    *out = e;
    return s;
}

static arm_status parse_predicate(parser *p, ast_expr *left, ast_expr **out)
{
    int32_t position = peek(p)->position;
    bool negated = accept_keyword(p, KW_NOT);
    if (accept_keyword(p, KW_BETWEEN))
        return parse_between(p, left, negated, position, out);
    if (accept_keyword(p, KW_IN))
        return parse_in(p, left, negated, position, out);
    return parse_like(p, left, negated, position, out);
}

/* IS [NOT] NULL / UNKNOWN / TRUE / FALSE / DISTINCT FROM y, ISNULL, NOTNULL. */
static arm_status parse_is(parser *p, ast_expr *left, ast_expr **out)
{
    const token *t = advance(p);
    bool negated = t->keyword == KW_NOTNULL;
    ast_expr *e;
    arm_status s = ARM_OK;
    if (t->keyword != KW_IS) {
        e = new_expr(p, AST_IS_NULL, t->position);
    } else {
        negated = accept_keyword(p, KW_NOT);
        const token *what = peek(p);
        bool known = token_is_keyword(what, KW_NULL) || token_is_keyword(what, KW_UNKNOWN) ||
                     token_is_keyword(what, KW_TRUE) || token_is_keyword(what, KW_FALSE) ||
                     token_is_keyword(what, KW_DISTINCT);
        if (!known)
            return parser_error(p, "Expected NULL, TRUE, FALSE or DISTINCT FROM after IS.");
        advance(p);
        if (token_is_keyword(what, KW_NULL) || token_is_keyword(what, KW_UNKNOWN)) {
            e = new_expr(p, AST_IS_NULL, t->position);
        } else if (token_is_keyword(what, KW_TRUE) || token_is_keyword(what, KW_FALSE)) {
            if ((e = new_expr(p, AST_IS_BOOL, t->position)) != NULL)
                e->u.is.bool_value = what->keyword == KW_TRUE;
        } else {
            if ((s = expect_keyword(p, KW_FROM)) != ARM_OK)
                return s;
            if ((e = new_expr(p, AST_IS_DISTINCT, t->position)) != NULL &&
                (s = parse_binary(p, LEVEL_COMPARISON, &e->u.is.other)) != ARM_OK)
                return s;
        }
    }
    if (e == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    e->u.is.operand = left;
    e->u.is.negated = negated;
    *out = e;
    return ARM_OK;
}

/*
 * Precedence climbing: a prefix expression, then every infix/postfix
 * operator whose level is at least `min_level`, left-associative.
 */
static arm_status parse_binary(parser *p, int min_level, ast_expr **out)
{
    arm_status s = parser_enter(p);
    if (s != ARM_OK || (s = parse_prefix(p, out)) != ARM_OK)
        goto done;
    for (;;) {
        const char *op;
        int level = operator_level(p, &op);
        if (level == LEVEL_NONE || level < min_level)
            break;
        if (level == LEVEL_IS) {
            s = parse_is(p, *out, out);
        } else if (level == LEVEL_PREDICATE) {
            s = parse_predicate(p, *out, out);
        } else {
            int32_t position = advance(p)->position;
            ast_expr *right;
            if ((s = parse_binary(p, level + 1, &right)) == ARM_OK &&
                (*out = binary(p, op, *out, right, position)) == NULL)
                s = ARM_ERROR_OUT_OF_MEMORY;
        }
        if (s != ARM_OK)
            goto done;
    }
    if (token_is_symbol(peek(p), "==") && min_level <= LEVEL_COMPARISON)
        s = parser_error(p, "Use = to compare values.");
done:
    parser_leave(p);
    return s;
}
