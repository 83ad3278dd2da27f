#!/usr/bin/env bash
# CI after the tests: builds sbx-exec.exe with MinGW-w64 (-Werror), type-checks
# the macOS-only seatbelt code, and smoke-tests the .exe under Wine: --version,
# --help, --caps, --print (text and JSON, Windows paths), exit status 125 on
# bad usage. Wine 8 does not implement CreateAppContainerProfile, so running
# an appcontainer plan is not tried here. Last line: "N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
pass=0
fail=0
check() { # check NAME COMMAND...: counts one result
	local name=$1
	shift
	if "$@"; then
		echo "ok - $name"
		pass=$((pass + 1))
	else
		echo "not ok - $name"
		fail=$((fail + 1))
	fi
}

check "make windows (x86_64-w64-mingw32-gcc, -Werror)" make -s windows
check "make macos-syntax (seatbelt clonefile code, the runner and its proxy)" make -s macos-syntax

exe=build-windows/sbx-exec.exe
wine=/usr/lib/wine/wine64
if [ ! -x "$wine" ] || [ ! -f "$exe" ]; then
	echo "not ok - wine smoke tests: wine64 or $exe missing (.ci/setup.d/windows.sh installs wine64)"
	fail=$((fail + 1))
	echo "$pass passed, $fail failed"
	exit 1
fi
WINEPREFIX=$(mktemp -d /tmp/sbx-wine.XXXXXX)
export WINEPREFIX WINEDEBUG=-all
out=$(mktemp)
# run EXPECTED_STATUS ARGS...: runs the .exe under Wine into $out.
run() {
	local want=$1
	shift
	timeout 120 "$wine" "$exe" "$@" >"$out" 2>&1 </dev/null
	local got=$?
	[ "$got" -eq "$want" ] || { echo "# status $got, wanted $want"; sed 's/^/# /' "$out"; return 1; }
}
has() { grep -qF -- "$1" "$out" || { echo "# missing: $1"; sed 's/^/# /' "$out"; return 1; }; }

check "wine: --version" eval 'run 0 --version && has "sbx-exec 0.1.0" && has "appcontainer backend runs here"'
check "wine: --help" eval 'run 0 --help && has "Usage: sbx-exec"'
check "wine: --caps lists the appcontainer column" eval 'run 0 --caps && has "appcont." && has "proc.no_exec"'
check "wine: --print appcontainer with Windows paths" eval \
	'run 0 --print --backend=appcontainer --best-effort --net=enable --memory=64m --no-exec "--dir=C:\\windows" -- cmd.exe /c echo hi &&
	 has "container sbx" && has "grant read C:\\windows" && has "capability internetClientServer S-1-15-3-2" &&
	 has "job memory 67108864" && has "child-process restricted" && has "working directory:    C:\\windows"'
check "wine: --print --json appcontainer" eval \
	'run 0 --print --json --backend=appcontainer --best-effort -- cmd.exe && has "\"backend\":\"appcontainer\"" && has "\"available\":true"'
check "wine: --print seatbelt shows the profile" eval \
	'run 0 --print --backend=seatbelt --best-effort -- /bin/true && has "(version 1)" && has "not runnable here:    the seatbelt backend runs on macOS only"'
check "wine: agent on appcontainer without --best-effort is refused (125)" eval \
	'run 125 --print --backend=appcontainer -- cmd.exe && has "fs.read.host"'
check "wine: bad usage exits 125" eval 'run 125 --frobnicate && has "unknown option"'

WINEPREFIX=$WINEPREFIX /usr/lib/wine/wineserver -k 2>/dev/null
rm -rf "$WINEPREFIX" "$out"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
