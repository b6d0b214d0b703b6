#!/usr/bin/env bash
# Regenerates the Parquet interop fixtures in tests/data/parquet/ with DuckDB
# (npm @duckdb/node-bindings-linux-x64) and an Arrow-based writer (npm
# parquet-wasm, i.e. arrow-rs), installed in a scratch folder outside the
# repository (they are never build dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${DUCKDB_SCRATCH:-/tmp/duckdb}
lib="$scratch/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so"
if [ ! -f "$lib" ] || [ ! -d "$scratch/node_modules/parquet-wasm" ]; then
    mkdir -p "$scratch"
    (cd "$scratch" && npm install --no-save @duckdb/node-bindings-linux-x64 \
        parquet-wasm@0.8.0 apache-arrow@21.2.0)
fi
tool=$(mktemp /tmp/make_parquet_fixtures.XXXXXX)
trap 'rm -f "$tool"' EXIT
cc -std=c17 -O1 -o "$tool" scripts/make_parquet_fixtures.c -ldl
mkdir -p tests/data/parquet
"$tool" "$lib" "$PWD/tests/data/parquet"
node scripts/make_parquet_fixtures_arrow.mjs "$scratch" "$PWD/tests/data/parquet"
