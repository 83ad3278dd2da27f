#!/usr/bin/env bats
# Where plans use libsbx-preload.so: the landlock backend on a kernel
# without Landlock (tests/probes/deny landlock) or without seccomp user
# notification (deny notify), under --best-effort only; and proc.no_exec in
# the docker backends, where sbx-preload-exec refuses an image whose loader
# would not load the library. Outcomes are checked from the host side (the
# file was or was not created), each with a positive control; the static
# bypass the caveat names is shown to be real.

bats_require_minimum_version 1.5.0
load helpers
load containers

export SBX_DOCKER_IMAGE=${SBX_DOCKER_IMAGE:-sbx-test-busybox:1}
GLIBC_IMAGE=sbx-test-glibc:wiring

setup() {
	setup_workdir
	WORK=$(pwd -P)
	LIB=$BUILD/libsbx-preload.so
	PP=$BUILD/pprobes
	[ -r "$LIB" ] && [ -x "$BUILD/sbx-preload-exec" ] && [ -x "$PP/static-rawexec" ] || {
		echo "build the preload targets first (make check does)" >&2
		return 1
	}
	mkdir -p "$WORK/out"
	# scoped writes to out/ only, nothing implicit
	POL=(--backend=landlock --read-deny= --env-deny= --allow-temp=false --write=scope
		--writable= --writable="$WORK/out")
}

# The launcher with Landlock (and user notification) taken away. Without
# Landlock but with user namespaces the write policy is held by read-only
# mounts (its own test below); these take user namespaces away too, where
# only the library can hold it.
nolandlock() { "$PROBES/deny" landlock -- "$PROBES/deny" userns -- "$SBX_EXEC" "$@"; }
nonotify() { "$PROBES/deny" notify -- "$SBX_EXEC" "$@"; }
neither() { "$PROBES/deny" landlock -- "$PROBES/deny" userns -- "$PROBES/deny" notify -- "$SBX_EXEC" "$@"; }

@test "no Landlock, with user namespaces: read-only mounts hold the write scope, even for a static binary" {
	if ! have_userns; then
		# no read-only mounts to fall back on: refused, and nothing ran
		run "$PROBES/deny" landlock -- "$SBX_EXEC" "${POL[@]}" -- "$PP/static-rawexec" write "$WORK/static"
		assert_status 125
		assert_output_contains "cannot enforce fs.write.scope"
		[ ! -e "$WORK/static" ]
		return
	fi
	run "$PROBES/deny" landlock -- "$SBX_EXEC" "${POL[@]}" --print -- true
	assert_status 0
	assert_output_contains "every host mount read-only"
	refute_output_contains "preload only"
	run "$PROBES/deny" landlock -- "$SBX_EXEC" "${POL[@]}" -- "$PP/static-rawexec" write "$WORK/static"
	[ "$status" -ne 0 ]
	[ ! -e "$WORK/static" ]
	# positive control: inside the writable path the same binary writes
	run "$PROBES/deny" landlock -- "$SBX_EXEC" "${POL[@]}" -- "$PP/static-rawexec" write "$WORK/out/static"
	assert_status 0
	[ "$(cat "$WORK/out/static")" = static ]
}

@test "no Landlock: without --best-effort the write scope is a 125 naming it, and nothing runs" {
	run nolandlock "${POL[@]}" -- sh -c "echo ran > '$WORK/out/ran'"
	assert_status 125
	assert_output_contains "fs.write.scope (Landlock is not available"
	assert_output_contains "with --best-effort, libsbx-preload.so holds it"
	[ ! -e "$WORK/out/ran" ]
}

@test "no Landlock: --print names the library, the capabilities only it holds and the caveat" {
	run nolandlock "${POL[@]}" --best-effort --print -- true
	assert_status 0
	assert_output_contains "preload only:         fs.write.scope"
	assert_output_contains "fs.write.scope      libsbx-preload.so (LD_PRELOAD, policy in a sealed memfd) only"
	assert_output_contains "static binaries, raw syscalls, io_uring"
	assert_output_contains "--preload $LIB --preload-policy"
	refute_output_contains "--ll-"
	# what nothing holds without Landlock stays NOT ENFORCED
	run nolandlock "${POL[@]}" --best-effort --write=ephemeral --writable= --print -- true
	assert_output_contains "NOT ENFORCED:         fs.write.ephemeral"
	refute_output_contains "preload only"
	run nolandlock "${POL[@]}" --best-effort --print --json -- true
	assert_output_contains '"preload_only":["fs.write.scope"]'
	# with Landlock the kernel holds it and the library is not used
	if [ "$(host_json | grep -o '"landlock_abi":[0-9]*' | cut -d: -f2)" -gt 0 ]; then
		run sbx "${POL[@]}" --best-effort --print -- true
		refute_output_contains "preload"
	fi
}

@test "no Landlock, --best-effort: a dynamic command writes only in the scope" {
	echo keep >"$WORK/existing"
	run nolandlock "${POL[@]}" --best-effort -- sh -c \
		"echo yes > '$WORK/out/f'; echo no > '$WORK/g'; echo no > '$WORK/existing'; mkdir '$WORK/d'"
	assert_output_contains "held only by libsbx-preload.so"
	[ "$(cat "$WORK/out/f")" = yes ]
	[ ! -e "$WORK/g" ]
	[ ! -e "$WORK/d" ]
	[ "$(cat "$WORK/existing")" = keep ]
	# the library loads into the command alone, and its children keep it
	run nolandlock "${POL[@]}" --best-effort -- sh -c \
		"grep -c libsbx-preload /proc/\$\$/maps > out/maps; sh -c 'echo \$LD_PRELOAD' > out/env"
	[ "$(cat "$WORK/out/maps")" -ge 1 ]
	[ "$(cat "$WORK/out/env")" = "$LIB" ]
}

@test "no Landlock, no user notification: --no-exec held by the library; without --best-effort 125" {
	run neither "${POL[@]}" --no-exec -- sh -c "touch '$WORK/out/t'"
	assert_status 125
	assert_output_contains "proc.no_exec (needs seccomp user notification"
	[ ! -e "$WORK/out/t" ]
	run neither "${POL[@]}" --best-effort --no-exec --print -- true
	assert_output_contains "preload only:         fs.write.scope proc.no_exec"
	refute_output_contains " --no-exec"
	# positive control: the same command without --no-exec runs touch
	run neither "${POL[@]}" --best-effort -- sh -c "touch '$WORK/out/t'"
	[ -e "$WORK/out/t" ]
	rm "$WORK/out/t"
	run neither "${POL[@]}" --best-effort --no-exec -- sh -c "echo alive > '$WORK/out/a'; touch '$WORK/out/t'"
	[ "$(cat "$WORK/out/a")" = alive ]
	[ ! -e "$WORK/out/t" ]
}

@test "Landlock without user notification: the library's path is readable under a read scope" {
	requires landlock=1
	run nonotify "${POL[@]}" --best-effort --no-exec --readable="$WORK" --print -- sh
	assert_output_contains "--ll-read-try $LIB"
	assert_output_contains "preload only:         proc.no_exec"
	run nonotify "${POL[@]}" --best-effort --no-exec --readable="$WORK" -- \
		sh -c "echo alive > '$WORK/out/a'; touch '$WORK/out/t'"
	[ "$(cat "$WORK/out/a")" = alive ]
	[ ! -e "$WORK/out/t" ]
	# Landlock still holds the write scope
	run nonotify "${POL[@]}" --best-effort --readable="$WORK" -- sh -c "echo no > '$WORK/g'"
	[ ! -e "$WORK/g" ]
}

@test "no Landlock: documented bypass: a static binary writes and execs past the library" {
	# control: the dynamic shell is held
	run nolandlock "${POL[@]}" --best-effort -- sh -c "echo no > '$WORK/dyn'"
	[ ! -e "$WORK/dyn" ]
	run nolandlock "${POL[@]}" --best-effort -- "$PP/static-rawexec" write "$WORK/static"
	assert_status 0
	[ "$(cat "$WORK/static")" = static ]
	run neither "${POL[@]}" --best-effort --no-exec -- "$PP/static-rawexec" exec /bin/sh -c "echo ran > '$WORK/out/ran'"
	[ "$(cat "$WORK/out/ran")" = ran ]
}

@test "no Landlock: a library that cannot be found or loaded means nothing runs" {
	SBX_PRELOAD_LIB=$WORK/missing.so run nolandlock "${POL[@]}" --best-effort -- sh -c "echo ran > '$WORK/out/ran'"
	assert_status 125
	assert_output_contains "libsbx-preload.so, which would hold it here, is not at $WORK/missing.so"
	echo "not an ELF file" >"$WORK/fake.so"
	SBX_PRELOAD_LIB=$WORK/fake.so run nolandlock "${POL[@]}" --best-effort -- sh -c "echo ran > '$WORK/out/ran'"
	assert_status 125
	assert_output_contains "not an ELF shared object"
	[ ! -e "$WORK/out/ran" ]
}

# --- docker -------------------------------------------------------------

docker_setup() {
	chmod 755 "$WORK"
	export TMPDIR=$WORK/.tmp
	mkdir -p "$TMPDIR"
	CGROUPS_BEFORE=$(sbx_cgroups)
	docker_state
}

# dkp BACKEND [OPTION]... -- COMMAND: no network, writes to out/ only.
dkp() {
	local b=$1
	shift
	sbx --backend="$b" --profile=tight --read-deny= --write=scope --writable="$WORK/out" \
		--readable="$PP" --dir="$WORK/out" "$@"
}

# A small glibc image from this host's own files: sh, touch, their
# libraries; imported for the test and removed after it.
glibc_image() {
	local root=$WORK/.image f lib
	mkdir -p "$root"
	for f in /bin/sh /usr/bin/touch; do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
		for lib in $(ldd "$(readlink -f "$f")" | grep -o '/[^ )]*'); do
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
	done
	tar -C "$root" -c . | docker import - "$GLIBC_IMAGE" >/dev/null
	rm -rf "$root"
	IMPORTED=1
}

teardown() {
	[ -z "${IMPORTED:-}" ] || docker rmi "$GLIBC_IMAGE" >/dev/null
}

t_busybox() {
	local b=$1
	run dkp "$b" --no-exec -- sh -c "echo ran > '$WORK/out/ran'"
	assert_status 125
	assert_output_contains "proc.no_exec (with --best-effort, libsbx-preload.so holds it"
	run dkp "$b" --no-exec --best-effort --print -- sh
	assert_output_contains "preload only:         proc.no_exec"
	assert_output_contains "dst=/.sbx/libsbx-preload.so,readonly"
	assert_output_contains "--entrypoint=/.sbx/sbx-preload-exec"
	# busybox is static: the library could not load, so nothing runs
	run dkp "$b" --no-exec --best-effort -- sh -c "echo ran > '$WORK/out/ran'"
	assert_status 125
	assert_output_contains "refusing to run sh: /bin/sh is statically linked"
	[ ! -e "$WORK/out/ran" ]
	# control: without --no-exec the same command runs
	run dkp "$b" -- sh -c "echo ran > '$WORK/out/ran'"
	assert_status 0
	[ "$(cat "$WORK/out/ran")" = ran ]
	assert_no_leftovers
}

@test "docker: --no-exec in a static image is refused, never run unprotected" {
	docker_setup
	if [ -z "$DOCKER_UP" ]; then
		run dkp docker-ephemeral --no-exec --best-effort -- true
		assert_status 125
		assert_output_contains 'cannot reach the Docker daemon'
		return 0
	fi
	t_busybox docker-ephemeral
	rm -f "$WORK/out/ran"
	t_busybox docker-runsc-ephemeral
}

t_glibc() {
	local b=$1
	rm -f "$WORK"/out/*
	# control: touch runs without --no-exec
	SBX_DOCKER_IMAGE=$GLIBC_IMAGE run dkp "$b" -- sh -c "touch '$WORK/out/t'"
	assert_status 0
	[ -e "$WORK/out/t" ]
	rm "$WORK/out/t"
	SBX_DOCKER_IMAGE=$GLIBC_IMAGE run dkp "$b" --no-exec --best-effort -- \
		sh -c "echo alive > '$WORK/out/a'; touch '$WORK/out/t'; echo \$? > '$WORK/out/rc'"
	assert_status 0
	[ "$(cat "$WORK/out/a")" = alive ]
	[ ! -e "$WORK/out/t" ]
	[ "$(cat "$WORK/out/rc")" = 126 ]
	# a static command in the same image: refused, not run
	SBX_DOCKER_IMAGE=$GLIBC_IMAGE run dkp "$b" --no-exec --best-effort -- \
		"$PP/static-rawexec" write "$WORK/out/static"
	assert_status 125
	assert_output_contains "statically linked"
	[ ! -e "$WORK/out/static" ]
	assert_no_leftovers
}

@test "docker: --no-exec held by the library in a glibc image; a static command there is refused" {
	docker_setup
	if [ -z "$DOCKER_UP" ]; then
		SBX_DOCKER_IMAGE=$GLIBC_IMAGE run dkp docker-runsc-ephemeral --no-exec --best-effort -- true
		assert_status 125
		assert_output_contains 'cannot reach the Docker daemon'
		return 0
	fi
	glibc_image
	t_glibc docker-ephemeral
	t_glibc docker-runsc-ephemeral
}
