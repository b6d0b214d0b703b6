/*
 * parser_query.c: query expressions: WITH, SELECT blocks, VALUES, FROM with
 * joins, subqueries, table functions and time travel, set operations
 * (INTERSECT binds tighter than UNION and EXCEPT), ORDER BY, LIMIT, OFFSET.
 */
#include <stdlib.h>
#include <string.h>

#include "sql/parser_internal.h"

static bool at_keyword(const parser *p, const char *word)
{
    return token_is_keyword(peek(p), word);
}

/* An implicit alias: an identifier that cannot start the next clause. */
static bool can_be_alias(const parser *p)
{
    const token *t = peek(p);
    if (t->kind == TOKEN_QUOTED_IDENT)
        return true;
    if (t->kind != TOKEN_IDENT || parser_is_reserved(t->text))
        return false;
    static const char *const clause_words[] = {"version", "at", "filter", "qualify",
                                               "match_recognize"};
    for (size_t i = 0; i < sizeof clause_words / sizeof clause_words[0]; i++)
        if (strcasecmp(t->text, clause_words[i]) == 0)
            return false;
    return true;
}

static arm_status parse_alias(parser *p, ast_ident *alias, bool allow_implicit)
{
    if (accept_keyword(p, "as"))
        return parse_ident(p, alias);
    if (allow_implicit && can_be_alias(p))
        return parse_ident(p, alias);
    return ARM_OK;
}

static arm_status parse_ident_list(parser *p, ast_ident **out, uint32_t *count)
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

/* VERSION n | VERSION AS OF n | AT (VERSION => n) | AS OF TIMESTAMP expr | @branch */
static arm_status parse_time_travel(parser *p, ast_time_travel *travel)
{
    arm_status s;
    if (token_is_symbol(peek(p), "@")) {
        advance(p);
        /* branch names may contain / - . : take tokens until a space-separated one */
        const token *first = peek(p);
        if (first->kind != TOKEN_IDENT && first->kind != TOKEN_QUOTED_IDENT &&
            first->kind != TOKEN_NUMBER)
            return parser_error(p, "Expected a branch or tag name after @.");
        int32_t start = first->position;
        int32_t end = start + (int32_t)first->length;
        advance(p);
        while (peek(p)->position == end && peek(p)->kind != TOKEN_END &&
               (peek(p)->kind != TOKEN_SYMBOL || token_is_symbol(peek(p), "/") ||
                token_is_symbol(peek(p), "-") || token_is_symbol(peek(p), "."))) {
            end = peek(p)->position + (int32_t)peek(p)->length;
            advance(p);
        }
        travel->branch.name = first->kind == TOKEN_QUOTED_IDENT
                                  ? first->text
                                  : arena_strndup(p->a, p->sql + start, (size_t)(end - start));
        travel->branch.quoted = first->kind == TOKEN_QUOTED_IDENT;
        travel->branch.position = start;
        if (travel->branch.name == NULL)
            return error_out_of_memory(p->err);
    }
    if (at_keyword(p, "version") &&
        (peek_at(p, 1)->kind == TOKEN_NUMBER || token_is_keyword(peek_at(p, 1), "as"))) {
        advance(p);
        if (accept_keyword(p, "as") && (s = expect_keyword(p, "of")) != ARM_OK)
            return s;
        if (peek(p)->kind != TOKEN_NUMBER)
            return parser_error(p, "Expected a version number.");
        travel->has_version = true;
        travel->version = strtoll(advance(p)->text, NULL, 10);
    } else if (at_keyword(p, "at") && token_is_symbol(peek_at(p, 1), "(")) {
        advance(p);
        advance(p);
        if ((s = expect_keyword(p, "version")) != ARM_OK || (s = expect_symbol(p, "=>")) != ARM_OK)
            return s;
        if (peek(p)->kind != TOKEN_NUMBER)
            return parser_error(p, "Expected a version number.");
        travel->has_version = true;
        travel->version = strtoll(advance(p)->text, NULL, 10);
        if ((s = expect_symbol(p, ")")) != ARM_OK)
            return s;
    } else if (at_keyword(p, "as") && token_is_keyword(peek_at(p, 1), "of")) {
        advance(p);
        advance(p);
        if (accept_keyword(p, "version")) {
            if (peek(p)->kind != TOKEN_NUMBER)
                return parser_error(p, "Expected a version number.");
            travel->has_version = true;
            travel->version = strtoll(advance(p)->text, NULL, 10);
        } else {
            if ((s = expect_keyword(p, "timestamp")) != ARM_OK)
                return s;
            if ((s = parse_expr(p, &travel->as_of_timestamp)) != ARM_OK)
                return s;
        }
    }
    return ARM_OK;
}

static arm_status parse_table_primary(parser *p, ast_table_ref **out)
{
    ast_table_ref *ref = parser_alloc(p, sizeof *ref);
    if (ref == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    ref->position = peek(p)->position;
    arm_status s;
    if (accept_symbol(p, "(")) {
        if (!(at_keyword(p, "select") || at_keyword(p, "with") || at_keyword(p, "values"))) {
            /* a parenthesized join */
            ast_table_ref *inner;
            if ((s = parse_table_primary(p, &inner)) != ARM_OK)
                return s;
            return parser_error(p, "Parenthesized joins are not supported; remove the "
                                   "parentheses.");
        }
        ref->kind = AST_TABLE_SUBQUERY;
        if ((s = parse_query(p, &ref->u.subquery.query)) != ARM_OK ||
            (s = expect_symbol(p, ")")) != ARM_OK)
            return s;
    } else {
        ast_name name;
        if ((s = parse_name(p, &name)) != ARM_OK)
            return s;
        if (accept_symbol(p, "(")) {
            ref->kind = AST_TABLE_FUNCTION;
            ref->u.function.name = name;
            if (!token_is_symbol(peek(p), ")") &&
                (s = parse_expr_list(p, &ref->u.function.args, &ref->u.function.arg_count)) !=
                    ARM_OK)
                return s;
            if ((s = expect_symbol(p, ")")) != ARM_OK)
                return s;
        } else {
            ref->kind = AST_TABLE_NAME;
            ref->u.table.name = name;
            if ((s = parse_time_travel(p, &ref->u.table.travel)) != ARM_OK)
                return s;
        }
    }
    if ((s = parse_alias(p, &ref->alias, true)) != ARM_OK)
        return s;
    if (ref->alias.name != NULL && accept_symbol(p, "(")) {
        if ((s = parse_ident_list(p, &ref->column_aliases, &ref->column_alias_count)) != ARM_OK ||
            (s = expect_symbol(p, ")")) != ARM_OK)
            return s;
    }
    *out = ref;
    return ARM_OK;
}

static bool parse_join_kind(parser *p, ast_join_kind *kind, bool *natural)
{
    *natural = accept_keyword(p, "natural");
    if (accept_keyword(p, "join")) {
        *kind = AST_JOIN_INNER;
        return true;
    }
    uint32_t save = p->at;
    if (accept_keyword(p, "inner"))
        *kind = AST_JOIN_INNER;
    else if (accept_keyword(p, "left"))
        *kind = AST_JOIN_LEFT;
    else if (accept_keyword(p, "right"))
        *kind = AST_JOIN_RIGHT;
    else if (accept_keyword(p, "full"))
        *kind = AST_JOIN_FULL;
    else if (accept_keyword(p, "cross"))
        *kind = AST_JOIN_CROSS;
    else {
        p->at = save;
        return false;
    }
    if (*kind != AST_JOIN_INNER && *kind != AST_JOIN_CROSS)
        accept_keyword(p, "outer");
    if (!accept_keyword(p, "join")) {
        p->at = save;
        return false;
    }
    return true;
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
        if (kind != AST_JOIN_CROSS && !natural) {
            if (accept_keyword(p, "on")) {
                s = parse_expr(p, &join->u.join.on);
            } else if (accept_keyword(p, "using")) {
                if ((s = expect_symbol(p, "(")) == ARM_OK &&
                    (s = parse_ident_list(p, &join->u.join.using_columns,
                                          &join->u.join.using_count)) == ARM_OK)
                    s = expect_symbol(p, ")");
            } else {
                return parser_error(p, "A JOIN needs ON or USING (or use CROSS JOIN).");
            }
        }
        *out = join;
    }
    return s;
}

static arm_status parse_from(parser *p, ast_table_ref **out)
{
    arm_status s = parse_table_ref(p, out);
    while (s == ARM_OK && accept_symbol(p, ",")) {
        ast_table_ref *join = parser_alloc(p, sizeof *join);
        if (join == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        join->kind = AST_TABLE_JOIN;
        join->position = peek(p)->position;
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
        if (at_keyword(p, "from"))
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
    if (accept_keyword(p, "values")) {
        *out = sel;
        return parse_values(p, sel);
    }
    if ((s = expect_keyword(p, "select")) != ARM_OK)
        return s;
    if (accept_keyword(p, "distinct")) {
        sel->distinct = true;
        if (at_keyword(p, "on")) {
            error_set(p->err, ARM_ERROR_NOT_SUPPORTED, "0A000", peek(p)->position,
                      "SELECT DISTINCT ON is not supported yet");
            return ARM_ERROR_NOT_SUPPORTED;
        }
    } else {
        accept_keyword(p, "all");
    }
    if ((s = parse_select_items(p, sel)) != ARM_OK)
        return s;
    if (accept_keyword(p, "from") && (s = parse_from(p, &sel->from)) != ARM_OK)
        return s;
    if (accept_keyword(p, "where") && (s = parse_expr(p, &sel->where)) != ARM_OK)
        return s;
    if (accept_keyword(p, "group")) {
        if ((s = expect_keyword(p, "by")) != ARM_OK ||
            (s = parse_expr_list(p, &sel->group_by, &sel->group_by_count)) != ARM_OK)
            return s;
    }
    if (accept_keyword(p, "having") && (s = parse_expr(p, &sel->having)) != ARM_OK)
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
        if (accept_keyword(p, "desc"))
            item->descending = true;
        else
            accept_keyword(p, "asc");
        if (accept_keyword(p, "nulls")) {
            if (accept_keyword(p, "first"))
                item->nulls_first = 1;
            else if (accept_keyword(p, "last"))
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
        if (++p->depth > PARSER_MAX_DEPTH) {
            error_set(p->err, ARM_ERROR_SYNTAX, "54001", peek(p)->position,
                      "statement is nested too deeply");
            return ARM_ERROR_SYNTAX;
        }
        arm_status s = parse_query(p, out);
        p->depth--;
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
    while (s == ARM_OK && at_keyword(p, "intersect")) {
        advance(p);
        bool all = accept_keyword(p, "all");
        if (!all)
            accept_keyword(p, "distinct");
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
    if (accept_keyword(p, "recursive")) {
        error_set(p->err, ARM_ERROR_NOT_SUPPORTED, "0A000", p->tokens[p->at - 1].position,
                  "WITH RECURSIVE is not supported yet");
        return ARM_ERROR_NOT_SUPPORTED;
    }
    uint32_t capacity = 0;
    do {
        q->ctes = parser_push(p, q->ctes, &q->cte_count, &capacity, sizeof *q->ctes);
        if (q->ctes == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        ast_cte *cte = &q->ctes[q->cte_count - 1];
        arm_status s = parse_ident(p, &cte->name);
        if (s != ARM_OK)
            return s;
        if (accept_symbol(p, "(") &&
            ((s = parse_ident_list(p, &cte->column_names, &cte->column_name_count)) != ARM_OK ||
             (s = expect_symbol(p, ")")) != ARM_OK))
            return s;
        if ((s = expect_keyword(p, "as")) != ARM_OK)
            return s;
        accept_keyword(p, "materialized");
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
        if (accept_keyword(p, "limit")) {
            if (accept_keyword(p, "all"))
                continue;
            if ((s = parse_expr(p, &q->limit)) != ARM_OK)
                return s;
        } else if (accept_keyword(p, "offset")) {
            if ((s = parse_expr(p, &q->offset)) != ARM_OK)
                return s;
            if (!accept_keyword(p, "rows"))
                accept_keyword(p, "row");
        } else if (accept_keyword(p, "fetch")) {
            if (!accept_keyword(p, "first") && (s = expect_keyword(p, "next")) != ARM_OK)
                return s;
            if ((s = parse_expr(p, &q->limit)) != ARM_OK)
                return s;
            if (!accept_keyword(p, "rows") && (s = expect_keyword(p, "row")) != ARM_OK)
                return s;
            if ((s = expect_keyword(p, "only")) != ARM_OK)
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

arm_status parse_query(parser *p, ast_query **out)
{
    ast_query *with = NULL;
    arm_status s;
    if (accept_keyword(p, "with")) {
        with = parser_alloc(p, sizeof *with);
        if (with == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        if ((s = parse_ctes(p, with)) != ARM_OK)
            return s;
    }
    ast_query *q;
    if ((s = parse_query_term(p, &q)) != ARM_OK)
        return s;
    while (at_keyword(p, "union") || at_keyword(p, "except")) {
        ast_set_op op = at_keyword(p, "union") ? AST_SET_UNION : AST_SET_EXCEPT;
        advance(p);
        bool all = accept_keyword(p, "all");
        if (!all)
            accept_keyword(p, "distinct");
        ast_query *right;
        if ((s = parse_query_term(p, &right)) != ARM_OK)
            return s;
        if ((q = set_node(p, op, all, q, right)) == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
    }
    bool has_tail = at_keyword(p, "order") || at_keyword(p, "limit") || at_keyword(p, "offset") ||
                    at_keyword(p, "fetch");
    if ((has_tail && (q->order_by_count || q->limit || q->offset)) ||
        (with != NULL && q->cte_count > 0)) {
        /* The tail (or WITH) applies to the whole: wrap as SELECT * FROM (q). */
        if ((q = wrap_query(p, q)) == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
    }
    if (accept_keyword(p, "order")) {
        if ((s = expect_keyword(p, "by")) != ARM_OK ||
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
