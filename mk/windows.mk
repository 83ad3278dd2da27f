# windows.mk: the Windows build of sbx-exec.exe, cross-compiled with MinGW-w64
# (Debian: gcc-mingw-w64-x86-64), with the same warnings as errors; and a
# type check of the macOS-only code (clonefile) against declarations in
# tests/compat/macos, since no macOS toolchain is available here.
#
#   make windows        build-windows/sbx-exec.exe
#   make macos-syntax   type-check backends/seatbelt.c as built for macOS, and
#                       the runner and its proxy without their Linux-only parts

WIN_CC ?= x86_64-w64-mingw32-gcc
WIN_B  ?= build-windows
WIN_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers \
	      -D_GNU_SOURCE -D_WIN32_WINNT=0x0A00 -DWINVER=0x0A00 -D__USE_MINGW_ANSI_STDIO=1 \
	      -Iinclude -Ilib $(WIN_EXTRA_CFLAGS)
# Static: the .exe needs no MinGW runtime DLLs beside it.
WIN_LIBS := -static -luserenv -ladvapi32 -lole32

# lib/run.c is the POSIX runner; on Windows appcontainer_win32.c is the runner.
# The Linux backends' compilers look at the host they compile on; on
# Windows unix_backends_win32.c stands in for them.
WIN_SRCS := $(filter-out lib/run.c,$(wildcard lib/*.c)) \
	    $(filter-out backends/container.c backends/docker.c backends/docker_fs.c backends/gvisor.c \
	      backends/landlock.c backends/landlock_fs.c backends/landlock_nested.c,$(wildcard backends/*.c)) \
	    $(wildcard launcher/*.c)
WIN_OBJS := $(patsubst %.c,$(WIN_B)/obj/%.o,$(WIN_SRCS))

.PHONY: windows macos-syntax
windows: $(WIN_B)/sbx-exec.exe

$(WIN_B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_CFLAGS) -MMD -MP -c $< -o $@

-include $(WIN_OBJS:.o=.d)

$(WIN_B)/sbx-exec.exe: $(WIN_OBJS)
	$(WIN_CC) -o $@ $(WIN_OBJS) $(WIN_LIBS)

macos-syntax:
	$(CC) -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers -D_GNU_SOURCE \
	  -Iinclude -Ilib -Itests/compat/macos -DSBX_HAVE_CLONEFILE=1 -fsyntax-only backends/seatbelt.c
	$(CC) -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers -D_GNU_SOURCE \
	  -Iinclude -Ilib -U__linux__ -fsyntax-only lib/run.c lib/proxy.c

clean: clean-windows
.PHONY: clean-windows
clean-windows:
	rm -rf $(WIN_B)
