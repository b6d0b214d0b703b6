#!/usr/bin/env bash
# Installs DuckDB's shared library (the benchmark peer) from npm into
# bench/node_modules and prints the path of libduckdb.so. Pinned version.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="1.5.6-r.1"
lib="$here/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so"
if [ ! -f "$lib" ]; then
    command -v npm >/dev/null || { sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo;
        $sudo_cmd apt-get update && $sudo_cmd apt-get install -y --no-install-recommends npm; }
    (cd "$here" && npm install --no-save --no-package-lock "@duckdb/node-bindings-linux-x64@$version" >&2)
fi
echo "$lib"
