#!/usr/bin/env bash
# Fetches the newest x86_64 Debian kernel of one Debian suite and prints
# "IMAGE_PATH VERSION" (e.g. ".../vmlinuz-6.1.0-40-amd64 6.1.0-40-amd64").
#
#   scripts/kernels/kernel.sh SUITE      # bullseye | bookworm | trixie | sid
#
# A sibling of scripts/cross/kernel.sh that picks the suite instead of the
# newest kernel of any suite. Private apt configuration (own sources list and
# lists under the cache directory): the system's apt setup stays untouched;
# only the .deb is downloaded and its vmlinuz extracted (to CACHE/kernel/KVER/vmlinuz).
# The package is found by name: linux-image-amd64 (the metapackage) depends
# on linux-image-KVER (<= 7.1), which holds /boot/vmlinuz-KVER; since 7.2
# (sid) that package is split and the image is linux-binary-KVER's
# /usr/lib/modules/KVER/vmlinuz (modules are in linux-modules-KVER, not
# needed: the guest loads no module).
# Cache: $URING_KERNELS_CACHE (default ~/.cache/uring-kernels); an empty
# cache only costs a download.
set -euo pipefail
suite=${1:?usage: kernel.sh SUITE}
cache=${URING_KERNELS_CACHE:-$HOME/.cache/uring-kernels}
root=$cache/apt-$suite
mkdir -p "$root/lists/partial" "$root/archives/partial" "$root/debs"
case $suite in
  bullseye) lines=("bullseye main" "bullseye-security main") ;;   # + security: its newest 5.10
  bookworm) lines=("bookworm main" "bookworm-security main") ;;
  trixie)   lines=("trixie main" "trixie-security main") ;;
  sid)      lines=("sid main") ;;
  *) echo "unknown suite $suite" >&2; exit 2 ;;
esac
: >"$root/sources.list"
for l in "${lines[@]}"; do
  case $l in *-security*) uri=http://deb.debian.org/debian-security ;; *) uri=http://deb.debian.org/debian ;; esac
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $l" >>"$root/sources.list"
done
apt_opts=(
  -o "Dir::State::Lists=$root/lists" -o "Dir::Cache=$root" -o "Dir::Cache::archives=$root/archives"
  -o "Dir::Etc::SourceList=$root/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
  -o "Dir::Etc::Preferences=/nonexistent" -o "Dir::Etc::PreferencesParts=/nonexistent"
  -o "APT::Architectures::=amd64" -o "Acquire::Languages=none" -o "Debug::NoLocking=1"
  -o "APT::Sandbox::User=root" -o "APT::Default-Release="
)
# Lists are refreshed at most once a day.
if [ -z "$(find "$root/lists" -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
  apt-get "${apt_opts[@]}" -qq update >/dev/null 2>&1 || true
fi
# The metapackage's candidate versions, newest first; its linux-image-*
# dependency names the real image package.
mapfile -t versions < <(apt-cache "${apt_opts[@]}" madison linux-image-amd64 2>/dev/null \
                        | awk -F'|' '{gsub(/ /,"",$2); print $2}')
[ ${#versions[@]} -gt 0 ] || { echo "no linux-image-amd64 in $suite (mirror unreachable?)" >&2; exit 1; }
for v in "${versions[@]}"; do
  img=$(apt-cache "${apt_opts[@]}" depends "linux-image-amd64=$v" 2>/dev/null \
        | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  [ -n "$img" ] || continue
  kver=${img#linux-image-}
  kver=${kver%%:*}
  dir=$cache/kernel/$kver
  if [ ! -s "$dir/vmlinuz" ]; then
    # <= 7.1: the image is in linux-image-KVER; 7.2+: in linux-binary-KVER.
    for pkg in "linux-binary-$kver" "linux-image-$kver"; do
      apt-cache "${apt_opts[@]}" show "$pkg" >/dev/null 2>&1 || continue
      (cd "$root/debs" && rm -f ./*.deb && apt-get "${apt_opts[@]}" -qq download "$pkg" >/dev/null 2>&1) || continue
      mkdir -p "$dir.tmp"
      # /boot/vmlinuz-KVER (<= 7.1) or /usr/lib/modules/KVER/vmlinuz (7.2+).
      dpkg-deb --fsys-tarfile "$root"/debs/*.deb | tar -x -C "$dir.tmp" --wildcards '*vmlinuz*' 2>/dev/null || true
      f=$(find "$dir.tmp" -type f -name 'vmlinuz*' | head -1)
      if [ -n "$f" ]; then
        rm -rf "$dir"; mkdir -p "$dir"; mv "$f" "$dir/vmlinuz"
        rm -rf "$dir.tmp" "$root"/debs/*.deb; break
      fi
      rm -rf "$dir.tmp" "$root"/debs/*.deb
    done
  fi
  [ -s "$dir/vmlinuz" ] || continue
  echo "$dir/vmlinuz $kver"
  exit 0
done
echo "no downloadable kernel image for linux-image-amd64 in $suite (tried: ${versions[*]})" >&2
exit 1
