#!/bin/sh
# lint-tests.sh: rejects test patterns that let a test pass without
# asserting anything (make check runs it first):
#  - "|| return 0" (or "|| return"): a helper's assertions in a || list run
#    with errexit off, so they cannot fail the test; and a bare early
#    return passes a test that checked nothing
#  - an assertion followed by "|| true"
#  - a negated command ("! grep ...") that is not in a || list: bash's
#    errexit ignores a negated status, so it fails the test only as the
#    test's very last line; "! grep ... || false" fails it anywhere
#  - a "run" whose result nothing looks at before the next "run" or the
#    end of the test ("run -N" checks the status itself; a run whose
#    outcome is checked on the host afterwards says so: "# host-checked";
#    runs in the branches of an if are one run)
# Predicates go in an if: "if no_daemon; then check_refusal; return; fi".
set -u
status=0
for f in "$@"; do
	awk -v file="$f" '
	function flush_run() {
		if (pending) {
			printf "%s:%d: \"run\" whose status and output nothing checks\n", file, pending_line
			bad = 1
		}
		pending = 0
	}
	/^@test / { intest = 1; pending = 0; next }
	intest && /^}/ { flush_run(); intest = 0; next }
	/\|\| *return( 0)? *($|[;#])/ {
		printf "%s:%d: \"|| return\": %s\n", file, NR, $0; bad = 1
	}
	intest && /^[ \t]*! / && !/\|\|/ {
		printf "%s:%d: a negated command errexit ignores (end it with \"|| false\"): %s\n", file, NR, $0; bad = 1
	}
	/(assert_|refute_)[a-z_]* .*\|\| *true/ {
		printf "%s:%d: an assertion followed by \"|| true\": %s\n", file, NR, $0; bad = 1
	}
	!intest { next }
	{
		line = $0
		if (line ~ /^[ \t]*(#|$)/) next
		checks = (line ~ /\$status|\$\{?output|\$\{?lines|assert_|refute_|\[ |\[\[ /)
		is_run = (line ~ /^[ \t]*(run|[A-Z_]+=[^ ]* run)( |$)/)
		if (is_run && (line ~ /^[ \t]*run -[0-9]/ || line ~ /# host-checked/)) next
		if (line ~ /^[ \t]*(else|elif)/) { branch = 1; next }
		if (line ~ /^[ \t]*fi/) { branch = 0; next }
		if (is_run && branch && pending) next
		if (is_run) { flush_run(); pending = NR; pending_line = NR; next }
		if (checks) pending = 0
	}
	END { exit bad }
	' "$f" || status=1
done
exit $status
