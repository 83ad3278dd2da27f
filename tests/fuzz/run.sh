#!/bin/sh
# run.sh DIR SECONDS NAME...: runs each harness DIR/fuzz_NAME for SECONDS
# from a copy of its seed corpus (tests/fuzz/corpus/NAME); one TAP line per
# harness, then "N passed, M failed". A crash's input and report stay in
# DIR (crash-*, NAME.log).
set -u
dir=$1
secs=$2
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
pass=0
fail=0
mkdir -p "$dir/home"
for name in "$@"; do
	corpus=$dir/corpus/$name
	rm -rf "$corpus"
	mkdir -p "$corpus"
	if [ -d "$top/tests/fuzz/corpus/$name" ]; then
		cp "$top/tests/fuzz/corpus/$name"/* "$corpus"/ 2>/dev/null
	fi
	# stdout and stderr of the parsers closed (-close_fd_mask=3): libFuzzer
	# keeps its own copy for the report
	if (cd "$dir" && HOME=$dir/home ./"fuzz_$name" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -close_fd_mask=3 -print_final_stats=1 "corpus/$name" \
		>"$name.log" 2>&1); then
		echo "ok - fuzz $name: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/$name.log" | grep -o '[0-9]*$') runs, no crash"
		pass=$((pass + 1))
	else
		echo "not ok - fuzz $name: see $dir/$name.log"
		tail -40 "$dir/$name.log" | sed 's/^/# /'
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
