#!/usr/bin/env bats
# containers_hold.bats: what the gvisor and docker backends promise, held
# from the host side: a killed sbx-exec takes the sandbox with it, the
# deadline holds, strings the runtime's JSON would alter are refused, the
# same path twice is one mount, an image's VOLUME follows the write mode,
# the private /tmp, and --print runs nothing but read-only queries and
# writes no file (checked with stand-in docker and runsc programs that
# record their calls).

bats_require_minimum_version 1.5.0
load helpers
load containers

export SBX_DOCKER_IMAGE=${SBX_DOCKER_IMAGE:-sbx-test-busybox:1}

setup() {
	setup_containers
}

teardown() {
	[ -z "${WORK:-}" ] || assert_no_leftovers
}

gv() {
	sbx --backend=gvisor --profile=tight --read-deny= "$@"
}

# As root the engine must be up; a user who cannot reach it gets an honest
# 125 with the reason: "if no_daemon; then check_refusal; return; fi".
no_daemon() {
	docker_state || exit 1 # (under SBX_TESTS_MUST_WORK: a failure, with the reason)
	[ -z "$DOCKER_UP" ]
}

check_refusal() {
	run sbx --backend=docker-ephemeral --profile=tight --read-deny= --readable="$WORK" -- true
	assert_status 125
	assert_output_contains "Docker daemon"
}

# A stand-in for docker or runsc that records its arguments and answers
# the read-only queries the way the real one would.
fake() {
	local name=$1
	mkdir -p "$WORK/fake"
	cat >"$WORK/fake/$name" <<-EOF
		#!/bin/sh
		echo "\$*" >>"$WORK/fake/$name.calls"
		case "\$1 \$2" in
		"image inspect") echo "sha256:0123456789abcdef {\"/data\":{}}" ;;
		"info --format") echo '{"path":"/usr/bin/runsc","runtimeArgs":["--network=host","--oci-seccomp"]}' ;;
		esac
		exit 0
	EOF
	chmod +x "$WORK/fake/$name"
}

@test "--print runs nothing but read-only queries and writes no file" {
	fake docker
	fake runsc
	mkdir -p "$WORK/t"
	for b in gvisor docker-ephemeral docker-runsc-ephemeral; do
		for pol in "--profile=tight" "--write=scope --writable=$WORK --net=outbound"; do
			# shellcheck disable=SC2086
			run env TMPDIR="$WORK/t" SBX_RUNSC="$WORK/fake/runsc" SBX_DOCKER="$WORK/fake/docker" \
				DOCKER_HOST=unix:///nonexistent "$SBX_EXEC" --backend="$b" $pol --read-deny= --readable="$WORK" --print -- true
			assert_status 0
			assert_output_contains "argv:"
		done
	done
	[ -z "$(ls -A "$WORK/t")" ]
	[ ! -e "$WORK/fake/runsc.calls" ]
	# with no daemon answering, the docker client is not even asked
	[ ! -e "$WORK/fake/docker.calls" ]
	# with one, only the read-only queries, and the plan lists them
	DOCKER_UP=${DOCKER_UP:-}
	if [ -S /var/run/docker.sock ] && [ -r /var/run/docker.sock ] && [ -w /var/run/docker.sock ]; then
		run env TMPDIR="$WORK/t" SBX_DOCKER="$WORK/fake/docker" "$SBX_EXEC" --backend=docker-runsc-ephemeral \
			--net=outbound --write=scope --writable="$WORK" --read-deny= --readable="$WORK" --print -- true
		assert_status 0
		assert_output_contains "host queries made (read-only):"
		! grep -vE '^(image inspect|info) --format' "$WORK/fake/docker.calls" || false
		[ -z "$(ls -A "$WORK/t")" ]
	fi
}

@test "gvisor: killing sbx-exec with SIGKILL takes the whole sandbox with it" {
	requires runsc
	"$SBX_EXEC" --backend=gvisor --profile=tight --read-deny= --write=scope --writable="$WORK" -- \
		sh -c "touch '$WORK/started'; sleep 3; touch '$WORK/survived'" &
	local pid=$!
	for _ in $(seq 200); do
		[ -e "$WORK/started" ] && break
		sleep 0.05
	done
	[ -e "$WORK/started" ] || { wait "$pid"; skip_or_fail "gvisor did not start here"; return 1; }
	kill -9 "$pid"
	wait "$pid" || true
	sleep 4
	[ ! -e "$WORK/survived" ]
	! pgrep -f -- "$TMPDIR/" >/dev/null || false
}

@test "gvisor: the deadline stops the command, not only the status" {
	requires runsc
	run gv --write=scope --writable="$WORK" --timeout=1s -- sh -c "sleep 3; touch '$WORK/late'"
	assert_status 124
	sleep 3
	[ ! -e "$WORK/late" ]
	# positive control: without the deadline the same command writes
	run gv --write=scope --writable="$WORK" -- sh -c "touch '$WORK/late'"
	assert_status 0
	[ -e "$WORK/late" ]
}

@test "gvisor and docker: a string the runtime's JSON would alter is refused, and nothing runs" {
	local bad
	bad=$(printf '%s/bad\377' "$WORK")
	mkdir -p "$bad"
	for b in gvisor docker-ephemeral; do
		run sbx --backend="$b" --profile=tight --read-deny= --readable="$WORK" --readable="$bad" --print -- true
		assert_status 125
		assert_output_contains 'not valid UTF-8'
		assert_output_contains '\xff'
	done
	# positive control: valid UTF-8 beyond ASCII is fine
	mkdir -p "$WORK/été"
	run sbx --backend=gvisor --profile=tight --read-deny="$WORK/été" --print -- true
	assert_status 0
}

@test "docker: the same path readable and writable, or twice, is one mount" {
	if no_daemon; then
		check_refusal docker-ephemeral
		return
	fi
	run sbx --backend=docker-ephemeral --read-deny= --readable="$PROBES" --readable="$WORK" --readable="$WORK" \
		--write=scope --writable="$WORK" --dir="$WORK" -- sh -c "echo ok > '$WORK/f'"
	assert_status 0
	[ "$(cat "$WORK/f")" = ok ]
}

@test "docker: an image's VOLUME is read-only under write=none, and /tmp is private" {
	if no_daemon; then
		check_refusal docker-ephemeral
		return
	fi
	local img=sbx-test-volume:1
	if ! docker image inspect "$img" >/dev/null 2>&1; then
		docker run --name "sbx-volbuild-$$" "$SBX_DOCKER_IMAGE" true >/dev/null
		docker commit --change 'VOLUME /data' "sbx-volbuild-$$" "$img" >/dev/null
		docker rm "sbx-volbuild-$$" >/dev/null
	fi
	# (the read scope is not under /tmp, which would then stay the host's:
	# not the probes either, which lie there when the checkout does)
	local rd
	rd=$(mktemp -d /var/tmp/sbx-vol.XXXXXX)
	chmod 755 "$rd"
	run env SBX_DOCKER_IMAGE=$img "$SBX_EXEC" --backend=docker-ephemeral --profile=tight --read-deny= --readable="$rd" --dir="$rd" -- \
		sh -c 'echo x > /data/f && echo wrote-data; echo y > /tmp/t && echo wrote-tmp'
	refute_output_contains wrote-data
	assert_output_contains wrote-tmp
	run env SBX_DOCKER_IMAGE=$img "$SBX_EXEC" --backend=docker-ephemeral --profile=tight --read-deny= --readable="$rd" --dir="$rd" --print -- true
	rmdir "$rd"
	assert_output_contains "VOLUME /data is mounted read-only"
	assert_output_contains "/tmp is a private in-memory tmpfs"
	# positive control: ephemeral writes there succeed (and vanish)
	run env SBX_DOCKER_IMAGE=$img "$SBX_EXEC" --backend=docker-ephemeral --write=ephemeral --read-deny= --readable="$WORK" --dir="$WORK" -- \
		sh -c 'echo x > /data/f && echo wrote-data'
	assert_output_contains wrote-data
}

@test "docker: SBX_DOCKER_RUNTIME picks the runtime, and must be a name" {
	run env SBX_DOCKER_RUNTIME=runc "$SBX_EXEC" --backend=docker-ephemeral --profile=tight --read-deny= --readable="$WORK" --print -- true
	assert_status 0
	assert_output_contains "--runtime=runc"
	run env SBX_DOCKER_RUNTIME='runc --privileged' "$SBX_EXEC" --backend=docker-ephemeral --profile=tight --read-deny= --readable="$WORK" --print -- true
	assert_status 125
	assert_output_contains "not a runtime name"
}

@test "docker: the default profile runs with a read scope, its denials held by the scope" {
	if no_daemon; then
		check_refusal docker-ephemeral
		return
	fi
	run sbx --backend=docker-ephemeral --readable="$WORK" --readable="$PROBES" --dir="$WORK" -- sh -c 'echo ran > ran'
	assert_status 0
	[ "$(cat "$WORK/ran")" = ran ]
	run sbx --backend=docker-ephemeral --readable="$WORK" --print -- true
	assert_output_contains "outside the read scope"
}

@test "gvisor: --doctor names runsc's version, and a runsc too old for the plans is refused" {
	requires runsc
	run sbx --doctor
	assert_output_contains "runsc version"
	mkdir -p "$WORK/old"
	printf '#!/bin/sh\ncase "$*" in --version) echo "runsc version 0.0~20200101.0";; *" run "*) echo ran > %s/old/ran;; esac\n' "$WORK" >"$WORK/old/runsc"
	chmod +x "$WORK/old/runsc"
	SBX_RUNSC=$WORK/old/runsc run gv -- true
	assert_status 125
	assert_output_contains "too old"
	[ ! -e "$WORK/old/ran" ]
}

@test "gvisor: a make inside is told plainly that the jobserver cannot cross runsc" {
	run env MAKEFLAGS=' -j2 --jobserver-auth=3,4' "$SBX_EXEC" --backend=gvisor --profile=tight --read-deny= --print -- true
	assert_status 0
	assert_output_contains "jobserver"
}

# Run by root, the container backends keep setuid and setgid bits off the
# files the command writes (their seccomp profile), as the landlock backend
# does (seccomp.bats): checked on the host's files, with the probe's own
# run outside as the positive control.
t_setid_refused() {
	local b=$1
	mkdir -p "$WORK/out" "$WORK/ctl"
	"$PROBES/setid" "$WORK/ctl" >"$WORK/ctl.log"
	grep -q "chmod ok" "$WORK/ctl.log"
	[ -n "$(find "$WORK/ctl" -perm -4000)" ]
	run sbx --backend="$b" --profile=tight --read-deny= --write=scope --writable="$WORK/out" \
		--readable="$PROBES" --dir="$WORK/out" -- "$PROBES/setid" "$WORK/out"
	assert_status 0
	assert_output_contains "chmod refused"
	refute_output_contains " ok"
	# the files chmod-ed were made, none with either bit (a create with
	# either bit in its mode made nothing)
	[ -e "$WORK/out/chmod" ] && [ -e "$WORK/out/fchmod" ] && [ ! -e "$WORK/out/open" ]
	[ -z "$(find "$WORK/out" -perm /6000)" ]
	rm -rf "$WORK/out" "$WORK/ctl"
}

@test "gvisor and docker, run by root: no file the command writes gets a setuid or setgid bit" {
	requires runsc
	if [ "$(id -u)" != 0 ]; then
		# a user's own setuid file runs as the user: nothing to refuse
		mkdir -p "$WORK/out"
		run sbx --backend=gvisor --profile=tight --read-deny= --write=scope \
			--writable="$WORK/out" --dir="$WORK/out" --print -- true
		assert_status 0
		refute_output_contains "--oci-seccomp"
		check_refusal docker-ephemeral
		return
	fi
	t_setid_refused gvisor
	if no_daemon; then
		check_refusal docker-ephemeral
		return
	fi
	t_setid_refused docker-ephemeral
	t_setid_refused docker-runsc-ephemeral
}
