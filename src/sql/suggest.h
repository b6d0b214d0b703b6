/*
 * suggest.h: "Perhaps you meant ..." suggestions for misspelt names, by
 * edit distance over the names that are visible at that point.
 */
#ifndef ARM_SQL_SUGGEST_H
#define ARM_SQL_SUGGEST_H

#include <stdint.h>

/* Accumulates the closest candidate to `target`. Init, consider each name, read `best`. */
typedef struct suggester {
    const char *target;
    const char *best; /* NULL when nothing is close enough */
    uint32_t best_distance;
} suggester;

void suggester_init(suggester *s, const char *target);
/* Considers one candidate (case-insensitive); `candidate` must outlive the suggester. */
void suggester_consider(suggester *s, const char *candidate);

/* Levenshtein distance, case-insensitive, capped at 255. */
uint32_t suggest_edit_distance(const char *a, const char *b);

#endif
