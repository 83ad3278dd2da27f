# sbx: build, test, install.
#
#   make            build/sbx-exec, build/sbx-shim (static), build/libsbx.so, build/libsbx.a
#   make check      every test (unit, then bats); the test command of the README
#   make check-slow real third-party builds, sandboxed (tests/slow/; CI runs it once)
#   make asan       build with ASan+UBSan into build-asan/ and run the tests there
#   make fuzz       libFuzzer harnesses of the parsers (clang; build-fuzz/, mk/fuzz.mk)
#   make deps       install the build and test dependencies (Debian/Ubuntu, as root)
#   make install    honours PREFIX and DESTDIR
#   make bench      startup, make, proxy and preload benchmarks (bench/)
#   make format / format-check

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
LIBEXECDIR ?= $(PREFIX)/libexec/sbx
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
DESTDIR    ?=

B          ?= build
CC         ?= cc
VERSION    := $(shell sed -n 's/^\#define SBX_VERSION "\(.*\)"/\1/p' include/sbx.h)
SOVERSION  := 0

OPTFLAGS   ?= -O2 -g
CFLAGS_ALL := -std=gnu11 $(OPTFLAGS) -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers \
	      -fvisibility=hidden -fPIC -D_GNU_SOURCE -Iinclude -Ilib -Ishim \
	      -DSBX_LIBEXECDIR='"$(LIBEXECDIR)"' -DSBX_SHIM_VERSION='"$(VERSION)"' \
	      -DSBX_CAPNG_VERSION='"$(shell pkg-config --modversion libcap-ng 2>/dev/null || echo unknown)"' \
	      $(EXTRA_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(EXTRA_LDFLAGS) $(LDFLAGS)
# libseccomp and libcap-ng are linked statically into the executables: one
# less library to load before every sandboxed command.
STATIC_DEPS ?= -Wl,-Bstatic -lseccomp -lcap-ng -Wl,-Bdynamic

LIB_SRCS  := $(wildcard lib/*.c) $(filter-out %_win32.c,$(wildcard backends/*.c))
SHIM_SRCS := $(filter-out shim/shim_bin.c,$(wildcard shim/*.c))
EXEC_SRCS := $(wildcard launcher/*.c)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
PROBE_SRCS := $(wildcard tests/probes/*.c)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
LIB_OBJS  := $(call obj,$(LIB_SRCS))
SHIM_OBJS := $(call obj,$(SHIM_SRCS))
EXEC_OBJS := $(call obj,$(EXEC_SRCS))
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))
PROBE_BINS := $(patsubst tests/probes/%.c,$(B)/probes/%,$(PROBE_SRCS))

.PHONY: demo all check check-slow check-tools lint-tests check-nouserns check-nolandlock unit bats asan deps check-deps install uninstall uninstall-core clean format format-check bench
all: check-deps $(B)/sbx-exec $(B)/sbx-shim $(B)/libsbx.so $(B)/libsbx.a

# Says exactly what is missing instead of failing in the compiler.
check-deps:
	@missing=""; \
	for h in seccomp.h cap-ng.h; do \
	  echo "#include <$$h>" | $(CC) -E -x c - >/dev/null 2>&1 || missing="$$missing $$h"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "missing headers:$$missing"; \
	  echo "install them with: sudo make deps   (or: sudo apt-get install libseccomp-dev libcap-ng-dev)"; \
	  exit 1; \
	fi

deps:
	@if [ "$$(id -u)" != 0 ]; then echo "make deps installs packages: run it as root (sudo make deps)"; exit 1; fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	  gcc make libc6-dev musl-tools pkg-config libseccomp-dev libcap-ng-dev bats \
	  util-linux bsdutils procps

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

-include $(LIB_OBJS:.o=.d) $(SHIM_OBJS:.o=.d) $(EXEC_OBJS:.o=.d)

$(B)/libsbx.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/libsbx.so: $(LIB_OBJS) lib/libsbx.map
	$(CC) -shared -Wl,-soname,libsbx.so.$(SOVERSION) -Wl,--version-script=lib/libsbx.map \
	  -o $@ $(LIB_OBJS) $(LDFLAGS_ALL) -lm

# sbx-exec is static too: it starts before every sandboxed command (every
# recipe of a Makefile), and the loader's work is a third of a bare start.
EXEC_STATIC ?= -static-pie
SHIM_STATIC ?= -static-pie
# The shim's own objects and the few of libsbx it needs.
SHIM_BIN_SRCS := shim/shim_bin.c lib/util.c lib/sys.c lib/redact.c lib/sockdiag.c lib/supervise.c \
		 lib/proxy.c

# LIBC: the C library the two static executables are linked with. musl
# (mk/musl.mk) where musl-gcc is installed: its start makes no CPUID
# probes, which a hypervisor traps and which cost glibc half a millisecond
# at every start here, before main. glibc otherwise, and always for
# libsbx, the tests, the sanitizer builds and the distribution packages
# (LIBC=glibc).
LIBC ?= $(if $(and $(EXEC_STATIC),$(SHIM_STATIC),$(shell command -v musl-gcc 2>/dev/null)),musl,glibc)

ifneq ($(LIBC),musl)
$(B)/sbx-exec: $(EXEC_OBJS) $(SHIM_OBJS) $(B)/libsbx.a
	$(CC) $(EXEC_STATIC) -o $@ $(EXEC_OBJS) $(SHIM_OBJS) $(B)/libsbx.a $(LDFLAGS_ALL) \
	  $(if $(EXEC_STATIC),-lseccomp -lcap-ng,$(STATIC_DEPS)) -lm

$(B)/sbx-shim: $(call obj,$(SHIM_BIN_SRCS)) $(SHIM_OBJS)
	$(CC) $(SHIM_STATIC) -o $@ $^ $(LDFLAGS_ALL) -lseccomp -lcap-ng
endif

$(B)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(B)/libsbx.a $(SHIM_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(SHIM_OBJS) $(B)/libsbx.a $(LDFLAGS_ALL) $(STATIC_DEPS) -lm

# Probes are static so they behave the same inside any sandbox; they get no
# EXTRA_CFLAGS, since the sanitizers of `make asan` cannot link statically.
$(B)/probes/%: tests/probes/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -static -pthread -o $@ $<

check: all $(UNIT_BINS) $(PROBE_BINS) check-tools lint-tests
	@SBX_BUILD=$(B) tests/run-tests.sh $(UNIT_BINS) $(filter-out tests/bats/nolandlock.bats,$(wildcard tests/bats/*.bats))

# No test may pass without asserting (scripts/lint-tests.sh says what it rejects).
lint-tests:
	@scripts/lint-tests.sh tests/bats/*.bats tests/slow/*.bats

# The test tools, named with the package that has them.
check-tools:
	@command -v bats >/dev/null || { echo "make check needs bats: install the package 'bats' (apt-get install bats, or make deps as root)"; exit 1; }

# Slow suites, run once in their own CI phase: real third-party builds
# with every recipe sandboxed (tests/slow/).
SLOW_SUITES ?= $(wildcard tests/slow/*.bats)
check-slow: all $(PROBE_BINS) check-tools
	@SBX_BUILD=$(B) tests/run-tests.sh $(SLOW_SUITES)

unit: all $(UNIT_BINS)
	@SBX_BUILD=$(B) tests/run-tests.sh $(UNIT_BINS)

bats: all $(PROBE_BINS) check-tools
	@SBX_BUILD=$(B) tests/run-tests.sh $(filter-out tests/bats/nolandlock.bats,$(wildcard tests/bats/*.bats))

# The landlock backend's suites with user namespaces taken away (a seccomp
# filter refusing them, as on Ubuntu 24.04 or in Docker), and sbx's
# fail-closed behaviour with Landlock taken away.
NOUSERNS_SUITES = tests/bats/cli.bats tests/bats/enforce.bats tests/bats/seccomp.bats \
		  tests/bats/lifecycle.bats tests/bats/landlock_full.bats tests/bats/nesting.bats \
		  tests/bats/preload_wiring.bats tests/bats/routes.bats tests/bats/semantics.bats
check-nouserns: all $(PROBE_BINS) check-tools
	@SBX_BUILD=$(B) $(B)/probes/deny userns -- tests/run-tests.sh $(NOUSERNS_SUITES)

check-nolandlock: all $(UNIT_BINS) $(PROBE_BINS) check-tools
	@SBX_BUILD=$(B) $(B)/probes/deny landlock -- tests/run-tests.sh tests/bats/nolandlock.bats

asan:
	$(MAKE) B=build-asan OPTFLAGS="-O1 -g -fno-omit-frame-pointer" \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" SHIM_STATIC= EXEC_STATIC= LIBC=glibc \
	  STATIC_DEPS="-lseccomp -lcap-ng" check

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(LIBDIR) \
	  $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 0755 $(B)/sbx-exec $(DESTDIR)$(BINDIR)/sbx-exec
	install -m 0755 $(B)/sbx-shim $(DESTDIR)$(LIBEXECDIR)/sbx-shim
	install -m 0644 $(B)/libsbx.a $(DESTDIR)$(LIBDIR)/libsbx.a
	install -m 0755 $(B)/libsbx.so $(DESTDIR)$(LIBDIR)/libsbx.so.$(VERSION)
	ln -sf libsbx.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libsbx.so.$(SOVERSION)
	ln -sf libsbx.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libsbx.so
	install -m 0644 include/sbx.h $(DESTDIR)$(INCLUDEDIR)/sbx.h
	$(LDCONFIG_LIVE)

# (mk/*.mk add their own uninstall-* steps as prerequisites)
uninstall: uninstall-core
	-rmdir $(DESTDIR)$(LIBEXECDIR) 2>/dev/null
	$(LDCONFIG_LIVE)
uninstall-core:
	rm -f $(DESTDIR)$(BINDIR)/sbx-exec $(DESTDIR)$(LIBEXECDIR)/sbx-shim \
	  $(DESTDIR)$(LIBDIR)/libsbx.a $(DESTDIR)$(LIBDIR)/libsbx.so* $(DESTDIR)$(INCLUDEDIR)/sbx.h

# Installing into the live system as root (no DESTDIR) refreshes the
# dynamic linker's cache, so programs find libsbx.so.$(SOVERSION) at once;
# a staged install (packages run ldconfig from their triggers) does not.
LDCONFIG_LIVE = @if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
	  echo ldconfig; PATH="$$PATH:/sbin:/usr/sbin" ldconfig; fi

demo: all
	scripts/demo.sh

bench: all
	bench/startup
	bench/make
	bench/proxy
	bench/preload

FORMAT_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_SRCS)
format-check:
	@clang-format --dry-run --Werror $(FORMAT_SRCS)

# Optional parts (Windows build, preload library, packaging) add their own rules here.
-include mk/*.mk

clean:
	rm -rf build build-asan build-fuzz
