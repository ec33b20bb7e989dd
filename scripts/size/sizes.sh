#!/usr/bin/env bash
# Rebuilds the three `cat FILE` programs of docs/SIZE.md and prints their
# sizes and system calls:
#   1. examples/nostd-cat   - uring-core, no_std, no libc, static (this repo)
#   2. scripts/size/iouring-std - the `io-uring` crate + std, musl static
#   3. scripts/size/c/cat.c - C + liburing 2.15.3, static (musl and glibc)
#
# Usage: scripts/size/sizes.sh [OUT_DIR]     (default /tmp/uring-size)
#
# Needs: cargo; `rustup target add x86_64-unknown-linux-musl` (tried here);
# gcc, make, binutils (size); optional: musl-tools (musl-gcc), strace.
# liburing's sources come from the cargo registry package axboe-liburing
# 2.15.3 (`cargo fetch` of the root workspace brings it in).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-/tmp/uring-size}
mkdir -p "$OUT"
SAMPLE="$OUT/sample.bin"
head -c 300000 /dev/urandom >"$SAMPLE"

log() { printf '>> %s\n' "$*" >&2; }

# Checks that $1 copies the sample byte for byte; prints its syscalls.
check() {
    local bin=$1
    "$bin" "$SAMPLE" | cmp -s - "$SAMPLE" || { echo "$bin: output differs" >&2; exit 1; }
}
syscalls() {
    if command -v strace >/dev/null; then
        strace -f -qq -o "$OUT/strace.tmp" "$1" "$SAMPLE" >/dev/null || true
        sed -E 's/^[0-9]+ +//; s/\(.*//' "$OUT/strace.tmp" | grep -E '^[a-z0-9_]+$' |
            sort | uniq -c | awk '{printf "%s%s×%s", (NR>1?", ":""), $2, $1}'
    else
        printf 'n/a (no strace)'
    fi
}

ROWS=()
row() { # name, file, how
    local bytes text
    bytes=$(stat -c %s "$2")
    text=$(size "$2" | awk 'NR==2 {print $1" / "$2" / "$3}')
    ROWS+=("| $1 | $bytes | $text | $(syscalls "$2") | $3 |")
}

# 1. nostd-cat -----------------------------------------------------------
log "nostd-cat"
NOSTD_CMD="cargo build -p nostd-cat --profile min-size"
(cd "$ROOT" && CARGO_TARGET_DIR="$OUT/nostd-target" $NOSTD_CMD)
NOSTD="$OUT/nostd-target/min-size/nostd-cat"
check "$NOSTD"
row "nostd-cat (uring-core, no_std, static)" "$NOSTD" "\`$NOSTD_CMD\`"
# The same for aarch64, if a cross gcc is installed (Debian:
# gcc-aarch64-linux-gnu); not run here (qemu-user has no io_uring).
A64=aarch64-unknown-linux-gnu
if command -v aarch64-linux-gnu-gcc >/dev/null &&
    rustup target list --installed 2>/dev/null | grep -qx "$A64"; then
    A64_CMD="$NOSTD_CMD --target $A64"
    (cd "$ROOT" && CARGO_TARGET_DIR="$OUT/nostd-target" \
        CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc $A64_CMD)
    A64_BIN="$OUT/nostd-target/$A64/min-size/nostd-cat"
    ROWS+=("| nostd-cat for aarch64 (not run) | $(stat -c %s "$A64_BIN") | $(size "$A64_BIN" | awk 'NR==2 {print $1" / "$2" / "$3}') | - | \`CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc $A64_CMD\` |")
fi
# Unstripped twin, for the per-function breakdown below.
(cd "$ROOT" && CARGO_TARGET_DIR="$OUT/nostd-target-syms" \
    $NOSTD_CMD --config 'profile.min-size.strip=false')
NOSTD_SYMS="$OUT/nostd-target-syms/min-size/nostd-cat"

# 2. io-uring crate + std ------------------------------------------------
log "io-uring crate + std"
MUSL=x86_64-unknown-linux-musl
if ! rustup target list --installed 2>/dev/null | grep -qx "$MUSL"; then
    rustup target add "$MUSL" || log "cannot add $MUSL"
fi
IOU_DIR="$ROOT/scripts/size/iouring-std"
IOU_CMD="cargo build --release --target $MUSL"
if (cd "$IOU_DIR" && CARGO_TARGET_DIR="$OUT/iouring-target" $IOU_CMD); then
    IOU="$OUT/iouring-target/$MUSL/release/iouring-std-cat"
    check "$IOU"
    row "io-uring 0.7 + std, musl static" "$IOU" "\`$IOU_CMD\` (in scripts/size/iouring-std)"
fi
IOU_GNU_CMD="cargo build --release"
(cd "$IOU_DIR" && CARGO_TARGET_DIR="$OUT/iouring-target" $IOU_GNU_CMD)
IOU_GNU="$OUT/iouring-target/release/iouring-std-cat"
check "$IOU_GNU"
row "io-uring 0.7 + std, glibc dynamic (for reference)" "$IOU_GNU" "\`$IOU_GNU_CMD\` (in scripts/size/iouring-std)"

# 3. C + liburing --------------------------------------------------------
log "C + liburing"
SRC=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/axboe-liburing-2.15.3 2>/dev/null | head -n1)
if [ -z "$SRC" ]; then
    (cd "$ROOT" && cargo fetch >/dev/null 2>&1) || true
    SRC=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/axboe-liburing-2.15.3 | head -n1)
fi
LIB="$OUT/liburing"
rm -rf "$LIB" && cp -r "$SRC" "$LIB"
LIB_CFLAGS="-Os -fno-stack-protector -ffunction-sections -fdata-sections"
(cd "$LIB" && ./configure >/dev/null && make -C src -j2 liburing.a CFLAGS="$LIB_CFLAGS" >/dev/null)
C_FLAGS="-static -Os -ffunction-sections -fdata-sections -Wl,--gc-sections -s"
C_SRC="$ROOT/scripts/size/c/cat.c"
if command -v musl-gcc >/dev/null; then
    # musl's include path has no kernel headers: point at the system's.
    KINC="$OUT/kinc"
    mkdir -p "$KINC"
    ln -sfn /usr/include/linux "$KINC/linux"
    ln -sfn /usr/include/asm-generic "$KINC/asm-generic"
    ln -sfn "/usr/include/$(gcc -print-multiarch)/asm" "$KINC/asm"
    musl-gcc $C_FLAGS -I "$LIB/src/include" -isystem "$KINC" "$C_SRC" "$LIB/src/liburing.a" \
        -o "$OUT/cat-c-musl"
    check "$OUT/cat-c-musl"
    row "C + liburing 2.15.3, musl static" "$OUT/cat-c-musl" "\`musl-gcc $C_FLAGS\` (liburing.a: \`$LIB_CFLAGS\`)"
fi
gcc $C_FLAGS -I "$LIB/src/include" "$C_SRC" "$LIB/src/liburing.a" -o "$OUT/cat-c-glibc"
check "$OUT/cat-c-glibc"
row "C + liburing 2.15.3, glibc static" "$OUT/cat-c-glibc" "\`gcc $C_FLAGS\` (liburing.a: \`$LIB_CFLAGS\`)"

# Report -----------------------------------------------------------------
echo "## Sizes ($(uname -m), $(rustc --version | cut -d' ' -f1-2), $(gcc --version | head -n1))"
echo
echo "| program | file bytes | text / data / bss | syscalls copying a 300,000-byte file | build |"
echo "|---|---:|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "## nostd-cat sections (size -A)"
echo
echo '```'
size -A "$NOSTD"
echo '```'
echo
echo "## nostd-cat program headers (readelf -lW)"
echo
echo '```'
readelf -lW "$NOSTD" | sed -n '/Program Headers/,$p'
echo '```'
echo
echo "## nostd-cat functions, largest first (unstripped twin, \`nm -S --size-sort\`)"
echo
echo '```'
echo " bytes function"
nm -S --size-sort -r -C "$NOSTD_SYMS" | grep -E '^[0-9a-f]+ [0-9a-f]+ [tT] ' |
    sed -E 's/::h[0-9a-f]{16}$//' | while read -r _addr size _type name; do
        printf '%6d %s\n' "0x$size" "$name"
    done
echo '```'
if command -v strace >/dev/null; then
    echo
    echo "## strace -c nostd-cat (300,000-byte file)"
    echo
    echo '```'
    strace -c -o "$OUT/strace-c.txt" "$NOSTD" "$SAMPLE" >/dev/null
    cat "$OUT/strace-c.txt"
    echo '```'
fi
