#!/usr/bin/env bash
# The unikernel-style demo (examples/tcp-init): a no_std static binary
# booted as /init of Debian's amd64 kernel (6.11+ for io_uring's BIND and
# LISTEN; trixie has 6.12) under qemu-system-x86_64 with TCG and no network
# device. In the guest it brings `lo` up, serves TCP echo to forked
# clients over loopback with every socket operation an io_uring request,
# checks every byte, prints a verdict on the serial console and powers
# off. Passes when the console shows "tcp-init: PASS" and the power-off.
#
#   bash .ci/unikernel.sh          (from the repository root; run by .ci/run)
#
# Installs qemu-system-x86 the way .ci/cross.sh installs qemu: from
# bookworm-backports, to match the machine's qemu-utils 10.x. The kernel
# comes from scripts/cross/kernel.sh (a private apt configuration; cached
# in ~/.cache/uring-cross). Guest log: $CARGO_TARGET_DIR/unikernel/ (default
# target/unikernel/).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
step() { printf '\n=== unikernel: %s (%ss)\n' "$*" "$SECONDS"; }
tdir=${CARGO_TARGET_DIR:-$PWD/target}
case $tdir in /*) ;; *) tdir=$PWD/$tdir ;; esac
out=$tdir/unikernel
mkdir -p "$out"

step "install: qemu-system-x86 (bookworm-backports on bookworm)"
if ! command -v qemu-system-x86_64 >/dev/null; then
  . .ci/lib/backports.sh
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${bpo[@]}" qemu-system-x86 >/dev/null
fi
qemu-system-x86_64 --version | head -1

step "build examples/tcp-init (cargo build --release, its own project)"
(cd examples/tcp-init && CARGO_TARGET_DIR="$tdir/tcp-init" cargo build --release)
bin=$tdir/tcp-init/release/tcp-init
echo "tcp-init: $(stat -c %s "$bin") bytes, stripped"

step "kernel: Debian linux-image-cloud-amd64, newest (scripts/cross/kernel.sh)"
read -r kimg kver < <(bash scripts/cross/kernel.sh amd64 linux-image-cloud-amd64)
echo "$kver ($kimg)"
kmaj=${kver%%.*} kmin=${kver#*.} kmin=${kmin%%.*}
if [ "$kmaj" -lt 6 ] || { [ "$kmaj" -eq 6 ] && [ "$kmin" -lt 11 ]; }; then
  echo "FAIL: kernel $kver is older than 6.11 (io_uring BIND/LISTEN)"; exit 1
fi

step "boot: qemu-system-x86_64 -accel tcg -nic none, tcp-init as /init"
python3 scripts/cross/initramfs.py "$out/tcp-init.cpio.gz" "/init=$bin"
t0=$SECONDS
rc=0
# panic=-1 and -no-reboot: should /init die, the kernel panics, reboots,
# and qemu exits instead of hanging until the timeout.
timeout "${URING_UNIKERNEL_TIMEOUT:-600}" qemu-system-x86_64 -accel tcg -m 256 -smp 1 \
  -nographic -no-reboot -nic none \
  -kernel "$kimg" -initrd "$out/tcp-init.cpio.gz" \
  -append "console=ttyS0 panic=-1 quiet" </dev/null >"$out/console.log" 2>&1 || rc=$?
tr -d '\r' <"$out/console.log" >"$out/console.txt"
echo "qemu exit $rc after $((SECONDS - t0))s; the guest's console:"
grep -E '^tcp-init: |Power down|Kernel panic' "$out/console.txt" || tail -20 "$out/console.txt"

step "verdict"
if grep -q '^tcp-init: PASS' "$out/console.txt" && grep -q 'reboot: Power down' "$out/console.txt" \
   && [ "$rc" = 0 ]; then
  echo "unikernel: PASS on $kver ($(stat -c %s "$bin")-byte /init, boot to power-off $((SECONDS - t0))s)"
else
  echo "unikernel: FAIL (qemu exit $rc); log: $out/console.txt"; tail -30 "$out/console.txt"; exit 1
fi
