#!/usr/bin/env bats
# The RPM spec and the Homebrew formula, checked with what Debian has:
# rpmlint, rpmbuild (without dependency checks: Debian has no RPM
# database) and ruby with a stand-in for Homebrew's Formula DSL. The
# Debian packages are built, installed and smoke-tested by
# .ci/after.d/packaging.sh, which needs root.

load helpers
load make_env

setup() {
	VERSION=$(sed -n 's/^#define SBX_VERSION "\(.*\)"/\1/p' "$ROOT/include/sbx.h")
	SPEC=$ROOT/packaging/rpm/sbx.spec
	FORMULA_IN=$ROOT/packaging/homebrew/sbx.rb.in
	clean_make_env
}

# A copy of the source tree without build output, as a release tarball has.
source_copy() {
	mkdir -p "$1"
	tar -C "$ROOT" --exclude=./.git --exclude=./build --exclude='./build-*' -cf - . | tar -C "$1" -xf -
}

@test "every packaging recipe carries the version of include/sbx.h" {
	[ -n "$VERSION" ]
	command -v dpkg-parsechangelog >/dev/null || skip_or_fail "needs dpkg-dev"
	[ "$(dpkg-parsechangelog -l "$ROOT/packaging/debian/changelog" -S Version)" = "$VERSION" ]
	grep -Eq "^Version: +$VERSION\$" "$SPEC"
	grep -q '/sbx-@VERSION@.tar.gz"' "$FORMULA_IN"
	grep -q -- "- $VERSION-1\$" "$SPEC"
	grep -q "^ sbx_version@SBX_0 $VERSION\$" "$ROOT/packaging/debian/libsbx0.symbols"
}

@test "rpmlint passes the RPM spec" {
	command -v rpmlint >/dev/null || skip_or_fail "needs rpmlint"
	run rpmlint -r "$ROOT/packaging/rpm/sbx.rpmlintrc" "$SPEC"
	assert_status 0
	assert_output_contains "0 errors, 0 warnings"
}

@test "rpmbuild builds sbx, sbx-libs and sbx-devel from the spec" {
	command -v rpmbuild >/dev/null || skip_or_fail "needs rpmbuild (Debian package rpm)"
	setup_workdir
	mkdir -p top/SOURCES
	source_copy "sbx-$VERSION"
	tar -czf "top/SOURCES/sbx-$VERSION.tar.gz" "sbx-$VERSION"
	run rpmbuild --nodeps --without check --define "_topdir $WORK/top" -bb "$SPEC"
	assert_status 0
	arch=$(rpm --eval '%{_arch}')
	for p in sbx sbx-libs sbx-devel; do
		[ -f "top/RPMS/$arch/$p-$VERSION-1.$arch.rpm" ] || { echo "no $p rpm" >&2; return 1; }
	done
	run rpm -qlp "top/RPMS/$arch/sbx-$VERSION-1.$arch.rpm"
	assert_output_contains /usr/bin/sbx-exec
	assert_output_contains /usr/libexec/sbx/sbx-shim
	assert_output_contains /usr/share/man/man1/sbx-exec.1
	run rpm -qlp "top/RPMS/$arch/sbx-libs-$VERSION-1.$arch.rpm"
	assert_output_contains "$(rpm --eval '%{_libdir}')/libsbx.so.0"
	run rpm -qlp "top/RPMS/$arch/sbx-devel-$VERSION-1.$arch.rpm"
	assert_output_contains /usr/include/sbx.h
	assert_output_contains /pkgconfig/sbx.pc
	refute_output_contains libsbx.a
}

# make_formula: `make dist` into $WORK/dist (the tarball and the formula
# for it); sets FORMULA.
make_formula() {
	command -v git >/dev/null && git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1 ||
		skip_or_fail "make dist needs the git checkout" || return 1
	make -s -C "$ROOT" dist B="$WORK/dist" >/dev/null
	FORMULA=$WORK/dist/sbx.rb
}

@test "make dist writes the tarball and a formula with its version and sha256" {
	setup_workdir
	make_formula
	grep -q "/sbx-$VERSION.tar.gz\"" "$FORMULA"
	grep -q "sha256 \"$(sha256sum "$WORK/dist/sbx-$VERSION.tar.gz" | cut -d' ' -f1)\"" "$FORMULA"
	! grep -q @ "$FORMULA" || false
	# the tarball is the tracked tree under sbx-VERSION/
	tar -tzf "$WORK/dist/sbx-$VERSION.tar.gz" >list
	grep -qx "sbx-$VERSION/include/sbx.h" list
	! grep -q "^sbx-$VERSION/build/" list || false
}

@test "the Homebrew formula parses, installs and passes its own test block" {
	command -v ruby >/dev/null || skip_or_fail "needs ruby"
	setup_workdir
	make_formula
	run ruby -c "$FORMULA"
	assert_status 0
	source_copy src
	mkdir prefix testpath
	run ruby "$ROOT/tests/packaging/brew_harness.rb" "$FORMULA" src "$WORK/prefix" "$WORK/testpath"
	assert_status 0
	[ "${lines[-1]}" = ok ]
	# Its test block checked the sandbox from the host: the allowed file
	# is there, the denied one is not.
	[ "$(cat testpath/out/allowed)" = ok ]
	[ ! -e testpath/denied ]
	[ -x prefix/bin/sbx-exec ] && [ -x prefix/libexec/sbx/sbx-shim ]
	[ -f prefix/share/zsh/site-functions/_sbx-exec ]
}

@test "the formula harness fails a formula whose test block fails" {
	command -v ruby >/dev/null || skip_or_fail "needs ruby"
	setup_workdir
	make_formula
	sed 's|assert_equal "ok\\n"|assert_equal "not this\\n"|' "$FORMULA" >sbx.rb
	! cmp -s sbx.rb "$FORMULA" || false
	source_copy src
	mkdir prefix testpath
	run ruby "$ROOT/tests/packaging/brew_harness.rb" "$WORK/sbx.rb" src "$WORK/prefix" "$WORK/testpath"
	[ "$status" -ne 0 ]
	assert_output_contains 'wanted "not this'
}
