#!/usr/bin/env bash
# Installs the Debian packages Armillaria needs to build and test, when missing.
# Safe to run repeatedly: it only calls apt-get when something is absent.
set -euo pipefail

packages=(
    build-essential cmake clang clang-format
    libsqlite3-dev libzstd-dev libsnappy-dev zlib1g-dev liblz4-dev libssl-dev
    libedit-dev libroaring-dev pkg-config
)

missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends "${missing[@]}"
fi
