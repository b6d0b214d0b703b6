#!/usr/bin/env bash
# Builds Armillaria (release) and starts the `arm` shell on a database folder.
# Usage: scripts/shell.sh [DATABASE] [arm options...]   (default database: demo.arm)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
cmake --preset release -S "$root" >/dev/null
cmake --build "$root/build/release" --target arm -j"$(nproc)"
db="${1:-demo.arm}"
[ $# -gt 0 ] && shift
exec "$root/build/release/arm" "$db" "$@"
