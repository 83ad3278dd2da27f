#!/usr/bin/env bats
# sbx-exec --version: the version, the backends compiled in, and the
# libseccomp and libcap-ng versions of the build.

load helpers

@test "--version: first line is sbx-exec and the version of include/sbx.h" {
	run sbx --version
	assert_status 0
	want=$(sed -n 's/^#define SBX_VERSION "\(.*\)"/\1/p' "$ROOT/include/sbx.h")
	[ -n "$want" ]
	[ "${lines[0]}" = "sbx-exec $want" ]
}

@test "--version: lists every backend compiled in, the same as --caps" {
	run sbx --version
	assert_status 0
	[[ ${lines[1]} == "backends: "* ]]
	read -ra listed <<<"${lines[1]#backends: }"
	run sbx --caps --json
	assert_status 0
	for b in landlock gvisor docker-ephemeral docker-runsc-ephemeral seatbelt appcontainer; do
		[[ " ${listed[*]} " == *" $b "* ]] || { echo "missing backend $b" >&2; return 1; }
		assert_output_contains "\"$b\":"
	done
	[ "${#listed[@]}" -eq 6 ]
}

@test "--version: libseccomp, libcap-ng and the C library are those of the build" {
	command -v pkg-config >/dev/null || skip_or_fail "needs pkg-config"
	command -v readelf >/dev/null || skip_or_fail "needs readelf (binutils)"
	run sbx --version
	assert_status 0
	seccomp=$(pkg-config --modversion libseccomp)
	capng=$(pkg-config --modversion libcap-ng)
	# glibc marks what it links with an ABI note; musl does not
	libc=musl
	readelf -n "$SBX_EXEC" | grep -q NT_GNU_ABI_TAG && libc=glibc
	[ "${lines[2]}" = "libseccomp $seccomp, libcap-ng $capng, C library $libc" ]
}

@test "--version ignores the policy environment and runs nothing" {
	SBX_POLICY='net=bogus' run sbx --version
	assert_status 0
	assert_output_contains "sbx-exec "
}

@test "sbx-shim --version names itself and the same version" {
	[ -x "$BUILD/sbx-shim" ] || skip_or_fail "no sbx-shim in $BUILD"
	run "$BUILD/sbx-shim" --version
	assert_status 0
	want=$(sed -n 's/^#define SBX_VERSION "\(.*\)"/\1/p' "$ROOT/include/sbx.h")
	[[ ${lines[0]} == "sbx-shim $want "* ]]
}
