# make_env.bash: for tests that run a make of their own (an install, a
# package build). An enclosing make (`make asan`, a Debian package build)
# hands its variables down through MAKEFLAGS and the environment; they would
# turn the test's build into a sanitizer build or move its install paths.
clean_make_env() {
	unset MAKEFLAGS MFLAGS MAKELEVEL B PREFIX BINDIR LIBDIR LIBEXECDIR INCLUDEDIR MANDIR \
		DATADIR PKGCONFIGDIR BASHCOMPDIR ZSHCOMPDIR FISHCOMPDIR EXTRA_CFLAGS EXTRA_LDFLAGS \
		OPTFLAGS SHIM_STATIC STATIC_DEPS CFLAGS LDFLAGS
}
