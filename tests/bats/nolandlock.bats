#!/usr/bin/env bats
# Run under `build/probes/deny landlock --` (make check-nolandlock): with
# Landlock gone, a landlock-backend run that needs what only Landlock holds
# (a read scope) fails closed without --best-effort; the write modes are
# held by read-only mounts where user namespaces exist, checked from the
# host side; and nothing an auto-selected backend runs escapes the policy.
# With --best-effort, preload_wiring.bats covers libsbx-preload.so.

load helpers

setup() {
	setup_workdir
	mkdir -p "$WORK/out"
	if host_json | grep -q '"landlock_abi":[1-9]'; then
		echo "Landlock is present: run this file under tests/probes/deny landlock" >&2
		return 1
	fi
}

@test "--doctor shows Landlock missing and what the landlock backend lacks without it" {
	run sbx --doctor
	assert_output_contains "landlock:            not available"
	assert_output_contains "lacks fs.read.scope: Landlock is not available"
	if have_userns; then
		# the write scope is held by read-only mounts instead
		grep -qE '^  landlock .* fs\.write\.scope' <<<"$output"
		refute_output_contains "lacks fs.write.scope"
	else
		assert_output_contains "lacks fs.write.scope: Landlock is not available"
	fi
}

@test "without Landlock: a read scope exits 125 and runs nothing; the mounts hold every write mode" {
	run sbx --backend=landlock --readable=/usr --readable="$WORK" --read-deny= --write=none -- touch "$WORK/out/ran"
	assert_status 125
	assert_output_contains "Landlock is not available"
	[ ! -e "$WORK/out/ran" ]
	local esc args
	esc=$(mktemp -d /var/tmp/sbx-nl.XXXXXX)
	cd "$WORK/out"
	for args in "--profile=tight" "" "--write=scope --writable=$WORK/out --read-deny=" \
		"--write=none --read-deny= --net=enable"; do
		rm -f "$WORK/out/ran"
		# shellcheck disable=SC2086
		run sbx --backend=landlock $args -- sh -c "touch '$esc/x'; touch '$WORK/out/ran'"
		if ! have_userns; then
			assert_status 125
			[ ! -e "$WORK/out/ran" ]
			continue
		fi
		# host side: nothing outside the writable paths, under any mode
		[ ! -e "$esc/x" ] || { echo "[$args] wrote outside" >&2; return 1; }
		# positive control: where the mode lets it write, it did
		case $args in
		--profile=tight | --write=none*) [ ! -e "$WORK/out/ran" ] ;;
		*) [ -e "$WORK/out/ran" ] || { echo "[$args] did not write out/" >&2; return 1; } ;;
		esac
	done
	rm -rf "$esc"
}

@test "auto selection never runs unconfined" {
	run sbx --write=scope --writable= --writable="$WORK/out" --allow-temp=false --read-deny= -- sh -c "echo x > '$WORK/escaped'; echo y > '$WORK/out/ok'"
	if [ "$status" -eq 125 ]; then
		assert_output_contains "landlock: lacks fs.write.scope (Landlock is not available"
	else
		# another backend took it: it must have enforced the write scope
		[ ! -e "$WORK/escaped" ]
		[ -e "$WORK/out/ok" ]
	fi
}

@test "the unit tests of every plan hold on this host too (they compile against injected host facts)" {
	local t n=0
	cd "$ROOT" # (the golden plans are found from the source tree)
	for t in "$BUILD"/tests/test_*; do
		run "$t"
		assert_status 0
		refute_output_contains "not ok"
		n=$((n + 1))
	done
	[ "$n" -ge 10 ]
}
