#!/usr/bin/env bats
# The man pages agree with the programs: every option of --help is in the
# man page and the other way round, policy keys and environment variables
# are real, the libsbx(3) example compiles and runs, and groff renders every
# page without a warning.

load helpers

setup() {
	MAN=$BUILD/man
	[ -f "$MAN/sbx-exec.1" ] || skip_or_fail "man pages not built (make man)"
}

# man_tags PAGE SECTION: the tags of the .TP entries in SECTION, as a reader
# sees them: "--net=MODE", "--chdir DIR", "-h, --help", "net = MODE".
man_tags() {
	perl -ne '
		BEGIN { $sec = shift @ARGV }
		if (/^\.SH\s+"?([^"\n]*)"?/) { $in = ($1 eq $sec); next }
		next unless $in;
		if (/^\.TP/) { $tag = 1; next }
		next unless $tag;
		$tag = 0;
		chomp;
		my ($macro, $rest) = /^\.(\w+)\s*(.*)$/ or next;
		# Alternating-font macros join their arguments; quotes keep blanks.
		my @args = ($rest =~ /"([^"]*)"|(\S+)/g);
		my $t = join($macro =~ /^(BI|IB|BR|RB|IR|RI)$/ ? "" : " ", grep { defined } @args);
		$t =~ s/\\-/-/g; $t =~ s/\\f[BIRP]//g; $t =~ s/\\[c&]//g;
		print "$t\n";
	' "$2" "$1"
}

# Long options as the page lists them: "-h, --help" gives "--help".
man_options() {
	man_tags "$1" "$2" | tr ',' '\n' | sed 's/^ *//' | grep -- '^--' | sort -u
}

# Long options as --help lists them, with their value names.
help_options() {
	"$@" --help | perl -ne 'print "$1\n" if /^  (--[a-z][a-z-]*(?:[= ][A-Z][A-Z=]*)?)(?:  |$)/' | sort -u
}

@test "sbx-exec(1) lists exactly the options of sbx-exec --help" {
	diff <(help_options "$SBX_EXEC") <(man_options "$MAN/sbx-exec.1" OPTIONS)
	# Not vacuous: the lists are long and include the shims option.
	[ "$(help_options "$SBX_EXEC" | wc -l)" -ge 25 ]
	help_options "$SBX_EXEC" | grep -qx -- '--install-shims=DIR'
}

@test "sbx-shim(1) lists exactly the options of sbx-shim --help" {
	diff <(help_options "$BUILD/sbx-shim") <(man_options "$MAN/sbx-shim.1" OPTIONS)
	[ "$(help_options "$BUILD/sbx-shim" | wc -l)" -ge 8 ]
}

@test "the parsers see a difference when an option is missing from a page" {
	# Guards against a check that cannot fail: drop one entry from a copy.
	sed '/^\.BI \\-\\-net= MODE$/d' "$MAN/sbx-exec.1" >"$BATS_TEST_TMPDIR/broken.1"
	run diff <(help_options "$SBX_EXEC") <(man_options "$BATS_TEST_TMPDIR/broken.1" OPTIONS)
	[ "$status" -ne 0 ]
	assert_output_contains "--net=MODE"
}

@test "sbx.policy(5) documents exactly the keys sbx-exec accepts in a policy" {
	keys=$(man_tags "$MAN/sbx.policy.5" KEYS | awk '{print $1}' | sort -u)
	[ "$(wc -l <<<"$keys")" -ge 20 ]
	for k in $keys; do
		run sbx --policy="$k=" --print -- true
		refute_output_contains "unknown policy key"
	done
	# Every option that is not a documented key is refused as a key.
	for o in $(help_options "$SBX_EXEC" | sed 's/^--//; s/=.*//'); do
		grep -qx -- "$o" <<<"$keys" && continue
		run sbx --policy="$o=1" --print -- true
		assert_status 125
		assert_output_contains "unknown policy key '$o'"
	done
}

@test "sbx-exec(1) names every environment twin, and only variables the code reads" {
	keys=$(man_tags "$MAN/sbx.policy.5" KEYS | awk '{print $1}')
	for k in $keys; do
		v=SBX_$(tr 'a-z-' 'A-Z_' <<<"$k")
		grep -q "$v" "$MAN/sbx-exec.1" || { echo "missing $v" >&2; return 1; }
	done
	# CONTRACT.md names these for backends whose code does not read them in
	# this build yet; once the code reads one, it must leave this list.
	pending=" "
	for v in $(grep -o 'SBX_[A-Z_]*[A-Z]' "$MAN/sbx-exec.1" "$MAN/sbx.policy.5" \
		"$MAN/sbx-shim.1" | cut -d: -f2 | sort -u); do
		if grep -rqF "\"$v" "$ROOT/lib" "$ROOT/launcher" "$ROOT/backends" "$ROOT/shim"; then
			[[ $pending != *" $v "* ]] ||
				{ echo "$v is read now: remove it from the pending list" >&2; return 1; }
		else
			[[ $pending == *" $v "* ]] ||
				{ echo "$v is documented but read nowhere" >&2; return 1; }
		fi
	done
}

@test "libsbx(3) names only functions and types of sbx.h" {
	names=$(grep -o 'sbx_[a-z_]*[a-z*]' "$MAN/libsbx.3" | sort -u)
	[ -n "$names" ]
	for n in $names; do
		case $n in
		*_\*) grep -q "\b${n%\*}[a-z]" "$ROOT/include/sbx.h" ;;
		*) grep -qw "$n" "$ROOT/include/sbx.h" ;;
		esac || { echo "libsbx(3) names $n, which sbx.h does not have" >&2; return 1; }
	done
}

@test "the libsbx(3) example compiles against the library and runs sandboxed" {
	command -v cc >/dev/null || skip_or_fail "needs a C compiler"
	setup_workdir
	sed -n '/^\.\\" example-begin/,/^\.\\" example-end/p' "$MAN/libsbx.3" | sed '1d;$d' |
		sed 's/\\-/-/g; s/\\e/\\/g' >example.c
	grep -q 'sbx_runner_run' example.c
	# A sanitizer build's library needs the sanitizer runtimes linked in.
	san=()
	! nm "$BUILD/libsbx.a" 2>/dev/null | grep -q __asan_ || san=(-fsanitize=address,undefined)
	cc -std=gnu11 -Wall -Wextra -Werror "${san[@]}" -I"$ROOT/include" -o example example.c \
		"$BUILD/libsbx.a" -lm
	mkdir out
	SBX_SHIM=$BUILD/sbx-shim run ./example
	assert_status 0
	assert_output_contains "libsbx "
	# Host side: the allowed write happened.
	[ "$(cat out/greeting)" = hi ]
}

@test "groff renders every man page without warnings" {
	command -v groff >/dev/null || skip_or_fail "needs groff (groff-base)"
	for page in "$MAN"/*.[0-9]; do
		run groff -man -ww -z -Tutf8 "$page"
		assert_status 0
		[ -z "$output" ] || { echo "$page: $output" >&2; return 1; }
	done
	[ "$(ls "$MAN"/*.[0-9] | wc -l)" -eq 4 ]
}
