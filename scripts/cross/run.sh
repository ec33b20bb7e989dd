#!/usr/bin/env bash
# Cross-architecture runner: builds the smoke suite (cross/smoke),
# nostd-cat and the bare-uring-rt template hello statically for ARCH, packs
# them into an initramfs (/init, /nostd-cat, /hello-uring), boots Debian's
# kernel for ARCH under qemu-system (full emulation, serial console) and
# turns the guest's output into one line:
#
#   ARCH: built / booted KERNEL / N passed, N skipped (reasons), N failed
#
#   scripts/cross/run.sh aarch64|aarch64-16k|riscv64|powerpc64le|s390x|loongarch64
#
# Exit: 0 when the guest ran every case with none failed; 1 on a build,
# boot or case failure (the failing case is named); 2 when the host lacks
# what ARCH needs (qemu-system, cross gcc, Rust target, Debian kernel),
# with the reason on the line. .ci/cross.sh installs all of these.
# Guest log: $URING_CROSS_OUT/ARCH.log (default $CARGO_TARGET_DIR/cross,
# else target/cross).
set -uo pipefail
arch=${1:?usage: run.sh ARCH}
cd "$(dirname "$0")/../.."
tdir=${CARGO_TARGET_DIR:-target}
out=${URING_CROSS_OUT:-$tdir/cross}
mkdir -p "$out"
log=$out/$arch.log
timeout_s=${URING_CROSS_TIMEOUT:-180}

say() { echo "$arch: $*"; }
missing() { say "skipped: $*"; exit 2; }

case $arch in
  aarch64)
    target=aarch64-unknown-linux-gnu gcc=aarch64-linux-gnu-gcc
    debarch=arm64 meta=linux-image-cloud-arm64 console=ttyAMA0
    qemu=(qemu-system-aarch64 -M virt -cpu cortex-a57 -m 512) ;;
  aarch64-16k)
    # The same binaries on Debian's 16 KiB-page arm64 kernel: checks the
    # run-time page size of the NO_MMAP layout (cortex-a57 has no 16 KiB
    # granule, -cpu max has).
    target=aarch64-unknown-linux-gnu gcc=aarch64-linux-gnu-gcc
    debarch=arm64 meta=linux-image-arm64-16k console=ttyAMA0
    qemu=(qemu-system-aarch64 -M virt -cpu max -m 512) ;;
  riscv64)
    target=riscv64gc-unknown-linux-gnu gcc=riscv64-linux-gnu-gcc
    debarch=riscv64 meta=linux-image-riscv64 console=ttyS0
    qemu=(qemu-system-riscv64 -M virt -m 512) ;;
  powerpc64le)
    target=powerpc64le-unknown-linux-gnu gcc=powerpc64le-linux-gnu-gcc
    debarch=ppc64el meta=linux-image-powerpc64le console=hvc0
    qemu=(qemu-system-ppc64 -M pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off -m 1024 -vga none) ;;
  s390x)
    target=s390x-unknown-linux-gnu gcc=s390x-linux-gnu-gcc
    debarch=s390x meta=linux-image-s390x console=ttysclp0
    qemu=(qemu-system-s390x -M s390-ccw-virtio -m 512) ;;
  loongarch64)
    missing "no loong64 kernel in Debian's trixie/bookworm archives (only debian-ports, not served by this mirror) and no loongarch64 rust-std from this rustup mirror; bare-uring is compile-checked only (-Zbuild-std=core)" ;;
  *) echo "unknown arch $arch" >&2; exit 2 ;;
esac

command -v "${qemu[0]}" >/dev/null || missing "${qemu[0]} not installed"
command -v "$gcc" >/dev/null || missing "$gcc not installed"
rustup target list --installed 2>/dev/null | grep -qx "$target" || missing "rustup target $target not installed"

# --- build ---------------------------------------------------------------
T=$(echo "$target" | tr 'a-z-' 'A-Z_')
export "CARGO_TARGET_${T}_LINKER=$gcc"
export "CARGO_TARGET_${T}_RUSTFLAGS=-C target-feature=+crt-static"
# Optimised (the code users ship; a debug build hides register mistakes
# in the syscall asm, see docs/ARCH.md), but with unwinding so that a
# panicking case is reported as FAIL, and without the slow fat LTO.
if ! CARGO_PROFILE_RELEASE_PANIC=unwind CARGO_PROFILE_RELEASE_LTO=false \
     CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
     cargo build -q -p uring-smoke --release --target "$target" 2>"$out/$arch.build.log"; then
  say "build FAILED (uring-smoke), see $out/$arch.build.log"; tail -20 "$out/$arch.build.log"; exit 1
fi
files=("/init=$tdir/$target/release/uring-smoke")
# nostd-cat gets its _start from bare-uring-rt (uring-rt/src/start.rs), one per arch.
# The build of docs/SIZE.md, for this target (no crt-static: nostd-cat
# links no C library at all).
if ! env -u "CARGO_TARGET_${T}_RUSTFLAGS" cargo build -q -p nostd-cat --profile min-size \
     --target "$target" 2>>"$out/$arch.build.log"; then
  say "build FAILED (nostd-cat), see $out/$arch.build.log"; tail -20 "$out/$arch.build.log"; exit 1
fi
files+=("/nostd-cat=$tdir/$target/min-size/nostd-cat")
# The bare-uring-rt template hello, built from a copy as a user would.
case $tdir in /*) atdir=$tdir ;; *) atdir=$PWD/$tdir ;; esac
hello_src=$atdir/cross-hello-src
bash scripts/rt/template-copy.sh "$hello_src"
if ! (cd "$hello_src" && env -u "CARGO_TARGET_${T}_RUSTFLAGS" CARGO_TARGET_DIR="$atdir/cross-hello" \
     cargo build -q --release --target "$target") 2>>"$out/$arch.build.log"; then
  say "build FAILED (template hello), see $out/$arch.build.log"; tail -20 "$out/$arch.build.log"; exit 1
fi
files+=("/hello-uring=$atdir/cross-hello/$target/release/hello-uring")
read -r kimg kver < <(bash scripts/cross/kernel.sh "$debarch" "$meta") \
  || missing "no downloadable Debian kernel $meta for $debarch"
python3 scripts/cross/initramfs.py "$out/$arch.cpio.gz" "${files[@]}"

# --- boot ----------------------------------------------------------------
# panic=-1: when /init exits the kernel panics and reboots at once;
# -no-reboot turns that reboot into qemu's exit.
timeout "$timeout_s" "${qemu[@]}" -nographic -no-reboot \
  -nic none -kernel "$kimg" -initrd "$out/$arch.cpio.gz" \
  -append "console=$console panic=-1 quiet" </dev/null >"$log" 2>&1
rc=$?
tr -d '\r' <"$log" >"$log.txt"

# --- verdict -------------------------------------------------------------
if ! grep -q '^info arch: ' "$log.txt"; then
  say "built / NOT booted (qemu exit $rc); last console lines:"; tail -15 "$log.txt"; exit 1
fi
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log.txt" | tail -1)
grep -E '^(info|pass|skip|FAIL) ' "$log.txt" | sed "s/^/  [$arch] /"
if [ -z "$summary" ]; then
  say "built / booted $kver / the suite did not finish (qemu exit $rc, timeout ${timeout_s}s); last lines:"
  tail -15 "$log.txt"; exit 1
fi
read -r np _ nf _ ns _ <<<"${summary//,/}"
reasons=$(grep '^skip ' "$log.txt" | sed 's/^skip //' | paste -sd ';' - | sed 's/;/; /g')
line="built / booted $kver / $np passed, $ns skipped${reasons:+ ($reasons)}, $nf failed"
if [ "$nf" != 0 ]; then
  say "$line: $(grep '^FAIL ' "$log.txt" | sed 's/^FAIL //' | paste -sd ';' -)"; exit 1
fi
say "$line"
