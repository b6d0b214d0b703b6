#!/usr/bin/env bash
# The scaling target of issue 5: the 10M suite on a database folder, hot,
# with 1 thread and with N (default: every core), Armillaria alone (the
# machine needs no DuckDB and no network). Prints each query's median and
# its speed-up over 1 thread; the target is at least 8x with 16 threads on
# Q1, Q5, Q7 and Q9.
#   bench/scaling.sh [threads] [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${1:-$(nproc)}"
rows="${2:-10000000}"
if [ ! -x build/release/bench/arm_bench ]; then
    cmake --preset release >/dev/null
    cmake --build build/release -j "$(nproc)" --target arm_bench >/dev/null
fi
folder="$(mktemp -d /tmp/arm_scaling_XXXXXX)"
trap 'rm -rf "$folder"' EXIT
build/release/bench/arm_bench --scaling --rows "$rows" --threads "1,$threads" --runs 5 \
    --queries 1,5,7,9 --folder "$folder/db"
