#!/usr/bin/env bash
# CI, after the main tests (root): build the Debian packages with
# `dpkg-buildpackage -us -uc -b`, lint them, install them on this machine,
# smoke-test what was installed as a user would meet it, then remove them
# and check nothing is left. Ends with "N passed, M failed".
#
# The smoke tests use only policy options the installed build enforces
# (scoped writes), and check every denial from the host side with an
# allowed write as its control.
set -u
cd "$(dirname "$0")/../.."
top=$(pwd)
export DEBIAN_FRONTEND=noninteractive
pass=0
fail=0
ok() {
	echo "ok - $1"
	pass=$((pass + 1))
}
not_ok() {
	echo "not ok - $1"
	fail=$((fail + 1))
}
# check NAME CMD...: one test, passing when CMD succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

work=$(mktemp -d /var/tmp/sbx-ci-packaging.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
pkgs="sbx libsbx0 libsbx-dev"

# Leftovers of an earlier run would hide a broken install.
apt-get purge -y -qq $pkgs >/dev/null 2>&1 || true

# 1. Build. The tests already ran in this CI run: nocheck.
if DEB_BUILD_OPTIONS=nocheck packaging/build-deb.sh "$work/debs" >"$work/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b builds sbx, libsbx0, libsbx-dev"
else
	tail -n 40 "$work/build.log"
	not_ok "dpkg-buildpackage -us -uc -b builds sbx, libsbx0, libsbx-dev"
	finish
fi
version=$(sed -n 's/^#define SBX_VERSION "\(.*\)"/\1/p' include/sbx.h)
arch=$(dpkg --print-architecture)
debs=()
for p in $pkgs; do
	debs+=("$work/debs/${p}_${version}_${arch}.deb")
done
check "the three .debs exist" test -f "${debs[0]}" -a -f "${debs[1]}" -a -f "${debs[2]}"

# 2. Lint: lintian errors fail; warnings are shown.
if command -v lintian >/dev/null; then
	lintian --fail-on error,warning "$work/debs/sbx_${version}_${arch}.changes" 2>&1 |
		grep -v 'running with root privileges' | tee "$work/lintian.log"
	check "lintian reports no errors" test "${PIPESTATUS[0]}" -eq 0
else
	not_ok "lintian is installed (.ci/setup.d/packaging.sh)"
fi

# 3. Install with apt, as a user would.
if apt-get install -y -qq "${debs[@]}" >"$work/install.log" 2>&1; then
	ok "apt-get install of the three packages"
else
	cat "$work/install.log"
	not_ok "apt-get install of the three packages"
	finish
fi
hash -r
check "sbx-exec is /usr/bin/sbx-exec" test "$(command -v sbx-exec)" = /usr/bin/sbx-exec
check "sbx-shim is in /usr/libexec/sbx" test -x /usr/libexec/sbx/sbx-shim
check "sbx-exec --version reports $version" \
	bash -c "sbx-exec --version | head -n1 | grep -qx 'sbx-exec $version'"
check "the plan uses the installed sbx-shim" \
	bash -c "sbx-exec --print --write=none --read-deny= -- true | grep -q /usr/libexec/sbx/sbx-shim"

# 4. Sandboxed writes through the installed sbx-exec, from the host side.
smoke() { # smoke DIR: allowed write into DIR/out, denied write into DIR
	local d=$1
	sbx-exec --write=scope --writable= --writable="$d/out" --allow-temp=false --read-deny= -- \
		sh -c 'echo ok >"$1/out/allowed"; echo no >"$1/denied"' sh "$d"
	[ $? -ne 0 ] && [ "$(cat "$d/out/allowed" 2>/dev/null)" = ok ] && [ ! -e "$d/denied" ]
}
mkdir -p "$work/root/out"
check "installed sbx-exec (root): allowed write lands, denied write does not" smoke "$work/root"
user=sbxci
id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
mkdir -p "$work/user/out"
chown -R "$user:" "$work/user"
check "installed sbx-exec ($user): allowed write lands, denied write does not" \
	su "$user" -s /bin/bash -c "$(declare -f smoke); smoke '$work/user'"

# 5. A Makefile sandboxed the way the README says, within a minute of install.
mkdir -p "$work/mk/out"
printf 'SHELL := sbx-exec -- /bin/sh\nall:\n\ttouch out/built\n\ttouch escaped\n' >"$work/mk/Makefile"
(cd "$work/mk" && SBX_POLICY="write=scope; writable=; writable=$work/mk/out; allow-temp=false; read-deny=" \
	timeout 60 make -s >/dev/null 2>&1)
check "Makefile with SHELL := sbx-exec: recipe sandboxed, make sees the failure" \
	test $? -eq 2 -a -f "$work/mk/out/built" -a ! -e "$work/mk/escaped"

# 6. Exec shims from the installed binary.
mkdir -p "$work/shim/out"
sbx-exec --install-shims "$work/shim/bin" touch >/dev/null
check "--install-shims links to /usr/bin/sbx-exec" \
	test "$(readlink "$work/shim/bin/touch")" = /usr/bin/sbx-exec
(cd "$work/shim" && PATH="$work/shim/bin:$PATH" \
	SBX_POLICY="write=scope; writable=; writable=$work/shim/out; allow-temp=false; read-deny=" \
	sh -c 'touch out/shimmed; touch escaped' 2>/dev/null)
check "a shimmed touch is sandboxed" test -f "$work/shim/out/shimmed" -a ! -e "$work/shim/escaped"

# 7. Documentation and completions where the system looks for them.
for m in man1/sbx-exec.1 man1/sbx-shim.1 man5/sbx.policy.5 man3/libsbx.3; do
	check "man page /usr/share/man/$m.gz" test -f "/usr/share/man/$m.gz"
done
if command -v man >/dev/null; then
	check "man -w sbx-exec finds the page" bash -c 'man -w sbx-exec | grep -q sbx-exec.1'
fi
check "bash completion installed" test -f /usr/share/bash-completion/completions/sbx-exec
check "zsh completion installed" test -f /usr/share/zsh/vendor-completions/_sbx-exec
check "fish completion installed" test -f /usr/share/fish/vendor_completions.d/sbx-exec.fish
check "bash completion loads and registers sbx-exec" \
	bash -c '. /usr/share/bash-completion/completions/sbx-exec && complete -p sbx-exec >/dev/null'

# 8. libsbx-dev: build with pkg-config against the installed files, run it.
cat >"$work/prog.c" <<'EOF'
#include <sbx.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	sbx_spec *spec = NULL;
	sbx_runner *r = NULL;
	sbx_error *err = NULL;
	int status = -1;
	char text[512];
	(void)argc;
	snprintf(text, sizeof(text), "write=scope; writable=%s", argv[1]);
	if (sbx_spec_new(&spec) < 0 || sbx_spec_apply_text(spec, text, "ci", &err) < 0 ||
	    sbx_spec_set_args(spec, argv + 2) < 0 || sbx_runner_new(&r, &err) < 0 ||
	    sbx_runner_run(r, spec, NULL, &status, &err) < 0) {
		fprintf(stderr, "%s\n", err ? sbx_error_message(err) : "failed");
		return 125;
	}
	sbx_runner_free(r);
	sbx_spec_free(spec);
	return status;
}
EOF
check "pkg-config --modversion sbx is $version" test "$(pkg-config --modversion sbx)" = "$version"
check "a program builds against the installed libsbx via pkg-config" \
	cc -std=gnu11 -Wall -Werror -o "$work/prog" "$work/prog.c" $(pkg-config --cflags --libs sbx)
lib=$(ldd "$work/prog" | awk '$1 == "libsbx.so.0" {print $3}')
check "it links the installed libsbx.so.0" \
	test "$(readlink -f "$lib")" = "$(readlink -f /usr/lib/*/libsbx.so.0)" -a -n "$lib"
mkdir -p "$work/lib/out"
(unset SBX_SHIM; "$work/prog" "$work/lib/out" sh -c 'echo ok >"$1/out/allowed"; echo no >"$1/denied"' \
	sh "$work/lib") 2>/dev/null
check "it runs a sandbox with the installed sbx-shim: allowed write lands, denied does not" \
	test "$(cat "$work/lib/out/allowed" 2>/dev/null)" = ok -a ! -e "$work/lib/denied"

# 9. Remove, and nothing of ours is left behind.
if apt-get purge -y -qq $pkgs >"$work/purge.log" 2>&1; then
	ok "apt-get purge of the three packages"
else
	cat "$work/purge.log"
	not_ok "apt-get purge of the three packages"
fi
hash -r
left=$(ls /usr/bin/sbx-exec /usr/libexec/sbx /usr/include/sbx.h /usr/lib/*/libsbx* \
	/usr/lib/*/pkgconfig/sbx.pc /usr/share/man/man1/sbx-exec.1.gz 2>/dev/null)
check "no installed file is left after purge" test -z "$left"
finish
