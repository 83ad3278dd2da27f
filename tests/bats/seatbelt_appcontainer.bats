#!/usr/bin/env bats
# The seatbelt (macOS) and appcontainer (Windows) backends from the command
# line on a host of another OS: --print shows the whole plan; running it
# fails closed with 125 and runs nothing.

load helpers

setup() {
	setup_workdir
	export HOME=$WORK/home TMPDIR=$WORK/tmp
	mkdir -p "$HOME" "$TMPDIR"
	unset SBX_SANDBOX_EXEC
	# The working directory as the Mac would name it (/tmp is /private/tmp).
	MACWORK=$(pwd -P)
	case $MACWORK in /tmp/* | /var/* | /etc/*) MACWORK=/private$MACWORK ;; esac
}

@test "seatbelt: --print shows the profile and the sandbox-exec argv" {
	run sbx --print --backend=seatbelt --net=disable --write=scope --writable=out -- /bin/echo hi
	assert_status 0
	assert_output_contains "backend:              seatbelt"
	assert_output_contains "(version 1)"
	assert_output_contains "(deny network*)"
	assert_output_contains "(deny file-write*)"
	assert_output_contains "(subpath \"$MACWORK/out\")"
	# the profile argument is quoted on the argv's one line ($'...')
	assert_output_contains "/usr/bin/sandbox-exec -p \$'(version 1)\\x0a"
	assert_output_contains "' -- /bin/echo hi"
}

@test "seatbelt: --print --json carries the profile" {
	run sbx --print --json --backend=seatbelt --best-effort -- /bin/true
	assert_status 0
	assert_output_contains '"backend":"seatbelt"'
	assert_output_contains '"profile":"(version 1)\n'
}

@test "seatbelt: /tmp paths are compiled as macOS resolves them" {
	run sbx --print --backend=seatbelt --best-effort --write=scope --writable=/tmp/sbx-x -- /bin/true
	assert_status 0
	assert_output_contains '(subpath "/private/tmp/sbx-x")'
	refute_output_contains '(subpath "/tmp/sbx-x")'
}

@test "seatbelt: a quote in a path is escaped, not a new rule" {
	run sbx --print --backend=seatbelt --best-effort --write=scope "--writable=$WORK/a\")(allow default)(\"" -- /bin/true
	assert_status 0
	assert_output_contains "(subpath \"$MACWORK/a\\\")(allow default)(\\\"\")"
	[ "$(grep -c '^(allow default)$' <<<"$output")" -eq 1 ] # the profile; the argv is one line
}

@test "seatbelt: SBX_SANDBOX_EXEC overrides the sandbox-exec path" {
	SBX_SANDBOX_EXEC=/opt/sb/sandbox-exec run sbx --print --backend=seatbelt --best-effort -- /bin/true
	assert_status 0
	assert_output_contains "  /opt/sb/sandbox-exec -p "
}

@test "seatbelt: running it off macOS exits 125 and runs nothing" {
	[ "$(uname -s)" != Darwin ] || skip "this host is macOS"
	run sbx --backend=seatbelt --best-effort -- /bin/sh -c "touch '$WORK/ran'"
	assert_status 125
	assert_output_contains "cannot run: the seatbelt backend runs on macOS only"
	[ ! -e "$WORK/ran" ]
}

@test "appcontainer: --print shows grants, capabilities and job limits" {
	run sbx --print --backend=appcontainer --best-effort --net=outbound --memory=256m --pids=20 --cpus=0.5 --no-exec -- make all
	assert_status 0
	assert_output_contains "capability internetClient S-1-15-3-1"
	assert_output_contains "grant read $(pwd -P)"
	assert_output_contains "job memory 268435456"
	assert_output_contains "job processes 20"
	assert_output_contains "job cpu 0.5"
	assert_output_contains "child-process restricted"
	assert_output_contains "lpac"
}

@test "appcontainer: the agent profile needs --best-effort, and says why" {
	run sbx --print --backend=appcontainer -- make
	assert_status 125
	assert_output_contains "fs.read.deny"
	assert_output_contains "fs.read.host"
	assert_output_contains "--best-effort"
}

@test "appcontainer: running it off Windows exits 125 and runs nothing" {
	run sbx --backend=appcontainer --best-effort -- /bin/sh -c "touch '$WORK/ran'"
	assert_status 125
	assert_output_contains "cannot run: the appcontainer backend runs on Windows only"
	[ ! -e "$WORK/ran" ]
}

@test "seatbelt: --allow-host opens one loopback port, sbx-exec's proxy's, and the plan says so" {
	run sbx --print --backend=seatbelt --allow-host=registry.npmjs.org --allow-localhost=5432 -- npm install
	assert_status 0
	assert_output_contains "(deny network*)"
	assert_output_contains '(remote ip "localhost:@SBX_PROXY_PORT@")'
	assert_output_contains '(remote ip "localhost:5432")'
	assert_output_contains "proxy:                sbx-exec serves the allowlist proxy on 127.0.0.1"
	assert_output_contains "connecting only to registry.npmjs.org"
	run sbx --print --json --backend=seatbelt --allow-host=registry.npmjs.org -- npm install
	assert_status 0
	assert_output_contains '"proxy":{"port_token":"@SBX_PROXY_PORT@","hosts":["registry.npmjs.org"]}'
	# where nothing would hold it, it is refused, with the reason
	run sbx --print --backend=appcontainer --allow-host=registry.npmjs.org -- npm install
	assert_status 125
	assert_output_contains "never one local port"
}
