#!/usr/bin/env bats
# signals.bats: signals reach the sandboxed command exactly once, on every
# backend this host runs: the terminal's ^C (sent by the kernel to the
# foreground process group, through a pseudo-terminal: probes/tty) and a
# signal another process sends to sbx-exec. The command decides what a
# signal does: one it handles does not end the sandbox; one it does not
# handle ends it with 128+N. Counted on the host, from a file the command
# writes.

bats_require_minimum_version 1.5.0
load helpers
load containers

export SBX_DOCKER_IMAGE=${SBX_DOCKER_IMAGE:-sbx-test-busybox:1}

setup() {
	requires landlock=1
	WORK=$(mktemp -d /var/tmp/sbx-signals.XXXXXX)
	chmod 755 "$WORK"
	cd "$WORK" || return 1
	# handles INT: counts it and goes on; ends by itself after 3 s
	cat >"$WORK/handles.sh" <<-EOF
		trap 'echo INT >> $WORK/log' INT
		touch $WORK/ready
		for i in 1 2 3; do sleep 1 & wait; done
		echo done >> $WORK/log
	EOF
	# does not handle it
	cat >"$WORK/plain.sh" <<-EOF
		touch $WORK/ready
		sleep 5
		echo survived >> $WORK/log
	EOF
}

teardown() {
	cd /
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
}

# The backends to check here, each a line: landlock always; gvisor with
# runsc; the docker ones when the engine answers (a user who cannot reach
# it gets docker's refusal checked in docker.bats).
backends() {
	echo landlock
	if backend_available gvisor; then echo gvisor; fi
	if docker info >/dev/null 2>&1; then
		echo docker-ephemeral
		echo docker-runsc-ephemeral
	fi
}

policy() {
	echo --backend="$1" --profile=tight --read-deny= --readable="$WORK" --write=scope --writable="$WORK"
}

@test "the terminal's ^C reaches the command once; handled, the command goes on" {
	local b n=0
	for b in $(backends); do
		rm -f "$WORK/ready" "$WORK/log"
		# shellcheck disable=SC2046
		run "$PROBES/tty" "$WORK/ready" "$SBX_EXEC" $(policy "$b") -- sh "$WORK/handles.sh"
		assert_status 0
		[ "$(cat "$WORK/log")" = "$(printf 'INT\ndone')" ] || {
			echo "$b: $(cat "$WORK/log")" >&2
			return 1
		}
		n=$((n + 1))
	done
	[ "$n" -ge 1 ]
}

@test "the terminal's ^C ends a command that does not handle it: 130" {
	local b
	for b in $(backends); do
		rm -f "$WORK/ready" "$WORK/log"
		# shellcheck disable=SC2046
		run "$PROBES/tty" "$WORK/ready" "$SBX_EXEC" $(policy "$b") -- sh "$WORK/plain.sh"
		assert_status 130
		[ ! -e "$WORK/log" ]
	done
}

@test "SIGINT sent to sbx-exec by a process reaches the command once, handled or not" {
	local b st
	for b in $(backends); do
		for script in handles plain; do
			rm -f "$WORK/ready" "$WORK/log"
			# (background jobs of a script start with INT ignored)
			# shellcheck disable=SC2046
			env --default-signal=INT "$SBX_EXEC" $(policy "$b") -- sh "$WORK/$script.sh" </dev/null &
			local pid=$!
			wait_for_file "$WORK/ready"
			sleep 0.3
			kill -INT "$pid"
			st=0
			wait "$pid" || st=$?
			if [ "$script" = handles ]; then
				[ "$st" = 0 ] || { echo "$b $script: status $st" >&2; return 1; }
				[ "$(cat "$WORK/log")" = "$(printf 'INT\ndone')" ]
			else
				[ "$st" = 130 ] || { echo "$b $script: status $st" >&2; return 1; }
				[ ! -e "$WORK/log" ]
			fi
		done
	done
}
