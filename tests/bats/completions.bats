#!/usr/bin/env bats
# Shell completions (packaging/completions) cannot drift from sbx-exec:
# their option sets and enumerated values are compared with --help and with
# what the binary accepts, and each shell really completes with them.

load helpers

setup() {
	COMP=$ROOT/packaging/completions
}

# "name" per option of --help; "name=" when it takes a value.
help_set() {
	"$SBX_EXEC" --help | perl -ne 'print "$1", ($2 ? "=" : ""), "\n" if /^  --([a-z][a-z-]*)(=[A-Z][A-Z=]*)?(?:  |$)/' | sort
}

bash_set() {
	bash -c 'source "$1"; printf "%s\n" $_sbx_exec_options' sh "$COMP/sbx-exec.bash" | sed 's/^--//' | sort
}

zsh_set() {
	perl -ne 'while (/(?:^|[\x27}*),])--([a-z][a-z-]*)(=-?)?(?:\}\x27)?\[/g) { print "$1", (defined $2 && $2 eq "=" ? "=" : ""), "\n" }' \
		"$COMP/_sbx-exec" | sort -u
}

fish_set() {
	perl -ne 'next unless /^\$opt .*-l (\S+)/; $n = $1; print "$n", (/ -[rx]( |$)/ ? "=" : ""), "\n"' \
		"$COMP/sbx-exec.fish" | sort
}

# The values sbx-exec accepts for --$1, from its own error message.
accepted_values() {
	"$SBX_EXEC" --"$1"=bogus --print -- true 2>&1 | sed -n 's/.*expected //p' |
		sed 's/,\? or /, /; s/, /\n/g' | sort
}

@test "bash completion offers exactly the options of --help" {
	diff <(help_set) <(bash_set)
	[ "$(help_set | wc -l)" -ge 25 ]
}

@test "zsh completion offers exactly the options of --help" {
	diff <(help_set) <(zsh_set)
}

@test "fish completion offers exactly the options of --help" {
	diff <(help_set) <(fish_set)
	# The words fish skips as option values are the options taking one.
	diff <(help_set | sed -n 's/=$//p' | sort) \
		<(sed -n '/^    while/,/# The value is the next word/p' "$COMP/sbx-exec.fish" |
			grep -o -- '--[a-z][a-z-]*' | sed 's/^--//' | sort -u)
}

@test "the comparison notices a missing option" {
	run diff <(help_set) <(help_set | grep -v '^net=$')
	[ "$status" -ne 0 ]
}

@test "completed values of --net, --write and --backend are exactly those sbx-exec accepts" {
	for opt in net write backend; do
		want=$(accepted_values "$opt")
		[ "$(wc -l <<<"$want")" -ge 3 ]
		got_bash=$(bash -c 'source "$1"; _sbx_exec_values "--$2" ""' sh "$COMP/sbx-exec.bash" "$opt" | sort)
		[ "$want" = "$got_bash" ] || { echo "bash --$opt: $got_bash" >&2; return 1; }
		got_zsh=$(grep -o -- "--$opt=\[[^]]*\]:[a-z]*:([^)]*)" "$COMP/_sbx-exec" |
			sed 's/.*:(//; s/)$//' | tr ' ' '\n' | sort)
		[ "$want" = "$got_zsh" ] || { echo "zsh --$opt: $got_zsh" >&2; return 1; }
		got_fish=$(grep -- "-l $opt -x -a" "$COMP/sbx-exec.fish" | sed "s/.* -a '\([^']*\)'.*/\1/" |
			tr ' ' '\n' | sort)
		[ "$want" = "$got_fish" ] || { echo "fish --$opt: $got_fish" >&2; return 1; }
	done
}

# complete_bash WORD...: what the bash function offers for the last word;
# the compopt calls it makes (outside readline) are logged to $WORK/compopt.
complete_bash() {
	: >"$WORK/compopt"
	bash -c 'log=$1; source "$2"; shift 2; compopt() { echo "$1 $2" >>"$log"; }
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _sbx_exec
		printf "%s\n" "${COMPREPLY[@]}"' sh "$WORK/compopt" "$COMP/sbx-exec.bash" "$@"
}

@test "bash: options, values split at '=' or not, and the command after the options" {
	setup_workdir
	run complete_bash sbx-exec --ne
	[ "$output" = "--net=" ]
	# bash splits "--net=di" into "--net" "=" "di" (COMP_WORDBREAKS).
	run complete_bash sbx-exec --net = di
	[ "$output" = "disable" ]
	run complete_bash sbx-exec --write=ov
	[ "$output" = "--write=overlay" ]
	run complete_bash sbx-exec --backend land
	[ "$output" = "landlock" ]
	mkdir -p sub/dir
	run complete_bash sbx-exec --dir = su
	[ "$output" = "sub" ]
	# After the options (and their values) comes the command.
	run complete_bash sbx-exec --net = disable --writable out -- bas
	assert_output_contains "bash"
	refute_output_contains "--"
	run complete_bash sbx-exec --net disable ech
	assert_output_contains "echo"
	run complete_bash sbx-exec --install-shims = shims np
	refute_output_contains "--"
}

@test "bash: a directory given to a path option gets a '/' and no space after it" {
	setup_workdir
	mkdir -p share/deep
	# split at '=' (bash's default word breaks): file-name completion
	for opt in --writable --readable --read-deny --dir --allow-socket --policy; do
		run complete_bash sbx-exec "$opt" = sha
		assert_output_contains share
		grep -qx -- "-o filenames" "$WORK/compopt"
	done
	run complete_bash sbx-exec --writable sha
	assert_output_contains share
	grep -qx -- "-o filenames" "$WORK/compopt"
	# one word: the '/' is ours, and no space
	run complete_bash sbx-exec --writable=sha
	[ "$output" = "--writable=share/" ]
	grep -qx -- "-o nospace" "$WORK/compopt"
	run complete_bash sbx-exec --writable=share/de
	[ "$output" = "--writable=share/deep/" ]
	# control: a value that is not a path is completed as before, with a space
	run complete_bash sbx-exec --net = di
	[ "$output" = disable ]
	[ ! -s "$WORK/compopt" ]
}

@test "bash: the completion file registers sbx-exec" {
	run bash -c 'source "$1"; complete -p sbx-exec' sh "$COMP/sbx-exec.bash"
	assert_status 0
	assert_output_contains "-F _sbx_exec"
}

@test "fish: options, values, and the command's own completions after the options" {
	command -v fish >/dev/null || skip_or_fail "needs fish"
	setup_workdir
	fc() { fish --no-config -c "source '$COMP/sbx-exec.fish'; complete -C '$1'" | cut -f1; }
	run fc "sbx-exec --ne"
	[ "$output" = "--net" ]
	run fc "sbx-exec --net="
	[ "$output" = "$(printf '%s\n' --net=allowlist --net=disable --net=enable --net=outbound)" ]
	run fc "sbx-exec --write "
	assert_output_contains "ephemeral"
	# Past the command word, sbx-exec's options are no longer offered.
	run fc "sbx-exec --net disable -- sh --"
	refute_output_contains "--net"
	run fc "sbx-exec --net disable ech"
	assert_output_contains "echo"
}

@test "zsh: the completion function parses and defines _sbx-exec" {
	command -v zsh >/dev/null || skip_or_fail "needs zsh"
	run zsh -n "$COMP/_sbx-exec"
	assert_status 0
	run zsh -fc "fpath=('$COMP' \$fpath); autoload -Uz compinit; compinit -u -d '$BATS_TEST_TMPDIR/zcd';
		print -r -- \${_comps[sbx-exec]}"
	assert_status 0
	[ "$output" = "_sbx-exec" ]
}
