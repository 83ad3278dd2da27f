/* elf.c: what a program needs to start, for read-scoped plans: its ELF
 * interpreter (PT_INTERP) or its "#!" interpreter, and the standard runtime
 * paths every backend grants under a read scope. */
#include "internal.h"

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
#include <sys/stat.h>

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
	/* non-blocking, and only a regular file: a FIFO named as the
	 * command must not hang the compile */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
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

/* The system's programs and libraries (/usr, /bin, /sbin, /lib*: so a
 * shell pipeline works, not only the named program), and only the /etc
 * files the loader and libc read, plus time zone, terminal and CA data;
 * never the rest of /etc (shadow, the host's configuration). Backends
 * skip the missing ones. */
static const char *const runtime[] = {
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/etc/ld.so.cache",
    "/etc/ld.so.preload",
    "/etc/nsswitch.conf",
    "/etc/passwd",
    "/etc/group",
    "/etc/hosts",
    "/etc/host.conf",
    "/etc/resolv.conf",
    "/etc/gai.conf",
    "/etc/localtime",
    "/etc/locale.alias",
    "/etc/alternatives",
    "/etc/terminfo",
    /* TLS: the certificates and OpenSSL's config, never /etc/ssl/private */
    "/etc/ssl/certs",
    "/etc/ssl/openssl.cnf",
    "/etc/ca-certificates",
};

char *sbx_resolve_command(const struct sbx_cctx *c)
{
	const struct sbx_fs *fs = sbx_host_fs(c->host);
	const char *cmd = c->spec->args.v[0];
	if (!strchr(cmd, '/'))
		return sbx_fs_find_program(fs, cmd, env_value(strv_get(&c->env), "PATH"));
	char *p = path_join_normalize(c->dir, cmd);
	if (p && fs->access(p, F_OK) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

int sbx_runtime_paths(const struct sbx_cctx *c, strv *out)
{
	/* the binary, its interpreter, and the interpreter's own */
	char *bin = sbx_resolve_command(c);
	for (int depth = 0; bin && depth < 4; depth++) {
		if (!strv_contains(out, bin) && strv_push(out, bin) < 0) {
			free(bin);
			return -ENOMEM;
		}
		char *interp = sbx_host_fs(c->host)->interpreter(bin);
		free(bin);
		bin = interp;
	}
	free(bin);
	for (size_t i = 0; i < ARRAY_SIZE(runtime); i++)
		if (!strv_contains(out, runtime[i]) && strv_push(out, runtime[i]) < 0)
			return -ENOMEM;
	return 0;
}
