#!/usr/bin/env bash
# Packs arm_bench with the shared libraries it needs beside glibc into
# .device_bench/ (ignored by git), for the 16-core device machine, which has
# no network to install them. Then, with the device tool:
#   run(carry=[".device_bench"], timeout_s=600, command=
#       "LD_LIBRARY_PATH=.device_bench .device_bench/arm_bench --scaling --rows 10000000
#        --threads 1,16 --runs 5 --queries 1,5,7,9 --folder /tmp/scaling.arm")
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
cmake --build build/release -j "$(nproc)" --target arm_bench >/dev/null
rm -rf .device_bench
mkdir -p .device_bench
cp build/release/bench/arm_bench .device_bench/
ldd build/release/bench/arm_bench | awk '$3 ~ /^\// {print $3}' | while read -r lib; do
    case "$(basename "$lib")" in
    libc.so.* | libm.so.* | ld-linux*) ;; # the machine's own glibc
    *) cp -L "$lib" .device_bench/ ;;
    esac
done
du -sh .device_bench
