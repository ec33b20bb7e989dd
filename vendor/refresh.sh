#!/usr/bin/env bash
# Re-extract the vendored headers and library sources from the crates.io package `axboe-liburing`
# and verify them against the checksums recorded in vendor/README.md.
#
#   bash vendor/refresh.sh            # verify (exit 1 on any mismatch)
#   bash vendor/refresh.sh --update   # copy from the package, then print new sums
#
# To move to a newer package: change VERSION below, run with --update, paste the
# printed sums into vendor/README.md, regenerate bare-uring-sys (see README.md), and
# run the test suite (the coverage tests list any new prep helper or exported
# function to port).
set -euo pipefail
VERSION=2.15.3
here=$(cd "$(dirname "$0")" && pwd)
# Vendored path below vendor/liburing/: include/X comes from the package's
# src/include/X, src/X from its src/X.
files=()
for f in liburing.h liburing/barrier.h liburing/io_uring.h liburing/sanitize.h \
         liburing/io_uring/query.h liburing/io_uring/bpf_filter.h; do
  files+=("include/$f")
done
# Library sources for the benchmark's C liburing (root build.rs); liburing.map
# (its exported symbols) for the API coverage test.
for f in liburing.map queue.c setup.c register.c syscall.c version.c nolibc.c lib.h setup.h \
         syscall.h int_flags.h arch/x86/lib.h arch/x86/syscall.h arch/syscall-defs.h \
         arch/generic/lib.h arch/generic/syscall.h; do
  files+=("src/$f")
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && cargo init -q --name vendor-fetch \
  && cargo add -q "axboe-liburing@=$VERSION" && cargo fetch -q)
src=$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -maxdepth 2 -type d \
      -name "axboe-liburing-$VERSION" | head -n1)
[ -n "$src" ] || { echo "axboe-liburing-$VERSION not found in cargo's registry cache" >&2; exit 1; }

status=0
for f in "${files[@]}"; do
  case "$f" in
    include/*) up="$src/src/$f" ;;
    *) up="$src/$f" ;;
  esac
  ours="$here/liburing/$f"
  if [ "${1:-}" = "--update" ]; then
    mkdir -p "$(dirname "$ours")"; cp "$up" "$ours"
    printf '%s  %s\n' "$(sha256sum "$ours" | cut -d' ' -f1)" "liburing/$f"
    continue
  fi
  want=$(grep -F "| \`liburing/$f\`" "$here/README.md" | sed -E 's/.*\| ([0-9a-f]{64}) \|.*/\1/')
  got_up=$(sha256sum "$up" | cut -d' ' -f1)
  got_ours=$(sha256sum "$ours" | cut -d' ' -f1)
  if [ "$want" = "$got_up" ] && [ "$want" = "$got_ours" ]; then
    echo "ok        $f"
  else
    echo "MISMATCH  $f (README $want, package $got_up, vendored $got_ours)"; status=1
  fi
done
exit $status
