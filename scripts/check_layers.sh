#!/usr/bin/env bash
# Rejects an #include that points up the layer order of DESIGN.md.
set -euo pipefail
cd "$(dirname "$0")/.."
order=(common vector format store cache catalog txn table exec sql api cli server bindings)
rank() { local i; for i in "${!order[@]}"; do [ "${order[$i]}" = "$1" ] && { echo "$i"; return; }; done; echo -1; }
status=0
for dir in src/*/; do
    layer=$(basename "$dir")
    own=$(rank "$layer")
    [ "$own" -lt 0 ] && continue
    while IFS= read -r line; do
        file=${line%%:*}
        inc=$(echo "$line" | sed -E 's/.*#include "([a-z_]+)\/.*/\1/')
        r=$(rank "$inc")
        # api, cli, server and bindings are front ends: they may use every layer below them.
        if [ "$r" -gt "$own" ]; then
            echo "layer violation: $file includes $inc/ (above $layer/)" >&2
            status=1
        fi
    done < <(grep -Hn '#include "[a-z_]*/' "$dir"*.c "$dir"*.h 2>/dev/null || true)
done
exit $status
