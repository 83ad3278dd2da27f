#!/usr/bin/env bats
# redact.bats: --redact=FILE shows an INI-style config file with its
# credential entries removed. The secret never reaches the command's
# output, the rest of the file does, the copy is read-only, and the host's
# file is unchanged. What cannot hold it refuses with 125.

load helpers

setup() {
	requires landlock=1
	WORK=$(mktemp -d /var/tmp/sbx-redact.XXXXXX)
	chmod 755 "$WORK"
	export HOME=$WORK/home
	P=$HOME/proj
	mkdir -p "$P" "$HOME/.aws"
	printf 'registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=NPMSECRET-%s\nemail=me@example.com\n' $$ >"$HOME/.npmrc"
	printf '[pypi]\nusername = __token__\npassword = PYPISECRET-%s\n' $$ >"$P/.pypirc"
	printf '[default]\naws_secret_access_key = AWSSECRET-%s\nregion = eu-west-1\n' $$ >"$HOME/.aws/credentials"
	chmod 600 "$HOME/.npmrc"
	cd "$P" || return 1
}

teardown() {
	cd /
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
}

@test "redact: the default profile shows ~/.npmrc without its token, read-only" {
	if ! have_userns; then
		refused_without_userns --redact="$HOME/.npmrc"
		# and the profile, which cannot redact here, hides it whole
		run sbx --write=scope --writable=. -- cat "$HOME/.npmrc"
		[ "$status" -ne 0 ]
		refute_output_contains "NPMSECRET-$$"
		refute_output_contains "registry="
		return
	fi
	local before
	before=$(sha256sum "$HOME/.npmrc")
	# --redact= clears the profile's redactions: then its denial hides it
	run sbx --redact= -- cat "$HOME/.npmrc"
	[ "$status" -ne 0 ]
	refute_output_contains "NPMSECRET-$$"
	refute_output_contains "registry="
	# the profile alone: shown redacted (and asked for explicitly, the same)
	run sbx -- cat "$HOME/.npmrc"
	assert_status 0
	assert_output_contains "registry=https://registry.npmjs.org/"
	refute_output_contains "NPMSECRET-$$"
	run sbx --redact=~/.npmrc -- sh -c 'cat ~/.npmrc; echo x >> ~/.npmrc; echo "append $?"; stat -c %a ~/.npmrc'
	assert_output_contains "registry=https://registry.npmjs.org/"
	assert_output_contains "email=me@example.com"
	assert_output_contains "# sbx: 1 credential entry removed"
	refute_output_contains "NPMSECRET-$$"
	refute_output_contains "append 0"
	assert_output_contains "600"
	[ "$(sha256sum "$HOME/.npmrc")" = "$before" ]
}

@test "redact: the default profile shows ~/.docker/config.json without auths or credHelpers, and nothing else of ~/.docker" {
	mkdir -p "$HOME/.docker/contexts/meta"
	printf '{\n  "auths": {"https://index.docker.io/v1/": {"auth": "DOCKERSECRET-%s"}},\n  "credHelpers": {"gcr.io": "HELPERSECRET-%s"},\n  "currentContext": "ctx-%s",\n  "proxies": {"default": {"httpProxy": "http://u:PROXYSECRET-%s@proxy:3128", "noProxy": "localhost"}}\n}\n' $$ $$ $$ $$ >"$HOME/.docker/config.json"
	echo "CONTEXTSECRET-$$" >"$HOME/.docker/contexts/meta/x"
	local before
	before=$(sha256sum "$HOME/.docker/config.json")
	# the command copies what it can read into the project; checked on the
	# host (without user namespaces the default write mode cannot run: a scope)
	local mode=()
	have_userns || mode=(--write=scope --writable=.)
	run sbx "${mode[@]}" -- sh -c 'cat ~/.docker/config.json > seen 2>&1; cat ~/.docker/contexts/meta/x >> seen 2>&1; ls -a ~/.docker >> seen 2>&1; echo x >> ~/.docker/config.json; echo "append $?" >> seen; echo y > ~/.docker/new; echo "create $?" >> seen'
	[ -f "$P/seen" ]
	grep -q "DOCKERSECRET-$$" "$HOME/.docker/config.json" # the host's file holds it (the control)
	for s in DOCKERSECRET HELPERSECRET PROXYSECRET CONTEXTSECRET; do
		! grep -q "$s-$$" "$P/seen" || false
	done
	! grep -q "append 0" "$P/seen" || false
	! grep -q "create 0" "$P/seen" || false
	[ ! -e "$HOME/.docker/new" ]
	[ "$(sha256sum "$HOME/.docker/config.json")" = "$before" ]
	if ! have_userns; then
		# nothing can be bound here: the whole directory stays hidden
		! grep -q "ctx-$$" "$P/seen" || false
		return
	fi
	grep -q "\"currentContext\":\"ctx-$$\"" "$P/seen"
	grep -q '"noProxy":"localhost"' "$P/seen"
	! grep -qx contexts "$P/seen" || false # only the file shows (a listed name, not the cat error naming it)
	run sbx --print -- true
	assert_output_contains "--redact $HOME/.docker/config.json"
}

@test "redact: a project file in a writable path, and under a read scope" {
	if ! have_userns; then
		refused_without_userns --redact=.pypirc
		return
	fi
	run sbx --write=scope --writable=. --redact=.pypirc -- sh -c 'cat .pypirc; echo x > .pypirc; echo "write $?"; echo ok > other; cat other'
	assert_output_contains "username = __token__"
	refute_output_contains "PYPISECRET-$$"
	refute_output_contains "write 0"
	assert_output_contains ok
	grep -q "PYPISECRET-$$" "$P/.pypirc"
	[ "$(cat "$P/other")" = ok ]
	# a read scope that leaves it out still shows the redacted copy
	mkdir "$WORK/empty"
	run sbx --readable="$WORK/empty" --redact=.pypirc -- cat "$P/.pypirc"
	assert_status 0
	assert_output_contains "username = __token__"
	refute_output_contains "PYPISECRET-$$"
}

@test "redact: inside a denied directory it shows alone, the rest stays hidden; elsewhere refused" {
	echo "AWSCONFIG-$$" >"$HOME/.aws/config"
	if ! have_userns; then
		refused_without_userns --read-deny= --redact=~/.aws/credentials
		return
	fi
	run sbx --redact=~/.aws/credentials -- sh -c 'cat ~/.aws/credentials; cat ~/.aws/config'
	assert_output_contains "region = eu-west-1"
	refute_output_contains "AWSSECRET-$$"
	refute_output_contains "AWSCONFIG-$$" # the rest of ~/.aws: still hidden
	grep -q "AWSCONFIG-$$" "$HOME/.aws/config"
	# a backend that cannot keep a hole in its mask refuses, runs nothing
	run sbx --backend=seatbelt --print --redact=~/.aws/credentials -- touch "$P/ran"
	assert_status 125
	assert_output_contains "lies inside the denied path $HOME/.aws"
	[ ! -e "$P/ran" ]
	run sbx --read-deny= --read-deny=~/.ssh --redact=~/.aws/credentials -- cat "$HOME/.aws/credentials"
	assert_status 0
	assert_output_contains "region = eu-west-1"
	refute_output_contains "AWSSECRET-$$"
}

@test "redact: what cannot be shown, or cannot hold it, exits 125 and runs nothing" {
	run sbx --redact=missing -- touch "$P/ran"
	assert_status 125
	run sbx --redact="$HOME" -- touch "$P/ran"
	assert_status 125
	if have_userns; then assert_output_contains "not a regular file"; fi
	run sbx --backend=gvisor --redact=.pypirc -- touch "$P/ran"
	assert_status 125
	assert_output_contains "fs.read.redact"
	run "$PROBES/deny" userns -- "$SBX_EXEC" --write=scope --writable=. --redact=.pypirc -- touch "$P/ran"
	assert_status 125
	assert_output_contains "fs.read.redact"
	[ ! -e "$P/ran" ]
	if have_userns; then
		run sbx --write=scope --writable=. -- env ASAN_OPTIONS=detect_leaks=0 "$SBX_EXEC" --write=scope --writable=. --redact=.pypirc -- touch "$P/ran"
		assert_status 125
		assert_output_contains "--redact cannot be held inside"
		[ ! -e "$P/ran" ]
	fi
	# the policy key and the environment twin
	if have_userns; then
		run env SBX_REDACT="$P/.pypirc" "$SBX_EXEC" --print -- true
		assert_output_contains "--redact $P/.pypirc"
		run env SBX_POLICY="redact = .pypirc" "$SBX_EXEC" --print -- true
		assert_output_contains "--redact $P/.pypirc"
	fi
}
