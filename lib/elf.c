/* elf.c: finds what a program needs to start, for read-scoped plans: its
 * ELF interpreter (PT_INTERP), or its "#!" interpreter for a script. */
#include "internal.h"

char *sbx_program_interpreter(const char *path);

#ifdef _WIN32
/* Windows loads no ELF or "#!" interpreter: nothing to add. */
char *sbx_program_interpreter(const char *path)
{
	(void)path;
	return NULL;
}
#else
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>

static char *elf_interp(int fd, const unsigned char *ident)
{
	bool is64 = ident[EI_CLASS] == ELFCLASS64;
	if (ident[EI_DATA] != ELFDATA2LSB)
		return NULL;
	uint64_t phoff;
	uint16_t phnum, phentsize;
	if (is64) {
		Elf64_Ehdr eh;
		if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			return NULL;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
	} else {
		Elf32_Ehdr eh;
		if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			return NULL;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
	}
	if (phnum > 256 || phentsize < (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
		return NULL;
	for (uint16_t i = 0; i < phnum; i++) {
		uint64_t type, off, size;
		off_t at = (off_t)(phoff + (uint64_t)i * phentsize);
		if (is64) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof(ph), at) != (ssize_t)sizeof(ph))
				return NULL;
			type = ph.p_type;
			off = ph.p_offset;
			size = ph.p_filesz;
		} else {
			Elf32_Phdr ph;
			if (pread(fd, &ph, sizeof(ph), at) != (ssize_t)sizeof(ph))
				return NULL;
			type = ph.p_type;
			off = ph.p_offset;
			size = ph.p_filesz;
		}
		if (type != PT_INTERP)
			continue;
		if (size == 0 || size > 4096)
			return NULL;
		char *s = calloc(1, size + 1);
		if (!s || pread(fd, s, size, (off_t)off) != (ssize_t)size) {
			free(s);
			return NULL;
		}
		return s;
	}
	return NULL;
}

/* The interpreter the kernel would load for path (ELF PT_INTERP or the
 * first word of a "#!" line), malloc'd, or NULL when there is none. */
char *sbx_program_interpreter(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	unsigned char head[256];
	ssize_t n = pread(fd, head, sizeof(head) - 1, 0);
	if (n < 4)
		return NULL;
	head[n] = '\0';
	if (memcmp(head, ELFMAG, SELFMAG) == 0 && n >= EI_NIDENT)
		return elf_interp(fd, head);
	if (head[0] == '#' && head[1] == '!') {
		char *p = (char *)head + 2;
		while (*p == ' ' || *p == '\t')
			p++;
		size_t len = strcspn(p, " \t\n");
		return len ? strndup(p, len) : NULL;
	}
	return NULL;
}
#endif
