# containers.bash: helpers shared by gvisor.bats and docker.bats.

# Each test's scratch (bundles, seccomp profiles, runsc state) lands in a
# private TMPDIR, so leftovers are visible.
setup_containers() {
	setup_workdir
	# runsc's sandbox (as root) must reach the bundle through TMPDIR
	chmod 755 "$WORK"
	export TMPDIR=$WORK/.tmp
	mkdir -p "$TMPDIR"
	PORT=$((20000 + RANDOM % 20000))
	CGROUPS_BEFORE=$(sbx_cgroups)
}

# runsc names a container's cgroups after its id (sbx-PID-RANDOM).
sbx_cgroups() {
	find /sys/fs/cgroup -maxdepth 2 -type d -name 'sbx-*' 2>/dev/null | sort
}

# Nothing may stay behind: no bundle or state directory, no sandbox process
# (runsc's processes carry the private TMPDIR in their command lines), no
# container named by sbx.
assert_no_leftovers() {
	local left
	left=$(ls -A "$TMPDIR" 2>/dev/null)
	if [ -n "$left" ]; then
		echo "left behind in $TMPDIR: $left" >&2
		return 1
	fi
	# Only cgroups this test added count (another run on the same engine
	# may come and go), and a teardown finishing asynchronously gets a
	# moment.
	local new i
	for i in $(seq 40); do
		new=$(comm -13 <(printf '%s\n' "$CGROUPS_BEFORE") <(sbx_cgroups))
		[ -z "$new" ] && break
		sleep 0.05
	done
	if [ -n "$new" ]; then
		echo "cgroups left behind:" >&2
		printf '%s\n' "$new" >&2
		return 1
	fi
	if pgrep -f -- "$TMPDIR/" >/dev/null; then
		echo "processes still running:" >&2
		pgrep -af -- "$TMPDIR/" >&2
		return 1
	fi
	if [ -n "${DOCKER_UP:-}" ] && docker ps -a --format '{{.Names}}' | grep -q '^sbx-'; then
		echo "containers left:" >&2
		docker ps -a >&2
		return 1
	fi
}

# Starts a host-side listener (ctr_net serve/userve) in the background and
# waits until it listens. Sets LISTENER to its pid.
start_listener() {
	"$PROBES/ctr_net" "$@" >"$WORK/listener.out" 2>&1 &
	LISTENER=$!
	local i
	for i in $(seq 1 100); do
		grep -q listening "$WORK/listener.out" 2>/dev/null && return 0
		kill -0 "$LISTENER" 2>/dev/null || break
		sleep 0.1
	done
	echo "listener did not start: $(cat "$WORK/listener.out")" >&2
	return 1
}

stop_listener() {
	kill "$LISTENER" 2>/dev/null || true
	wait "$LISTENER" 2>/dev/null || true
}

# Waits (bounded) until a file exists.
wait_for_file() {
	local i
	for i in $(seq 1 200); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# docker_state: DOCKER_UP=1 when the engine answers. Without the docker
# client at all, or as root without an engine, the test skips with the
# reason (and fails under SBX_TESTS_MUST_WORK); a user who has the client
# but cannot reach the daemon (not in the docker group) gets the refusal
# checks instead.
docker_state() {
	DOCKER_UP=
	command -v "${SBX_DOCKER:-docker}" >/dev/null || skip_or_fail "needs the docker client" || return 1
	if "${SBX_DOCKER:-docker}" info >/dev/null 2>&1; then
		DOCKER_UP=1
		return 0
	fi
	[ "$(id -u)" != 0 ] || requires docker
}
