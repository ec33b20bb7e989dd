#!/usr/bin/env bash
# Figures in docs/ agree with a fresh run of the scripts that print them.
#   docs/SIZE.md: scripts/size/sizes.sh --check rebuilds the three `cat`
#   programs and the arena example, measures again and diffs.
# Installs what the size script needs for every row: strace, musl-gcc, the
# aarch64 cross gcc (and the rustup targets it adds itself).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v strace >/dev/null 2>&1 || need+=(strace)
command -v musl-gcc >/dev/null 2>&1 || need+=(musl-tools)
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || need+=(gcc-aarch64-linux-gnu)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
rustup target add aarch64-unknown-linux-gnu x86_64-unknown-linux-musl >/dev/null
bash scripts/size/sizes.sh --check "${TMPDIR:-/tmp}/uring-size-check"
