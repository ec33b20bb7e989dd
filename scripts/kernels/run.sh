#!/usr/bin/env bash
# Kernel matrix: runs every test binary of `cargo test --workspace` on the
# x86_64 kernels users run, each booted under qemu-system-x86_64 (TCG):
#
#   scripts/kernels/run.sh [5.10|6.1|6.12|7.2|host|all ...] [--docs]
#
#   5.10 = Debian bullseye, 6.1 = bookworm, 6.12 = trixie, 7.2 = sid (the
#   newest linux-image-amd64 of each suite, scripts/kernels/kernel.sh);
#   host = the same binaries run natively on this machine's kernel.
#   Default: all (the four kernels and host). --docs rewrites docs/KERNELS.md.
#
# 1. builds every test executable once, statically (+crt-static,
#    x86_64-unknown-linux-gnu), listed from cargo's JSON messages, plus the
#    probe program (cross/smoke/src/probe.rs) and the guest's /init
#    (scripts/kernels/init.c, gcc -static);
# 2. packs them into an initramfs at their own absolute paths, next to the
#    repository's tracked files (tests read files relative to their
#    CARGO_MANIFEST_DIR, as under cargo);
# 3. boots each kernel (-m 4G -smp 2): /init runs the probe, then each
#    binary with --test-threads 1 under a per-binary time limit, writing to
#    the second serial port (OUT/LABEL.tests.log; kernel console:
#    OUT/LABEL.console.log);
# 4. scripts/kernels/report.py prints the per-test table and one line per
#    kernel: "KVER: N passed, N skipped (reasons), N failed, N not run
#    (ignored)", then failed tests and crashed / timed-out binaries.
# Exit: 0 when every kernel booted and ran every binary with none failed;
# 1 otherwise; 2 when the host lacks a tool (the reason is printed).
# Knobs: URING_KERNELS_OUT (default $CARGO_TARGET_DIR/kernels or
# target/kernels), URING_KERNELS_PROFILE (release|dev), URING_BIN_TIMEOUT
# (per binary, s), URING_TEST_TIMEOUT (per test, s, the harness's watchdog),
# URING_TEST_SCALE (stress divisor in guests), URING_KERNELS_BOOT_TIMEOUT
# (whole boot, s), URING_KERNELS_CACHE (kernel cache).
set -euo pipefail
{ # The whole script is one compound command: bash reads it all before
  # running, so editing this file during a run cannot derail the run.
cd "$(dirname "$0")/../.."
repo=$PWD
cmdline="scripts/kernels/run.sh $*"

sel=() docs=0
for a in "$@"; do
  case $a in
    --docs) docs=1 ;;
    all) sel+=(5.10 6.1 6.12 7.2 host) ;;
    5.10|6.1|6.12|7.2|host) sel+=("$a") ;;
    *) echo "usage: $0 [5.10|6.1|6.12|7.2|host|all ...] [--docs]" >&2; exit 2 ;;
  esac
done
[ ${#sel[@]} -gt 0 ] || sel=(5.10 6.1 6.12 7.2 host)
suite_of() { case $1 in 5.10) echo bullseye ;; 6.1) echo bookworm ;; 6.12) echo trixie ;; 7.2) echo sid ;; esac; }

# --- tools ---------------------------------------------------------------
need=(cargo gcc python3 git timeout)
for l in "${sel[@]}"; do [ "$l" = host ] || { need+=(qemu-system-x86_64 apt-get dpkg-deb); break; }; done
for t in "${need[@]}"; do
  command -v "$t" >/dev/null || { echo "kernels: skipped: $t not installed (.ci/kernels.sh installs it)"; exit 2; }
done
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || { echo "kernels: skipped: no static libc (libc6-dev)"; exit 2; }

tdir=${CARGO_TARGET_DIR:-target}
out=${URING_KERNELS_OUT:-$tdir/kernels}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tdir_abs=$(cd "$tdir" && pwd)
target=x86_64-unknown-linux-gnu
profile=${URING_KERNELS_PROFILE:-release}
bin_limit=${URING_BIN_TIMEOUT:-120}
test_limit=${URING_TEST_TIMEOUT:-45}
scale=${URING_TEST_SCALE:-10}
# A boot's whole run is capped too, so that hangs cannot take CI's 90
# minutes: binaries not reached by then are reported as never run (failed).
boot_limit=${URING_KERNELS_BOOT_TIMEOUT:-720}
secs() { echo $((SECONDS - $1)); }

# --- 1. build --------------------------------------------------------------
t0=$SECONDS
# Only the two cargo commands below see these (not nostd-cat's build, not
# the host run, whose tests may run cargo themselves).
benv=(CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C target-feature=+crt-static")
case $profile in
  # Optimised like scripts/cross/run.sh: unwinding (a panic is a FAILED
  # test, not an abort), no fat LTO, 16 codegen units. Measured against
  # dev with opt-level 1: as fast to build (6m45s vs 6m17s wall, 4m23s vs
  # 5m08s CPU from scratch on the shared 2 cores), 113 MB of test
  # binaries instead of 956 MB (debug info), and faster code under TCG.
  release) prof=(--release)
           benv+=(CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
                  CARGO_PROFILE_RELEASE_PANIC=unwind) ;;
  dev) prof=() ; benv+=(CARGO_PROFILE_DEV_OPT_LEVEL=1 CARGO_PROFILE_TEST_OPT_LEVEL=1) ;;
  *) echo "URING_KERNELS_PROFILE: release or dev" >&2; exit 2 ;;
esac
# A static test binary cannot load libclang (bindgen dlopens it): the
# bindings drift test is built ignored here (URING_NO_LIBCLANG, build.rs);
# the host's `cargo test` runs it.
benv+=(URING_NO_LIBCLANG=1)
echo "=== kernels: build ($profile, static, $target)"
if ! { env -u URING_REQUIRE_LIBCLANG "${benv[@]}" cargo test --workspace --no-run --target "$target" "${prof[@]}" --message-format=json \
         && env -u URING_REQUIRE_LIBCLANG "${benv[@]}" cargo build -p uring-smoke --bin uring-probe --target "$target" "${prof[@]}" --message-format=json; } \
       >"$out/build.json" 2>"$out/build.log"; then
  echo "kernels: build FAILED (see $out/build.log)"; tail -30 "$out/build.log"; exit 1
fi
gcc -static -O2 -Wall -o "$out/init" scripts/kernels/init.c
# nostd-cat as docs/SIZE.md builds it (tests/nostd_cat.rs runs that
# command; in the guest /init stands in for it with this binary).
# (Without the flags above: min-size inherits the release profile.)
if ! cargo build -q -p nostd-cat --profile min-size \
     2>>"$out/build.log"; then
  echo "kernels: build FAILED (nostd-cat, see $out/build.log)"; exit 1
fi
# The list: "NAME<TAB>EXECUTABLE<TAB>PACKAGE DIR" for each test executable
# (lib/bin unit tests and integration tests of every workspace package);
# files: every executable cargo made (tests spawn CARGO_BIN_EXE_* too).
python3 - "$out" <<'PY'
import json, os, sys, tomllib
out = sys.argv[1]
tests, exes, probe = [], set(), None
for line in open(os.path.join(out, "build.json")):
    if not line.startswith("{"):
        continue
    m = json.loads(line)
    if m.get("reason") != "compiler-artifact" or not m.get("executable"):
        continue
    exe, t = m["executable"], m["target"]
    if "example" in t["kind"]:
        continue
    exes.add(exe)
    with open(m["manifest_path"], "rb") as mf:
        name = tomllib.load(mf)["package"]["name"]
    if m["profile"]["test"]:
        kind = "lib" if t["kind"] == ["lib"] or "lib" in t["kind"] else t["name"]
        tests.append((f"{name}:{kind}", exe, os.path.dirname(m["manifest_path"])))
    elif t["name"] == "uring-probe":
        probe = exe
tests.sort()
with open(os.path.join(out, "list"), "w") as f:
    for n, e, d in tests:
        f.write(f"{n}\t{e}\t{d}\n")
with open(os.path.join(out, "probe.path"), "w") as f:
    f.write(probe + "\n")
with open(os.path.join(out, "files"), "w") as f:
    for e in sorted(exes):
        f.write(f"{e}={e}\n")
PY
nbin=$(wc -l <"$out/list")
build_secs=$(secs $t0)
times=("build ${build_secs}s")
echo "kernels: built $nbin test binaries in ${build_secs}s ($(du -shc $(cut -f2 "$out/list") | tail -1 | cut -f1))"

# --- 2. initramfs ----------------------------------------------------------
cpio=$out/initramfs.cpio
if [ "${sel[*]}" != host ]; then
  t0=$SECONDS
  git ls-files -z | while IFS= read -r -d '' f; do [ -f "$f" ] && echo "$repo/$f=$repo/$f"; done >"$out/srcfiles"
  # strace (some tests list syscalls with it) with the libraries it loads.
  extra=()
  if s=$(command -v strace); then
    extra+=("/bin/strace=$s")
    for lib in $(ldd "$s" | grep -o '/[^ ]*'); do extra+=("$lib=$(readlink -f "$lib")"); done
  fi
  python3 scripts/cross/initramfs.py "$cpio" /init="$out/init" /bin/true="$out/init" \
    /bin/cargo="$out/init" /kt/nostd-cat="$tdir/min-size/nostd-cat" \
    /kt/probe="$(cat "$out/probe.path")" /kt/list="$out/list" @"$out/files" @"$out/srcfiles" "${extra[@]}" \
    "$tdir_abs/$target/tmp/"  # CARGO_TARGET_TMPDIR, which cargo creates before tests run
  echo "kernels: initramfs $(du -h "$cpio" | cut -f1) in $(secs $t0)s"
  times+=("initramfs $(secs $t0)s")
fi

# --- 3. run ----------------------------------------------------------------
# The host: the same binaries, natively, with the guest's markers.
run_host() {
  local tmp; tmp=$(mktemp -d)
  {
    echo "@@ boot host"; echo "@@ run probe"
    local prc=0
    "$(cat "$out/probe.path")" || prc=$?
    echo "@@ end probe exit=$prc secs=0"
    while IFS=$'\t' read -r name exe dir; do
      echo "@@ run $name"
      local s=$SECONDS rc=0
      (cd "$dir" && TMPDIR=$tmp URING_SMOKE_NOSTD_CAT="$tdir_abs/min-size/nostd-cat" timeout -k 10 "$bin_limit" "$exe" --test-threads 1 </dev/null 2>&1) || rc=$?
      local how="exit=$rc"
      [ $rc = 124 ] && how=timeout
      [ $rc -gt 128 ] && how="signal=$((rc - 128))"
      echo; echo "@@ end $name $how secs=$((SECONDS - s))"
    done <"$out/list"
    echo "@@ done"
  } >"$out/host.tests.log"
  rm -rf "$tmp"
}

for l in "${sel[@]}"; do
  t0=$SECONDS
  rm -f "$out/$l.tests.log" "$out/$l.console.log" "$out/$l.meta"
  if [ "$l" = host ]; then
    run_host
    printf 'kver=%s (host)\nboot_secs=%s\n' "$(uname -r)" "$(secs $t0)" >"$out/host.meta"
    echo "kernels: host $(uname -r) ran in $(secs $t0)s"
    times+=("host $(secs $t0)s")
    continue
  fi
  suite=$(suite_of "$l")
  if ! read -r kimg kver < <(bash scripts/kernels/kernel.sh "$suite"); then
    echo "kver=$l (Debian $suite: kernel not downloadable)" >"$out/$l.meta"
    echo "kernels: $l: no downloadable kernel for Debian $suite"; continue
  fi
  echo "kernels: booting $kver (Debian $suite) ..."
  rc=0
  timeout -k 10 "$boot_limit" qemu-system-x86_64 -accel tcg -cpu max -m 4096 -smp 2 \
    -nographic -no-reboot -nic none -monitor none \
    -kernel "$kimg" -initrd "$cpio" \
    -append "console=ttyS0 panic=-1 quiet URING_TEST_SCALE=$scale URING_TEST_TIMEOUT=$test_limit URING_BIN_TIMEOUT=$bin_limit" \
    -serial "file:$out/$l.console.log" -serial "file:$out/$l.tests.log" </dev/null >"$out/$l.qemu.log" 2>&1 || rc=$?
  booted=0; grep -q '^@@ boot' "$out/$l.tests.log" 2>/dev/null && booted=1
  printf 'kver=%s\nboot_secs=%s\nqemu_rc=%s\nbooted=%s\n' "$kver" "$(secs $t0)" "$rc" "$booted" >"$out/$l.meta"
  grep -q '^@@ done' "$out/$l.tests.log" 2>/dev/null || echo "kernels: $kver: the guest did not finish (qemu exit $rc)"
  echo "kernels: $kver booted and ran in $(secs $t0)s"
  times+=("$l $(secs $t0)s")
done

# --- 4. verdict ------------------------------------------------------------
echo "${times[*]}; total ${SECONDS}s" >"$out/times"
echo "kernels: times: $(cat "$out/times"); raw results in $out"
args=("$out" "${sel[@]}")
[ $docs = 1 ] && args+=(--docs docs/KERNELS.md --command "$cmdline")
python3 scripts/kernels/report.py "${args[@]}"
exit
}
