#!/usr/bin/env bash
# Bounded stress runs (docs/RELIABILITY.md): the ignored tests of
# tests/stress.rs in release mode, one at a time, then their figures.
#   URING_STRESS_MESSAGES       msg_ring messages per ring kind (1000000)
#   URING_STRESS_CYCLES         ring create/destroy cycles (10000)
#   URING_STRESS_SIGNAL_ROUNDS  waits per wait function and ring (300)
set -euo pipefail
cd "$(dirname "$0")/.."
export URING_STRESS_MESSAGES=${URING_STRESS_MESSAGES:-1000000}
export URING_STRESS_CYCLES=${URING_STRESS_CYCLES:-10000}
export URING_STRESS_SIGNAL_ROUNDS=${URING_STRESS_SIGNAL_ROUNDS:-300}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo build --release --test stress
start=$SECONDS
cargo test --release --test stress -- --ignored --test-threads=1 --nocapture 2>&1 | tee "$log"
echo
echo "stress figures (URING_STRESS_MESSAGES=$URING_STRESS_MESSAGES" \
  "URING_STRESS_CYCLES=$URING_STRESS_CYCLES" \
  "URING_STRESS_SIGNAL_ROUNDS=$URING_STRESS_SIGNAL_ROUNDS):"
grep -o 'stress: .*' "$log"
echo "stress: all runs passed in $((SECONDS - start)) s"
