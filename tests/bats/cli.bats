#!/usr/bin/env bats
# The command line: help, version, caps, print, bad input, exit statuses.

load helpers

setup() {
	setup_workdir
}

# Options that sbx-exec must accept (CONTRACT.md's table).
contract_options="profile policy backend net write writable readable read-deny no-exec allow-temp
cpus memory pids env-deny env-allow mach-allow dir strict best-effort kernel-isolation
allow-socket timeout print json caps doctor help version"

@test "--help lists every option of the contract and exits 0" {
	run sbx --help
	assert_status 0
	for o in $contract_options; do
		assert_output_contains "--$o"
	done
	assert_output_contains "Usage: sbx-exec"
}

@test "--version names the version, the backends and the library versions" {
	run sbx --version
	assert_status 0
	assert_output_contains "sbx-exec 0."
	assert_output_contains "landlock gvisor docker-ephemeral docker-runsc-ephemeral seatbelt appcontainer"
	[[ $output =~ libseccomp\ [0-9]+\.[0-9]+\.[0-9]+ ]]
	[[ $output =~ libcap-ng\ [0-9]+\.[0-9]+ ]]
}

@test "--caps prints one row per capability with a portable column" {
	run sbx --caps
	assert_status 0
	for c in net.disable net.enable net.outbound fs.read.host fs.read.scope fs.read.deny \
		fs.write.deny fs.write.scope fs.write.ephemeral fs.write.protect fs.read.redact net.allowlist env.scrub proc.no_exec \
		kernel.isolation ipc.restrict mach.restrict res.cpu res.memory res.pids; do
		assert_output_contains "$c"
	done
	assert_output_contains "portable"
	[ "$(grep -cE '^(net|fs|env|proc|kernel|ipc|mach|res)\.' <<<"$output")" -eq 20 ]
}

@test "--caps --json and --doctor --json are well-formed JSON" {
	sbx --caps --json | "$PROBES/jsoncheck"
	sbx --doctor --json | "$PROBES/jsoncheck"
	run sbx --caps --json
	assert_output_contains '"name":"mach.restrict"'
	assert_output_contains '"portable":'
}

@test "--doctor reports the kernel, Landlock, namespaces, cgroups and backends" {
	run sbx --doctor
	assert_status 0
	for w in kernel: landlock: seccomp: "user namespaces:" cgroups: runsc: docker: landlock gvisor seatbelt; do
		assert_output_contains "$w"
	done
}

@test "--print shows the plan and runs nothing" {
	run sbx --print --write=scope --writable=. --read-deny= -- touch "$WORK/ran"
	assert_status 0
	assert_output_contains "backend:"
	assert_output_contains "argv:"
	assert_output_contains "sbx-shim"
	[ ! -e "$WORK/ran" ]
	sbx --print --json --write=scope --writable=. --read-deny= -- true | "$PROBES/jsoncheck"
}

@test "unknown options and missing values exit 125 with one line, and nothing runs" {
	for args in "--bogus" "--net" "--print=yes" "-x"; do
		run sbx $args -- touch "$WORK/ran"
		assert_status 125
		[[ ${lines[0]} == "sbx-exec: "* ]]
		[ "${#lines[@]}" -le 2 ]
	done
	[ ! -e "$WORK/ran" ]
}

@test "every invalid option value exits 125 and the command does not run" {
	for args in --net=sometimes --write=all --cpus=-1 --cpus=abc --memory=12q --pids=-4 \
		--pids=1.5 --timeout=soon --backend=chroot --no-exec=perhaps --profile=nosuch \
		--policy=colour=blue --policy=/nonexistent/policy --env-deny=[A- --writable=" " \
		--strict; do
		run sbx --write=scope --writable=. "$args" -- touch "$WORK/ran"
		if [ "$status" -ne 125 ]; then
			echo "$args gave status $status: $output" >&2
			return 1
		fi
		[[ ${lines[0]} == "sbx-exec: "* ]]
	done
	[ ! -e "$WORK/ran" ]
}

@test "invalid SBX_* variables and SBX_POLICY exit 125" {
	for var in SBX_NET=x SBX_CPUS=-2 SBX_POLICY=nosuchpolicy "SBX_POLICY=net=up" SBX_READ_DENY=/a::/b SBX_STRICT=maybe; do
		run env "$var" "$SBX_EXEC" -- touch "$WORK/ran"
		if [ "$status" -ne 125 ]; then
			echo "$var gave status $status: $output" >&2
			return 1
		fi
		[[ ${lines[0]} == "sbx-exec: "* ]]
	done
	[ ! -e "$WORK/ran" ]
}

@test "no command is a usage error" {
	run sbx --net=disable
	assert_status 125
	assert_output_contains "no command"
}

@test "layering: options beat SBX_* which beat SBX_POLICY which beats the profile" {
	run env SBX_POLICY="net=enable" "$SBX_EXEC" --profile=tight --print -- true
	assert_output_contains "net.enable"
	run env SBX_POLICY="net=enable" SBX_NET=outbound "$SBX_EXEC" --profile=tight --print -- true
	assert_output_contains "net.outbound"
	run env SBX_POLICY="net=enable" SBX_NET=outbound "$SBX_EXEC" --profile=tight --net=disable --print -- true
	assert_output_contains "net.disable"
	refute_output_contains "net.outbound"
}

@test "policy files and named policies from XDG_CONFIG_HOME" {
	mkdir -p "$WORK/cfg/sbx/policies"
	printf '# mine\nprofile = tight\nread-deny =\nnet = enable\n' >"$WORK/cfg/sbx/policies/mine.policy"
	run env XDG_CONFIG_HOME="$WORK/cfg" "$SBX_EXEC" --policy=mine --print -- true
	assert_status 0
	assert_output_contains "net.enable"
	assert_output_contains "fs.write.deny"
	run env SBX_POLICY="$WORK/cfg/sbx/policies/mine.policy" "$SBX_EXEC" --print -- true
	assert_output_contains "net.enable"
	printf 'net = enable\nwrite = sideways\n' >"$WORK/bad.policy"
	run sbx --policy="$WORK/bad.policy" -- true
	assert_status 125
	assert_output_contains "bad.policy:2:"
}

@test "an explicit backend that lacks a capability names it" {
	run sbx --backend=landlock --kernel-isolation --write=scope --writable=. --read-deny= -- true
	assert_status 125
	assert_output_contains "kernel.isolation"
}

@test "--print works for other OSes' backends too" {
	run sbx --print --backend=seatbelt --profile=tight -- true
	# Until the seatbelt compiler exists this must fail loudly, never print a fake plan.
	if [ "$status" -eq 0 ]; then
		assert_output_contains "backend:              seatbelt"
	else
		assert_status 125
	fi
}
