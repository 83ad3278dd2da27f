#!/usr/bin/env bats
# realbuilds.bats (slow: `make check-slow`, its own CI phase): real
# third-party builds with every recipe sandboxed, `./configure` under
# sbx-exec too, giving the same artifacts as an unsandboxed build:
#   GNU hello  automake, SUBDIRS, recursive make
#   zlib       a plain Makefile, and its `make test`
#   lua 5.4    `cd src && $(MAKE)`
#   jq         automake and libtool (each compile one more nesting level)
# with `make SHELL='sbx-exec -- sh'` (the agent profile) at -j2, the same
# with --reuse (one sandbox for the make's recipes) at -j2, and
# `SHELL=sbx-exec --net=disable --write=scope --writable=. -- /bin/sh` at
# -j1. Sources come from Debian (`apt-get source`, cached in
# $SBX_SRC_CACHE, default /var/cache/sbx-src; .ci/setup.d/realbuilds.sh
# fills it).

load ../bats/helpers

SRC=${SBX_SRC_CACHE:-/var/cache/sbx-src}

setup() {
	compgen -G "$SRC/hello_*.orig.tar.gz" >/dev/null ||
		skip_or_fail "no sources in $SRC (run .ci/setup.d/realbuilds.sh as root, with a Debian mirror)" || return 1
	command -v make >/dev/null && command -v gcc >/dev/null ||
		skip_or_fail "needs make and gcc" || return 1
	# not under the temp dir, which the agent profile writes through
	WORK=$(mktemp -d /var/tmp/sbx-builds.XXXXXX)
	export PATH="$(dirname "$SBX_EXEC"):$PATH"
	AGENT="sbx-exec -- sh"
	REUSE="sbx-exec --reuse -- sh"
	SCOPED="sbx-exec --net=disable --write=scope --writable=. -- /bin/sh"
}

teardown() {
	cd /
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
}

unpack() {
	cd "$WORK" || return 1
	tar xf "$(ls "$SRC"/$1 | head -n1)"
	cd "$(ls -d "$WORK"/*/ | head -n1)" || return 1
}

# hashes FILE...: one line per artifact.
hashes() {
	sha256sum "$@"
}

# build_all TARGET ARTIFACTS...: plain, then with each sandboxed SHELL,
# from clean, comparing the artifacts.
build_all() {
	local target=$1
	shift
	make -j2 $target >"$WORK/plain.log" 2>&1 || { tail -20 "$WORK/plain.log"; return 1; }
	hashes "$@" >"$WORK/plain.sum"
	make clean >/dev/null 2>&1
	make -j2 SHELL="$AGENT" $target >"$WORK/agent.log" 2>&1 || { tail -20 "$WORK/agent.log"; return 1; }
	hashes "$@" | diff "$WORK/plain.sum" - || return 1
	make clean >/dev/null 2>&1
	make -j2 SHELL="$REUSE" $target >"$WORK/reuse.log" 2>&1 || { tail -20 "$WORK/reuse.log"; return 1; }
	hashes "$@" | diff "$WORK/plain.sum" - || return 1
	make clean >/dev/null 2>&1
	make -j1 SHELL="$SCOPED" $target >"$WORK/scoped.log" 2>&1 || { tail -20 "$WORK/scoped.log"; return 1; }
	hashes "$@" | diff "$WORK/plain.sum" - || return 1
	# every recipe really ran sandboxed: the jobserver stayed and nothing
	# complained about it
	! grep -q "jobserver unavailable" "$WORK/agent.log" "$WORK/reuse.log" || false
}

@test "GNU hello: configure and recursive make, sandboxed, same artifacts" {
	unpack 'hello_*.orig.tar.gz'
	run sbx-exec -- ./configure -q
	assert_status 0
	build_all all hello
	# the build's own test suite, sandboxed without network
	run make SHELL="$SCOPED" check
	assert_status 0
}

@test "zlib: plain Makefile and make test, sandboxed, same artifacts" {
	unpack 'zlib_*.orig.tar.*'
	run sbx-exec -- ./configure
	assert_status 0
	build_all all libz.a
	# with --reuse the recipes really ran in one sandbox (a flat Makefile:
	# one pid namespace for all), not each in a fresh one
	printf '#!/bin/sh\nreadlink /proc/self/ns/pid >>"%s/ns.log"\nexec /bin/sh "$@"\n' "$PWD" >"$WORK/nssh"
	chmod +x "$WORK/nssh"
	make clean >/dev/null 2>&1
	run make -j2 SHELL="sbx-exec --reuse -- $WORK/nssh" all
	assert_status 0
	[ "$(wc -l <ns.log)" -gt 10 ]
	[ "$(sort -u ns.log | wc -l)" -eq 1 ]
	[ "$(cat ns.log | head -n1)" != "$(readlink /proc/self/ns/pid)" ]
	run make SHELL="$SCOPED" test
	assert_status 0
	assert_output_contains "zlib test OK"
}

@test "lua 5.4: cd src && \$(MAKE), sandboxed, same artifacts" {
	unpack 'lua5.4_*.orig.tar.gz'
	build_all linux src/lua src/luac src/liblua.a
}

@test "jq: automake and libtool, sandboxed, same artifacts" {
	command -v autoreconf >/dev/null && command -v libtoolize >/dev/null ||
		skip_or_fail "needs autoconf, automake and libtool" || return 1
	unpack 'jq_*.orig.tar.gz'
	run sbx-exec -- autoreconf -fi
	assert_status 0
	run sbx-exec -- ./configure -q --disable-maintainer-mode --disable-docs --with-oniguruma=no --disable-shared
	assert_status 0
	build_all all jq
}
