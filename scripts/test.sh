#!/usr/bin/env bash
# Builds everything (release preset by default) and runs every test with CTest.
# Usage: scripts/test.sh [PRESET]   (release, debug, asan, ...)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
preset="${1:-release}"
"$root/scripts/setup.sh"
cmake --preset "$preset" -S "$root"
cmake --build "$root/build/$preset" -j"$(nproc)"
ctest --test-dir "$root/build/$preset" --output-on-failure -j"$(nproc)"
