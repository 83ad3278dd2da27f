/* fsmemo.c: the real filesystem's answers, remembered for one compile.
 *
 * A plan is compiled against a snapshot of the host: the default profile
 * asks about the same few directories over and over (forty denied names
 * under ~ and /etc resolve through ~, ~/.config and /etc; the views ask
 * again which of them exist), some 400 system calls a start, most of the
 * compile's time. Between sbx_fs_memo_begin and sbx_fs_memo_end, lstat,
 * stat and realpath of sbx_fs_real answer a path they answered before as
 * they did then (errno included), without asking the kernel again, and a
 * realpath is made from the parent's where that is the kernel's answer
 * (from_parent).
 *
 * Why that is sound: the compile changes nothing on the filesystem (it
 * only looks), and a host that changes a path during the compile could as
 * well have changed it a microsecond after: the plan is of one moment
 * either way, and what it names is checked again where it is enforced
 * (the shim opens each path with RESOLVE_NO_SYMLINKS, Landlock holds what
 * is open). Outside a compile nothing is remembered: a long-lived user of
 * libsbx compiling twice sees the host as it is each time. Per thread, so
 * two threads compiling at once keep their own. */
#include "internal.h"

#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>

enum memo_kind { MEMO_LSTAT, MEMO_STAT, MEMO_REALPATH };

struct memo_entry {
	char *path; /* NULL: a free slot */
	unsigned char kind;
	int ret; /* 0 or -1 (realpath: 0 with real set) */
	int err;
	struct stat st;
	char *real;
};

/* Open addressing; a compile asks about some 150 paths. When it is full,
 * further answers are not remembered (still right, only slower). 256
 * slots, 45 KB: under the allocator's large size (a table of 512 was its
 * own mapping, unmapped after each compile) */
#define MEMO_SLOTS 256

struct memo {
	unsigned depth;
	size_t used;
	struct memo_entry e[MEMO_SLOTS];
};

static __thread struct memo *memo;

void sbx_fs_memo_begin(void)
{
	if (memo) {
		memo->depth++;
		return;
	}
	memo = calloc(1, sizeof(*memo)); /* without one, every call asks */
	if (memo)
		memo->depth = 1;
}

void sbx_fs_memo_end(void)
{
	if (!memo || --memo->depth)
		return;
	for (size_t i = 0; i < MEMO_SLOTS; i++) {
		free(memo->e[i].path);
		free(memo->e[i].real);
	}
	free(memo);
	memo = NULL;
}

static size_t slot_of(const char *path, enum memo_kind kind)
{
	uint32_t h = 2166136261u ^ (uint32_t)kind; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % MEMO_SLOTS;
}

/* The entry for (path, kind), or the free slot where it goes, or NULL. */
static struct memo_entry *find(const char *path, enum memo_kind kind)
{
	for (size_t i = slot_of(path, kind), n = 0; n < MEMO_SLOTS; n++, i = (i + 1) % MEMO_SLOTS) {
		struct memo_entry *e = &memo->e[i];
		if (!e->path || (e->kind == kind && streq(e->path, path)))
			return e;
	}
	return NULL;
}

/* Takes a free slot for (path, kind); NULL when the table is (nearly)
 * full or out of memory: the answer is then not remembered. */
static struct memo_entry *claim(struct memo_entry *e, const char *path, enum memo_kind kind)
{
	if (!e || e->path || memo->used >= MEMO_SLOTS * 3 / 4 || !(e->path = strdup(path)))
		return NULL;
	memo->used++;
	e->kind = (unsigned char)kind;
	return e;
}

static int ask(const char *path, struct stat *st, enum memo_kind kind)
{
#ifndef _WIN32
	if (kind == MEMO_LSTAT)
		return lstat(path, st);
#endif
	(void)kind;
	return stat(path, st);
}

static int memo_stat_call(const char *path, struct stat *st, enum memo_kind kind)
{
	if (!memo || !path)
		return ask(path, st, kind);
	struct memo_entry *e = find(path, kind);
	if (e && e->path) {
		*st = e->st;
		errno = e->err;
		return e->ret;
	}
	int r = ask(path, st, kind);
	int err = errno;
	if ((e = claim(e, path, kind))) {
		e->ret = r;
		e->err = err;
		if (r == 0)
			e->st = *st;
	}
	errno = err;
	return r;
}

int sbx_fs_memo_lstat(const char *path, struct stat *st)
{
	return memo_stat_call(path, st, MEMO_LSTAT);
}

int sbx_fs_memo_stat(const char *path, struct stat *st)
{
	return memo_stat_call(path, st, MEMO_STAT);
}

#ifndef _WIN32
/* realpath of a path that is not a symbolic link, from its parent's: the
 * kernel resolves it as it resolves its parent, then looks the name up
 * there, following nothing (a mount on the name keeps the name). So
 * realpath(P/n) is realpath(P)/n when lstat says P/n is there and no link,
 * each answer the memo's (the lstat is the one the views ask anyway, the
 * parents' realpaths are shared): one system call instead of sbx_realpath's
 * open, readlink of /proc/self/fd and close. 1 with out set; -1, errno set,
 * when it is not there; 0 when the kernel must say: a link, a name "." or
 * "..", a doubled slash, anything in /proc (whose links are magic: a
 * descriptor's, a process's root or cwd) or too long. */
static int from_parent_at(const char *path, char *out)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (path[0] != '/' || len >= PATH_MAX || startswith(path, "/proc/") || streq(path, "/proc"))
		return 0;
	if (len == 1) {
		strcpy(out, "/");
		return 1;
	}
	size_t cut = len;
	while (path[cut - 1] != '/')
		cut--;
	const char *name = path + cut;
	size_t nlen = len - cut;
	if ((nlen == 1 && name[0] == '.') || (nlen == 2 && name[0] == '.' && name[1] == '.') ||
	    (cut >= 2 && path[cut - 2] == '/'))
		return 0;
	struct stat st;
	if (sbx_fs_memo_lstat(path, &st) < 0)
		return -1;
	if (S_ISLNK(st.st_mode))
		return 0;
	char parent[PATH_MAX], real[PATH_MAX];
	memcpy(parent, path, cut > 1 ? cut - 1 : 1);
	parent[cut > 1 ? cut - 1 : 1] = '\0';
	if (!sbx_fs_memo_realpath(parent, real))
		return 0; /* (it was there a moment ago: let the kernel say) */
	size_t rl = strlen(real);
	if (rl + 1 + nlen >= PATH_MAX)
		return 0;
	size_t at = streq(real, "/") ? 0 : rl;
	memcpy(out, real, at);
	out[at] = '/';
	memcpy(out + at + 1, name, nlen);
	out[at + 1 + nlen] = '\0';
	return 1;
}

/* Each level asks for its parent's realpath, which may come here again: a
 * path of 2000 components would take 2000 frames of 8 KB (a crash, for a
 * working directory that deep). Past 16 levels the kernel answers. */
static int from_parent(const char *path, char *out)
{
	static __thread unsigned depth;
	if (depth >= 16)
		return 0;
	depth++;
	int r = from_parent_at(path, out);
	depth--;
	return r;
}
#endif

char *sbx_fs_memo_realpath(const char *path, char *out)
{
	if (!memo || !path)
		return sbx_realpath(path, out);
	struct memo_entry *e = find(path, MEMO_REALPATH);
	if (e && e->path) {
		errno = e->err;
		if (!e->real)
			return NULL;
		memcpy(out, e->real, strlen(e->real) + 1);
		return out;
	}
	char *r;
#ifndef _WIN32
	int how = from_parent(path, out);
	r = how > 0 ? out : how < 0 ? NULL : sbx_realpath(path, out);
#else
	r = sbx_realpath(path, out);
#endif
	int err = errno;
	/* (found again: resolving the parents may have taken that slot) */
	if ((e = claim(find(path, MEMO_REALPATH), path, MEMO_REALPATH))) {
		e->err = err;
		e->ret = r ? 0 : -1;
		/* (a copy that cannot be made: the answer is forgotten) */
		if (r && !(e->real = strdup(out))) {
			free(e->path);
			e->path = NULL;
			memo->used--;
		}
	}
	errno = err;
	return r;
}
