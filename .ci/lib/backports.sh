# Sourced by the CI scripts that install qemu (.ci/cross.sh,
# .ci/kernels.sh, .ci/unikernel.sh). On Debian bookworm, qemu-system must
# come from bookworm-backports to match the machine's qemu-utils 10.x
# (bookworm's own 7.2 conflicts with it): this adds that suite to apt's
# sources if it is missing and sets `bpo` to the apt-get arguments that
# select it (empty on other releases).
. /etc/os-release
bpo=()
if [ "${VERSION_CODENAME:-}" = bookworm ]; then
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    cat >/etc/apt/sources.list.d/bookworm-backports.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  bpo=(-t bookworm-backports)
fi
