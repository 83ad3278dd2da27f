#!/usr/bin/env bash
# CI setup (root): the MinGW-w64 cross compiler for `make windows`, and Wine
# (64-bit only) for the smoke test of sbx-exec.exe in .ci/after.d/windows.sh.
set -eu
export DEBIAN_FRONTEND=noninteractive
need=()
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
[ -x /usr/lib/wine/wine64 ] || need+=(wine64)
if [ ${#need[@]} -gt 0 ]; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
x86_64-w64-mingw32-gcc --version | head -n 1
/usr/lib/wine/wine64 --version
