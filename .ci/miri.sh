#!/usr/bin/env bash
# Miri over the pure modules (issue 9): bare-uring's unit tests (queue math,
# SQE decoder, recvmsg_out parser, buffer-ring bookkeeping, prep encoders),
# the public-API SQE union test, bare-uring-sys's tests, and the queue model
# harness (tests/queue_model.rs). Tests that make real syscalls are
# `#[cfg_attr(miri, ignore)]`. Run from anywhere: `bash .ci/miri.sh`.
# Measured on the 2-core dev machine, warm caches: 295 s in all (unit tests
# 104 s, SQE unions 33 s, queue model 160 s); a cold run first builds std and
# the dependencies for Miri (a few minutes more).
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
# Isolation stays on (so the proptest seed is fixed); PROPTEST_CASES, if
# set, is forwarded, else the model test picks its Miri default (4 cases,
# rings up to 64 entries, sequences up to 100 operations).
export MIRIFLAGS="-Zmiri-strict-provenance -Zmiri-env-forward=PROPTEST_CASES"
# Each run is bounded; a hang fails CI instead of eating the budget.
run() { timeout 1800 cargo +nightly miri test "$@"; }

step "bare-uring-sys unit tests"
run -p bare-uring-sys --lib

step "bare-uring unit tests"
run -p bare-uring --lib

step "bare-uring: SQEs built through the public API (S2)"
run -p bare-uring --test sqe_union_reads

step "queue model harness (PROPTEST_CASES=${PROPTEST_CASES:-its Miri default})"
run --test queue_model

step "done"
