/* container.c: helpers shared by the container backends (see container.h). */
#include "container.h"
#include "setid_calls.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

/* True when every directory on the way to path can be searched by others. */
static bool traversable(const struct sbx_fs *fs, const char *path)
{
	_cleanup_free_ char *p = strdup(path);
	if (!p)
		return false;
	for (char *slash = p;; slash++) {
		slash = strchr(slash, '/');
		if (slash)
			*slash = '\0';
		struct stat st;
		if (*p && (fs->stat(p, &st) < 0 || !(st.st_mode & S_IXOTH)))
			return false;
		if (!slash)
			return true;
		*slash = '/';
	}
}

int ctr_scratch_name(const struct sbx_host *h, const char *prefix, char **out, sbx_error **err)
{
	const char *tmp = h->tmpdir;
	if (!tmp || tmp[0] != '/')
		tmp = "/tmp";
	/* As root, runsc's sandbox drops to an unprivileged user that must
	 * reach the bundle: a TMPDIR beneath a private directory fails with
	 * "cannot read client sync file". */
	if (h->uid_root && !traversable(sbx_host_fs(h), tmp))
		tmp = "/tmp";
	/* Not guessable: the runner makes it with mkdir, which fails (and the
	 * run with it) if anyone made it first. */
	_cleanup_free_ char *name = ctr_unique_name();
	if (!name || asprintf(out, "%s/%s.%s", tmp, prefix, name + 4) < 0)
		return sbx_err(err, -ENOMEM, "out of memory");
	return 0;
}

/* Every string of the spec that reaches the runtime's JSON. */
int ctr_check_utf8(const struct sbx_cctx *c, sbx_error **err)
{
	const strv *lists[] = {&c->spec->args, &c->env,       &c->writable,
	                       &c->readable,   &c->read_deny, &c->allow_socket};
	static const char *const what[] = {"argument",      "environment entry", "writable path",
	                                   "readable path", "read-deny path",    "allowed socket"};
	for (size_t l = 0; l < ARRAY_SIZE(lists); l++)
		for (size_t i = 0; i < lists[l]->n; i++)
			if (!utf8_valid(lists[l]->v[i])) {
				_cleanup_buf_ buf q = {0};
				for (const unsigned char *b = (const void *)lists[l]->v[i]; *b; b++)
					if (*b >= 0x20 && *b < 0x7f && *b != '\\')
						buf_addc(&q, (char)*b);
					else
						buf_addf(&q, "\\x%02x", *b);
				return sbx_err(err, -EINVAL,
				               "%s %s is not valid UTF-8, which the container "
				               "runtime's JSON cannot carry (it would be altered)",
				               what[l], q.s ? q.s : "");
			}
	if (!utf8_valid(c->dir) || !utf8_valid(c->tmpdir))
		return sbx_err(err, -EINVAL,
		               "the working or temp directory is not valid UTF-8, which the "
		               "container runtime's JSON cannot carry");
	return 0;
}

char *ctr_unique_name(void)
{
	unsigned char rnd[6] = {0};
	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
		/* No entropy yet: the pid and the clock still keep names apart. */
		unsigned long t = (unsigned long)time(NULL) ^ (unsigned long)(uintptr_t)&rnd;
		memcpy(rnd, &t, sizeof(rnd) < sizeof(t) ? sizeof(rnd) : sizeof(t));
	}
	char *name = NULL;
	if (asprintf(&name, "sbx-%ld-%02x%02x%02x%02x%02x%02x", (long)getpid(), rnd[0], rnd[1],
	             rnd[2], rnd[3], rnd[4], rnd[5]) < 0)
		return NULL;
	return name;
}

static void json_names(buf *b, const char *const *names, size_t n)
{
	buf_add(b, "{\"names\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ',');
		buf_add_json_string(b, names[i]);
	}
	buf_add(b, "],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}");
}

/* The setuid/setgid refusals (lib/setid_calls.h) as OCI rules: one per
 * call, bit and creating flag, each comparing the masked argument(s). */
static void setid_json(buf *b, bool first, bool new_calls)
{
	for (size_t i = 0; i < ARRAY_SIZE(sbx_setid_calls); i++) {
		const struct sbx_setid_call *k = &sbx_setid_calls[i];
		if (k->nr >= 0 && !new_calls)
			continue;
		for (size_t n = 0; n < ARRAY_SIZE(sbx_setid_bits); n++)
			for (size_t f = 0; f < ARRAY_SIZE(sbx_setid_creating); f++) {
				if (k->flags < 0 && f > 0)
					break;
				buf_add(b, first ? "{\"names\":[" : ",{\"names\":[");
				first = false;
				buf_add_json_string(b, k->name);
				buf_addf(b,
				         "],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,\"args\":["
				         "{\"index\":%u,\"value\":%u,\"valueTwo\":%u,"
				         "\"op\":\"SCMP_CMP_MASKED_EQ\"}",
				         k->mode, sbx_setid_bits[n], sbx_setid_bits[n]);
				if (k->flags >= 0)
					buf_addf(b,
					         ",{\"index\":%d,\"value\":%u,\"valueTwo\":%u,"
					         "\"op\":\"SCMP_CMP_MASKED_EQ\"}",
					         k->flags, sbx_setid_creating[f],
					         sbx_setid_creating[f]);
				buf_add(b, "]}");
			}
	}
	buf_add(b, ",{\"names\":[\"openat2\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38}");
}

void ctr_seccomp_json(buf *b, bool no_exec, bool outbound, bool hardening, int setid)
{
	static const char *const exec_calls[] = {"execve", "execveat"};
	static const char *const listen_calls[] = {"listen", "accept", "accept4"};
	static const char *const hardening_calls[] = {
	    "ptrace",
	    "process_vm_readv",
	    "process_vm_writev",
	    "add_key",
	    "request_key",
	    "keyctl",
	    "bpf",
	    "perf_event_open",
	    "userfaultfd",
	    "io_uring_setup",
	    "io_uring_enter",
	    "io_uring_register",
	    "mount",
	    "umount2",
	    "pivot_root",
	    "unshare",
	    "setns",
	    "kexec_load",
	    "kexec_file_load",
	    "init_module",
	    "finit_module",
	    "delete_module",
	    "open_by_handle_at",
	    "name_to_handle_at",
	    "fsopen",
	    "fsmount",
	    "fsconfig",
	    "move_mount",
	    "open_tree",
	    "swapon",
	    "swapoff",
	    "reboot",
	    "acct",
	    "quotactl",
	    "lookup_dcookie",
	    "vm86",
	    "vm86old",
	    "nfsservctl",
	    "syslog",
	    "iopl",
	    "ioperm",
	    "clock_settime",
	    "settimeofday",
	    "adjtimex",
	    "clock_adjtime",
	};
	buf_add(b, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[");
	bool first = true;
	if (no_exec) {
		json_names(b, exec_calls, ARRAY_SIZE(exec_calls));
		first = false;
	}
	if (outbound) {
		if (!first)
			buf_addc(b, ',');
		json_names(b, listen_calls, ARRAY_SIZE(listen_calls));
		first = false;
	}
	if (hardening) {
		if (!first)
			buf_addc(b, ',');
		json_names(b, hardening_calls, ARRAY_SIZE(hardening_calls));
		first = false;
	}
	if (setid) {
		setid_json(b, first, setid > 1);
	}
	buf_add(b, "]}");
}

void ctr_add_argv_line(buf *b, const strv *argv)
{
	for (size_t i = 0; i < argv->n; i++) {
		if (i)
			buf_addc(b, ' ');
		buf_add_shell_quoted(b, argv->v[i]);
	}
	buf_addc(b, '\n');
}
