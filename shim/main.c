/* main.c: sbx-shim's options and the fixed order in which it applies them.
 *
 * Order (DESIGN.md), each step aborting with status 125 before the command
 * starts:
 *   1. supervisor: fork; the parent stays outside to forward signals,
 *      enforce --timeout and kill what the command leaves behind
 *   2. (child) working directory
 *   3. capabilities dropped, no_new_privs set
 *   4. Landlock ruleset: filesystem, TCP, IPC scopes
 *   5. seccomp filter, last, immediately before execve
 *   6. execve of the command (126: cannot execute, 127: not found)
 */
#include "shim.h"

#include <stdio.h>

int shim_landlock_abi(void);

static const char usage[] =
	"Usage: sbx-shim [OPTION]... -- COMMAND [ARG]...\n"
	"Apply sbx's landlock-backend isolation, then run COMMAND. sbx-exec writes these\n"
	"options; `sbx-exec --print` shows them for a policy.\n"
	"\n"
	"  --chdir DIR          run COMMAND in DIR\n"
	"  --timeout SECS       kill the sandbox after SECS seconds (exit 124)\n"
	"  --net MODE           enable | outbound | disable\n"
	"                         outbound: TCP bind denied (Landlock), listen() denied (seccomp)\n"
	"                         disable: TCP denied (Landlock), only AF_UNIX and AF_NETLINK\n"
	"                         sockets can be created (seccomp)\n"
	"  --ll-abi N           enforce with Landlock, handling the rights of ABI N (fails if\n"
	"                         the kernel's ABI is lower); every filesystem access not\n"
	"                         granted by a rule below is denied\n"
	"  --ll-read PATH       allow reading, listing and executing beneath PATH\n"
	"  --ll-read-try PATH   the same, skipped when PATH does not exist\n"
	"  --ll-write PATH      allow everything beneath PATH\n"
	"  --ll-dev PATH        allow reading, writing and ioctl on a device file (skipped if\n"
	"                         missing)\n"
	"  --ll-tty             --ll-dev for /dev/tty and the terminals on fds 0-2\n"
	"  --ll-proc-self       allow reading /proc/self of the command\n"
	"  --help               show this help\n"
	"  --version            show the version\n"
	"\n"
	"Always: capabilities dropped, no_new_privs, and a seccomp filter denying ptrace,\n"
	"keyrings, bpf, perf_event_open, userfaultfd, io_uring, module and kexec calls,\n"
	"mount calls, new user namespaces, TIOCSTI/TIOCLINUX, and non-native syscall ABIs.\n"
	"\n"
	"Exit status: COMMAND's, 128+N if killed by signal N, 124 on timeout, 125 if the\n"
	"sandbox could not be set up, 126 if COMMAND could not be executed, 127 if not found.\n";

void shim_die_msg(const struct shim_config *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", c->prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

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

static const char *env_lookup(char **envp, const char *name)
{
	size_t n = strlen(name);
	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* Executes argv like execvpe, trying each PATH entry with one execve per
 * candidate; only returns on failure, with the status to exit with. */
static int exec_command(const struct shim_config *c)
{
	const char *cmd = c->argv[0];
	int err = ENOENT;
	if (strchr(cmd, '/')) {
		execve(cmd, c->argv, c->envp);
		err = errno;
	} else {
		const char *path = env_lookup(c->envp, "PATH");
		if (!path)
			path = "/usr/local/bin:/usr/bin:/bin";
		bool eacces = false;
		for (const char *p = path; err != 0;) {
			size_t n = strcspn(p, ":");
			char full[4096];
			snprintf(full, sizeof(full), "%.*s/%s", (int)(n ? n : 1), n ? p : ".", cmd);
			if (access(full, F_OK) == 0) {
				execve(full, c->argv, c->envp);
				if (errno == EACCES)
					eacces = true;
				else if (errno != ENOENT && errno != ENOTDIR) {
					err = errno;
					break;
				}
			}
			if (!p[n])
				break;
			p += n + 1;
		}
		if (err == ENOENT && eacces)
			err = EACCES;
	}
	fprintf(stderr, "%s: %s: %s\n", c->prog, cmd, strerror(err));
	return err == ENOENT || err == ENOTDIR ? 127 : 126;
}

static int child_main(const struct shim_config *c)
{
	if (c->chdir && chdir(c->chdir) < 0) {
		shim_fail(c, "cannot change to directory %s: %s", c->chdir, strerror(errno));
		return 125;
	}
	if (shim_drop_privileges(c) < 0 || shim_landlock_apply(c) < 0 ||
	    shim_seccomp_apply(c) < 0)
		return 125;
	return exec_command(c);
}

static int add_rule(struct shim_config *c, enum shim_rule_kind kind, const char *path,
		    bool optional)
{
	struct shim_rule *r = realloc(c->rules, (c->nrules + 1) * sizeof(*r));
	if (!r)
		return -1;
	c->rules = r;
	c->rules[c->nrules++] = (struct shim_rule){kind, path, optional};
	return 0;
}

/* Parses one option; *i is advanced past its value. Returns 0, 1 (exit 0
 * after --help/--version) or -1 (usage error). */
static int parse_option(struct shim_config *c, int argc, char **argv, int *i)
{
	char *arg = argv[*i];
	char *val = strchr(arg, '=');
	size_t nlen = val ? (size_t)(val - arg) : strlen(arg);
	static const char *const with_value[] = {"--chdir", "--timeout",  "--net",	   "--ll-abi",
						 "--ll-read", "--ll-read-try", "--ll-write", "--ll-dev"};
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
	else if (streq(name, "--timeout")) {
		char *end;
		c->timeout = strtod(val, &end);
		if (*end || c->timeout < 0)
			return shim_fail(c, "invalid --timeout '%s'", val);
	} else if (streq(name, "--net")) {
		if (streq(val, "enable"))
			c->net = SHIM_NET_ENABLE;
		else if (streq(val, "outbound"))
			c->net = SHIM_NET_OUTBOUND;
		else if (streq(val, "disable"))
			c->net = SHIM_NET_DISABLE;
		else
			return shim_fail(c, "invalid --net '%s'", val);
	} else if (streq(name, "--ll-abi")) {
		c->ll_abi = atoi(val);
		if (c->ll_abi < 1)
			return shim_fail(c, "invalid --ll-abi '%s'", val);
	} else if (streq(name, "--ll-read"))
		return add_rule(c, RULE_READ, val, false);
	else if (streq(name, "--ll-read-try"))
		return add_rule(c, RULE_READ, val, true);
	else if (streq(name, "--ll-write"))
		return add_rule(c, RULE_WRITE, val, false);
	else if (streq(name, "--ll-dev"))
		return add_rule(c, RULE_DEV, val, true);
	else if (streq(name, "--ll-tty"))
		c->ll_tty = true;
	else if (streq(name, "--ll-proc-self"))
		c->ll_proc_self = true;
	else
		return shim_fail(c, "unknown option %s (see --help)", name);
	return 0;
}

int shim_main(const char *prog, int argc, char **argv, char **envp)
{
	struct shim_config c = {.prog = prog, .envp = envp};
	int i = 1;
	for (; i < argc; i++) {
		if (streq(argv[i], "--")) {
			i++;
			break;
		}
		if (!startswith(argv[i], "--"))
			break;
		int r = parse_option(&c, argc, argv, &i);
		if (r != 0) {
			free(c.rules);
			return r > 0 ? 0 : 125;
		}
	}
	if (i >= argc) {
		shim_fail(&c, "no command given (see --help)");
		free(c.rules);
		return 125;
	}
	if ((c.nrules || c.ll_tty || c.ll_proc_self) && !c.ll_abi) {
		shim_fail(&c, "--ll-* rules need --ll-abi");
		free(c.rules);
		return 125;
	}
	c.argv = argv + i;
	int status = shim_supervise(&c, child_main);
	free(c.rules);
	return status;
}
