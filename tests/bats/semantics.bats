#!/usr/bin/env bats
# semantics.bats: a policy means exactly what the user wrote. The layering
# table of CONTRACT.md (a write mode starts the write grants afresh,
# denials accumulate), --readable in every write mode, refused values,
# best effort without a cgroup, repeated paths, the agent profile's
# discarded writes, the private temp dir, root's file access, --strict's
# hint. Outcomes are checked from the host side where there is one.

load helpers

# The work directory is under /var/tmp: the agent profile writes the temp
# dir through to the host, and a home there would not be a real one's view.
setup() {
	requires landlock=1
	WORK=$(mktemp -d /var/tmp/sbx-sem.XXXXXX)
	# the project is the working directory; HOME lies beside it, not in it
	mkdir -p "$WORK/proj" "$WORK/other"
	cd "$WORK/proj" || return 1
	mkdir -p out b src
	echo "line-$$" >src/a
	export HOME=$WORK/home
	mkdir -p "$HOME/.ssh"
	echo "HOMESECRET-$$" >"$HOME/secret"
	echo "KEY-$$" >"$HOME/.ssh/id"
	unset TMPDIR
}

teardown() {
	cd /
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
}

# The host paths a landlock plan writes through: its --ll-write rules
# (best effort: the same rules where copy-on-write is not available).
writes() {
	"$SBX_EXEC" --backend=landlock --best-effort "$@" --print -- true | sed -n '/^argv:/{n;p}' | tr ' ' '\n' |
		awk 'w {print; w = 0} $0 == "--ll-write" {w = 1}' | sort | tr '\n' ' '
}

@test "layering: each row of the table" {
	local tmp=/tmp WORK=$WORK/proj
	# built-in agent profile: the working directory and the temp dir
	[ "$(writes)" = "$tmp $WORK " ]
	# a write mode given starts afresh
	[ "$(writes --write=scope --writable=./out)" = "$WORK/out " ]
	# the same, options in the other order: one layer
	[ "$(writes --writable=./out --write=scope)" = "$WORK/out " ]
	# --writable without --write adds to the profile
	[ "$(writes --writable=./out)" = "$tmp $WORK $WORK/out " ]
	# allow-temp must then be asked for
	[ "$(writes --write=scope --allow-temp)" = "$tmp " ]
	# an environment layer's write= drops the profile's; the options add
	[ "$(SBX_WRITE=scope writes --writable=./out)" = "$WORK/out " ]
	# a policy layer's grants stay under the options' additions
	[ "$(SBX_POLICY='write=scope; writable=./out' writes --writable=./b)" = "$WORK/b $WORK/out " ]
	# ... and a write= in the options drops the policy's grants
	[ "$(SBX_POLICY='write=scope; writable=./out' writes --write=scope --writable=./b)" = "$WORK/b " ]
	# tight with a scope: exactly what is named
	[ "$(writes --profile=tight --write=scope --writable=.)" = "$WORK " ]
	# an empty value clears the list so far
	[ "$(writes --writable= --writable=./b)" = "$tmp $WORK/b " ]
}

@test "layering: denials accumulate over every layer; only the empty value clears them" {
	local WORK=$WORK/proj
	run env SBX_POLICY='profile=tight; read-deny=./b' "$SBX_EXEC" --read-deny=./out --print -- true
	assert_status 0
	assert_output_contains "$HOME/.ssh"
	assert_output_contains "$WORK/b"
	assert_output_contains "$WORK/out"
	# a profile= in an upper layer does not drop a lower layer's denial
	# (without user namespaces the agent's views are a gap: printed with it)
	local be=()
	have_userns || be=(--best-effort)
	run env SBX_READ_DENY="$WORK/src" "$SBX_EXEC" "${be[@]}" --policy='profile=agent' --print -- true
	assert_status 0
	assert_output_contains "$WORK/src"
	# the explicit empty value does
	run sbx "${be[@]}" --read-deny= --print -- true
	assert_status 0
	refute_output_contains "$HOME/.ssh"
	refute_output_contains "--mask"
}

@test "layering: the README's own example writes ./out and nothing else" {
	run sbx --net=disable --write=scope --writable=./out -- sh -c 'echo y > out/y; echo n > n; echo t > /tmp/sbx-sem-$$'
	[ "$(cat out/y)" = y ]
	[ ! -e n ]
	[ ! -e "/tmp/sbx-sem-$$" ]
}

@test "--readable holds in every write mode; the runtime lets a pipeline run" {
	local P=$WORK/proj
	for w in "" "--write=ephemeral" "--write=none" "--write=scope --writable=$P/out" "--write=overlay --writable=$P/out"; do
		if ! have_userns && [[ $w != "--write=none" && $w != "--write=scope"* ]]; then
			# copy-on-write needs user namespaces: refused, nothing runs
			# shellcheck disable=SC2086
			run sbx $w --readable="$P/src" --dir="$P/src" -- touch "$WORK/ran"
			assert_status 125
			[ ! -e "$WORK/ran" ]
			continue
		fi
		# shellcheck disable=SC2086
		run sbx $w --readable="$P/src" --dir="$P/src" -- sh -c 'cat a | wc -l; cat "$HOME/secret"; cat /etc/shadow; cat /etc/hostname'
		[ "${lines[0]}" = 1 ]
		refute_output_contains "HOMESECRET-$$"
		refute_output_contains "root:"
		# (a whole line: a short host name can be part of the temp dir's)
		local hn
		hn=$(cat /etc/hostname 2>/dev/null || echo none)
		for l in "${lines[@]}"; do [ "$l" != "$hn" ]; done
		# positive control: without --readable the secret is readable
		# shellcheck disable=SC2086
		run sbx $w --dir="$P/src" -- cat "$HOME/secret"
		assert_output_contains "HOMESECRET-$$"
	done
}

@test "--readable: a denial outside the scope is held by the scope" {
	local be=()
	have_userns || be=(--best-effort)
	run sbx "${be[@]}" --readable=./src --print -- true
	assert_status 0
	assert_output_contains "outside the read scope"
	refute_output_contains "--mask $HOME/.ssh"
}

@test "values the contract forbids are refused at parse time, and nothing runs" {
	for opt in --cpus=0 --cpus=0.000001 --cpus=1e300 --cpus=nan --cpus=-1 --pids=0 \
		--pids=99999999999 --memory=1 --memory=1m --memory=0x1p30 --memory=1e9 \
		--timeout=0 --timeout=400d --timeout=nan --timeout=-5; do
		run sbx "$opt" -- touch "$WORK/ran"
		assert_status 125
		[ "${#lines[@]}" -eq 1 ]
		[[ ${lines[0]} == "sbx-exec: "* ]]
		[ ! -e "$WORK/ran" ]
	done
	# positive controls at the edges of the ranges (on the landlock
	# backend: auto could pick gVisor for a user without a writable cgroup)
	run sbx --backend=landlock --memory=64m --pids=4194304 --cpus=0.01 --timeout=30d \
		--best-effort -- true
	assert_status 0
	run sbx --memory=4m --best-effort --print -- true
	assert_status 0
}

@test "best effort without a writable cgroup runs with the gap stated" {
	if have_cgroup; then
		# here the cap is real: a command over it is killed
		run sbx --best-effort --memory=64m -- "$PROBES/res" alloc 256
		[ "$status" -ne 0 ]
		return 0
	fi
	run sbx --best-effort --memory=64m -- sh -c 'echo ran > out/ran'
	assert_status 0
	assert_output_contains "NOT enforced"
	[ "$(cat out/ran)" = ran ]
	run sbx --memory=64m -- true
	assert_status 125
}

@test "repeated paths are merged, never an error" {
	local P=$WORK/proj
	run sbx --write=scope --writable="$P/out" --writable="$P/out/" --readable="$P/out" --readable="$P/./out" --readable="$P/src" --dir="$P/out" -- true
	assert_status 0
	run sbx --write=scope --writable=./out --writable=out/ --readable=./out --readable=. --print -- true
	assert_status 0
	[ "$(grep -o -- "--ll-write $P/out " <<<"$output" | wc -l)" -eq 1 ]
}

@test "agent profile: a write outside the working directory succeeds and is discarded" {
	if ! have_userns; then refused_without_userns; return; fi
	mkdir -p "$HOME/m/a" "$HOME/m/b"
	cd "$HOME/m/a"
	run sbx -- sh -c 'touch ../b/x && mkdir ../c && echo kept > here'
	assert_status 0
	[ ! -e "$HOME/m/b/x" ]
	[ ! -e "$HOME/m/c" ]
	[ "$(cat here)" = kept ]
}

@test "tight profile: a private temp dir whose writes never reach the host" {
	mkdir -p "$HOME/p"
	cd "$HOME/p"
	local before
	before=$(ls /tmp | wc -l)
	if ! have_userns; then
		# no private view to write in: the temp dir is refused like the rest
		run sbx --profile=tight -- sh -c 'f=$(mktemp) && echo hi > "$f" && echo "$f"'
		[ "$status" -ne 0 ]
		refute_output_contains hi
		[ "$(ls /tmp | wc -l)" -eq "$before" ]
		# positive control: the same command writes where it may
		run sbx --profile=tight --write=scope --writable=. -- sh -c 'echo hi > here && cat here'
		assert_status 0
		[ "$(cat here)" = hi ]
		return
	fi
	run sbx --profile=tight -- sh -c 'f=$(mktemp) && echo hi > "$f" && cat "$f" && echo "$f"'
	assert_status 0
	assert_output_contains hi
	local f=${lines[-1]}
	[ ! -e "$f" ]
	[ "$(ls /tmp | wc -l)" -eq "$before" ]
	run sbx --profile=tight --print -- true
	assert_output_contains "private copy-on-write view"
	# --allow-temp means the host's: refused with write=none, as it says
	run sbx --profile=tight --allow-temp -- true
	assert_status 125
}

@test "root keeps its access to other users' files inside writable paths" {
	if [ "$(id -u)" != 0 ]; then
		# a user gains nothing: what is not writable outside is not inside
		run touch /etc/sbx-sem-test
		[ "$status" -ne 0 ]
		run sbx --write=scope --writable=/etc -- touch /etc/sbx-sem-test
		[ "$status" -ne 0 ]
		[ ! -e /etc/sbx-sem-test ]
		return 0
	fi
	mkdir -p tree/sub
	echo data >tree/sub/f
	chown -R 1000:1000 tree
	chmod 755 tree tree/sub
	chmod 644 tree/sub/f
	# positive control: root writes there unsandboxed
	echo more >>tree/sub/f
	run sbx --write=scope --writable=. -- sh -c 'echo again >> tree/sub/f && touch tree/sub/new && mkdir tree/sub/d'
	assert_status 0
	[ "$(tail -n1 tree/sub/f)" = again ]
	[ -e tree/sub/new ] && [ -d tree/sub/d ]
	# and outside the writable paths nothing changes, chmod included
	run sbx --write=scope --writable=./out -- sh -c 'chmod 777 tree/sub/f; touch tree/sub/other'
	[ "$(stat -c %a tree/sub/f)" = 644 ]
	[ ! -e tree/sub/other ]
}

@test "chmod, chown and utime never reach host files outside the writable paths" {
	local f=$WORK/other/f
	echo x >"$f"
	chmod 600 "$f"
	touch -d 2001-01-01 "$f"
	if ! have_userns; then
		# Landlock alone does not govern them: the plan says so
		run sbx --profile=tight --print -- true
		assert_output_contains "Landlock does not govern chmod"
		return 0
	fi
	for prof in tight agent; do
		run sbx --profile="$prof" -- sh -c "chmod 777 '$f'; touch '$f'; chown $(id -u) '$f'"
		[ "$(stat -c %a "$f")" = 600 ]
		[ "$(stat -c %Y "$f")" = "$(date -d 2001-01-01 +%s)" ]
	done
	# positive control: inside the writable path they work
	run sbx --write=scope --writable="$WORK/other" -- chmod 640 "$f"
	assert_status 0
	[ "$(stat -c %a "$f")" = 640 ]
}

@test "--strict with a built-in profile says what to change" {
	run sbx --strict -- true
	assert_status 125
	[ "${#lines[@]}" -eq 1 ]
	assert_output_contains "--read-deny="
	assert_output_contains "--readable="
	# (the agent's views need user namespaces; the scope does not)
	local w=()
	have_userns || w=(--write=scope --writable=.)
	run sbx --strict --read-deny= --readable=. "${w[@]}" -- true
	assert_status 0
}

@test "/dev/shm: host paths there that the sandbox's own hides are refused, saying so, and nothing lands there" {
	local d=/dev/shm/sbx-sem-$$
	mkdir -p "$d/sub"
	cd "$d/sub"
	if ! have_userns; then
		# without namespaces there is no private /dev/shm: the host's is used
		run "$SBX_EXEC" --profile=tight -- pwd
		rm -rf "$d"
		assert_status 0
		assert_output_contains "$d/sub"
		return
	fi
	run "$SBX_EXEC" -- pwd
	assert_status 125
	assert_output_contains "the working directory $d/sub is in the host's /dev/shm"
	run "$SBX_EXEC" --profile=tight -- pwd
	assert_status 125
	assert_output_contains "the working directory $d/sub is in the host's /dev/shm"
	cd "$WORK/proj"
	# the agent profile writes the temp dir through: not /dev/shm either
	run env TMPDIR=/dev/shm "$SBX_EXEC" -- true
	assert_status 125
	assert_output_contains "the temp dir /dev/shm (TMPDIR)"
	run env TMPDIR="$d" "$SBX_EXEC" --profile=tight -- true
	assert_status 125
	assert_output_contains "the temp dir $d (TMPDIR)"
	run "$SBX_EXEC" --write=scope --writable="$d" -- true
	assert_status 125
	assert_output_contains "writable path $d is in the host's /dev/shm"
	run "$SBX_EXEC" --write=scope --writable=/dev -- true
	assert_status 125
	assert_output_contains "writable path /dev holds /dev/shm"
	# control: /dev/shm itself as the tight profile's temp dir and working
	# directory is the sandbox's own, and works
	run env TMPDIR=/dev/shm "$SBX_EXEC" --profile=tight -- sh -c "echo in-$$ >/dev/shm/f-$$ && cat /dev/shm/f-$$"
	assert_status 0
	assert_output_contains "in-$$"
	cd /dev/shm
	run "$SBX_EXEC" --profile=tight -- pwd
	assert_status 0
	assert_output_contains /dev/shm
	# nothing of the sandbox's reached the host's /dev/shm (the staging
	# files a bind over it used to leave there; the file written inside)
	[ ! -e "/dev/shm/f-$$" ]
	[ ! -e /dev/shm/ro ]
	[ ! -e /dev/shm/wh ]
	[ -z "$(find /dev/shm -maxdepth 1 -name 'redact.*' -user "$(id -u)")" ]
	rm -rf "$d"
}

@test "/dev/shm: a hand-made shim line that would mount over the staging tmpfs is refused, and nothing lands there" {
	if ! have_userns; then
		run "$BUILD/sbx-shim" --unshare-user --ro-root --bind /dev -- sh -c "echo ran"
		assert_status 125
		refute_output_contains ran
		return
	fi
	echo "token=x" >"$HOME/.npmrc"
	local before
	before=$(find /dev/shm -maxdepth 1 -name 'redact.*' | wc -l)
	# (control: the same line without the bind runs)
	run "$BUILD/sbx-shim" --unshare-user --unshare-pid --unshare-ipc --chdir "$WORK/proj" --ro-root \
		--redact "$HOME/.npmrc" -- true
	assert_status 0
	for bind in /dev /dev/shm; do
		run "$BUILD/sbx-shim" --unshare-user --unshare-pid --unshare-ipc --chdir "$WORK/proj" \
			--ro-root --bind "$bind" --redact "$HOME/.npmrc" -- sh -c "echo ran"
		assert_status 125
		refute_output_contains ran
		assert_output_contains "$bind: a mount there would cover the sandbox's staging tmpfs"
	done
	[ "$(find /dev/shm -maxdepth 1 -name 'redact.*' | wc -l)" = "$before" ]
	[ ! -e /dev/shm/ro ]
	[ ! -e /dev/shm/wh ]
}

