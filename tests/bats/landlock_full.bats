#!/usr/bin/env bats
# The landlock backend's whole row: read-deny by every route, ephemeral and
# overlay writes, no-exec, IPC, resource caps. Every test passes with user
# namespaces and without them (.ci/run runs the suite under tests/probes/deny
# too): where a capability needs namespaces, the test checks the honest 125.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	requires landlock=1
	setup_workdir
	mkdir -p "$WORK/out" "$WORK/secret" "$WORK/pub"
	echo topsecret >"$WORK/secret/key"
	echo public >"$WORK/pub/file"
	# scoped writes to out/, the secret dir denied, nothing else implicit
	POL=(--backend=landlock --read-deny= --allow-temp=false --env-deny= --write=scope
		--writable= --writable="$WORK/out" --read-deny="$WORK/secret")
}

@test "read-deny: direct, .., listing and writing are refused; siblings stay readable" {
	run sbx "${POL[@]}" -- sh -c "cat '$WORK/pub/file'; cat '$WORK/secret/key'; cat '$WORK/pub/../secret/key'; ls '$WORK/secret'; echo x > '$WORK/secret/new'"
	assert_output_contains public
	refute_output_contains topsecret
	! grep -qx key <<<"$output" || false
	[ ! -e "$WORK/secret/new" ]
}

@test "read-deny: symlinks and hardlinks made inside, /proc/self/root" {
	run sbx "${POL[@]}" -- sh -c "
		ln -s '$WORK/secret' '$WORK/out/sl' && cat '$WORK/out/sl/key'
		ln '$WORK/secret/key' '$WORK/out/hl' && cat '$WORK/out/hl'
		cat /proc/self/root'$WORK/secret/key'
		cat '$WORK/out/sl/../pub/file'"
	refute_output_contains topsecret
	# the hardlink was not made on the host either
	[ ! -e "$WORK/out/hl" ] || [ "$(cat "$WORK/out/hl")" != topsecret ]
}

@test "read-deny: /proc/PID/root of another process of the same user" {
	mkfifo "$WORK/hold"
	sleep 300 <"$WORK/hold" 3>&- &
	local other=$!
	exec 5>"$WORK/hold"
	# positive control: from outside the sandbox the route works
	[ "$(cat /proc/$other/root"$WORK/secret/key")" = topsecret ]
	run sbx "${POL[@]}" -- cat "/proc/$other/root$WORK/secret/key"
	refute_output_contains topsecret
	[ "$status" -ne 0 ]
	exec 5>&-
	kill "$other" 2>/dev/null || true
}

@test "read-deny: a denied path created on the host during the run stays unreadable" {
	mkfifo "$WORK/out/go" "$WORK/out/made"
	sbx "${POL[@]}" --read-deny="$WORK/later" -- sh -c "
		echo > '$WORK/out/go'; read x < '$WORK/out/made'
		cat '$WORK/later/key'; ls '$WORK/later'" >"$WORK/seen" 2>&1 3>&- &
	local pid=$!
	read -r _ <"$WORK/out/go"
	mkdir "$WORK/later" && echo appeared >"$WORK/later/key"
	echo >"$WORK/out/made"
	wait "$pid" || true
	! grep -q appeared "$WORK/seen" || false
	! grep -qx key "$WORK/seen" || false
	# positive control: without the denial it is read
	run sbx "${POL[@]}" -- cat "$WORK/later/key"
	assert_output_contains appeared
}

@test "read-deny: --print names the mechanism" {
	run sbx "${POL[@]}" --print -- true
	if have_userns; then
		assert_output_contains "a private mount namespace: whiteouts"
	else
		assert_output_contains "landlock ABI"
		assert_output_contains "no user namespaces"
	fi
}

@test "write=ephemeral: every write succeeds inside, nothing reaches the host" {
	local home_probe="$HOME/.sbx-eph-$$"
	run sbx --backend=landlock --read-deny= --env-deny= --write=ephemeral -- sh -c "
		echo one > '$WORK/pub/new' && cat '$WORK/pub/new' &&
		echo two > '$home_probe' && cat '$home_probe' &&
		echo three >> '$WORK/pub/file' && cat '$WORK/pub/file' &&
		rm '$WORK/secret/key' && echo removed"
	if ! have_userns; then
		assert_status 125
		assert_output_contains "user namespaces"
		return 0
	fi
	assert_status 0
	assert_output_contains one
	assert_output_contains two
	assert_output_contains three
	assert_output_contains removed
	[ ! -e "$WORK/pub/new" ]
	[ ! -e "$home_probe" ]
	[ "$(cat "$WORK/pub/file")" = public ]
	[ "$(cat "$WORK/secret/key")" = topsecret ]
}

@test "write=ephemeral: an empty directory is an empty private view, with its attributes, and stays empty on the host" {
	if ! have_userns; then
		run sbx --backend=landlock --write=ephemeral -- true
		assert_status 125
		return 0
	fi
	# a top-level directory empty when the sandbox starts: a directory of
	# the stage stands for its view (views.c), and must act as an overlay
	# of it would; root makes its own, a user takes Debian's empty /srv
	local d=/srv late=false
	if [ "$(id -u)" = 0 ]; then
		d=/sbx-empty.$$ late=true
		mkdir -m 0751 "$d"
		touch -d '2001-02-03 04:05:06' "$d"
	fi
	[ -d "$d" ] && [ -z "$(ls -A "$d")" ] || skip_or_fail "needs an empty $d" || return 1
	local want
	want=$(stat -c '%a %Y' "$d")
	rm -f "$WORK/go" "$WORK/up"
	mkfifo "$WORK/go" "$WORK/up"
	sbx --backend=landlock --read-deny="$d/late" --write=ephemeral -- sh -c "
		stat -c '%a %Y' '$d'; ls -A '$d' | wc -l
		grep -c ' $d [^ ]* - tmpfs ' /proc/self/mountinfo
		echo one > '$d/new' && cat '$d/new' && mkdir '$d/sub' && echo made
		echo up >&4; exec 4>&-; read x <&3
		cat '$d/late' 2>&1; ls -A '$d'" 3<"$WORK/go" 4>"$WORK/up" >"$WORK/paused" 2>&1 &
	local pid=$!
	exec 5>"$WORK/go"
	read -r _ <"$WORK/up"
	# the host makes the denied path meanwhile (root only)
	if $late; then echo "LATE-$$" >"$d/late"; fi
	echo go >&5
	exec 5>&-
	wait "$pid" || true
	local left
	left=$(ls -A "$d")
	if $late; then rm -rf "$d"; fi
	run cat "$WORK/paused"
	[ "${lines[0]}" = "$want" ]
	[ "${lines[1]}" = 0 ]
	# (the view is a directory of the sandbox's tmpfs, not an overlay)
	[ "${lines[2]}" = 1 ]
	assert_output_contains one
	assert_output_contains made
	refute_output_contains "LATE-$$"
	# inside, only what the sandbox wrote is there; on the host nothing
	# of it (and root's late file only)
	[ "${lines[-2]}" = new ] && [ "${lines[-1]}" = sub ]
	if $late; then [ "$left" = late ]; else [ -z "$left" ]; fi
}

@test "write=overlay: writable paths and temp persist, other writes are discarded" {
	mkdir -p "$WORK/tmp"
	run env TMPDIR="$WORK/tmp" "$SBX_EXEC" --backend=landlock --read-deny= --env-deny= \
		--write=overlay --writable= --writable="$WORK/out" --allow-temp -- sh -c "
		echo kept > '$WORK/out/k' && echo temp > \"\$TMPDIR/t\" &&
		echo gone > '$WORK/pub/g' && cat '$WORK/pub/g'"
	if ! have_userns; then
		assert_status 125
		assert_output_contains "user namespaces"
		return 0
	fi
	assert_status 0
	assert_output_contains gone
	[ "$(cat "$WORK/out/k")" = kept ]
	[ "$(cat "$WORK/tmp/t")" = temp ]
	[ ! -e "$WORK/pub/g" ]
}

@test "the agent profile runs with no caveat that weakens a requested capability" {
	run sbx --backend=landlock --print -- true
	if have_userns; then
		assert_status 0
		refute_output_contains "NOT ENFORCED"
		run sbx --backend=landlock --profile=tight --print -- true
		refute_output_contains "NOT ENFORCED"
		run sbx --backend=landlock -- sh -c 'echo agent-ok'
		assert_output_contains agent-ok
	else
		assert_status 125
		assert_output_contains "fs.write.ephemeral (needs user namespaces"
	fi
}

@test "no-exec: execve, fexecve of a memfd, raw syscalls and ld.so are refused; fork works" {
	requires seccomp_notify
	local ldso
	# the native loader: the interpreter named inside /bin/true
	ldso=$(head -c 4096 /bin/true | tr -c '[:print:]' '\n' | grep -m1 '^/lib.*/ld-')
	for how in "execve /bin/true" "memfd" "raw $PROBES/exec" "ldso $ldso /bin/true"; do
		# positive control
		run sbx "${POL[@]}" -- "$PROBES/exec" $how
		assert_status 0
		run sbx "${POL[@]}" --no-exec -- "$PROBES/exec" $how
		assert_status 1
		assert_output_contains "Operation not permitted"
	done
	run sbx "${POL[@]}" --no-exec -- "$PROBES/exec" fork
	assert_status 0
	assert_output_contains forked
	run sbx "${POL[@]}" --no-exec -- sh -c 'ls /; echo "ls: $?"; (echo subshell)'
	assert_output_contains "ls: 126"
	assert_output_contains subshell
}

@test "ipc: SysV IPC of the host is invisible" {
	command -v ipcmk >/dev/null || skip_or_fail "needs ipcmk (util-linux)"
	local id
	id=$(ipcmk -Q | grep -o '[0-9]*$')
	run ipcs -q
	assert_output_contains "$id"
	run sbx "${POL[@]}" -- ipcs -q
	ipcrm -q "$id"
	if have_userns; then
		refute_output_contains " $id "
	else
		run sbx "${POL[@]}" --print -- true
		refute_output_contains "ipc.restrict"
	fi
}

@test "ipc: abstract unix sockets and signals of the host are unreachable" {
	start_listener ulisten "@sbx-test-$$"
	run "$PROBES/net" uconnect "@sbx-test-$$"
	assert_status 0
	run sbx "${POL[@]}" -- "$PROBES/net" uconnect "@sbx-test-$$"
	local inside=$status
	stop_listener
	[ "$LISTENED" = "accepted 1" ]
	if [ "$(host_json | grep -o '"landlock_abi":[0-9]*' | cut -d: -f2)" -ge 6 ]; then
		[ "$inside" -ne 0 ]
	fi
	sleep 300 3>&- &
	local other=$!
	run sbx "${POL[@]}" -- kill -0 "$other"
	kill "$other"
	[ "$status" -ne 0 ]
}

@test "ipc: the ssh agent's socket is hidden unless --allow-socket names it" {
	start_listener ulisten "$WORK/agent.sock"
	run "$PROBES/net" uconnect "$WORK/agent.sock"
	assert_status 0
	run env SSH_AUTH_SOCK="$WORK/agent.sock" "$SBX_EXEC" "${POL[@]}" -- "$PROBES/net" uconnect "$WORK/agent.sock"
	local hidden=$status
	run env SSH_AUTH_SOCK="$WORK/agent.sock" "$SBX_EXEC" "${POL[@]}" --allow-socket="$WORK/agent.sock" -- "$PROBES/net" uconnect "$WORK/agent.sock"
	local allowed=$status
	stop_listener
	if have_userns; then
		[ "$hidden" -ne 0 ]
		[ "$allowed" -eq 0 ]
		[ "$LISTENED" = "accepted 2" ]
	else
		[ "$allowed" -eq 0 ]
	fi
}

@test "ipc: only the sandbox's processes are visible" {
	run sbx "${POL[@]}" -- sh -c 'ls /proc | grep -c "^[0-9]*$"'
	if have_userns; then
		[ "${lines[-1]}" -lt 10 ]
	else
		assert_status 0
	fi
}

@test "res: memory over the cap kills the sandbox, not the host" {
	run sbx "${POL[@]}" --memory=64m -- "$PROBES/res" alloc 256
	if ! have_cgroup; then
		assert_status 125
		assert_output_contains "cgroup"
		return 0
	fi
	[ "$status" -ne 0 ]
	refute_output_contains allocated
	run sbx "${POL[@]}" --memory=512m -- "$PROBES/res" alloc 128
	assert_status 0
	assert_output_contains allocated
}

@test "res: the pid cap stops a fork loop" {
	run sbx "${POL[@]}" --pids=16 -- "$PROBES/res" fork 100
	if ! have_cgroup; then
		assert_status 125
		return 0
	fi
	assert_status 1
	[[ $output =~ started\ ([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" -lt 16 ]
	run sbx "${POL[@]}" --pids=200 -- "$PROBES/res" fork 100
	assert_status 0
	assert_output_contains "started 100"
}

@test "res: the CPU cap throttles the sandbox, and no cgroup is left behind" {
	run sbx "${POL[@]}" --cpus=0.1 -- sh -c '
		"$0" spin 400 >/dev/null
		cg=$(grep -E "^[0-9]+:(cpu|cpu,cpuacct|cpuacct,cpu):" /proc/self/cgroup | cut -d: -f3)
		[ -n "$cg" ] || cg=$(grep "^0::" /proc/self/cgroup | cut -d: -f3)
		for f in /sys/fs/cgroup/cpu$cg/cpu.stat /sys/fs/cgroup$cg/cpu.stat; do
			[ -r "$f" ] && cat "$f" && cat "${f%/cpu.stat}/cpu.cfs_quota_us" 2>/dev/null
		done; true' "$PROBES/res"
	if ! have_cgroup; then
		assert_status 125
		return 0
	fi
	assert_status 0
	[[ $output =~ nr_throttled\ ([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" -gt 0 ]
	! ls -d /sys/fs/cgroup/*/sbx-* /sys/fs/cgroup/sbx-* 2>/dev/null || false
}

@test "without Landlock, sbx fails closed (or holds the write scope with read-only mounts)" {
	run "$PROBES/deny" landlock -- "$SBX_EXEC" "${POL[@]}" -- touch "$WORK/out/ran"
	if have_userns; then
		# the host read-only, the writable path bound: no Landlock needed
		assert_status 0
		[ -e "$WORK/out/ran" ]
	else
		assert_status 125
		[ ! -e "$WORK/out/ran" ]
	fi
	run "$PROBES/deny" landlock -- "$SBX_EXEC" "${POL[@]/--backend=landlock/--backend=auto}" -- sh -c "echo x > '$WORK/pub/escape'"
	[ ! -e "$WORK/pub/escape" ]
}

@test "--doctor says whether overlayfs works in a user namespace" {
	run sbx --doctor
	assert_output_contains "overlayfs in userns:"
}
