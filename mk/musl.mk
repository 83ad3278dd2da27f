# musl.mk: sbx-exec and sbx-shim linked statically against musl (LIBC=musl,
# the default where musl-gcc is installed; the Makefile says why). The
# sources compile as they are; what differs is only here:
#  - headers: musl's, plus the kernel's (linux/, asm/) and the two
#    libraries' own, linked into $(B)/musl/include (musl-gcc reads nothing
#    else of /usr/include);
#  - libseccomp and libcap-ng: the distribution's static archives, built
#    against glibc; libc/glibc_compat.c gives them glibc's fortified
#    printf names;
#  - libc/alloc.c and libc/memcpy.c replace musl's allocator and memcpy,
#    which cost these programs more than glibc's start did (the files say
#    why);
#  - the link: static-pie from musl's rcrt1.o, as glibc's -static-pie.
ifeq ($(LIBC),musl)

MUSL_CC     ?= musl-gcc
MUSL_DIR    := $(B)/musl
MUSL_INC    := $(MUSL_DIR)/include
MUSL_ARCH   := $(shell $(CC) -print-multiarch)
# (Debian's musl-dev: /usr/lib/x86_64-linux-musl; musl-gcc's
# -print-file-name answers with glibc's)
MUSL_LIBDIR ?= /usr/lib/$(subst -gnu,-musl,$(MUSL_ARCH))/
MUSL_CFLAGS := $(filter-out -fPIC,$(CFLAGS_ALL)) -fPIE -isystem $(MUSL_INC)
musl_obj     = $(patsubst %.c,$(MUSL_DIR)/obj/%.o,$(1))

MUSL_LIB_OBJS  := $(call musl_obj,$(LIB_SRCS))
MUSL_SHIM_OBJS := $(call musl_obj,$(SHIM_SRCS))
MUSL_EXEC_OBJS := $(call musl_obj,$(EXEC_SRCS))
MUSL_RT_OBJS   := $(call musl_obj,$(wildcard libc/*.c))
MUSL_STATIC_LIBS := $(shell $(CC) -print-file-name=libseccomp.a) \
		    $(shell $(CC) -print-file-name=libcap-ng.a)

$(MUSL_INC)/.stamp:
	@mkdir -p $(MUSL_INC)
	@[ -e $(MUSL_LIBDIR)libc.a ] || { echo "musl build: no $(MUSL_LIBDIR)libc.a (LIBC=glibc builds without musl)"; exit 1; }
	@for d in /usr/include/linux /usr/include/asm-generic /usr/include/$(MUSL_ARCH)/asm \
	    /usr/include/seccomp.h /usr/include/seccomp-syscalls.h /usr/include/cap-ng.h; do \
	  [ -e "$$d" ] || { echo "musl build: $$d is missing (LIBC=glibc builds without musl)"; exit 1; }; \
	  ln -sfn "$$d" $(MUSL_INC)/; \
	done
	@touch $@

# (no builtins: GCC would turn the allocator's malloc and memset into a
# call to calloc, and the memcpy loop into a call to memcpy)
$(MUSL_DIR)/obj/libc/%.o: libc/%.c
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_CFLAGS) -fno-builtin -MMD -MP -c $< -o $@

$(MUSL_DIR)/obj/%.o: %.c $(MUSL_INC)/.stamp
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_CFLAGS) -MMD -MP -c $< -o $@

-include $(MUSL_LIB_OBJS:.o=.d) $(MUSL_SHIM_OBJS:.o=.d) $(MUSL_EXEC_OBJS:.o=.d) $(MUSL_RT_OBJS:.o=.d)

$(MUSL_DIR)/libsbx.a: $(MUSL_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

# link(objects): static-pie against musl's libc.a; the runtime objects
# first, so that their malloc and memcpy are the ones every archive gets.
musl_link = $(CC) -nostdlib -nostartfiles -Wl,-static -Wl,-pie -Wl,--no-dynamic-linker \
	-Wl,-z,text $(LDFLAGS_ALL) -o $@ $(MUSL_LIBDIR)rcrt1.o $(MUSL_LIBDIR)crti.o \
	$(shell $(CC) -print-file-name=crtbeginS.o) $(MUSL_RT_OBJS) $(1) \
	-Wl,--start-group $(MUSL_STATIC_LIBS) $(MUSL_LIBDIR)libc.a \
	$(shell $(CC) -print-libgcc-file-name) -Wl,--end-group \
	$(shell $(CC) -print-file-name=crtendS.o) $(MUSL_LIBDIR)crtn.o

$(B)/sbx-exec: $(MUSL_EXEC_OBJS) $(MUSL_SHIM_OBJS) $(MUSL_DIR)/libsbx.a $(MUSL_RT_OBJS)
	$(call musl_link,$(MUSL_EXEC_OBJS) $(MUSL_SHIM_OBJS) $(MUSL_DIR)/libsbx.a)

$(B)/sbx-shim: $(call musl_obj,$(SHIM_BIN_SRCS)) $(MUSL_SHIM_OBJS) $(MUSL_RT_OBJS)
	$(call musl_link,$(call musl_obj,$(SHIM_BIN_SRCS)) $(MUSL_SHIM_OBJS))

endif
