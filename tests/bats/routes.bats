#!/usr/bin/env bats
# routes.bats: every route around the landlock sandbox's denials that an
# attacker tried, each checked from the host side with a positive control:
# the inherited working directory, a cwd or HOME that is gone, host-side
# replacement of denied files, host unix sockets anywhere, datagram and
# netlink sockets, planted symlinks, the supervisor under load, leftovers.
#
# The work directory is under /var/tmp, not the temp dir: the agent profile
# writes the temp dir through to the host, and a home there would not be
# the view a real home under /home gets.

load helpers

setup() {
	requires landlock=1
	WORK=$(mktemp -d /var/tmp/sbx-routes.XXXXXX)
	cd "$WORK" || return 1
	H=$WORK/home
	mkdir -p "$H/.ssh" "$H/.aws" "$H/proj/sub"
	echo "SSHKEY-$$" >"$H/.ssh/id_ed25519"
	echo "AWSKEY-$$" >"$H/.aws/credentials"
	echo "PUBLIC-$$" >"$H/pub.txt"
	echo "ENVSECRET-$$" >"$H/proj/.env"
	echo "CODE-$$" >"$H/proj/main.c"
	export HOME=$H
}

teardown() {
	cd /
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
}

# The profiles users type, each with a note of what it needs here.
profiles() {
	if have_userns; then
		echo agent
	fi
	echo tight
	echo scope
}

# The command line run_profile runs for a profile, up to the command, as
# one shell word string (for a command run inside script).
profile_cmd() {
	case $1 in
	scope) echo "'$SBX_EXEC' --write=scope --writable=. --" ;;
	*) echo "'$SBX_EXEC' --profile=$1 --" ;;
	esac
}

run_profile() {
	local prof=$1
	shift
	case $prof in
	scope) run sbx --write=scope --writable=. -- "$@" ;;
	*) run sbx --profile="$prof" -- "$@" ;;
	esac
}

@test "cwd: relative paths from a cwd in HOME resolve in the sandbox's view" {
	for prof in $(profiles); do
		cd "$H/proj/sub"
		run_profile "$prof" sh -c 'cat ../../pub.txt; cat ../../.ssh/id_ed25519; cat ../../.aws/credentials'
		assert_output_contains "PUBLIC-$$"
		refute_output_contains "SSHKEY-$$"
		refute_output_contains "AWSKEY-$$"
		cd "$H"
		run_profile "$prof" sh -c 'cat pub.txt; cat .aws/credentials; cat ./.ssh/id_ed25519'
		assert_output_contains "PUBLIC-$$"
		refute_output_contains "AWSKEY-$$"
		refute_output_contains "SSHKEY-$$"
	done
}

@test "denied names that share a directory (~/.config) are each hidden; their siblings stay" {
	mkdir -p "$H/.config/gh" "$H/.config/gcloud" "$H/.config/app" "$H/.local/share/keyrings"
	echo "GHTOKEN-$$" >"$H/.config/gh/hosts.yml"
	echo "GCLOUD-$$" >"$H/.config/gcloud/credentials.db"
	echo "APP-$$" >"$H/.config/app/settings"
	echo "KEYRING-$$" >"$H/.local/share/keyrings/login.keyring"
	echo "LOCAL-$$" >"$H/.local/share/notes"
	chmod 0751 "$H/.config"
	touch -d '2001-02-03 04:05:06' "$H/.config"
	for prof in $(profiles); do
		cd "$H/proj"
		run_profile "$prof" sh -c 'cat ~/.config/app/settings ~/.local/share/notes; cat ~/.config/gh/hosts.yml; cat ~/.config/gcloud/credentials.db; cat ~/.local/share/keyrings/login.keyring; stat -c "%a %Y" ~/.config'
		# (control: the siblings on the way are read)
		assert_output_contains "APP-$$"
		assert_output_contains "LOCAL-$$"
		refute_output_contains "GHTOKEN-$$"
		refute_output_contains "GCLOUD-$$"
		refute_output_contains "KEYRING-$$"
		# the directory on the way looks as it does on the host
		assert_output_contains "751 $(stat -c %Y "$H/.config")"
	done
}

@test "root: password hashes and the host's ssh and TLS keys are hidden; /etc/passwd stays" {
	# (a user cannot read them outside either: the same checks, without the
	# host's positive control)
	local hash=NONE
	[ -r /etc/shadow ] && hash=$(head -c 40 /etc/shadow)
	for prof in $(profiles); do
		run_profile "$prof" cat /etc/shadow
		[ "$status" -ne 0 ]
		run_profile "$prof" sh -c 'cat /etc/shadow /etc/gshadow; ls /etc/ssl/private; cat /etc/ssh/ssh_host_*_key; head -c 4 /etc/passwd; echo'
		refute_output_contains "$hash"
		refute_output_contains "PRIVATE KEY"
		assert_output_contains "root"
	done
}

@test "cwd: --read-deny=.env holds from its own directory, main.c stays readable" {
	cd "$H/proj"
	for prof in $(profiles); do
		case $prof in
		scope) run sbx --write=scope --writable=. --read-deny=.env -- sh -c 'cat main.c; cat .env' ;;
		*) run sbx --profile="$prof" --read-deny=.env -- sh -c 'cat main.c; cat .env' ;;
		esac
		assert_output_contains "CODE-$$"
		refute_output_contains "ENVSECRET-$$"
	done
}

@test "cwd: with write=ephemeral relative writes succeed, are seen, and never reach the host" {
	cd "$H/proj"
	if ! have_userns; then refused_without_userns --write=ephemeral; return; fi
	run sbx --write=ephemeral -- sh -c 'echo made > new.txt && cat new.txt && echo changed >> main.c && cat main.c'
	assert_status 0
	assert_output_contains made
	assert_output_contains changed
	[ ! -e "$H/proj/new.txt" ]
	[ "$(cat "$H/proj/main.c")" = "CODE-$$" ]
}

@test "descriptors: an inherited directory does not reach past the view; files, pipes and <(...) pass" {
	for prof in $(profiles); do
		cd "$H/proj"
		# a directory descriptor on 3 (the home) and on 5 (a denied
		# directory itself): what the view hides stays hidden through them
		run_profile "$prof" sh -c 'cat /proc/self/fd/3/.ssh/id_ed25519; cat /proc/self/fd/5/id_ed25519;
			cd /proc/self/fd/3 && cat .aws/credentials; echo ran' 3<"$H" 5<"$H/.ssh"
		assert_output_contains ran
		refute_output_contains "SSHKEY-$$"
		refute_output_contains "AWSKEY-$$"
		# positive controls: a file handed on 4, a pipe, bash's <(...)
		run bash -c "'$SBX_EXEC' --profile=${prof/scope/tight} -- sh -c 'cat <&4; cat \"\$1\"; cat' sh <(echo SUBST-$$) 4<'$H/pub.txt' <<<PIPED-$$"
		assert_status 0
		assert_output_contains "PUBLIC-$$"
		assert_output_contains "SUBST-$$"
		assert_output_contains "PIPED-$$"
		# a directory on 0-2 is refused before anything runs
		rm -f "$WORK/ran"
		run_profile "$prof" sh -c "touch '$WORK/ran'" <"$H/.ssh"
		assert_status 125
		assert_output_contains "standard input is a directory"
		[ ! -e "$WORK/ran" ]
	done
}

@test "cwd: a deleted working directory is refused with 125 and nothing runs" {
	mkdir "$WORK/gone"
	cd "$WORK/gone"
	rmdir "$WORK/gone"
	run sbx --write=scope --writable=. -- touch "$WORK/marker"
	assert_status 125
	assert_output_contains "working directory"
	[ ! -e "$WORK/marker" ]
	# positive control, from a directory that holds no denied path (without
	# user namespaces Landlock cannot grant writes directly in one)
	mkdir "$WORK/here"
	cd "$WORK/here"
	run sbx --write=scope --writable=. -- touch "$WORK/here/marker"
	assert_status 0
	[ -e "$WORK/here/marker" ]
}

@test "a home below a directory of another owner (/var/lib/jenkins-like): the default profile runs and holds" {
	# A user's home in a root-owned directory below a view's root: overlayfs
	# cannot copy up a directory whose owner the user namespace does not
	# map, so masking a missing ~/.ssh there, or writing beside the
	# project, needs the way made in the upper layer (as root: a user id of
	# no account, not the overflow id 65534, so that only one id is mapped;
	# as a user, a home of one's own below /var/tmp, which is root's: the
	# way passes through it where /var is a view's root, as on a host with
	# no mounts below /var).
	if ! have_userns; then refused_without_userns; return; fi
	local U=$WORK/users/u uid
	mkdir -p "$U/proj" "$U/.aws"
	echo "AWSKEY-$$" >"$U/.aws/credentials"
	echo "PUBLIC-$$" >"$U/pub.txt"
	if [ "$(id -u)" = 0 ]; then
		uid=4242
		chmod 755 "$WORK"
		chown -R $uid:$uid "$U"
		# sbx-exec as that user, for this test's helpers
		cat >"$WORK/as-user" <<-EOF
			#!/bin/sh
			exec setpriv --reuid=$uid --regid=$uid --clear-groups env HOME='$U' '$SBX_EXEC' "\$@"
		EOF
		chmod 755 "$WORK/as-user"
		SBX_EXEC=$WORK/as-user
	else
		uid=$(id -u)
		export HOME=$U
	fi
	cd "$U/proj"
	run sbx -- sh -c 'id -u; cat ../pub.txt; cat ../.aws/credentials; ls -d ../.ssh; echo B-$PPID > ../beside && cat ../beside; echo P > ./inproj'
	assert_status 0
	[ "${lines[0]}" = "$uid" ]
	assert_output_contains "PUBLIC-$$"
	refute_output_contains "AWSKEY-$$"
	assert_output_contains "B-"
	# host side: the project write passed, the one beside it stayed in the view
	[ "$(cat "$U/proj/inproj")" = P ]
	[ ! -e "$U/beside" ]
	[ ! -e "$U/.ssh" ]
	# a ~/.ssh the host makes during the run stays hidden: the mask holds
	run_paused agent 'cat ~/.ssh/id; echo done'
	mkdir "$U/.ssh"
	echo "SSHKEY-$$" >"$U/.ssh/id"
	resume
	grep -q done "$WORK/out"
	! grep -q "SSHKEY-$$" "$WORK/out" || false
	# control: the host reads it
	[ "$(cat "$U/.ssh/id")" = "SSHKEY-$$" ]
}

@test "HOME unset or relative: ~ is the passwd home, and the plan says so" {
	local pwhome
	pwhome=$(getent passwd "$(id -u)" | cut -d: -f6)
	[ -n "$pwhome" ]
	for h in unset relative; do
		if [ $h = unset ]; then
			run env -u HOME "$SBX_EXEC" --profile=tight --print -- true
		else
			run env HOME=rel/home "$SBX_EXEC" --profile=tight --print -- true
		fi
		assert_status 0
		assert_output_contains "the home directory in /etc/passwd"
		assert_output_contains "$pwhome/.ssh"
		refute_output_contains " ~/"
	done
	# positive control: an absolute HOME is used as it is, with no caveat
	run sbx --profile=tight --print -- true
	assert_output_contains "$H/.ssh"
	refute_output_contains "/etc/passwd"
}

# run_paused PROFILE SCRIPT: runs SCRIPT sandboxed in the background; it
# starts when the sandbox is up and waits for "go" (from resume). The
# fifos stay on the host side: fds 3 and 4 are inherited.
run_paused() {
	local prof=$1 script=$2
	rm -f "$WORK/go" "$WORK/up"
	mkfifo "$WORK/go" "$WORK/up"
	local wrapped="echo up >&4; exec 4>&-; read x <&3; $script"
	case $prof in
	scope) sbx --write=scope --writable=. -- sh -c "$wrapped" 3<"$WORK/go" 4>"$WORK/up" >"$WORK/out" 2>&1 & ;;
	*) sbx --profile="$prof" -- sh -c "$wrapped" 3<"$WORK/go" 4>"$WORK/up" >"$WORK/out" 2>&1 & ;;
	esac
	PAUSED=$!
	exec 5>"$WORK/go"
	read -r _ <"$WORK/up"
}

resume() {
	echo go >&5
	exec 5>&-
	wait "$PAUSED" || true
	rm -f "$WORK/go" "$WORK/up"
}

@test "host replaces a denied file by rename during the run: still hidden" {
	for prof in $(profiles); do
		echo "OLD-$$" >"$H/.ssh/id_ed25519"
		echo "OLDPUB-$$" >"$H/pub.txt"
		cd "$H/proj"
		run_paused "$prof" 'cat ../.ssh/id_ed25519 ~/.ssh/id_ed25519 ../pub.txt'
		# the way editors save: a new file renamed over the old one
		echo "NEWKEY-$$" >"$H/.ssh/tmp" && mv "$H/.ssh/tmp" "$H/.ssh/id_ed25519"
		echo "NEWPUB-$$" >"$H/tmp" && mv "$H/tmp" "$H/pub.txt"
		resume
		run cat "$WORK/out"
		# Landlock alone (no user namespaces) grants files directly in a
		# directory holding a denied path by inode: the new pub.txt is
		# unreadable there, which is safe but no positive control.
		if have_userns; then
			assert_output_contains "NEWPUB-$$"
		fi
		refute_output_contains "NEWKEY-$$"
		refute_output_contains "OLD-$$"
	done
}

@test "host replaces a denied directory during the run: still hidden" {
	for prof in $(profiles); do
		cd "$H/proj"
		run_paused "$prof" 'cat ~/.aws/credentials; ls ~/.aws'
		rm -rf "$H/.aws" && mkdir "$H/.aws" && echo "NEWAWS-$$" >"$H/.aws/credentials"
		resume
		run cat "$WORK/out"
		refute_output_contains "NEWAWS-$$"
		refute_output_contains "credentials"$'\n'
	done
}

@test "ipc: host unix sockets are unreachable wherever they are, in the writable project and the temp dir too" {
	mkdir -p "$WORK/ro" "$H/proj/w"
	# 0: a readable directory; 1: the project (writable); 2: HOME itself
	start_unix_listeners "$WORK/ro/s.sock" "$H/proj/w/s.sock" "$H/s.sock"
	cd "$H/proj"
	# positive control: the host reaches all three
	for s in "$WORK/ro/s.sock" "$H/proj/w/s.sock" "$H/s.sock"; do
		run "$PROBES/net" uconnect "$s"
		assert_status 0
	done
	for prof in $(profiles); do
		run_profile "$prof" "$PROBES/net" uconnect "$WORK/ro/s.sock"
		[ "$status" -ne 0 ]
		run_profile "$prof" "$PROBES/net" uconnect "$H/s.sock"
		[ "$status" -ne 0 ]
		# in the writable project: a host socket there is the host's too
		# (without user namespaces the supervisor tells them by place: a
		# caveat says so)
		run_profile "$prof" sh -c "cd w && '$PROBES/net' uconnect ./s.sock"
		if [ "$prof" = tight ] || have_userns; then [ "$status" -ne 0 ]; else assert_status 0; fi
	done
	# --allow-socket reopens one on purpose
	run sbx --profile=tight --allow-socket="$WORK/ro/s.sock" -- "$PROBES/net" uconnect "$WORK/ro/s.sock"
	assert_status 0
	stop_unix_listeners
	# host side: the host's own connect, plus --allow-socket's; plus agent's
	# and scope's in the writable project; nothing else
	[ "$(cat "$WORK/l.0")" = "accepted 2" ]
	local writers=0 # scope's without user namespaces
	have_userns || writers=1
	[ "$(cat "$WORK/l.1")" = "accepted $((1 + writers))" ]
	[ "$(cat "$WORK/l.2")" = "accepted 1" ]
}

@test "ipc: a socket the sandbox binds is reachable where it can write; a tmux-like host socket in the temp dir is not" {
	# the host's: in the temp dir the agent profile writes through, and in
	# the project
	local tmp=${TMPDIR:-/tmp}
	mkdir -p "$tmp/sbx-tmux-$$" "$H/proj/w"
	start_unix_listeners "$tmp/sbx-tmux-$$/default" "$H/proj/w/h.sock"
	cd "$H/proj"
	for prof in $(profiles); do
		[ "$prof" = tight ] && continue # writes nothing
		# positive control: its own sockets, in the project, by a relative
		# path, and (agent) in the temp dir
		run_profile "$prof" "$PROBES/net" uself "$H/proj/w/own.sock"
		assert_output_contains "self ok"
		run_profile "$prof" sh -c "cd w && '$PROBES/net' uself own2.sock"
		assert_output_contains "self ok"
		if [ "$prof" = agent ]; then
			run_profile agent "$PROBES/net" uself "$tmp/sbx-own-$$.sock"
			assert_output_contains "self ok"
			run_profile agent "$PROBES/net" uconnect "$tmp/sbx-tmux-$$/default"
			[ "$status" -ne 0 ]
		fi
		if have_userns; then
			run_profile "$prof" "$PROBES/net" uconnect "$H/proj/w/h.sock"
			[ "$status" -ne 0 ]
		fi
	done
	# an inner sandbox's socket is reachable inside it, bound through both
	if have_userns; then
		run sbx -- "$SBX_EXEC" -- "$PROBES/net" uself "$H/proj/w/nested.sock"
		assert_output_contains "self ok"
	fi
	# --allow-socket reopens the host's on purpose
	run sbx --profile=tight --allow-socket="$tmp/sbx-tmux-$$/default" -- "$PROBES/net" uconnect "$tmp/sbx-tmux-$$/default"
	assert_status 0
	stop_unix_listeners
	[ "$(cat "$WORK/l.0")" = "accepted 1" ]
	[ "$(cat "$WORK/l.1")" = "accepted 0" ]
	rm -rf "$tmp/sbx-tmux-$$"
}

@test "ipc: where sock_diag does not answer, the sandbox's own sockets still work and the host's stay out, and the plan says how" {
	mkdir -p "$H/proj/w"
	start_unix_listeners "$H/proj/w/h.sock"
	cd "$H/proj"
	run "$PROBES/deny" sockdiag -- "$SBX_EXEC" --print -- true
	if have_userns; then
		assert_output_contains "sock_diag does not answer"
	fi
	run "$PROBES/deny" sockdiag -- "$SBX_EXEC" --write=scope --writable=. -- "$PROBES/net" uself "$H/proj/w/own.sock"
	assert_output_contains "self ok"
	if have_userns; then
		run "$PROBES/deny" sockdiag -- "$SBX_EXEC" --write=scope --writable=. -- "$PROBES/net" uconnect "$H/proj/w/h.sock"
		[ "$status" -ne 0 ]
	fi
	stop_unix_listeners
	[ "$(cat "$WORK/l.0")" = "accepted 0" ]
}

@test "ipc: a socket the host creates during the run, and a symlink to it, stay unreachable" {
	mkdir -p "$WORK/late"
	cd "$H/proj"
	for prof in $(profiles); do
		rm -f "$WORK/late/s.sock"
		run_paused "$prof" "'$PROBES/net' uconnect '$WORK/late/s.sock'; ln -s '$WORK/late/s.sock' ./l.sock; '$PROBES/net' uconnect ./l.sock; rm -f ./l.sock"
		start_unix_listeners "$WORK/late/s.sock"
		resume
		run "$PROBES/net" uconnect "$WORK/late/s.sock"
		assert_status 0
		stop_unix_listeners
		[ "$(cat "$WORK/l.0")" = "accepted 1" ]
		run cat "$WORK/out"
		refute_output_contains connected
	done
}

@test "ipc: datagram unix sockets cannot reach a host datagram socket" {
	rm -f "$WORK/r" "$WORK/c"
	mkfifo "$WORK/r" "$WORK/c"
	"$PROBES/net" udlisten "$WORK/d.sock" "$WORK/r" "$WORK/c" >"$WORK/l" 3>&- &
	local lp=$!
	timeout 20 head -n1 "$WORK/r" >/dev/null
	exec 5>"$WORK/c"
	run "$PROBES/net" usend "$WORK/d.sock"
	assert_status 0
	for prof in $(profiles); do
		run_profile "$prof" "$PROBES/net" usend "$WORK/d.sock"
		[ "$status" -ne 0 ]
	done
	exec 5>&-
	wait "$lp"
	[ "$(cat "$WORK/l")" = "received 1" ]
	# stream unix sockets still work inside (positive control)
	run sbx --profile=tight -- "$PROBES/net" socket unix
	assert_status 0
}

@test "netlink: only the route family; NETLINK_USERSOCK is refused" {
	run "$PROBES/net" socket netlink-usersock
	assert_status 0
	for args in "--profile=tight" "--net=outbound --write=scope --writable=."; do
		# shellcheck disable=SC2086
		run sbx $args -- "$PROBES/net" socket netlink-usersock
		[ "$status" -ne 0 ]
		# shellcheck disable=SC2086
		run sbx $args -- "$PROBES/net" socket netlink
		assert_status 0
	done
}

@test "symlinks: a granted path through a planted link is refused; its target can be named" {
	mkdir -p "$WORK/W" "$WORK/elsewhere"
	ln -s "$WORK/elsewhere" "$WORK/W/out"
	cd "$WORK/W"
	run sbx --write=scope --writable=out -- sh -c 'echo pwned > out/x'
	assert_status 125
	assert_output_contains "symbolic link"
	assert_output_contains "$WORK/elsewhere"
	[ ! -e "$WORK/elsewhere/x" ]
	run sbx --write=scope --readable=out --writable=. -- true
	assert_status 125
	# a link in the middle of the path counts the same
	mkdir -p "$WORK/real/sub"
	ln -s "$WORK/real" "$WORK/W/mid"
	run sbx --write=scope --writable=mid/sub -- sh -c 'echo pwned > mid/sub/x'
	assert_status 125
	[ ! -e "$WORK/real/sub/x" ]
	# positive control: the target named itself is granted
	run sbx --write=scope --writable="$WORK/elsewhere" -- sh -c "echo ok > '$WORK/elsewhere/x'"
	assert_status 0
	[ "$(cat "$WORK/elsewhere/x")" = ok ]
}

@test "symlinks: --read-deny=l/../secret denies what the kernel resolves, not ./secret" {
	mkdir -p "$WORK/d/sub"
	echo "DSECRET-$$" >"$WORK/d/secret"
	echo "HERE-$$" >"$WORK/secret"
	ln -s "$WORK/d/sub" "$WORK/l"
	cd "$WORK"
	run cat l/../secret
	assert_output_contains "DSECRET-$$"
	run sbx --profile=tight --read-deny=l/../secret -- sh -c "cat '$WORK/d/secret'; cat ./secret"
	refute_output_contains "DSECRET-$$"
	assert_output_contains "HERE-$$"
}

@test "supervisor: the deadline holds under a flood of notifications" {
	run timeout -s KILL 30 "$SBX_EXEC" --profile=tight --timeout=1s -- "$PROBES/net" connectflood
	assert_status 124
	run timeout -s KILL 30 "$SBX_EXEC" --net=outbound --write=scope --writable=. --timeout=1s -- "$PROBES/net" connectflood
	assert_status 124
}

@test "supervisor: listen() on a unix socket from a second thread works under outbound" {
	mkdir "$WORK/s"
	cd "$WORK/s"
	run sbx --net=outbound --write=scope --writable=. -- "$PROBES/net" threadlisten "$WORK/s/t.sock"
	assert_status 0
	assert_output_contains listening
	[ -S "$WORK/s/t.sock" ]
	# TCP listen is still refused (the negative side of the same rule)
	run sbx --net=outbound --write=scope --writable=. -- "$PROBES/net" autolisten
	[ "$status" -ne 0 ]
}

@test "net=outbound: a UDP socket cannot bind a port, so the host cannot reach it" {
	local port=$((20000 + RANDOM % 20000))
	run sbx --net=outbound --write=scope --writable=. -- "$PROBES/net" udpbind "$port"
	if have_userns; then
		[ "$status" -ne 0 ]
		# an ephemeral port (bind to 0, or by sending) is still allowed
		run sbx --net=outbound --write=scope --writable=. -- "$PROBES/net" udpbind 0
		assert_status 0
		run sbx --net=outbound --write=scope --writable=. --print -- true
		assert_output_contains "UDP"
	fi
	# positive control: unsandboxed, the same bind works
	run "$PROBES/net" udpbind "$port"
	assert_status 0
}

sbx_cgroups() {
	find /sys/fs/cgroup -maxdepth 3 -type d -name "sbx-$1-*" 2>/dev/null
}

# Without a writable cgroup the limits are refused honestly instead: the
# check runs as a plain statement (an if's body), so its assertions count.
check_cgroup_refusal() {
	run sbx --profile=tight --pids=64 --memory=64m -- true
	assert_status 125
	assert_output_contains cgroup
}

@test "cgroups: removed when the command dies of a signal and when sbx-exec is killed" {
	if ! have_cgroup; then
		check_cgroup_refusal
		return
	fi
	local pid st=0
	"$SBX_EXEC" --profile=tight --pids=64 -- sh -c 'kill -9 $$' &
	pid=$!
	wait "$pid" || st=$?
	[ "$st" -eq 137 ]
	[ -z "$(sbx_cgroups "$pid")" ]
	# kill -9 of sbx-exec itself: the guard removes the cgroup
	"$SBX_EXEC" --profile=tight --pids=64 -- sleep 60 &
	pid=$!
	for _ in $(seq 100); do
		[ -n "$(sbx_cgroups "$pid")" ] && break
		sleep 0.05
	done
	[ -n "$(sbx_cgroups "$pid")" ]
	kill -9 "$pid"
	wait "$pid" || true
	for _ in $(seq 200); do
		[ -z "$(sbx_cgroups "$pid")" ] && break
		sleep 0.05
	done
	[ -z "$(sbx_cgroups "$pid")" ]
}

@test "cgroups: a command killed by the memory cap says so" {
	if ! have_cgroup; then
		check_cgroup_refusal
		return
	fi
	run sbx --profile=tight --memory=64m -- "$PROBES/res" alloc 256
	[ "$status" -ne 0 ]
	assert_output_contains "memory cap"
	run sbx --profile=tight --memory=256m -- "$PROBES/res" alloc 16
	assert_status 0
	refute_output_contains "memory cap"
}

@test "ptys: the command makes terminals of its own; a terminal of the host's takes nothing from it" {
	command -v script >/dev/null || skip_or_fail "needs script" || return 1
	command -v python3 >/dev/null || skip_or_fail "needs python3" || return 1
	# a terminal of the host's: its name, and all that reaches it, in files
	python3 -c '
import os, pty, select, sys, time
m, s = pty.openpty()
open(sys.argv[1], "w").write(os.ttyname(s))
got, end = b"", time.time() + 20
while time.time() < end and not os.path.exists(sys.argv[3]):
    if select.select([m], [], [], 0.1)[0]:
        got += os.read(m, 1024)
        open(sys.argv[2], "wb").write(got)
' "$WORK/name" "$WORK/got" "$WORK/stop" &
	local pid=$!
	for _ in $(seq 100); do [ -s "$WORK/name" ] && break; sleep 0.1; done
	local host_pty
	host_pty=$(cat "$WORK/name")
	for prof in $(profiles); do
		cd "$H/proj"
		run_profile "$prof" sh -c "echo INJECT-$prof >$host_pty"
		[ "$status" -ne 0 ]
		# the terminal it was given, reopened by /dev/stderr (a shell
		# script's error line), whatever the view calls that terminal
		run script -qec "$(profile_cmd "$prof") sh -c 'echo via-stderr-$prof >/dev/stderr'" /dev/null
		assert_status 0
		assert_output_contains "via-stderr-$prof"
		if have_userns; then
			run_profile "$prof" script -qec 'tty; echo in-pty' /dev/null
			assert_status 0
			assert_output_contains "/dev/pts/"
			assert_output_contains "in-pty"
		fi
	done
	if have_userns; then
		# /dev/tty through the create gate (init opens it for the
		# command) in a session made inside: the terminal made there
		mkdir -p "$H/proj/.vscode"
		run sbx --write-deny=.vscode -- script -qec "python3 -c 'import os
fd = os.open(\"/dev/tty\", os.O_RDWR)
os.write(fd, b\"TTY-\" + os.ttyname(fd).encode() + b\"\\n\")'" /dev/null
		assert_status 0
		assert_output_contains "TTY-/dev/pts/"
	fi
	# control: the host's own write reaches that terminal
	echo "CONTROL" >"$host_pty"
	for _ in $(seq 50); do grep -q CONTROL "$WORK/got" 2>/dev/null && break; sleep 0.1; done
	touch "$WORK/stop"
	wait "$pid" || true
	grep -q CONTROL "$WORK/got"
	! grep -q INJECT "$WORK/got" || false
}

@test "ptys: sbx-shim --devpts without a mount namespace grants no terminal of the host's" {
	command -v python3 >/dev/null || skip_or_fail "needs python3" || return 1
	# a hand-made shim line: --devpts asks for a devpts of its own, which
	# only a mount namespace can have; Landlock must not grant the host's
	run python3 -c '
import os, pty, select, subprocess, sys
m, s = pty.openpty()
name = os.ttyname(s)
def write_to(argv):
    subprocess.run(argv + ["sh", "-c", "echo REACHED >" + name], stderr=subprocess.DEVNULL)
    got = b""
    while select.select([m], [], [], 0.5)[0]:
        got += os.read(m, 1024)
    return b"REACHED" in got
print("sandboxed", write_to([sys.argv[1], "--ll-abi", "1", "--ll-read", "/", "--devpts", "--"]))
print("control", write_to([]))
' "$BUILD/sbx-shim"
	assert_status 0
	assert_output_contains "sandboxed False"
	assert_output_contains "control True"
}
