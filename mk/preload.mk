# preload.mk: libsbx-preload.so (preload/), its dynamic probes and tests.
#
# The library is built without $(EXTRA_CFLAGS)/$(EXTRA_LDFLAGS): under
# `make asan` those add the sanitizer runtime, which cannot be preloaded
# into uninstrumented programs. Its unit tests compile the pure parts
# (config.c, path.c, match.c) with the normal flags, sanitizers included.

PRELOAD_SRCS := $(wildcard preload/*.c)
PRELOAD_OBJS := $(patsubst %.c,$(B)/obj-preload/%.o,$(PRELOAD_SRCS))
PRELOAD_SO   := $(B)/libsbx-preload.so
# The distribution's flags (CFLAGS: dpkg-buildflags, %optflags) apply,
# then what the interposers need, which must win: no fortify wrappers and
# no stack protector (they run before libc and its canary are set up in a
# process: in constructors and in the exec path of children).
PRELOAD_CFLAGS = -std=gnu11 $(OPTFLAGS) $(CFLAGS) -Wall -Wextra -Werror -Wshadow -fPIC \
	-fvisibility=hidden -D_GNU_SOURCE -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=0 \
	-fno-stack-protector -fno-delete-null-pointer-checks -Ipreload
# Dynamic probes: the library only reaches dynamically linked programs.
PPROBE_SRCS := $(wildcard tests/preload/*.c)
PPROBE_BINS := $(patsubst tests/preload/%.c,$(B)/pprobes/%,$(PPROBE_SRCS))

all: $(PRELOAD_SO)

$(B)/obj-preload/%.o: %.c preload/preload.h
	@mkdir -p $(dir $@)
	$(CC) $(PRELOAD_CFLAGS) -MMD -MP -c $< -o $@

-include $(PRELOAD_OBJS:.o=.d)

$(PRELOAD_SO): $(PRELOAD_OBJS) preload/libsbx-preload.map
	$(CC) -shared -Wl,-soname,libsbx-preload.so -Wl,--version-script=preload/libsbx-preload.map \
	  -Wl,-z,now -Wl,-z,relro $(LDFLAGS) -o $@ $(PRELOAD_OBJS) -ldl -lpthread

# Unit tests of the pure parts link the preload sources directly.
$(B)/tests/test_preload_%: tests/unit/test_preload_%.c tests/unit/tap.h $(PRELOAD_SRCS) preload/preload.h $(B)/libsbx.a $(SHIM_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Ipreload -Itests/unit -o $@ $< preload/config.c preload/path.c preload/match.c \
	  $(SHIM_OBJS) $(B)/libsbx.a $(LDFLAGS_ALL) $(STATIC_DEPS) -lm

PPROBE_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE
$(B)/pprobes/%: tests/preload/%.c tests/preload/calls.h
	@mkdir -p $(dir $@)
	$(CC) $(PPROBE_CFLAGS) -o $@ $<

# A probe whose call runs in a dependency's constructor.
$(B)/pprobes/libctorprobe.so: tests/preload/ctor/libctorprobe.c tests/preload/calls.h
	@mkdir -p $(dir $@)
	$(CC) $(PPROBE_CFLAGS) -fPIC -shared -o $@ $<
$(B)/pprobes/ctorprobe: tests/preload/ctor/ctormain.c $(B)/pprobes/libctorprobe.so
	$(CC) $(PPROBE_CFLAGS) -o $@ $< -L$(B)/pprobes -lctorprobe '-Wl,-rpath,$$ORIGIN'

# A static probe for the documented bypass (raw execve from a static binary).
$(B)/pprobes/static-rawexec: tests/preload/static/rawexec.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -Wall -Wextra -Werror -D_GNU_SOURCE -static -o $@ $<

PRELOAD_TEST_DEPS := $(PRELOAD_SO) $(PPROBE_BINS) $(B)/pprobes/ctorprobe $(B)/pprobes/static-rawexec
check bats: $(PRELOAD_TEST_DEPS)

.PHONY: bench-preload
bench-preload: all $(PRELOAD_TEST_DEPS)
	bench/preload

install: install-preload
.PHONY: install-preload
install-preload: $(PRELOAD_SO)
	install -d $(DESTDIR)$(LIBEXECDIR)
	install -m 0644 $(PRELOAD_SO) $(DESTDIR)$(LIBEXECDIR)/libsbx-preload.so

# The static helper that seals a policy file into a memfd and execs the
# command under the library (tests, and backends that cannot pass a
# descriptor, such as a container's first process).
PRELOAD_EXEC := $(B)/sbx-preload-exec
all: $(PRELOAD_EXEC)
# (lib/sys.c: the PATH lookup every backend shares)
$(PRELOAD_EXEC): preload/tool/sbx-preload-exec.c preload/tool/loadcheck.c preload/tool/loadcheck.h \
	  lib/util.c lib/util.h lib/sys.c lib/sys.h
	$(CC) -std=gnu11 $(OPTFLAGS) $(CFLAGS) -Wall -Wextra -Werror -D_GNU_SOURCE -Ilib -static -o $@ \
	  preload/tool/sbx-preload-exec.c preload/tool/loadcheck.c lib/util.c lib/sys.c $(filter-out -pie,$(LDFLAGS))
PRELOAD_TEST_DEPS += $(PRELOAD_EXEC)
install-preload: install-preload-exec
.PHONY: install-preload-exec
install-preload-exec: $(PRELOAD_EXEC)
	install -d $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 $(PRELOAD_EXEC) $(DESTDIR)$(LIBEXECDIR)/sbx-preload-exec

uninstall: uninstall-preload
.PHONY: uninstall-preload
uninstall-preload:
	rm -f $(DESTDIR)$(LIBEXECDIR)/libsbx-preload.so $(DESTDIR)$(LIBEXECDIR)/sbx-preload-exec
