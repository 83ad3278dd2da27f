#!/usr/bin/env bats
# Run under `build/probes/deny landlock --` (make check-nolandlock): with
# Landlock gone, every landlock-backend run without --best-effort fails
# closed (every policy asks for a filesystem capability only Landlock
# holds), and nothing an auto-selected backend runs escapes the policy.
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
	assert_output_contains "lacks fs.write.scope: Landlock is not available"
	assert_output_contains "lacks fs.read.scope: Landlock is not available"
}

@test "every profile and policy on the landlock backend exits 125 and runs nothing" {
	for args in "--profile=tight" "" "--write=scope --writable=$WORK/out --read-deny=" \
		"--write=none --read-deny= --net=enable" "--readable=/usr --readable=$WORK --read-deny= --write=none"; do
		run sbx --backend=landlock $args -- sh -c "touch '$WORK/out/ran'"
		assert_status 125
		assert_output_contains "Landlock is not available"
	done
	[ ! -e "$WORK/out/ran" ]
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
