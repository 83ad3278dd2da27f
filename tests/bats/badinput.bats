#!/usr/bin/env bats
# badinput.bats: every invalid input is one line "sbx-exec: ...", exit
# status 125, and nothing runs (the marker command never creates its file).
# One row per input: options, values, paths, policy files and inline
# policies, environment variables.

load helpers

setup() {
	setup_workdir
	mkfifo "$WORK/fifo"
	printf 'net = disable\nbogus-key = 1\n' >"$WORK/badkey.policy"
	printf 'net = disable\nno equals sign\n' >"$WORK/noeq.policy"
	printf 'profile = loop\n' >"$WORK/loop.policy"
	mkdir -p "$WORK/home/.config/sbx/policies"
	printf 'profile = loop\n' >"$WORK/home/.config/sbx/policies/loop.policy"
	printf 'net = disable\0\n' >"$WORK/nul.policy"
	head -c 2000000 /dev/zero | tr '\0' '#' >"$WORK/big.policy"
	mkdir -p "$WORK/W" "$WORK/elsewhere"
	ln -s "$WORK/elsewhere" "$WORK/W/link"
}

# Each row: a label, then the command line after sbx-exec (a bash array
# literal), optionally with VAR=value words first (the environment).
rows() {
	cat <<-'EOF'
		unknown option|--bogus
		unknown short option|-x
		option without its value|--net
		value to a flag|--print=yes
		bad net|--net=sideways
		bad write|--write=maybe
		bad backend|--backend=chroot
		empty profile|--profile=
		unknown profile|--profile=nonesuch
		bad profile name|--profile=../x
		cpus zero|--cpus=0
		cpus tiny|--cpus=0.000001
		cpus huge|--cpus=1e300
		cpus nan|--cpus=nan
		cpus negative|--cpus=-1
		cpus with unit|--cpus=2s
		memory one byte|--memory=1
		memory below floor|--memory=1m
		memory hex float|--memory=0x1p30
		memory exponent|--memory=1e9
		memory bad unit|--memory=5q
		memory fraction of a byte|--memory=1.5
		pids zero|--pids=0
		pids huge|--pids=99999999999
		pids fraction|--pids=1.5
		pids word|--pids=many
		timeout zero|--timeout=0
		timeout over a year|--timeout=400d
		timeout nan|--timeout=nan
		timeout negative|--timeout=-5
		timeout bad unit|--timeout=5y
		bool word|--no-exec=perhaps
		blank writable|--write=scope --writable=\ 
		writable without scope|--write=none --writable=.
		allow-temp without scope|--write=none --allow-temp
		scope with nothing|--write=scope
		missing writable|--write=scope --writable=/nonexistent/sbx
		writable through a planted link|--write=scope --writable=W/link
		readable missing|--readable=/nonexistent/sbx
		dir missing|--dir=/nonexistent/sbx
		dir outside read scope|--write=none --readable=/usr --dir=/etc
		bad env glob|--env-deny=[abc
		env glob with equals|--env-allow=A=B
		strict with profile|--strict
		allow-socket not a socket|--allow-socket=/etc/passwd
		install-shims option-like name|--install-shims=SHIMDIR npm --net=disable
		install-shims with policy|--install-shims=SHIMDIR --net=disable npm
		empty command name|''
		policy fifo|--policy=FIFO
		policy proc file|--policy=/proc/self/pagemap
		policy missing file|--policy=./nonexistent.policy
		policy unknown key|--policy=BADKEY
		policy no equals|--policy=NOEQ
		policy with NUL|--policy=NUL
		policy too big|--policy=BIG
		policy loops|HOME=HOMEDIR --policy=loop
		inline unknown key|'--policy=net=disable;colour=blue'
		inline bad value|--policy=write=sideways
		env bad net|SBX_NET=sideways
		env bad memory|SBX_MEMORY=1
		env blank list entry|SBX_WRITABLE=a::b
		env bad bool|SBX_NO_EXEC=perhaps
		env policy fifo|SBX_POLICY=FIFO
		env bad timeout|SBX_TIMEOUT=forever
		env bad backend|SBX_BACKEND=chroot
	EOF
}

@test "bad inputs: one line, status 125, nothing runs" {
	local n=0 label line
	while IFS='|' read -r label line; do
		[ -n "$label" ] || continue
		line=${line//FIFO/$WORK/fifo}
		line=${line//BADKEY/$WORK/badkey.policy}
		line=${line//NOEQ/$WORK/noeq.policy}
		line=${line//NUL/$WORK/nul.policy}
		line=${line//BIG/$WORK/big.policy}
		line=${line//HOMEDIR/$WORK/home}
		line=${line//SHIMDIR/$WORK/shims}
		local envs=() args=()
		eval "local words=($line)"
		for w in "${words[@]}"; do
			if [[ ${#args[@]} -eq 0 && $w =~ ^[A-Z_]+= ]]; then
				envs+=("$w")
			else
				args+=("$w")
			fi
		done
		rm -f "$WORK/ran"
		cd "$WORK"
		if [[ " ${args[*]} " == *" --install-shims"* ]]; then
			run timeout 10 env "${envs[@]}" "$SBX_EXEC" "${args[@]}"
		else
			run timeout 10 env "${envs[@]}" "$SBX_EXEC" "${args[@]}" -- touch "$WORK/ran"
		fi
		if [ "$status" -ne 125 ] || [ "${#lines[@]}" -ne 1 ] || [[ ${lines[0]} != "sbx-exec: "* ]] ||
			[ -e "$WORK/ran" ] || [ -e "$WORK/shims/--net=disable" ]; then
			echo "row '$label' ($line): status $status, ${#lines[@]} lines:" >&2
			printf '%s\n' "$output" >&2
			return 1
		fi
		n=$((n + 1))
	done < <(rows)
	[ "$n" -ge 50 ]
}

@test "bad inputs: the positive control runs" {
	run sbx --write=scope --writable="$WORK" -- touch "$WORK/ran"
	assert_status 0
	[ -e "$WORK/ran" ]
}
