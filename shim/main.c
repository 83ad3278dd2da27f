/* main.c: sbx-shim's options and the fixed order in which it applies them.
 *
 * Order (DESIGN.md), each step aborting with status 125 before the command
 * starts:
 *   1. cgroup created with its limits (supervisor, before any fork)
 *   2. namespaces: clone into new user, mount, pid, ipc [, net] namespaces;
 *      the supervisor writes the id maps and moves the child into the cgroup
 *   3. mounts, inside the new mount namespace: copy-on-write views, writable
 *      binds, masks, a private /proc and /dev/shm; loopback up in a new netns
 *   4. (the command's process) capabilities dropped, no_new_privs set
 *   5. Landlock ruleset: filesystem, TCP, IPC scopes
 *      (--preload: the library checked from inside, its policy sealed in a
 *      memfd, LD_PRELOAD set for the command only; see preload.c)
 *   6. seccomp filter, last, immediately before execve
 *   7. execve of the command (126: cannot execute, 127: not found)
 */
#include "shim.h"

#include <stdio.h>
#include <sys/stat.h>

static const char usage[] =
    "Usage: sbx-shim [OPTION]... -- COMMAND [ARG]...\n"
    "Apply sbx's landlock-backend isolation, then run COMMAND. sbx-exec writes these\n"
    "options; `sbx-exec --print` shows them for a policy.\n"
    "\n"
    "  --chdir DIR          run COMMAND in DIR\n"
    "  --timeout SECS       kill the sandbox after SECS seconds (exit 124)\n"
    "  --net MODE           enable | outbound | disable\n"
    "                         outbound: TCP bind denied (Landlock), listen() denied (seccomp)\n"
    "                         disable: with --unshare-net an empty network namespace with\n"
    "                         loopback; without it TCP denied (Landlock) and only AF_UNIX and\n"
    "                         AF_NETLINK sockets can be created (seccomp)\n"
    "  --no-exec            after COMMAND starts, execve and execveat fail (seccomp user\n"
    "                         notification answered by the supervisor)\n"
    "  --listen-unix        with --net outbound, listen() still works on unix sockets: the\n"
    "                         sandbox's init checks the socket and listens on it itself\n"
    "  --unix-gate          connect() (and bind() with --net outbound) is done by the\n"
    "                         sandbox's init: a pathname unix socket is reachable only in\n"
    "                         the places the sandbox can write and --unix-allow ones;\n"
    "                         datagram unix sockets cannot be created; with --net outbound\n"
    "                         inet datagram sockets cannot bind a port (needs\n"
    "                         --unshare-pid)\n"
    "  --unix-allow PATH    with --unix-gate, the unix socket PATH stays reachable\n"
    "  --unshare-user       new user namespace (the caller's ids mapped to themselves);\n"
    "                         needed by every option below it\n"
    "  --unshare-pid        new pid namespace with its own /proc\n"
    "  --unshare-ipc        new IPC namespace (SysV IPC, POSIX queues) and private /dev/shm\n"
    "  --unshare-net        new network namespace with only loopback\n"
    "  --ro-root            every mount inherited from the host becomes read-only (no\n"
    "                         write, chmod, chown, utime or xattr change reaches it);\n"
    "                         --bind paths are bound again read-write\n"
    "  --cow-root           make / copy-on-write: every top-level directory gets an\n"
    "                         overlay with a private upper layer (directories holding\n"
    "                         other mounts are handled one level down)\n"
    "  --cow-keep DIR       with --cow-root, leave this top-level directory as the host's\n"
    "  --cow DIR            make DIR copy-on-write, in place (for whiteouts; no writes)\n"
    "  --cow-write DIR      make DIR copy-on-write, in place, taking writes that vanish\n"
    "                         with the sandbox (a private temp dir)\n"
    "  --bind PATH          expose the host's PATH read-write at the same place (after\n"
    "                         copy-on-write views, so writes persist)\n"
    "  --mask PATH          hide PATH behind an empty read-only directory or file; a\n"
    "                         missing PATH is created first inside a copy-on-write view\n"
    "  --hide PATH          like --mask, skipped when PATH does not exist\n"
    "  --tmpfs DIR          an empty private writable tmpfs over DIR (skipped if missing)\n"
    "  --socket PATH        expose the host's unix socket PATH inside an earlier --tmpfs or\n"
    "                         copy-on-write view\n"
    "  --memory BYTES       cgroup memory cap (swap included where accounted)\n"
    "  --pids N             cgroup process and thread cap\n"
    "  --cpus N             cgroup CPU quota in cores\n"
    "  --ll-abi N           enforce with Landlock, handling the rights of ABI N (fails if\n"
    "                         the kernel's ABI is lower); every filesystem access not\n"
    "                         granted by a rule below is denied\n"
    "  --ll-read PATH       allow reading, listing and executing beneath PATH\n"
    "  --ll-read-try PATH   the same, skipped when PATH does not exist\n"
    "  --ll-write PATH      allow everything beneath PATH\n"
    "  --ll-dev PATH        allow reading, writing and ioctl on a device file (skipped if\n"
    "                         missing)\n"
    "  --ll-deny PATH       keep PATH unreadable with Landlock alone: rules granted above\n"
    "                         PATH are split into rules for its siblings\n"
    "  --ll-write-around PATH  write rules are split around PATH, as --ll-deny splits\n"
    "                         every rule (a nested run inside another sandbox)\n"
    "  --ll-tty             --ll-dev for /dev/tty and the terminals on fds 0-2\n"
    "  --ll-proc-self       allow reading /proc/self of the command\n"
    "  --ll-views-write-only  copy-on-write views take writes but cannot be read (a read\n"
    "                         scope)\n"
    "  --preload LIB        run COMMAND with LD_PRELOAD=LIB (libsbx-preload.so), its\n"
    "                         policy sealed in a memfd named by SBX_PRELOAD_FD; holds\n"
    "                         what it can only inside dynamically linked programs\n"
    "  --preload-policy TEXT  the library's policy (format in preload/README.md)\n"
    "  --direct             no supervisor, no fork: exec COMMAND in this process (a\n"
    "                         nested run that adds nothing to the sandbox it is in)\n"
    "  --help               show this help\n"
    "  --version            show the version\n"
    "\n"
    "Always: capabilities dropped, no_new_privs, and a seccomp filter denying ptrace,\n"
    "keyrings, bpf, perf_event_open, userfaultfd, io_uring, module and kexec calls,\n"
    "mount calls, new user namespaces, TIOCSTI/TIOCLINUX, and non-native syscall ABIs.\n"
    "With Landlock ABI 6 the command can signal and reach abstract unix sockets only\n"
    "inside the sandbox. When COMMAND exits, everything it left behind is killed.\n"
    "\n"
    "Exit status: COMMAND's, 128+N if killed by signal N, 124 on timeout, 125 if the\n"
    "sandbox could not be set up, 126 if COMMAND could not be executed, 127 if not found.\n";

int shim_fail(const struct shim_config *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", c->prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return -1;
}

/* Resolves the command like execvp (lib/util.c), without calling execve
 * per candidate (with no-exec only one execve is allowed). Returns 0 with
 * out set, or an errno. */
static int resolve_command(const struct shim_config *c, char *out, size_t size)
{
	return -path_search(c->argv[0], env_value(c->envp, "PATH"), out, size);
}

int shim_exec_command(struct shim_config *c, int sync)
{
	/* --direct: inside a sandbox that already holds the plan, only the
	 * exec (its privileges, Landlock and seccomp stay as they are) */
	if (!c->direct &&
	    (shim_drop_privileges(c) < 0 || (!c->landlocked && shim_landlock_apply(c) < 0)))
		return 125;
	char path[4096];
	int err = resolve_command(c, path, sizeof(path));
	if (err) {
		fprintf(stderr, "%s: %s: %s\n", c->prog, c->argv[0], strerror(err));
		return err == ENOENT ? 127 : 126;
	}
	/* After Landlock, so the library is checked through the command's
	 * own view; before seccomp, which refuses nothing this needs. */
	char **envp = c->envp;
	if (shim_preload_env(c, &envp) < 0)
		return 125;
	int notify = -1;
	if (!c->direct && shim_seccomp_apply(c, &notify) < 0) {
		shim_preload_env_free(c, envp);
		return 125;
	}
	if (notify >= 0) {
		/* (2) the supervisor answers our own execve below */
		if (shim_msg_send(sync, SHIM_MSG_NOTIFY_FD, 0, notify) < 0) {
			shim_fail(c, "cannot hand the no-exec listener to the supervisor");
			shim_preload_env_free(c, envp);
			return 125;
		}
		close(notify);
	}
	execve(path, c->argv, envp);
	err = errno;
	if (err == ENOEXEC) {
		/* Like execvp: a file without a recognised format runs under sh. */
		size_t n = 0;
		while (c->argv[n])
			n++;
		char **argv = calloc(n + 2, sizeof(*argv));
		if (argv) {
			argv[0] = "/bin/sh";
			argv[1] = path;
			memcpy(argv + 2, c->argv + 1, n * sizeof(*argv));
			execve("/bin/sh", argv, envp);
		}
		err = errno;
	}
	fprintf(stderr, "%s: %s: %s\n", c->prog, c->argv[0], strerror(err));
	shim_preload_env_free(c, envp);
	return err == ENOENT || err == ENOTDIR ? 127 : 126;
}

static int push(void **arr, size_t *n, size_t size, const void *item)
{
	void *a = realloc(*arr, (*n + 1) * size);
	if (!a)
		return -1;
	memcpy((char *)a + *n * size, item, size);
	*arr = a;
	(*n)++;
	return 0;
}

static int add_rule(struct shim_config *c, enum shim_rule_kind kind, const char *path, bool opt)
{
	struct shim_rule r = {kind, path, opt};
	return push((void **)&c->rules, &c->nrules, sizeof(r), &r);
}

static int add_mount(struct shim_config *c, enum shim_mount_kind kind, const char *path)
{
	if (path[0] != '/')
		return shim_fail(c, "mount paths must be absolute: %s", path);
	struct shim_mount m = {kind, path};
	return push((void **)&c->mounts, &c->nmounts, sizeof(m), &m);
}

/* Numbers in the shim's options are parsed strictly: a plain decimal
 * within [min, max], integers without a fraction; anything else (nan,
 * 1e10, 0x10, a sign, overflow) is an error, never a silently dropped
 * limit. */
static int parse_number(const struct shim_config *c, const char *name, const char *val, double min,
                        double max, bool integer, double *out)
{
	const char *p = val;
	size_t digits = 0;
	while (*p >= '0' && *p <= '9') {
		p++;
		digits++;
	}
	if (!integer && *p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits++;
	if (!digits || *p || p - val > 30)
		return shim_fail(c, "invalid %s '%s': expected %s from %.16g to %.16g", name, val,
		                 integer ? "an integer" : "a decimal number", min, max);
	*out = strtod(val, NULL);
	if (*out < min || *out > max)
		return shim_fail(c, "invalid %s '%s': expected %s from %.16g to %.16g", name, val,
		                 integer ? "an integer" : "a decimal number", min, max);
	return 0;
}

static const char *const with_value[] = {
    "--chdir",      "--timeout",
    "--net",        "--ll-abi",
    "--ll-read",    "--ll-read-try",
    "--ll-write",   "--ll-dev",
    "--ll-deny",    "--cow",
    "--cow-keep",   "--cow-write",
    "--bind",       "--mask",
    "--hide",       "--socket",
    "--memory",     "--pids",
    "--cpus",       "--tmpfs",
    "--preload",    "--preload-policy",
    "--unix-allow", "--ll-write-around",
};

/* Applies one option with its value (or NULL). 0, 1 (exit 0) or -1. */
static int apply_option(struct shim_config *c, const char *name, const char *val)
{
	double d;
	if (streq(name, "--help")) {
		fputs(usage, stdout);
		return 1;
	}
	if (streq(name, "--version")) {
		printf("sbx-shim %s (Landlock ABI %d on this kernel)\n", SBX_SHIM_VERSION,
		       shim_landlock_abi());
		return 1;
	}
	if (streq(name, "--chdir"))
		c->chdir = val;
	else if (streq(name, "--timeout"))
		return parse_number(c, name, val, 0.001, 365.0 * 86400, false, &c->timeout);
	else if (streq(name, "--net")) {
		if (streq(val, "enable"))
			c->net = SHIM_NET_ENABLE;
		else if (streq(val, "outbound"))
			c->net = SHIM_NET_OUTBOUND;
		else if (streq(val, "disable"))
			c->net = SHIM_NET_DISABLE;
		else
			return shim_fail(c, "invalid --net '%s'", val);
	} else if (streq(name, "--ll-abi")) {
		if (parse_number(c, name, val, 1, 64, true, &d) < 0)
			return -1;
		c->ll_abi = (int)d;
	} else if (streq(name, "--ll-read"))
		return add_rule(c, RULE_READ, val, false);
	else if (streq(name, "--ll-read-try"))
		return add_rule(c, RULE_READ, val, true);
	else if (streq(name, "--ll-write"))
		return add_rule(c, RULE_WRITE, val, false);
	else if (streq(name, "--ll-dev"))
		return add_rule(c, RULE_DEV, val, true);
	else if (streq(name, "--ll-deny"))
		return push((void **)&c->ll_deny, &c->nll_deny, sizeof(val), &val);
	else if (streq(name, "--ll-write-around"))
		return push((void **)&c->write_around, &c->nwrite_around, sizeof(val), &val);
	else if (streq(name, "--direct"))
		c->direct = true;
	else if (streq(name, "--ll-tty"))
		c->ll_tty = true;
	else if (streq(name, "--ll-proc-self"))
		c->ll_proc_self = true;
	else if (streq(name, "--ll-views-write-only"))
		c->views_write_only = true;
	else if (streq(name, "--no-exec"))
		c->no_exec = true;
	else if (streq(name, "--listen-unix"))
		c->listen_unix = true;
	else if (streq(name, "--ro-root"))
		c->ro_root = true;
	else if (streq(name, "--unix-gate"))
		c->unix_gate = true;
	else if (streq(name, "--unix-allow")) {
		if (val[0] != '/')
			return shim_fail(c, "--unix-allow needs an absolute path: %s", val);
		return strv_push(&c->unix_allow, val) < 0 ? shim_fail(c, "out of memory") : 0;
	} else if (streq(name, "--preload"))
		c->preload_lib = val;
	else if (streq(name, "--preload-policy"))
		c->preload_policy = val;
	else if (streq(name, "--unshare-user"))
		c->userns = true;
	else if (streq(name, "--unshare-pid"))
		c->pidns = true;
	else if (streq(name, "--unshare-ipc"))
		c->ipcns = true;
	else if (streq(name, "--unshare-net"))
		c->netns = true;
	else if (streq(name, "--cow-root"))
		return add_mount(c, MNT_COW_ROOT, "/");
	else if (streq(name, "--cow-keep"))
		c->cow_keep = val;
	else if (streq(name, "--cow"))
		return add_mount(c, MNT_COW, val);
	else if (streq(name, "--cow-write"))
		return add_mount(c, MNT_COW_WRITE, val);
	else if (streq(name, "--bind"))
		return add_mount(c, MNT_BIND, val);
	else if (streq(name, "--mask"))
		return add_mount(c, MNT_MASK, val);
	else if (streq(name, "--hide"))
		return add_mount(c, MNT_HIDE, val);
	else if (streq(name, "--tmpfs"))
		return add_mount(c, MNT_TMPFS, val);
	else if (streq(name, "--socket"))
		return add_mount(c, MNT_SOCKET, val);
	else if (streq(name, "--memory")) {
		if (parse_number(c, name, val, 1, 1125899906842624.0, true, &d) < 0)
			return -1;
		c->memory = (int64_t)d;
	} else if (streq(name, "--pids")) {
		if (parse_number(c, name, val, 1, 4194304, true, &d) < 0)
			return -1;
		c->pids = (int64_t)d;
	} else if (streq(name, "--cpus"))
		return parse_number(c, name, val, 0.01, 1024, false, &c->cpus);
	else
		return shim_fail(c, "unknown option %s (see --help)", name);
	return 0;
}

/* Parses one option at argv[*i]; *i is advanced past its value. */
static int parse_option(struct shim_config *c, int argc, char **argv, int *i)
{
	char *arg = argv[*i];
	char *val = strchr(arg, '=');
	size_t nlen = val ? (size_t)(val - arg) : strlen(arg);
	bool needs = false;
	for (size_t k = 0; k < ARRAY_SIZE(with_value); k++)
		if (strlen(with_value[k]) == nlen && strncmp(arg, with_value[k], nlen) == 0)
			needs = true;
	char name[32];
	snprintf(name, sizeof(name), "%.*s", (int)nlen, arg);
	if (needs && val) {
		val++;
	} else if (needs) {
		if (*i + 1 >= argc)
			return shim_fail(c, "option %s needs a value", name);
		val = argv[++*i];
	} else if (val) {
		return shim_fail(c, "option %s takes no value", name);
	}
	return apply_option(c, name, val);
}

static int check_config(const struct shim_config *c)
{
	if ((c->nrules || c->ll_tty || c->ll_proc_self || c->nll_deny || c->views_write_only) &&
	    !c->ll_abi)
		return shim_fail(c, "--ll-* rules need --ll-abi");
	if ((c->pidns || c->ipcns || c->netns || c->nmounts) && !c->userns)
		return shim_fail(c, "namespaces and mounts need --unshare-user");
	if (!c->preload_lib != !c->preload_policy)
		return shim_fail(c, "--preload and --preload-policy go together");
	if (c->unix_gate && !c->pidns)
		return shim_fail(c, "--unix-gate needs --unshare-pid (init answers it)");
	if (c->direct && (c->userns || c->no_exec || c->unix_gate || c->listen_unix ||
	                  c->timeout > 0 || c->memory || c->pids || c->cpus > 0 || c->preload_lib))
		return shim_fail(c, "--direct cannot hold namespaces, --no-exec, --unix-gate, "
		                    "--listen-unix, --timeout, limits or --preload");
	return 0;
}

void shim_free_config(struct shim_config *c)
{
	free(c->rules);
	free(c->mounts);
	free(c->ll_deny);
	free(c->write_around);
	strv_clear(&c->cow_dirs);
	strv_clear(&c->cow_views);
	strv_clear(&c->gate_allow);
	strv_clear(&c->unix_allow);
}

int shim_parse(struct shim_config *c, int argc, char **argv)
{
	int i = 1;
	for (; i < argc; i++) {
		if (streq(argv[i], "--")) {
			i++;
			break;
		}
		if (!startswith(argv[i], "--"))
			break;
		int r = parse_option(c, argc, argv, &i);
		if (r != 0)
			return r > 0 ? 0 : -1;
	}
	if (i >= argc)
		return shim_fail(c, "no command given (see --help)");
	if (check_config(c) < 0)
		return -1;
	c->argv = argv + i;
	return i;
}

int shim_main(const char *prog, int argc, char **argv, char **envp)
{
	struct shim_config c = {.prog = prog, .envp = envp};
	int r = shim_parse(&c, argc, argv);
	if (r <= 0) {
		shim_free_config(&c);
		return r == 0 ? 0 : 125;
	}
	if (c.direct) {
		int status = 125;
		if (c.chdir && chdir(c.chdir) < 0)
			shim_fail(&c, "cannot change to directory %s: %s", c.chdir,
			          strerror(errno));
		else
			status = shim_exec_command(&c, -1);
		shim_free_config(&c);
		return status;
	}
	int status = shim_supervise(&c);
	shim_free_config(&c);
	return status;
}
