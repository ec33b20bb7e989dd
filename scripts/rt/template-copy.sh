#!/usr/bin/env bash
# Copies uring-rt/template to DEST as a user would copy it, plus a
# DEST/.cargo/config.toml whose [patch.crates-io] points its crates.io
# dependencies (bare-uring, bare-uring-rt) at this checkout, so that
# `cargo build --release` in DEST builds the template against these
# sources. Used by .ci/msrv.sh, .ci/run (clippy) and scripts/size/sizes.sh;
# tests/rt_template.rs does the same in Rust.
#
#   scripts/rt/template-copy.sh DEST      (DEST is emptied first)
set -euo pipefail
dest=${1:?usage: template-copy.sh DEST}
root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$dest"
mkdir -p "$dest/src" "$dest/.cargo"
cp "$root/uring-rt/template/Cargo.toml" "$root/uring-rt/template/build.rs" "$dest/"
cp "$root/uring-rt/template/src/main.rs" "$dest/src/"
cat >"$dest/.cargo/config.toml" <<PATCH
[patch.crates-io]
bare-uring = { path = "$root/uring-core" }
bare-uring-sys = { path = "$root/uring-sys" }
bare-uring-rt = { path = "$root/uring-rt" }
PATCH
