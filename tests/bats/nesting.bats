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

# What the outer sandbox holds, and what a nested run adds (landlock_nested.c).

@test "the default profile nests at depth 1, 2 and 3, with its read-deny list" {
	if ! have_userns; then refused_without_userns; return; fi
	local h=$WORK/home
	mkdir -p "$h/.ssh" "$WORK/p"
	echo "NESTKEY-$$" >"$h/.ssh/id"
	echo pub >"$WORK/p/f"
	cd "$WORK/p"
	local inner="${INNER[*]}"
	run env HOME="$h" "$SBX_EXEC" -- sh -c "$inner -- sh -c '$inner -- sh -c \"cat f; cat ~/.ssh/id; echo depth3 \\\$SBX_SANDBOX\"'"
	assert_status 0
	assert_output_contains pub
	assert_output_contains "depth3 landlock"
	refute_output_contains "NESTKEY-$$"
}

@test "a nested policy the outer already holds runs directly; a stricter one adds layers" {
	# (the default profile's views need user namespaces)
	if ! have_userns; then refused_without_userns; return; fi
	run sbx -- "${INNER[@]}" --print -- true
	assert_status 0
	assert_output_contains "--direct"
	assert_output_contains "held by the outer sbx sandbox"
	run sbx -- "${INNER[@]}" --profile=tight --print -- true
	assert_status 0
	refute_output_contains "--direct"
	assert_output_contains "--net disable"
	assert_output_contains "an added Landlock layer"
}

@test "a stricter nested policy holds: no network, no writes, from the host side" {
	read -r port SINK_PID < <("$PROBES/tcp_sink" serve "$WORK/log")
	# control: the outer (outbound) reaches the host listener from inside
	run sbx --write=scope --writable="$WORK/a" --net=outbound -- "${INNER[@]}" --write=scope --writable="$WORK/a" -- "$PROBES/tcp_sink" poke "$port"
	assert_status 0
	run sbx --write=scope --writable="$WORK/a" --net=outbound -- "${INNER[@]}" --profile=tight -- "$PROBES/tcp_sink" poke "$port"
	[ "$status" -ne 0 ]
	[ "$(grep -c accepted "$WORK/log")" -eq 1 ]
	run sbx --write=scope --writable="$WORK/a" -- "${INNER[@]}" --profile=tight -- sh -c "echo no > '$WORK/a/tight'"
	[ ! -e a/tight ]
}

@test "agent inside agent from a subdirectory writes there, and not beside it" {
	if ! have_userns; then refused_without_userns; return; fi
	# not under the temp dir, which the agent profile writes through
	local top
	top=$(mktemp -d /var/tmp/sbx-nest.XXXXXX)
	mkdir -p "$top/sub"
	cd "$top"
	run sbx -- sh -c "cd sub && ${INNER[*]} -- sh -c 'echo in > in && echo out > ../beside; echo \$? > rc'"
	local in beside rc
	in=$(cat sub/in) rc=$(cat sub/rc)
	[ -e beside ] && beside=yes || beside=no
	cd /
	rm -rf "$top"
	[ "$in" = in ]
	[ "$beside" = no ]
	[ "$rc" -ne 0 ]
}

@test "what cannot stack is refused with 125, naming the outer sandbox" {
	if ! have_userns; then refused_without_userns; return; fi
	run sbx -- "${INNER[@]}" --no-exec -- touch "$WORK/a/ran"
	assert_status 125
	assert_output_contains "outer sbx sandbox"
	[ ! -e a/ran ]
	if have_cgroup; then
		run sbx -- "${INNER[@]}" --memory=64m -- touch "$WORK/a/ran"
		assert_status 125
		assert_output_contains "outer sbx sandbox"
		[ ! -e a/ran ]
		# an outer cap that is already as low holds it
		run sbx --memory=64m -- "${INNER[@]}" --memory=128m -- touch "$WORK/a/ran"
		assert_status 0
	fi
	# the outer holding no-exec holds the inner's too
	ASAN_OPTIONS=detect_leaks=0 run sbx --no-exec -- "$SBX_EXEC" --no-exec --print -- true
	assert_status 0
	assert_output_contains "proc.no_exec        held by the outer sbx sandbox"
}

@test "nothing outside a sandbox can make a run believe it is nested" {
	# (without user namespaces, a profile that runs without them)
	local prof=()
	have_userns || prof=(--profile=tight)
	# a listener on the query's name, and the marker variable, outside
	start_listener ulisten "@sbx-outer-v1"
	run env SBX_SANDBOX=landlock "$SBX_EXEC" "${prof[@]}" --print -- true
	stop_listener
	assert_status 0
	refute_output_contains "--direct"
	refute_output_contains "outer sbx sandbox"
	# the whole plan, its own layer included
	assert_output_contains "--ll-abi"
	if have_userns; then assert_output_contains "--unshare-user"; fi
}

@test "without user namespaces: a nested read-deny stacks on the outer's, or is refused" {
	# (user namespaces taken away here, so both layers are Landlock alone)
	mkdir -p s1 s2 h
	echo "S1-$$" >s1/k
	echo "S2-$$" >s2/k
	local nons=("$PROBES/deny" userns --)
	# the same denial in both layers: the inner runs, the secret stays hidden
	run "${nons[@]}" "$SBX_EXEC" "${SCOPE[@]}" --read-deny="$WORK/s1" --writable="$WORK/a" -- \
		"${INNER[@]}" "${SCOPE[@]}" --read-deny="$WORK/s1" --writable="$WORK/a" -- \
		sh -c "cat '$WORK/s1/k'; cat '$WORK/s2/k'; echo in > '$WORK/a/in'"
	assert_status 0
	refute_output_contains "S1-$$"
	assert_output_contains "S2-$$"
	[ "$(cat a/in)" = in ]
	# a denial only the inner asks for cannot be held under the outer's
	# unlistable directories: refused, and nothing ran
	run "${nons[@]}" "$SBX_EXEC" "${SCOPE[@]}" --read-deny="$WORK/s1" --writable="$WORK/a" -- \
		"${INNER[@]}" "${SCOPE[@]}" --read-deny="$WORK/s2" --writable="$WORK/a" -- \
		sh -c "cat '$WORK/s2/k'; touch '$WORK/a/ran'"
	assert_status 125
	assert_output_contains "cannot be held"
	refute_output_contains "S2-$$"
	[ ! -e a/ran ]
}
