#!/usr/bin/env bash
# CI setup (root) for the packaging work: the tools its tests and
# .ci/after.d/packaging.sh use. Debian base images have none of these.
#   debhelper, dpkg-dev   build the .debs (dpkg-buildpackage)
#   lintian, rpmlint      lint the .debs and the RPM spec
#   rpm                   rpmbuild, to build the RPM spec for real
#   ruby                  syntax-check the Homebrew formula
#   zsh, fish             test the zsh and fish completions and profiles
#   groff-base, binutils  render the man pages; nm/objdump on libsbx.so
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends \
	debhelper dpkg-dev fakeroot lintian rpm rpmlint ruby zsh fish groff-base binutils pkg-config \
	>/dev/null
