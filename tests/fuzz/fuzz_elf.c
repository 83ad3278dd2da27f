/* fuzz_elf.c: the two ELF readers: libsbx's interpreter lookup (what a
 * read-scoped plan must also grant) and sbx-preload-exec's check of
 * whether a program's loader will load the preload library. The input is
 * the program, in a memfd. */
#include "fuzz.h"
#include "internal.h"
#include "tool/loadcheck.h"

#include <assert.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 20)
		return 0;
	int fd = memfd_create("fuzz-elf", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		free(sbx_program_interpreter(path));
		char why[512];
		/* the library: this program itself, an ELF shared object (PIE) */
		if (pl_check_loadable(path, "/proc/self/exe", why, sizeof(why)) < 0)
			assert(why[0]);
	}
	close(fd);
	return 0;
}
