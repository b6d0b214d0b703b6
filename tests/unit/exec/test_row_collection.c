/*
 * Tests for row_collection (src/exec/row_collection.c): flat appends with
 * and without a selection, and string columns kept as entry numbers while
 * every appended batch shares one dictionary, turned back into values when
 * a second dictionary or plain values arrive.
 */
#include <stdlib.h>
#include <string.h>

#include "exec/row_collection.h"
#include "harness.h"

static const logical_type text_type = {TYPE_VARCHAR, 0, 0};

static const char *words[4] = {"north", "a value longer than twelve bytes", "", "far"};

/* A flat string vector holding `n` of `names`. */
static void make_dictionary(vector *d, const char *const *names, uint32_t n)
{
    arm_error err;
    vector_init(d, text_type);
    CHECK_OK(vector_prepare_flat(d, n, &err), &err);
    for (uint32_t i = 0; i < n; i++) {
        value v = value_varchar(names[i], (uint32_t)strlen(names[i]));
        CHECK_OK(vector_set_value(d, i, &v, &err), &err);
    }
}

/* A DICTIONARY vector over `d` with the given entry numbers. */
static void make_entries(vector *v, const vector *d, const uint32_t *entries, uint32_t n)
{
    arm_error err;
    vector_init(v, text_type);
    CHECK_OK(vector_prepare_flat(v, n, &err), &err);
    memcpy(v->data, entries, n * sizeof *entries);
    CHECK_OK(vector_attach_dictionary(v, d, &err), &err);
}

static void check_text(const vector *v, uint32_t row, const char *want)
{
    value got;
    vector_get_value(v, row, &got);
    CHECK(!got.is_null);
    CHECK_INT_EQ(got.u.str.length, strlen(want));
    CHECK(memcmp(got.u.str.data, want, got.u.str.length) == 0);
}

static void test_keeps_one_dictionary(void)
{
    arm_error err;
    vector d, a, b;
    make_dictionary(&d, words, 4);
    static const uint32_t first[3] = {1, 0, 3}, second[4] = {2, 2, 1, 0};
    make_entries(&a, &d, first, 3);
    make_entries(&b, &d, second, 4);
    row_collection c;
    CHECK_OK(row_collection_init(&c, 1, &text_type, &err), &err);
    c.dictionary_columns = 1;
    CHECK_OK(row_collection_append(&c, &a, NULL, 3, &err), &err);
    static const uint32_t sel[2] = {1, 3};
    CHECK_OK(row_collection_append(&c, &b, sel, 2, &err), &err);
    CHECK_INT_EQ(c.row_count, 5);
    CHECK(c.columns[0].kind == VECTOR_DICTIONARY);
    CHECK(c.columns[0].dictionary->data == d.data); /* shared, not copied */
    const char *want[5] = {words[1], words[0], words[3], words[2], words[0]};
    for (uint32_t i = 0; i < 5; i++)
        check_text(&c.columns[0], i, want[i]);
    row_collection_dispose(&c);
    vector_dispose(&a);
    vector_dispose(&b);
    vector_dispose(&d);
}

static void test_second_dictionary_flattens(void)
{
    arm_error err;
    vector d1, d2, a, b, plain;
    static const char *other[2] = {"south", "another value longer than twelve"};
    make_dictionary(&d1, words, 4);
    make_dictionary(&d2, other, 2);
    static const uint32_t first[2] = {3, 1}, second[3] = {1, 0, 1};
    make_entries(&a, &d1, first, 2);
    make_entries(&b, &d2, second, 3);
    make_dictionary(&plain, words, 2);
    row_collection c;
    CHECK_OK(row_collection_init(&c, 1, &text_type, &err), &err);
    c.dictionary_columns = 1;
    CHECK_OK(row_collection_append(&c, &a, NULL, 2, &err), &err);
    CHECK(c.columns[0].kind == VECTOR_DICTIONARY);
    CHECK_OK(row_collection_append(&c, &b, NULL, 3, &err), &err);
    CHECK(c.columns[0].kind == VECTOR_FLAT);
    CHECK_OK(row_collection_append(&c, &plain, NULL, 2, &err), &err);
    const char *want[7] = {words[3], words[1], other[1], other[0], other[1], words[0], words[1]};
    CHECK_INT_EQ(c.row_count, 7);
    /* the dictionaries may go: the collection keeps what its rows point into alive */
    vector_dispose(&a);
    vector_dispose(&b);
    vector_dispose(&d1);
    vector_dispose(&d2);
    vector_dispose(&plain);
    for (uint32_t i = 0; i < 7; i++)
        check_text(&c.columns[0], i, want[i]);
    row_collection_dispose(&c);
}

static void test_flat_by_default(void)
{
    arm_error err;
    vector d, a;
    make_dictionary(&d, words, 4);
    static const uint32_t entries[2] = {0, 1};
    make_entries(&a, &d, entries, 2);
    row_collection c;
    CHECK_OK(row_collection_init(&c, 1, &text_type, &err), &err);
    CHECK_OK(row_collection_append(&c, &a, NULL, 2, &err), &err);
    CHECK(c.columns[0].kind == VECTOR_FLAT);
    check_text(&c.columns[0], 0, words[0]);
    check_text(&c.columns[0], 1, words[1]);
    row_collection_dispose(&c);
    vector_dispose(&a);
    vector_dispose(&d);
}

TEST_MAIN(test_keeps_one_dictionary, test_second_dictionary_flattens, test_flat_by_default)
