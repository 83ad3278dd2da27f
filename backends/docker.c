/* docker.c: the docker-ephemeral and docker-runsc-ephemeral compilers. The
 * plan is one `docker run --rm ...` of the local image named by
 * SBX_DOCKER_IMAGE (pinned to its id at compile time; nothing is pulled),
 * with the host paths of the policy bound at their own paths, and
 * `docker rm -f NAME` as the cleanup run after it on every path.
 *
 * docker-runsc-ephemeral adds --runtime: SBX_DOCKER_RUNSC_RUNTIME (default
 * runsc) for runs without network, SBX_DOCKER_RUNSC_HOST_RUNTIME (default
 * that name plus "-host") for networked ones, because runsc cannot start its
 * own network stack in the engine's host network namespace: that runtime
 * must pass runsc --network=host (and --oci-seccomp for net=outbound, or
 * runsc ignores the seccomp profile). The compiler checks both with the
 * daemon and fails with the reason when they are missing.
 *
 * proc.no_exec has no mechanism here but libsbx-preload.so, offered under
 * --best-effort only: the library, the static sbx-preload-exec and the
 * policy are bound read-only under /.sbx, and the container's first process
 * is `sbx-preload-exec --lib=... --config=... -- COMMAND`, which seals the
 * policy into a memfd (no descriptor crosses into a container) and refuses
 * to start a command the image's loader would run without the library (a
 * static program, a musl or foreign loader): nothing runs unprotected. */
#include "docker.h"
#include "preload_config.h"

#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define CAP(x) SBX_CAPSET_OF(SBX_CAP_##x)

/* The daemon's unix socket (DOCKER_HOST or the default), or NULL when the
 * client talks to it another way (tcp, ssh). */
static const char *daemon_socket(const struct sbx_host *h)
{
	const char *host = h->docker_host;
	if (!host)
		return "/var/run/docker.sock";
	return startswith(host, "unix://") ? host + strlen("unix://") : NULL;
}

/* Connects to the daemon's socket (cheap: no fork); 0 or -errno. */
static int daemon_reachable(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

static void probe_common(const struct sbx_host *h, struct sbx_avail *a, sbx_backend b)
{
	static char why[512];
	/* what the library holds does not depend on the daemon */
	a->preload = CAP(PROC_NO_EXEC);
	if (!sbx_host_docker(h)) {
		a->unavailable = "the docker client was not found on PATH (install it, or point "
		                 "SBX_DOCKER at it)";
		return;
	}
	if (!h->docker_image) {
		a->unavailable = "SBX_DOCKER_IMAGE is not set: the docker backends run a local "
		                 "image named there and never pull one";
		return;
	}
	const char *sock = daemon_socket(h);
	int r = sock ? daemon_reachable(sock) : 0;
	if (r == -EACCES || r == -EPERM) {
		snprintf(why, sizeof(why),
		         "this user cannot reach the Docker daemon at %s (permission denied: "
		         "access to it is root-equivalent, e.g. the docker group)",
		         sock);
		a->unavailable = why;
		return;
	}
	if (r < 0) {
		snprintf(why, sizeof(why), "no Docker daemon answers at %s: %s", sock,
		         strerror(-r));
		a->unavailable = why;
		return;
	}
	a->caps = sbx_caps_of(b);
}

static void probe_docker(const struct sbx_host *h, struct sbx_avail *a)
{
	probe_common(h, a, SBX_BACKEND_DOCKER_EPHEMERAL);
}

static void probe_runsc(const struct sbx_host *h, struct sbx_avail *a)
{
	probe_common(h, a, SBX_BACKEND_DOCKER_RUNSC_EPHEMERAL);
}

int dk_opt(struct sbx_plan *p, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	return strv_take(&p->argv, s);
}

/* Pins the image to its id; the image must be present locally. */
static int pin_image(struct dk *d, sbx_error **err)
{
	const char *name = d->c->host->docker_image;
	if (!name)
		name = "<SBX_DOCKER_IMAGE unset>";
	if (!d->can_run)
		return (d->image = strdup(name)) ? 0 : -ENOMEM;
	static const char fmt[] = "{{.Id}} {{json .Config.Volumes}}";
	char *argv[] = {(char *)d->docker, "image",      "inspect", "--format",
	                (char *)fmt,       (char *)name, NULL};
	if (strv_pushf(&d->p->probes, "%s image inspect --format '%s' %s", d->docker, fmt, name) <
	    0)
		return -ENOMEM;
	_cleanup_free_ char *out = NULL;
	int st = sbx_host_ask(d->c->host, argv, &out);
	if (st < 0)
		return sbx_err_errno(err, st, "cannot run %s", d->docker);
	if (st != 0 || !startswith(out, "sha256:"))
		return sbx_err(err, -ENOENT,
		               "docker image %s is not present locally (sbx never pulls): build or "
		               "load it, or point SBX_DOCKER_IMAGE at a local image",
		               name);
	char *sp = strchr(out, ' ');
	if (sp)
		*sp++ = '\0';
	/* {"/data":{},"/cache":{}} or null: the keys are the volumes */
	char *q = sp ? strchr(sp, '"') : NULL;
	while (q) {
		char *end = strchr(q + 1, '"');
		if (!end)
			break;
		*end = '\0';
		if (q[1] == '/' && strv_push(&d->volumes, q + 1) < 0)
			return -ENOMEM;
		q = strchr(end + 1, '}');
		q = q ? strchr(q, '"') : NULL;
	}
	if (!(d->image = strdup(out)))
		return -ENOMEM;
	return 0;
}

/* Chooses the runsc runtime for the network mode and checks the daemon's
 * entry for it. */
static int check_runtime(struct dk *d, sbx_error **err)
{
	const struct sbx_host *h = d->c->host;
	const char *base = h->runsc_runtime ? h->runsc_runtime : "runsc";
	const char *hostrt = h->runsc_host_runtime;
	if (d->host_net && hostrt)
		d->runtime = strdup(hostrt);
	else if (d->host_net && asprintf(&d->runtime, "%s-host", base) < 0)
		d->runtime = NULL;
	else if (!d->host_net)
		d->runtime = strdup(base);
	if (!d->runtime)
		return sbx_err(err, -ENOMEM, "out of memory");
	if (!d->can_run)
		return 0;
	_cleanup_free_ char *fmt = NULL, *out = NULL;
	if (asprintf(&fmt, "{{json (index .Runtimes \"%s\")}}", d->runtime) < 0)
		return sbx_err(err, -ENOMEM, "out of memory");
	char *argv[] = {(char *)d->docker, "info", "--format", fmt, NULL};
	if (strv_pushf(&d->p->probes, "%s info --format '%s'", d->docker, fmt) < 0)
		return -ENOMEM;
	int st = sbx_host_ask(h, argv, &out);
	if (st != 0 || !out || !strstr(out, "\"path\""))
		return sbx_err(err, -ENODEV,
		               "the Docker daemon has no runtime '%s' (register runsc in "
		               "/etc/docker/daemon.json, or set SBX_DOCKER_RUNSC%s_RUNTIME)",
		               d->runtime, d->host_net ? "_HOST" : "");
	if (d->host_net && !strstr(out, "--network=host"))
		return sbx_err(err, -ENOTSUP,
		               "docker runtime '%s' does not pass runsc --network=host, which a "
		               "networked run in the engine's host network namespace needs",
		               d->runtime);
	d->runtime_seccomp = strstr(out, "--oci-seccomp") != NULL;
	if (d->c->spec->net == SBX_NET_OUTBOUND && !d->runtime_seccomp)
		return sbx_err(
		    err, -ENOTSUP,
		    "docker runtime '%s' does not pass runsc --oci-seccomp, so runsc would "
		    "ignore the seccomp profile that refuses listen() for net=outbound",
		    d->runtime);
	return 0;
}

static int res_opts(struct dk *d)
{
	const struct sbx_spec *s = d->c->spec;
	struct sbx_plan *p = d->p;
	if (want(d, SBX_CAP_RES_CPU) && dk_opt(p, "--cpus=%g", s->cpus) < 0)
		return -ENOMEM;
	if (want(d, SBX_CAP_RES_MEMORY) &&
	    (dk_opt(p, "--memory=%lld", (long long)s->memory) < 0 ||
	     dk_opt(p, "--memory-swap=%lld", (long long)s->memory) < 0))
		return -ENOMEM;
	if (!want(d, SBX_CAP_RES_PIDS))
		return 0;
	/* Under runsc a cgroup pids limit counts runsc's own threads; the
	 * user-space kernel enforces RLIMIT_NPROC over the sandbox instead. */
	if (d->runsc)
		return dk_opt(p, "--ulimit=nproc=%lld:%lld", (long long)s->pids,
		              (long long)s->pids);
	return dk_opt(p, "--pids-limit=%lld", (long long)s->pids);
}

/* The command's environment goes by name (-e NAME): the client, started with
 * exactly that environment, fills in the values, so they stay off the
 * command line. PATH and HOSTNAME describe the host, not the image. */
static int env_opts(struct dk *d)
{
	for (size_t i = 0; i < d->p->env.n; i++) {
		const char *e = d->p->env.v[i];
		size_t n = strcspn(e, "=");
		if ((n == 4 && startswith(e, "PATH=")) || (n == 8 && startswith(e, "HOSTNAME=")))
			continue;
		if (dk_opt(d->p, "--env=%.*s", (int)n, e) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* A file the runner writes into the plan's scratch directory when it runs
 * (the directory's name is chosen on first use); *out gets its path. */
static int scratch_file(struct dk *d, const char *name, const char *text, char **out,
                        sbx_error **err)
{
	struct sbx_plan *p = d->p;
	int r =
	    p->scratch_dir ? 0 : ctr_scratch_name(d->c->host, "sbx-docker", &p->scratch_dir, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *path = path_join_normalize(p->scratch_dir, name);
	if (!path || sbx_plan_add_file(p, name, text, 0644) < 0)
		return sbx_err(err, -ENOMEM, "out of memory");
	*out = steal_pointer(&path);
	return 0;
}

static int seccomp_profile(struct dk *d, sbx_error **err)
{
	struct sbx_plan *p = d->p;
	_cleanup_buf_ buf b = {0};
	ctr_seccomp_json(&b, false, d->c->spec->net == SBX_NET_OUTBOUND, true,
	                 d->c->host->uid_root ? 2 : 0);
	buf_addc(&b, '\n');
	if (b.oom)
		return sbx_err(err, -ENOMEM, "out of memory");
	_cleanup_free_ char *path = NULL;
	int r = scratch_file(d, "seccomp.json", b.s, &path, err);
	if (r < 0)
		return r;
	p->profile = buf_steal(&b);
	if (!p->profile || dk_opt(p, "--security-opt=seccomp=%s", path) < 0)
		return sbx_err(err, -ENOMEM, "out of memory");
	return 0;
}

#define SBX_DIR_LIB  "/.sbx/libsbx-preload.so"
#define SBX_DIR_EXEC "/.sbx/sbx-preload-exec"
#define SBX_DIR_POL  "/.sbx/policy"

/* Under best effort, proc.no_exec through libsbx-preload.so: the library,
 * its static starter and the policy bound under /.sbx. */
static int preload_opts(struct dk *d, sbx_error **err)
{
	struct sbx_plan *p = d->p;
	if (!(d->c->preload & CAP(PROC_NO_EXEC)))
		return 0;
	_cleanup_free_ char *lib = sbx_preload_lib_path(), *px = sbx_preload_exec_path();
	_cleanup_free_ char *text = NULL, *policy = NULL;
	if (!lib || !px)
		return sbx_err(err, -ENOMEM, "out of memory");
	const struct sbx_fs *fs = sbx_host_fs(d->c->host);
	if (lib[0] != '/' || fs->access(lib, R_OK) < 0 || px[0] != '/' || fs->access(px, X_OK) < 0)
		return sbx_err(err, -ENOENT,
		               "proc.no_exec: libsbx-preload.so and sbx-preload-exec, which would "
		               "hold it here, are not at %s and %s (set SBX_PRELOAD_LIB and "
		               "SBX_PRELOAD_EXEC)",
		               lib, px);
	int r = sbx_preload_config_text(d->c, CAP(PROC_NO_EXEC), NULL, &text, err);
	if (r < 0 || (r = scratch_file(d, "preload.policy", text, &policy, err)) < 0)
		return r;
	if (dk_bind_ro_to(p, lib, SBX_DIR_LIB) < 0 || dk_bind_ro_to(p, px, SBX_DIR_EXEC) < 0 ||
	    dk_bind_ro_to(p, policy, SBX_DIR_POL) < 0)
		return sbx_err(err, -ENOMEM, "out of memory");
	return 0;
}

/* The container's command: COMMAND, or the preload starter before it. */
static int command_opts(struct dk *d)
{
	struct sbx_plan *p = d->p;
	char *const *args = d->c->spec->args.v;
	if (!(d->c->preload & CAP(PROC_NO_EXEC))) {
		if (dk_opt(p, "--entrypoint=%s", args[0]) < 0 ||
		    strv_push(&p->argv, d->image) < 0 || strv_extend(&p->argv, args + 1) < 0)
			return -ENOMEM;
		return 0;
	}
	if (dk_opt(p, "--entrypoint=%s", SBX_DIR_EXEC) < 0 || strv_push(&p->argv, d->image) < 0 ||
	    strv_push(&p->argv, "--lib=" SBX_DIR_LIB) < 0 ||
	    strv_push(&p->argv, "--config=" SBX_DIR_POL) < 0 || strv_push(&p->argv, "--") < 0 ||
	    strv_extend(&p->argv, args) < 0)
		return -ENOMEM;
	return 0;
}

static void mechanisms(struct dk *d)
{
	const struct sbx_cctx *c = d->c;
	const struct sbx_spec *s = c->spec;
	struct sbx_plan *p = d->p;
	const char *eng = d->runsc ? "docker with runsc" : "docker";
	if (c->readable.n)
		sbx_plan_set_mechanism(p, SBX_CAP_FS_READ_SCOPE,
		                       "%s: the image's files, and the readable paths %s", eng,
		                       d->overlays ? "(directories as copy-on-write overlays, "
		                                     "files bound read-only)"
		                                   : "bound read-only");
	if (s->write == SBX_WRITE_NONE)
		sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_DENY,
		                       "%s: --read-only root, no "
		                       "writable binds",
		                       eng);
	if (s->write == SBX_WRITE_SCOPE || s->write == SBX_WRITE_OVERLAY)
		sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_SCOPE,
		                       "%s: only the writable paths%s are bound read-write", eng,
		                       s->allow_temp ? " and the temp dir" : "");
	if (s->write == SBX_WRITE_EPHEMERAL || s->write == SBX_WRITE_OVERLAY)
		sbx_plan_set_mechanism(
		    p, SBX_CAP_FS_WRITE_EPHEMERAL,
		    "%s: writes land in the container's own layer, removed with it (--rm)%s", eng,
		    d->overlays ? ", and beneath the readable directories in an overlay the "
		                  "daemon mounts (a local-driver volume) whose upper directory "
		                  "is removed after the run"
		                : "");
	if (s->net == SBX_NET_DISABLE)
		sbx_plan_set_mechanism(p, SBX_CAP_NET_DISABLE, "%s: --network=none", eng);
	else if (s->net == SBX_NET_ENABLE)
		sbx_plan_set_mechanism(p, SBX_CAP_NET_ENABLE, "%s: --network=host", eng);
	else
		sbx_plan_set_mechanism(p, SBX_CAP_NET_OUTBOUND,
		                       "%s: --network=host and a seccomp profile refusing listen, "
		                       "accept and accept4 (EPERM)",
		                       eng);
	if (s->net == SBX_NET_OUTBOUND)
		sbx_plan_caveat(p, "net=outbound: listen() is refused for every socket, unix "
		                   "sockets included, UDP sockets can still bind and receive, and "
		                   "the profile replaces docker's default seccomp profile");
	if (s->net != SBX_NET_DISABLE)
		sbx_plan_caveat(p,
		                "net=%s shares the host's network namespace (the engine runs "
		                "without a bridge): services on the host's loopback are reachable",
		                sbx_net_name(s->net));
	if (d->runsc || s->net == SBX_NET_DISABLE)
		sbx_plan_set_mechanism(p, SBX_CAP_IPC_RESTRICT,
		                       "%s: private IPC, PID%s namespaces; only bound host sockets "
		                       "exist inside",
		                       eng, d->runsc ? " and user-space kernel" : " and network");
	else
		sbx_plan_caveat(p,
		                "net=%s under runc: the host's abstract unix sockets are "
		                "reachable through the shared network namespace, so "
		                "ipc.restrict is not enforced",
		                sbx_net_name(s->net));
	if (c->readable.n || c->writable.n || s->allow_temp)
		sbx_plan_caveat(p, "host unix sockets beneath the bound paths (readable, writable, "
		                   "the temp dir) can still be connected to: a bind, read-only or "
		                   "not, does not stop connect()");
	if (d->runsc)
		sbx_plan_set_mechanism(p, SBX_CAP_KERNEL_ISOLATION,
		                       "docker --runtime=%s: system calls are served by gVisor's "
		                       "user-space kernel",
		                       d->runtime);
	if (want(d, SBX_CAP_RES_CPU))
		sbx_plan_set_mechanism(p, SBX_CAP_RES_CPU, "%s: --cpus (cgroup CPU quota)", eng);
	if (want(d, SBX_CAP_RES_MEMORY))
		sbx_plan_set_mechanism(p, SBX_CAP_RES_MEMORY,
		                       "%s: --memory with --memory-swap equal (no swap)", eng);
	if (want(d, SBX_CAP_RES_PIDS))
		sbx_plan_set_mechanism(p, SBX_CAP_RES_PIDS,
		                       d->runsc
		                           ? "docker with runsc: --ulimit nproc, counted by the "
		                             "user-space kernel over the sandbox"
		                           : "docker: --pids-limit (cgroup pids controller)");
	if (c->requested & CAP(ENV_SCRUB))
		sbx_plan_set_mechanism(p, SBX_CAP_ENV_SCRUB,
		                       "sbx: matching variables are neither forwarded nor given to "
		                       "the client");
	sbx_plan_caveat(p,
	                "the command runs on the image's files (%s): only the listed paths "
	                "of the host are bound in",
	                d->image);
	bool layer = s->write == SBX_WRITE_EPHEMERAL || s->write == SBX_WRITE_OVERLAY;
	bool tmp_bound = false;
	for (size_t i = 0; i < c->writable.n; i++)
		tmp_bound |= path_is_beneath(c->writable.v[i], "/tmp");
	for (size_t i = 0; i < c->readable.n; i++)
		tmp_bound |= path_is_beneath(c->readable.v[i], "/tmp");
	if (!layer && !s->allow_temp && !tmp_bound)
		sbx_plan_caveat(p, "/tmp is a private in-memory tmpfs: writes there succeed and "
		                   "vanish with the container (--allow-temp binds the host's)");
	for (size_t i = 0; i < d->volumes.n; i++)
		sbx_plan_caveat(p, "the image's VOLUME %s is %s", d->volumes.v[i],
		                layer ? "an anonymous volume: writes there are discarded with "
		                        "the container"
		                      : "mounted read-only (an empty read-only tmpfs: the image's "
		                        "files there are hidden)");
	if (c->host->uid_root && d->runsc && !d->runtime_seccomp && d->can_run)
		sbx_plan_caveat(p,
		                "run by root: docker runtime '%s' does not pass runsc "
		                "--oci-seccomp, so runsc ignores the profile that keeps setuid "
		                "and setgid bits off the files the command writes; such a file "
		                "in a bound path would run with root's rights outside",
		                d->runtime);
	if (!d->runsc && d->runtime)
		sbx_plan_caveat(p,
		                "docker --runtime=%s (SBX_DOCKER_RUNTIME): the mechanisms above "
		                "assume a runc-like runtime",
		                d->runtime);
	if (c->preload & CAP(PROC_NO_EXEC)) {
		sbx_preload_plan_note(p, CAP(PROC_NO_EXEC),
		                      "started by sbx-preload-exec, bound at " SBX_DIR_EXEC);
		sbx_plan_caveat(p,
		                "proc.no_exec through libsbx-preload.so: the command must be a "
		                "dynamically linked program (or script) of the image whose "
		                "loader is glibc's and of this machine; otherwise "
		                "sbx-preload-exec refuses to start it and the run ends with 125");
	}
}

static int build(struct dk *d, sbx_error **err)
{
	const struct sbx_cctx *c = d->c;
	struct sbx_plan *p = d->p;
	_cleanup_free_ char *name = ctr_unique_name();
	if (!name)
		return sbx_err(err, -ENOMEM, "out of memory");
	int r;
	if ((r = pin_image(d, err)) < 0 || (d->runsc && (r = check_runtime(d, err)) < 0))
		return r == -ENOMEM ? sbx_err(err, r, "out of memory") : r;
	/* docker-ephemeral: another runtime on purpose (isobox's
	 * ISOBOX_DOCKER_RUNTIME); a name, never an option */
	const char *rt = d->c->host->docker_runtime;
	if (!d->runsc && rt) {
		for (const char *q = rt; *q; q++)
			if (!(*q >= 'a' && *q <= 'z') && !(*q >= 'A' && *q <= 'Z') &&
			    !(*q >= '0' && *q <= '9') && !strchr("._-", *q))
				return sbx_err(
				    err, -EINVAL,
				    "SBX_DOCKER_RUNTIME '%s': not a runtime name (letters, "
				    "digits, '.', '_', '-')",
				    rt);
		if (!(d->runtime = strdup(rt)))
			return sbx_err(err, -ENOMEM, "out of memory");
	}
	bool tty = isatty(0) && isatty(1);
	if (strv_push(&p->argv, d->docker) < 0 || strv_push(&p->argv, "run") < 0 ||
	    strv_push(&p->argv, "--rm") < 0 || strv_push(&p->argv, "--interactive") < 0 ||
	    (tty && strv_push(&p->argv, "--tty") < 0) || dk_opt(p, "--name=%s", name) < 0 ||
	    strv_push(&p->argv, "--init") < 0 ||
	    dk_opt(p, "--user=%u:%u", d->c->host->uid, d->c->host->gid) < 0 ||
	    strv_push(&p->argv, "--cap-drop=ALL") < 0 ||
	    strv_push(&p->argv, "--security-opt=no-new-privileges") < 0 ||
	    strv_push(&p->argv, "--ipc=private") < 0 ||
	    dk_opt(p, "--network=%s", d->host_net ? "host" : "none") < 0 ||
	    (d->runtime && dk_opt(p, "--runtime=%s", d->runtime) < 0))
		return sbx_err(err, -ENOMEM, "out of memory");
	if ((r = dk_fs_opts(d, err)) < 0)
		return r == -ENOMEM ? sbx_err(err, r, "out of memory") : r;
	if (res_opts(d) < 0 || env_opts(d) < 0)
		return sbx_err(err, -ENOMEM, "out of memory");
	/* (run by root, the profile also keeps setuid and setgid bits off
	 * every file: one in a bound path would run with root's rights outside) */
	if ((c->spec->net == SBX_NET_OUTBOUND || c->host->uid_root) &&
	    (r = seccomp_profile(d, err)) < 0)
		return r;
	if ((r = preload_opts(d, err)) < 0)
		return r;
	if (command_opts(d) < 0)
		return sbx_err(err, -ENOMEM, "out of memory");
	/* --volumes: the anonymous volumes go too when this, not --rm, removes
	 * the container (the overlays are unmounted before their directories
	 * are removed) */
	if (strv_push(&p->cleanup_argv, d->docker) < 0 || strv_push(&p->cleanup_argv, "rm") < 0 ||
	    strv_push(&p->cleanup_argv, "--force") < 0 ||
	    strv_push(&p->cleanup_argv, "--volumes") < 0 || strv_push(&p->cleanup_argv, name) < 0)
		return sbx_err(err, -ENOMEM, "out of memory");
	return 0;
}

static int compile_common(const struct sbx_cctx *c, struct sbx_plan *p, bool runsc, sbx_error **err)
{
	int u = ctr_check_utf8(c, err);
	if (u < 0)
		return u;
	struct dk d = {
	    .c = c,
	    .p = p,
	    .want = c->requested & ~c->missing,
	    .runsc = runsc,
	    .host_net = c->spec->net != SBX_NET_DISABLE,
	    .can_run = !p->unavailable,
	    .docker = sbx_host_docker(c->host) ? sbx_host_docker(c->host) : "docker",
	};
	int r = build(&d, err);
	if (r == 0)
		mechanisms(&d);
	free(d.runtime);
	free(d.image);
	strv_clear(&d.volumes);
	if (r < 0)
		return r;
	p->fsv = SBX_FSV_IMAGE;
	p->exec_direct = false;
	p->runner_timeout = c->spec->timeout;
	return 0;
}

static int compile_docker(const struct sbx_cctx *c, struct sbx_plan *p, sbx_error **err)
{
	return compile_common(c, p, false, err);
}

static int compile_runsc(const struct sbx_cctx *c, struct sbx_plan *p, sbx_error **err)
{
	return compile_common(c, p, true, err);
}

const struct sbx_backend_impl sbx_backend_docker_ephemeral = {
    .id = SBX_BACKEND_DOCKER_EPHEMERAL,
    .probe = probe_docker,
    .compile = compile_docker,
};

const struct sbx_backend_impl sbx_backend_docker_runsc_ephemeral = {
    .id = SBX_BACKEND_DOCKER_RUNSC_EPHEMERAL,
    .probe = probe_runsc,
    .compile = compile_runsc,
};
