#!/usr/bin/env bash
# Kernel matrix for CI: installs what scripts/kernels/run.sh needs on a
# fresh Debian bookworm (qemu-system-x86 from bookworm-backports, like
# .ci/cross.sh, to match the machine's qemu-utils 10.x; gcc and libc6-dev
# for the static /init; python3), then runs every test binary on Debian's
# 5.10, 6.1, 6.12 and 7.2 kernels under qemu (TCG) and on the host.
# Measured on the shared 2-core machine (docs/KERNELS.md has the last run):
# static release build from scratch 243 s; boot + run 5.10 433 s, 6.1 325 s,
# 6.12 307 s, 7.2 72 s, host 4 s; of that, 7 binaries that hang on old
# kernels cost the 120 s per-binary limit each. Worst case is capped by
# the 720 s limit per boot (about 55 min in all).
# Its exit status is the runner's: any failed test, crash, timeout or
# kernel that did not boot fails CI (docs/KERNELS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib/backports.sh
need=() qemu=()
for p in gcc libc6-dev python3 debian-archive-keyring; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
dpkg -s qemu-system-x86 >/dev/null 2>&1 || qemu=(qemu-system-x86)
if [ ${#need[@]} -gt 0 ] || [ ${#qemu[@]} -gt 0 ]; then
  apt-get update -qq >/dev/null
  inst() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
             -o DPkg::Lock::Timeout=600 "$@" >/dev/null; }
  [ ${#need[@]} -eq 0 ] || inst "${need[@]}"
  [ ${#qemu[@]} -eq 0 ] || inst "${bpo[@]}" "${qemu[@]}"
fi
exec bash scripts/kernels/run.sh all
