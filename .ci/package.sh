#!/usr/bin/env bash
# The crates users add (bare-uring-sys, bare-uring, and the static-binary
# kit bare-uring-rt), checked as users get them: from their packaged
# `.crate` tarballs, outside this repository.
#   1. `cargo package` both; each tarball carries README.md, both licence
#      files and complete metadata (repository, readme, documentation).
#   2. Unpacked in a scratch directory (no workspace above it): build, unit
#      tests and doc-tests of each crate, bare-uring also for
#      x86_64-unknown-none. bare-uring-sys is not in the registry yet, so
#      the unpacked bare-uring resolves it through a [patch] to the unpacked
#      bare-uring-sys tarball.
#   3. A scratch binary project: `cargo add bare-uring --path ...`, with
#      README.md's first ```rust block as src/main.rs, unchanged; it must
#      build and run (exit 0) on this kernel.
#   4. `cargo publish --dry-run` for both (cargo packages workspace members
#      together, so bare-uring resolves the bare-uring-sys it is published
#      with).
# Run from anywhere: `bash .ci/package.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
export CARGO_TERM_COLOR=never
scratch=$(mktemp -d /tmp/bare-uring-package.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
ver() { sed -n 's/^version = "\(.*\)"/\1/p' "$1/Cargo.toml" | head -1; }
sys_v=$(ver uring-sys) core_v=$(ver uring-core) rt_v=$(ver uring-rt)

echo "--- cargo package"
cargo package -q --no-verify --allow-dirty -p bare-uring-sys -p bare-uring -p bare-uring-rt
pkgdir=${CARGO_TARGET_DIR:-target}/package
for c in "bare-uring-sys-$sys_v" "bare-uring-$core_v" "bare-uring-rt-$rt_v"; do
  tar -xzf "$pkgdir/$c.crate" -C "$scratch"
  for f in README.md LICENSE-MIT LICENSE-APACHE Cargo.toml; do
    [ -s "$scratch/$c/$f" ] || { echo "$c.crate lacks $f"; exit 1; }
  done
  for key in description license repository readme documentation rust-version; do
    grep -q "^$key = " "$scratch/$c/Cargo.toml" || { echo "$c: no '$key' in Cargo.toml"; exit 1; }
  done
  echo "$c.crate: README.md, LICENSE-MIT, LICENSE-APACHE, metadata complete"
done

echo "--- unpacked crates: build, unit tests, doc-tests"
export CARGO_TARGET_DIR=$scratch/target
patch=(--config "patch.crates-io.bare-uring-sys.path=\"$scratch/bare-uring-sys-$sys_v\""
       --config "patch.crates-io.bare-uring.path=\"$scratch/bare-uring-$core_v\"")
(cd "$scratch/bare-uring-sys-$sys_v" && cargo test -q)
(cd "$scratch/bare-uring-$core_v" && cargo test -q "${patch[@]}" --features std \
   && cargo build -q "${patch[@]}" --target x86_64-unknown-none)
(cd "$scratch/bare-uring-rt-$rt_v" && cargo test -q "${patch[@]}" \
   && cargo build -q "${patch[@]}" --features build)
echo "unpacked crates: tests pass; bare-uring builds for x86_64-unknown-none"

echo "--- a user's project: cargo add + README's example, unchanged"
cargo new -q --bin "$scratch/user-project"
(cd "$scratch/user-project" && cargo add -q bare-uring --path "$repo/uring-core")
awk '/^```rust$/ {on=1; next} on && /^```$/ {exit} on {print}' README.md >"$scratch/user-project/src/main.rs"
[ -s "$scratch/user-project/src/main.rs" ] || { echo "README.md has no \`\`\`rust block"; exit 1; }
(cd "$scratch/user-project" && cargo run -q)
echo "user project: README example built and ran (exit 0)"

echo "--- cargo publish --dry-run"
unset CARGO_TARGET_DIR
cargo publish -q --dry-run --allow-dirty -p bare-uring-sys -p bare-uring -p bare-uring-rt
echo "publish dry run: ok"
