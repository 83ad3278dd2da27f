#!/usr/bin/env bash
# CI setup (root) for the slow suites: the tools the real builds need, and
# the sources of GNU hello, zlib, lua 5.4 and jq from Debian (`apt-get
# source`, a deb-src line added for it), cached in /var/cache/sbx-src so
# later runs need no mirror (tests/slow/realbuilds.bats); debootstrap and
# the fresh minbase root the quick-start test copies, cached in
# /var/cache/sbx-fresh-root (tests/slow/quickstart.bats).
set -eu
export DEBIAN_FRONTEND=noninteractive
cache=${SBX_SRC_CACHE:-/var/cache/sbx-src}
apt-get install -y -qq --no-install-recommends gcc make autoconf automake libtool dpkg-dev \
	debootstrap >/dev/null
"$(dirname "$0")/../../scripts/fresh-root.sh" make /var/cache/sbx-fresh-root/base
mkdir -p "$cache"
have() { compgen -G "$cache/$1" >/dev/null; }
if have 'hello_*.orig.tar.gz' && have 'zlib_*.orig.tar.*' && have 'lua5.4_*.orig.tar.gz' &&
	have 'jq_*.orig.tar.gz'; then
	exit 0
fi
list=/etc/apt/sources.list.d/sbx-deb-src.sources
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
	cat >"$list" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
apt-get update -qq
cd "$cache"
apt-get source -qq --download-only hello zlib lua5.4 jq
chmod -R a+rX "$cache"
