#!/usr/bin/env bash
# Miri over the pure modules (issue 9): uring-core's unit tests (queue math,
# SQE decoder, recvmsg_out parser, buffer-ring bookkeeping, prep encoders),
# the public-API SQE union test, uring-sys's tests, and the queue model
# harness (tests/queue_model.rs). Tests that make real syscalls are
# `#[cfg_attr(miri, ignore)]`. Run from anywhere: `bash .ci/miri.sh`.
# Takes about 6 min on 2 cores, most of it building std and proptest for Miri.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
step() { printf '\n=== miri: %s (%ss)\n' "$*" "$SECONDS"; }

step "install: nightly with miri and rust-src"
if ! cargo +nightly miri --version >/dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal --component miri,rust-src
fi
cargo +nightly miri --version
cargo +nightly miri setup

# Strict provenance: no integer-to-pointer casts anywhere in what runs.
# Isolation stays on; PROPTEST_CASES is forwarded so the model test runs
# a handful of sequences instead of a thousand.
export MIRIFLAGS="-Zmiri-strict-provenance -Zmiri-env-forward=PROPTEST_CASES"
export PROPTEST_CASES="${PROPTEST_CASES:-2}"
# Each run is bounded; a hang fails CI instead of eating the budget.
run() { timeout 1800 cargo +nightly miri test "$@"; }

step "uring-sys unit tests"
run -p uring-sys --lib

step "uring-core unit tests"
run -p uring-core --lib

step "uring-core: SQEs built through the public API (S2)"
run -p uring-core --test sqe_union_reads

step "queue model harness (PROPTEST_CASES=$PROPTEST_CASES)"
run --test queue_model

step "done"
