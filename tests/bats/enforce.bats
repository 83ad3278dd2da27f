#!/usr/bin/env bats
# Real enforcement on the landlock backend, checked from the host side,
# each with a positive control.

load helpers

# Policy options the tests build on: scoped writes, nothing else implicit.
SCOPE=(--backend=landlock --read-deny= --allow-temp=false --write=scope --writable=)

setup() {
	requires landlock=1
	setup_workdir
	mkdir -p "$WORK/out" "$WORK/other"
}

@test "write=scope: the writable path is written, anything else is not" {
	run sbx "${SCOPE[@]}" --writable="$WORK/out" -- sh -c "echo yes > '$WORK/out/a'; echo no > '$WORK/other/b'"
	[ "$(cat "$WORK/out/a")" = yes ]
	[ ! -e "$WORK/other/b" ]
	# Landlock's EACCES, or EROFS from the read-only host mounts
	[[ $output == *"Permission denied"* || $output == *"Read-only file system"* ]]
}

@test "write=scope: no mkdir, rename, unlink, symlink or truncate outside" {
	echo keep >"$WORK/other/f"
	sbx "${SCOPE[@]}" --writable="$WORK/out" -- sh -c "
		mkdir '$WORK/other/d'; mv '$WORK/other/f' '$WORK/out/f'; rm -f '$WORK/other/f'
		ln -s /etc/passwd '$WORK/other/l'; : > '$WORK/other/f'; true" || true
	[ ! -e "$WORK/other/d" ]
	[ ! -L "$WORK/other/l" ]
	[ "$(cat "$WORK/other/f")" = keep ]
	# mv may copy the readable file into the writable path (a legal write
	# there) when the rename is refused; the original must stay
	[ ! -e "$WORK/out/f" ] || [ "$(cat "$WORK/out/f")" = keep ]
	# positive control: the same operations inside the writable path work
	sbx "${SCOPE[@]}" --writable="$WORK/out" -- sh -c "
		mkdir '$WORK/out/d' && echo x > '$WORK/out/x' && mv '$WORK/out/x' '$WORK/out/d/y' &&
		ln -s y '$WORK/out/d/l' && : > '$WORK/out/d/y' && rm '$WORK/out/d/l'"
	[ -f "$WORK/out/d/y" ] && [ ! -s "$WORK/out/d/y" ]
}

@test "write=none: nothing is written but /dev/null works" {
	run sbx --backend=landlock --read-deny= --write=none -- sh -c "echo x > /dev/null && echo devnull-ok; echo no > '$WORK/out/n'"
	assert_output_contains devnull-ok
	[ ! -e "$WORK/out/n" ]
}

@test "allow-temp adds the temp dir to the writable paths" {
	mkdir "$WORK/tmp"
	run env TMPDIR="$WORK/tmp" "$SBX_EXEC" "${SCOPE[@]}" --writable="$WORK/out" --allow-temp -- sh -c 'echo t > "$TMPDIR/t"'
	assert_status 0
	[ -f "$WORK/tmp/t" ]
	run env TMPDIR="$WORK/tmp" "$SBX_EXEC" "${SCOPE[@]}" --writable="$WORK/out" -- sh -c 'echo t > "$TMPDIR/u"'
	[ ! -e "$WORK/tmp/u" ]
}

@test "relative writable paths resolve against --dir" {
	run sbx "${SCOPE[@]}" --dir="$WORK/out" --writable=. -- sh -c 'echo here > ./h; pwd'
	assert_status 0
	assert_output_contains "$WORK/out"
	[ -f "$WORK/out/h" ]
}

@test "read scope: only readable paths and the runtime can be read" {
	echo secret >"$WORK/other/s"
	echo public >"$WORK/out/p"
	run sbx --backend=landlock --read-deny= --write=none --readable="$WORK/out" --dir="$WORK/out" -- /bin/cat "$WORK/out/p"
	assert_status 0
	assert_output_contains public
	run sbx --backend=landlock --read-deny= --write=none --readable="$WORK/out" --dir="$WORK/out" -- /bin/cat "$WORK/other/s"
	[ "$status" -ne 0 ]
	refute_output_contains secret
	run sbx --backend=landlock --read-deny= --write=none --readable="$WORK/out" --dir="$WORK/out" --print -- /bin/cat x
	assert_output_contains "runtime paths:"
}

@test "net=disable: no TCP to a host listener, no inet sockets; enable connects" {
	mkfifo "$WORK/ready" "$WORK/ctl"
	"$PROBES/net" listen "$WORK/ready" "$WORK/ctl" >"$WORK/result" 3>&- &
	local pid=$!
	port=$(timeout 20 head -n1 "$WORK/ready")
	exec 4>"$WORK/ctl"
	run sbx --backend=landlock --read-deny= --write=none --net=disable -- "$PROBES/net" connect 127.0.0.1 "$port"
	[ "$status" -ne 0 ]
	run sbx --backend=landlock --read-deny= --write=none --net=disable -- "$PROBES/net" socket inet
	[ "$status" -ne 0 ]
	run sbx --backend=landlock --read-deny= --write=none --net=disable -- "$PROBES/net" socket inet6
	[ "$status" -ne 0 ]
	run sbx --backend=landlock --read-deny= --write=none --net=disable -- "$PROBES/net" socket unix
	assert_status 0
	# positive control: with the network enabled the same connect arrives
	run sbx --backend=landlock --read-deny= --write=none --net=enable -- "$PROBES/net" connect 127.0.0.1 "$port"
	assert_status 0
	exec 4>&-
	wait "$pid"
	[ "$(cat "$WORK/result")" = "accepted 1" ]
}

@test "net=outbound: connects out, cannot listen, bind or autobind" {
	mkfifo "$WORK/ready" "$WORK/ctl"
	"$PROBES/net" listen "$WORK/ready" "$WORK/ctl" >"$WORK/result" 3>&- &
	local pid=$!
	port=$(timeout 20 head -n1 "$WORK/ready")
	exec 4>"$WORK/ctl"
	run sbx --backend=landlock --read-deny= --write=none --net=outbound -- "$PROBES/net" connect 127.0.0.1 "$port"
	assert_status 0
	exec 4>&-
	wait "$pid"
	[ "$(cat "$WORK/result")" = "accepted 1" ]
	run sbx --backend=landlock --read-deny= --write=none --net=outbound -- "$PROBES/net" autolisten
	[ "$status" -ne 0 ]
	assert_output_contains "listen: Permission denied"
	run sbx --backend=landlock --read-deny= --write=none --net=outbound -- "$PROBES/net" bind 0
	[ "$status" -ne 0 ]
	# positive control: outside the sandbox the probe listens
	run "$PROBES/net" autolisten
	assert_status 0
}

@test "the environment is scrubbed and SBX_SANDBOX is set" {
	run env GITHUB_TOKEN=ghp_secret MY_API_KEY=k KEEP_ME=1 "$SBX_EXEC" "${SCOPE[@]}" --writable=. \
		--env-deny='*_TOKEN' --env-deny='*_KEY' -- sh -c 'env'
	assert_status 0
	assert_output_contains "KEEP_ME=1"
	assert_output_contains "SBX_SANDBOX=landlock"
	refute_output_contains ghp_secret
	refute_output_contains MY_API_KEY
	# the built-in profile's names: PGPASSWORD and MYSQL_PWD too, and
	# nothing that merely looks alike (OLDPWD, *_PASSENV)
	run env PGPASSWORD=pg-secret MYSQL_PWD=my-secret DB_PASSWORD=db-secret OLDPWD=/old \
		TOX_PASSENV=keep "$SBX_EXEC" --profile=tight -- /usr/bin/env
	assert_status 0
	refute_output_contains secret
	assert_output_contains "OLDPWD=/old"
	assert_output_contains "TOX_PASSENV=keep"
	run env A_ONE=1 B_TWO=2 "$SBX_EXEC" "${SCOPE[@]}" --writable=. --env-deny= --env-allow='A_*' --env-allow=PATH -- /usr/bin/env
	assert_output_contains "A_ONE=1"
	refute_output_contains "B_TWO"
}

@test "capabilities are gone and no_new_privs is set; root keeps only its file capabilities" {
	run sbx "${SCOPE[@]}" --writable=. -- grep -E '^(CapEff|CapPrm|CapInh|CapBnd|CapAmb|NoNewPrivs)' /proc/self/status
	assert_status 0
	assert_output_contains "NoNewPrivs:	1"
	if [ "$(id -u)" = 0 ] && have_userns; then
		# CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID: namespaced,
		# so root keeps its access to other users' files in writable paths
		for f in CapEff CapPrm CapBnd CapAmb; do
			grep -q "$f:	000000000000001f" <<<"$output"
		done
	elif [ "$(id -u)" = 0 ]; then
		# without a user namespace: DAC_OVERRIDE alone
		for f in CapEff CapPrm CapBnd CapAmb; do
			grep -q "$f:	0000000000000002" <<<"$output"
		done
	else
		[ "$(grep -c '0000000000000000' <<<"$output")" -ge 3 ]
		grep -q 'CapEff:	0000000000000000' <<<"$output"
		# in its own user namespace it held every capability: the bounding
		# set is emptied too (without one it had none to use)
		if have_userns; then
			grep -q 'CapBnd:	0000000000000000' <<<"$output"
		fi
	fi
}

@test "net=outbound: a unix socket can still listen and serve inside; TCP cannot" {
	requires seccomp_notify
	mkfifo "$WORK/out/ready" "$WORK/out/ctl"
	run sbx "${SCOPE[@]}" --writable="$WORK/out" --net=outbound --no-exec=false -- sh -c "
		'$PROBES/net' ulisten '$WORK/out/u.sock' '$WORK/out/ready' '$WORK/out/ctl' > '$WORK/out/served' &
		head -n1 '$WORK/out/ready' >/dev/null; exec 4>'$WORK/out/ctl'
		'$PROBES/net' uconnect '$WORK/out/u.sock'; exec 4>&-; wait
		'$PROBES/net' autolisten"
	assert_output_contains connected
	assert_output_contains "listen: Permission denied"
	[ "$(cat "$WORK/out/served")" = "accepted 1" ]
	# with no-exec too, both kinds of notification share the supervisor
	run sbx "${SCOPE[@]}" --writable="$WORK/out" --net=outbound --no-exec -- "$PROBES/net" autolisten
	assert_output_contains "listen: Permission denied"
	run sbx "${SCOPE[@]}" --writable="$WORK/out" --net=outbound --print -- true
	assert_output_contains "except on unix sockets"
}
