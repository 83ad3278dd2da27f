#!/usr/bin/env bats
# docker-ephemeral and docker-runsc-ephemeral, run for real against the
# local engine (.ci/setup.d/containers.sh starts it and imports the test
# image). A user who cannot reach the daemon (the CI user is deliberately not
# in the root-equivalent docker group) gets an honest 125 with the reason:
# every test checks that refusal there instead of skipping.

bats_require_minimum_version 1.5.0
load helpers
load containers

export SBX_DOCKER_IMAGE=${SBX_DOCKER_IMAGE:-sbx-test-busybox:1}

setup() {
	setup_containers
	docker_state
}

teardown() {
	[ -z "${WORK:-}" ] || assert_no_leftovers
}

# dk BACKEND [OPTION]... -- COMMAND: the base policy (no network, no writes,
# the probes readable), or, without a reachable daemon, the refusal check.
dk() {
	local b=$1
	shift
	sbx --backend="$b" --profile=tight --read-deny= --readable="$PROBES" --readable="$WORK" \
		--dir="$WORK" "$@"
}

# Without a daemon (a user who cannot reach it): "if no_daemon; then
# check_refusal BACKEND; return; fi", so the refusal's assertions run as
# plain statements and count.
no_daemon() {
	[ -z "$DOCKER_UP" ]
}

check_refusal() {
	run dk "$1" -- true
	assert_status 125
	assert_output_contains 'cannot reach the Docker daemon'
	assert_output_contains 'permission denied'
}

# Runs a check per backend. Called as a plain command, not in a || list,
# so errexit stays on inside the check and every assertion in it counts.
for_each_backend() {
	local b
	for b in docker-ephemeral docker-runsc-ephemeral; do
		"$@" "$b"
	done
}

t_status() {
	if no_daemon; then
		check_refusal "$1"
		return
	fi
	run dk "$1" -- sh -c 'exit 7'
	assert_status 7
	run -127 dk "$1" -- nonexistent-program
	assert_status 127
	run bash -c 'printf "in\n" | "$SBX_EXEC" --backend='"$1"' --profile=tight --read-deny= --readable='"$WORK"' --dir='"$WORK"' -- cat'
	assert_status 0
	[ "$output" = in ]
	run dk "$1" -- id -u
	[ "$output" = "$(id -u)" ]
}

@test "docker: exit status, command not found, stdin, the caller's uid" {
	for_each_backend t_status
}

@test "docker: SBX_DOCKER_IMAGE unset or absent is a clear 125" {
	SBX_DOCKER_IMAGE= run dk docker-ephemeral -- true
	assert_status 125
	assert_output_contains SBX_DOCKER_IMAGE
	if no_daemon; then
		check_refusal docker-ephemeral
		return
	fi
	SBX_DOCKER_IMAGE=sbx-no-such-image:0 run dk docker-ephemeral -- true
	assert_status 125
	assert_output_contains 'not present locally'
}

@test "docker-runsc: a missing runtime is a clear 125" {
	if no_daemon; then
		check_refusal docker-runsc-ephemeral
		return
	fi
	SBX_DOCKER_RUNSC_RUNTIME=sbx-no-such-runtime run dk docker-runsc-ephemeral -- true
	assert_status 125
	assert_output_contains "no runtime 'sbx-no-such-runtime'"
	# gVisor's kernel, not the host's
	run dk docker-runsc-ephemeral -- uname -r
	assert_status 0
	[ -n "$output" ] && [ "$output" != "$(uname -r)" ]
}

t_writes() {
	if no_daemon; then
		check_refusal "$1"
		return
	fi
	mkdir -p "$WORK/out"
	run dk "$1" -- sh -c "echo no > '$WORK/f'"
	[ "$status" -ne 0 ]
	[ ! -e "$WORK/f" ]
	run dk "$1" --write=scope --writable="$WORK/out" -- sh -c "echo yes > '$WORK/out/f'; echo no > '$WORK/g'"
	[ "$(cat "$WORK/out/f")" = yes ]
	[ ! -e "$WORK/g" ]
	[ "$(stat -c %u "$WORK/out/f")" = "$(id -u)" ]
	rm -f "$WORK/out/f"
	run dk "$1" --write=ephemeral -- sh -c "echo e > /e && cat /e"
	assert_status 0
	[ "$output" = e ]
	run dk "$1" --write=overlay --writable="$WORK/out" -- sh -c "echo k > '$WORK/out/k' && echo t > /t && cat /t"
	assert_status 0
	[ "$(cat "$WORK/out/k")" = k ]
}

@test "docker: write none, scope, ephemeral, overlay" {
	for_each_backend t_writes
}

# write=ephemeral and overlay: writes beneath a readable directory succeed
# inside (an overlay the daemon mounts) and the host's directory is as it
# was; the overlay's root keeps the directory's mode; its volume and upper
# directory are gone after the run. A readable file stays a read-only bind,
# and the plan says so.
t_ephemeral_readable() {
	if no_daemon; then
		check_refusal "$1"
		return
	fi
	mkdir -p "$WORK/proj/sub" "$WORK/out"
	echo orig >"$WORK/proj/a"
	echo keep >"$WORK/proj/sub/k"
	chmod 750 "$WORK/proj"
	local vols
	vols=$(docker volume ls -q | sort)
	local m out
	for m in ephemeral overlay; do
		# overlay: a writable path too, written through to the host
		out=
		[ $m = overlay ] && out=$WORK/out
		run sbx --backend="$1" --profile=tight --read-deny= --readable="$PROBES" \
			--readable="$WORK/proj" --dir="$WORK/proj" --write=$m ${out:+--writable="$out"} -- \
			sh -c 'echo changed > a && echo new > sub/b && rm sub/k && mkdir d &&
				cat a sub/b && stat -c %a . && { [ -z "$1" ] || echo w > "$1/w"; }' sh "$out"
		assert_status 0
		assert_output_contains changed
		assert_output_contains new
		assert_output_contains 750
		# the host: unchanged where discarded, written where writable
		[ "$(cat "$WORK/proj/a")" = orig ]
		[ "$(cat "$WORK/proj/sub/k")" = keep ]
		[ ! -e "$WORK/proj/sub/b" ]
		[ ! -e "$WORK/proj/d" ]
		if [ $m = overlay ]; then
			[ "$(cat "$WORK/out/w")" = w ]
			rm "$WORK/out/w"
		fi
	done
	[ "$(docker volume ls -q | sort)" = "$vols" ]
	run sbx --backend="$1" --profile=tight --read-deny= --readable="$PROBES" \
		--readable="$WORK/proj/a" --dir="$PROBES" --write=ephemeral --print -- true
	assert_output_contains "the readable path $WORK/proj/a is bound read-only (it is not a directory)"
	run sbx --backend="$1" --profile=tight --read-deny= --readable="$PROBES" \
		--readable="$WORK/proj/a" --dir="$PROBES" --write=ephemeral -- sh -c "echo x > '$WORK/proj/a'"
	[ "$status" -ne 0 ]
	[ "$(cat "$WORK/proj/a")" = orig ]
}

@test "docker: ephemeral and overlay writes beneath a readable directory are discarded, not refused" {
	for_each_backend t_ephemeral_readable
}

t_read_scope() {
	if no_daemon; then
		check_refusal "$1"
		return
	fi
	mkdir -p "$WORK/in" "$WORK/.hide"
	echo visible >"$WORK/in/f"
	echo hidden >"$WORK/.hide/f"
	run sbx --backend="$1" --profile=tight --read-deny= --readable="$WORK/in" --dir="$WORK/in" -- cat "$WORK/in/f"
	assert_status 0
	[ "$output" = visible ]
	run sbx --backend="$1" --profile=tight --read-deny= --readable="$WORK/in" --dir="$WORK/in" -- cat "$WORK/.hide/f" /etc/hostname.sbx
	[ "$status" -ne 0 ]
	refute_output_contains hidden
}

@test "docker: read scope binds only the readable paths" {
	for_each_backend t_read_scope
}

t_net() {
	if no_daemon; then
		check_refusal "$1"
		return
	fi
	rm -f "$WORK/got"
	start_listener serve "$PORT" 30 "$WORK/got"
	run dk "$1" -- "$PROBES/ctr_net" connect "$PORT" hello
	[ "$status" -ne 0 ]
	[ ! -e "$WORK/got" ]
	run dk "$1" --net=outbound -- "$PROBES/ctr_net" connect "$PORT" out
	wait "$LISTENER" || true
	assert_status 0
	[ "$(cat "$WORK/got")" = out ]
	run dk "$1" --net=outbound -- "$PROBES/ctr_net" listen "$PORT" 5
	assert_status 3
	assert_output_contains 'listen: Operation not permitted'
}

@test "docker: net disable reaches nothing, outbound connects but cannot listen" {
	for_each_backend t_net
}

t_limits() {
	if no_daemon; then
		check_refusal "$1"
		return
	fi
	run dk "$1" --memory=128m -- "$PROBES/ctr_load" mem 32
	assert_status 0
	run dk "$1" --memory=128m -- "$PROBES/ctr_load" mem 400
	[ "$status" -ne 0 ]
	refute_output_contains 'allocated 400'
	run dk "$1" --pids=8 -- "$PROBES/ctr_load" forks 40
	local n=${output#started=}
	[ "$n" -lt 8 ]
	run dk "$1" -- "$PROBES/ctr_load" forks 40
	assert_output_contains started=40
}

@test "docker: memory and pids caps" {
	for_each_backend t_limits
}

t_env() {
	if no_daemon; then
		check_refusal "$1"
		return
	fi
	SBX_TEST_SECRET=hush SBX_TEST_PLAIN=fine run dk "$1" --env-deny=SBX_TEST_SECRET -- env
	assert_status 0
	assert_output_contains SBX_TEST_PLAIN=fine
	refute_output_contains hush
	assert_output_contains "SBX_SANDBOX=$1"
}

@test "docker: env-deny keeps variables out" {
	for_each_backend t_env
}

t_timeout() {
	if no_daemon; then
		check_refusal "$1"
		return
	fi
	local start=$SECONDS
	run dk "$1" --timeout=3 -- sleep 60
	assert_status 124
	[ $((SECONDS - start)) -lt 40 ]
}

@test "docker: --timeout kills the container with 124 and nothing is left" {
	for_each_backend t_timeout
}
