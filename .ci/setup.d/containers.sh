#!/usr/bin/env bash
# containers.sh (run as root by .ci/run): what the gvisor and docker backends'
# tests need on a fresh Debian machine: runsc and docker.io from Debian, a
# dockerd with runsc registered as a runtime, and a small local test image
# (no registry is reachable, so it is imported from Debian's busybox-static).
#
# The unprivileged CI user is deliberately NOT put in the docker group: that
# group is root-equivalent, and the suite checks that the docker backends
# refuse honestly (exit 125 with the reason) for a user who cannot reach the
# daemon.
set -eu

IMAGE=${SBX_DOCKER_IMAGE:-sbx-test-busybox:1}
LOG=/var/log/sbx-dockerd.log

apt-get install -y -qq --no-install-recommends runsc docker.io busybox-static >/dev/null

runsc_path=$(command -v runsc)

# runsc as a docker runtime. The engine runs with --bridge=none and no
# iptables, so runsc's own sandbox network has nothing to attach to, and in
# the host's network namespace it refuses to start ("cannot run with network
# enabled in root network namespace"). "runsc" passes --network=none; a
# second runtime, "runsc-host", passes --network=host for networked runs
# (docker's --network=host). Both pass --oci-seccomp: without it runsc
# ignores the container's seccomp profile (net=outbound relies on one).
mkdir -p /etc/docker
want=$(cat <<JSON
{
  "runtimes": {
    "runsc": {"path": "$runsc_path", "runtimeArgs": ["--network=none", "--oci-seccomp"]},
    "runsc-host": {"path": "$runsc_path", "runtimeArgs": ["--network=host", "--oci-seccomp"]}
  }
}
JSON
)
if [ -f /etc/docker/daemon.json ] && ! grep -q '"runsc-host"' /etc/docker/daemon.json; then
	cp /etc/docker/daemon.json /etc/docker/daemon.json.sbx-backup
fi
printf '%s\n' "$want" >/etc/docker/daemon.json

docker_up() { docker info >/dev/null 2>&1; }

if docker_up; then
	# Running already: reload daemon.json (runtimes are reloadable).
	pid=$(cat /var/run/docker.pid 2>/dev/null || true)
	[ -n "$pid" ] && kill -HUP "$pid"
else
	# Not a systemd machine: start the engine in the background.
	setsid dockerd --iptables=false --bridge=none >"$LOG" 2>&1 </dev/null &
fi
for _ in $(seq 1 60); do
	docker_up && break
	sleep 1
done
if ! docker_up; then
	echo "dockerd did not come up; its log:" >&2
	tail -n 30 "$LOG" >&2 || true
	exit 1
fi
for _ in $(seq 1 20); do
	docker info --format '{{json .Runtimes}}' | grep -q 'oci-seccomp' && break
	sleep 0.5
done
docker info --format '{{json .Runtimes}}' | grep -q 'oci-seccomp' || {
	echo "dockerd does not list the runsc runtimes" >&2
	exit 1
}

# The test image: busybox and its applets, nothing else.
if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
	stage=$(mktemp -d)
	trap 'rm -rf "$stage"' EXIT
	mkdir -p "$stage"/bin "$stage"/etc "$stage"/tmp "$stage"/proc "$stage"/dev "$stage"/sys
	chmod 1777 "$stage"/tmp
	cp /bin/busybox "$stage"/bin/busybox
	for applet in $("$stage"/bin/busybox --list); do
		[ "$applet" = busybox ] || ln -s busybox "$stage/bin/$applet"
	done
	printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$stage"/etc/passwd
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage"/etc/group
	tar -C "$stage" -c . | docker import --change 'ENV PATH=/bin' --change 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
fi
docker image inspect --format '{{.Id}}' "$IMAGE"
