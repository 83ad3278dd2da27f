/* seccomp.c: the seccomp filter, always installed, last, right before the
 * command's execve. Default allow; denies the kernel attack surface a
 * sandboxed build never needs and the calls that would undo the sandbox,
 * plus the network rules of the plan. Only the native ABI is allowed: 32-bit
 * (int 0x80) and x32 system calls get ENOSYS.
 *
 * libseccomp takes about 0.2 ms to build the program, so the supervisor
 * builds it (shim_seccomp_export) on its own CPU while the sandbox makes its
 * mounts, and hands it over as a sealed memfd (supervise.c); the command's
 * process loads that program as it is. It is the program the command's
 * process would have built: the same configuration (copied at the fork),
 * and the one input that is not, whether the caller is root, is sent with
 * it and compared. Without it (none sent, or another uid) the command's
 * process builds its own. */
#include "shim.h"
#include "setid_calls.h"

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif
#ifndef CLONE_NEWUSER
#define CLONE_NEWUSER 0x10000000
#endif

struct deny {
	const char *name;
	int err;
};

/* Denied outright. ENOSYS where programs have a fallback for a missing
 * call, EPERM where the answer is "not allowed". */
static const struct deny denied[] = {
    /* debugging other processes: reads and writes their memory */
    {"ptrace", EPERM},
    {"process_vm_readv", EPERM},
    {"process_vm_writev", EPERM},
    /* kernel keyrings are not namespaced */
    {"add_key", EPERM},
    {"request_key", EPERM},
    {"keyctl", EPERM},
    /* large kernel attack surface */
    {"bpf", EPERM},
    {"perf_event_open", EPERM},
    {"userfaultfd", EPERM},
    /* io_uring performs file and socket operations that seccomp never sees */
    {"io_uring_setup", ENOSYS},
    {"io_uring_enter", ENOSYS},
    {"io_uring_register", ENOSYS},
    /* a file handle opens what it names without a path (Linux 6.10 relaxed
     * who may; the mount's owner with CAP_SYS_ADMIN, never us, but the
     * kernel's rules have moved before) */
    {"open_by_handle_at", EPERM},
    /* the kernel's log: addresses and the host's messages */
    {"syslog", EPERM},
    /* the kernel itself */
    {"init_module", EPERM},
    {"finit_module", EPERM},
    {"delete_module", EPERM},
    {"kexec_load", EPERM},
    {"kexec_file_load", EPERM},
    {"reboot", EPERM},
    {"swapon", EPERM},
    {"swapoff", EPERM},
    {"acct", EPERM},
    /* the mount table would let a process undo masks and binds */
    {"mount", EPERM},
    {"umount2", EPERM},
    {"pivot_root", EPERM},
    {"move_mount", EPERM},
    {"open_tree", EPERM},
    {"fsopen", EPERM},
    {"fsconfig", EPERM},
    {"fsmount", EPERM},
    {"fspick", EPERM},
    {"mount_setattr", EPERM},
    /* clone3 passes flags in memory the filter cannot read; libc falls
     * back to clone, whose flags are checked below */
    {"clone3", ENOSYS},
};

static int rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n,
                const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR)
		return 0; /* not on this architecture */
	return seccomp_rule_add_array(ctx, action, nr, n, cmp);
}

/* The socket gate (gate.c): connect() and, with init, bind() go to it;
 * datagram unix sockets, which address any path on every send, cannot be
 * made (SOCK_RAW is a datagram socket for AF_UNIX). */
static int gate_rules(const struct shim_config *c, scmp_filter_ctx ctx)
{
	int r = rule(ctx, SCMP_ACT_NOTIFY, "connect", 0, NULL);
	/* bind() is done for the command only by init, which holds the
	 * command's Landlock domain and notes each unix socket it binds (the
	 * only ones connect() reaches); the supervisor (no pid namespace)
	 * holds none, so there the kernel binds, under the command's domain. */
	if (r == 0 && c->pidns)
		r = rule(ctx, SCMP_ACT_NOTIFY, "bind", 0, NULL);
	static const int types[] = {SOCK_DGRAM, SOCK_RAW};
	for (size_t i = 0; i < ARRAY_SIZE(types) && r == 0; i++) {
		struct scmp_arg_cmp t[2] = {
		    SCMP_A0_32(SCMP_CMP_EQ, AF_UNIX),
		    SCMP_A1_32(SCMP_CMP_MASKED_EQ, 0xf, (uint32_t)types[i])};
		r = rule(ctx, SCMP_ACT_ERRNO(EACCES), "socket", 2, t);
		if (r == 0)
			r = rule(ctx, SCMP_ACT_ERRNO(EACCES), "socketpair", 2, t);
	}
	return r;
}

/* fchmodat2 (Linux 6.6) by number where this libseccomp does not know it:
 * the same on every architecture since the syscall table was unified. */
static int rule_nr(scmp_filter_ctx ctx, uint32_t action, const char *name, int fallback, unsigned n,
                   const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR)
		nr = fallback;
	return seccomp_rule_add_array(ctx, action, nr, n, cmp);
}

/* Run by root (uid 0 inside is the host's root: the ids map to
 * themselves), the command must not make a setuid or setgid file: one in a
 * path written through to the host (the temp dir, the project) would run
 * with root's rights for anyone outside. chmod calls whose mode sets either
 * bit, and creating calls whose mode does, get EPERM; openat2, whose mode
 * is in memory the filter cannot read, gets ENOSYS (libc falls back to
 * openat). */
static int setid_rules(scmp_filter_ctx ctx, bool openat2)
{
	int r = 0;
	for (size_t i = 0; i < ARRAY_SIZE(sbx_setid_calls) && r == 0; i++) {
		const struct sbx_setid_call *k = &sbx_setid_calls[i];
		for (size_t b = 0; b < ARRAY_SIZE(sbx_setid_bits) && r == 0; b++)
			for (size_t f = 0; f < ARRAY_SIZE(sbx_setid_creating) && r == 0; f++) {
				if (k->flags < 0 && f > 0)
					break;
				unsigned bit = sbx_setid_bits[b], cr = sbx_setid_creating[f];
				struct scmp_arg_cmp m[2] = {
				    {k->mode, SCMP_CMP_MASKED_EQ, bit, bit},
				    {(unsigned)k->flags, SCMP_CMP_MASKED_EQ, cr, cr}};
				unsigned n = k->flags < 0 ? 1 : 2;
				if (k->nr < 0)
					r = rule(ctx, SCMP_ACT_ERRNO(EPERM), k->name, n, m);
				else
					r = rule_nr(ctx, SCMP_ACT_ERRNO(EPERM), k->name, k->nr, n,
					            m);
			}
	}
	if (r == 0 && openat2)
		r = rule_nr(ctx, SCMP_ACT_ERRNO(ENOSYS), "openat2", SBX_SETID_OPENAT2_NR, 0, NULL);
	return r;
}

/* The create gate (create.c, --deny-create): every call that makes a
 * name, and every one that writes, truncates, removes or renames one, or
 * changes its mode or owner (a protected name the host makes or replaces
 * during the run is held too), goes to init, which makes it (or refuses a protected name). open and
 * openat only with O_CREAT, O_TRUNC or write access: the rest change nothing. openat2's flags are
 * in memory the filter cannot read: ENOSYS (libc falls back). */
static int create_rules(scmp_filter_ctx ctx)
{
	static const char *const calls[] = {
	    "creat",     "mkdir",    "mkdirat", "mknod",    "mknodat",  "symlink",
	    "symlinkat", "link",     "linkat",  "rename",   "renameat", "renameat2",
	    "unlink",    "unlinkat", "rmdir",   "truncate", "chmod",    "fchmod",
	    "fchmodat",  "chown",    "lchown",  "fchown",   "fchownat",
	};
	int r = 0;
	for (size_t i = 0; i < ARRAY_SIZE(calls) && r == 0; i++)
		r = rule(ctx, SCMP_ACT_NOTIFY, calls[i], 0, NULL);
	if (r == 0)
		r = rule_nr(ctx, SCMP_ACT_NOTIFY, "fchmodat2", SBX_FCHMODAT2_NR, 0, NULL);
	static const struct {
		unsigned mask, value;
	} flags[] = {
	    {O_CREAT, O_CREAT}, {O_TRUNC, O_TRUNC}, {O_ACCMODE, O_WRONLY}, {O_ACCMODE, O_RDWR}};
	for (size_t i = 0; i < ARRAY_SIZE(flags) && r == 0; i++) {
		struct scmp_arg_cmp o1 =
		    SCMP_A1_32(SCMP_CMP_MASKED_EQ, flags[i].mask, flags[i].value);
		struct scmp_arg_cmp o2 =
		    SCMP_A2_32(SCMP_CMP_MASKED_EQ, flags[i].mask, flags[i].value);
		r = rule(ctx, SCMP_ACT_NOTIFY, "open", 1, &o1);
		if (r == 0)
			r = rule(ctx, SCMP_ACT_NOTIFY, "openat", 1, &o2);
	}
	if (r == 0)
		r = rule_nr(ctx, SCMP_ACT_ERRNO(ENOSYS), "openat2", SBX_SETID_OPENAT2_NR, 0, NULL);
	return r;
}

static int add_rules(const struct shim_config *c, scmp_filter_ctx ctx, bool root)
{
	int r = 0;
	for (size_t i = 0; i < ARRAY_SIZE(denied) && r == 0; i++)
		r = rule(ctx, SCMP_ACT_ERRNO(denied[i].err), denied[i].name, 0, NULL);
	/* The kernel reads ioctl's request as 32 bits: compare only those, or
	 * setting high bits would slip TIOCSTI past the filter. */
	struct scmp_arg_cmp sti = SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI);
	struct scmp_arg_cmp linux_ = SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX);
	if (r == 0)
		r = rule(ctx, SCMP_ACT_ERRNO(EPERM), "ioctl", 1, &sti);
	if (r == 0)
		r = rule(ctx, SCMP_ACT_ERRNO(EPERM), "ioctl", 1, &linux_);
	/* New user namespaces hand out capabilities over fresh namespaces:
	 * a large attack surface, and nothing a sandboxed build needs. */
	struct scmp_arg_cmp newuser0 = SCMP_A0_64(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER);
	if (r == 0)
		r = rule(ctx, SCMP_ACT_ERRNO(EPERM), "unshare", 1, &newuser0);
	if (r == 0)
		r = rule(ctx, SCMP_ACT_ERRNO(EPERM), "clone", 1, &newuser0);
	if (r == 0 && c->no_exec) {
		/* The supervisor lets exactly one execve continue: ours, made
		 * right after this filter is loaded, before any of the command's
		 * code has run; it refuses every later one without looking at
		 * the arguments, so no argument can change under it. */
		r = rule(ctx, SCMP_ACT_NOTIFY, "execve", 0, NULL);
		if (r == 0)
			r = rule(ctx, SCMP_ACT_NOTIFY, "execveat", 0, NULL);
	}
	if (r == 0 && c->unix_gate)
		r = gate_rules(c, ctx);
	if (r == 0 && c->deny_create.n)
		r = create_rules(ctx);
	/* (the gate refuses openat2 already; init refuses the setid modes
	 * of the calls it makes too, whichever rule the filter matches) */
	if (r == 0 && root)
		r = setid_rules(ctx, !c->deny_create.n);
	/* (net=allowlist runs "enable" inside its own network namespace: the
	 * same netlink line) */
	if (r == 0 && (c->net != SHIM_NET_ENABLE || c->proxy_port)) {
		/* Netlink: only the route family, which libc's interface
		 * listing uses; NETLINK_USERSOCK would reach other processes. */
		struct scmp_arg_cmp nl[2] = {SCMP_A0_32(SCMP_CMP_EQ, AF_NETLINK),
		                             SCMP_A2_32(SCMP_CMP_NE, NETLINK_ROUTE)};
		r = rule(ctx, SCMP_ACT_ERRNO(EACCES), "socket", 2, nl);
	} else if (r == 0 && c->unix_gate) {
		struct scmp_arg_cmp nl[2] = {SCMP_A0_32(SCMP_CMP_EQ, AF_NETLINK),
		                             SCMP_A2_32(SCMP_CMP_EQ, NETLINK_USERSOCK)};
		r = rule(ctx, SCMP_ACT_ERRNO(EACCES), "socket", 2, nl);
	}
	if (r == 0 && c->net == SHIM_NET_DISABLE && !c->netns) {
		/* Only local sockets: AF_UNIX (1) and AF_NETLINK (16). Every
		 * other family in five comparisons: 0, 2-3, 4-7, 8-15, >= 17
		 * (the kernel reads the family as an int: 32 bits). */
		static const struct {
			uint32_t mask, value;
		} others[] = {
		    {0xffffffffu, 0}, {0xfffffffeu, 2}, {0xfffffffcu, 4}, {0xfffffff8u, 8}};
		for (size_t i = 0; i < ARRAY_SIZE(others) && r == 0; i++) {
			struct scmp_arg_cmp m =
			    SCMP_A0_32(SCMP_CMP_MASKED_EQ, others[i].mask, others[i].value);
			r = rule(ctx, SCMP_ACT_ERRNO(EACCES), "socket", 1, &m);
		}
		struct scmp_arg_cmp ge = SCMP_A0_32(SCMP_CMP_GE, AF_NETLINK + 1);
		if (r == 0)
			r = rule(ctx, SCMP_ACT_ERRNO(EACCES), "socket", 1, &ge);
	}
	if (r == 0 && c->net == SHIM_NET_OUTBOUND) {
		/* listen() autobinds without bind(), which Landlock never sees:
		 * refusing it is what makes inbound TCP impossible. With
		 * listen_unix the supervisor does it for unix sockets (notify.c). */
		r = rule(ctx, c->listen_unix ? SCMP_ACT_NOTIFY : SCMP_ACT_ERRNO(EACCES), "listen",
		         0, NULL);
	}
	return r;
}

/* Does the filter hand calls to a listener (SCMP_ACT_NOTIFY in add_rules)? */
static bool notifies(const struct shim_config *c)
{
	return c->no_exec || c->unix_gate || c->deny_create.n ||
	       (c->listen_unix && c->net == SHIM_NET_OUTBOUND);
}

static scmp_filter_ctx build(const struct shim_config *c, bool root, int *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		*err = -ENOMEM;
		return NULL;
	}
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS));
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 5)
	/* A binary search over the call numbers instead of a chain of tests:
	 * the same decisions, and the kernel's per-call cache, computed by
	 * running the program for every call number when it is loaded, costs
	 * half as much (0.05 ms less on every start). An optimisation only:
	 * a libseccomp that refuses it builds the chain. */
	if (r == 0)
		(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
#endif
	if (r == 0)
		r = add_rules(c, ctx, root);
	if (r < 0) {
		seccomp_release(ctx);
		*err = r;
		return NULL;
	}
	return ctx;
}

int shim_seccomp_export(const struct shim_config *c)
{
	int err = 0;
	scmp_filter_ctx ctx = build(c, getuid() == 0, &err);
	if (!ctx)
		return -1;
	int fd = memfd_create("sbx-seccomp", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd >= 0 && (seccomp_export_bpf(ctx, fd) < 0 ||
	                fcntl(fd, F_ADD_SEALS,
	                      F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)) {
		close(fd);
		fd = -1;
	}
	seccomp_release(ctx);
	return fd;
}

void shim_seccomp_take(struct shim_config *c, int fd, bool root)
{
	struct stat st;
	/* sealed, so what is read is what the supervisor wrote, whole */
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0 ||
	    st.st_size % (off_t)sizeof(struct sock_filter) ||
	    st.st_size > BPF_MAXINSNS * (off_t)sizeof(struct sock_filter) ||
	    fcntl(fd, F_GET_SEALS) != (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL))
		return;
	void *prog = malloc((size_t)st.st_size);
	if (prog && pread(fd, prog, (size_t)st.st_size, 0) == st.st_size) {
		free(c->bpf);
		c->bpf = prog;
		c->bpf_len = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
		c->bpf_root = root;
		return;
	}
	free(prog);
}

int shim_seccomp_apply(const struct shim_config *c, int *notify_fd)
{
	*notify_fd = -1;
	bool root = getuid() == 0;
	if (c->bpf && c->bpf_root == root) {
		/* what seccomp_load does with this configuration: no_new_privs,
		 * then the program, with a listener when it notifies */
		struct sock_fprog prog = {.len = c->bpf_len, .filter = c->bpf};
		unsigned flags = notifies(c) ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			return shim_fail(c, "seccomp: no_new_privs: %s", strerror(errno));
		long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
		if (fd < 0)
			return shim_fail(c, "seccomp: %s", strerror(errno));
		if (!flags)
			return 0;
		/* (kept clear of 0-2, which the command's stdio may leave free) */
		*notify_fd = fd >= 3 ? (int)fd : fcntl((int)fd, F_DUPFD_CLOEXEC, 3);
		if (fd < 3)
			close((int)fd);
		return *notify_fd < 0 ? shim_fail(c, "seccomp: %s", strerror(EBADF)) : 0;
	}
	int r = 0;
	scmp_filter_ctx ctx = build(c, root, &r);
	if (!ctx)
		return shim_fail(c, "seccomp: %s", strerror(-r));
	r = seccomp_load(ctx);
	if (r == 0 && notifies(c)) {
		/* Our own copy: releasing the context may close its one. */
		int fd = seccomp_notify_fd(ctx);
		*notify_fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
		if (*notify_fd < 0)
			r = -EBADF;
	}
	seccomp_release(ctx);
	if (r < 0)
		return shim_fail(c, "seccomp: %s", strerror(-r));
	return 0;
}
