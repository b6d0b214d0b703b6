/*
 * parser_query.c: query expressions: WITH, SELECT blocks, VALUES, FROM with
 * joins, subqueries, table functions and time travel, set operations
 * (INTERSECT binds tighter than UNION and EXCEPT), ORDER BY, LIMIT, OFFSET.
 */
#include <stdlib.h>
#include <string.h>

#include "sql/parser_internal.h"

static bool at_keyword(const parser *p, keyword_id word)
{
    return token_is_keyword(peek(p), word);
}

/* An implicit alias: an identifier that cannot start the next clause. */
static bool can_be_alias(const parser *p)
{
    const token *t = peek(p);
    if (t->kind == TOKEN_QUOTED_IDENT)
        return true;
    if (t->kind != TOKEN_IDENT || token_is_reserved(t))
        return false;
    return t->keyword != KW_VERSION && t->keyword != KW_AT && t->keyword != KW_FILTER;
}

static arm_status parse_alias(parser *p, ast_ident *alias, bool allow_implicit)
{
    if (accept_keyword(p, KW_AS))
        return parse_ident(p, alias);
    if (!allow_implicit || !can_be_alias(p))
        return ARM_OK;
    /* SELECT a FORM t: FORM would become an alias and the error would point at t */
    const token *next = peek_at(p, 1);
    if (token_is_keyword(peek(p), KW_FORM) &&
        (next->kind == TOKEN_IDENT || next->kind == TOKEN_QUOTED_IDENT))
        return parser_error(p, "Did you mean FROM?");
    return parse_ident(p, alias);
}

/* A version number after VERSION / VERSION AS OF / AT (VERSION => ...). */
static arm_status parse_version_number(parser *p, ast_time_travel *travel)
{
    const token *t = peek(p);
    if (t->kind != TOKEN_NUMBER || strpbrk(t->text, ".eE") != NULL || t->length > 18)
        return parser_error(p, "Expected a version number.");
    travel->has_version = true;
    travel->version = strtoll(advance(p)->text, NULL, 10);
    return ARM_OK;
}

/* @branch: the name may contain / - . (feature/x, release-1.2): adjacent tokens join it. */
static arm_status parse_branch(parser *p, ast_time_travel *travel)
{
    advance(p); /* @ */
    return parse_ref_name(p, &travel->branch);
}

/* A branch or tag name: an identifier, or words joined by / - . without spaces (feature/x-1). */
arm_status parse_ref_name(parser *p, ast_ident *out)
{
    const token *first = peek(p);
    if (first->kind != TOKEN_IDENT && first->kind != TOKEN_QUOTED_IDENT &&
        first->kind != TOKEN_NUMBER)
        return parser_error(p, "Expected a branch or tag name.");
    int32_t start = first->position;
    int32_t end = start + (int32_t)first->length;
    advance(p);
    while (first->kind != TOKEN_QUOTED_IDENT && peek(p)->position == end) {
        const token *t = peek(p);
        bool joins = t->kind == TOKEN_IDENT || t->kind == TOKEN_NUMBER || token_is_symbol(t, "/") ||
                     token_is_symbol(t, "-") || token_is_symbol(t, ".");
        if (!joins)
            break;
        end = t->position + (int32_t)t->length;
        advance(p);
    }
    out->name = first->kind == TOKEN_QUOTED_IDENT
                    ? first->text
                    : arena_strndup(p->a, p->sql + start, (size_t)(end - start));
    out->quoted = first->kind == TOKEN_QUOTED_IDENT;
    out->position = start;
    return out->name ? ARM_OK : error_out_of_memory(p->err);
}

/* [@branch] then VERSION n | VERSION AS OF n | AT (VERSION => n) | AS OF TIMESTAMP expr */
static arm_status parse_time_travel(parser *p, ast_time_travel *travel)
{
    arm_status s = ARM_OK;
    if (token_is_symbol(peek(p), "@") && (s = parse_branch(p, travel)) != ARM_OK)
        return s;
    const token *next = peek_at(p, 1);
    if (at_keyword(p, KW_VERSION) &&
        (next->kind == TOKEN_NUMBER || token_is_keyword(next, KW_AS))) {
        advance(p);
        if (accept_keyword(p, KW_AS) && (s = expect_keyword(p, KW_OF)) != ARM_OK)
            return s;
        return parse_version_number(p, travel);
    }
    if (at_keyword(p, KW_AT) && token_is_symbol(next, "(")) {
        p->at += 2;
        if ((s = expect_keyword(p, KW_VERSION)) != ARM_OK ||
            (s = expect_symbol(p, "=>")) != ARM_OK ||
            (s = parse_version_number(p, travel)) != ARM_OK)
            return s;
        return expect_symbol(p, ")");
    }
    if (at_keyword(p, KW_AS) && token_is_keyword(next, KW_OF)) {
        p->at += 2;
        if (accept_keyword(p, KW_VERSION))
            return parse_version_number(p, travel);
        if ((s = expect_keyword(p, KW_TIMESTAMP)) != ARM_OK)
            return s;
        return parse_expr(p, &travel->as_of_timestamp);
    }
    return ARM_OK;
}

/* After "(": true when a query starts here, possibly behind more parentheses. */
static bool at_parenthesized_query(const parser *p)
{
    uint32_t ahead = 0;
    while (token_is_symbol(peek_at(p, ahead), "("))
        ahead++;
    const token *t = peek_at(p, ahead);
    return token_is_keyword(t, KW_SELECT) || token_is_keyword(t, KW_WITH) ||
           token_is_keyword(t, KW_VALUES);
}

/* name(args): read_parquet('f') and other table functions; the cursor is after "(". */
static arm_status parse_table_function(parser *p, ast_table_ref *ref, const ast_name *name)
{
    ref->kind = AST_TABLE_FUNCTION;
    ref->u.function.name = *name;
    arm_status s;
    if (!token_is_symbol(peek(p), ")") &&
        (s = parse_expr_list(p, &ref->u.function.args, &ref->u.function.arg_count)) != ARM_OK)
        return s;
    return expect_symbol(p, ")");
}

static arm_status parse_table_ref(parser *p, ast_table_ref **out);

/* ( query ) or ( joined tables ); the cursor is after "(". */
static arm_status parse_parenthesized_from(parser *p, ast_table_ref *ref, ast_table_ref **out)
{
    arm_status s;
    if (at_parenthesized_query(p)) {
        ref->kind = AST_TABLE_SUBQUERY;
        if ((s = parse_query(p, &ref->u.subquery.query)) == ARM_OK)
            s = expect_symbol(p, ")");
        return s;
    }
    if ((s = parse_table_ref(p, out)) != ARM_OK || (s = expect_symbol(p, ")")) != ARM_OK)
        return s;
    if ((*out)->kind == AST_TABLE_JOIN && (at_keyword(p, KW_AS) || can_be_alias(p)))
        return parser_not_supported(p, peek(p)->position, "an alias for a parenthesized join");
    return ARM_OK;
}

static arm_status parse_table_primary(parser *p, ast_table_ref **out)
{
    ast_table_ref *ref = parser_alloc(p, sizeof *ref);
    if (ref == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    ref->position = peek(p)->position;
    *out = ref;
    arm_status s = parser_enter(p);
    if (s != ARM_OK)
        goto done;
    if (accept_symbol(p, "(")) {
        s = parse_parenthesized_from(p, ref, out);
        if (s != ARM_OK || (*out != ref && ((*out)->kind == AST_TABLE_JOIN || (*out)->alias.name)))
            goto done;
        ref = *out; /* (t) AS x: the alias goes to the table inside */
    } else {
        ast_name name;
        if ((s = parse_name(p, &name)) != ARM_OK)
            goto done;
        if (accept_symbol(p, "(")) {
            s = parse_table_function(p, ref, &name);
        } else {
            ref->kind = AST_TABLE_NAME;
            ref->u.table.name = name;
            s = parse_time_travel(p, &ref->u.table.travel);
        }
        if (s != ARM_OK)
            goto done;
    }
    if ((s = parse_alias(p, &ref->alias, true)) == ARM_OK && ref->alias.name != NULL &&
        token_is_symbol(peek(p), "("))
        s = parse_paren_ident_list(p, &ref->column_aliases, &ref->column_alias_count);
done:
    parser_leave(p);
    return s;
}

static bool parse_join_kind(parser *p, ast_join_kind *kind, bool *natural)
{
    uint32_t save = p->at;
    *natural = accept_keyword(p, KW_NATURAL);
    *kind = AST_JOIN_INNER;
    if (accept_keyword(p, KW_JOIN))
        return true;
    if (accept_keyword(p, KW_INNER))
        *kind = AST_JOIN_INNER;
    else if (accept_keyword(p, KW_LEFT))
        *kind = AST_JOIN_LEFT;
    else if (accept_keyword(p, KW_RIGHT))
        *kind = AST_JOIN_RIGHT;
    else if (accept_keyword(p, KW_FULL))
        *kind = AST_JOIN_FULL;
    else if (!*natural && accept_keyword(p, KW_CROSS))
        *kind = AST_JOIN_CROSS;
    if (*kind == AST_JOIN_LEFT || *kind == AST_JOIN_RIGHT || *kind == AST_JOIN_FULL)
        accept_keyword(p, KW_OUTER);
    if (p->at != save && accept_keyword(p, KW_JOIN))
        return true;
    if (!*natural)
        p->at = save;
    return false;
}

/* ON expr | USING (a, b) after JOIN t (not for CROSS or NATURAL joins). */
static arm_status parse_join_condition(parser *p, ast_table_ref *join)
{
    if (accept_keyword(p, KW_ON))
        return parse_expr(p, &join->u.join.on);
    if (accept_keyword(p, KW_USING))
        return parse_paren_ident_list(p, &join->u.join.using_columns, &join->u.join.using_count);
    return parser_error(p, "A JOIN needs ON or USING (or use CROSS JOIN).");
}

static arm_status parse_table_ref(parser *p, ast_table_ref **out)
{
    arm_status s = parse_table_primary(p, out);
    while (s == ARM_OK) {
        int32_t position = peek(p)->position;
        ast_join_kind kind;
        bool natural;
        if (!parse_join_kind(p, &kind, &natural)) {
            if (natural)
                return parser_error(p, "Expected JOIN after NATURAL.");
            break;
        }
        ast_table_ref *join = parser_alloc(p, sizeof *join);
        if (join == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        join->kind = AST_TABLE_JOIN;
        join->position = position;
        join->u.join.kind = kind;
        join->u.join.natural = natural;
        join->u.join.left = *out;
        if ((s = parse_table_primary(p, &join->u.join.right)) != ARM_OK)
            return s;
        if (kind != AST_JOIN_CROSS && !natural)
            s = parse_join_condition(p, join);
        *out = join;
    }
    return s;
}

arm_status parse_table_ref_list(parser *p, ast_table_ref **out)
{
    arm_status s = parse_table_ref(p, out);
    while (s == ARM_OK && token_is_symbol(peek(p), ",")) {
        ast_table_ref *join = parser_alloc(p, sizeof *join);
        if (join == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        join->kind = AST_TABLE_JOIN;
        join->position = advance(p)->position;
        join->u.join.kind = AST_JOIN_CROSS;
        join->u.join.left = *out;
        s = parse_table_ref(p, &join->u.join.right);
        *out = join;
    }
    return s;
}

static arm_status parse_select_items(parser *p, ast_select *sel)
{
    uint32_t capacity = 0;
    do {
        if (at_keyword(p, KW_FROM) && sel->item_count > 0)
            return parser_error(p, "Remove the comma before FROM.");
        sel->items = parser_push(p, sel->items, &sel->item_count, &capacity, sizeof *sel->items);
        if (sel->items == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        ast_select_item *item = &sel->items[sel->item_count - 1];
        arm_status s = parse_expr(p, &item->expr);
        if (s != ARM_OK)
            return s;
        if (item->expr->kind != AST_STAR && (s = parse_alias(p, &item->alias, true)) != ARM_OK)
            return s;
    } while (accept_symbol(p, ","));
    return ARM_OK;
}

static arm_status parse_values(parser *p, ast_select *sel)
{
    uint32_t capacity = 0;
    do {
        arm_status s = expect_symbol(p, "(");
        if (s != ARM_OK)
            return s;
        sel->values_rows = parser_push(p, sel->values_rows, &sel->values_row_count, &capacity,
                                       sizeof *sel->values_rows);
        if (sel->values_rows == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        uint32_t n;
        int32_t position = peek(p)->position;
        if ((s = parse_expr_list(p, &sel->values_rows[sel->values_row_count - 1], &n)) != ARM_OK ||
            (s = expect_symbol(p, ")")) != ARM_OK)
            return s;
        if (sel->values_row_count == 1) {
            sel->values_column_count = n;
        } else if (n != sel->values_column_count) {
            error_set(p->err, ARM_ERROR_SYNTAX, "42601", position,
                      "VALUES lists must all be the same length");
            return ARM_ERROR_SYNTAX;
        }
    } while (accept_symbol(p, ","));
    return ARM_OK;
}

static arm_status parse_select(parser *p, ast_select **out)
{
    ast_select *sel = parser_alloc(p, sizeof *sel);
    if (sel == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    sel->position = peek(p)->position;
    arm_status s;
    if (accept_keyword(p, KW_VALUES)) {
        *out = sel;
        return parse_values(p, sel);
    }
    if ((s = expect_keyword(p, KW_SELECT)) != ARM_OK)
        return s;
    if (accept_keyword(p, KW_DISTINCT)) {
        sel->distinct = true;
        if (at_keyword(p, KW_ON))
            return parser_not_supported(p, peek(p)->position, "SELECT DISTINCT ON");
    } else {
        accept_keyword(p, KW_ALL);
    }
    if ((s = parse_select_items(p, sel)) != ARM_OK)
        return s;
    if (accept_keyword(p, KW_FROM) && (s = parse_table_ref_list(p, &sel->from)) != ARM_OK)
        return s;
    if (accept_keyword(p, KW_WHERE) && (s = parse_expr(p, &sel->where)) != ARM_OK)
        return s;
    if (accept_keyword(p, KW_GROUP)) {
        if ((s = expect_keyword(p, KW_BY)) != ARM_OK ||
            (s = parse_expr_list(p, &sel->group_by, &sel->group_by_count)) != ARM_OK)
            return s;
    }
    if (accept_keyword(p, KW_HAVING) && (s = parse_expr(p, &sel->having)) != ARM_OK)
        return s;
    *out = sel;
    return ARM_OK;
}

arm_status parse_order_by(parser *p, ast_order_item **out, uint32_t *count)
{
    ast_order_item *items = NULL;
    uint32_t n = 0, capacity = 0;
    do {
        if ((items = parser_push(p, items, &n, &capacity, sizeof *items)) == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        ast_order_item *item = &items[n - 1];
        item->nulls_first = -1;
        arm_status s = parse_expr(p, &item->expr);
        if (s != ARM_OK)
            return s;
        if (accept_keyword(p, KW_DESC))
            item->descending = true;
        else
            accept_keyword(p, KW_ASC);
        if (accept_keyword(p, KW_NULLS)) {
            if (accept_keyword(p, KW_FIRST))
                item->nulls_first = 1;
            else if (accept_keyword(p, KW_LAST))
                item->nulls_first = 0;
            else
                return parser_error(p, "Expected FIRST or LAST after NULLS.");
        }
    } while (accept_symbol(p, ","));
    *out = items;
    *count = n;
    return ARM_OK;
}

static arm_status parse_query_term(parser *p, ast_query **out);

/* A primary: a SELECT/VALUES block or a parenthesized query. */
static arm_status parse_query_primary(parser *p, ast_query **out)
{
    if (token_is_symbol(peek(p), "(")) {
        advance(p);
        arm_status s = parse_query(p, out);
        if (s == ARM_OK)
            s = expect_symbol(p, ")");
        return s;
    }
    ast_query *q = parser_alloc(p, sizeof *q);
    if (q == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    q->position = peek(p)->position;
    *out = q;
    return parse_select(p, &q->select);
}

static ast_query *set_node(parser *p, ast_set_op op, bool all, ast_query *left, ast_query *right)
{
    ast_query *q = parser_alloc(p, sizeof *q);
    if (q != NULL) {
        q->position = left->position;
        q->set_op = op;
        q->set_all = all;
        q->left = left;
        q->right = right;
    }
    return q;
}

static arm_status parse_query_term(parser *p, ast_query **out)
{
    arm_status s = parse_query_primary(p, out);
    while (s == ARM_OK && at_keyword(p, KW_INTERSECT)) {
        advance(p);
        bool all = accept_keyword(p, KW_ALL);
        if (!all)
            accept_keyword(p, KW_DISTINCT);
        ast_query *right;
        if ((s = parse_query_primary(p, &right)) != ARM_OK)
            return s;
        if ((*out = set_node(p, AST_SET_INTERSECT, all, *out, right)) == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
    }
    return s;
}

static arm_status parse_ctes(parser *p, ast_query *q)
{
    if (at_keyword(p, KW_RECURSIVE))
        return parser_not_supported(p, peek(p)->position, "WITH RECURSIVE");
    uint32_t capacity = 0;
    do {
        q->ctes = parser_push(p, q->ctes, &q->cte_count, &capacity, sizeof *q->ctes);
        if (q->ctes == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        ast_cte *cte = &q->ctes[q->cte_count - 1];
        arm_status s = parse_ident(p, &cte->name);
        if (s != ARM_OK)
            return s;
        if (token_is_symbol(peek(p), "(") &&
            (s = parse_paren_ident_list(p, &cte->column_names, &cte->column_name_count)) != ARM_OK)
            return s;
        if ((s = expect_keyword(p, KW_AS)) != ARM_OK)
            return s;
        accept_keyword(p, KW_MATERIALIZED);
        if ((s = expect_symbol(p, "(")) != ARM_OK || (s = parse_query(p, &cte->query)) != ARM_OK ||
            (s = expect_symbol(p, ")")) != ARM_OK)
            return s;
    } while (accept_symbol(p, ","));
    return ARM_OK;
}

static arm_status parse_limit_offset(parser *p, ast_query *q)
{
    arm_status s;
    for (;;) {
        if (accept_keyword(p, KW_LIMIT)) {
            if (accept_keyword(p, KW_ALL))
                continue;
            if ((s = parse_expr(p, &q->limit)) != ARM_OK)
                return s;
        } else if (accept_keyword(p, KW_OFFSET)) {
            if ((s = parse_expr(p, &q->offset)) != ARM_OK)
                return s;
            if (!accept_keyword(p, KW_ROWS))
                accept_keyword(p, KW_ROW);
        } else if (accept_keyword(p, KW_FETCH)) {
            if (!accept_keyword(p, KW_FIRST) && (s = expect_keyword(p, KW_NEXT)) != ARM_OK)
                return s;
            if (at_keyword(p, KW_ROW) || at_keyword(p, KW_ROWS)) {
                /* FETCH FIRST ROW ONLY: one row */
                ast_expr *one = parser_alloc(p, sizeof *one);
                if ((q->limit = one) == NULL)
                    return ARM_ERROR_OUT_OF_MEMORY;
                one->kind = AST_LITERAL;
                one->position = peek(p)->position;
                one->u.literal.val = value_bigint(1);
                one->u.literal.text = "1";
            } else if ((s = parse_expr(p, &q->limit)) != ARM_OK) {
                return s;
            }
            if (!accept_keyword(p, KW_ROWS) && (s = expect_keyword(p, KW_ROW)) != ARM_OK)
                return s;
            if ((s = expect_keyword(p, KW_ONLY)) != ARM_OK)
                return s;
        } else {
            return ARM_OK;
        }
    }
}

static ast_query *wrap_query(parser *p, ast_query *inner)
{
    ast_query *q = parser_alloc(p, sizeof *q);
    ast_select *sel = parser_alloc(p, sizeof *sel);
    ast_select_item *item = parser_alloc(p, sizeof *item);
    ast_expr *star = parser_alloc(p, sizeof *star);
    ast_table_ref *from = parser_alloc(p, sizeof *from);
    if (q == NULL || sel == NULL || item == NULL || star == NULL || from == NULL)
        return NULL;
    star->kind = AST_STAR;
    star->position = inner->position;
    item->expr = star;
    from->kind = AST_TABLE_SUBQUERY;
    from->position = inner->position;
    from->u.subquery.query = inner;
    sel->position = inner->position;
    sel->items = item;
    sel->item_count = 1;
    sel->from = from;
    q->position = inner->position;
    q->select = sel;
    return q;
}

static arm_status parse_query_body(parser *p, ast_query **out)
{
    ast_query *with = NULL;
    arm_status s;
    if (accept_keyword(p, KW_WITH)) {
        with = parser_alloc(p, sizeof *with);
        if (with == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        if ((s = parse_ctes(p, with)) != ARM_OK)
            return s;
    }
    ast_query *q;
    if ((s = parse_query_term(p, &q)) != ARM_OK)
        return s;
    while (at_keyword(p, KW_UNION) || at_keyword(p, KW_EXCEPT)) {
        ast_set_op op = at_keyword(p, KW_UNION) ? AST_SET_UNION : AST_SET_EXCEPT;
        advance(p);
        bool all = accept_keyword(p, KW_ALL);
        if (!all)
            accept_keyword(p, KW_DISTINCT);
        ast_query *right;
        if ((s = parse_query_term(p, &right)) != ARM_OK)
            return s;
        if ((q = set_node(p, op, all, q, right)) == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
    }
    bool has_tail = at_keyword(p, KW_ORDER) || at_keyword(p, KW_LIMIT) ||
                    at_keyword(p, KW_OFFSET) || at_keyword(p, KW_FETCH);
    if ((has_tail && (q->order_by_count || q->limit || q->offset)) ||
        (with != NULL && q->cte_count > 0)) {
        /* The tail (or WITH) applies to the whole: wrap as SELECT * FROM (q). */
        if ((q = wrap_query(p, q)) == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
    }
    if (accept_keyword(p, KW_ORDER)) {
        if ((s = expect_keyword(p, KW_BY)) != ARM_OK ||
            (s = parse_order_by(p, &q->order_by, &q->order_by_count)) != ARM_OK)
            return s;
    }
    if ((s = parse_limit_offset(p, q)) != ARM_OK)
        return s;
    if (with != NULL) {
        q->ctes = with->ctes;
        q->cte_count = with->cte_count;
    }
    *out = q;
    return ARM_OK;
}

arm_status parse_query(parser *p, ast_query **out)
{
    arm_status s = parser_enter(p);
    if (s == ARM_OK)
        s = parse_query_body(p, out);
    parser_leave(p);
    return s;
}
