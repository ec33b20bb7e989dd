#!/usr/bin/env bash
# Rebuilds the three `cat FILE` programs of docs/SIZE.md and prints their
# sizes and system calls:
#   1. examples/nostd-cat   - bare-uring, no_std, no libc, static (this repo)
#   2. scripts/size/iouring-std - the `io-uring` crate + std, musl static
#   3. scripts/size/c/cat.c - C + liburing 2.15.3, static (musl and glibc)
# and the programs built on the bare-uring-rt kit: uring-rt/template (the
# static hello users copy, built from a copy as a user would) and
# examples/tcp-init (the /init of .ci/unikernel.sh; built, not run here).
#
# Usage: scripts/size/sizes.sh [--write | --check] [OUT_DIR]
#                                            (OUT_DIR default /tmp/uring-size)
#   (no flag)  print the report (markdown) and the figures quoted in prose
#   --write    rewrite docs/SIZE.md's generated parts from this run: the
#              block between <!-- sizes.sh:begin --> and <!-- sizes.sh:end -->,
#              and every inline <!-- sizes:KEY -->VALUE<!-- /sizes --> span
#   --check    fail (with a diff) when docs/SIZE.md differs from what
#              --write would make of this run
#
# Needs: cargo; `rustup target add x86_64-unknown-linux-musl` (tried here);
# gcc, make, binutils (size); optional: musl-tools (musl-gcc), strace.
# liburing's sources come from the cargo registry package axboe-liburing
# 2.15.3 (`cargo fetch` of the root workspace brings it in).
set -euo pipefail

MODE=print
case "${1:-}" in
--write) MODE=write; shift ;;
--check) MODE=check; shift ;;
-*) echo "usage: $0 [--write | --check] [OUT_DIR]" >&2; exit 2 ;;
esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-/tmp/uring-size}
DOC="$ROOT/docs/SIZE.md"
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
row "nostd-cat (bare-uring, no_std, static)" "$NOSTD" "\`$NOSTD_CMD\`"
# The same for aarch64, if a cross gcc is installed (Debian:
# gcc-aarch64-linux-gnu); not run here (qemu-user has no io_uring).
A64=aarch64-unknown-linux-gnu
if command -v aarch64-linux-gnu-gcc >/dev/null &&
    rustup target list --installed 2>/dev/null | grep -x "$A64" >/dev/null; then
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

# 1b. bare-uring-rt: the template hello and tcp-init ---------------------
log "bare-uring-rt template (hello) and examples/tcp-init"
RT_ROWS=()
rt_row() { # name, file, syscalls, how
    RT_ROWS+=("| $1 | $(stat -c %s "$2") | $(size "$2" | awk 'NR==2 {print $1" / "$2" / "$3}') | $3 | $4 |")
}
# The template as a user's copy, its crates.io dependencies patched to
# this checkout.
HELLO_SRC="$OUT/hello-src"
bash "$ROOT/scripts/rt/template-copy.sh" "$HELLO_SRC"
HELLO_CMD="cargo build --release"
(cd "$HELLO_SRC" && CARGO_TARGET_DIR="$OUT/hello-target" $HELLO_CMD)
HELLO="$OUT/hello-target/release/hello-uring"
[ "$("$HELLO")" = "hello from io_uring" ] || { echo "$HELLO: wrong output" >&2; exit 1; }
HELLO_SYSCALLS=n/a
if command -v strace >/dev/null; then
    strace -f -qq -o "$OUT/strace.tmp" "$HELLO" >/dev/null
    HELLO_SYSCALLS=$(sed -E 's/^[0-9]+ +//; s/\(.*//' "$OUT/strace.tmp" | grep -E '^[a-z0-9_]+$' |
        sort | uniq -c | awk '{printf "%s%s×%s", (NR>1?", ":""), $2, $1}')
fi
rt_row "template hello (uring-rt/template)" "$HELLO" "$HELLO_SYSCALLS" "\`$HELLO_CMD\` (in a copy of uring-rt/template)"
if command -v aarch64-linux-gnu-gcc >/dev/null &&
    rustup target list --installed 2>/dev/null | grep -x "$A64" >/dev/null; then
    (cd "$HELLO_SRC" && CARGO_TARGET_DIR="$OUT/hello-target" \
        CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc $HELLO_CMD --target $A64)
    HELLO_A64="$OUT/hello-target/$A64/release/hello-uring"
    rt_row "template hello for aarch64 (not run)" "$HELLO_A64" "-" "\`CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc $HELLO_CMD --target $A64\`"
fi
TCP_CMD="cargo build --release"
(cd "$ROOT/examples/tcp-init" && CARGO_TARGET_DIR="$OUT/tcp-init-target" $TCP_CMD)
TCP="$OUT/tcp-init-target/release/tcp-init"
rt_row "tcp-init (examples/tcp-init, /init of .ci/unikernel.sh)" "$TCP" "- (runs in the guest)" "\`$TCP_CMD\` (in examples/tcp-init)"

# 2. io-uring crate + std ------------------------------------------------
log "io-uring crate + std"
MUSL=x86_64-unknown-linux-musl
if ! rustup target list --installed 2>/dev/null | grep -x "$MUSL" >/dev/null; then
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

# 4. The arena example ---------------------------------------------------
log "arena example"
ARENA_OUT=$(cd "$ROOT" && CARGO_TARGET_DIR="$OUT/examples-target" \
    cargo run -q --release -p uring-examples --example arena)
ARENA_SUMMARY=$(grep -E '^[0-9]+ rings, [0-9]+ of [0-9]+ arena bytes used$' <<<"$ARENA_OUT")

# Figures quoted in the prose of docs/SIZE.md -----------------------------
# 3480 -> 3,480
commas() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }
VALUES=()
value() { VALUES+=("$1=$2"); }
value nostd_bytes "$(commas "$(stat -c %s "$NOSTD")")"
value nostd_text "$(commas "$(size -A "$NOSTD" | awk '$1==".text" {print $2}')")"
value nostd_bss "$(commas "$(size -A "$NOSTD" | awk '$1==".bss" {print $2}')")"
if [ -n "${A64_BIN:-}" ]; then
    value a64_bytes "$(commas "$(stat -c %s "$A64_BIN")")"
fi
# io_uring_enter calls copying the sample (strace, if installed).
if command -v strace >/dev/null; then
    strace -f -qq -o "$OUT/strace.tmp" "$NOSTD" "$SAMPLE" >/dev/null
    value nostd_enters "$(grep -c '^[0-9]* *io_uring_enter(' "$OUT/strace.tmp")"
fi
# The file, region by region, from the ELF and section headers.
layout() {
    local f=$1
    readelf -hSW "$f" | awk -v total="$(stat -c %s "$f")" '
        function hex(s,    i, v) {
            v = 0; s = tolower(s)
            for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
            return v
        }
        /Size of this header:/ { eh = $5 }
        /Start of program headers:/ { phoff = $5 }
        /Size of program headers:/ { phsz = $5 }
        /Number of program headers:/ { phn = $5 }
        /Start of section headers:/ { shoff = $5 }
        /Size of section headers:/ { shsz = $5 }
        /Number of section headers:/ { shn = $5 }
        /^  \[ *[0-9]+\]/ {
            sub(/^  \[ *[0-9]+\] */, "")
            if (NF >= 5 && $2 != "NOBITS" && $2 != "NULL" && hex($5) > 0) {
                n++; off[n] = hex($4); len[n] = hex($5); name[n] = $1
            }
        }
        END {
            n++; off[n] = 0; len[n] = eh; name[n] = "ELF header"
            n++; off[n] = phoff; len[n] = phn * phsz; name[n] = phn " program headers"
            n++; off[n] = shoff; len[n] = shn * shsz; name[n] = shn " section headers"
            # sort by offset (insertion sort: a handful of regions)
            for (i = 2; i <= n; i++) for (j = i; j > 1 && off[j] < off[j-1]; j--) {
                t = off[j]; off[j] = off[j-1]; off[j-1] = t
                t = len[j]; len[j] = len[j-1]; len[j-1] = t
                t = name[j]; name[j] = name[j-1]; name[j-1] = t
            }
            at = 0; out = ""; sum = 0
            for (i = 1; i <= n; i++) {
                if (off[i] > at) { out = out sprintf("padding %d + ", off[i] - at); sum += off[i] - at }
                out = out sprintf("%s %d + ", name[i], len[i]); sum += len[i]; at = off[i] + len[i]
            }
            if (total > at) { out = out sprintf("padding %d + ", total - at); sum += total - at }
            sub(/ \+ $/, "", out)
            printf "%s = %d%s", out, sum, (sum == total ? "" : " (file: " total ")")
        }'
}
value nostd_layout "$(layout "$NOSTD")"
value hello_bytes "$(commas "$(stat -c %s "$HELLO")")"
if [ -n "${HELLO_A64:-}" ]; then
    value hello_a64_bytes "$(commas "$(stat -c %s "$HELLO_A64")")"
fi
value tcpinit_bytes "$(commas "$(stat -c %s "$TCP")")"
value arena_used "$(commas "$(awk '{print $3}' <<<"$ARENA_SUMMARY")")"
value arena_total "$(commas "$(awk '{print $5}' <<<"$ARENA_SUMMARY")")"

# Report -----------------------------------------------------------------
report() {
echo "### Sizes ($(uname -m), $(rustc --version | cut -d' ' -f1-2), $(gcc --version | head -n1))"
echo
echo "| program | file bytes | text / data / bss | syscalls copying a 300,000-byte file | build |"
echo "|---|---:|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "### Programs on the bare-uring-rt kit"
echo
echo "| program | file bytes | text / data / bss | syscalls | build |"
echo "|---|---:|---|---|---|"
printf '%s\n' "${RT_ROWS[@]}"
echo
echo "### nostd-cat sections (size -A)"
echo
echo '```'
size -A "$NOSTD" | sed -e 1d -e '/^$/d'
echo '```'
echo
echo "### nostd-cat program headers (readelf -lW)"
echo
echo '```'
readelf -lW "$NOSTD" | sed -n '/Program Headers/,$p'
echo '```'
echo
echo "### nostd-cat functions, largest first (unstripped twin, \`nm -S --size-sort\`)"
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
    echo "### strace -c nostd-cat (300,000-byte file)"
    echo
    echo '```'
    # Calls only, sorted by name: times (and so the default order) differ
    # from run to run.
    strace -c -U calls,errors,name -S name -o "$OUT/strace-c.txt" "$NOSTD" "$SAMPLE" >/dev/null
    cat "$OUT/strace-c.txt"
    echo '```'
fi
if command -v strace >/dev/null; then
    echo
    echo "### strace nostd-cat on a 6-byte file (structures and environment elided)"
    echo
    echo '```'
    printf 'hello\n' >"$OUT/h.txt"
    (cd "$OUT" && strace -qq -o strace-h.txt ./nostd-target/min-size/nostd-cat h.txt >/dev/null)
    sed -E 's/, 0x[0-9a-f]+ \/\* [0-9]+ vars \*\//, .../; s/\{(flags=[^,]*), .*\}\) += /{\1, ...}) = /' "$OUT/strace-h.txt"
    echo '```'
fi
echo
echo "### The arena example (\`cargo run --release -p uring-examples --example arena\`, its summary line)"
echo
echo '```'
echo "$ARENA_SUMMARY"
echo '```'
}

REPORT="$OUT/report.md"
report >"$REPORT"
printf '%s\n' "${VALUES[@]}" >"$OUT/values.txt"
if [ "$MODE" = print ]; then
    cat "$REPORT"
    echo
    echo "## Figures quoted in the prose of docs/SIZE.md (<!-- sizes:KEY --> spans)"
    echo
    sed 's/^/    /' "$OUT/values.txt"
    exit 0
fi
# Splices the report and the values into docs/SIZE.md; dies on a missing
# marker or an unknown key, so prose cannot quote a figure this run lacks.
perl -e '
    local $/;
    open my $d, "<", $ARGV[0] or die "$ARGV[0]: $!"; my $doc = <$d>;
    open my $r, "<", $ARGV[1] or die; my $rep = <$r>;
    open my $v, "<", $ARGV[2] or die; my %v = map { split /=/, $_, 2 } split /\n/, <$v>;
    $doc =~ s/(<!-- sizes\.sh:begin -->\n).*?(<!-- sizes\.sh:end -->)/$1$rep$2/s
        or die "docs/SIZE.md: no <!-- sizes.sh:begin --> ... <!-- sizes.sh:end --> block\n";
    $doc =~ s{(<!-- sizes:(\w+) -->).*?(<!-- /sizes -->)}{
        exists $v{$2} ? "$1$v{$2}$3" : die "docs/SIZE.md quotes sizes:$2, which this run did not measure\n"
    }gse;
    print $doc;
' "$DOC" "$REPORT" "$OUT/values.txt" >"$OUT/SIZE.md.new"
if [ "$MODE" = write ]; then
    cp "$OUT/SIZE.md.new" "$DOC"
    echo "rewrote docs/SIZE.md from this run"
elif diff -u "$DOC" "$OUT/SIZE.md.new"; then
    echo "docs/SIZE.md agrees with this run"
else
    echo "docs/SIZE.md disagrees with a fresh run (above: - doc, + run): scripts/size/sizes.sh --write" >&2
    exit 1
fi
