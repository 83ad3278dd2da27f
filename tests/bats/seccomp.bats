#!/usr/bin/env bats
# The seccomp filter: each denial has a positive control outside the sandbox
# (where the same call reaches the kernel).

load helpers

SB=(--backend=landlock --read-deny= --write=none --net=disable)

setup() {
	requires landlock=1
	setup_workdir
}

denied_inside_allowed_outside() {
	run "$PROBES/sys" "$@"
	assert_status 0
	run sbx "${SB[@]}" -- "$PROBES/sys" "$@"
	assert_status 1
	assert_output_contains "denied"
}

@test "ptrace is refused" {
	denied_inside_allowed_outside ptrace
}

@test "io_uring is refused (ENOSYS)" {
	denied_inside_allowed_outside io_uring
	assert_output_contains "Function not implemented"
}

@test "32-bit syscalls (int 0x80) are refused" {
	denied_inside_allowed_outside int80
}

@test "new user namespaces are refused, by unshare and by clone" {
	if have_userns; then
		denied_inside_allowed_outside userns
		denied_inside_allowed_outside clone-userns
	else
		# no positive control where the host itself refuses them
		for how in userns clone-userns; do
			run sbx "${SB[@]}" -- "$PROBES/sys" "$how"
			assert_status 1
		done
	fi
}

@test "keyrings and userfaultfd are refused" {
	denied_inside_allowed_outside keyctl
	denied_inside_allowed_outside userfaultfd
}

@test "file handles and the kernel log never reach the kernel" {
	# positive control as root: outside, the kernel answers (EFAULT for the
	# bad handle, the log's size); a user is refused by the kernel itself
	if [ "$(id -u)" = 0 ]; then
		run "$PROBES/sys" handle
		refute_output_contains "Operation not permitted"
		run "$PROBES/sys" syslog
		assert_status 0
	fi
	run sbx "${SB[@]}" -- "$PROBES/sys" handle
	assert_output_contains "Operation not permitted"
	run sbx "${SB[@]}" -- "$PROBES/sys" syslog
	assert_status 1
	assert_output_contains "Operation not permitted"
}

@test "bpf and perf_event_open never reach the kernel" {
	run "$PROBES/sys" bpf
	refute_output_contains "Operation not permitted"
	run sbx "${SB[@]}" -- "$PROBES/sys" bpf
	assert_output_contains "Operation not permitted"
	run "$PROBES/sys" perf
	refute_output_contains "Operation not permitted"
	run sbx "${SB[@]}" -- "$PROBES/sys" perf
	assert_output_contains "Operation not permitted"
}

@test "mount is refused, even for root" {
	mkdir "$WORK/m"
	run sbx "${SB[@]}" -- "$PROBES/sys" mount "$WORK/m"
	assert_status 1
	assert_output_contains "Operation not permitted"
	! grep -q " $WORK/m " /proc/self/mountinfo || false
	# positive control, in a private mount namespace so the host is untouched;
	# unshare -m needs / to be a mount point, which a build chroot (pbuilder,
	# sbuild) does not have: there the denial above stands alone
	if [ "$(id -u)" = 0 ] && mountpoint -q /; then
		run unshare -m "$PROBES/sys" mount "$WORK/m"
		assert_status 0
	fi
}

@test "TIOCSTI and TIOCLINUX are refused on the terminal, high bits or not" {
	command -v script >/dev/null || skip_or_fail "needs script(1)"
	run script -qec "'$PROBES/sys' tiocsti" /dev/null
	assert_output_contains "allowed"
	run script -qec "'$SBX_EXEC' ${SB[*]} -- '$PROBES/sys' tiocsti" /dev/null
	assert_output_contains "denied: Operation not permitted"
	run script -qec "'$SBX_EXEC' ${SB[*]} -- '$PROBES/sys' tiocsti-hibits" /dev/null
	assert_output_contains "denied: Operation not permitted"
	run script -qec "'$SBX_EXEC' ${SB[*]} -- '$PROBES/sys' tioclinux" /dev/null
	assert_output_contains "denied: Operation not permitted"
	# the terminal itself still works
	run script -qec "'$SBX_EXEC' ${SB[*]} -- '$PROBES/sys' tiocgwinsz" /dev/null
	assert_output_contains "allowed"
}

@test "as root no setuid or setgid file can be made in a writable path; as a user the bits stay the user's" {
	mkdir -p "$WORK/out" "$WORK/host"
	# positive control: outside, every call sets the bit
	run "$PROBES/setid" "$WORK/host"
	assert_status 0
	refute_output_contains refused
	local calls
	calls=$(grep -c ' ok$' <<<"$output")
	[ "$calls" -ge 9 ]
	run sbx --backend=landlock --read-deny= --write=scope --writable="$WORK/out" -- "$PROBES/setid" "$WORK/out"
	assert_status 0
	if [ "$(id -u)" = 0 ]; then
		refute_output_contains ' ok'
		[ "$(grep -c ' refused$' <<<"$output")" = "$calls" ]
		# the host side: no file there has either bit
		[ -z "$(find "$WORK/out" -perm /6000)" ]
	else
		# a setuid file of the user's own runs as the user: nothing gained
		refute_output_contains refused
	fi
	# plain modes are untouched
	run sbx --backend=landlock --read-deny= --write=scope --writable="$WORK/out" -- sh -c "touch '$WORK/out/p' && chmod 751 '$WORK/out/p'"
	assert_status 0
	[ "$(stat -c %a "$WORK/out/p")" = 751 ]
}

@test "the filter holds when the supervisor cannot build it ahead (no memfd): the command's process builds its own" {
	# The supervisor builds the program while the sandbox makes its mounts
	# and hands it over in a memfd (shim/seccomp.c); without memfd_create
	# the command's process builds the same program itself.
	run "$PROBES/sys" ptrace
	assert_status 0
	run "$PROBES/deny" memfd -- "$SBX_EXEC" "${SB[@]}" -- "$PROBES/sys" ptrace
	assert_status 1
	assert_output_contains "denied"
	# and the rules that need a listener (no-exec: a second execve)
	run "$PROBES/deny" memfd -- "$SBX_EXEC" "${SB[@]}" --no-exec -- sh -c '/bin/true && echo second'
	[ "$status" -ne 0 ]
	refute_output_contains "second"
	run "$PROBES/deny" memfd -- "$SBX_EXEC" "${SB[@]}" -- sh -c '/bin/true && echo second'
	assert_status 0
	assert_output_contains "second"
}
