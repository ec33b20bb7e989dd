#!/usr/bin/env bash
# Fetches the newest Debian kernel image for a Debian architecture that the
# package mirror serves, and prints "IMAGE_PATH VERSION".
#
#   scripts/cross/kernel.sh DEBARCH METAPACKAGE
#   e.g. scripts/cross/kernel.sh arm64 linux-image-cloud-arm64
#
# Uses a private apt configuration (its own sources and lists under the
# cache directory), so the system's apt sources and dpkg architectures stay
# untouched: it only downloads .deb files and extracts /boot from them.
# Suites, newest first: trixie, bookworm-backports, bookworm. A version
# whose .deb the mirror does not serve is skipped for the next older one.
# Cache: $URING_CROSS_CACHE (default ~/.cache/uring-cross).
set -euo pipefail
debarch=$1 meta=$2
cache=${URING_CROSS_CACHE:-$HOME/.cache/uring-cross}
root=$cache/apt-$debarch
mkdir -p "$root/lists/partial" "$root/archives/partial" "$root/debs"
cat >"$root/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
SRC
apt_opts=(
  -o "Dir::State::Lists=$root/lists" -o "Dir::Cache=$root" -o "Dir::Cache::archives=$root/archives"
  -o "Dir::Etc::SourceList=$root/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
  -o "APT::Architectures::=$debarch" -o "Acquire::Languages=none" -o "Debug::NoLocking=1"
  -o "APT::Sandbox::User=root"
)
# Lists are refreshed at most once a day.
if [ -z "$(find "$root/lists" -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
  apt-get "${apt_opts[@]}" -qq update >/dev/null 2>&1 || true
fi
# Candidate versions of the metapackage, newest first (apt's own order).
mapfile -t versions < <(apt-cache "${apt_opts[@]}" madison "$meta:$debarch" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}')
[ ${#versions[@]} -gt 0 ] || { echo "no $meta for $debarch in the Debian mirror" >&2; exit 1; }
for v in "${versions[@]}"; do
  img=$(apt-cache "${apt_opts[@]}" depends "$meta:$debarch=$v" 2>/dev/null \
        | awk '/Depends: linux-image-/ {print $2; exit}')
  [ -n "$img" ] || continue
  img=${img%%:*}
  dir=$cache/kernel-$debarch/$img
  if ! compgen -G "$dir/boot/vmlinu*" >/dev/null; then
    (cd "$root/debs" && rm -f ./*.deb && apt-get "${apt_opts[@]}" -qq download "$img:$debarch" >/dev/null 2>&1) || continue
    mkdir -p "$dir"
    dpkg-deb --fsys-tarfile "$root"/debs/*.deb | tar -x -C "$dir" --wildcards './boot/vmlinu*'
    rm -f "$root"/debs/*.deb
  fi
  echo "$(ls "$dir"/boot/vmlinu* | head -1) ${img#linux-image-}"
  exit 0
done
echo "no downloadable $meta for $debarch (tried: ${versions[*]})" >&2
exit 1
