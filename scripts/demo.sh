#!/usr/bin/env bash
# demo.sh: shows sbx-exec denying one write and allowing another, checked
# from the host side. Run by `make demo`.
set -u
sbx=${SBX_EXEC:-build/sbx-exec}
dir=$(mktemp -d "${TMPDIR:-/tmp}/sbx-demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/out"

echo "\$ sbx-exec --write=scope --writable=$dir/out -- sh -c 'echo hello > $dir/out/allowed; echo hello > $dir/denied'"
"$sbx" --write=scope --writable="$dir/out" --net=disable -- \
	sh -c "echo hello > '$dir/out/allowed'; echo hello > '$dir/denied'"
echo "exit status: $?"
echo
echo "from the host:"
if [ -f "$dir/out/allowed" ]; then echo "  $dir/out/allowed exists (the allowed write passed)"; else echo "  $dir/out/allowed is MISSING"; fi
if [ -e "$dir/denied" ]; then echo "  $dir/denied EXISTS (the sandbox failed!)"; exit 1; else echo "  $dir/denied does not exist (the write was denied)"; fi
