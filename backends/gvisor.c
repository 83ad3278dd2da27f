/* gvisor.c: the gvisor backend's compiler. The plan is
 *
 *   runsc --root=SCRATCH/state [--rootless] --network=none|host
 *         [--overlay2=root:memory] [--oci-seccomp] run --bundle SCRATCH ID
 *
 * with SCRATCH a private directory holding the OCI bundle (config.json, and
 * for a read scope an empty rootfs/ that only binds fill) and runsc's state,
 * removed after the run together with `runsc delete --force ID`.
 *
 * What this runsc (Debian's 0.0~20221219) was found to do, which the choices
 * below follow:
 * - `runsc do` always overlays the whole host root and offers no binds,
 *   seccomp or limits, so it cannot express scope, read-deny, no-exec or
 *   resources: plans use `runsc run` with a bundle.
 * - The bundle's seccomp is ignored unless runsc gets --oci-seccomp.
 * - --network=sandbox needs a configured network namespace (none without
 *   iptables here); --network=none gives a loopback-only netstack, and
 *   --network=host (with no network namespace in the bundle) the host's
 *   network through gVisor's hostinet.
 * - As root, the bundle's cgroup memory and CPU limits are applied to the
 *   whole sandbox. A cgroup pids limit counts runsc's own threads and stops
 *   the sandbox from starting, so pids use RLIMIT_NPROC, which the
 *   user-space kernel counts for the sandbox's processes.
 * - Not root: `runsc run` works only with --rootless, which ignores every
 *   cgroup limit (a 128 MiB cap did not stop a 400 MiB allocation) and maps
 *   only the caller's uid, so the command runs as uid 0 of the sandbox.
 * - runsc exits 128 when it fails before the command starts. */
#include "container.h"

#include <stdio.h>
#include <sys/stat.h>

#define CAP(x) SBX_CAPSET_OF(SBX_CAP_##x)

static void probe(const struct sbx_host *h, struct sbx_avail *a)
{
	if (!sbx_host_runsc(h)) {
		a->unavailable = "runsc (gVisor) was not found on PATH (install it, or point "
		                 "SBX_RUNSC at it)";
		return;
	}
	/* runsc starts its sandbox and gofer in new user namespaces, as root
	 * too (and --rootless needs them to map the user). */
	if (!h->userns) {
		static char why[256];
		snprintf(why, sizeof(why), "runsc needs to create user namespaces (%s)",
		         h->userns_why ? h->userns_why : "not available");
		a->unavailable = why;
		return;
	}
	a->caps = sbx_caps_of(SBX_BACKEND_GVISOR);
	if (!h->euid_root) {
		static const char rootless[] =
		    "runsc --rootless (the only way it runs without root) ignores cgroup "
		    "limits; run as root";
		a->caps &= ~(CAP(RES_CPU) | CAP(RES_MEMORY));
		a->why[SBX_CAP_RES_CPU] = a->why[SBX_CAP_RES_MEMORY] = rootless;
	} else if (!h->cgroup_writable) {
		static const char nocg[] = "no writable cgroup hierarchy for runsc's limits";
		a->caps &= ~(CAP(RES_CPU) | CAP(RES_MEMORY));
		a->why[SBX_CAP_RES_CPU] = a->why[SBX_CAP_RES_MEMORY] = nocg;
	}
}

enum mkind { M_BIND_RO, M_BIND_RW, M_MASK_DIR, M_MASK_FILE };

struct mnt {
	char *dst, *src;
	enum mkind kind;
};

struct gv {
	const struct sbx_cctx *c;
	struct sbx_plan *p;
	sbx_capset want; /* requested and not given up under best effort */
	bool rootless, host_net, overlay, scoped, seccomp, cgroups;
	struct mnt *m;
	size_t nm;
};

static void gv_free(struct gv *g)
{
	for (size_t i = 0; i < g->nm; i++) {
		free(g->m[i].dst);
		free(g->m[i].src);
	}
	free(g->m);
}

static bool want(const struct gv *g, sbx_cap cap)
{
	return (g->want & SBX_CAPSET_OF(cap)) != 0;
}

static int add_mount(struct gv *g, const char *dst, const char *src, enum mkind kind)
{
	for (size_t i = 0; i < g->nm; i++)
		if (streq(g->m[i].dst, dst) && g->m[i].kind == kind)
			return 0;
	struct mnt *m = realloc(g->m, (g->nm + 1) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	g->m = m;
	m[g->nm] = (struct mnt){.dst = strdup(dst), .src = src ? strdup(src) : NULL, .kind = kind};
	if (!m[g->nm].dst || (src && !m[g->nm].src)) {
		free(m[g->nm].dst);
		free(m[g->nm].src);
		return -ENOMEM;
	}
	g->nm++;
	return 0;
}

/* Parents before children, so a bind or mask inside another mount lands on
 * top of it; among equals the order of addition (binds, then masks). */
static void sort_mounts(struct gv *g)
{
	for (size_t i = 1; i < g->nm; i++) {
		struct mnt m = g->m[i];
		size_t j = i;
		for (; j > 0 && path_depth(g->m[j - 1].dst) > path_depth(m.dst); j--)
			g->m[j] = g->m[j - 1];
		g->m[j] = m;
	}
}

/* Runtime paths (sbx_runtime_paths) are each bound at their own path from
 * their resolved target, so merged-/usr symlinks (/lib -> usr/lib) work
 * without copying them; missing ones are skipped. */
static int add_runtime(struct gv *g, const char *path)
{
	char real[4096];
	if (!sbx_host_fs(g->c->host)->realpath(path, real))
		return 0;
	if (!strv_contains(&g->p->runtime_paths, path) && strv_push(&g->p->runtime_paths, path) < 0)
		return -ENOMEM;
	return add_mount(g, path, real, M_BIND_RO);
}

static int check_exists(const struct gv *g, const char *what, const char *path, sbx_error **err)
{
	struct stat st;
	if (sbx_host_fs(g->c->host)->stat(path, &st) < 0)
		return sbx_err_errno(err, -errno, "%s path %s", what, path);
	return 0;
}

/* --write-deny (and the profile's write-deny-existing): each path bound
 * again read-only onto itself, and the directories between a writable
 * path and it bound again writable, so that as mount points none can be
 * renamed or removed (gVisor's VFS refuses it as Linux does: EBUSY). */
static int protect_mounts(struct gv *g, sbx_error **err)
{
	const struct sbx_cctx *c = g->c;
	if (!c->write_deny.n && !c->write_deny_existing.n)
		return 0;
	_cleanup_strv_ strv pins = {0};
	_cleanup_strv_ strv prot = {0};
	int r = sbx_protect_paths(c, g->p, &prot, &pins, NULL, err);
	if (r < 0 || !prot.n)
		return r;
	for (size_t i = 0; i < pins.n; i++)
		if ((r = add_mount(g, pins.v[i], pins.v[i], M_BIND_RW)) < 0)
			return r;
	for (size_t i = 0; i < prot.n; i++)
		if ((r = add_mount(g, prot.v[i], prot.v[i], M_BIND_RO)) < 0)
			return r;
	return sbx_plan_set_mechanism(g->p, SBX_CAP_FS_WRITE_PROTECT,
	                              "the bundle binds each path again read-only onto itself, "
	                              "and the directories between a writable path and it "
	                              "again, as mount points");
}

static int fs_mounts(struct gv *g, sbx_error **err)
{
	const struct sbx_cctx *c = g->c;
	int r;
	if (g->scoped) {
		for (size_t i = 0; i < c->readable.n; i++)
			if ((r = check_exists(g, "readable", c->readable.v[i], err)) < 0 ||
			    (r = add_mount(g, c->readable.v[i], c->readable.v[i], M_BIND_RO)) < 0)
				return r;
		_cleanup_strv_ strv rt = {0};
		if (sbx_runtime_paths(c, &rt) < 0)
			return -ENOMEM;
		for (size_t i = 0; i < rt.n; i++)
			if ((r = add_runtime(g, rt.v[i])) < 0)
				return r;
	}
	for (size_t i = 0; i < c->writable.n; i++)
		if ((r = check_exists(g, "writable", c->writable.v[i], err)) < 0 ||
		    (r = add_mount(g, c->writable.v[i], c->writable.v[i], M_BIND_RW)) < 0)
			return r;
	if (c->spec->allow_temp && (r = add_mount(g, c->tmpdir, c->tmpdir, M_BIND_RW)) < 0)
		return r;
	if ((r = protect_mounts(g, err)) < 0)
		return r;
	/* The host root shows the sockets already; runsc cannot bind a socket
	 * file into a read scope's empty root. */
	for (size_t i = 0; i < c->allow_socket.n; i++)
		if ((r = check_exists(g, "allowed socket", c->allow_socket.v[i], err)) < 0)
			return r;
	if (g->scoped && c->allow_socket.n)
		return sbx_err(err, -ENOTSUP,
		               "gvisor cannot bind a host socket (%s) into a read scope: runsc "
		               "refuses socket files as bind sources",
		               c->allow_socket.v[0]);
	_cleanup_buf_ buf absent = {0};
	for (size_t i = 0; want(g, SBX_CAP_FS_READ_DENY) && i < c->read_deny.n; i++) {
		const char *path = c->read_deny.v[i];
		struct stat st;
		if (sbx_host_fs(c->host)->stat(path, &st) < 0) {
			buf_addf(&absent, "%s%s", absent.len ? ", " : "", path);
			continue;
		}
		r = add_mount(g, path, NULL, S_ISDIR(st.st_mode) ? M_MASK_DIR : M_MASK_FILE);
		if (r < 0)
			return r;
	}
	if (absent.oom || (absent.len && sbx_plan_caveat(g->p,
	                                                 "read-deny paths that do not exist "
	                                                 "when the sandbox starts are not "
	                                                 "masked: %s",
	                                                 absent.s) < 0))
		return -ENOMEM;
	/* The bundle and runsc's state stay out of the command's reach. */
	return add_mount(g, g->p->scratch_dir, NULL, M_MASK_DIR);
}

static void json_mount(buf *b, const struct mnt *m, const char *scratch)
{
	buf_add(b, "    {\"destination\": ");
	buf_add_json_string(b, m->dst);
	switch (m->kind) {
	case M_MASK_DIR:
		buf_add(b,
		        ", \"type\": \"tmpfs\", \"source\": \"tmpfs\", "
		        "\"options\": [\"ro\", \"mode=000\", \"nosuid\", \"nodev\", \"noexec\"]}");
		return;
	case M_MASK_FILE: {
		_cleanup_free_ char *empty = path_join_normalize(scratch, "empty");
		buf_add(b, ", \"type\": \"bind\", \"source\": ");
		buf_add_json_string(b, empty ? empty : "/dev/null");
		buf_add(b, ", \"options\": [\"bind\", \"ro\"]}");
		return;
	}
	default:
		buf_add(b, ", \"type\": \"bind\", \"source\": ");
		buf_add_json_string(b, m->src);
		buf_addf(b, ", \"options\": [\"rbind\", \"%s\"]}",
		         m->kind == M_BIND_RO ? "ro" : "rw");
	}
}

static void json_strings(buf *b, char *const *v)
{
	buf_addc(b, '[');
	for (size_t i = 0; v[i]; i++) {
		if (i)
			buf_add(b, ", ");
		buf_add_json_string(b, v[i]);
	}
	buf_addc(b, ']');
}

static void json_process(struct gv *g, buf *b)
{
	const struct sbx_cctx *c = g->c;
	unsigned uid = g->rootless ? 0 : g->c->host->uid;
	unsigned gid = g->rootless ? 0 : g->c->host->gid;
	buf_add(b, "  \"process\": {\n    \"terminal\": false,\n");
	buf_addf(b, "    \"user\": {\"uid\": %u, \"gid\": %u},\n    \"args\": ", uid, gid);
	json_strings(b, c->spec->args.v);
	buf_add(b, ",\n    \"env\": ");
	json_strings(b, strv_get(&g->p->env));
	buf_add(b, ",\n    \"cwd\": ");
	buf_add_json_string(b, c->dir);
	buf_add(b, ",\n    \"capabilities\": {\"bounding\": [], \"effective\": [], "
	           "\"inheritable\": [], \"permitted\": [], \"ambient\": []},\n"
	           "    \"noNewPrivileges\": true");
	if (want(g, SBX_CAP_RES_PIDS))
		buf_addf(b,
		         ",\n    \"rlimits\": [{\"type\": \"RLIMIT_NPROC\", \"hard\": %lld, "
		         "\"soft\": %lld}]",
		         (long long)c->spec->pids, (long long)c->spec->pids);
	buf_add(b, "\n  },\n");
}

static void json_linux(struct gv *g, buf *b)
{
	const struct sbx_spec *s = g->c->spec;
	buf_add(b, "  \"linux\": {\n    \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"ipc\"}, "
	           "{\"type\": \"uts\"}, {\"type\": \"mount\"}");
	if (!g->host_net)
		buf_add(b, ", {\"type\": \"network\"}");
	buf_add(b, "]");
	bool mem = want(g, SBX_CAP_RES_MEMORY), cpu = want(g, SBX_CAP_RES_CPU);
	if (mem || cpu) {
		buf_add(b, ",\n    \"resources\": {");
		if (mem)
			buf_addf(b, "\"memory\": {\"limit\": %lld, \"swap\": %lld}",
			         (long long)s->memory, (long long)s->memory);
		if (cpu) {
			long long quota = (long long)(s->cpus * 100000.0 + 0.5);
			buf_addf(b, "%s\"cpu\": {\"quota\": %lld, \"period\": 100000}",
			         mem ? ", " : "", quota < 1000 ? 1000 : quota);
		}
		buf_add(b, "}");
	}
	if (g->seccomp) {
		buf_add(b, ",\n    \"seccomp\": ");
		ctr_seccomp_json(b, want(g, SBX_CAP_PROC_NO_EXEC), s->net == SBX_NET_OUTBOUND,
		                 false, g->rootless ? 0 : 1);
	}
	buf_add(b, "\n  }\n");
}

static char *config_json(struct gv *g)
{
	_cleanup_buf_ buf b = {0};
	const char *scratch = g->p->scratch_dir;
	_cleanup_free_ char *rootfs = path_join_normalize(scratch, "rootfs");
	buf_add(&b, "{\n  \"ociVersion\": \"1.0.2\",\n");
	json_process(g, &b);
	buf_add(&b, "  \"root\": {\"path\": ");
	buf_add_json_string(&b, g->scoped ? (rootfs ? rootfs : "") : "/");
	buf_addf(&b, ", \"readonly\": %s},\n", g->overlay ? "false" : "true");
	buf_add(&b, "  \"hostname\": \"sbx\",\n  \"mounts\": [\n"
	            "    {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
	            "    {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},\n"
	            "    {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", "
	            "\"options\": [\"ro\", \"nosuid\", \"noexec\", \"nodev\"]}");
	for (size_t i = 0; i < g->nm; i++) {
		buf_add(&b, ",\n");
		json_mount(&b, &g->m[i], scratch);
	}
	buf_add(&b, "\n  ],\n");
	json_linux(g, &b);
	buf_add(&b, "}\n");
	return buf_steal(&b);
}

long sbx_runsc_version(const char *runsc, char *text, size_t size)
{
	char *argv[] = {(char *)runsc, "--version", NULL};
	_cleanup_free_ char *out = NULL;
	if (text && size)
		text[0] = '\0';
	if (sbx_capture(argv, &out) != 0 || !out)
		return -1;
	char *nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	if (text && size)
		snprintf(text, size, "%s", out);
	/* "runsc version 0.0~20221219.0" or "release-20240513.0": the date */
	for (const char *q = out; *q; q++) {
		size_t n = strspn(q, "0123456789");
		if (n == 8 && q[0] == '2' && q[1] == '0')
			return strtol(q, NULL, 10);
		if (n)
			q += n - 1;
	}
	return 0;
}

/* config.json, the file masks' empty file and the read-scope root: the
 * runner writes them when the plan runs. */
static int plan_bundle(struct gv *g)
{
	struct sbx_plan *p = g->p;
	if (sbx_plan_add_file(p, "config.json", p->profile, 0600) < 0 ||
	    sbx_plan_add_file(p, "empty", "", 0000) < 0 ||
	    (g->scoped && sbx_plan_add_file(p, "rootfs", NULL, 0755) < 0))
		return -ENOMEM;
	return 0;
}

/* runsc reports a command it cannot start as its own failure (128, shown
 * as 125): find it first in the view the bundle gives it, as a shell
 * would (the PATH of the command's environment), and tell 127 from 126. */
static int prepare(const struct sbx_plan *p, sbx_error **err)
{
	/* --overlay2=root:memory and --oci-seccomp, which plans use, arrived
	 * in 2022; an older runsc would fail later or ignore them */
	char ver[128];
	long date = sbx_runsc_version(p->argv.v[0], ver, sizeof(ver));
	if (date < 0)
		return sbx_err(err, -ENOEXEC, "%s --version failed: it does not look like runsc",
		               p->argv.v[0]);
	if (date > 0 && date < SBX_RUNSC_MIN_DATE)
		return sbx_err(err, -ENOTSUP,
		               "%s is too old for this plan (%s; gVisor from %d or later is needed "
		               "for --overlay2 and --oci-seccomp)",
		               p->argv.v[0], ver, SBX_RUNSC_MIN_DATE);
	const char *cmd = p->command;
	char found[4096];
	int r = path_search(cmd, env_value(strv_get(&p->env), "PATH"), found, sizeof(found));
	if (r == -EACCES) {
		sbx_err(err, -EACCES, "%s: Permission denied", cmd);
		return 126;
	}
	struct stat st;
	bool seen = r == 0 && stat(found, &st) == 0;
	if (seen && p->view.n) {
		/* a read scope shows only the bound paths */
		_cleanup_free_ char *real = realpath(found, NULL);
		bool inside = false;
		for (size_t i = 0; real && i < p->view.n; i++)
			inside |= path_is_beneath(real, p->view.v[i]);
		seen = inside;
	}
	if (!seen) {
		sbx_err(err, -ENOENT, "%s: command not found in the sandbox", cmd);
		return 127;
	}
	if (S_ISDIR(st.st_mode) || access(found, X_OK) < 0) {
		sbx_err(err, -EACCES, "%s: %s", cmd,
		        S_ISDIR(st.st_mode) ? "is a directory" : "Permission denied");
		return 126;
	}
	return 0;
}

static int mechanisms_fs(struct gv *g)
{
	const struct sbx_spec *s = g->c->spec;
	struct sbx_plan *p = g->p;
	if (g->scoped)
		sbx_plan_set_mechanism(
		    p, SBX_CAP_FS_READ_SCOPE,
		    "OCI bundle: an empty root with only the readable and runtime "
		    "paths bound read-only");
	else
		sbx_plan_set_mechanism(p, SBX_CAP_FS_READ_HOST,
		                       "OCI bundle: the host's / as the root, through the gofer");
	if (want(g, SBX_CAP_FS_READ_DENY) && g->c->read_deny.n)
		sbx_plan_set_mechanism(
		    p, SBX_CAP_FS_READ_DENY,
		    "OCI bundle: directories masked by an empty tmpfs (mode 000), "
		    "files by an empty unreadable file");
	switch (s->write) {
	case SBX_WRITE_NONE:
		sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_DENY,
		                       "OCI bundle: read-only root, no writable binds");
		break;
	case SBX_WRITE_SCOPE:
		sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_SCOPE,
		                       "OCI bundle: read-only root, the writable paths%s bound "
		                       "read-write",
		                       s->allow_temp ? " and the temp dir" : "");
		break;
	case SBX_WRITE_EPHEMERAL:
		sbx_plan_set_mechanism(
		    p, SBX_CAP_FS_WRITE_EPHEMERAL,
		    "runsc --overlay2=root:memory: writes go to an in-memory upper "
		    "layer discarded with the sandbox");
		break;
	case SBX_WRITE_OVERLAY:
		sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_SCOPE,
		                       "OCI bundle: the writable paths%s bound read-write",
		                       s->allow_temp ? " and the temp dir" : "");
		sbx_plan_set_mechanism(
		    p, SBX_CAP_FS_WRITE_EPHEMERAL,
		    "runsc --overlay2=root:memory: other writes go to an in-memory "
		    "upper layer discarded with the sandbox");
		break;
	}
	if (g->overlay && g->scoped)
		return sbx_plan_caveat(p,
		                       "write=%s with a read scope: writes beneath the readable "
		                       "paths fail (they are read-only binds, not overlaid)",
		                       sbx_write_name(s->write));
	return 0;
}

static int mechanisms(struct gv *g)
{
	const struct sbx_cctx *c = g->c;
	const struct sbx_spec *s = c->spec;
	struct sbx_plan *p = g->p;
	if (mechanisms_fs(g) < 0)
		return -ENOMEM;
	switch (s->net) {
	case SBX_NET_ALLOWLIST: /* never compiled here: the runner refuses it */
	case SBX_NET_DISABLE:
		sbx_plan_set_mechanism(p, SBX_CAP_NET_DISABLE,
		                       "runsc --network=none: a loopback-only network stack inside "
		                       "the sandbox");
		break;
	case SBX_NET_ENABLE:
		sbx_plan_set_mechanism(p, SBX_CAP_NET_ENABLE,
		                       "runsc --network=host: the host's network through gVisor's "
		                       "hostinet");
		break;
	case SBX_NET_OUTBOUND:
		sbx_plan_set_mechanism(
		    p, SBX_CAP_NET_OUTBOUND,
		    "runsc --network=host and the bundle's seccomp (--oci-seccomp): "
		    "listen, accept and accept4 fail with EPERM");
		sbx_plan_caveat(p, "net=outbound: listen() is refused for every socket, unix "
		                   "sockets included, and UDP sockets can still bind and receive");
		break;
	}
	if (s->net != SBX_NET_DISABLE)
		sbx_plan_caveat(p,
		                "net=%s uses the host's network stack (runsc's own network needs "
		                "a configured network namespace): services listening on the "
		                "host's loopback are reachable",
		                sbx_net_name(s->net));
	if (want(g, SBX_CAP_PROC_NO_EXEC))
		sbx_plan_set_mechanism(p, SBX_CAP_PROC_NO_EXEC,
		                       "the bundle's seccomp (--oci-seccomp): execve and execveat "
		                       "fail with EPERM after the command is loaded");
	if (c->allow_socket.n)
		sbx_plan_caveat(p,
		                "--allow-socket needs runsc --host-uds=open, which lets the "
		                "command connect to every host socket its filesystem view shows, "
		                "so ipc.restrict is not enforced");
	else
		sbx_plan_set_mechanism(
		    p, SBX_CAP_IPC_RESTRICT,
		    "gVisor: unix sockets, signals and SysV IPC exist only inside "
		    "the user-space kernel; host sockets cannot be opened");
	sbx_plan_set_mechanism(p, SBX_CAP_KERNEL_ISOLATION,
	                       "gVisor: the command's system calls are served by runsc's "
	                       "user-space kernel (platform ptrace)");
	if (want(g, SBX_CAP_RES_CPU))
		sbx_plan_set_mechanism(p, SBX_CAP_RES_CPU,
		                       "the bundle's cgroup CPU quota on the whole sandbox");
	if (want(g, SBX_CAP_RES_MEMORY))
		sbx_plan_set_mechanism(
		    p, SBX_CAP_RES_MEMORY,
		    "the bundle's cgroup memory limit (swap included) on the whole "
		    "sandbox, runsc's own memory included");
	if (want(g, SBX_CAP_RES_PIDS))
		sbx_plan_set_mechanism(p, SBX_CAP_RES_PIDS,
		                       "RLIMIT_NPROC, counted by the user-space kernel over the "
		                       "sandbox's processes and threads (a cgroup pids limit would "
		                       "count runsc's own threads)");
	if (c->requested & CAP(ENV_SCRUB))
		sbx_plan_set_mechanism(
		    p, SBX_CAP_ENV_SCRUB,
		    "sbx: matching variables left out of the bundle's environment");
	if (g->rootless)
		sbx_plan_caveat(p, "not root: runsc runs with --rootless, so the command runs as "
		                   "uid 0 of the sandbox (no capabilities), which the host sees as "
		                   "the caller");
	sbx_plan_caveat(p, "gVisor implements Linux system calls itself and some differ: this "
	                   "runsc rejects coreutils' statx() (ls -l, stat fail with EINVAL)");
	sbx_plan_caveat(p, "runsc exits 128 when it fails before the command starts; sbx reports "
	                   "that as 125, so a command that itself exits 128 is reported as 125 "
	                   "(a command that is not found, or not executable, is found out before "
	                   "runsc starts: 127, 126)");
	const char *mf = env_value(strv_get(&p->env), "MAKEFLAGS");
	if (mf && (strstr(mf, "--jobserver-auth=") || strstr(mf, "--jobserver-fds=")) &&
	    !strstr(mf, "=fifo:"))
		sbx_plan_caveat(p, "make's jobserver (descriptors named in MAKEFLAGS) cannot be "
		                   "passed through runsc, which has no --preserve-fds: a make "
		                   "inside runs its jobs one at a time");
	sbx_plan_caveat(p, "runsc writes the command's stdout and stderr from offset 0 of a "
	                   "regular file opened without O_APPEND, overwriting what the file held "
	                   "(use >> or a pipe)");
	return 0;
}

static int build_argv(struct gv *g)
{
	struct sbx_plan *p = g->p;
	const char *runsc = sbx_host_runsc(g->c->host) ? sbx_host_runsc(g->c->host) : "runsc";
	_cleanup_free_ char *id = ctr_unique_name();
	_cleanup_free_ char *state = path_join_normalize(p->scratch_dir, "state");
	if (!id || !state)
		return -ENOMEM;
	strv *v[3] = {&p->argv, &p->cleanup_argv, &p->signal_argv};
	for (int i = 0; i < 3; i++) {
		if (strv_push(v[i], runsc) < 0 || strv_pushf(v[i], "--root=%s", state) < 0 ||
		    (g->rootless && strv_push(v[i], "--rootless") < 0))
			return -ENOMEM;
	}
	/* Without limits to apply, runsc (as root) would still create a cgroup
	 * per controller and leave it behind. */
	if (!g->cgroups && !g->rootless && strv_push(&p->argv, "--ignore-cgroups") < 0)
		return -ENOMEM;
	if (strv_pushf(&p->argv, "--network=%s", g->host_net ? "host" : "none") < 0 ||
	    (g->overlay && strv_push(&p->argv, "--overlay2=root:memory") < 0) ||
	    (g->seccomp && strv_push(&p->argv, "--oci-seccomp") < 0) ||
	    (g->c->allow_socket.n && strv_push(&p->argv, "--host-uds=open") < 0) ||
	    strv_push(&p->argv, "run") < 0 || strv_push(&p->argv, "--bundle") < 0 ||
	    strv_push(&p->argv, p->scratch_dir) < 0 || strv_push(&p->argv, id) < 0)
		return -ENOMEM;
	if (strv_push(&p->cleanup_argv, "delete") < 0 ||
	    strv_push(&p->cleanup_argv, "--force") < 0 || strv_push(&p->cleanup_argv, id) < 0)
		return -ENOMEM;
	/* runsc run passes no signal on: sbx-exec does, to the command */
	if (strv_push(&p->signal_argv, "kill") < 0 || strv_push(&p->signal_argv, id) < 0)
		return -ENOMEM;
	if (!g->cgroups)
		return 0;
	/* runsc leaves the container's cgroups behind (one directory per
	 * controller, named by the id): remove them after the delete. */
	static const char script[] =
	    "id=$1; shift; \"$@\"; for d in /sys/fs/cgroup/*/\"$id\" /sys/fs/cgroup/\"$id\"; "
	    "do [ -d \"$d\" ] && rmdir \"$d\"; done; exit 0";
	strv sh = {0};
	if (strv_push(&sh, "/bin/sh") < 0 || strv_push(&sh, "-c") < 0 ||
	    strv_push(&sh, script) < 0 || strv_push(&sh, "sbx-gvisor-cleanup") < 0 ||
	    strv_push(&sh, id) < 0 || strv_extend(&sh, strv_get(&p->cleanup_argv)) < 0) {
		strv_clear(&sh);
		return -ENOMEM;
	}
	strv_clear(&p->cleanup_argv);
	p->cleanup_argv = sh;
	return 0;
}

/* runsc itself keeps files in TMPDIR that its sandbox, unprivileged as
 * root's, must reach: it gets the directory the bundle went to (the
 * command's own TMPDIR is in the bundle, unchanged). */
static int runsc_tmpdir(struct sbx_plan *p)
{
	const char *slash = strrchr(p->scratch_dir, '/');
	for (size_t i = 0; i < p->env.n; i++)
		if (startswith(p->env.v[i], "TMPDIR=")) {
			char *e = NULL;
			if (asprintf(&e, "TMPDIR=%.*s", (int)(slash - p->scratch_dir),
			             p->scratch_dir) < 0)
				return -ENOMEM;
			free(p->env.v[i]);
			p->env.v[i] = e;
		}
	return 0;
}

static int compile(const struct sbx_cctx *c, struct sbx_plan *p, sbx_error **err)
{
	const struct sbx_spec *s = c->spec;
	_cleanup_(gv_free) struct gv g = {
	    .c = c,
	    .p = p,
	    .want = c->requested & ~c->missing,
	    .rootless = !c->host->euid_root,
	    .host_net = s->net != SBX_NET_DISABLE,
	    .overlay = s->write == SBX_WRITE_EPHEMERAL || s->write == SBX_WRITE_OVERLAY,
	    .scoped = c->readable.n > 0,
	};
	int u = ctr_check_utf8(c, err);
	if (u < 0 || (sbx_host_runsc(c->host) && (u = sbx_check_dir(c, err)) < 0))
		return u;
	g.seccomp = want(&g, SBX_CAP_PROC_NO_EXEC) || s->net == SBX_NET_OUTBOUND || !g.rootless;
	g.cgroups = want(&g, SBX_CAP_RES_CPU) || want(&g, SBX_CAP_RES_MEMORY);
	int r = ctr_scratch_name(c->host, "sbx-gvisor", &p->scratch_dir, err);
	if (r < 0 || (r = fs_mounts(&g, err)) < 0)
		return r;
	sort_mounts(&g);
	if (mechanisms(&g) < 0 || build_argv(&g) < 0 || !(p->profile = config_json(&g)) ||
	    plan_bundle(&g) < 0)
		return sbx_err(err, -ENOMEM, "out of memory");
	if (!(p->command = strdup(s->args.v[0])))
		return sbx_err(err, -ENOMEM, "out of memory");
	for (size_t i = 0; g.scoped && i < g.nm; i++)
		if ((g.m[i].kind == M_BIND_RO || g.m[i].kind == M_BIND_RW) &&
		    strv_push(&p->view, g.m[i].dst) < 0)
			return sbx_err(err, -ENOMEM, "out of memory");
	p->prepare = prepare;
	p->prepare_what = "runsc --version must say 2022 or later; the command is looked up in "
	                  "the bundle's view (PATH of its environment): 127 if not found, 126 if "
	                  "it cannot run";
	if (runsc_tmpdir(p) < 0)
		return sbx_err(err, -ENOMEM, "out of memory");
	p->fsv = g.overlay ? SBX_FSV_OVERLAY : SBX_FSV_NONE;
	p->exec_direct = false;
	p->runner_timeout = s->timeout;
	p->failure_status = 128;
	return 0;
}

const struct sbx_backend_impl sbx_backend_gvisor = {
    .id = SBX_BACKEND_GVISOR,
    .probe = probe,
    .compile = compile,
};
