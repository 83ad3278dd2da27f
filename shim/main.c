/* main.c: sbx-shim's command line (the options: options.h), checked
 * whole before anything is applied; then the supervisor (supervise.c),
 * which runs the restriction steps in their order (contain.c). */
#include "shim.h"
#include "options.h"

#include <stdio.h>
#include <sys/stat.h>

static const char usage_head[] =
    "Usage: sbx-shim [OPTION]... -- COMMAND [ARG]...\n"
    "Apply sbx's landlock-backend isolation, then run COMMAND. sbx-exec writes these\n"
    "options; `sbx-exec --print` shows them for a policy.\n"
    "\n";
static const char usage_tail[] =
    "\n"
    "Always: capabilities dropped, no_new_privs, and a seccomp filter denying ptrace,\n"
    "keyrings, bpf, perf_event_open, userfaultfd, io_uring, file handles, the kernel\n"
    "log, module, kexec and mount calls, new user namespaces, TIOCSTI/TIOCLINUX, and\n"
    "non-native syscall ABIs;\n"
    "run by root, also setuid and setgid bits (chmod, create modes) and openat2.\n"
    "With Landlock ABI 6 the command can signal and reach abstract unix sockets only\n"
    "inside the sandbox. Inherited descriptors of directories (and O_PATH ones) above 2\n"
    "are closed, and on 0-2 refused. When COMMAND exits, everything it left behind is\n"
    "killed.\n"
    "\n"
    "Exit status: COMMAND's, 128+N if killed by signal N, 124 on timeout, 125 if the\n"
    "sandbox could not be set up, 126 if COMMAND could not be executed, 127 if not found.\n";

/* The value each option takes ("PATH"), NULL for none; and its help. */
static const char *const opt_arg[SHIM_OPT__COUNT] = {
#define X(id, name, arg, help) arg,
    SHIM_OPTIONS(X)
#undef X
};
static const char *const opt_help[SHIM_OPT__COUNT] = {
#define X(id, name, arg, help) help,
    SHIM_OPTIONS(X)
#undef X
};

static void print_usage(void)
{
	fputs(usage_head, stdout);
	for (int o = 0; o < SHIM_OPT__COUNT; o++) {
		char left[64];
		snprintf(left, sizeof(left), "%s%s%s", shim_opt_names[o], opt_arg[o] ? " " : "",
		         opt_arg[o] ? opt_arg[o] : "");
		/* the help starts at column 23, or two spaces after a longer name */
		printf("  %-20s%s%s\n", left, strlen(left) < 20 ? " " : "  ", opt_help[o]);
	}
	fputs(usage_tail, stdout);
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

/* Applies option o with its value (or NULL). 0, 1 (exit 0) or -1. */
static int apply_option(struct shim_config *c, enum shim_opt o, const char *val)
{
	const char *name = shim_opt_names[o];
	double d;
	switch (o) {
	case SHIM_OPT_HELP:
		print_usage();
		return 1;
	case SHIM_OPT_VERSION:
		printf("sbx-shim %s (Landlock ABI %d on this kernel)\n", SBX_SHIM_VERSION,
		       shim_landlock_abi());
		return 1;
	case SHIM_OPT_CHDIR:
		c->chdir = val;
		return 0;
	case SHIM_OPT_TIMEOUT:
		return parse_number(c, name, val, 0.001, 365.0 * 86400, false, &c->timeout);
	case SHIM_OPT_NET:
		if (streq(val, "enable"))
			c->net = SHIM_NET_ENABLE;
		else if (streq(val, "outbound"))
			c->net = SHIM_NET_OUTBOUND;
		else if (streq(val, "disable"))
			c->net = SHIM_NET_DISABLE;
		else
			return shim_fail(c, "invalid --net '%s'", val);
		return 0;
	case SHIM_OPT_LL_ABI:
		if (parse_number(c, name, val, 1, 64, true, &d) < 0)
			return -1;
		c->ll_abi = (int)d;
		return 0;
	case SHIM_OPT_LL_READ:
		return add_rule(c, RULE_READ, val, false);
	case SHIM_OPT_LL_READ_TRY:
		return add_rule(c, RULE_READ, val, true);
	case SHIM_OPT_LL_WRITE:
		return add_rule(c, RULE_WRITE, val, false);
	case SHIM_OPT_LL_DEV:
		return add_rule(c, RULE_DEV, val, true);
	case SHIM_OPT_LL_DENY:
		return push((void **)&c->ll_deny, &c->nll_deny, sizeof(val), &val);
	case SHIM_OPT_LL_WRITE_AROUND:
		return push((void **)&c->write_around, &c->nwrite_around, sizeof(val), &val);
	case SHIM_OPT_DIRECT:
		c->direct = true;
		return 0;
	case SHIM_OPT_LL_TTY:
		c->ll_tty = true;
		return 0;
	case SHIM_OPT_DEVPTS:
		c->devpts = true;
		return 0;
	case SHIM_OPT_LL_PROC_SELF:
		c->ll_proc_self = true;
		return 0;
	case SHIM_OPT_LL_VIEWS_WRITE_ONLY:
		c->views_write_only = true;
		return 0;
	case SHIM_OPT_NO_EXEC:
		c->no_exec = true;
		return 0;
	case SHIM_OPT_LISTEN_UNIX:
		c->listen_unix = true;
		return 0;
	case SHIM_OPT_RO_ROOT:
		c->ro_root = true;
		return 0;
	case SHIM_OPT_UNIX_GATE:
		c->unix_gate = true;
		return 0;
	case SHIM_OPT_UNIX_ALLOW:
		if (val[0] != '/')
			return shim_fail(c, "--unix-allow needs an absolute path: %s", val);
		return strv_push(&c->unix_allow, val) < 0 ? shim_fail(c, "out of memory") : 0;
	case SHIM_OPT_PRELOAD:
		c->preload_lib = val;
		return 0;
	case SHIM_OPT_PRELOAD_POLICY:
		c->preload_policy = val;
		return 0;
	case SHIM_OPT_UNSHARE_USER:
		c->userns = true;
		return 0;
	case SHIM_OPT_UNSHARE_PID:
		c->pidns = true;
		return 0;
	case SHIM_OPT_UNSHARE_IPC:
		c->ipcns = true;
		return 0;
	case SHIM_OPT_UNSHARE_NET:
		c->netns = true;
		return 0;
	case SHIM_OPT_COW_ROOT:
		return add_mount(c, MNT_COW_ROOT, "/");
	case SHIM_OPT_COW_KEEP:
		c->cow_keep = val;
		return 0;
	case SHIM_OPT_COW:
		return add_mount(c, MNT_COW, val);
	case SHIM_OPT_COW_WRITE:
		return add_mount(c, MNT_COW_WRITE, val);
	case SHIM_OPT_BIND:
		return add_mount(c, MNT_BIND, val);
	case SHIM_OPT_MASK:
		return add_mount(c, MNT_MASK, val);
	case SHIM_OPT_HIDE:
		return add_mount(c, MNT_HIDE, val);
	case SHIM_OPT_TMPFS:
		return add_mount(c, MNT_TMPFS, val);
	case SHIM_OPT_SOCKET:
		return add_mount(c, MNT_SOCKET, val);
	case SHIM_OPT_REPORT:
		c->report = true;
		return 0;
	case SHIM_OPT_REPORT_JSON:
		c->report = c->report_json = true;
		return 0;
	case SHIM_OPT_KEEP_DISCARDED:
		c->keep_dir = val;
		return 0;
	case SHIM_OPT_REDACT:
		return add_mount(c, MNT_REDACT, val);
	case SHIM_OPT_WATCH_CREATED:
		if (val[0] != '/')
			return shim_fail(c, "--watch-created needs an absolute path: %s", val);
		return strv_push(&c->watch_created, val) < 0 ? shim_fail(c, "out of memory") : 0;
	case SHIM_OPT_DENY_CREATE:
		if (val[0] != '/')
			return shim_fail(c, "--deny-create needs an absolute path: %s", val);
		return strv_push(&c->deny_create, val) < 0 ? shim_fail(c, "out of memory") : 0;
	case SHIM_OPT_PIN:
		return add_mount(c, MNT_PIN, val);
	case SHIM_OPT_PROTECT:
		return add_mount(c, MNT_PROTECT, val);
	case SHIM_OPT_MEMORY:
		if (parse_number(c, name, val, 1, 1125899906842624.0, true, &d) < 0)
			return -1;
		c->memory = (int64_t)d;
		return 0;
	case SHIM_OPT_PIDS:
		if (parse_number(c, name, val, 1, 4194304, true, &d) < 0)
			return -1;
		c->pids = (int64_t)d;
		return 0;
	case SHIM_OPT_CPUS:
		return parse_number(c, name, val, 0.01, 1024, false, &c->cpus);
	case SHIM_OPT_PROXY:
		if (parse_number(c, name, val, 1, 65535, true, &d) < 0)
			return -1;
		c->proxy_port = (int)d;
		return 0;
	case SHIM_OPT_ALLOW_HOST:
		return strv_push(&c->allow_host, val) < 0 ? shim_fail(c, "out of memory") : 0;
	case SHIM_OPT_FORWARD:
		if (parse_number(c, name, val, 1, 65535, true, &d) < 0)
			return -1;
		if (c->nforward >= ARRAY_SIZE(c->forward))
			return shim_fail(c, "--forward: at most %zu ports", ARRAY_SIZE(c->forward));
		c->forward[c->nforward++] = (int)d;
		return 0;
	case SHIM_OPT__COUNT:
		break;
	}
	return shim_fail(c, "unknown option %s (see --help)", name);
}

/* Parses one option at argv[*i]; *i is advanced past its value. */
static int parse_option(struct shim_config *c, int argc, char **argv, int *i)
{
	char *arg = argv[*i];
	char *val = strchr(arg, '=');
	size_t nlen = val ? (size_t)(val - arg) : strlen(arg);
	int o = 0;
	while (o < SHIM_OPT__COUNT &&
	       !(strlen(shim_opt_names[o]) == nlen && strncmp(arg, shim_opt_names[o], nlen) == 0))
		o++;
	if (o == SHIM_OPT__COUNT)
		return shim_fail(c, "unknown option %.*s (see --help)",
		                 (int)(nlen > 64 ? 64 : nlen), arg);
	const char *name = shim_opt_names[o];
	if (opt_arg[o] && val) {
		val++;
	} else if (opt_arg[o]) {
		if (*i + 1 >= argc)
			return shim_fail(c, "option %s needs a value", name);
		val = argv[++*i];
	} else if (val) {
		return shim_fail(c, "option %s takes no value", name);
	}
	return apply_option(c, (enum shim_opt)o, val);
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
	if (c->deny_create.n && !c->pidns)
		return shim_fail(c, "--deny-create needs --unshare-pid (init makes the names)");
	if ((c->proxy_port || c->nforward) && !(c->netns && c->pidns))
		return shim_fail(c, "--proxy and --forward need --unshare-net and --unshare-pid");
	if (c->direct &&
	    (c->userns || c->no_exec || c->unix_gate || c->listen_unix || c->timeout > 0 ||
	     c->memory || c->pids || c->cpus > 0 || c->preload_lib || c->report || c->keep_dir))
		return shim_fail(c, "--direct cannot hold namespaces, --no-exec, --unix-gate, "
		                    "--listen-unix, --timeout, limits, --preload or a report");
	return 0;
}

void shim_free_config(struct shim_config *c)
{
	free(c->rules);
	free(c->mounts);
	free(c->ll_deny);
	free(c->write_around);
	free(c->bpf);
	strv_clear(&c->cow_dirs);
	strv_clear(&c->cow_views);
	strv_clear(&c->gate_allow);
	strv_clear(&c->unix_allow);
	strv_clear(&c->allow_host);
	strv_clear(&c->watch_created);
	strv_clear(&c->deny_create);
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
	struct shim_config c = {.prog = prog, .envp = envp, .stage_fd = -1};
	int r = shim_parse(&c, argc, argv);
	if (r <= 0) {
		shim_free_config(&c);
		return r == 0 ? 0 : 125;
	}
	if (shim_close_path_fds(&c) < 0) {
		shim_free_config(&c);
		return 125;
	}
	if (c.direct) {
		int status = 125;
		if (c.chdir && chdir(c.chdir) < 0)
			shim_fail(&c, "cannot change to directory %s: %s", c.chdir,
			          strerror(errno));
		else
			status = shim_contain_command(&c, -1);
		shim_free_config(&c);
		return status;
	}
	int status = shim_supervise(&c);
	shim_free_config(&c);
	return status;
}
