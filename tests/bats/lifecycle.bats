#!/usr/bin/env bats
# Exit statuses, stdio and descriptors, signals, timeout, what is left
# behind, and Makefiles.

load helpers
bats_require_minimum_version 1.5.0

SB=(--backend=landlock --read-deny= --allow-temp=false --write=scope --writable=)

setup() {
	requires landlock=1
	setup_workdir
}

@test "the command's exit status comes back unchanged" {
	for code in 0 1 7 42 124 125 255; do
		run sbx "${SB[@]}" --writable=. -- sh -c "exit $code"
		assert_status "$code"
	done
}

@test "127 when the command is not found, 126 when it cannot be executed" {
	run -127 sbx "${SB[@]}" --writable=. -- no-such-command-sbx
	assert_status 127
	assert_output_contains "no-such-command-sbx"
	printf 'not a program\n' >"$WORK/data"
	chmod 644 "$WORK/data"
	run sbx "${SB[@]}" --writable=. -- "$WORK/data"
	assert_status 126
	run sbx "${SB[@]}" --writable=. -- "$WORK"
	assert_status 126
}

@test "the command is looked up on PATH as the shell does, on every backend here" {
	# A/tool is a directory and B/tool an unexecutable file; C/tool runs:
	# the shell (and execvp) skip the first two
	mkdir -p A/tool B C
	printf '#!/bin/sh\necho B\n' >B/tool
	printf '#!/bin/sh\necho C-ran\n' >C/tool
	chmod 644 B/tool
	chmod 755 C/tool
	local want
	want=$(PATH="$WORK/A:$WORK/B:$WORK/C:$PATH" sh -c tool)
	[ "$want" = C-ran ]
	local backends=(landlock)
	# (gvisor where its probe says it runs: not without user namespaces)
	if backend_available gvisor; then backends+=(gvisor); fi
	for b in "${backends[@]}"; do
		PATH="$WORK/A:$WORK/B:$WORK/C:$PATH" run sbx --backend="$b" --profile=tight --read-deny= \
			--write=scope --writable="$WORK" -- tool
		assert_status 0
		[ "$output" = C-ran ] || { echo "$b: $output" >&2; return 1; }
		# only what cannot run: the shell's 126
		PATH="$WORK/A:$WORK/B:$PATH" run sbx --backend="$b" --profile=tight --read-deny= \
			--write=scope --writable="$WORK" -- tool
		assert_status 126
		refute_output_contains "echo B"
	done
}

@test "128+N when the command is killed by signal N" {
	run sbx "${SB[@]}" --writable=. -- sh -c 'kill -TERM $$'
	assert_status 143
	run sbx "${SB[@]}" --writable=. -- sh -c 'kill -KILL $$'
	assert_status 137
}

@test "the command runs on the CPUs its caller may use (the sandbox starts on another and gives them back)" {
	command -v taskset >/dev/null || skip_or_fail "taskset is not installed"
	local all one
	all=$(awk '/^Cpus_allowed_list/ {print $2}' /proc/self/status)
	one=$(taskset -c 0 awk '/^Cpus_allowed_list/ {print $2}' /proc/self/status)
	[ "$one" = 0 ] # control: taskset narrows what a child sees
	# a scoped policy (with user namespaces or without), the default and
	# the tight profile, a narrowed caller, nested, --reuse
	local profiles=("--read-deny= --write=scope --writable=.")
	if have_userns; then profiles+=("" --profile=tight); fi
	for p in "${profiles[@]}"; do
		run sbx --backend=landlock $p -- awk '/^Cpus_allowed_list/ {print $2}' /proc/self/status
		assert_status 0
		[ "$output" = "$all" ] || { echo "profile '$p': $output, not $all" >&2; return 1; }
		run taskset -c 0 "$SBX_EXEC" --backend=landlock $p -- \
			awk '/^Cpus_allowed_list/ {print $2}' /proc/self/status
		assert_status 0
		[ "$output" = 0 ] || { echo "taskset -c 0, profile '$p': $output" >&2; return 1; }
	done
	if have_userns; then
		# (ASAN_OPTIONS: under make asan, LeakSanitizer cannot stop the
		# world inside a sandbox that refuses ptrace)
		run sbx --backend=landlock -- env ASAN_OPTIONS=detect_leaks=0 \
			"$SBX_EXEC" --backend=landlock --profile=tight -- \
			awk '/^Cpus_allowed_list/ {print $2}' /proc/self/status
		assert_status 0
		[ "$output" = "$all" ]
		# --reuse: the first command starts the sandbox, the second is served
		run sh -c 'for i in 1 2; do "$SBX_EXEC" --backend=landlock --reuse -- \
			awk "/^Cpus_allowed_list/ {print \$2}" /proc/self/status; done'
		assert_status 0
		[ "$output" = "$all
$all" ] || { echo "--reuse: $output" >&2; return 1; }
	fi
}

@test "stdin, stdout, stderr and other inherited descriptors pass through" {
	run bash -c "echo piped | '$SBX_EXEC' ${SB[*]} --writable=. -- cat"
	assert_output_contains piped
	run bash -c "'$SBX_EXEC' ${SB[*]} --writable=. -- sh -c 'echo to-err >&2' 2>&1 >/dev/null"
	assert_output_contains to-err
	# fd 5 is opened by the caller on a file outside the writable paths:
	# the sandbox may write to what it was handed, and to nothing else
	mkdir "$WORK/o"
	sbx "${SB[@]}" --writable="$WORK/o" -- sh -c 'echo handed >&5' 5>"$WORK/fd5"
	[ "$(cat "$WORK/fd5")" = handed ]
}

@test "SIGTERM, SIGINT, SIGHUP and SIGQUIT sent to sbx-exec reach the command" {
	for sig in TERM INT HUP QUIT; do
		rm -f "$WORK/ready" "$WORK/got"
		mkfifo "$WORK/ready"
		# Background jobs of a non-interactive shell start with INT and
		# QUIT ignored (and nohup ignores HUP); give sbx-exec the defaults a
		# terminal user has.
		env --default-signal=INT,QUIT,HUP,TERM "$SBX_EXEC" "${SB[@]}" --writable="$WORK" -- sh -c \
			"trap 'echo $sig > \"$WORK/got\"; exit 3' $sig; echo up > \"$WORK/ready\"; while :; do sleep 0.05; done" 3>&- &
		local pid=$!
		read -r _ <"$WORK/ready"
		kill -s "$sig" "$pid"
		local st=0
		wait "$pid" || st=$?
		[ "$st" -eq 3 ] || { echo "SIG$sig: status $st" >&2; return 1; }
		[ "$(cat "$WORK/got")" = "$sig" ]
	done
}

@test "a command that dies of the forwarded signal gives 128+N" {
	mkfifo "$WORK/ready"
	"$SBX_EXEC" "${SB[@]}" --writable="$WORK" -- sh -c "echo up > '$WORK/ready'; exec sleep 60" 3>&- &
	local pid=$!
	read -r _ <"$WORK/ready"
	kill -TERM "$pid"
	local st=0
	wait "$pid" || st=$?
	[ "$st" -eq 143 ]
}

# Whether anything the sandbox started is still alive is checked from the
# host through a pipe: every process holds its write end, so the reader sees
# EOF only once all of them are gone (timeout(1) turns "never" into a failure).

@test "--timeout kills the sandbox and returns 124" {
	run timeout 20 bash -o pipefail -c "'$SBX_EXEC' ${SB[*]} --writable='$WORK' --timeout=1 -- sh -c 'sleep 60 & sleep 61' | cat"
	assert_status 124
	assert_output_contains "timed out after 1s; the sandbox was killed"
}

@test "processes the command leaves behind are killed when it exits" {
	run timeout 20 bash -o pipefail -c "'$SBX_EXEC' ${SB[*]} --writable='$WORK' -- sh -c 'sleep 60 & (setsid sleep 61 &); echo started' | cat"
	assert_status 0
	assert_output_contains started
}

@test "killing sbx-exec with SIGKILL kills the whole sandbox" {
	if ! have_userns; then
		# without a pid namespace the plan says what can survive
		run sbx "${SB[@]}" --writable="$WORK" --print -- true
		assert_output_contains "background processes the command started can survive"
		return 0
	fi
	mkfifo "$WORK/out" "$WORK/ready"
	timeout 20 cat "$WORK/out" >"$WORK/got" 3>&- &
	local reader=$!
	"$SBX_EXEC" "${SB[@]}" --writable="$WORK" -- sh -c "sleep 60 & (setsid sleep 61 &); echo up > '$WORK/ready'; wait" >"$WORK/out" 3>&- &
	local pid=$!
	read -r _ <"$WORK/ready"
	kill -KILL "$pid"
	local st=0
	wait "$reader" || st=$?
	# 124 would mean a process of the sandbox still held the pipe open
	[ "$st" -eq 0 ]
}

@test "Makefile SHELL: recipes run sandboxed under make -j4, failures reach make" {
	requires make
	mkdir -p "$WORK/proj"
	cat >"$WORK/proj/Makefile" <<MK
SHELL := $SBX_EXEC ${SB[*]} --writable=$WORK/proj -- /bin/sh
all: a b c d e f g h
a b c d e f g h:
	echo \$@ > \$@.out
	echo escape > $WORK/escaped-\$@ || true
fail:
	exit 3
MK
	run make -C "$WORK/proj" -j4
	assert_status 0
	for t in a b c d e f g h; do [ "$(cat "$WORK/proj/$t.out")" = "$t" ]; done
	! ls "$WORK"/escaped-* 2>/dev/null || false
	run make -C "$WORK/proj" fail
	[ "$status" -ne 0 ]
	assert_output_contains "Error 3"
}

@test "recursive make inside a sandboxed recipe keeps make's jobserver" {
	requires make
	mkdir -p "$WORK/proj/sub"
	cat >"$WORK/proj/Makefile" <<MK
SHELL := $SBX_EXEC ${SB[*]} --writable=$WORK/proj -- /bin/sh
all:
	+\$(MAKE) -C sub
MK
	cat >"$WORK/proj/sub/Makefile" <<'MK'
all: 1 2 3 4
1 2 3 4:
	@echo "flags: $(MAKEFLAGS)" > $@.out
MK
	run make -C "$WORK/proj" -j4
	assert_status 0
	refute_output_contains "jobserver unavailable"
	grep -q -- "jobserver" "$WORK/proj/sub/1.out"
}

# parent_run OPTION...: sbx-exec started by a shell of its own (the
# "parent"), which is then killed; the sandbox writes started, then
# survived after 3 s. Sets SBXPID.
parent_run() {
	rm -f "$WORK/started" "$WORK/survived" "$WORK/sbxpid"
	# shellcheck disable=SC2016
	bash -c '"$@" & echo $! > "'"$WORK"'/sbxpid"; wait' parent "$SBX_EXEC" "${SB[@]}" \
		--writable="$WORK" "$@" -- sh -c "touch '$WORK/started'; sleep 3; touch '$WORK/survived'" \
		</dev/null >/dev/null 2>&1 3>&- &
	PARENT=$!
	local i
	for i in $(seq 1 100); do
		[ -e "$WORK/started" ] && [ -s "$WORK/sbxpid" ] && break
		sleep 0.1
	done
	[ -e "$WORK/started" ]
	SBXPID=$(cat "$WORK/sbxpid")
	kill -KILL "$PARENT"
	wait "$PARENT" 2>/dev/null || true
}

@test "--die-with-parent: the sandbox dies with the process that started sbx-exec" {
	parent_run --die-with-parent
	local i
	for i in $(seq 1 50); do
		kill -0 "$SBXPID" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$SBXPID" 2>/dev/null || false
	sleep 3.5
	[ ! -e "$WORK/survived" ]
	# control: without it, the orphaned sandbox runs to its end
	parent_run
	sleep 3.5
	[ -e "$WORK/survived" ]
	# and the plan says so
	run sbx "${SB[@]}" --writable="$WORK" --die-with-parent --print -- true
	assert_output_contains "the sandbox dies when sbx-exec's parent does"
}

@test "--setenv sets variables after scrubbing; bad names are refused" {
	FOO=host run sbx "${SB[@]}" --writable="$WORK" --env-deny='FOO*' --setenv=FOO=set \
		--setenv=FOOBAR=x=y --setenv=FOOBAR=last -- sh -c 'echo "$FOO|$FOOBAR"'
	assert_status 0
	[ "$output" = "set|last" ]
	# the environment twin (newline-separated) and a policy item
	SBX_SETENV=$(printf 'A=1\nB=two words') run sbx "${SB[@]}" --writable="$WORK" \
		--policy='setenv=C=3' -- sh -c 'echo "$A|$B|$C"'
	[ "$output" = "1|two words|3" ]
	# control: without it, the scrubbed variable is gone
	FOO=host run sbx "${SB[@]}" --writable="$WORK" --env-deny='FOO*' -- sh -c 'echo "[$FOO]"'
	[ "$output" = "[]" ]
	for bad in 1X=a NOEQ =v SBX_SANDBOX=x 'A B=c'; do
		run sbx "${SB[@]}" --writable="$WORK" --setenv="$bad" -- touch "$WORK/ran"
		assert_status 125
		[ "${#lines[@]}" -eq 1 ]
		[ ! -e "$WORK/ran" ]
	done
}

@test "user namespaces refused only at the sandbox's clone (the nesting limit) give the plan the probe would" {
	# sbx-exec leaves the user namespace probe to the clone that makes the
	# sandbox where every setting allows them (lib/host.c); where that
	# clone is refused, it compiles the plan again as the probe would
	local wrap=()
	if have_userns; then
		# at the kernel's nesting limit of user namespaces (helpers.bash)
		nesting_limit_wrapper limit.sh
		wrap=(sh "$WORK/limit.sh")
		# positive control: the same user namespace without the limit
		run unshare -Ur "$SBX_EXEC" -- sh -c 'echo ran-default'
		assert_status 0
		assert_output_contains "ran-default"
	fi
	# (without user namespaces on the host, the probe's own path: the same)
	run "${wrap[@]}" "$SBX_EXEC" --profile=tight -- sh -c 'echo ran-tight'
	assert_status 0
	assert_output_contains "ran-tight"
	run "${wrap[@]}" "$SBX_EXEC" -- touch "$WORK/marker"
	assert_status 125
	assert_output_contains "needs user namespaces, which this host refuses"
	[ ! -e "$WORK/marker" ]
}
