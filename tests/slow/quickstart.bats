#!/usr/bin/env bats
# quickstart.bats (slow, root only): the README's quick start, copied as it
# is, in a fresh Debian minbase root (debootstrap; cached in
# /var/cache/sbx-fresh-root), entered with a mount namespace and
# pivot_root (scripts/fresh-root.sh): the two command lines as root, then
# `make check` as an unprivileged user there. Docker and runsc are not in
# that root, so this `make check` runs without SBX_TESTS_MUST_WORK (their
# tests skip with the reason), and must pass.

load ../bats/helpers

CACHE=${SBX_FRESH_ROOT_CACHE:-/var/cache/sbx-fresh-root}

setup() {
	requires root
	command -v debootstrap >/dev/null || skip_or_fail "needs debootstrap" || return 1
	command -v unshare >/dev/null || skip_or_fail "needs unshare (util-linux)" || return 1
	if ! "$ROOT/scripts/fresh-root.sh" make "$CACHE/base" >"$BATS_TEST_TMPDIR/deboot.log" 2>&1; then
		tail -5 "$BATS_TEST_TMPDIR/deboot.log" >&2
		skip_or_fail "debootstrap failed (no Debian mirror reachable?)" || return 1
	fi
	FRESH=$(mktemp -d /var/tmp/sbx-fresh.XXXXXX)
	cp -a "$CACHE/base/." "$FRESH/"
	mkdir -p "$FRESH/src"
	# the source tree as a clone has it: no build output, no git metadata
	tar -C "$ROOT" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$FRESH/src" -xf -
}

# what a long run printed: each failed test with what it said, then the tail
show_outcome() {
	echo "$output" | grep -A 25 '^not ok' | head -150 | sed "s/^/# /" >&3
	echo "$output" | tail -30 | sed "s/^/# /" >&3
}

teardown() {
	[ -n "${FRESH:-}" ] && rm -rf "$FRESH"
}

@test "the README's two commands in a fresh Debian root, then make check as a user there" {
	# the README's quick start, exactly (first its own lines, checked)
	run grep -c '^    sh scripts/quickstart.sh ' "$ROOT/README.md"
	assert_output_contains 1
	run grep -c '^    make check ' "$ROOT/README.md"
	assert_output_contains 1
	# nothing of it is there before: no make, no compiler
	run "$ROOT/scripts/fresh-root.sh" run "$FRESH" 'command -v make || command -v gcc || echo clean'
	assert_output_contains clean
	run "$ROOT/scripts/fresh-root.sh" run "$FRESH" 'cd /src && sh scripts/quickstart.sh 2>&1 && make check 2>&1'
	show_outcome
	assert_status 0
	assert_output_contains "does not exist (the write was denied)"
	assert_output_contains "exists (the allowed write passed)"
	[[ $output =~ ([0-9]+)\ passed,\ 0\ failed ]]
	[ "${BASH_REMATCH[1]}" -gt 500 ]
	# an unprivileged user there, from a copy the user owns
	run "$ROOT/scripts/fresh-root.sh" run "$FRESH" '
		useradd --create-home --shell /bin/sh tester &&
		cp -a /src /home/tester/src && rm -rf /home/tester/src/build &&
		chown -R tester: /home/tester/src &&
		su tester -c "cd ~/src && make check" 2>&1'
	show_outcome
	assert_status 0
	[[ $output =~ ([0-9]+)\ passed,\ 0\ failed ]]
	[ "${BASH_REMATCH[1]}" -gt 500 ]
}
