#!/usr/bin/env bash
# Runs every example of the `uring-examples` package on the live kernel,
# each under a time limit; fails if one fails, hangs or is missing here.
# The package depends on bare-uring and bare-uring-sys only: first check that
# building it pulls in nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
deps=$(cargo tree -p uring-examples -e normal,build --prefix none | awk '{print $1}' | sort -u | tr '\n' ' ')
[ "$deps" = "bare-uring bare-uring-sys uring-examples " ] || { echo "uring-examples depends on: $deps"; exit 1; }
cargo build --release -p uring-examples --examples
examples=(tour pingpong "echo --secs 1" arena foreign_loop tcp_nolibc)
# Every [[example]] of examples/Cargo.toml is in the list above.
listed=$(sed -n 's/^name = "\(.*\)"/\1/p' examples/Cargo.toml | grep -v '^uring-examples$' | sort | tr '\n' ' ')
ran=$(printf '%s\n' "${examples[@]}" | awk '{print $1}' | sort | tr '\n' ' ')
[ "$listed" = "$ran" ] || { echo "examples/Cargo.toml has: $listed; this script runs: $ran"; exit 1; }
dir=${CARGO_TARGET_DIR:-target}/release/examples
for e in "${examples[@]}"; do
  read -r name args <<<"$e"
  printf '\n--- %s %s\n' "$name" "${args:-}"
  # shellcheck disable=SC2086
  timeout 60 "$dir/$name" $args || { echo "example $name failed (exit $?)"; exit 1; }
done
echo
echo "all ${#examples[@]} examples ran"
