#!/usr/bin/env bats
# Nested sandboxes: SBX_SANDBOX marks the inside, sbx-exec works inside
# sbx-exec, and an inner policy can only narrow the outer one. Policies use
# scoped writes and network modes, which the landlock backend enforces.

load helpers

setup() {
	setup_workdir
	mkdir -p a b
	# Scoped writes to exactly the paths given after these options.
	SCOPE=(--write=scope --writable= --allow-temp=false --read-deny=)
	# The inner sbx-exec. In an ASan build, LeakSanitizer needs ptrace, which
	# the outer sandbox denies: only the outer run checks for leaks.
	INNER=(env ASAN_OPTIONS=detect_leaks=0 "$SBX_EXEC")
}

teardown() {
	[ -z "${SINK_PID:-}" ] || kill "$SINK_PID" 2>/dev/null || true
}

@test "SBX_SANDBOX names the backend inside, and is absent outside" {
	[ -z "${SBX_SANDBOX:-}" ]
	run sbx "${SCOPE[@]}" --writable="$WORK/a" -- sh -c 'echo "marker=${SBX_SANDBOX:-unset}"'
	assert_status 0
	[ "$output" = "marker=landlock" ]
	# Set by sbx-exec itself: a value from outside does not leak through.
	SBX_SANDBOX=forged run sbx "${SCOPE[@]}" --writable="$WORK/a" -- sh -c 'echo "marker=$SBX_SANDBOX"'
	[ "$output" = "marker=landlock" ]
}

@test "nested sbx-exec runs, passing arguments and exit status through both layers" {
	run sbx "${SCOPE[@]}" --writable="$WORK/a" -- \
		"${INNER[@]}" "${SCOPE[@]}" --writable="$WORK/a" -- \
		sh -c 'printf "%s|" "$@"; echo "$SBX_SANDBOX"; exit 5' sh 'x y' '' z
	assert_status 5
	[ "$output" = "x y||z|landlock" ]
}

@test "inner policy cannot write where the outer one denied" {
	# The inner run asks for a and b; the outer allowed only a.
	run sbx "${SCOPE[@]}" --writable="$WORK/a" -- \
		"${INNER[@]}" "${SCOPE[@]}" --writable="$WORK/a" --writable="$WORK/b" -- \
		sh -c 'echo ok >"$1/ok"; echo bad >"$2/bad"' sh "$WORK/a" "$WORK/b"
	[ "$status" -ne 0 ]
	[ "$(cat a/ok)" = ok ]
	[ ! -e b/bad ]
	# Control: the inner policy alone does write b.
	run sbx "${SCOPE[@]}" --writable="$WORK/a" --writable="$WORK/b" -- \
		sh -c 'echo fine >"$1/fine"' sh "$WORK/b"
	assert_status 0
	[ "$(cat b/fine)" = fine ]
}

@test "inner policy cannot widen writes to everything either" {
	run sbx "${SCOPE[@]}" --writable="$WORK/a" -- \
		"${INNER[@]}" "${SCOPE[@]}" --writable="$WORK" -- \
		sh -c 'echo bad >"$1/wide"' sh "$WORK"
	[ "$status" -ne 0 ]
	[ ! -e wide ]
}

@test "inner policy narrows: write none inside an outer scope that allows the path" {
	run sbx "${SCOPE[@]}" --writable="$WORK/a" -- \
		"${INNER[@]}" --write=none --read-deny= -- sh -c 'echo x >"$1/inner"' sh "$WORK/a"
	[ "$status" -ne 0 ]
	[ ! -e a/inner ]
	# Control: the outer layer alone lets the same write through.
	run sbx "${SCOPE[@]}" --writable="$WORK/a" -- sh -c 'echo x >"$1/outer"' sh "$WORK/a"
	assert_status 0
	[ -f a/outer ]
}

@test "inner policy cannot re-enable a network the outer one disabled" {
	read -r port SINK_PID < <("$PROBES/tcp_sink" serve "$WORK/log")
	# Control: an outbound-only sandbox reaches the host listener.
	run sbx "${SCOPE[@]}" --writable="$WORK/a" --net=outbound -- "$PROBES/tcp_sink" poke "$port"
	assert_status 0
	run sbx "${SCOPE[@]}" --writable="$WORK/a" --net=disable -- \
		"${INNER[@]}" "${SCOPE[@]}" --writable="$WORK/a" --net=enable -- "$PROBES/tcp_sink" poke "$port"
	[ "$status" -ne 0 ]
	# Host side: the listener saw exactly the control's connection.
	[ "$(grep -c accepted "$WORK/log")" -eq 1 ]
}

@test "the outer policy from SBX_POLICY also binds a nested run with its own options" {
	export SBX_POLICY="write=scope; writable=; writable=$WORK/a; allow-temp=false; read-deny="
	run sbx -- "${INNER[@]}" --writable="$WORK/b" -- sh -c 'echo x >"$1/b"' sh "$WORK/b"
	[ "$status" -ne 0 ]
	[ ! -e b/b ]
	# The inner layer, also under SBX_POLICY, may still write a.
	run sbx -- "${INNER[@]}" -- sh -c 'echo y >"$1/a"' sh "$WORK/a"
	assert_status 0
	[ "$(cat a/a)" = y ]
	# Control: one layer with the same options does write b.
	run sbx --writable="$WORK/b" -- sh -c 'echo x >"$1/b"' sh "$WORK/b"
	assert_status 0
	[ -f b/b ]
}
