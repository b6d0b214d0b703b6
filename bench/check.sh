#!/usr/bin/env bash
# CI's run of the benchmark harness (issue 5): the 100k suite, results
# checked against DuckDB, no timings, in memory and on a database folder,
# and the scaling mode (Armillaria alone).
# Uses the DuckDB library the interop test installs (/tmp/duckdb) or
# bench/install_duckdb.sh's; says so and passes when npm cannot provide one.
set -uo pipefail
bench="$1"
folder="$(mktemp -d /tmp/arm_bench_check_XXXXXX)"
trap 'rm -rf "$folder"' EXIT
# the scaling mode runs Armillaria alone, so it needs no DuckDB: first, always
env -u ARM_DUCKDB_LIB "$bench" --scaling --rows 100000 --threads 1,2 --runs 1 --queries 1,5 \
    --folder "$folder/scale" || exit 1
lib="${ARM_DUCKDB_LIB:-/tmp/duckdb/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so}"
if [ ! -f "$lib" ]; then
    lib="$("$(dirname "$0")/install_duckdb.sh" 2>/dev/null)" || lib=""
fi
if [ -z "$lib" ] || [ ! -f "$lib" ]; then
    echo "SKIPPED the DuckDB checks: no libduckdb.so (npm could not install @duckdb/node-bindings-linux-x64)"
    exit 0
fi
set -e
"$bench" --duckdb "$lib" --rows 100000 --threads 1,2 --check-only
"$bench" --duckdb "$lib" --rows 100000 --threads 1 --check-only --folder "$folder/db"
