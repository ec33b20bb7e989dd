#!/usr/bin/env bash
# MSRV check: bare-uring-sys, bare-uring and bare-uring-rt (the crates users
# compile) build and pass their own tests with the oldest Rust the workspace
# declares
# (`rust-version` in Cargo.toml, also stated in README.md). The root harness,
# uring-gen and the examples are not part of the promise (their dev- and
# build-dependencies need newer Rust).
set -euo pipefail
cd "$(dirname "$0")/.."
msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml | head -1)
[ -n "$msrv" ] || { echo "no rust-version in Cargo.toml"; exit 1; }
grep -q "Rust $msrv" README.md || { echo "README.md does not state MSRV $msrv ('Rust $msrv')"; exit 1; }
rustup toolchain install "$msrv" --profile minimal >/dev/null
# A target dir of its own: artefacts of another toolchain are not reused.
export CARGO_TARGET_DIR=target/msrv-$msrv
echo "MSRV $msrv: $(rustc +"$msrv" --version)"
# (The bare-metal x86_64-unknown-none build is .ci/run's, on stable.)
cargo +"$msrv" build -p bare-uring-sys -p bare-uring -p bare-uring-rt
cargo +"$msrv" build -p bare-uring-rt --features build
cargo +"$msrv" build -p bare-uring --features std
cargo +"$msrv" test -p bare-uring-sys -p bare-uring --features bare-uring/std
cargo +"$msrv" test -p bare-uring-rt
# The static hello of uring-rt/template, copied and built as a user would
# (its crates.io dependencies patched to this checkout), with the MSRV:
# the kit's _start is global_asm!, no naked functions (Rust 1.88).
hello=$CARGO_TARGET_DIR/template-copy
bash scripts/rt/template-copy.sh "$hello"
(cd "$hello" && CARGO_TARGET_DIR=target cargo +"$msrv" build --release)
out=$("$hello/target/release/hello-uring")
[ "$out" = "hello from io_uring" ] || { echo "MSRV template hello printed: $out"; exit 1; }
echo "MSRV $msrv template hello: $(stat -c %s "$hello/target/release/hello-uring") bytes, printed: $out"
