#!/usr/bin/env bats
# libsbx-preload.so: every interposed call run three ways (without the
# library: allowed; with it: denied with the kernel's errno; from another
# library's constructor: denied), differential runs against unwrapped libc
# on allowed paths, fail-closed configs, the library staying in children,
# and the documented bypasses (static binaries, raw syscalls) being real.
# Outcomes are checked from the host side: a snapshot of the target tree
# before and after each run.

load helpers

setup() {
	setup_workdir
	LIB=$BUILD/libsbx-preload.so
	PX=$BUILD/sbx-preload-exec
	PP=$BUILD/pprobes
	[ -r "$LIB" ] && [ -x "$PX" ] && [ -x "$PP/probe" ] || {
		echo "build the preload targets first (make check does)" >&2
		return 1
	}
	WORK=$(pwd -P)
	cat >paths.cfg <<-EOF
		sbx-preload 1
		write-scope
		read-deny $WORK/deny
		write $WORK/ok
		end
	EOF
	printf 'sbx-preload 1\nno-exec\nend\n' >noexec.cfg
}

# mkarea DIR: the same small tree for every run.
mkarea() {
	rm -rf "$1"
	mkdir -p "$1/dir" "$1/emptydir" "$1/full"
	echo data >"$1/file"
	echo x >"$1/full/x"
	ln -s file "$1/link"
	ln -s loop "$1/loop"
	"$PP/probe" bind "$1/sock" >/dev/null
}

# snap DIR [times]: what a host sees of DIR.
snap() {
	local fmt='%p %y %m %s %l'
	[ "${2:-}" = times ] && fmt='%p %y %m %s %l %T@ %C@'
	(cd "$1" && find . -printf "$fmt\n" | sort)
}

# The three runners. Each prints the probe's line(s); a denied call's exit
# status is not a test failure (its output is checked).
nolib() { "$PP/probe" "$@" 2>&1 || true; }
withlib() { "$PX" --lib="$LIB" --config="$CFG" -- "$PP/probe" "$@" 2>&1 || true; }
inctor() { SBX_PROBE_CTOR="$*" "$PX" --lib="$LIB" --config="$CFG" -- "$PP/ctorprobe" 2>&1 || true; }

# args TEMPLATE AREA: the template with A replaced by the area.
args() { echo "${1//A/$2}"; }

FAILS=()
fail_case() { FAILS+=("$*"); }
report() {
	if [ "${#FAILS[@]}" -gt 0 ]; then
		printf '%s\n' "${FAILS[@]}" >&2
		return 1
	fi
}

# Calls that read or look at a path: denied under read-deny.
READ_CASES=(
	"open_r A/file" "open64_r A/file" "openat_r A/file" "__open_2 A/file"
	"__open64_2 A/file" "__openat_2 A/file" "__openat64_2 A/file" "fopen_r A/file"
	"fopen64_r A/file" "freopen_r A/file" "opendir A/dir" "stat A/file" "stat64 A/file"
	"lstat A/link" "lstat64 A/link" "fstatat A/file" "fstatat64 A/file" "statx A/file"
	"access_r A/file" "access_f A/file" "euidaccess A/file" "eaccess A/file"
	"faccessat A/file" "readlink A/link" "readlinkat A/link" "connect A/sock"
)

# Calls that change the tree: denied outside the write scope.
WRITE_CASES=(
	"open_w A/new" "open_trunc A/file" "openat64_w A/new" "creat A/new" "creat64 A/new"
	"fopen_w A/new" "fopen_a A/new" "mkdir A/newdir" "mkdirat A/newdir" "mknod A/fifo"
	"mknodat A/fifo" "mkfifo A/fifo" "mkfifoat A/fifo" "unlink A/file" "unlinkat A/file"
	"rmdir A/emptydir" "rename A/file A/renamed" "renameat A/file A/renamed"
	"renameat2 A/file A/renamed" "link A/file A/hard" "linkat A/file A/hard"
	"symlink file A/sl" "symlinkat file A/sl" "chmod A/file" "fchmodat A/file"
	"chown A/file" "lchown A/link" "fchownat A/file" "truncate A/file" "truncate64 A/file"
	"utime A/file" "utimes A/file" "lutimes A/link" "utimensat A/file" "futimesat A/file"
	"bind A/newsock"
)

@test "preload: read and metadata calls: allowed without, EACCES with, EACCES from a constructor" {
	CFG=paths.cfg
	for c in "${READ_CASES[@]}"; do
		mkarea deny
		before=$(snap deny times)
		out=$(nolib $(args "$c" "$WORK/deny"))
		want=OK
		[[ $c == connect* ]] && want="ERR ECONNREFUSED" # the kernel was reached
		[[ $out == "$want"* ]] || fail_case "$c: without the library: $out"
		[[ $c == open_r* || $c == fopen_r* ]] && [[ $out != "OK data" ]] && fail_case "$c: read '$out'"
		out=$(withlib $(args "$c" "$WORK/deny"))
		[ "$out" = "ERR EACCES" ] || fail_case "$c: with the library: $out"
		out=$(inctor $(args "$c" "$WORK/deny"))
		[ "$out" = "CTOR ERR EACCES" ] || fail_case "$c: from a constructor: $out"
		[ "$(snap deny times)" = "$before" ] || fail_case "$c: the tree changed"
	done
	report
}

@test "preload: write calls: allowed without (tree changes), EACCES with and from a constructor (tree unchanged)" {
	CFG=paths.cfg
	for c in "${WRITE_CASES[@]}"; do
		mkarea ro
		before=$(snap ro times)
		out=$(nolib $(args "$c" "$WORK/ro"))
		[[ $out == OK* ]] || fail_case "$c: without the library: $out"
		[ "$(snap ro times)" != "$before" ] || fail_case "$c: without the library, nothing changed"
		mkarea ro
		before=$(snap ro times)
		out=$(withlib $(args "$c" "$WORK/ro"))
		[ "$out" = "ERR EACCES" ] || fail_case "$c: with the library: $out"
		out=$(inctor $(args "$c" "$WORK/ro"))
		[ "$out" = "CTOR ERR EACCES" ] || fail_case "$c: from a constructor: $out"
		[ "$(snap ro times)" = "$before" ] || fail_case "$c: denied, yet the tree changed"
	done
	report
}

@test "preload: differential: on allowed paths the library changes nothing" {
	CFG=paths.cfg
	local c
	# Reads: same output (inode numbers included) with and without.
	mkarea ok
	for c in "${READ_CASES[@]}" "stat A/missing" "open_r A/missing/x" "open_r A/file/x" \
		"readlink A/file" "stat A/loop" "opendir A/file"; do
		a=$(nolib $(args "$c" "$WORK/ok"))
		b=$(withlib $(args "$c" "$WORK/ok"))
		[ "$a" = "$b" ] || fail_case "$c: without '$a', with '$b'"
	done
	# Writes: same output and the same resulting tree (times aside).
	for c in "${WRITE_CASES[@]}" "mkdir A/dir" "rmdir A/full" "unlink A/missing" \
		"bind A/sock" "open_w A/dir" "symlink x A/file"; do
		mkarea ok
		a=$(nolib $(args "$c" "$WORK/ok"))
		sa=$(snap ok)
		mkarea ok
		b=$(withlib $(args "$c" "$WORK/ok"))
		sb=$(snap ok)
		[ "$a" = "$b" ] || fail_case "$c: without '$a', with '$b'"
		[ "$sa" = "$sb" ] || fail_case "$c: the trees differ"
	done
	report
}

EXEC_CASES=(
	"execve /usr/bin/touch M" "execveat /usr/bin/touch M" "fexecve /usr/bin/touch M"
	"execv /usr/bin/touch M" "execvp touch M" "execvpe touch M" "execl /usr/bin/touch M"
	"execlp touch M" "execle /usr/bin/touch M" "posix_spawn /usr/bin/touch M"
	"posix_spawnp touch M"
)

@test "preload: exec family under no-exec: runs without, EACCES with and from a constructor" {
	CFG=noexec.cfg
	for c in "${EXEC_CASES[@]}" "system:touch M" "popen:touch M"; do
		name=${c%%[ :]*}
		marker=$WORK/ran-$name
		rm -f "$marker"
		if [[ $c == *:* ]]; then
			set -- "$name" "${c#*:}"
			set -- "$1" "${2//M/$marker}"
		else
			set -- $(echo "${c//M/$marker}")
		fi
		out=$(nolib "$@")
		[ -e "$marker" ] || fail_case "$c: without the library the program did not run: $out"
		rm -f "$marker"
		out=$(withlib "$@")
		[ "$out" = "ERR EACCES" ] || fail_case "$c: with the library: $out"
		[ ! -e "$marker" ] || fail_case "$c: with the library the program ran"
		if [[ $c != *:* ]]; then # the constructor probe splits on spaces
			out=$(inctor "$@")
			[ "$out" = "CTOR ERR EACCES" ] || fail_case "$c: from a constructor: $out"
			[ ! -e "$marker" ] || fail_case "$c: from a constructor the program ran"
		fi
	done
	report
}

@test "preload: a call forwarded unchecked before the library's constructor still reaches libc" {
	CFG=paths.cfg
	mkarea ok
	run nolib fopen_bad "$WORK/ok/file"
	[ "$output" = "ERR EINVAL" ]
	run inctor fopen_bad "$WORK/ok/file"
	[ "$output" = "CTOR ERR EINVAL" ]
}

@test "preload: no-exec reports ENOENT for a missing program, as libc and the kernel do" {
	CFG=noexec.cfg
	# A PATH every user can search: an unsearchable entry makes libc itself
	# answer EACCES, and so does the library.
	export PATH=/usr/bin:/bin
	for c in "execve $WORK/nothing-here" "execvp no-such-program-anywhere" \
		"posix_spawnp no-such-program-anywhere" "posix_spawn $WORK/nothing-here"; do
		a=$(nolib $c)
		b=$(withlib $c)
		[ "$a" = "ERR ENOENT" ] || fail_case "$c: without the library: $a"
		[ "$b" = "$a" ] || fail_case "$c: with the library: $b, without: $a"
	done
	report
}

@test "preload: children keep the library even when they drop it from their environment" {
	CFG=paths.cfg
	mkarea deny
	# Positive control: without the library the child reads the file.
	run nolib execve_noenv "$PP/probe" open_r "$WORK/deny/file"
	[ "$output" = "OK data" ]
	run withlib execve_noenv "$PP/probe" open_r "$WORK/deny/file"
	[ "$output" = "ERR EACCES" ]
	run withlib execve_noenv "$PP/probe" maps
	[ "$output" = "LOADED" ]
	run withlib execve_noenv /usr/bin/env
	assert_output_contains "LD_PRELOAD=$LIB"
	assert_output_contains "SBX_PRELOAD_FD="
	# system and popen run /bin/sh with environ: the shell's children too.
	run env -u LD_PRELOAD "$PX" --lib="$LIB" --config="$CFG" -- "$PP/probe" popen \
		"env -u LD_PRELOAD $PP/probe open_r $WORK/deny/file"
	[ "$output" = "OK ERR EACCES" ]
	run withlib system "$PP/probe open_r $WORK/deny/file"
	[ "${lines[0]}" = "ERR EACCES" ]
}

@test "preload: a set-id program would drop the library, so exec'ing it is refused" {
	CFG=paths.cfg
	cp /usr/bin/true ./suid-true
	chmod u+s ./suid-true
	run nolib execve "$WORK/suid-true"
	assert_status 0
	run withlib execve "$WORK/suid-true"
	[ "$output" = "ERR EACCES" ]
}

@test "preload: a missing, unsealed or malformed policy makes every guarded call fail" {
	mkarea ok
	run "$PP/probe" stat "$WORK/ok/file"
	[[ $output == OK* ]]
	# No descriptor at all.
	run env LD_PRELOAD="$LIB" "$PP/probe" stat "$WORK/ok/file"
	assert_output_contains "ERR EACCES"
	assert_output_contains "sbx-preload: no policy descriptor"
	# A descriptor that is a plain file (could be rewritten): not sealed.
	run env LD_PRELOAD="$LIB" SBX_PRELOAD_FD=7 "$PP/probe" stat "$WORK/ok/file" 7<paths.cfg
	assert_output_contains "ERR EACCES"
	assert_output_contains "not sealed"
	# Malformed: truncated (no end line), unknown key, relative path.
	for bad in 'sbx-preload 1\n' 'sbx-preload 1\nallow-all\nend\n' \
		'sbx-preload 1\nwrite ok\nend\n' 'sbx-preload 2\nend\n'; do
		printf "$bad" >bad.cfg
		CFG=bad.cfg run withlib stat "$WORK/ok/file"
		assert_output_contains "ERR EACCES"
		CFG=bad.cfg run withlib execve /usr/bin/true
		assert_output_contains "ERR EACCES"
	done
	# And a good one allows the same call.
	CFG=paths.cfg run withlib stat "$WORK/ok/file"
	[[ $output == OK* ]]
}

@test "preload: symlinks and .. do not get around read-deny or the write scope" {
	CFG=paths.cfg
	mkarea deny
	mkarea ok
	ln -s ../deny/file ok/to-deny
	ln -s ../ro/made ok/dangling
	mkdir -p ro
	run withlib open_r "$WORK/ok/to-deny"
	[ "$output" = "ERR EACCES" ]
	run withlib open_r "$WORK/ok/../deny/./file"
	[ "$output" = "ERR EACCES" ]
	run withlib open_r "ok/dir/../../deny//file"
	[ "$output" = "ERR EACCES" ]
	# Creating through a dangling symlink would land outside the scope.
	run withlib open_w "$WORK/ok/dangling"
	[ "$output" = "ERR EACCES" ]
	[ ! -e ro/made ]
	run nolib open_w "$WORK/ok/dangling"
	[ "$output" = "OK" ]
	[ -e ro/made ]
}

@test "preload: documented bypass: a static binary's raw execve runs under no-exec" {
	CFG=noexec.cfg
	# sbx-preload-exec refuses a static program (see preload_wiring.bats);
	# --unchecked shows what would happen without that check.
	run "$PX" --unchecked --lib="$LIB" --config="$CFG" -- "$PP/static-rawexec" exec /usr/bin/touch "$WORK/static-ran"
	assert_status 0
	[ -e "$WORK/static-ran" ]
	# A dynamic program's raw syscall is not seen either.
	run withlib raw_execve /usr/bin/touch "$WORK/raw-ran"
	[ -e "$WORK/raw-ran" ]
	# ...while the same program's libc execve is refused (control).
	run withlib execve /usr/bin/touch "$WORK/libc-ran"
	[ "$output" = "ERR EACCES" ]
	[ ! -e "$WORK/libc-ran" ]
}

@test "preload: documented bypass: raw syscalls and static children read a read-denied file" {
	CFG=paths.cfg
	mkarea deny
	run withlib open_r "$WORK/deny/file"
	[ "$output" = "ERR EACCES" ]
	run withlib raw_open_r "$WORK/deny/file"
	[ "$output" = "OK data" ]
	run withlib execve "$PP/static-rawexec" cat "$WORK/deny/file"
	[ "$output" = "OK data" ]
}
