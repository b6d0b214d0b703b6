/*
 * harness.h: the in-house unit test harness. A test file defines
 * `static void test_name(void)` functions and ends with
 * TEST_MAIN(test_a, test_b, ...). CHECK failures print file:line and the
 * expression, mark the test failed and continue; the exit status is nonzero
 * if any check failed.
 */
#ifndef ARM_TESTS_HARNESS_H
#define ARM_TESTS_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int harness_failures;
static const char *harness_current;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: %s: CHECK failed: %s\n", __FILE__, __LINE__, harness_current,  \
                    #cond);                                                                        \
            harness_failures++;                                                                    \
        }                                                                                          \
    } while (0)

#define CHECK_INT_EQ(actual, expected)                                                             \
    do {                                                                                           \
        long long a_ = (long long)(actual), e_ = (long long)(expected);                            \
        if (a_ != e_) {                                                                            \
            fprintf(stderr, "%s:%d: %s: %s is %lld, expected %lld\n", __FILE__, __LINE__,          \
                    harness_current, #actual, a_, e_);                                             \
            harness_failures++;                                                                    \
        }                                                                                          \
    } while (0)

#define CHECK_STR_EQ(actual, expected)                                                             \
    do {                                                                                           \
        const char *a_ = (actual), *e_ = (expected);                                               \
        if (a_ == NULL || e_ == NULL || strcmp(a_, e_) != 0) {                                     \
            fprintf(stderr, "%s:%d: %s: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__,      \
                    harness_current, #actual, a_ ? a_ : "(null)", e_ ? e_ : "(null)");             \
            harness_failures++;                                                                    \
        }                                                                                          \
    } while (0)

/* Checks an arm_status is ARM_OK, printing the error message otherwise. */
#define CHECK_OK(status_expr, err_ptr)                                                             \
    do {                                                                                           \
        arm_status s_ = (status_expr);                                                             \
        if (s_ != ARM_OK) {                                                                        \
            fprintf(stderr, "%s:%d: %s: %s failed (%d): %s\n", __FILE__, __LINE__,                 \
                    harness_current, #status_expr, (int)s_, (err_ptr)->message);                   \
            harness_failures++;                                                                    \
        }                                                                                          \
    } while (0)

typedef void (*harness_test_fn)(void);

static inline int harness_run(const char *const *names, const harness_test_fn *tests, int count)
{
    for (int i = 0; i < count; i++) {
        harness_current = names[i];
        int before = harness_failures;
        tests[i]();
        printf("%s %s\n", harness_failures == before ? "ok  " : "FAIL", names[i]);
    }
    return harness_failures ? 1 : 0;
}

#define HARNESS_STR_(...) #__VA_ARGS__

#define TEST_MAIN(...)                                                                             \
    int main(void)                                                                                 \
    {                                                                                              \
        static const harness_test_fn tests[] = {__VA_ARGS__};                                      \
        static char names_text[] = HARNESS_STR_(__VA_ARGS__);                                      \
        const char *names[sizeof tests / sizeof tests[0]];                                         \
        int n = 0;                                                                                 \
        for (char *p = strtok(names_text, ", "); p && n < (int)(sizeof tests / sizeof tests[0]);   \
             p = strtok(NULL, ", "))                                                               \
            names[n++] = p;                                                                        \
        return harness_run(names, tests, n);                                                       \
    }

#endif
