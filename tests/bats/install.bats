#!/usr/bin/env bats
# libsbx.so's interface (soname, version script, only sbx_* exported) and
# `make install`: PREFIX and DESTDIR honoured, and a program built against
# the installed header and library through pkg-config runs a sandbox.

load helpers
load make_env

# The SBX_API functions of sbx.h (not the static inline ones).
api_functions() {
	perl -ne 'print "$1\n" if /^SBX_API .*?\b(sbx_[a-z_]+)\(/' "$ROOT/include/sbx.h" | sort -u
}

@test "libsbx.so has soname libsbx.so.0" {
	command -v objdump >/dev/null || skip_or_fail "needs objdump (binutils)"
	run objdump -p "$BUILD/libsbx.so"
	assert_status 0
	[[ $output =~ SONAME[[:space:]]+libsbx\.so\.0($'\n'|$) ]]
}

@test "libsbx.so exports exactly the SBX_API functions, all sbx_*, versioned SBX_0" {
	command -v nm >/dev/null || skip_or_fail "needs nm (binutils)"
	exported=$(nm -D --defined-only "$BUILD/libsbx.so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' |
		sed 's/@.*//' | sort -u)
	[ -n "$exported" ]
	# Nothing outside the sbx_ namespace (the version node SBX_0 is an
	# absolute symbol, not code or data).
	bad=$(grep -v '^sbx_' <<<"$exported" || true)
	[ -z "$bad" ] || { echo "exported outside sbx_*: $bad" >&2; return 1; }
	# Every public function, and nothing public that sbx.h does not declare.
	diff <(api_functions) <(grep -E '^sbx_' <<<"$exported")
	# Internal helpers such as strv_push stay hidden.
	! nm -D "$BUILD/libsbx.so" | grep -qw strv_push || false
	# Symbols carry the version node of lib/libsbx.map.
	objdump -T "$BUILD/libsbx.so" | grep -w sbx_version | grep -q SBX_0
}

@test "the symbol check itself catches a leaked symbol" {
	command -v nm >/dev/null || skip_or_fail "needs nm (binutils)"
	setup_workdir
	printf 'int leaked_helper(void) { return 1; }\nint sbx_ok(void) { return 2; }\n' >leak.c
	cc -shared -fPIC -o libleak.so leak.c
	run bash -c "nm -D --defined-only libleak.so | awk '\$2 ~ /^[TDBRVW]\$/ {print \$3}' | grep -v '^sbx_'"
	assert_output_contains leaked_helper
}

@test "make install honours PREFIX and DESTDIR; pkg-config builds a program that runs a sandbox" {
	command -v pkg-config >/dev/null || skip_or_fail "needs pkg-config"
	command -v make >/dev/null || skip_or_fail "needs GNU make"
	setup_workdir
	prefix=/opt/sbx-test
	root=$WORK/root
	# A build of its own: the prefix is compiled in (where sbx-shim lives).
	clean_make_env
	run make -C "$ROOT" -s -j2 B="$WORK/build" PREFIX=$prefix DESTDIR="$root" install
	assert_status 0
	p=$root$prefix
	for f in bin/sbx-exec libexec/sbx/sbx-shim include/sbx.h lib/libsbx.a lib/libsbx.so.0 \
		lib/libsbx.so lib/pkgconfig/sbx.pc share/man/man1/sbx-exec.1 share/man/man1/sbx-shim.1 \
		share/man/man5/sbx.policy.5 share/man/man3/libsbx.3 \
		share/bash-completion/completions/sbx-exec share/zsh/site-functions/_sbx-exec \
		share/fish/vendor_completions.d/sbx-exec.fish; do
		[ -e "$p/$f" ] || { echo "missing $p/$f" >&2; return 1; }
	done
	# Nothing lands outside DESTDIR+PREFIX.
	[ -z "$(find "$root" -mindepth 1 -not -path "$p" -not -path "$p/*" -not -path "$root/opt")" ]
	# The .pc file names the prefix, never DESTDIR.
	grep -qx "prefix=$prefix" "$p/lib/pkgconfig/sbx.pc"
	! grep -q "$root" "$p/lib/pkgconfig/sbx.pc" || false
	grep -q "$prefix/libexec/sbx" "$p/share/man/man1/sbx-exec.1"

	# Build against the installed copy, as a packager's sysroot would.
	cat >prog.c <<-'EOF'
		#include <sbx.h>
		#include <stdio.h>
		int main(int argc, char **argv)
		{
			sbx_spec *spec = NULL;
			sbx_runner *r = NULL;
			sbx_error *err = NULL;
			int status = -1;
			char text[256];
			snprintf(text, sizeof(text), "write=scope; writable=%s", argv[1]);
			if (sbx_spec_new(&spec) < 0 || sbx_spec_apply_text(spec, text, "test", &err) < 0 ||
			    sbx_spec_set_args(spec, argv + 2) < 0 || sbx_runner_new(&r, &err) < 0 ||
			    sbx_runner_run(r, spec, NULL, &status, &err) < 0) {
				fprintf(stderr, "%s\n", err ? sbx_error_message(err) : "failed");
				return 125;
			}
			printf("libsbx %s\n", sbx_version());
			sbx_runner_free(r);
			sbx_spec_free(spec);
			return status;
		}
	EOF
	export PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_LIBDIR=$p/lib/pkgconfig
	[ "$(pkg-config --modversion sbx)" = "$(sed -n 's/^#define SBX_VERSION "\(.*\)"/\1/p' "$ROOT/include/sbx.h")" ]
	cc -std=gnu11 -Wall -Werror $(pkg-config --cflags sbx) -o prog prog.c $(pkg-config --libs sbx)
	# It links against the installed shared library, by its soname.
	objdump -p prog | grep -q 'NEEDED.*libsbx\.so\.0'
	LD_LIBRARY_PATH=$p/lib run ldd ./prog
	assert_output_contains "$p/lib/libsbx.so.0"
	mkdir out
	# The installed sbx-shim (the prefix is not on this host, so point at it).
	export SBX_SHIM=$p/libexec/sbx/sbx-shim LD_LIBRARY_PATH=$p/lib
	run ./prog "$WORK/out" sh -c 'echo ok >"$1/allowed"; echo no >"$2/denied"' sh "$WORK/out" "$WORK"
	[ "$status" -ne 0 ]
	assert_output_contains "libsbx "
	[ "$(cat out/allowed)" = ok ]
	[ ! -e denied ]
	# The installed sbx-exec works the same way.
	run "$p/bin/sbx-exec" --write=scope --writable= --writable="$WORK/out" --allow-temp=false \
		--read-deny= -- sh -c 'echo ok >"$1/again"; echo no >"$2/denied"' sh "$WORK/out" "$WORK"
	[ "$status" -ne 0 ]
	[ -f out/again ] && [ ! -e denied ]
	SBX_SHIM= run "$p/bin/sbx-exec" --print --write=none --read-deny= -- true
	assert_output_contains "$prefix/libexec/sbx/sbx-shim"

	# make uninstall takes every file back out.
	run make -C "$ROOT" -s B="$WORK/build" PREFIX=$prefix DESTDIR="$root" uninstall
	assert_status 0
	[ -z "$(find "$root" -not -type d)" ]
}
