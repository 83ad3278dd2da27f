#!/usr/bin/env bash
# Runs TAP test programs and bats files, prints their output, and ends with
# one line "N passed, M failed". A skipped test counts as passed unless
# SBX_TESTS_MUST_WORK=1, where the requires helper turns skips into failures.
set -u
pass=0
fail=0
for t in "$@"; do
	echo "# $t"
	if [[ $t == *.bats ]]; then
		out=$(bats --tap "$t" 2>&1)
	else
		out=$("$t" 2>&1)
	fi
	rc=$?
	printf '%s\n' "$out"
	p=$(grep -cE '^ok ' <<<"$out")
	f=$(grep -cE '^not ok ' <<<"$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $t exited with status $rc"
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
