#!/usr/bin/env bats
# GNU make with sbx-exec as its SHELL: the Makefile forms of CONTRACT.md,
# failures, -j and the jobserver, .ONESHELL. The policy comes from
# SBX_POLICY (scoped writes, which the landlock backend enforces), so the
# Makefiles use the plain `SHELL := sbx-exec -- /bin/sh` users write.

load helpers

setup() {
	requires make
	setup_workdir
	mkdir -p out
	PATH=$(dirname "$SBX_EXEC"):$PATH
	export SBX_POLICY="write=scope; writable=; writable=$WORK/out; allow-temp=false; read-deny="
	unset MAKEFLAGS MAKELEVEL MFLAGS
}

# makefile FILE: writes stdin to FILE, turning the 4-space indent that
# survives <<- into the tab make wants before recipe lines.
makefile() {
	sed 's/^    /\t/' >"$1"
}

teardown() {
	[ -z "${SINK_PID:-}" ] || kill "$SINK_PID" 2>/dev/null || true
}

@test "SHELL := sbx-exec -- /bin/sh sandboxes every recipe line" {
	makefile Makefile <<-'EOF'
		SHELL := sbx-exec -- /bin/sh
		all: allowed denied
		allowed:
		    echo "$$SBX_SANDBOX" >out/marker
		    touch out/allowed
		denied:
		    touch denied
	EOF
	run make -k
	assert_status 2
	[ "$(cat out/marker)" = landlock ]
	[ -f out/allowed ]
	[ ! -e denied ]
	# Control: the same Makefile without the SHELL line writes both.
	sed -i 1d Makefile
	run make
	assert_status 0
	[ -f denied ]
}

@test "target-specific SHELL := sbx-exec --net=disable applies to that target only" {
	read -r port SINK_PID < <("$PROBES/tcp_sink" serve "$WORK/log")
	makefile Makefile <<-EOF
		SHELL := sbx-exec -- /bin/sh
		build: SHELL := sbx-exec --net=disable -- /bin/sh
		fetch:
		    "$PROBES/tcp_sink" poke $port
		build:
		    echo "\$\$SBX_SANDBOX" >out/build-marker
		    "$PROBES/tcp_sink" poke $port
	EOF
	run make fetch
	assert_status 0
	[ "$(grep -c accepted log)" -eq 1 ]
	run make build
	assert_status 2
	# Host side: the listener saw no second connection; build still ran sandboxed.
	[ "$(grep -c accepted log)" -eq 1 ]
	[ "$(cat out/build-marker)" = landlock ]
}

@test "make SHELL='sbx-exec -- sh' from the command line sandboxes an untouched Makefile" {
	makefile Makefile <<-'EOF'
		all:
		    touch out/allowed
		    touch denied
	EOF
	run make SHELL='sbx-exec -- sh'
	assert_status 2
	[ -f out/allowed ]
	[ ! -e denied ]
	run make
	assert_status 0
	[ -f denied ]
}

@test "a failing recipe stops make with the recipe's status" {
	makefile Makefile <<-'EOF'
		SHELL := sbx-exec -- /bin/sh
		all: first second
		first:
		    exit 3
		second:
		    touch out/second
	EOF
	run make
	assert_status 2
	assert_output_contains "Error 3"
	[ ! -e out/second ]
	# A command that is not found: 127 from inside the sandbox.
	printf 'SHELL := sbx-exec -- /bin/sh\nall:\n\tno-such-command-sbx\n' >Makefile
	run make
	assert_status 2
	assert_output_contains "Error 127"
}

@test "make -j runs sandboxed recipes in parallel" {
	# a and b meet through two FIFOs: they only finish if they run at once.
	makefile Makefile <<-'EOF'
		SHELL := sbx-exec -- /bin/sh
		T := $(addprefix out/t,1 2 3 4 5 6 7 8)
		all: $(T) a b
		$(T):
		    echo "$$SBX_SANDBOX" >$@
		a: out/p1 out/p2
		    echo ping >out/p1; read x <out/p2; echo "a got $$x" >out/a
		b: out/p1 out/p2
		    read x <out/p1; echo pong >out/p2; echo "b got $$x" >out/b
		out/p1 out/p2:
		    mkfifo $@
	EOF
	run timeout 60 make -j4
	assert_status 0
	[ "$(cat out/a)" = "a got pong" ] && [ "$(cat out/b)" = "b got ping" ]
	for i in 1 2 3 4 5 6 7 8; do [ "$(cat out/t$i)" = landlock ]; done
}

@test "recursive make inside a sandboxed recipe keeps the jobserver" {
	mkdir sub
	makefile Makefile <<-'EOF'
		SHELL := sbx-exec -- /bin/sh
		all:
		    ASAN_OPTIONS=detect_leaks=0 $(MAKE) -C sub a b
	EOF
	# The sub-make's a and b only finish if it got a second job slot from
	# the top make's jobserver, through the sandbox. (ASAN_OPTIONS: an ASan
	# build's LeakSanitizer needs ptrace, which the outer sandbox denies.)
	makefile sub/Makefile <<-EOF
		SHELL := sbx-exec -- /bin/sh
		a: p1 p2
		    echo ping >$WORK/out/p1; read x <$WORK/out/p2; echo "\$\$x" >$WORK/out/a
		b: p1 p2
		    read x <$WORK/out/p1; echo pong >$WORK/out/p2; echo "\$\$x" >$WORK/out/b
		p1 p2:
		    mkfifo $WORK/out/\$@
	EOF
	run timeout 60 make -j2
	assert_status 0
	refute_output_contains "jobserver unavailable"
	[ "$(cat out/a)" = pong ] && [ "$(cat out/b)" = ping ]
	# Control: with one job slot the same recipes cannot meet (the test can
	# fail); a short timeout ends the deadlock.
	rm -f out/*
	run timeout 5 make -j1
	assert_status 124
	[ ! -e out/a ]
}

@test ".ONESHELL runs the whole recipe in one sandboxed shell" {
	mkdir sub
	# With .ONESHELL, GNU make runs SHELL as one program path: the options
	# and the shell go in .SHELLFLAGS. (make only strips @-+ from the first
	# line when SHELL is not itself a POSIX shell.)
	makefile Makefile <<-'EOF'
		.ONESHELL:
		SHELL := sbx-exec
		.SHELLFLAGS := -- /bin/sh -ec
		all:
		    @cd sub
		    x=42
		    echo "$$x $$(pwd) $$SBX_SANDBOX" >../out/oneshell
		fail:
		    touch out/before
		    false
		    touch out/after
		denied:
		    touch out/ok
		    touch denied
		nonet: .SHELLFLAGS := --net=disable -- /bin/sh -ec
		nonet:
		    echo "$$SBX_SANDBOX" >out/nonet
		    "$(PROBES)/tcp_sink" poke $(PORT)
	EOF
	run make
	assert_status 0
	[ "$(cat out/oneshell)" = "42 $WORK/sub landlock" ]
	refute_output_contains "cd sub"
	# -e in .SHELLFLAGS stops the one shell at the first failing line.
	run make fail
	assert_status 2
	[ -f out/before ] && [ ! -e out/after ]
	run make denied
	assert_status 2
	[ -f out/ok ] && [ ! -e denied ]
	# Target-specific options through .SHELLFLAGS.
	read -r port SINK_PID < <("$PROBES/tcp_sink" serve "$WORK/log")
	run make nonet PORT="$port"
	assert_status 2
	[ "$(cat out/nonet)" = landlock ]
	[ ! -s log ]
	run "$PROBES/tcp_sink" poke "$port"
	assert_status 0
	[ "$(grep -c accepted log)" -eq 1 ]
}
