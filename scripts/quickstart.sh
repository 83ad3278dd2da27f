#!/bin/sh
# quickstart.sh: the README's first command. On Debian or Ubuntu, installs
# what building and testing sbx needs (with apt-get; as root, or through
# sudo), builds sbx, and runs the demo: one write the policy allows and one
# it denies, both checked from the host. Needs neither make nor sudo to be
# installed first (as root).
set -eu
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ]; then
	as_root=""
elif command -v sudo >/dev/null 2>&1; then
	as_root="sudo"
else
	echo "quickstart: installing packages needs root: run it as root, or install sudo" >&2
	exit 1
fi

# The packages of `make deps`, plus make itself.
pkgs="make gcc libc6-dev pkg-config libseccomp-dev libcap-ng-dev bats util-linux bsdutils procps"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "quickstart: installing$missing"
	$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# shellcheck disable=SC2086
	$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi

jobs=$(nproc 2>/dev/null || echo 2)
make -j"$jobs"
make demo
