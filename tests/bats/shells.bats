#!/usr/bin/env bats
# SBX_POLICY set in a shell profile (~/.bashrc, ~/.zshrc, fish's
# config.fish) applies to every sbx-exec run from that shell, from scripts
# it starts, and from make. Checked from the host: the policy's writable
# directory receives files, the rest of the tree does not; with a wider
# policy in the same profile, the same commands do write there (control).

load helpers

setup() {
	setup_workdir
	mkdir -p home out
	export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config
	BINDIR=$(dirname "$SBX_EXEC")
	# A script and a Makefile started from the shell, each using sbx-exec.
	printf '#!/bin/sh\nexec sbx-exec -- sh -c "touch out/script; touch denied-script"\n' >script.sh
	chmod +x script.sh
	printf 'SHELL := sbx-exec -- /bin/sh\nall:\n\ttouch out/make\n\ttouch denied-make\n' >Makefile
	NARROW="write=scope; writable=; writable=$WORK/out; allow-temp=false; read-deny="
	WIDE="write=scope; writable=; writable=$WORK; allow-temp=false; read-deny="
	# What the shell runs: sbx-exec itself, a script, make.
	CMDS="cd '$WORK'; sbx-exec -- sh -c 'touch out/direct; touch denied-direct'; ./script.sh; make -s"
}

# check NARROW|WIDE: the files the commands left on the host.
check() {
	local f
	for f in direct script make; do
		[ -f "out/$f" ] || { echo "out/$f missing" >&2; return 1; }
		if [ "$1" = narrow ]; then
			[ ! -e "denied-$f" ] || { echo "denied-$f was written" >&2; return 1; }
		else
			[ -f "denied-$f" ] || { echo "denied-$f missing under the wide policy" >&2; return 1; }
		fi
	done
}

reset() {
	rm -f out/* denied-*
}

@test "bash: export SBX_POLICY in ~/.bashrc" {
	for p in narrow wide; do
		reset
		pol=$NARROW
		[ $p = narrow ] || pol=$WIDE
		printf 'export PATH="%s:$PATH"\nexport SBX_POLICY="%s"\n' "$BINDIR" "$pol" >home/.bashrc
		run bash -i -c "$CMDS" </dev/null # host-checked
		check $p
	done
}

@test "zsh: export SBX_POLICY in ~/.zshrc" {
	command -v zsh >/dev/null || skip_or_fail "needs zsh"
	for p in narrow wide; do
		reset
		pol=$NARROW
		[ $p = narrow ] || pol=$WIDE
		printf 'export PATH="%s:$PATH"\nexport SBX_POLICY="%s"\n' "$BINDIR" "$pol" >home/.zshrc
		run zsh -i -c "$CMDS" </dev/null # host-checked
		check $p
	done
}

@test "fish: set -gx SBX_POLICY in config.fish" {
	command -v fish >/dev/null || skip_or_fail "needs fish"
	mkdir -p home/.config/fish
	for p in narrow wide; do
		reset
		pol=$NARROW
		[ $p = narrow ] || pol=$WIDE
		printf 'set -gx PATH "%s" $PATH\nset -gx SBX_POLICY "%s"\n' "$BINDIR" "$pol" \
			>home/.config/fish/config.fish
		run fish -c "$CMDS" </dev/null # host-checked
		check $p
	done
}

@test "bash: the README's placement with Debian's stock files reaches login and interactive shells" {
	[ -f /etc/skel/.bashrc ] && [ -f /etc/skel/.profile ] || skip_or_fail "needs Debian's /etc/skel"
	# the README: in ~/.profile, and at the top of ~/.bashrc, before the
	# stock guard that returns early for non-interactive shells
	local line
	line=$(printf 'export PATH="%s:$PATH"\nexport SBX_POLICY="%s"' "$BINDIR" "$NARROW")
	printf '%s\n' "$line" >home/.profile
	cat /etc/skel/.profile >>home/.profile
	printf '%s\n' "$line" >home/.bashrc
	cat /etc/skel/.bashrc >>home/.bashrc
	for mode in -l -i; do
		reset
		run env -i HOME="$HOME" PATH=/usr/bin:/bin TERM=dumb bash "$mode" -c "$CMDS" </dev/null # host-checked
		check narrow
	done
	# control: the stock ~/.bashrc with the line at its end is not read by
	# a non-interactive shell, which then runs the default profile
	cp /etc/skel/.bashrc home/.bashrc
	printf '%s\n' "$line" >>home/.bashrc
	rm home/.profile
	reset
	run env -i HOME="$HOME" PATH=/usr/bin:/bin BASH_ENV= bash -c '. ~/.bashrc; echo "policy=${SBX_POLICY:-unset}"' # host-checked
	assert_output_contains "policy=unset"
}
