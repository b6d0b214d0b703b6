/*
 * slt.h: the sqllogictest runner's private interface. A `slt_script` is one
 * .test file split into lines; slt_script_run executes its records against a
 * fresh in-memory database through the public API and counts the outcomes.
 */
#ifndef ARM_SLT_H
#define ARM_SLT_H

#include <stdbool.h>
#include <stddef.h>

/* One test file: its path and its lines (NUL-terminated, without newlines). */
typedef struct slt_script {
    const char *path;
    char *text;
    char **lines;
    size_t line_count;
} slt_script;

/* What happened to the records of one file. */
typedef struct slt_counts {
    int passed;
    int failed;
    int skipped;
    bool skipped_file; /* `require` of something unknown */
} slt_counts;

/* Runs every record of the script; failures are printed to stderr. */
void slt_script_run(const slt_script *script, bool is_verbose, slt_counts *counts);

#endif
