#!/usr/bin/env bats
# report.bats: --report lists at exit what the copy-on-write views threw
# away and what the sandbox refused; --keep-discarded=DIR keeps the thrown
# away files for review. Checked against the host: what is listed never
# reached it, what was written through is not listed, and DIR holds exactly
# the copies (links as links, never followed).

load helpers

setup() {
	requires landlock=1
	WORK=$(mktemp -d /var/tmp/sbx-report.XXXXXX)
	chmod 755 "$WORK"
	export HOME=$WORK/home
	mkdir -p "$HOME/proj" "$WORK/outside"
	echo host >"$WORK/outside/old"
	cd "$HOME/proj" || return 1
}

teardown() {
	cd /
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
}

@test "report: created, changed and deleted paths are listed, and none reached the host" {
	if ! have_userns; then
		# no views: nothing is discarded, and the report says why
		run sbx --write=scope --writable=. --report -- sh -c 'echo a > here'
		assert_status 0
		assert_output_contains "0 writes discarded (no copy-on-write views"
		return
	fi
	run sbx --report -- sh -c "echo n > '$WORK/outside/new'; echo c >> '$WORK/outside/old'; rm '$WORK/outside/old'; echo x > '$WORK/outside/x'; echo kept > here"
	assert_status 0
	assert_output_contains "created  $WORK/outside/new"
	assert_output_contains "deleted  $WORK/outside/old"
	assert_output_contains "created  $WORK/outside/x"
	refute_output_contains "$HOME/proj/here"
	# host side: nothing listed is there; the writable path's write is
	[ ! -e "$WORK/outside/new" ] && [ ! -e "$WORK/outside/x" ]
	[ "$(cat "$WORK/outside/old")" = host ]
	[ "$(cat here)" = kept ]
	# a change to an existing file is a copy-up: "changed"
	run sbx --report -- sh -c "echo more >> '$WORK/outside/old'"
	assert_output_contains "changed  $WORK/outside/old"
	[ "$(cat "$WORK/outside/old")" = host ]
	# without --report, nothing is printed (control)
	run sbx -- sh -c "echo n > '$WORK/outside/new'"
	refute_output_contains "report"
}

@test "report: --json is one well-formed JSON line with the same entries" {
	if ! have_userns; then
		run sbx --write=scope --writable=. --report --json -- true
		assert_status 0
		"$PROBES/jsoncheck" <<<"$output"
		return
	fi
	run sbx --report --json -- sh -c "echo n > '$WORK/outside/q\"uote'"
	assert_status 0
	"$PROBES/jsoncheck" <<<"$output"
	assert_output_contains '"path":"'"$WORK"'/outside/q\"uote","change":"created"'
	assert_output_contains '"discarded_total":1'
}

@test "report: refused unix-socket connects and execs are counted" {
	start_unix_listeners "$WORK/outside/s.sock"
	run sbx --profile=tight --report -- sh -c "'$PROBES/net' uconnect '$WORK/outside/s.sock'; '$PROBES/net' uconnect '$WORK/outside/s.sock'; true"
	stop_unix_listeners
	assert_output_contains "refused: 2 unix-socket connects"
	[ "$(cat "$WORK/l.0")" = "accepted 0" ]
	if have_userns; then
		run sbx --no-exec --report -- sh -c '/bin/true; /bin/true; echo done'
		assert_output_contains done
		assert_output_contains "0 unix-socket connects, 2 execs"
		# a protected name the command tried to make (it was not made)
		mkdir -p "$WORK/rp"
		cd "$WORK/rp"
		run sbx --write=scope --writable=. --write-deny=.envrc --report -- sh -c 'echo x > .envrc; mkdir .envrc; true'
		assert_output_contains "2 protected names made"
		[ ! -e "$WORK/rp/.envrc" ]
		run sbx --write=scope --writable=. --write-deny=.envrc --report --json -- sh -c 'echo x 2>/dev/null > .envrc; true'
		"$PROBES/jsoncheck" <<<"$output"
		assert_output_contains '"create":1'
	fi
}

@test "keep-discarded: the discarded files are copied to DIR, links as links, nothing else" {
	if ! have_userns; then
		run sbx --write=scope --writable=. --keep-discarded="$WORK/kept" -- true
		assert_status 0
		assert_output_contains "0 discarded files kept"
		return
	fi
	run sbx --keep-discarded="$WORK/kept" -- sh -c "mkdir -p '$WORK/outside/d/e'; echo deep > '$WORK/outside/d/e/f'; ln -s /etc/shadow '$WORK/outside/lnk'; echo mine > here"
	assert_status 0
	assert_output_contains "2 discarded files kept in $WORK/kept"
	[ "$(cat "$WORK/kept$WORK/outside/d/e/f")" = deep ]
	[ -L "$WORK/kept$WORK/outside/lnk" ]
	[ "$(readlink "$WORK/kept$WORK/outside/lnk")" = /etc/shadow ]
	[ ! -e "$WORK/kept$HOME/proj/here" ]
	[ ! -e "$WORK/outside/d" ]
	[ "$(find "$WORK/kept" -type f | wc -l)" -eq 1 ]
	# a DIR that is not empty is refused before anything runs
	run sbx --keep-discarded="$WORK/kept" -- touch ran
	assert_status 125
	assert_output_contains "not empty"
	[ ! -e ran ]
	# a DIR the sandbox writes into during the run gets nothing of ours
	run sbx --keep-discarded="$HOME/proj/k" -- sh -c "mkdir -p k && echo planted > k/p; echo z > '$WORK/outside/z'"
	assert_output_contains "no longer empty"
	[ "$(cat k/p)" = planted ]
	[ ! -e "k$WORK/outside/z" ]
}

@test "report: refused where it cannot be made" {
	run sbx --backend=gvisor --report -- touch ran
	assert_status 125
	assert_output_contains "landlock backend's supervisor"
	[ ! -e ran ]
	if have_userns; then
		run sbx --write=scope --writable=. -- env ASAN_OPTIONS=detect_leaks=0 "$SBX_EXEC" --write=scope --writable=. --report -- touch ran
		assert_status 125
		assert_output_contains "cannot be made inside"
		[ ! -e ran ]
	fi
	# the policy key and the environment twin
	run env SBX_REPORT=1 "$SBX_EXEC" --write=scope --writable=. --print -- true
	assert_output_contains "--report"
	run env SBX_POLICY="keep-discarded = $WORK/kd" "$SBX_EXEC" --write=scope --writable=. --print -- true
	assert_output_contains "--keep-discarded $WORK/kd"
}
