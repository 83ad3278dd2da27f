#!/usr/bin/env bats
# reuse.bats: --reuse, one sandbox for a make's recipes. Each recipe must
# get exactly what a fresh start gives (the denials checked from the host
# side, with the same recipes run unsandboxed as the control); nothing but
# the make's own children may use the sandbox; nothing outlives the make;
# an ineligible plan or an unusable directory means a fresh start.
#
# The work directory is under /var/tmp (as in routes.bats: the agent
# profile writes the temp dir through), and XDG_RUNTIME_DIR points into it,
# so each test has its own directory of names to look at.

load helpers

setup() {
	requires landlock=1 make
	WORK=$(mktemp -d /var/tmp/sbx-reuse.XXXXXX)
	H=$WORK/home
	mkdir -p "$H/.ssh" "$H/proj" "$WORK/run"
	chmod 700 "$WORK/run"
	echo "SSHKEY-$$" >"$H/.ssh/id_ed25519"
	echo "CODE-$$" >"$H/proj/main.c"
	export HOME=$H XDG_RUNTIME_DIR=$WORK/run
	unset MAKEFLAGS MAKELEVEL MFLAGS
	PATH=$(dirname "$SBX_EXEC"):$PATH
	cd "$H/proj" || return 1
}

teardown() {
	cd /
	[ -z "${MAKE_PID:-}" ] || kill -9 "$MAKE_PID" 2>/dev/null || true
	[ -z "${WORK:-}" ] || touch "$H/proj/gone" 2>/dev/null || true
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
}

# makefile FILE: stdin to FILE, the 4-space indent turned into make's tab.
makefile() {
	sed 's/^    /\t/' >"$1"
}

# The names the sandboxes serve ("" when none).
names() {
	ls "$WORK/run/sbx-reuse" 2>/dev/null | grep '\.sock$' || true
}

@test "reuse: a make's recipes share one sandbox, and each holds what a fresh start holds" {
	if ! have_userns; then refused_without_userns --reuse; return; fi
	start_unix_listeners "$H/proj/host.sock"
	makefile Makefile <<-EOF
		SHELL := sbx-exec --reuse -- /bin/sh
		all: one two
		one:
		    readlink /proc/self/ns/pid >ns.one
		    echo \$\$SBX_SANDBOX >marker
		    echo "NOTE-$$" >../note
		two: one
		    readlink /proc/self/ns/pid >ns.two
		    cat ../note
		    -cat ../.ssh/id_ed25519
		    -echo escaped >../escaped
		    -"$PROBES/net" uconnect host.sock
		    -for f in /proc/[0-9]*/fd/* /proc/[0-9]*/cwd; do cat "\$\$f/../.ssh/id_ed25519" "\$\$f/.ssh/id_ed25519"; done 2>/dev/null
		    -ls -l /proc/\$\$PPID/fd/ >parent-fds 2>&1
		    cat main.c
	EOF
	run make
	assert_status 0
	# the process the recipe came from (init in a fresh start, the one
	# that serves it here) lends it no descriptor: none can be followed
	grep -q 'Permission denied' parent-fds
	[ -z "$(grep -e '->' parent-fds)" ]
	assert_output_contains "CODE-$$"
	refute_output_contains "SSHKEY-$$"
	[ "$(cat marker)" = landlock ]
	# what they share, as the plan says: the copy-on-write layer (one
	# recipe's write beside the project is seen by the next, never by the
	# host)
	assert_output_contains "NOTE-$$"
	[ ! -e "$H/note" ]
	# (and no process in it, the ones that serve it included, lent a
	# descriptor of the host's paths beneath the view)
	# one sandbox: both recipes saw the same pid namespace, not the host's
	[ "$(cat ns.one)" = "$(cat ns.two)" ]
	[ "$(cat ns.one)" != "$(readlink /proc/self/ns/pid)" ]
	# host side: nothing beside the project was written, the listener got
	# nothing, and no name is left once make is done
	[ ! -e "$H/escaped" ]
	stop_unix_listeners
	[ "$(cat "$WORK/l.0")" = "accepted 0" ]
	[ -z "$(names)" ]
	# control: the same recipes unsandboxed read the key, write, connect
	rm -f host.sock
	start_unix_listeners "$H/proj/host.sock"
	run make SHELL=/bin/sh
	assert_status 0
	assert_output_contains "SSHKEY-$$"
	[ -e "$H/escaped" ]
	stop_unix_listeners
	[ "$(cat "$WORK/l.0")" = "accepted 1" ]
}

@test "reuse: exit statuses, signals, stdin and inherited descriptors are the recipe's own" {
	if ! have_userns; then refused_without_userns --reuse; return; fi
	echo "FD3-$$" >"$WORK/three"
	makefile Makefile <<-'EOF'
		SHELL := sbx-exec --reuse -- /bin/sh
		ok:
		    @cat <&3; read line; echo "stdin: $$line"; umask
		three:
		    exit 3
		term:
		    kill -TERM $$$$
	EOF
	run sh -c 'umask 027; echo typed | make -s ok 3<"$1"' sh "$WORK/three"
	assert_status 0
	assert_output_contains "FD3-$$"
	assert_output_contains "stdin: typed"
	assert_output_contains "0027"
	run make three
	assert_status 2
	assert_output_contains "Error 3"
	run make term
	assert_status 2
	assert_output_contains "Terminated"
}

@test "reuse: a shell's commands share one sandbox too, each with the shell's limits of the moment" {
	if ! have_userns; then refused_without_userns --reuse; return; fi
	run sh -c 'sbx-exec --reuse -- readlink /proc/self/ns/pid
		ulimit -n 99
		sbx-exec --reuse -- sh -c "readlink /proc/self/ns/pid; ulimit -n"
		ulimit -n 98
		sbx-exec -- sh -c "ulimit -n"'
	assert_status 0
	[ "${lines[0]}" = "${lines[1]}" ]
	[ "${lines[0]}" != "$(readlink /proc/self/ns/pid)" ]
	[ "${lines[2]}" = 99 ]
	# control: a fresh start has the shell's limit as well
	[ "${lines[3]}" = 98 ]
	[ -z "$(names)" ]
}

@test "reuse: each command ignores the signals its own sbx-exec ignored, no others" {
	if ! have_userns; then refused_without_userns --reuse; return; fi
	# the first command (which makes the sandbox) ignores SIGUSR1; the
	# second ignores nothing; the third SIGINT; the fourth, a fresh start
	# (control), SIGUSR1
	run sh -c 'ign="s/^SigIgn:[[:space:]]*//p"
		trap "" USR1; sbx-exec --reuse -- sed -n "$ign" /proc/self/status
		trap - USR1; sbx-exec --reuse -- sed -n "$ign" /proc/self/status
		trap "" INT; sbx-exec --reuse -- sed -n "$ign" /proc/self/status
		trap - INT; trap "" USR1; sbx-exec -- sed -n "$ign" /proc/self/status'
	assert_status 0
	local usr1=$((1 << 9)) int=$((1 << 1))
	[ $((0x${lines[0]} & usr1)) -ne 0 ]
	[ $((0x${lines[1]} & usr1)) -eq 0 ]
	[ $((0x${lines[2]} & int)) -ne 0 ]
	[ $((0x${lines[2]} & usr1)) -eq 0 ]
	[ $((0x${lines[3]} & usr1)) -ne 0 ]
	[ -z "$(names)" ]
}

@test "reuse: only the make's own children outside the sandbox are served, and only for its plan" {
	if ! have_userns; then refused_without_userns --reuse; return; fi
	# A recipe (inside) tries the name; a host recipe of the same make
	# (SHELL /bin/sh, exec'd so that it is make's child) asks with a forged
	# plan; a host process that is not make's child asks too. Each asks to
	# make a file in the project.
	makefile Makefile <<-EOF
		SHELL := sbx-exec --reuse -- /bin/sh
		R := $WORK/run/sbx-reuse
		all: first inside child other
		first:
		    @echo first
		inside: first
		    @for s in \$(R)/*.sock; do "$PROBES/reuse" \$\$s x /bin/touch "$H/proj/pwned"; done >inside.out
		child: private SHELL := /bin/sh
		child: first
		    @exec "$PROBES/reuse" \$(wildcard \$(R)/*.sock) x /bin/touch "$H/proj/pwned" >child.out
		other: private SHELL := /bin/sh
		other: first
		    @(exec "$PROBES/reuse" \$(wildcard \$(R)/*.sock) x /bin/touch "$H/proj/pwned") >other.out
	EOF
	run make -k
	assert_output_contains first
	# inside: the sandbox reaches no host socket
	grep -q '^connect: ' inside.out
	# make's child: admitted, and refused for a plan not the sandbox's
	[ "$(cat child.out)" = refused ]
	# a grandchild of make (a subshell's child): not admitted at all
	[ "$(cat other.out)" = eof ]
	# host side: no command ran
	[ ! -e pwned ]
	[ -z "$(names)" ]
}

@test "reuse: the directory of names is the user's alone" {
	if ! have_userns; then refused_without_userns --reuse; return; fi
	# Without XDG_RUNTIME_DIR: /tmp/sbx-reuse-UID, in a directory all can
	# pass; as root, another user's connect is refused there.
	local D=/tmp/sbx-reuse-$(id -u)
	makefile Makefile <<-EOF
		SHELL := sbx-exec --reuse -- /bin/sh
		all: one two
		one:
		    @stat -c '%a %u' "$D" >dir.out
		two: private SHELL := /bin/sh
		two: one
		    @if [ "\$\$(id -u)" = 0 ]; then setpriv --reuid=4242 --regid=4242 --clear-groups "$PROBES/reuse" \$(firstword \$(wildcard $D/*.sock)) x /bin/touch "$H/proj/pwned"; else echo "not root"; fi >other-user.out; true
	EOF
	chmod 777 .
	run env -u XDG_RUNTIME_DIR make
	assert_status 0
	[ "$(cat dir.out)" = "700 $(id -u)" ]
	# (as root only: a user cannot become another one to try; the mode
	# and owner above are what hold then)
	if [ "$(id -u)" = 0 ]; then
		grep -q '^connect: ' other-user.out
	fi
	[ ! -e pwned ]
	# a directory others may write is not used: a warning, and each recipe
	# gets a fresh sandbox that holds all the same
	mkdir -p "$WORK/run/sbx-reuse"
	chmod 770 "$WORK/run/sbx-reuse"
	makefile Makefile <<-'EOF'
		SHELL := sbx-exec --reuse -- /bin/sh
		all: one two
		one:
		    readlink /proc/self/ns/pid >ns.one
		two: one
		    readlink /proc/self/ns/pid >ns.two
		    -cat ../.ssh/id_ed25519
	EOF
	run make
	assert_status 0
	assert_output_contains "not a directory of this user's alone"
	refute_output_contains "SSHKEY-$$"
	[ "$(cat ns.one)" != "$(cat ns.two)" ]
	[ -z "$(names)" ]
}

@test "reuse: nothing outlives the make, nor a recipe whose sbx-exec was killed" {
	if ! have_userns; then refused_without_userns --reuse; return; fi
	local tag=reuse-$$-$RANDOM
	# two leaves a process behind; three keeps make (and so the sandbox)
	# alive meanwhile, outside it
	makefile Makefile <<-EOF
		SHELL := sbx-exec --reuse -- /bin/sh
		all: one two three
		one:
		    @echo one
		two: one
		    @sh -c 'sleep 300; : $tag-left' & touch started; exec sleep 301
		three: private SHELL := /bin/sh
		three: one
		    @for i in \$\$(seq 600); do [ -e gone ] || [ ! -e Makefile ] && break; sleep 0.1; done
	EOF
	make -k -j2 >make.out 2>&1 &
	MAKE_PID=$!
	for _ in $(seq 100); do [ -e started ] && break; sleep 0.1; done
	[ -e started ]
	pgrep -f "$tag-left" >/dev/null
	[ -n "$(names)" ]
	# the recipe's sbx-exec dies: its command and what it started go too,
	# while the sandbox goes on serving
	pkill -KILL -f "^sbx-exec --reuse -- /bin/sh -c .*$tag"
	for _ in $(seq 50); do pgrep -f "$tag-left" >/dev/null || break; sleep 0.1; done
	[ -z "$(pgrep -f "$tag-left")" ]
	[ -n "$(names)" ]
	touch gone
	wait "$MAKE_PID" || true
	MAKE_PID=
	# make ended: so did the sandbox, and its name is gone
	for _ in $(seq 50); do [ -z "$(names)" ] && break; sleep 0.1; done
	[ -z "$(names)" ]
	# a make killed mid-recipe takes the sandbox with it
	rm -f started gone
	make -k -j2 >make.out 2>&1 &
	MAKE_PID=$!
	for _ in $(seq 100); do [ -e started ] && break; sleep 0.1; done
	[ -e started ]
	pgrep -f "$tag-left" >/dev/null
	kill -9 "$MAKE_PID"
	MAKE_PID=
	for _ in $(seq 50); do pgrep -f "$tag-left" >/dev/null || break; sleep 0.1; done
	[ -z "$(pgrep -f "$tag-left")" ]
	for _ in $(seq 50); do [ -z "$(names)" ] && break; sleep 0.1; done
	[ -z "$(names)" ]
	touch gone
}


@test "reuse: what a served command leaves running dies when it ends, and the sandbox serves on" {
	if ! have_userns; then refused_without_userns --reuse; return; fi
	local tag=reuse-$$-$RANDOM
	# one starts a process that outlives it (it waits until that process
	# is there); check, outside the sandbox, looks for it after one ended
	# (b[g]: not its own command line); three is served after that
	makefile Makefile <<-EOF
		SHELL := sbx-exec --reuse -- /bin/sh
		all: three
		one:
		    @sh -c 'touch bg-started; sleep 300; : $tag-bg' & while [ ! -e bg-started ]; do sleep 0.05; done; echo one
		check: private SHELL := /bin/sh
		check: one
		    @for i in \$\$(seq 50); do pgrep -f "$tag-b[g]" >/dev/null || break; sleep 0.1; done; if pgrep -f "$tag-b[g]" >/dev/null; then echo left; else echo gone; fi; pgrep -f "^sbx-exec --reuse server for pid [0-9]" >/dev/null && echo titled
		three: check
		    @echo three served
	EOF
	run make -j1
	assert_status 0
	[ -e bg-started ] # (control: the process was there)
	assert_output_contains "gone"
	# the server shows as what it is, not as the first recipe's command
	assert_output_contains "titled"
	assert_output_contains "three served"
	[ -z "$(pgrep -f "$tag-bg")" ]
}

@test "reuse: a recipe that kills the process serving it takes what it started with it" {
	if ! have_userns; then refused_without_userns --reuse; return; fi
	local tag=reuse-$$-$RANDOM
	# two starts a process, then kills its keeper (its parent inside the
	# sandbox, of the same uid); three keeps make and the sandbox alive
	makefile Makefile <<-EOF
		SHELL := sbx-exec --reuse -- /bin/sh
		all: one two three four
		one:
		    @echo one
		two: one
		    @sh -c 'sleep 300; : $tag-left' & sleep 0.2; touch started; kill -9 \$\$PPID; exec sleep 301
		three: private SHELL := /bin/sh
		three: one
		    @for i in \$\$(seq 600); do [ -e gone ] || [ ! -e Makefile ] && break; sleep 0.1; done
		four: one
		    @while [ ! -e started ]; do sleep 0.1; done; sleep 1; echo four served
	EOF
	make -k -j3 >make.out 2>&1 &
	MAKE_PID=$!
	for _ in $(seq 100); do [ -e started ] && break; sleep 0.1; done
	[ -e started ]
	# what the recipe started dies with it, from the host's view
	for _ in $(seq 50); do pgrep -f "$tag-left" >/dev/null || break; sleep 0.1; done
	[ -z "$(pgrep -f "$tag-left")" ]
	[ -z "$(pgrep -f 'sleep 301')" ]
	# the recipe failed, saying why; the sandbox goes on serving
	for _ in $(seq 50); do grep -q 'four served' make.out && break; sleep 0.1; done
	[ -n "$(names)" ]
	touch gone
	wait "$MAKE_PID" || true
	MAKE_PID=
	run cat make.out
	assert_output_contains "the shared sandbox ended before the command did"
	assert_output_contains "four served"
	assert_output_contains "[Makefile:6: two] Error 137"
}
@test "reuse: a recipe that kills the keeper waiting for the next recipe leaves the sandbox serving" {
	if ! have_userns; then refused_without_userns --reuse; return; fi
	# One finds the keeper made ahead for the next connection (the other
	# child of the process that serves it) and kills it; two is still
	# served, by the same sandbox.
	makefile Makefile <<-'EOF'
		SHELL := sbx-exec --reuse -- /bin/sh
		all: two
		one:
		    @f=$$(awk '{print $$4}' /proc/$$PPID/stat); for i in $$(seq 100); do s=$$(awk -v f=$$f -v k=$$PPID '$$4 == f && $$1 != k {print $$1}' /proc/[0-9]*/stat 2>/dev/null); [ -n "$$s" ] && break; sleep 0.05; done; kill -9 $$s && echo "killed the spare $$s"; readlink /proc/self/ns/pid >ns.one
		two: one
		    @readlink /proc/self/ns/pid >ns.two; echo two served
	EOF
	run make -j1
	assert_status 0
	assert_output_contains "killed the spare "
	assert_output_contains "two served"
	[ "$(cat ns.one)" = "$(cat ns.two)" ]
	[ "$(cat ns.one)" != "$(readlink /proc/self/ns/pid)" ]
	for _ in $(seq 50); do [ -z "$(names)" ] && break; sleep 0.1; done
	[ -z "$(names)" ]
}

@test "reuse: the terminal's ^C reaches the recipe, and the sandbox ends with make" {
	if ! have_userns; then refused_without_userns --reuse; return; fi
	makefile Makefile <<-EOF
		SHELL := sbx-exec --reuse -- /bin/sh
		all: one two
		one:
		    @echo one
		two: one
		    @trap 'echo interrupted >"$H/proj/int"; exit 130' INT; touch "$H/proj/ready"; sleep 60 & wait
	EOF
	run "$PROBES/tty" "$H/proj/ready" make
	[ "$status" -ne 0 ]
	[ "$status" -ne 99 ]
	[ "$(cat int)" = interrupted ]
	for _ in $(seq 50); do [ -z "$(names)" ] && break; sleep 0.1; done
	[ -z "$(names)" ]
}

@test "reuse: SIGTSTP stops the served command with sbx-exec, SIGCONT resumes both" {
	if ! have_userns; then refused_without_userns --reuse; return; fi
	local tag=$RANDOM$$
	cat >job.sh <<-EOF
		#!/bin/sh
		sbx-exec --reuse -- true
		sbx-exec --reuse -- sh -c 'sleep 30 && : $tag; echo finished >"$H/proj/done"' &
		echo \$! >client.pid
		wait
	EOF
	chmod +x job.sh
	./job.sh &
	local job=$!
	for _ in $(seq 100); do [ -n "$(pgrep -f "sleep 30 && : $tag")" ] && break; sleep 0.1; done
	local cmd client
	cmd=$(pgrep -f "^sh -c sleep 30 && : $tag")
	client=$(cat client.pid)
	[ -n "$cmd" ]
	kill -TSTP "$client"
	for _ in $(seq 50); do [ "$(ps -o stat= -p "$cmd")" = T ] && break; sleep 0.1; done
	[ "$(ps -o stat= -p "$cmd" | cut -c1)" = T ]
	[ "$(ps -o stat= -p "$client" | cut -c1)" = T ]
	kill -CONT "$client"
	for _ in $(seq 50); do [ "$(ps -o stat= -p "$cmd" | cut -c1)" != T ] && break; sleep 0.1; done
	[ "$(ps -o stat= -p "$cmd" | cut -c1)" != T ]
	[ "$(ps -o stat= -p "$client" | cut -c1)" != T ]
	# the command goes on to its end when its sleep is cut short
	pkill -P "$cmd" sleep
	wait "$job"
	[ "$(cat done)" = finished ]
}

@test "reuse: a plan that cannot serve many commands starts each afresh, and says so" {
	if ! have_userns; then refused_without_userns --reuse; return; fi
	run sbx --reuse --timeout=60 --print -- true
	assert_output_contains "reuse: not used, every command gets a sandbox of its own: a timeout"
	run sbx --reuse --print -- true
	assert_output_contains "reuse:                the first command"
	run sbx --print -- true
	refute_output_contains "reuse:"
	makefile Makefile <<-'EOF'
		SHELL := sbx-exec --reuse --timeout=60 -- /bin/sh
		all: one two
		one:
		    readlink /proc/self/ns/pid >ns.one
		two: one
		    readlink /proc/self/ns/pid >ns.two
	EOF
	run make
	assert_status 0
	[ "$(cat ns.one)" != "$(cat ns.two)" ]
	[ -z "$(names)" ]
	# SBX_REUSE=1 is the same switch
	run env SBX_REUSE=1 "$SBX_EXEC" --print -- true
	assert_output_contains "reuse:                the first command"
}

@test "reuse: make inside make, and recipes of two plans in one make" {
	if ! have_userns; then refused_without_userns --reuse; return; fi
	# (ASAN_OPTIONS: under make asan, LeakSanitizer cannot stop the world
	# inside a sandbox, which refuses ptrace; as in make.bats)
	mkdir sub
	makefile sub/Makefile <<-'EOF'
		SHELL := sbx-exec --reuse -- /bin/sh
		all:
		    echo "sub: $$SBX_SANDBOX" >done
	EOF
	makefile Makefile <<-'EOF'
		SHELL := sbx-exec --reuse -- /bin/sh
		all: one two net
		one:
		    readlink /proc/self/ns/pid >ns.one
		    ASAN_OPTIONS=detect_leaks=0 $(MAKE) -C sub
		two: one
		    readlink /proc/self/ns/pid >ns.two
		net: private SHELL := sbx-exec --reuse --net=disable -- /bin/sh
		net: two
		    readlink /proc/self/ns/pid >ns.net
	EOF
	run make
	assert_status 0
	[ "$(cat sub/done)" = "sub: landlock" ]
	[ "$(cat ns.one)" = "$(cat ns.two)" ]
	[ "$(cat ns.net)" != "$(cat ns.one)" ]
	[ -z "$(names)" ]
}

@test "reuse: 48 recipes at once (make -k -j8) each get their own output and status, in one sandbox" {
	if ! have_userns; then refused_without_userns --reuse; return; fi
	{
		echo 'SHELL := sbx-exec --reuse -- /bin/sh'
		printf 'all:'
		for i in $(seq 48); do printf ' t%d' "$i"; done
		echo
		for i in $(seq 48); do
			printf 't%d:\n\treadlink /proc/self/ns/pid >ns.$@; echo $@ >out.$@; [ %d -ne 0 ]\n' \
				"$i" $((i % 7))
		done
	} >Makefile
	run make -k -j8
	assert_status 2
	# every recipe ran and wrote its own output; exactly the failing ones
	# failed, each under its own name
	for i in $(seq 48); do [ "$(cat "out.t$i")" = "t$i" ]; done
	[ "$(grep -c 'Error 1' <<<"$output")" = 6 ]
	for i in 7 14 21 28 35 42; do assert_output_contains "t$i] Error 1"; done
	# one sandbox served them all, not the host's pid namespace
	[ "$(cat ns.t* | sort -u | wc -l)" = 1 ]
	[ "$(cat ns.t1)" != "$(readlink /proc/self/ns/pid)" ]
	[ -z "$(names)" ]
	# control: the same recipes unsandboxed fail the same way
	rm -f out.t* ns.t*
	run make -k -j8 SHELL=/bin/sh
	assert_status 2
	[ "$(grep -c 'Error 1' <<<"$output")" = 6 ]
	[ "$(cat ns.t* | sort -u)" = "$(readlink /proc/self/ns/pid)" ]
}

@test "reuse: where the shared sandbox cannot be made, each command starts afresh and nothing is left after the parent" {
	if ! have_userns; then refused_without_userns --reuse; return; fi
	# at the kernel's nesting limit of user namespaces (helpers.bash):
	# the plan looks servable, the server's sandbox cannot be made, so the
	# parent's commands are noted to start afresh
	nesting_limit_wrapper limit.sh
	run sh limit.sh sh -c "
		sbx-exec --profile=tight --reuse -- sh -c 'echo one-\$\$'
		ls '$WORK/run/sbx-reuse' >'$WORK/during'
		sbx-exec --profile=tight --reuse -- sh -c 'echo two-\$\$'"
	assert_status 0
	assert_output_contains "one-"
	assert_output_contains "two-"
	# while the parent ran: its note, and no name of a server that is not there
	[ "$(grep -c '\.off$' "$WORK/during")" = 1 ]
	! grep -q '\.sock$' "$WORK/during" || false
	# after it: nothing (the note's watcher ends with the parent)
	for _ in $(seq 100); do
		[ -z "$(ls "$WORK/run/sbx-reuse")" ] && break
		sleep 0.05
	done
	[ -z "$(ls "$WORK/run/sbx-reuse")" ]
}

@test "reuse: a directory deleted and made again is the new one, not the one the sandbox held" {
	if ! have_userns; then refused_without_userns --reuse; return; fi
	mkdir out
	run sh -c 'cd out && sbx-exec --reuse -- sh -c "readlink /proc/self/ns/pid; echo one >f1"
		cat f1
		cd .. && rm -rf out && mkdir out && cd out
		echo in | sbx-exec --reuse -- sh -c "cat >f2; readlink /proc/self/ns/pid"
		sbx-exec --reuse -- sh -c "echo three >f3"'
	assert_status 0
	# control: the first command wrote in the first directory, now gone
	[ "${lines[1]}" = one ]
	[ ! -e out/f1 ]
	# the later ones in the directory of that name now, stdin and all
	[ "$(cat out/f2)" = in ]
	[ "$(cat out/f3)" = three ]
	[ -z "$(names)" ]
}

@test "reuse: a plan that changed with the host since the sandbox was made is refused, and that command starts afresh" {
	if ! have_userns; then refused_without_userns --reuse; return; fi
	mkdir -p "$H/public"
	echo "AWSKEY-$$" >"$H/public/credentials"
	# Between the recipes the host makes ~/.aws a link to ~/public (make
	# itself, outside any sandbox): the second recipe's plan, made after
	# it, hides ~/public, which the first one's (the sandbox's) did not.
	# Both find the same sandbox by name; it must refuse the second.
	makefile Makefile <<-EOF
		SHELL := sbx-exec --reuse -- /bin/sh
		all: two
		one:
		    readlink /proc/self/ns/pid >ns.one
		    cat "$H/public/credentials" >one.out
		link: private SHELL := /bin/sh
		link: one
		    ln -s "$H/public" "$H/.aws"
		two: link
		    readlink /proc/self/ns/pid >ns.two
		    -cat "$H/public/credentials" >two.out 2>&1
	EOF
	run make
	assert_status 0
	# control: the sandbox of the first plan shows ~/public
	grep -q "AWSKEY-$$" one.out
	[ -L "$H/.aws" ]
	# the second command ran afresh, under its own plan, which hides it
	[ "$(cat ns.two)" != "$(cat ns.one)" ]
	[ -s two.out ]
	! grep -q "AWSKEY-$$" two.out || false
	[ -z "$(names)" ]
}
