#!/usr/bin/env bats
# write_deny.bats: --write-deny=PATH keeps a path from being changed,
# renamed or removed even inside a writable path, while reads and every
# other write there still work. Checked from the host side after each run:
# the content, the name and the directory around it are as they were, and
# the positive controls (a sibling, a new file) did land.

load helpers

setup() {
	requires landlock=1
	# not under the temp dir (the agent profile writes it through)
	WORK=$(mktemp -d /var/tmp/sbx-wd.XXXXXX)
	chmod 755 "$WORK"
	export HOME=$WORK/home
	P=$WORK/home/proj
	mkdir -p "$P/.git/hooks" "$P/sub"
	echo orig >"$P/.envrc"
	echo hook >"$P/.git/hooks/pre-commit"
	echo keep >"$P/sub/f"
	cd "$P" || return 1
}

teardown() {
	cd /
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
}

# Every route at a protected file, a protected directory and the
# directories on the way; each line says what the route did.
attack() {
	cat <<-'EOF'
		echo x > .envrc; echo "write $?"
		echo x >> .envrc; echo "append $?"
		truncate -s 0 .envrc; echo "truncate $?"
		chmod 777 .envrc; echo "chmod $?"
		touch -d 2001-01-01 .envrc; echo "utime $?"
		rm -f .envrc; echo "rm $?"
		mv .envrc moved; echo "mv $?"
		echo new > t.tmp && mv t.tmp .envrc; echo "replace $?"
		ln .envrc hard; echo "link $?"
		mv sub sub2; echo "mvdir $?"
		rm -rf sub; echo "rmdir $?"
		touch .git/hooks/post-commit; echo "hookdir $?"
		echo evil > .git/hooks/pre-commit; echo "hook $?"
		mv .git g2; echo "mvgit $?"
		echo mine > mine.txt; echo "control $?"
		echo sib > sub/other; echo "sibling $?"
		cat .envrc
	EOF
}

check_host_unchanged() {
	[ "$(cat "$P/.envrc")" = orig ]
	[ "$(stat -c %a "$P/.envrc")" != 777 ]
	[ "$(stat -c %Y "$P/.envrc")" -gt 1000000000 ]
	[ ! -e "$P/moved" ] && [ ! -e "$P/hard" ] && [ ! -e "$P/sub2" ] && [ ! -e "$P/g2" ]
	[ "$(cat "$P/sub/f")" = keep ]
	[ "$(cat "$P/.git/hooks/pre-commit")" = hook ]
	[ ! -e "$P/.git/hooks/post-commit" ]
}

@test "write-deny: a protected file, directory and the way to them hold on every route; the rest writes" {
	if ! have_userns; then
		refused_without_userns --write-deny=.envrc
		return
	fi
	local w
	for w in "" "--write=scope --writable=."; do
		# shellcheck disable=SC2086
		run sbx $w --write-deny=.envrc --write-deny=.git/hooks --write-deny=sub/f -- sh -c "$(attack)"
		for route in write append truncate chmod utime rm mv replace link mvdir rmdir hookdir hook mvgit; do
			grep -qE "^$route [1-9]" <<<"$output" || {
				echo "[$w] $route was not refused: $output" >&2
				return 1
			}
		done
		assert_output_contains "control 0"
		assert_output_contains "sibling 0"
		assert_output_contains "orig"
		check_host_unchanged
		# positive controls, on the host: the new file and the sibling landed
		[ "$(cat "$P/mine.txt")" = mine ]
		[ "$(cat "$P/sub/other")" = sib ]
		rm -f "$P/mine.txt" "$P/sub/other" "$P/t.tmp"
	done
	# and with the protections cleared the same write does change it (control)
	run sbx --write=scope --writable=. --write-deny= -- sh -c "echo x > .envrc"
	assert_status 0
	[ "$(cat "$P/.envrc")" = x ]
}

@test "write-deny on gvisor: the same routes are refused, the rest writes" {
	if ! backend_available gvisor; then
		# (runsc missing, or no user namespaces for it): the honest refusal
		run sbx --backend=gvisor --write=scope --writable=. --write-deny=.envrc -- touch "$P/ran"
		assert_status 125
		[ ! -e "$P/ran" ]
		return
	fi
	run sbx --backend=gvisor --read-deny= --write=scope --writable=. --write-deny=.envrc --write-deny=.git/hooks --write-deny=sub/f -- sh -c "$(attack)"
	for route in write append truncate chmod utime rm mv replace link mvdir rmdir hookdir hook mvgit; do
		grep -qE "^$route [1-9]" <<<"$output" || {
			echo "gvisor: $route was not refused: $output" >&2
			return 1
		}
	done
	assert_output_contains "control 0"
	assert_output_contains "sibling 0"
	check_host_unchanged
	[ "$(cat "$P/mine.txt")" = mine ]
	[ "$(cat "$P/sub/other")" = sib ]
}

@test "write-deny: git works with its hooks and config protected" {
	if ! have_userns; then
		refused_without_userns --write-deny=.git/hooks
		return
	fi
	command -v git >/dev/null || skip_or_fail "needs git" || return 1
	rm -rf "$P/.git"
	git init -q .
	git config user.email t@example.com
	git config user.name t
	echo a >a
	run sbx --write-deny=.git/hooks --write-deny=.git/config -- sh -c \
		'git add a && git commit -qm one && echo committed; git config core.hooksPath /tmp/x; echo "config $?"; echo evil > .git/hooks/pre-commit; echo "hook $?"'
	assert_output_contains committed
	refute_output_contains "config 0"
	refute_output_contains "hook 0"
	[ "$(git log --format=%s)" = one ]
	[ -z "$(git config core.hooksPath || true)" ]
	[ ! -e .git/hooks/pre-commit ]
}

# Every route that could make a protected name that does not exist yet;
# each line says what the route did, and the controls beside them land.
create_attack() {
	cat <<-'EOF'
		echo x > .vscode; echo "write $?"
		mkdir .vscode; echo "mkdir $?"
		mkdir -p sub/.vscode; echo "deeper $?"
		echo f > f.tmp; mv f.tmp .vscode; echo "mv $?"
		mkdir d.tmp; mv d.tmp .vscode; echo "mvdir $?"
		ln -s elsewhere .vscode; echo "symlink $?"
		echo h > h.tmp; ln h.tmp .vscode; echo "link $?"
		ln -s .vscode dangling; echo y > dangling; echo "follow $?"
		(cd sub && echo z > ../.vscode); echo "relative $?"
		echo p > /proc/self/cwd/.vscode; echo "procself $?"
		mv -T h.tmp .vscode; echo "mvT $?"
		mkfifo .vscode; echo "mkfifo $?"
		python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind(".vscode")' 2>/dev/null; echo "bind $?"
		python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("sub/../.vscode")' 2>/dev/null; echo "bindrel $?"
		python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("c.sock")'; echo "controlbind $?"
		echo c > control; echo "control $?"
		mkdir cdir && mv cdir cdir2; echo "controldir $?"
		ln -s control clink && ln control chard; echo "controllink $?"
		(cd sub && echo s > ../csub); echo "controlsub $?"
	EOF
}

@test "write-deny: a missing path whose directory exists cannot be made, by any route" {
	if ! have_userns; then
		refused_without_userns --write-deny=.vscode
		return
	fi
	command -v python3 >/dev/null || skip_or_fail "needs python3" || return 1
	run sbx --write-deny=.vscode -- sh -c "$(create_attack)"
	for r in write mkdir mv mvdir symlink link follow relative procself mvT mkfifo bind bindrel; do
		grep -qx "$r [12]" <<<"$output"
	done
	for r in deeper control controldir controllink controlsub controlbind; do
		grep -qx "$r 0" <<<"$output"
	done
	# from the host: nothing by that name, and the controls landed
	[ ! -e "$P/.vscode" ] && [ ! -L "$P/.vscode" ]
	[ "$(cat "$P/control")" = c ] && [ -d "$P/cdir2" ] && [ -L "$P/clink" ] && [ -e "$P/chard" ]
	[ "$(cat "$P/csub")" = s ] && [ -d "$P/sub/.vscode" ] && [ -e "$P/h.tmp" ] && [ -S "$P/c.sock" ]
	# a dangling link made before the run is not followed to it either
	ln -s .vscode "$P/pre"
	run sbx --write-deny=.vscode -- sh -c 'echo q > pre; echo "pre $?"'
	assert_output_contains "pre 2"
	[ ! -e "$P/.vscode" ]
	# the plan says how, and what a nested sandbox leaves
	run sbx --write-deny=.vscode --print -- true
	assert_output_contains "--deny-create $P/.vscode"
	assert_output_contains "a missing one cannot be made"
	assert_output_contains "adds a seccomp filter of its own"
	# a sandbox inside (its own filter) is checked too
	run sbx --write-deny=.vscode -- env ASAN_OPTIONS=detect_leaks=0 "$SBX_EXEC" --profile=tight --write=scope --writable=. -- sh -c 'echo n > .vscode; echo "nested $?"; echo n > nested-ok; echo "nestedok $?"'
	assert_output_contains "nested 2"
	assert_output_contains "nestedok 0"
	[ ! -e "$P/.vscode" ] && [ "$(cat "$P/nested-ok")" = n ]
}

# Routes at a protected file (.envrc) and directory (.vscode) that the
# host makes while the command runs: the command waits for "go".
late_attack() {
	cat <<-'EOF'
		i=0; while [ ! -e go ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
		python3 -c 'open(".envrc", "r+").write("PWNED")' 2>/dev/null; echo "rw $?"
		echo x >> .envrc; echo "append $?"
		python3 -c 'import os; os.truncate(".envrc", 0)' 2>/dev/null; echo "truncate2 $?"
		truncate -c -s 0 .envrc; echo "truncate $?"
		ln .envrc hard; echo "link $?"
		ln -s .envrc soft && ln -L soft hard2; echo "linkfollow $?"
		python3 -c 'import os; fd = os.open(".envrc", os.O_PATH); os.open("/proc/self/fd/%d" % fd, os.O_WRONLY)' 2>/dev/null; echo "procfd $?"
		mv .envrc moved; echo "mv $?"
		rm -f .envrc; echo "rm $?"
		echo x > .vscode/tasks.json; echo "inside $?"
		echo x > .vscode/settings.json; echo "insideold $?"
		mkdir .vscode/d; echo "insidedir $?"
		(cd .vscode && echo x > rel); echo "insiderel $?"
		rm -rf .vscode; echo "rmdir $?"
		mv .vscode v2; echo "mvdir $?"
		python3 -c 'open(".mcp.json", "r+").write("PWNED")' 2>/dev/null; echo "vialink $?"
		chmod 755 .envrc; echo "chmod $?"
		python3 -c 'import os; os.fchmod(os.open(".envrc", os.O_RDONLY), 0o755)' 2>/dev/null; echo "fchmod $?"
		python3 -c 'import os; os.chmod(os.open(".envrc", os.O_PATH), 0o755)' 2>/dev/null; echo "pathchmod $?"
		chmod 700 .vscode; echo "chmoddir $?"
		chmod 755 .vscode/settings.json; echo "insidechmod $?"
		chown 65534 .envrc 2>/dev/null; echo "chown $?"
		echo c > control; echo "control $?"
		chmod 600 control; echo "controlchmod $?"
		echo d > doomed && rm doomed; echo "controlrm $?"
		echo t > trunc && python3 -c 'import os; os.truncate("trunc", 0)'; echo "controltrunc $?"
	EOF
}

# What late_attack printed (each route refused, each control done) and
# what the host then finds: the files as the host made them.
check_late_routes() {
	output=$(cat "$WORK/out")
	for r in rw append truncate2 truncate link linkfollow procfd mv rm inside insideold insidedir insiderel rmdir mvdir vialink chmod fchmod pathchmod chmoddir insidechmod chown; do
		grep -qx "$r [12]" <<<"$output" || { echo "route $r was not refused: $output"; return 1; }
	done
	for r in control controlrm controltrunc controlchmod; do
		grep -qx "$r 0" <<<"$output" || { echo "control $r failed: $output"; return 1; }
	done
	# from the host: the files are as the host made them
	[ "$(cat "$P/.envrc")" = host ]
	[ "$(cat "$P/.vscode/settings.json")" = '{}' ]
	[ "$(ls -A "$P/.vscode")" = settings.json ]
	# (a link the host made there: not written through either)
	[ "$(cat "$P/mcp-target")" = mcp ]
	[ ! -e "$P/hard" ] && [ ! -e "$P/hard2" ] && [ ! -e "$P/moved" ] && [ ! -e "$P/v2" ]
	[ "$(cat "$P/control")" = c ] && [ ! -e "$P/doomed" ] && [ ! -s "$P/trunc" ]
	[ "$(stat -c %a "$P/control")" = 600 ]
	[ "$(stat -c %a:%u "$P/.envrc")" = "644:$(id -u)" ]
	[ "$(stat -c %a "$P/.vscode")" = 755 ] && [ "$(stat -c %a "$P/.vscode/settings.json")" = 644 ]
}

@test "write-deny: a protected name the host makes during the run is held too" {
	if ! have_userns; then
		refused_without_userns --write-deny=.vscode
		return
	fi
	command -v python3 >/dev/null || skip_or_fail "needs python3" || return 1
	rm -f "$P/.envrc"
	echo mcp >"$P/mcp-target"
	sbx --write-deny=.envrc --write-deny=.vscode --write-deny=.mcp.json -- sh -c "$(late_attack)" >"$WORK/out" 2>&1 &
	local pid=$!
	sleep 0.5
	# the host makes them while the sandbox runs
	echo host >"$P/.envrc"
	mkdir "$P/.vscode"
	echo '{}' >"$P/.vscode/settings.json"
	ln -s mcp-target "$P/.mcp.json"
	touch "$P/go"
	wait "$pid" || true
	check_late_routes
	# the exit names them for review
	assert_output_contains "$P/.envrc appeared during the run"
}

# A protected path that exists is bound read-only in the sandbox's view;
# a host process that replaces it during the run (a save by rename, git's
# config.lock, an rm and a new file, a new directory renamed over the old)
# takes that mount away in every namespace, and the gate holds the new one.
@test "write-deny: a protected path the host replaces during the run is held too" {
	if ! have_userns; then
		refused_without_userns --write-deny=.vscode
		return
	fi
	command -v python3 >/dev/null || skip_or_fail "needs python3" || return 1
	mkdir "$P/.vscode"
	echo old >"$P/.vscode/settings.json"
	echo old >"$P/.mcp.json"
	echo mcp >"$P/mcp-target"
	sbx --write-deny=.envrc --write-deny=.vscode --write-deny=.mcp.json -- sh -c "$(late_attack)" >"$WORK/out" 2>&1 &
	local pid=$!
	sleep 0.5
	# the host replaces them while the sandbox runs
	echo host >"$P/.envrc.new" && mv -f "$P/.envrc.new" "$P/.envrc"
	mkdir "$P/.vscode.new"
	echo '{}' >"$P/.vscode.new/settings.json"
	rm -rf "$P/.vscode" && mv "$P/.vscode.new" "$P/.vscode"
	rm -f "$P/.mcp.json" && ln -s mcp-target "$P/.mcp.json"
	touch "$P/go"
	wait "$pid" || true
	check_late_routes
}

@test "write-deny: /dev/tty opened through the gate is the command's own terminal" {
	if ! have_userns; then
		refused_without_userns --write-deny=.vscode
		return
	fi
	command -v script >/dev/null || skip_or_fail "needs script" || return 1
	command -v python3 >/dev/null || skip_or_fail "needs python3" || return 1
	# the gate opens it for the command (read-write, no O_CREAT): the
	# terminal script gives it, and without one (setsid) none
	local py='import os
fd = os.open("/dev/tty", os.O_RDWR)
os.write(fd, b"via-tty-%d\n" % os.getpid())
try:
    os.setsid()
    os.open("/dev/tty", os.O_RDWR)
    print("nosession open")
except OSError as e:
    print("nosession", e.errno)'
	run script -qec "'$SBX_EXEC' --write-deny=.vscode -- python3 -c '$py'" /dev/null
	assert_output_contains "via-tty-"
	assert_output_contains "nosession 6"
	run sbx --write-deny=.vscode --print -- true
	assert_output_contains "--deny-create $P/.vscode"
}

@test "write-deny: init makes names for the command, never through its own descriptors or /proc/1" {
	if ! have_userns; then
		refused_without_userns --write-deny=.vscode
		return
	fi
	# init's own directory descriptors and cwd are not the caller's: a name
	# made through them, or a write handle to init's memory, would be init
	# acting for itself
	rm -f /tmp/via-* 2>/dev/null || true
	run sbx --write-deny=.vscode -- sh -c 'for n in 3 4 5 6 7 8 9 10 11; do true 2>/dev/null > /proc/1/fd/$n/via-$n; done; true 2>/dev/null > /proc/1/cwd/via-cwd; (exec 3<>/proc/1/mem) 2>/dev/null && echo "mem open"; echo c > control; echo "control $?"'
	assert_output_contains "control 0"
	refute_output_contains "mem open"
	[ -z "$(find "$P" /tmp -maxdepth 1 -name 'via-*' 2>/dev/null)" ]
	[ "$(cat "$P/control")" = c ]
	# the caller's own descriptors by name still open as without the gate
	run sbx --write-deny=.vscode -- sh -c 'echo out > /dev/stdout; echo err > /dev/stderr; exec 4>f4; echo four > /dev/fd/4; cat f4'
	assert_status 0
	assert_output_contains "out"
	assert_output_contains "err"
	assert_output_contains "four"
}

@test "write-deny: a missing path whose directory is missing too is refused (125) unless --best-effort says so" {
	if ! have_userns; then
		refused_without_userns --write-deny=newdir/.vscode
		return
	fi
	run sbx --write-deny=newdir/.vscode -- sh -c 'mkdir -p newdir/.vscode; touch ran'
	assert_status 125
	assert_output_contains "write-deny $P/newdir/.vscode: does not exist"
	[ ! -e "$P/ran" ] && [ ! -e "$P/newdir" ]
	run sbx --best-effort --write-deny=newdir/.vscode --print -- true
	assert_status 0
	assert_output_contains "NOT protected from being created"
}

@test "write-deny: policy key, environment twin, layering, and what cannot hold it" {
	if have_userns; then
		run env SBX_WRITE_DENY="$P/.envrc:sub/f" "$SBX_EXEC" --print -- true
		assert_status 0
		assert_output_contains "--protect $P/.envrc"
		assert_output_contains "--protect $P/sub/f"
		# a denial accumulates over layers; only the empty value clears it
		run env SBX_POLICY="write-deny = .envrc" "$SBX_EXEC" --write-deny=sub/f --print -- true
		assert_output_contains "--protect $P/.envrc"
		assert_output_contains "--protect $P/sub/f"
		run env SBX_POLICY="write-deny = .envrc" "$SBX_EXEC" --write-deny= --print -- true
		assert_status 0
		refute_output_contains "--protect"
	fi
	# through a link a user did not name: refused with the target named
	ln -s sub/f link
	run sbx --write-deny=link -- true
	assert_status 125
	assert_output_contains "symbolic link"
	# backends without it say so, and run nothing
	run sbx --backend=seatbelt --write-deny=.envrc -- touch "$P/ran"
	assert_status 125
	assert_output_contains "fs.write.protect"
	[ ! -e "$P/ran" ]
	# without user namespaces (taken away here): refused, naming the gap
	run "$PROBES/deny" userns -- "$SBX_EXEC" --write=scope --writable=. --write-deny=.envrc -- touch "$P/ran"
	assert_status 125
	assert_output_contains "fs.write.protect"
	[ ! -e "$P/ran" ]
}

@test "write-deny inside a sandbox is refused with 125, naming the outer one" {
	if ! have_userns; then
		refused_without_userns --write-deny=.envrc
		return
	fi
	# an outer that does not protect it: the inner cannot, and refuses
	run sbx --write=scope --writable=. --write-deny= -- env ASAN_OPTIONS=detect_leaks=0 "$SBX_EXEC" --write=scope --writable=. --write-deny=.envrc -- sh -c 'echo x > .envrc'
	assert_status 125
	assert_output_contains "cannot be held inside"
	[ "$(cat "$P/.envrc")" = orig ]
	# an outer that protects it (the agent profile's list): held there
	run sbx --write=scope --writable=. -- env ASAN_OPTIONS=detect_leaks=0 "$SBX_EXEC" --write=scope --writable=. --write-deny=.envrc -- sh -c 'echo x > .envrc; echo "write $?"'
	assert_output_contains "write 2"
	[ "$(cat "$P/.envrc")" = orig ]
}

@test "write-deny: the agent profile protects what makes code run later, where it exists" {
	if ! have_userns; then
		# no mounts: the plan says what stays writable, and the run goes on
		run sbx --write=scope --writable=. --print -- true
		assert_status 0
		assert_output_contains "write-deny-existing: "
		assert_output_contains "$P/.envrc"
		# a missing one made during the run is said at exit here too
		run sbx --write=scope --writable=. -- sh -c 'echo "{}" > .mcp.json'
		assert_status 0
		assert_output_contains "warning: $P/.mcp.json appeared during the run"
		rm -f .mcp.json
		return
	fi
	mkdir -p .vscode
	echo '{}' >.vscode/tasks.json
	echo "hi" >"$HOME/.bashrc"
	# from the project, and from the home directory (where ~/.bashrc is writable)
	run sbx -- sh -c 'echo x >> .envrc; echo "envrc $?"; echo x > .git/hooks/post-checkout; echo "hook $?"; echo x > .vscode/tasks.json; echo "vscode $?"; echo ok > fine; echo "fine $?"'
	assert_output_contains "envrc 2"
	assert_output_contains "hook 2"
	assert_output_contains "vscode 2"
	assert_output_contains "fine 0"
	[ "$(cat .envrc)" = orig ] && [ ! -e .git/hooks/post-checkout ] && [ "$(cat .vscode/tasks.json)" = '{}' ]
	[ "$(cat fine)" = ok ]
	cd "$HOME"
	run sbx -- sh -c 'echo evil >> ~/.bashrc; echo "bashrc $?"; echo ok > note; echo "note $?"'
	assert_output_contains "bashrc 2"
	assert_output_contains "note 0"
	[ "$(cat "$HOME/.bashrc")" = hi ] && [ "$(cat "$HOME/note")" = ok ]
	cd "$P"
	# missing ones are no reason to refuse (.mcp.json, .idea here), and
	# none can be made: init makes every name and refuses those
	run sbx -- true
	assert_status 0
	refute_output_contains "appeared during the run"
	run sbx -- sh -c 'echo "{}" > .mcp.json; echo "mcp $?"; mkdir .idea; echo "idea $?"; echo ok > fine2; echo "fine2 $?"'
	assert_output_contains "mcp 2"
	assert_output_contains "idea 1"
	assert_output_contains "fine2 0"
	[ ! -e .mcp.json ] && [ ! -e .idea ] && [ "$(cat fine2)" = ok ]
	refute_output_contains "appeared during the run"
	# where their directory is missing too (a new repository's .git/hooks)
	# nothing can keep them from being made: said plainly, by name, at exit
	# (and the plan says so beforehand)
	mkdir -p "$HOME/fresh"
	cd "$HOME/fresh"
	run sbx --print -- true
	assert_output_contains "nothing here can keep them from being made"
	run sbx -- sh -c 'mkdir -p .git/hooks && echo x > .git/hooks/pre-commit'
	assert_status 0
	assert_output_contains "warning: $HOME/fresh/.git/hooks appeared during the run"
	assert_output_contains "can make code run later outside the sandbox"
	refute_output_contains ".idea"
	cd "$P"
	# --write-deny= clears the list on purpose
	run sbx --write-deny= -- sh -c 'echo new >> .envrc'
	assert_status 0
	[ "$(printf 'orig\nnew')" = "$(cat .envrc)" ]
	# tight writes nothing anyway: no mounts for it
	run sbx --profile=tight --print -- true
	refute_output_contains "--protect"
}
