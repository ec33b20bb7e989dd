#!/usr/bin/env bash
# Fuzzing for bare-uring (docs/RELIABILITY.md): builds every cargo-fuzz
# target in fuzz/ and runs each for FUZZ_SECONDS (default 60), starting from
# the committed corpus in fuzz/corpus/<target> (new inputs go to a scratch
# directory, the checkout is not modified). Fails on any crash, panic,
# hang (-timeout), leak (LeakSanitizer, on by default) or OOM; prints the
# executions per target. Installs nightly and cargo-fuzz only if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-60}

if ! rustup run nightly rustc -V >/dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

cd fuzz
cargo +nightly fuzz build -O
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
summary=()
for t in $(cargo +nightly fuzz list); do
  mkdir -p "$work/$t" "corpus/$t"
  log="$work/$t.log"
  echo "fuzz: $t for ${secs}s"
  if ! cargo +nightly fuzz run -O "$t" "$work/$t" "corpus/$t" -- \
      -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 >"$log" 2>&1; then
    grep -E -A4 "panicked at|ERROR: |ALARM|SUMMARY" "$log" | head -n 40 || true
    tail -n 20 "$log"
    echo "fuzz: target $t FAILED (reproducer in fuzz/artifacts/$t)"
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  secs_done=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
  summary+=("$(printf '%-14s %10s executions in %s s' "$t" "${runs:-?}" "${secs_done:-?}")")
done
echo "fuzz: all targets clean"
printf 'fuzz: %s\n' "${summary[@]}"
