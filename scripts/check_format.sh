#!/usr/bin/env bash
# Fails when a C source or header is not clang-format clean.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find src include tests bench -name '*.[ch]')
[ -z "$files" ] && exit 0
if ! clang-format --dry-run --Werror $files; then
    echo "check_format: run clang-format -i on the files above" >&2
    exit 1
fi
