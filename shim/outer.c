/* outer.c: how a nested sbx-exec learns what this sandbox enforces.
 *
 * A run inside the sandbox asks by connect()ing a unix socket to the
 * abstract name SBX_OUTER_NAME. The seccomp filter sends every connect()
 * to init (gate.c), which answers that one, and only when it comes through
 * its own filter, by adding a sealed memfd with the description to the
 * caller (SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SEND): the call
 * returns the new descriptor's number. Nothing else can make connect()
 * return a positive number: outside a sandbox the name is refused (or, if
 * someone listens on it, connect returns 0), and inside one no process can
 * install a second listener. So neither an environment variable nor a
 * planted file can make a nested run believe it is held by an outer
 * sandbox. A nested sandbox runs no init and does not answer: a deeper run
 * learns the outermost description, and is in addition bound by every
 * layer in between, which its process inherits.
 *
 * The description (lib/outer.c parses it), one item per line:
 *   sbx-outer 1
 *   net enable|outbound|disable
 *   no-exec 0|1
 *   ipc 0|1                 host IPC restricted (the socket gate)
 *   read-all 0|1            reads not scoped
 *   read PATH               a read grant (with read-all 0)
 *   write PATH              a path written through to the host
 *   view PATH               writes there succeed and are discarded
 *   deny PATH               a path hidden from reads
 *   redact PATH             a file shown without its credential entries
 *   memory N | pids N | cpus X
 *   end */
#include "shim.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#ifndef SECCOMP_ADDFD_FLAG_SEND
#define SECCOMP_ADDFD_FLAG_SEND (1UL << 1)
#endif

static void describe(const struct shim_config *c, buf *b)
{
	static const char *const nets[] = {"enable", "outbound", "disable"};
	buf_addf(b, "sbx-outer 1\nnet %s\nno-exec %d\nipc %d\n", nets[c->net], c->no_exec,
	         c->unix_gate);
	bool read_all = !c->ll_abi;
	for (size_t i = 0; i < c->nrules; i++)
		if (c->rules[i].kind == RULE_READ && streq(c->rules[i].path, "/"))
			read_all = true;
	buf_addf(b, "read-all %d\n", read_all);
	for (size_t i = 0; !read_all && i < c->nrules; i++)
		if (c->rules[i].kind != RULE_DEV)
			buf_addf(b, "read %s\n", c->rules[i].path);
	for (size_t i = 0; i < c->nmounts; i++) {
		const struct shim_mount *m = &c->mounts[i];
		if (m->kind == MNT_BIND)
			buf_addf(b, "write %s\n", m->path);
		else if (m->kind == MNT_TMPFS)
			buf_addf(b, "view %s\n", m->path);
		else if (m->kind == MNT_MASK || m->kind == MNT_HIDE)
			buf_addf(b, "deny %s\n", m->path);
		else if (m->kind == MNT_REDACT)
			buf_addf(b, "redact %s\n", m->path);
	}
	for (size_t i = 0; i < c->cow_dirs.n; i++)
		buf_addf(b, "view %s\n", c->cow_dirs.v[i]);
	if (c->memory)
		buf_addf(b, "memory %lld\n", (long long)c->memory);
	if (c->pids)
		buf_addf(b, "pids %lld\n", (long long)c->pids);
	if (c->cpus > 0)
		buf_addf(b, "cpus %g\n", c->cpus);
	buf_add(b, "end\n");
}

int shim_outer_memfd(const struct shim_config *c)
{
	_cleanup_buf_ buf b = {0};
	describe(c, &b);
	if (b.oom)
		return -1;
	int fd = sbx_memfd_sealed("sbx-outer", b.s, b.len, true);
	return fd < 0 ? -1 : fd;
}

/* Answers the query (gate.c calls this for the name): the description,
 * added to the caller as a new descriptor whose number connect() returns.
 * The caller reads it from offset 0 with pread. */
void shim_outer_answer(struct shim_notify_state *st, const struct seccomp_notif *req)
{
	if (st->outer_fd < 0)
		st->outer_fd = shim_outer_memfd(st->c);
	struct seccomp_notif_addfd add = {.id = req->id,
	                                  .flags = SECCOMP_ADDFD_FLAG_SEND,
	                                  .srcfd = (__u32)st->outer_fd,
	                                  .newfd_flags = O_CLOEXEC};
	if (st->outer_fd >= 0 && ioctl(st->fd, SECCOMP_IOCTL_NOTIF_ADDFD, &add) >= 0)
		return;
	struct seccomp_notif_resp resp = {.id = req->id, .error = -ECONNREFUSED};
	ioctl(st->fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}
