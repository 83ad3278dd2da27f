# helpers.bash: shared setup for the bats suites.
# The binary under test is $SBX_EXEC (default: the build tree's sbx-exec).

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BUILD=${SBX_BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SBX_EXEC=${SBX_EXEC:-$BUILD/sbx-exec}
PROBES=$BUILD/probes
export SBX_EXEC PROBES BUILD ROOT

# Keep the caller's policy out of the tests.
unset SBX_POLICY SBX_PROFILE SBX_BACKEND SBX_NET SBX_WRITE SBX_WRITABLE SBX_READABLE \
	SBX_READ_DENY SBX_NO_EXEC SBX_ALLOW_TEMP SBX_STRICT SBX_CPUS SBX_MEMORY SBX_PIDS \
	SBX_ENV_DENY SBX_ENV_ALLOW SBX_MACH_ALLOW SBX_DIR SBX_TIMEOUT SBX_BEST_EFFORT \
	SBX_KERNEL_ISOLATION SBX_ALLOW_SOCKET SBX_SANDBOX

sbx() {
	"$SBX_EXEC" "$@"
}

# A skipped test is a failure when SBX_TESTS_MUST_WORK=1 (CI).
skip_or_fail() {
	if [ "${SBX_TESTS_MUST_WORK:-0}" = 1 ]; then
		echo "SBX_TESTS_MUST_WORK=1 and this test cannot run: $1" >&2
		return 1
	fi
	skip "$1"
}

host_json() {
	[ -n "${HOST_JSON:-}" ] || HOST_JSON=$("$SBX_EXEC" --doctor --json)
	printf '%s' "$HOST_JSON"
}

# requires KEY...: each key a host feature the test needs. Unknown keys fail.
requires() {
	local req have
	for req in "$@"; do
		case $req in
		landlock=*)
			have=$(host_json | grep -o '"landlock_abi":[0-9]*' | cut -d: -f2)
			[ "${have:-0}" -ge "${req#*=}" ] || skip_or_fail "needs Landlock ABI ${req#*=} (have ${have:-0})" || return 1
			;;
		userns)
			host_json | grep -q '"user_namespaces":true' || skip_or_fail "needs unprivileged user namespaces" || return 1
			;;
		seccomp_notify)
			host_json | grep -q '"seccomp_user_notify":true' || skip_or_fail "needs seccomp user notification" || return 1
			;;
		cgroup)
			host_json | grep -q '"cgroup_writable":true' || skip_or_fail "needs a writable cgroup subtree" || return 1
			;;
		root)
			[ "$(id -u)" = 0 ] || skip_or_fail "needs root" || return 1
			;;
		nonroot)
			[ "$(id -u)" != 0 ] || skip_or_fail "needs an unprivileged user" || return 1
			;;
		runsc)
			command -v "${SBX_RUNSC:-runsc}" >/dev/null || skip_or_fail "needs runsc" || return 1
			;;
		docker)
			docker info >/dev/null 2>&1 || skip_or_fail "needs a running Docker engine" || return 1
			;;
		make)
			command -v make >/dev/null || skip_or_fail "needs GNU make" || return 1
			;;
		python3)
			command -v python3 >/dev/null || skip_or_fail "needs python3" || return 1
			;;
		*)
			echo "requires: unknown key '$req'" >&2
			return 1
			;;
		esac
	done
}

# Each test gets a private working directory.
setup_workdir() {
	WORK=$(mktemp -d "${BATS_TEST_TMPDIR:-${TMPDIR:-/tmp}}/sbx.XXXXXX")
	cd "$WORK" || return 1
}

assert_status() {
	if [ "$status" -ne "$1" ]; then
		echo "expected status $1, got $status; output:" >&2
		printf '%s\n' "$output" >&2
		return 1
	fi
}

assert_output_contains() {
	if [[ $output != *"$1"* ]]; then
		echo "expected output to contain '$1'; output:" >&2
		printf '%s\n' "$output" >&2
		return 1
	fi
}

refute_output_contains() {
	if [[ $output == *"$1"* ]]; then
		echo "expected output not to contain '$1'; output:" >&2
		printf '%s\n' "$output" >&2
		return 1
	fi
}

# True when this host (as sbx-exec probes it, wrappers included) gives the
# landlock backend user namespaces; tests branch on it and check the honest
# refusal when it does not.
have_userns() {
	host_json | grep -q '"user_namespaces":true'
}

# Without user namespaces (make check-nouserns), a test of what needs them
# checks the honest refusal instead: refused_without_userns ARGS... runs
# sbx-exec ARGS -- touch a marker, and asserts 125, a message naming user
# namespaces, and that the marker was not made. Use it as
#   if ! have_userns; then refused_without_userns ARGS...; return; fi
refused_without_userns() {
	local marker=$WORK/ran-without-userns
	rm -f "$marker"
	run "$SBX_EXEC" "$@" -- touch "$marker"
	assert_status 125
	assert_output_contains "user namespaces"
	[ ! -e "$marker" ]
}

# True when sbx-exec's probe says backend NAME can run here.
backend_available() {
	host_json | grep -q "\"$1\":{\"available\":true"
}

have_cgroup() {
	host_json | grep -q '"cgroup_writable":true'
}

# Runs a host-side listener on a fifo protocol (see tests/probes/net.c):
# start_listener KIND ADDR; stop_listener sets LISTENED to "accepted N"
# (call it directly, not in $(...), so the control fifo really closes).
start_listener() {
	rm -f "$WORK/ready" "$WORK/ctl"
	mkfifo "$WORK/ready" "$WORK/ctl"
	"$PROBES/net" "$1" "$2" "$WORK/ready" "$WORK/ctl" >"$WORK/listener" 3>&- &
	LISTENER=$!
	LISTENER_READY=$(timeout 20 head -n1 "$WORK/ready") || {
		echo "listener did not start: $(cat "$WORK/listener")" >&2
		return 1
	}
	exec 4>"$WORK/ctl"
}

stop_listener() {
	exec 4>&-
	wait "$LISTENER"
	LISTENED=$(cat "$WORK/listener")
}

# A host listener per socket path, each printing "accepted N" to $WORK/l.N
# when stopped. Each control fifo is held open by a sleeping writer, so no
# descriptor games with bats.
start_unix_listeners() {
	local i=0
	LPIDS=()
	HOLDERS=()
	for p in "$@"; do
		rm -f "$WORK/r.$i" "$WORK/c.$i"
		mkfifo "$WORK/r.$i" "$WORK/c.$i"
		"$PROBES/net" ulisten "$p" "$WORK/r.$i" "$WORK/c.$i" >"$WORK/l.$i" 3>&- &
		LPIDS+=($!)
		# (a listener that dies before opening the FIFO must not hang the suite)
		timeout 20 head -n1 "$WORK/r.$i" >/dev/null || {
			echo "listener on $p did not start: $(cat "$WORK/l.$i")" >&2
			return 1
		}
		sleep 600 >"$WORK/c.$i" 3>&- &
		HOLDERS+=($!)
		i=$((i + 1))
	done
}

stop_unix_listeners() {
	kill "${HOLDERS[@]}"
	wait "${LPIDS[@]}"
}

# nesting_limit_wrapper FILE: writes a script that runs its arguments at the
# kernel's nesting limit of user namespaces (nested with unshare -Ur until
# one more is refused, EUSERS), where every sysctl still allows them: the
# sandbox's own clone of a user namespace is refused there, not the probe's
# settings. Needs unprivileged user namespaces.
nesting_limit_wrapper() {
	cat >"$1" <<-'EOF'
		if unshare -U true 2>/dev/null; then
			[ "${DEPTH:-0}" -lt 40 ] || exit 98
			DEPTH=$((${DEPTH:-0} + 1)) exec unshare -Ur sh "$0" "$@"
		fi
		exec "$@"
	EOF
}
