#!/usr/bin/env bash
# build-deb.sh OUTDIR: builds the sbx, libsbx0 and libsbx-dev .debs with
# `dpkg-buildpackage -us -uc -b` from a copy of this work tree, with
# packaging/debian as its debian/, and leaves them (with the .changes and
# .buildinfo) in OUTDIR. DEB_BUILD_OPTIONS passes through (nocheck skips
# `make check` inside the build). Needs dpkg-dev, debhelper and the
# Build-Depends of packaging/debian/control.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: build-deb.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
version=$(sed -n 's/^#define SBX_VERSION "\(.*\)"/\1/p' "$top/include/sbx.h")
changelog=$(dpkg-parsechangelog -l "$top/packaging/debian/changelog" -S Version)
if [ "$version" != "$changelog" ]; then
	echo "build-deb.sh: include/sbx.h says $version, debian/changelog $changelog" >&2
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/sbx-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/sbx-$version
mkdir "$src"
# The work tree without build output or VCS data.
tar -C "$top" --exclude=./.git --exclude=./build --exclude='./build-*' -cf - . | tar -C "$src" -xf -
rm -rf "$src/debian"
cp -a "$top/packaging/debian" "$src/debian"
(cd "$src" && dpkg-buildpackage -us -uc -b)
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out"/
ls "$out"/*.deb
