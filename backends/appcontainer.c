/* appcontainer.c: the appcontainer backend's compiler (Windows), portable C.
 *
 * The plan's argv is the command itself; the enforcement is done in-process
 * by the Windows runner (appcontainer_win32.c, built only for Windows), which
 * reads the plan's profile: one directive per line, the exact list of what it
 * sets up, so `--print` shows precisely what will run:
 *
 *   container NAME          AppContainer profile name prefix (the runner adds
 *                           "-PID-N" so each run has its own SID)
 *   lpac                    less-privileged AppContainer
 *   capability NAME SID     a network capability
 *   grant read|write|socket PATH
 *                           an ACL entry for the container's SID, revoked after
 *   job kill-on-close | memory BYTES | processes N | cpu CORES
 *   child-process restricted
 *   temp container          TEMP and TMP point into the container's own folder
 *
 * PATH is the rest of the line with '%' and control characters as %XX. */
#include "appcontainer.h"

#include <stdio.h>
#include <stdlib.h>

#define CAP(x) SBX_CAPSET_OF(SBX_CAP_##x)

static void probe(const struct sbx_host *h, struct sbx_avail *a)
{
	(void)h;
	/* AppContainers exist on every Windows this builds for (8 and later);
	 * failures to create one are reported when the plan runs. */
	a->caps = sbx_caps_of(SBX_BACKEND_APPCONTAINER);
}

/* Well-known capability SIDs (winnt.h's SECURITY_CAPABILITY_*). */
static const struct {
	const char *name, *sid;
} net_caps[] = {
    {"internetClient", "S-1-15-3-1"},
    {"internetClientServer", "S-1-15-3-2"},
    {"privateNetworkClientServer", "S-1-15-3-3"},
};

static void add_encoded(buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '%')
			buf_addf(b, "%%%02X", *p);
		else
			buf_addc(b, (char)*p);
	}
}

struct ac {
	const struct sbx_cctx *c;
	struct sbx_plan *p;
	buf prof;
	strv granted; /* "kind\tpath", to grant each path once */
};

static void grant(struct ac *a, const char *kind, const char *path)
{
	_cleanup_free_ char *key = NULL;
	if (asprintf(&key, "%s\t%s", kind, path) < 0) {
		a->prof.oom = true;
		return;
	}
	if (strv_contains(&a->granted, key))
		return;
	if (strv_push(&a->granted, key) < 0) {
		a->prof.oom = true;
		return;
	}
	buf_addf(&a->prof, "grant %s ", kind);
	add_encoded(&a->prof, path);
	buf_addc(&a->prof, '\n');
}

static int net(struct ac *a)
{
	struct sbx_plan *p = a->p;
	size_t n = 0;
	switch (a->c->spec->net) {
	case SBX_NET_ALLOWLIST: /* never compiled here: the runner refuses it */
	case SBX_NET_DISABLE:
		sbx_plan_set_mechanism(p, SBX_CAP_NET_DISABLE,
		                       "AppContainer without network capabilities");
		break;
	case SBX_NET_OUTBOUND:
		n = 1;
		sbx_plan_set_mechanism(p, SBX_CAP_NET_OUTBOUND,
		                       "AppContainer capability internetClient only (no server "
		                       "capability)");
		sbx_plan_caveat(p, "net=outbound: internetClient reaches the internet, not the "
		                   "local network (no privateNetworkClientServer)");
		break;
	case SBX_NET_ENABLE:
		n = ARRAY_SIZE(net_caps);
		sbx_plan_set_mechanism(p, SBX_CAP_NET_ENABLE,
		                       "AppContainer capabilities internetClient, "
		                       "internetClientServer and privateNetworkClientServer");
		break;
	}
	for (size_t i = 0; i < n; i++)
		buf_addf(&a->prof, "capability %s %s\n", net_caps[i].name, net_caps[i].sid);
	return sbx_plan_caveat(p, "Windows isolates AppContainers from loopback: services on "
	                          "127.0.0.1 are unreachable unless exempted (CheckNetIsolation)");
}

static const char *temp_dir(const struct ac *a)
{
	const char *t = env_value(strv_get(&a->c->env), "TEMP");
	if (!t || !*t)
		t = env_value(strv_get(&a->c->env), "TMP");
	return t && *t ? t : a->c->tmpdir;
}

static int reads(struct ac *a)
{
	const struct sbx_cctx *c = a->c;
	struct sbx_plan *p = a->p;
	const char *cmd = c->spec->args.v[0];
	if (strchr(cmd, '/') || strchr(cmd, '\\')) {
		_cleanup_free_ char *bin = path_join_normalize(c->dir, cmd);
		if (!bin || strv_push(&p->runtime_paths, bin) < 0)
			return -ENOMEM;
	}
	if (c->readable.n) {
		for (size_t i = 0; i < c->readable.n; i++)
			grant(a, "read", c->readable.v[i]);
		sbx_plan_set_mechanism(p, SBX_CAP_FS_READ_SCOPE,
		                       "AppContainer: read ACL entries for the container's SID on "
		                       "the readable paths");
	} else {
		/* fs.read.host is not in the table: under best effort the
		 * workspace at least is readable. */
		grant(a, "read", c->dir);
	}
	for (size_t i = 0; i < p->runtime_paths.n; i++)
		grant(a, "read", p->runtime_paths.v[i]);
	return sbx_plan_caveat(p, "AppContainer reads: the granted paths plus what Windows "
	                          "grants every less-privileged AppContainer (system directories); "
	                          "other files of the user are unreadable");
}

static int writes(struct ac *a)
{
	const struct sbx_spec *s = a->c->spec;
	struct sbx_plan *p = a->p;
	bool scoped = s->write == SBX_WRITE_SCOPE || s->write == SBX_WRITE_OVERLAY;
	for (size_t i = 0; scoped && i < a->c->writable.n; i++)
		grant(a, "write", a->c->writable.v[i]);
	if (s->allow_temp)
		grant(a, "write", temp_dir(a));
	for (size_t i = 0; i < a->c->allow_socket.n; i++)
		grant(a, "socket", a->c->allow_socket.v[i]);
	if (!s->allow_temp)
		buf_add(&a->prof, "temp container\n");
	sbx_plan_caveat(p, "grants are ACL entries for the container's SID, removed after the "
	                   "run; if sbx-exec is killed first they stay, naming a container that "
	                   "no longer exists");
	switch (s->write) {
	case SBX_WRITE_NONE:
		sbx_plan_set_mechanism(
		    p, SBX_CAP_FS_WRITE_DENY,
		    "AppContainer: no write ACL entries for the container's SID");
		return sbx_plan_caveat(p, "write=none: the container's own folder (TEMP, TMP) "
		                          "stays writable; it is deleted with the container");
	case SBX_WRITE_SCOPE:
		return sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_SCOPE,
		                              "AppContainer: write ACL entries for the container's "
		                              "SID on the writable paths%s",
		                              s->allow_temp ? " and the temp dir" : "");
	case SBX_WRITE_OVERLAY:
		sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_SCOPE,
		                       "AppContainer: write ACL entries for the container's SID on "
		                       "the writable paths%s",
		                       s->allow_temp ? " and the temp dir" : "");
		sbx_plan_set_mechanism(
		    p, SBX_CAP_FS_WRITE_EPHEMERAL,
		    "AppContainer: other writes are refused, so none reaches the "
		    "host");
		return sbx_plan_caveat(p, "write=overlay on appcontainer: writes outside the "
		                          "writable paths fail (access denied) instead of being "
		                          "discarded");
	case SBX_WRITE_EPHEMERAL:
		sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_EPHEMERAL,
		                       "AppContainer: only the container's own folder (TEMP, TMP) "
		                       "is writable, and it is deleted with the container");
		return sbx_plan_caveat(p,
		                       "write=ephemeral on appcontainer covers the container's "
		                       "own folder: writes elsewhere fail (access denied) instead "
		                       "of being discarded");
	}
	return 0;
}

static int job(struct ac *a)
{
	const struct sbx_spec *s = a->c->spec;
	struct sbx_plan *p = a->p;
	buf_add(&a->prof, "job kill-on-close\n");
	if (s->memory > 0) {
		buf_addf(&a->prof, "job memory %lld\n", (long long)s->memory);
		sbx_plan_set_mechanism(p, SBX_CAP_RES_MEMORY,
		                       "job object: JobMemoryLimit %lld bytes for all its "
		                       "processes",
		                       (long long)s->memory);
	}
	if (s->pids > 0) {
		buf_addf(&a->prof, "job processes %lld\n", (long long)s->pids);
		sbx_plan_set_mechanism(p, SBX_CAP_RES_PIDS, "job object: ActiveProcessLimit %lld",
		                       (long long)s->pids);
		sbx_plan_caveat(p, "res.pids: the job counts processes, not threads");
	}
	if (s->cpus > 0) {
		buf_addf(&a->prof, "job cpu %g\n", s->cpus);
		sbx_plan_set_mechanism(p, SBX_CAP_RES_CPU,
		                       "job object: hard CPU-rate cap of %g cores' share of the "
		                       "logical CPUs",
		                       s->cpus);
	}
	if (s->no_exec) {
		buf_add(&a->prof, "child-process restricted\n");
		sbx_plan_set_mechanism(
		    p, SBX_CAP_PROC_NO_EXEC,
		    "process mitigation PROCESS_CREATION_CHILD_PROCESS_RESTRICTED: "
		    "the command cannot create processes");
	}
	return 0;
}

static int compile(const struct sbx_cctx *c, struct sbx_plan *p, sbx_error **err)
{
	struct ac a = {.c = c, .p = p};
	buf_addf(&a.prof,
	         "# sbx %s appcontainer plan: the Windows runner applies exactly "
	         "these lines\ncontainer sbx\nlpac\n",
	         sbx_version());
	int r = net(&a);
	if (r == 0)
		r = reads(&a);
	if (r == 0)
		r = writes(&a);
	if (r == 0)
		r = job(&a);
	strv_clear(&a.granted);
	if (r == 0 && !(p->profile = buf_steal(&a.prof)))
		r = -ENOMEM;
	buf_free(&a.prof);
	if (r == 0 && strv_extend(&p->argv, c->spec->args.v) < 0)
		r = -ENOMEM;
	if (r == 0 && c->spec->dir && !(p->chdir = strdup(c->dir)))
		r = -ENOMEM;
	if (r < 0)
		return sbx_err(err, r, "out of memory");
	sbx_plan_set_mechanism(p, SBX_CAP_IPC_RESTRICT,
	                       "AppContainer: a private object namespace; processes and windows "
	                       "outside it cannot be opened");
	if (c->requested & CAP(ENV_SCRUB))
		sbx_plan_set_mechanism(p, SBX_CAP_ENV_SCRUB,
		                       "sbx: matching variables left out of the environment block");
	p->runner_timeout = c->spec->timeout;
	p->exec_direct = false;
	p->fsv = SBX_FSV_NONE;
	return 0;
}

void sbx_ac_plan_free(struct sbx_ac_plan *ac)
{
	free(ac->name);
	strv_clear(&ac->cap_names);
	strv_clear(&ac->cap_sids);
	for (int i = 0; i < SBX_AC__GRANTS; i++)
		strv_clear(&ac->grants[i]);
	*ac = (struct sbx_ac_plan){0};
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes %XX; NULL on a malformed escape or allocation failure. */
static char *decode(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	for (size_t i = 0; out && i < n; i++) {
		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		int hi = i + 2 < n ? hexval(s[i + 1]) : -1, lo = i + 2 < n ? hexval(s[i + 2]) : -1;
		if (hi < 0 || lo < 0 || hi * 16 + lo == 0) {
			free(out);
			return NULL;
		}
		*o++ = (char)(hi * 16 + lo);
		i += 2;
	}
	if (out)
		*o = '\0';
	return out;
}

static int parse_int(const char *v, int64_t *out)
{
	char *end = NULL;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (errno || end == v || *end || x <= 0)
		return -EINVAL;
	*out = x;
	return 0;
}

/* One line, without its newline. */
static int parse_line(struct sbx_ac_plan *ac, const char *line, size_t n)
{
	static const char *const kinds[SBX_AC__GRANTS] = {"read", "write", "socket"};
	_cleanup_free_ char *l = malloc(n + 1);
	if (!l)
		return -ENOMEM;
	memcpy(l, line, n);
	l[n] = '\0';
	if (!*l || *l == '#')
		return 0;
	char *sp = strchr(l, ' ');
	char *arg = sp ? sp + 1 : l + strlen(l);
	if (sp)
		*sp = '\0';
	if (streq(l, "lpac") && !*arg) {
		ac->lpac = true;
	} else if (streq(l, "container") && *arg && !ac->name) {
		return (ac->name = decode(arg, strlen(arg))) ? 0 : -EINVAL;
	} else if (streq(l, "capability")) {
		char *sid = strchr(arg, ' ');
		if (!sid || !startswith(sid + 1, "S-1-15-3-"))
			return -EINVAL;
		*sid++ = '\0';
		if (strv_push(&ac->cap_names, arg) < 0 || strv_push(&ac->cap_sids, sid) < 0)
			return -ENOMEM;
	} else if (streq(l, "grant")) {
		char *path = strchr(arg, ' ');
		if (!path || !path[1])
			return -EINVAL;
		*path++ = '\0';
		for (int k = 0; k < SBX_AC__GRANTS; k++)
			if (streq(arg, kinds[k])) {
				char *d = decode(path, strlen(path));
				return d ? strv_take(&ac->grants[k], d) : -EINVAL;
			}
		return -EINVAL;
	} else if (streq(l, "job")) {
		char *v = strchr(arg, ' ');
		if (streq(arg, "kill-on-close")) {
			ac->kill_on_close = true;
			return 0;
		}
		if (!v)
			return -EINVAL;
		*v++ = '\0';
		if (streq(arg, "memory"))
			return parse_int(v, &ac->memory);
		if (streq(arg, "processes"))
			return parse_int(v, &ac->processes);
		if (!streq(arg, "cpu"))
			return -EINVAL;
		char *end = NULL;
		ac->cpus = strtod(v, &end);
		return end != v && !*end && ac->cpus > 0 ? 0 : -EINVAL;
	} else if (streq(l, "child-process") && streq(arg, "restricted")) {
		ac->child_restricted = true;
	} else if (streq(l, "temp") && streq(arg, "container")) {
		ac->temp_container = true;
	} else {
		return -EINVAL;
	}
	return 0;
}

int sbx_ac_parse(const char *profile, struct sbx_ac_plan *ac, sbx_error **err)
{
	*ac = (struct sbx_ac_plan){0};
	for (const char *p = profile; p && *p;) {
		size_t n = strcspn(p, "\n");
		int r = parse_line(ac, p, n);
		if (r < 0) {
			sbx_ac_plan_free(ac);
			return r == -ENOMEM ? sbx_err(err, r, "out of memory")
			                    : sbx_err(err, r, "appcontainer plan: bad line '%.*s'",
			                              (int)(n > 80 ? 80 : n), p);
		}
		p += n + (p[n] == '\n');
	}
	if (!ac->name || !ac->kill_on_close) {
		sbx_ac_plan_free(ac);
		return sbx_err(err, -EINVAL, "appcontainer plan: no container or no job");
	}
	return 0;
}

const struct sbx_backend_impl sbx_backend_appcontainer = {
    .id = SBX_BACKEND_APPCONTAINER,
    .probe = probe,
    .compile = compile,
};
