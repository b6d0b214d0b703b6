/*
 * Tests for the arithmetic and comparison operators (function_arith.c):
 * every integer width, floats, decimals, date/time arithmetic, overflow and
 * division by zero with their SQLSTATEs, and the flat/constant/selection paths.
 */
#include "expr_test_util.h"

static logical_type t(type_id id)
{
    return type_make(id);
}

static void test_integer_arithmetic(void)
{
    CHECK_STR_EQ(eval_const(call2("+", lit_int(1), lit_int(1))), "2");
    CHECK_STR_EQ(eval_const(call2("/", lit_int(7), lit_int(2))), "3");
    CHECK_STR_EQ(eval_const(call2("/", lit_int(-7), lit_int(2))), "-3");
    CHECK_STR_EQ(eval_const(call2("%", lit_int(-7), lit_int(3))), "-1");
    CHECK_STR_EQ(eval_const(call2("%", lit_int(7), lit_int(-3))), "1");
    CHECK_STR_EQ(eval_const(call2("*", lit_as("100", t(TYPE_SMALLINT)), lit_int(400))), "40000");
    CHECK_STR_EQ(eval_const(call2("+", lit_as("1", t(TYPE_TINYINT)), lit_as("2", t(TYPE_TINYINT)))),
                 "3");
    expr *sum = call2("+", lit_int(1), lit_big(1));
    CHECK(sum->type.id == TYPE_BIGINT);
    CHECK_STR_EQ(eval_const(call1("negate", lit_int(5))), "-5");
    CHECK_STR_EQ(eval_const(call2("%", lit_int(-2147483647 - 1), lit_int(-1))), "0");
}

static void test_integer_errors(void)
{
    CHECK_STR_EQ(eval_const(call2("+", lit_int(2147483647), lit_int(1))),
                 "ERROR: integer out of range");
    CHECK_STR_EQ(test_err.sqlstate, "22003");
    CHECK_INT_EQ(test_err.position, 3);
    CHECK_STR_EQ(eval_const(call2("+", lit_big(INT64_MAX), lit_big(1))),
                 "ERROR: bigint out of range");
    CHECK_STR_EQ(
        eval_const(call2("*", lit_as("200", t(TYPE_SMALLINT)), lit_as("200", t(TYPE_SMALLINT)))),
        "ERROR: smallint out of range");
    CHECK_STR_EQ(
        eval_const(call2("+", lit_as("100", t(TYPE_TINYINT)), lit_as("100", t(TYPE_TINYINT)))),
        "ERROR: tinyint out of range");
    CHECK_STR_EQ(eval_const(call2("/", lit_int(-2147483647 - 1), lit_int(-1))),
                 "ERROR: integer out of range");
    CHECK_STR_EQ(eval_const(call1("negate", lit_int(-2147483647 - 1))),
                 "ERROR: integer out of range");
    CHECK_STR_EQ(eval_const(call2("/", lit_int(1), lit_int(0))), "ERROR: division by zero");
    CHECK_STR_EQ(test_err.sqlstate, "22012");
    CHECK_STR_EQ(eval_const(call2("%", lit_big(1), lit_big(0))), "ERROR: division by zero");
}

static void test_float_arithmetic(void)
{
    CHECK_STR_EQ(eval_const(call2("+", lit_dbl(0.1), lit_dbl(0.2))), "0.30000000000000004");
    CHECK_STR_EQ(eval_const(call2("/", lit_dbl(1), lit_dbl(4))), "0.25");
    CHECK_STR_EQ(eval_const(call2("/", lit_dbl(1), lit_dbl(0))), "ERROR: division by zero");
    CHECK_STR_EQ(eval_const(call2("*", lit_dbl(1e308), lit_dbl(10))),
                 "ERROR: value out of range: overflow");
    CHECK_STR_EQ(test_err.sqlstate, "22003");
    CHECK_STR_EQ(eval_const(call2("*", lit_dbl(1e-300), lit_dbl(1e-300))),
                 "ERROR: value out of range: underflow");
    CHECK_STR_EQ(eval_const(call2("+", lit_as("Infinity", t(TYPE_DOUBLE)), lit_dbl(1))),
                 "Infinity");
    CHECK_STR_EQ(eval_const(call2("*", lit_as("1.5", t(TYPE_REAL)), lit_as("2", t(TYPE_REAL)))),
                 "3");
    /* an integer and a double meet at DOUBLE */
    expr *mixed = call2("+", lit_int(1), lit_dbl(0.5));
    CHECK(mixed->type.id == TYPE_DOUBLE);
    CHECK_STR_EQ(eval_const(mixed), "1.5");
}

static void test_decimal_arithmetic(void)
{
    expr *x = lit_as("1.50", type_decimal(4, 2)), *y = lit_as("2.250", type_decimal(5, 3));
    expr *sum = call2("+", x, y);
    CHECK(sum->type.id == TYPE_DECIMAL && sum->type.scale == 3);
    CHECK_STR_EQ(eval_const(sum), "3.750");
    CHECK_STR_EQ(eval_const(call2("-", x, y)), "-0.750");
    expr *product = call2("*", x, y);
    CHECK_INT_EQ(product->type.scale, 5);
    CHECK_STR_EQ(eval_const(product), "3.37500");
    CHECK_STR_EQ(
        eval_const(call2("/", lit_as("1", type_decimal(10, 2)), lit_as("3", type_decimal(10, 2)))),
        "0.333333");
    CHECK_STR_EQ(
        eval_const(call2("/", lit_as("2", type_decimal(10, 0)), lit_as("3", type_decimal(10, 0)))),
        "0.666667");
    CHECK_STR_EQ(
        eval_const(call2("%", lit_as("-1.5", type_decimal(2, 1)), lit_as("1", type_decimal(1, 0)))),
        "-0.5");
    CHECK_STR_EQ(
        eval_const(call2("%", lit_as("7.25", type_decimal(3, 2)), lit_as("2", type_decimal(1, 0)))),
        "1.25");
    CHECK_STR_EQ(eval_const(call1("negate", x)), "-1.50");
    CHECK_STR_EQ(eval_const(call2("/", x, lit_as("0", type_decimal(4, 2)))),
                 "ERROR: division by zero");
    /* integers meet decimals as exact decimals */
    expr *mixed = call2("*", lit_int(3), x);
    CHECK(mixed->type.id == TYPE_DECIMAL);
    CHECK_STR_EQ(eval_const(mixed), "4.50");
    /* 38 digits is the limit */
    expr *big = lit_as("99999999999999999999999999999999999999", type_decimal(38, 0));
    CHECK_STR_EQ(eval_const(call2("+", big, big)), "ERROR: numeric field overflow");
    CHECK_STR_EQ(test_err.sqlstate, "22003");
    /* wide decimals (int128 storage) */
    expr *wide = lit_as("12345678901234567890.5", type_decimal(30, 1));
    CHECK_STR_EQ(eval_const(call2("+", wide, wide)), "24691357802469135781.0");
}

static void test_comparisons(void)
{
    CHECK_STR_EQ(eval_const(call2("<", lit_int(1), lit_int(2))), "true");
    CHECK_STR_EQ(eval_const(call2(">=", lit_big(2), lit_int(2))), "true");
    CHECK_STR_EQ(eval_const(call2("<>", lit_dbl(1.5), lit_int(1))), "true");
    CHECK_STR_EQ(eval_const(call2("=", lit_null(TYPE_INTEGER), lit_int(1))), "NULL");
    CHECK_STR_EQ(eval_const(call2("<", lit_str("a"), lit_str("b"))), "true");
    CHECK_STR_EQ(eval_const(call2("<", lit_str("a"), lit_str("ab"))), "true");
    CHECK_STR_EQ(eval_const(call2("<", lit_str(""), lit_str("a"))), "true");
    CHECK_STR_EQ(eval_const(call2("<", lit_str("abcdefghijklmnop"), lit_str("abcdefghijklmnoq"))),
                 "true");
    CHECK_STR_EQ(eval_const(call2("=", lit_str("abcdefghijklmnop"), lit_str("abcdefghijklmnop"))),
                 "true");
    CHECK_STR_EQ(eval_const(call2(">", lit_str("b"), lit_str("abcdefghijklmnop"))), "true");
    /* bytes compare unsigned: é (0xc3 0xa9) sorts after z */
    CHECK_STR_EQ(eval_const(call2(">", lit_str("\xc3\xa9"), lit_str("z"))), "true");
    CHECK_STR_EQ(
        eval_const(call2(">", lit_as("true", t(TYPE_BOOLEAN)), lit_as("false", t(TYPE_BOOLEAN)))),
        "true");
    CHECK_STR_EQ(eval_const(call2("<", lit_as("2026-01-01", t(TYPE_DATE)),
                                  lit_as("2026-01-02", t(TYPE_DATE)))),
                 "true");
    CHECK_STR_EQ(eval_const(call2("=", lit_as("30 days", t(TYPE_INTERVAL)),
                                  lit_as("1 month", t(TYPE_INTERVAL)))),
                 "true");
    CHECK_STR_EQ(eval_const(call2("=", lit_as("24 hours", t(TYPE_INTERVAL)),
                                  lit_as("1 day", t(TYPE_INTERVAL)))),
                 "true");
    CHECK_STR_EQ(eval_const(call2(">", lit_as("1 month", t(TYPE_INTERVAL)),
                                  lit_as("29 days", t(TYPE_INTERVAL)))),
                 "true");
    CHECK_STR_EQ(eval_const(call2("=", lit_as("1.50", type_decimal(4, 2)),
                                  lit_as("1.5", type_decimal(2, 1)))),
                 "true");
    CHECK_STR_EQ(eval_const(call2("<", lit_as("1.49", type_decimal(4, 2)),
                                  lit_as("1.5", type_decimal(2, 1)))),
                 "true");
}

static void test_date_arithmetic(void)
{
    expr *d = lit_as("2026-11-22", t(TYPE_DATE));
    expr *ts = lit_as("2026-01-31 10:00:00", t(TYPE_TIMESTAMP));
    CHECK_STR_EQ(eval_const(call2("+", d, lit_int(10))), "2026-12-02");
    CHECK_STR_EQ(eval_const(call2("+", lit_int(1), d)), "2026-11-23");
    CHECK_STR_EQ(eval_const(call2("-", d, lit_int(22))), "2026-10-31");
    CHECK_STR_EQ(eval_const(call2("-", d, lit_as("2026-01-01", t(TYPE_DATE)))), "325");
    CHECK_STR_EQ(eval_const(call2("+", d, lit_as("1 month", t(TYPE_INTERVAL)))),
                 "2026-12-22 00:00:00");
    CHECK_STR_EQ(eval_const(call2("+", lit_as("2026-01-31", t(TYPE_DATE)),
                                  lit_as("1 month", t(TYPE_INTERVAL)))),
                 "2026-02-28 00:00:00");
    CHECK_STR_EQ(eval_const(call2("+", lit_as("2024-02-29", t(TYPE_DATE)),
                                  lit_as("1 year", t(TYPE_INTERVAL)))),
                 "2025-02-28 00:00:00");
    CHECK_STR_EQ(eval_const(call2("+", ts, lit_as("1 month 1 day 1 hour", t(TYPE_INTERVAL)))),
                 "2026-03-01 11:00:00");
    CHECK_STR_EQ(eval_const(call2("-", lit_as("2026-03-31", t(TYPE_TIMESTAMP)),
                                  lit_as("1 month", t(TYPE_INTERVAL)))),
                 "2026-02-28 00:00:00");
    CHECK_STR_EQ(eval_const(call2("-", lit_as("2026-11-22 10:00", t(TYPE_TIMESTAMP)),
                                  lit_as("2026-11-20 08:30", t(TYPE_TIMESTAMP)))),
                 "2 days 01:30:00");
    CHECK_STR_EQ(eval_const(call2("-", lit_as("1970-01-01", t(TYPE_TIMESTAMP)),
                                  lit_as("1970-01-02 01:00", t(TYPE_TIMESTAMP)))),
                 "-1 days -01:00:00");
    CHECK_STR_EQ(eval_const(call2("+", lit_as("1 day", t(TYPE_INTERVAL)),
                                  lit_as("1 hour", t(TYPE_INTERVAL)))),
                 "1 day 01:00:00");
    CHECK_STR_EQ(eval_const(call2("-", lit_as("1 day 01:00:00", t(TYPE_INTERVAL)),
                                  lit_as("2 days", t(TYPE_INTERVAL)))),
                 "-1 days +01:00:00");
    CHECK_STR_EQ(eval_const(call1("negate", lit_as("1 day", t(TYPE_INTERVAL)))), "-1 days");
    CHECK_STR_EQ(eval_const(call2("*", lit_as("1 mon", t(TYPE_INTERVAL)), lit_dbl(2.5))),
                 "2 mons 15 days");
    CHECK_STR_EQ(eval_const(call2("*", lit_as("1 hour", t(TYPE_INTERVAL)), lit_dbl(1.5))),
                 "01:30:00");
    CHECK_STR_EQ(eval_const(call2("*", lit_int(2), lit_as("1 day", t(TYPE_INTERVAL)))), "2 days");
    CHECK_STR_EQ(eval_const(call2("/", lit_as("1 day", t(TYPE_INTERVAL)), lit_int(4))), "06:00:00");
    CHECK_STR_EQ(eval_const(call2("/", lit_as("1 day", t(TYPE_INTERVAL)), lit_int(0))),
                 "ERROR: division by zero");
}

/* The same kernel through flat+constant, constant+flat, flat+flat, NULLs and a selection. */
static void test_vector_shapes(void)
{
    static const char *const cells[] = {"1", "NULL", "3", "-4", "2147483647"};
    batch b;
    batch_from_text(&b, t(TYPE_INTEGER), 5, cells);
    b.count = 4;
    expr *x = expr_column(test_arena, t(TYPE_INTEGER), 0);
    CHECK_STR_EQ(eval_batch(call2("+", x, lit_int(10)), &b), "11,NULL,13,6");
    CHECK_STR_EQ(eval_batch(call2("-", lit_int(10), x), &b), "9,NULL,7,14");
    CHECK_STR_EQ(eval_batch(call2("*", x, x), &b), "1,NULL,9,16");
    CHECK_STR_EQ(eval_batch(call2("<", x, lit_int(2)), &b), "true,NULL,false,true");
    CHECK_STR_EQ(eval_batch(call2("+", x, lit_null(TYPE_INTEGER)), &b), "NULL,NULL,NULL,NULL");
    /* the garbage under a NULL never raises errors: 10 / x on the NULL row is not computed */
    CHECK_STR_EQ(eval_batch(call2("/", lit_int(12), x), &b), "12,NULL,4,-3");
    b.sel = b.sel_storage;
    b.sel[0] = 2;
    b.sel[1] = 3;
    b.count = 2;
    CHECK_STR_EQ(eval_batch(call2("+", x, lit_int(1)), &b), "4,-3");
    b.sel[0] = 4; /* physical row 4 overflows only when selected */
    b.count = 1;
    CHECK_STR_EQ(eval_batch(call2("+", x, lit_int(1)), &b), "ERROR: integer out of range");
    b.sel = NULL;
    b.count = 4;
    CHECK_STR_EQ(eval_batch(call2("+", x, lit_int(1)), &b), "2,NULL,4,-3");
    batch_dispose(&b);
}

/* A full 2048-row batch of strings against a long constant (prefix fast path). */
static void test_string_comparison_batch(void)
{
    batch b;
    logical_type vt = t(TYPE_VARCHAR);
    arm_error err;
    CHECK_OK(batch_init(&b, 1, &vt, &err), &err);
    CHECK_OK(vector_prepare_flat(&b.columns[0], VECTOR_SIZE, &err), &err);
    for (uint32_t i = 0; i < VECTOR_SIZE; i++) {
        char s[32];
        int n = snprintf(s, sizeof s, "customer-%05u", i);
        value v = value_varchar(s, (uint32_t)n);
        CHECK_OK(vector_set_value(&b.columns[0], i, &v, &err), &err);
    }
    b.count = VECTOR_SIZE;
    expr *x = expr_column(test_arena, vt, 0);
    query_context ctx;
    memset(&ctx, 0, sizeof ctx);
    expr *lt = call2("<", x, lit_str("customer-00100"));
    expr *eq = call2("=", x, lit_str("customer-02047"));
    expr *exprs[2] = {lt, eq};
    expr_executor *ex;
    CHECK_OK(expr_executor_create(&ex, exprs, 2, &ctx, &err), &err);
    uint32_t sel[VECTOR_SIZE], count;
    CHECK_OK(expr_select(ex, 0, &b, sel, &count, &err), &err);
    CHECK_INT_EQ(count, 100);
    CHECK_OK(expr_select(ex, 1, &b, sel, &count, &err), &err);
    CHECK(count == 1 && sel[0] == 2047);
    expr_executor_destroy(ex);
    batch_dispose(&b);
}

TEST_MAIN(test_arena_setup, test_integer_arithmetic, test_integer_errors, test_float_arithmetic,
          test_decimal_arithmetic, test_comparisons, test_date_arithmetic, test_vector_shapes,
          test_string_comparison_batch, test_arena_teardown)
