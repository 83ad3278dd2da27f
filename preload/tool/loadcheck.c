/* loadcheck.c: decides, before sbx-preload-exec execs a program, whether
 * the program's loader will load libsbx-preload.so or stop: never "run it
 * without". Used where the image is not the host's (a container's first
 * process), so its loader and libc are unknown.
 *
 * glibc's ld.so ignores, with only a warning, an LD_PRELOAD entry it
 * cannot open or map (missing or unreadable, another ELF class or
 * machine), and the program runs unprotected. Once it has mapped the
 * library, a missing dependency, symbol version (an older glibc) or symbol
 * is fatal: the program never starts. A static program, or one whose
 * loader is not glibc's (musl's, say), never sees the library at all. So
 * the program runs protected or not at all when:
 *   - the image the kernel loads (after "#!" interpreters) is an ELF
 *     program with a PT_INTERP, of the library's class, byte order and
 *     machine;
 *   - that interpreter is glibc's ld.so: it defines the GLIBC_PRIVATE
 *     symbol version, which only glibc's loader does;
 *   - the library opens for reading and is of the same class and machine;
 *   - the program is not set-id and has no file capabilities unless
 *     no_new_privs is set (secure-execution mode would drop the library).
 * The caller execs exactly the path checked here. */
#include "loadcheck.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_DATA ELFDATA2LSB
#else
#define NATIVE_DATA ELFDATA2MSB
#endif

struct elf {
	int fd;
	bool is64;
	uint16_t type, machine;
	uint64_t phoff;
	uint16_t phnum, phentsize;
};

struct seg {
	uint32_t type;
	uint64_t offset, vaddr, filesz;
};

static int why(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int why(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, size, fmt, ap);
	va_end(ap);
	return -1;
}

static bool rd(int fd, void *buf, size_t n, uint64_t off)
{
	return pread(fd, buf, n, (off_t)off) == (ssize_t)n;
}

/* Reads the ELF header of fd; false when it is not a native-endian ELF. */
static bool elf_open(int fd, struct elf *e)
{
	unsigned char id[EI_NIDENT];
	if (!rd(fd, id, sizeof(id), 0) || memcmp(id, ELFMAG, SELFMAG) != 0 ||
	    id[EI_DATA] != NATIVE_DATA ||
	    (id[EI_CLASS] != ELFCLASS32 && id[EI_CLASS] != ELFCLASS64))
		return false;
	e->fd = fd;
	e->is64 = id[EI_CLASS] == ELFCLASS64;
	if (e->is64) {
		Elf64_Ehdr h;
		if (!rd(fd, &h, sizeof(h), 0))
			return false;
		*e = (struct elf){fd,        true,      h.e_type,     h.e_machine,
		                  h.e_phoff, h.e_phnum, h.e_phentsize};
	} else {
		Elf32_Ehdr h;
		if (!rd(fd, &h, sizeof(h), 0))
			return false;
		*e = (struct elf){fd,        false,     h.e_type,     h.e_machine,
		                  h.e_phoff, h.e_phnum, h.e_phentsize};
	}
	size_t want = e->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	return e->phnum <= 512 && (e->phnum == 0 || e->phentsize >= want);
}

static bool elf_seg(const struct elf *e, uint16_t i, struct seg *s)
{
	uint64_t at = e->phoff + (uint64_t)i * e->phentsize;
	if (e->is64) {
		Elf64_Phdr p;
		if (!rd(e->fd, &p, sizeof(p), at))
			return false;
		*s = (struct seg){p.p_type, p.p_offset, p.p_vaddr, p.p_filesz};
	} else {
		Elf32_Phdr p;
		if (!rd(e->fd, &p, sizeof(p), at))
			return false;
		*s = (struct seg){p.p_type, p.p_offset, p.p_vaddr, p.p_filesz};
	}
	return true;
}

/* The first segment of a type; false when there is none. */
static bool elf_find(const struct elf *e, uint32_t type, struct seg *s)
{
	for (uint16_t i = 0; i < e->phnum; i++)
		if (elf_seg(e, i, s) && s->type == type)
			return true;
	return false;
}

/* File offset of a virtual address inside a PT_LOAD segment. */
static bool vaddr_off(const struct elf *e, uint64_t va, uint64_t *off)
{
	struct seg s;
	for (uint16_t i = 0; i < e->phnum; i++)
		if (elf_seg(e, i, &s) && s.type == PT_LOAD && va >= s.vaddr &&
		    va - s.vaddr < s.filesz) {
			*off = s.offset + (va - s.vaddr);
			return true;
		}
	return false;
}

static bool dyn_entry(const struct elf *e, uint64_t at, int64_t *tag, uint64_t *val)
{
	if (e->is64) {
		Elf64_Dyn d;
		if (!rd(e->fd, &d, sizeof(d), at))
			return false;
		*tag = d.d_tag;
		*val = d.d_un.d_val;
	} else {
		Elf32_Dyn d;
		if (!rd(e->fd, &d, sizeof(d), at))
			return false;
		*tag = d.d_tag;
		*val = d.d_un.d_val;
	}
	return true;
}

/* True when the object defines the symbol version name (DT_VERDEF). The
 * Verdef and Verdaux records have the same layout in both classes. */
static bool defines_version(const struct elf *e, const char *name)
{
	struct seg dyn;
	if (!elf_find(e, PT_DYNAMIC, &dyn))
		return false;
	uint64_t verdef = 0, verdefnum = 0, strtab = 0, strsz = 0;
	size_t entsz = e->is64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
	for (uint64_t at = dyn.offset; at + entsz <= dyn.offset + dyn.filesz; at += entsz) {
		int64_t tag;
		uint64_t val;
		if (!dyn_entry(e, at, &tag, &val) || tag == DT_NULL)
			break;
		if (tag == DT_VERDEF)
			verdef = val;
		else if (tag == DT_VERDEFNUM)
			verdefnum = val;
		else if (tag == DT_STRTAB)
			strtab = val;
		else if (tag == DT_STRSZ)
			strsz = val;
	}
	uint64_t vd_off, str_off;
	if (!verdef || !strtab || verdefnum > 1024 || !vaddr_off(e, verdef, &vd_off) ||
	    !vaddr_off(e, strtab, &str_off))
		return false;
	size_t len = strlen(name);
	for (uint64_t i = 0; i < verdefnum; i++) {
		Elf64_Verdef vd;
		Elf64_Verdaux aux;
		char got[64];
		if (!rd(e->fd, &vd, sizeof(vd), vd_off) ||
		    !rd(e->fd, &aux, sizeof(aux), vd_off + vd.vd_aux))
			return false;
		if (aux.vda_name + len < strsz && rd(e->fd, got, len + 1, str_off + aux.vda_name) &&
		    memcmp(got, name, len) == 0 && got[len] == '\0')
			return true;
		if (!vd.vd_next)
			break;
		vd_off += vd.vd_next;
	}
	return false;
}

/* Reads PT_INTERP into out; false when there is none (static). */
static bool elf_interp(const struct elf *e, char *out, size_t size)
{
	struct seg s;
	if (!elf_find(e, PT_INTERP, &s) || s.filesz < 2 || s.filesz > size ||
	    !rd(e->fd, out, s.filesz, s.offset))
		return false;
	out[s.filesz - 1] = '\0';
	return out[0] != '\0';
}

/* Secure-execution mode (set-id, file capabilities) drops LD_PRELOAD
 * paths; no_new_privs turns both off. */
static int check_privs(int fd, const char *path, char *out, size_t size)
{
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1)
		return 0;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return why(out, size, "%s: %s", path, strerror(errno));
	if (st.st_mode & (S_ISUID | S_ISGID))
		return why(out, size, "%s is set-id, and the loader drops LD_PRELOAD for it", path);
	if (fgetxattr(fd, "security.capability", NULL, 0) >= 0)
		return why(out, size,
		           "%s has file capabilities, and the loader drops LD_PRELOAD for it",
		           path);
	return 0;
}

/* Checks the loader the kernel would use for the ELF program e. */
static int check_elf(const struct elf *e, const struct elf *lib, const char *path, char *out,
                     size_t size)
{
	if (e->is64 != lib->is64 || e->machine != lib->machine)
		return why(out, size, "%s is for another ELF class or machine than the library",
		           path);
	char interp[PATH_MAX];
	if (!elf_interp(e, interp, sizeof(interp)))
		return why(out, size, "%s is statically linked", path);
	int fd = open(interp, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return why(out, size, "%s: its loader %s: %s", path, interp, strerror(errno));
	struct elf ld;
	int r = 0;
	if (!elf_open(fd, &ld) || ld.is64 != lib->is64 || ld.machine != lib->machine)
		r = why(out, size, "%s: its loader %s is not an ELF object for this machine", path,
		        interp);
	else if (!defines_version(&ld, "GLIBC_PRIVATE"))
		r = why(out, size, "%s: its loader %s is not glibc's (musl's, for one, is not)",
		        path, interp);
	close(fd);
	return r;
}

int pl_check_loadable(const char *path, const char *lib, char *out, size_t size)
{
	int lfd = open(lib, O_RDONLY | O_CLOEXEC);
	if (lfd < 0)
		return why(out, size, "the library %s: %s", lib, strerror(errno));
	struct elf le;
	bool lib_ok = elf_open(lfd, &le) && le.type == ET_DYN;
	if (!lib_ok) {
		close(lfd);
		return why(out, size, "the library %s is not an ELF shared object", lib);
	}
	char cur[PATH_MAX];
	snprintf(cur, sizeof(cur), "%s", path);
	int r = -1;
	/* The kernel follows at most 4 levels of "#!" (BINPRM_MAX_RECURSION). */
	for (int depth = 0; depth < 5; depth++) {
		/* non-blocking, regular files only: a FIFO must not hang us */
		int fd = open(cur, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			r = why(out, size, "%s: %s", cur, strerror(errno));
			break;
		}
		struct stat rst;
		if (fstat(fd, &rst) < 0 || !S_ISREG(rst.st_mode)) {
			close(fd);
			r = why(out, size, "%s: not a regular file", cur);
			break;
		}
		if (depth == 0 && check_privs(fd, cur, out, size) < 0) {
			close(fd);
			break;
		}
		char head[256];
		ssize_t n = pread(fd, head, sizeof(head) - 1, 0);
		struct elf e;
		if (n >= 4 && memcmp(head, ELFMAG, SELFMAG) == 0) {
			r = elf_open(fd, &e)
			        ? check_elf(&e, &le, cur, out, size)
			        : why(out, size, "%s: an ELF file this machine cannot run", cur);
			close(fd);
			break;
		}
		close(fd);
		if (n < 3 || head[0] != '#' || head[1] != '!') {
			r = why(out, size, "%s is neither an ELF program nor a \"#!\" script", cur);
			break;
		}
		head[n] = '\0';
		char *p = head + 2;
		p += strspn(p, " \t");
		size_t len = strcspn(p, " \t\n");
		if (!len || len >= sizeof(cur)) {
			r = why(out, size, "%s: no interpreter on its \"#!\" line", cur);
			break;
		}
		memmove(cur, p, len);
		cur[len] = '\0';
		if (depth == 4)
			r = why(out, size, "%s: too many levels of \"#!\" interpreters", path);
	}
	close(lfd);
	return r;
}
