/* landlock.c: the landlock backend's compiler. The plan is
 * `sbx-shim [options] -- COMMAND...`; the shim (shim/) applies the rules.
 * What the backend can enforce here depends on the host's Landlock ABI and
 * seccomp, probed once. */
#include "internal.h"

#include <stdio.h>
#include <sys/stat.h>

char *sbx_program_interpreter(const char *path);

/* The newest Landlock ABI the shim knows. */
#define SHIM_MAX_ABI 7

#define CAP(x) SBX_CAPSET_OF(SBX_CAP_##x)

static const char not_yet[] = "not implemented by the landlock backend yet";

static void probe(const struct sbx_host *h, struct sbx_avail *a)
{
	if (!h->landlock_abi) {
		a->unavailable = "Landlock is not available on this kernel (needs Linux 5.13+ "
				 "with CONFIG_SECURITY_LANDLOCK and landlock in the lsm= list)";
		return;
	}
	if (!h->seccomp) {
		a->unavailable = "seccomp filters are not available on this kernel";
		return;
	}
	a->caps = sbx_caps_of(SBX_BACKEND_LANDLOCK);
	static const sbx_cap pending[] = {SBX_CAP_FS_READ_DENY, SBX_CAP_FS_WRITE_EPHEMERAL,
					  SBX_CAP_PROC_NO_EXEC, SBX_CAP_IPC_RESTRICT,
					  SBX_CAP_RES_CPU,	SBX_CAP_RES_MEMORY,
					  SBX_CAP_RES_PIDS};
	for (size_t i = 0; i < ARRAY_SIZE(pending); i++) {
		a->caps &= ~SBX_CAPSET_OF(pending[i]);
		a->why[pending[i]] = not_yet;
	}
}

/* Runtime a read-scoped command needs to start at all: loader and
 * libraries, the /etc files libc reads, locale, time zone and terminal
 * data, CA certificates. Missing ones are skipped by the shim. */
static const char *const runtime_dirs[] = {
	"/lib",
	"/lib32",
	"/lib64",
	"/libx32",
	"/usr/lib",
	"/usr/lib32",
	"/usr/lib64",
	"/usr/libx32",
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
	"/usr/share/zoneinfo",
	"/usr/share/locale",
	"/usr/share/terminfo",
	"/etc/terminfo",
	"/etc/ssl",
	"/etc/ca-certificates",
	"/usr/share/ca-certificates",
	"/dev/random",
	"/dev/urandom",
};

static const char *env_get(const strv *env, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->v[i], name, n) == 0 && env->v[i][n] == '=')
			return env->v[i] + n + 1;
	return NULL;
}

/* The command's binary and the interpreters needed to start it. */
static int add_command_runtime(const struct sbx_cctx *c, struct sbx_plan *p)
{
	const char *cmd = c->spec->args.v[0];
	_cleanup_free_ char *bin = NULL;
	if (strchr(cmd, '/'))
		bin = path_join_normalize(c->dir, cmd);
	else
		bin = sbx_find_program(cmd, env_get(&c->env, "PATH"));
	for (int depth = 0; bin && depth < 4; depth++) {
		if (!strv_contains(&p->runtime_paths, bin) && strv_push(&p->runtime_paths, bin) < 0)
			return -ENOMEM;
		char *interp = sbx_program_interpreter(bin);
		free(bin);
		bin = interp;
	}
	return 0;
}

static int check_exists(const char *what, const char *path, sbx_error **err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return sbx_err_errno(err, -errno, "%s path %s", what, path);
	return 0;
}

static int add_opt(struct sbx_plan *p, const char *opt, const char *val)
{
	if (strv_push(&p->argv, opt) < 0 || (val && strv_push(&p->argv, val) < 0))
		return -ENOMEM;
	return 0;
}

static int fs_rules(const struct sbx_cctx *c, struct sbx_plan *p, int abi, sbx_error **err)
{
	const struct sbx_spec *s = c->spec;
	int r = 0;
	if (c->readable.n) {
		for (size_t i = 0; i < c->readable.n; i++) {
			if ((r = check_exists("readable", c->readable.v[i], err)) < 0)
				return r;
			if ((r = add_opt(p, "--ll-read", c->readable.v[i])) < 0)
				return r;
		}
		if ((r = add_command_runtime(c, p)) < 0)
			return r;
		for (size_t i = 0; i < ARRAY_SIZE(runtime_dirs); i++)
			if (!strv_contains(&p->runtime_paths, runtime_dirs[i]) &&
			    strv_push(&p->runtime_paths, runtime_dirs[i]) < 0)
				return -ENOMEM;
		for (size_t i = 0; i < p->runtime_paths.n; i++)
			if ((r = add_opt(p, "--ll-read-try", p->runtime_paths.v[i])) < 0)
				return r;
		if ((r = add_opt(p, "--ll-proc-self", NULL)) < 0 ||
		    strv_push(&p->runtime_paths, "/proc/self") < 0)
			return -ENOMEM;
		sbx_plan_set_mechanism(p, SBX_CAP_FS_READ_SCOPE,
				       "landlock ABI %d: read and execute only beneath the readable "
				       "and runtime paths",
				       abi);
	} else {
		if ((r = add_opt(p, "--ll-read", "/")) < 0)
			return r;
		sbx_plan_set_mechanism(p, SBX_CAP_FS_READ_HOST,
				       "landlock ABI %d: read and execute beneath /", abi);
	}
	for (size_t i = 0; i < c->writable.n; i++) {
		if ((r = check_exists("writable", c->writable.v[i], err)) < 0)
			return r;
		if ((r = add_opt(p, "--ll-write", c->writable.v[i])) < 0)
			return r;
	}
	if (s->allow_temp && !strv_contains(&c->writable, c->tmpdir) &&
	    (r = add_opt(p, "--ll-write", c->tmpdir)) < 0)
		return r;
	static const char *const devs[] = {"/dev/null", "/dev/zero", "/dev/full"};
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++)
		if ((r = add_opt(p, "--ll-dev", devs[i])) < 0)
			return r;
	if ((r = add_opt(p, "--ll-tty", NULL)) < 0)
		return r;
	if (s->write == SBX_WRITE_NONE)
		sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_DENY,
				       "landlock ABI %d: no write rights except /dev/null, "
				       "/dev/zero, /dev/full and the terminal",
				       abi);
	else
		sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_SCOPE,
				       "landlock ABI %d: write rights only beneath the writable "
				       "paths%s",
				       abi, s->allow_temp ? " and the temp dir" : "");
	return 0;
}

static int net_rules(const struct sbx_cctx *c, struct sbx_plan *p, int abi)
{
	switch (c->spec->net) {
	case SBX_NET_ENABLE:
		sbx_plan_set_mechanism(p, SBX_CAP_NET_ENABLE, "the host's network, unfiltered");
		return add_opt(p, "--net", "enable");
	case SBX_NET_OUTBOUND:
		if (abi >= 4)
			sbx_plan_set_mechanism(p, SBX_CAP_NET_OUTBOUND,
					       "seccomp: listen() refused; landlock ABI %d: TCP "
					       "bind refused",
					       abi);
		else
			sbx_plan_set_mechanism(p, SBX_CAP_NET_OUTBOUND,
					       "seccomp: listen() refused (no Landlock TCP rules "
					       "before ABI 4)");
		sbx_plan_caveat(p, "net=outbound: listen() is refused for every socket, unix "
				   "sockets included, and UDP sockets can still bind and receive "
				   "datagrams");
		return add_opt(p, "--net", "outbound");
	case SBX_NET_DISABLE:
		sbx_plan_set_mechanism(p, SBX_CAP_NET_DISABLE,
				       "seccomp: only AF_UNIX and AF_NETLINK sockets can be "
				       "created%s",
				       abi >= 4 ? "; landlock: TCP bind and connect refused" : "");
		sbx_plan_caveat(p, "net=disable without a network namespace: loopback is blocked "
				   "too, so the command cannot reach services on 127.0.0.1, "
				   "including its own");
		return add_opt(p, "--net", "disable");
	}
	return 0;
}

static void abi_caveats(struct sbx_plan *p, int abi)
{
	if (abi < 2)
		sbx_plan_caveat(p, "Landlock ABI %d: files cannot be renamed or linked between "
				   "directories (EXDEV)",
				abi);
	if (abi < 3)
		sbx_plan_caveat(p, "Landlock ABI %d: truncate() is not controlled, so existing "
				   "files outside the writable paths can be truncated",
				abi);
	if (abi < 5)
		sbx_plan_caveat(p, "Landlock ABI %d: ioctl on device files is not controlled", abi);
}

static int compile(const struct sbx_cctx *c, struct sbx_plan *p, sbx_error **err)
{
	int abi = c->host->landlock_abi ? c->host->landlock_abi : SHIM_MAX_ABI;
	if (abi > SHIM_MAX_ABI)
		abi = SHIM_MAX_ABI;
	_cleanup_free_ char *shim = sbx_shim_path();
	char abibuf[16];
	snprintf(abibuf, sizeof(abibuf), "%d", abi);
	if (!shim || strv_push(&p->argv, shim) < 0 || add_opt(p, "--ll-abi", abibuf) < 0)
		return sbx_err(err, -ENOMEM, "out of memory");
	if (c->spec->dir && add_opt(p, "--chdir", c->dir) < 0)
		return -ENOMEM;
	if (c->spec->timeout > 0) {
		char t[32];
		snprintf(t, sizeof(t), "%g", c->spec->timeout);
		if (add_opt(p, "--timeout", t) < 0)
			return -ENOMEM;
	}
	int r = fs_rules(c, p, abi, err);
	if (r < 0)
		return r;
	if ((r = net_rules(c, p, abi)) < 0)
		return sbx_err(err, r, "out of memory");
	if (strv_push(&p->argv, "--") < 0 || strv_extend(&p->argv, c->spec->args.v) < 0)
		return sbx_err(err, -ENOMEM, "out of memory");
	if (c->requested & CAP(ENV_SCRUB))
		sbx_plan_set_mechanism(p, SBX_CAP_ENV_SCRUB,
				       "sbx: matching variables removed before exec");
	abi_caveats(p, abi);
	sbx_plan_caveat(p, "seccomp: ptrace, process_vm_*, keyrings, bpf, perf_event_open, "
			   "userfaultfd, io_uring, mount calls and new user namespaces are "
			   "refused inside the sandbox");
	p->fsv = SBX_FSV_NONE;
	p->exec_direct = true;
	return 0;
}

const struct sbx_backend_impl sbx_backend_landlock = {
	.id = SBX_BACKEND_LANDLOCK,
	.probe = probe,
	.compile = compile,
};
