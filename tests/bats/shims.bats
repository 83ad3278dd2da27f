#!/usr/bin/env bats
# Exec shims: sbx-exec --install-shims DIR CMD... and running through them.
# The policy comes from SBX_POLICY, as it would from a shell profile; it
# uses only what the landlock backend enforces today (scoped writes), so the
# tests hold whatever else the build learns to enforce.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	setup_workdir
	mkdir -p real out shims
	# The "real" tool: prints its arguments one per line, its sandbox marker,
	# and exits with TOOL_STATUS.
	cat >real/tool <<-'EOF'
		#!/bin/sh
		for a in "$@"; do printf '[%s]\n' "$a"; done
		printf 'sandbox=%s\n' "${SBX_SANDBOX:-none}"
		[ -z "${TOOL_TOUCH:-}" ] || touch "$TOOL_TOUCH" || exit 9
		exit "${TOOL_STATUS:-0}"
	EOF
	chmod +x real/tool
	export SBX_POLICY="write=scope; writable=; writable=$WORK/out; allow-temp=false; read-deny="
	BASE_PATH=$PATH
}

install_shims() {
	run sbx --install-shims "$WORK/shims" "$@"
	assert_status 0
}

@test "install-shims: links named like the commands, pointing at sbx-exec" {
	install_shims tool other
	[ -L shims/tool ] && [ -L shims/other ]
	[ "$(readlink -f shims/tool)" = "$(readlink -f "$SBX_EXEC")" ]
	assert_output_contains "shims/tool"
	# Installing again replaces our own links without complaint.
	install_shims tool
	[ "$(readlink -f shims/tool)" = "$(readlink -f "$SBX_EXEC")" ]
}

@test "install-shims: refuses to replace a file that is not a shim, and creates nothing then" {
	echo 'keep me' >shims/tool
	run sbx --install-shims "$WORK/shims" other tool
	assert_status 125
	assert_output_contains "not an sbx-exec shim"
	[ "$(cat shims/tool)" = "keep me" ]
	[ ! -e shims/other ] && [ ! -L shims/other ]
}

@test "install-shims: refuses names that are paths or sbx-exec itself, and policy options" {
	run sbx --install-shims "$WORK/shims" a/b
	assert_status 125
	run sbx --install-shims "$WORK/shims" sbx-exec
	assert_status 125
	run sbx --install-shims "$WORK/shims"
	assert_status 125
	run sbx --net=disable --install-shims "$WORK/shims" tool
	assert_status 125
	assert_output_contains "takes no policy options"
	[ -z "$(ls -A shims)" ]
}

@test "shim runs the real command later on PATH with its arguments unchanged" {
	install_shims tool
	PATH=$WORK/shims:$WORK/real:$BASE_PATH run tool --help -x 'two words' '' '*' '$HOME' 'a"b'
	assert_status 0
	[ "$output" = "$(printf '%s\n' '[--help]' '[-x]' '[two words]' '[]' '[*]' '[$HOME]' '[a"b]' 'sandbox=landlock')" ]
	# The same arguments without the shim, for comparison: only the marker differs.
	PATH=$WORK/real:$BASE_PATH run tool --help -x 'two words' '' '*' '$HOME' 'a"b'
	[ "${lines[7]}" = "sandbox=none" ]
}

@test "shim passes exit statuses unchanged, including death by a signal" {
	install_shims tool sh
	for s in 0 1 3 42 125 126 127 255; do
		TOOL_STATUS=$s PATH=$WORK/shims:$WORK/real:$BASE_PATH run -$s tool
		assert_status "$s"
	done
	# sh through its shim, killed by SIGTERM: the same 143 as without the shim.
	PATH=$WORK/shims:$BASE_PATH run bash -c 'sh -c "kill -TERM \$\$"'
	assert_status 143
	PATH=$BASE_PATH run bash -c 'sh -c "kill -TERM \$\$"'
	assert_status 143
}

@test "shim applies the environment's policy: allowed and denied writes, seen from the host" {
	install_shims tool
	TOOL_TOUCH=$WORK/out/allowed PATH=$WORK/shims:$WORK/real:$BASE_PATH run tool
	assert_status 0
	[ -f out/allowed ]
	TOOL_TOUCH=$WORK/denied PATH=$WORK/shims:$WORK/real:$BASE_PATH run tool
	[ "$status" -ne 0 ]
	[ ! -e denied ]
	# Control: the same write without the shim succeeds.
	TOOL_TOUCH=$WORK/denied PATH=$WORK/real:$BASE_PATH run tool
	assert_status 0
	[ -f denied ]
}

@test "shim never finds itself: shim dir twice, by another spelling, or alone on PATH" {
	install_shims tool
	ln -s shims shims-again
	run timeout 30 env PATH=$WORK/shims:$WORK/shims-again/:$WORK/shims:$WORK/real:$BASE_PATH tool x
	assert_status 0
	assert_output_contains "sandbox=landlock"
	# A relative PATH entry that is the shim directory itself.
	cd shims
	run timeout 30 env PATH=.:$WORK/real:$BASE_PATH tool x
	assert_status 0
	assert_output_contains "[x]"
	cd "$WORK"
	# No real command anywhere: 127 at once, not a loop.
	run -127 timeout 30 env PATH=$WORK/shims:$WORK/shims-again "$WORK/shims/tool" x
	assert_output_contains "no 'tool' on PATH other than sbx-exec's shims"
}

@test "shim installed by several directories on PATH skips every one of them" {
	install_shims tool
	run sbx --install-shims "$WORK/shims2" tool
	assert_status 0
	run timeout 30 env PATH=$WORK/shims2:$WORK/shims:$WORK/real:$BASE_PATH tool y
	assert_status 0
	assert_output_contains "[y]"
}

@test "shim works when the policy lets nothing but the target execute" {
	install_shims tool
	# The tool also tries to run another program; with reads (and so
	# executes) limited to its own directory plus the runtime (the system's
	# programs and libraries), a program elsewhere cannot start.
	mkdir -p "$WORK/elsewhere"
	printf '#!/bin/sh\nexit 0\n' >"$WORK/elsewhere/prog"
	chmod +x "$WORK/elsewhere/prog"
	export ELSEWHERE=$WORK/elsewhere/prog
	cat >real/tool <<-'EOF'
		#!/bin/sh
		echo started >"$OUT/started"
		"$ELSEWHERE" && echo ran-env >"$OUT/other"
		exit 0
	EOF
	export OUT=$WORK/out
	cd out
	SBX_READABLE=$WORK/real PATH=$WORK/shims:$WORK/real:$BASE_PATH run tool
	assert_status 0
	[ "$(cat "$OUT/started")" = started ]
	[ ! -e "$OUT/other" ]
	# Positive control: without the read scope the other program runs.
	PATH=$WORK/shims:$WORK/real:$BASE_PATH run tool
	assert_status 0
	[ "$(cat "$OUT/other")" = ran-env ]
}

@test "shim under --no-exec semantics: the target runs, or nothing runs while no-exec is unenforced" {
	install_shims tool
	export OUT=$WORK/out
	cat >real/tool <<-'EOF'
		#!/bin/sh
		echo started >"$OUT/started"
		/usr/bin/env true && echo ran-env >"$OUT/other"
		exit 0
	EOF
	SBX_NO_EXEC=1 PATH=$WORK/shims:$WORK/real:$BASE_PATH run tool
	if [ "$status" -eq 125 ]; then
		# This build cannot enforce proc.no_exec here: it must refuse to run
		# anything rather than run without it.
		assert_output_contains "proc.no_exec"
		[ ! -e out/started ]
	else
		assert_status 0
		[ "$(cat out/started)" = started ]
		[ ! -e out/other ]
	fi
}

@test "shim passes the sandboxed command's stdin and stdout through" {
	install_shims cat
	run bash -c "printf 'line1\nline2\n' | PATH='$WORK/shims:$BASE_PATH' cat"
	assert_status 0
	[ "$output" = "$(printf 'line1\nline2')" ]
}
