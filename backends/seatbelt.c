/* seatbelt.c: the seatbelt backend (macOS): compiles a spec into an SBPL
 * profile and the argv `/usr/bin/sandbox-exec -p PROFILE -- COMMAND...`
 * ($SBX_SANDBOX_EXEC overrides the path). The run is the shared supervised
 * POSIX run (lib/run.c); the only macOS-specific run-time step is the
 * clonefile(2) workspace of write=ephemeral, compiled only on macOS.
 *
 * Seatbelt evaluates rules last-match-wins, so the profile is written in a
 * fixed order, each section narrowing the one before:
 *   1. (allow default): what the spec does not restrict stays allowed;
 *   2. network;
 *   3. reads: host, or (deny file-read*) then the scope and runtime paths,
 *      metadata of their ancestors; then the read-deny paths;
 *   4. writes: (deny file-write*) then the scope, temp roots, devices and
 *      terminals; then the read-deny paths again;
 *   5. Mach: (deny mach-lookup) then the services added back.
 * Every path is canonicalised the way macOS resolves it (/tmp, /var and /etc
 * live under /private) because Seatbelt matches resolved paths. */
#include "internal.h"

#include <stdio.h>
#include <sys/stat.h>

#if defined(__APPLE__) && !defined(SBX_HAVE_CLONEFILE)
#define SBX_HAVE_CLONEFILE 1
#endif
#if SBX_HAVE_CLONEFILE
#include <sys/clonefile.h>
#endif

#define CAP(x) SBX_CAPSET_OF(SBX_CAP_##x)

static const char default_sandbox_exec[] = "/usr/bin/sandbox-exec";

static const char *sandbox_exec_path(const struct sbx_host *h)
{
	return h->sandbox_exec ? h->sandbox_exec : default_sandbox_exec;
}

static void probe(const struct sbx_host *h, struct sbx_avail *a)
{
	const char *path = sandbox_exec_path(h);
	if (access(path, X_OK) < 0) {
		static char why[512];
		snprintf(why, sizeof(why),
		         "%s is not executable: %s (SBX_SANDBOX_EXEC overrides the path)", path,
		         strerror(errno));
		a->unavailable = why;
		return;
	}
	a->caps = sbx_caps_of(SBX_BACKEND_SEATBELT);
}

/* What a macOS program needs to start under a read scope: dyld and its
 * shared cache (under /System), system libraries and tools, the /etc files
 * libc reads, time zones, the developer-tools shims behind /usr/bin/git. */
static const char *const runtime_subpaths[] = {
    "/System",
    "/usr/lib",
    "/usr/libexec",
    "/usr/share",
    "/usr/bin",
    "/usr/sbin",
    "/bin",
    "/sbin",
    "/Library/Apple",
    "/Library/Preferences",
    "/Library/Developer/CommandLineTools",
    "/private/etc",
    "/private/var/db/timezone",
    "/private/var/select",
    "/dev/fd",
};
static const char *const runtime_literals[] = {
    "/private/var/db/xcode_select_link",
    "/dev/null",
    "/dev/zero",
    "/dev/random",
    "/dev/urandom",
    "/dev/dtracehelper",
    "/dev/tty",
};
/* Writable under every write mode: the bit buckets, dyld's DTrace helper
 * and terminals (the command's own output). */
static const char *const write_literals[] = {"/dev/null", "/dev/zero", "/dev/dtracehelper",
                                             "/dev/tty"};
static const char tty_regex[] = "^/dev/ttys[0-9]+$";

/* Services nearly every program needs once Mach lookups are restricted:
 * user and group lookup, logging, notifications, the per-user temp dir. */
static const char *const mach_base[] = {
    "com.apple.system.opendirectoryd.libinfo",
    "com.apple.system.opendirectoryd.membership",
    "com.apple.system.logger",
    "com.apple.logd",
    "com.apple.system.notification_center",
    "com.apple.bsd.dirhelper",
};
/* TLS certificate validation and DNS configuration, allowed with the network. */
static const char *const mach_network[] = {
    "com.apple.trustd.agent",
    "com.apple.trustd",
    "com.apple.SecurityServer",
    "com.apple.ocspd",
    "com.apple.dnssd.service",
    "com.apple.SystemConfiguration.DNSConfiguration",
    "com.apple.SystemConfiguration.configd",
};

/* The path as macOS resolves it: /tmp, /var and /etc are symlinks into
 * /private. Applied to already-normalised absolute paths. */
static char *macos_canon(const char *path)
{
	static const char *const links[] = {"/tmp", "/var", "/etc"};
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (path_is_beneath(path, links[i])) {
			char *out = NULL;
			return asprintf(&out, "/private%s", path) < 0 ? NULL : out;
		}
	return strdup(path);
}

/* On macOS the paths cctx resolved with realpath(3) are the Mac's own. On
 * another host they were resolved against that host's symlinks (/var/run is
 * /run on Linux), which say nothing about the Mac: there the spec's paths
 * are taken lexically and only macOS's own /private links applied. */
static const bool on_macos = SBX_OS_HOST == SBX_OS_MACOS;

static int canon_list(strv *out, const strv *resolved, const strv *raw, const char *dir)
{
	const strv *in = on_macos ? resolved : raw;
	for (size_t i = 0; i < in->n; i++) {
		_cleanup_free_ char *abs = path_join_normalize(dir, in->v[i]);
		if (!abs || strv_take(out, macos_canon(abs)) < 0)
			return -ENOMEM;
	}
	return 0;
}

extern char **environ;

/* The working and temp directories, by the same rule. */
static int canon_dirs(const struct sbx_cctx *c, char **dir, char **tmpdir)
{
	if (on_macos) {
		*dir = macos_canon(c->dir);
		*tmpdir = macos_canon(c->tmpdir);
		return *dir && *tmpdir ? 0 : -ENOMEM;
	}
	_cleanup_free_ char *d = NULL;
	if (sbx_working_dir(c->spec, &d, NULL) < 0)
		return -ENOMEM;
	const char *tmp = "/tmp";
	char *const *env = c->spec->env_set ? strv_get(&c->spec->env) : environ;
	for (; env && *env; env++)
		if (startswith(*env, "TMPDIR=/"))
			tmp = *env + 7;
	_cleanup_free_ char *t = path_join_normalize("/", tmp);
	if (!d || !t)
		return -ENOMEM;
	*dir = macos_canon(d);
	*tmpdir = macos_canon(t);
	return *dir && *tmpdir ? 0 : -ENOMEM;
}

/* An SBPL (TinyScheme) string literal: quotes and backslashes escaped,
 * control characters as \n, \t, \r or two-digit \xHH, so no path can end
 * the literal early or add a rule. */
static void add_sbpl_string(buf *b, const char *s)
{
	buf_addc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)*p);
		} else if (*p == '\n') {
			buf_add(b, "\\n");
		} else if (*p == '\t') {
			buf_add(b, "\\t");
		} else if (*p == '\r') {
			buf_add(b, "\\r");
		} else if (*p < 0x20 || *p == 0x7f) {
			buf_addf(b, "\\x%02x", *p);
		} else {
			buf_addc(b, (char)*p);
		}
	}
	buf_addc(b, '"');
}

/* Compile-time state: the canonical paths and the profile being written. */
struct sb {
	const struct sbx_cctx *c;
	struct sbx_plan *p;
	buf prof;
	char *dir;      /* canonical working directory */
	char *tmpdir;   /* canonical temp dir */
	char *scratch;  /* write=ephemeral: the scratch dir holding the clone */
	char *clone;    /* write=ephemeral: the clone of dir, the command's cwd */
	char *clonetmp; /* write=ephemeral: the command's TMPDIR */
	strv writable, readable, read_deny, sockets;
	strv reads;     /* every path the read scope grants, in order */
	strv ancestors; /* their ancestors, for file-read-metadata */
};

static void sb_free(struct sb *s)
{
	buf_free(&s->prof);
	free(s->dir);
	free(s->tmpdir);
	free(s->scratch);
	free(s->clone);
	free(s->clonetmp);
	strv_clear(&s->writable);
	strv_clear(&s->readable);
	strv_clear(&s->read_deny);
	strv_clear(&s->sockets);
	strv_clear(&s->reads);
	strv_clear(&s->ancestors);
}

/* `(OP ACTION\n  (FILTER "path")...)`: one rule over a list of paths. */
static void rule(buf *b, const char *action, const char *op, const char *filter,
                 const char *const *paths, size_t n)
{
	if (!n)
		return;
	buf_addf(b, "(%s %s", action, op);
	for (size_t i = 0; i < n; i++) {
		buf_addf(b, "\n  (%s ", filter);
		add_sbpl_string(b, paths[i]);
		buf_addc(b, ')');
	}
	buf_add(b, ")\n");
}

static void rule_strv(buf *b, const char *action, const char *op, const char *filter, const strv *v)
{
	rule(b, action, op, filter, (const char *const *)strv_get(v), v->n);
}

/* write=ephemeral: the command runs in a clone of the working directory
 * inside a fresh scratch dir, with its TMPDIR there too. The names are
 * fixed at compile time so the profile can name them; the token is random
 * on macOS (where the plan runs) and a visible placeholder elsewhere. */
static int plan_clone(struct sb *s)
{
	char token[17] = "XXXXXXXXXXXXXXXX";
#if SBX_HAVE_CLONEFILE
	snprintf(token, sizeof(token), "%08x%08x", arc4random(), arc4random());
#endif
	if (asprintf(&s->scratch, "%s/sbx-seatbelt.%s", s->tmpdir, token) < 0 ||
	    asprintf(&s->clone, "%s/work", s->scratch) < 0 ||
	    asprintf(&s->clonetmp, "%s/tmp", s->scratch) < 0)
		return -ENOMEM;
	/* Read-deny paths inside the workspace are copied into the clone too:
	 * deny them there as well. */
	size_t n = s->read_deny.n;
	for (size_t i = 0; i < n; i++)
		if (path_is_beneath(s->read_deny.v[i], s->dir) &&
		    strv_pushf(&s->read_deny, "%s%s", s->clone,
		               s->read_deny.v[i] + strlen(s->dir)) < 0)
			return -ENOMEM;
	return 0;
}

static int init_paths(struct sb *s)
{
	const struct sbx_cctx *c = s->c;
	const strv *raw = c->spec->lists;
	if (canon_dirs(c, &s->dir, &s->tmpdir) < 0 ||
	    canon_list(&s->writable, &c->writable, &raw[SBX_LIST_WRITABLE], s->dir) < 0 ||
	    canon_list(&s->readable, &c->readable, &raw[SBX_LIST_READABLE], s->dir) < 0 ||
	    canon_list(&s->read_deny, &c->read_deny, &raw[SBX_LIST_READ_DENY], s->dir) < 0 ||
	    canon_list(&s->sockets, &c->allow_socket, &raw[SBX_LIST_ALLOW_SOCKET], s->dir) < 0)
		return -ENOMEM;
	if (c->spec->write == SBX_WRITE_EPHEMERAL)
		return plan_clone(s);
	return 0;
}

/* The allow-socket paths, inside an (allow network-outbound ...). */
static void allow_sockets(struct sb *s)
{
	for (size_t i = 0; i < s->sockets.n; i++) {
		buf_add(&s->prof, "\n  (remote unix-socket (path-literal ");
		add_sbpl_string(&s->prof, s->sockets.v[i]);
		buf_add(&s->prof, "))");
	}
}

static void no_mach_caveat(struct sb *s, const char *mode)
{
	if (!(s->c->requested & CAP(MACH_RESTRICT)))
		sbx_plan_caveat(s->p,
		                "net=%s: Mach services stay reachable (no --mach-allow), so a "
		                "system daemon could still reach the network on the command's "
		                "behalf",
		                mode);
}

/* net=allowlist: no network but outbound connections to one port of the
 * host's loopback, where the runner serves sbx's proxy (lib/proxy.c) to
 * the allowed hosts while the command runs; the port is the kernel's
 * choice, written into the profile at run time (SBX_PROXY_PORT_TOKEN).
 * Nothing can bind or accept; the --allow-localhost ports are reached
 * directly (the same loopback). */
static void allowlist_section(struct sb *s)
{
	buf *b = &s->prof;
	struct sbx_plan *p = s->p;
	const strv *hosts = &s->c->spec->lists[SBX_LIST_ALLOW_HOST];
	const strv *fw = &s->c->spec->lists[SBX_LIST_ALLOW_LOCALHOST];
	buf_add(b, "\n; network: allowlist (sbx's proxy on the host's loopback)\n"
	           "(deny network*)\n(allow network-outbound\n"
	           "  (remote ip \"localhost:" SBX_PROXY_PORT_TOKEN "\")");
	for (size_t i = 0; i < fw->n; i++)
		buf_addf(b, "\n  (remote ip \"localhost:%d\")", atoi(fw->v[i]));
	allow_sockets(s);
	buf_add(b, ")\n");
	p->proxy = true;
	if (strv_extend(&p->proxy_hosts, hosts->v) < 0 ||
	    sbx_plan_set_proxy_env(p, SBX_PROXY_PORT_TOKEN) < 0) {
		p->oom = true;
		return;
	}
	_cleanup_buf_ buf list = {0};
	for (size_t i = 0; i < hosts->n; i++)
		buf_addf(&list, "%s%s", i ? ", " : "", hosts->v[i]);
	sbx_plan_set_mechanism(
	    p, SBX_CAP_NET_ALLOWLIST,
	    "seatbelt: network* denied but outbound to localhost:" SBX_PROXY_PORT_TOKEN
	    "%s, where sbx-exec serves its HTTP and SOCKS5 proxy (HTTP_PROXY, HTTPS_PROXY, "
	    "ALL_PROXY; the port is chosen when it runs) connecting only to %s",
	    fw->n ? " and the --allow-localhost ports" : "", list.s ? list.s : "no host");
	sbx_plan_caveat(p, "net=allowlist: only programs that use the proxy variables get out "
	                   "(HTTP CONNECT, absolute-URI requests, SOCKS5 CONNECT); a name "
	                   "without :PORT allows ports 80 and 443; a name matched by a "
	                   "wildcard that resolves to a loopback, private or link-local address "
	                   "is refused");
	sbx_plan_caveat(p, "net=allowlist: the proxy listens on the host's own loopback, so "
	                   "the user's other processes can reach it too (they have the network "
	                   "already)");
	no_mach_caveat(s, "allowlist");
}

static void net_section(struct sb *s)
{
	buf *b = &s->prof;
	struct sbx_plan *p = s->p;
	switch (s->c->spec->net) {
	case SBX_NET_ENABLE:
		buf_add(b, "\n; network: enable\n(allow network*)\n");
		sbx_plan_set_mechanism(p, SBX_CAP_NET_ENABLE, "seatbelt: network* allowed");
		break;
	case SBX_NET_OUTBOUND:
		buf_add(b, "\n; network: outbound (nothing may bind or accept)\n"
		           "(allow network*)\n(deny network-bind)\n(deny network-inbound)\n");
		sbx_plan_set_mechanism(p, SBX_CAP_NET_OUTBOUND,
		                       "seatbelt: network-bind and network-inbound denied");
		sbx_plan_caveat(p, "net=outbound: no socket can bind or accept, unix-domain "
		                   "servers included");
		break;
	case SBX_NET_ALLOWLIST:
		allowlist_section(s);
		break;
	case SBX_NET_DISABLE:
		buf_add(b, "\n; network: disable\n(deny network*)\n");
		if (s->sockets.n) {
			buf_add(b, "(allow network-outbound");
			allow_sockets(s);
			buf_add(b, ")\n");
		}
		sbx_plan_set_mechanism(p, SBX_CAP_NET_DISABLE,
		                       "seatbelt: network* denied, unix-domain sockets included%s",
		                       s->sockets.n ? " (except the allow-socket paths)" : "");
		no_mach_caveat(s, "disable");
		break;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push_unique(strv *v, const char *path)
{
	return strv_contains(v, path) ? 0 : strv_push(v, path);
}

/* Adds path and every ancestor directory of it (for metadata reads). */
static int add_ancestors(strv *v, const char *path)
{
	_cleanup_free_ char *p = strdup(path);
	if (!p)
		return -ENOMEM;
	for (char *slash = strrchr(p, '/'); slash; slash = strrchr(p, '/')) {
		if (slash == p) {
			p[1] = '\0';
			return push_unique(v, p);
		}
		*slash = '\0';
		if (push_unique(v, p) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The command's binary when the scope would not cover it: as given when it
 * has a '/', else found on the spec's PATH when compiling on macOS (another
 * host's PATH says nothing about the Mac). */
static int command_path(struct sb *s, char **out)
{
	const char *cmd = s->c->spec->args.v[0];
	*out = NULL;
	_cleanup_free_ char *bin = NULL;
	if (strchr(cmd, '/')) {
		bin = path_join_normalize(s->dir, cmd);
		if (!bin)
			return -ENOMEM;
	} else if (SBX_OS_HOST == SBX_OS_MACOS) {
		const char *path = NULL;
		for (size_t i = 0; i < s->c->env.n; i++)
			if (startswith(s->c->env.v[i], "PATH="))
				path = s->c->env.v[i] + 5;
		bin = sbx_find_program(cmd, path);
	}
	if (bin && !(*out = macos_canon(bin)))
		return -ENOMEM;
	return 0;
}

static int read_scope(struct sb *s)
{
	struct sbx_plan *p = s->p;
	const strv *lists[] = {&s->readable, &s->writable};
	for (size_t l = 0; l < ARRAY_SIZE(lists); l++)
		for (size_t i = 0; i < lists[l]->n; i++)
			if (push_unique(&s->reads, lists[l]->v[i]) < 0)
				return -ENOMEM;
	if ((s->clone && push_unique(&s->reads, s->scratch) < 0) ||
	    (s->c->spec->allow_temp &&
	     (push_unique(&s->reads, s->tmpdir) < 0 || push_unique(&s->reads, "/private/tmp") < 0)))
		return -ENOMEM;
	_cleanup_free_ char *bin = NULL;
	if (command_path(s, &bin) < 0)
		return -ENOMEM;
	bool covered = false;
	for (size_t i = 0; bin && i < ARRAY_SIZE(runtime_subpaths); i++)
		covered |= path_is_beneath(bin, runtime_subpaths[i]);
	for (size_t i = 0; bin && i < s->reads.n; i++)
		covered |= path_is_beneath(bin, s->reads.v[i]);
	if (bin && !covered && strv_push(&p->runtime_paths, bin) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(runtime_subpaths); i++)
		if (strv_push(&p->runtime_paths, runtime_subpaths[i]) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(runtime_literals); i++)
		if (strv_push(&p->runtime_paths, runtime_literals[i]) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < s->reads.n; i++)
		if (add_ancestors(&s->ancestors, s->reads.v[i]) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < p->runtime_paths.n; i++)
		if (add_ancestors(&s->ancestors, p->runtime_paths.v[i]) < 0)
			return -ENOMEM;
	if (s->ancestors.n)
		qsort(s->ancestors.v, s->ancestors.n, sizeof(char *), cmp_str);

	buf *b = &s->prof;
	buf_add(b, "\n; reads: scope, plus the runtime macOS programs need to start\n"
	           "(deny file-read*)\n");
	rule_strv(b, "allow", "file-read*", "subpath", &s->reads);
	size_t nsub = p->runtime_paths.n - ARRAY_SIZE(runtime_literals);
	rule(b, "allow", "file-read*", "subpath", (const char *const *)p->runtime_paths.v, nsub);
	rule(b, "allow", "file-read*", "literal", (const char *const *)p->runtime_paths.v + nsub,
	     ARRAY_SIZE(runtime_literals));
	buf_addf(b, "(allow file-read* (regex #\"%s\"))\n", tty_regex);
	rule_strv(b, "allow", "file-read-metadata", "literal", &s->ancestors);
	sbx_plan_set_mechanism(p, SBX_CAP_FS_READ_SCOPE,
	                       "seatbelt: file-read* denied, then allowed beneath the readable, "
	                       "writable and runtime paths; metadata of their ancestors");
	sbx_plan_caveat(p, "read scope: programs outside the macOS system runtime (Homebrew, "
	                   "language toolchains) need their install prefix listed as readable");
	return 0;
}

static int read_section(struct sb *s)
{
	struct sbx_plan *p = s->p;
	if (s->readable.n) {
		if (read_scope(s) < 0)
			return -ENOMEM;
	} else {
		buf_add(&s->prof, "\n; reads: host (allowed by default)\n");
		sbx_plan_set_mechanism(p, SBX_CAP_FS_READ_HOST,
		                       "seatbelt: file-read* allowed (the default)%s",
		                       s->read_deny.n ? ", read-deny paths excepted" : "");
	}
	if (s->read_deny.n) {
		buf_add(&s->prof, "\n; read-deny: after every read allow\n");
		rule_strv(&s->prof, "deny", "file-read*", "subpath", &s->read_deny);
		sbx_plan_set_mechanism(p, SBX_CAP_FS_READ_DENY,
		                       "seatbelt: file-read* and file-write* denied beneath the "
		                       "read-deny paths after every allow");
		sbx_plan_caveat(p, "read-deny: hard links to a denied file that already exist "
		                   "elsewhere are not covered");
	}
	return 0;
}

static int write_section(struct sb *s)
{
	const struct sbx_spec *spec = s->c->spec;
	struct sbx_plan *p = s->p;
	buf *b = &s->prof;
	_cleanup_strv_ strv roots = {0};
	if (spec->write == SBX_WRITE_SCOPE || spec->write == SBX_WRITE_OVERLAY)
		for (size_t i = 0; i < s->writable.n; i++)
			if (push_unique(&roots, s->writable.v[i]) < 0)
				return -ENOMEM;
	if (spec->allow_temp &&
	    (push_unique(&roots, s->tmpdir) < 0 || push_unique(&roots, "/private/tmp") < 0))
		return -ENOMEM;
	if (s->clone && push_unique(&roots, s->scratch) < 0)
		return -ENOMEM;
	buf_addf(b, "\n; writes: %s\n(deny file-write*)\n", sbx_write_name(spec->write));
	rule_strv(b, "allow", "file-write*", "subpath", &roots);
	rule(b, "allow", "file-write*", "literal", write_literals, ARRAY_SIZE(write_literals));
	buf_addf(b, "(allow file-write* (regex #\"%s\"))\n", tty_regex);
	if (s->read_deny.n) {
		buf_add(b, "; read-deny paths stay unwritable inside the scope\n");
		rule_strv(b, "deny", "file-write*", "subpath", &s->read_deny);
	}
	sbx_plan_caveat(p, "every terminal device (/dev/ttys*) stays writable, not only the "
	                   "command's own");
	switch (spec->write) {
	case SBX_WRITE_NONE:
		return sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_DENY,
		                              "seatbelt: file-write* denied except /dev/null, "
		                              "/dev/zero, /dev/dtracehelper and terminals");
	case SBX_WRITE_SCOPE:
		return sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_SCOPE,
		                              "seatbelt: file-write* only beneath the writable "
		                              "paths%s",
		                              spec->allow_temp ? " and the temp dirs" : "");
	case SBX_WRITE_OVERLAY:
		sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_SCOPE,
		                       "seatbelt: file-write* only beneath the writable paths%s",
		                       spec->allow_temp ? " and the temp dirs" : "");
		sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_EPHEMERAL,
		                       "seatbelt: other writes are refused, so none reaches the "
		                       "host");
		return sbx_plan_caveat(p, "write=overlay on seatbelt: writes outside the writable "
		                          "paths fail (EPERM) instead of being discarded");
	case SBX_WRITE_EPHEMERAL:
		sbx_plan_set_mechanism(p, SBX_CAP_FS_WRITE_EPHEMERAL,
		                       "clonefile(2): the command runs in a copy-on-write clone of "
		                       "%s at %s, with TMPDIR beside it, removed after the run",
		                       s->dir, s->clone);
		return sbx_plan_caveat(p, "write=ephemeral on seatbelt covers the workspace, not "
		                          "all of /: writes outside the clone and its TMPDIR fail "
		                          "(EPERM); the clone needs APFS and the temp dir on the "
		                          "workspace's volume");
	}
	return 0;
}

static void mach_section(struct sb *s)
{
	const struct sbx_cctx *c = s->c;
	if (!(c->requested & CAP(MACH_RESTRICT)))
		return;
	buf *b = &s->prof;
	const strv *allow = &c->spec->lists[SBX_LIST_MACH_ALLOW];
	bool net = c->spec->net != SBX_NET_DISABLE;
	buf_add(b, "\n; mach: denied, then the allowed services added back\n(deny mach-lookup)\n"
	           "(allow mach-lookup");
	for (size_t i = 0; i < ARRAY_SIZE(mach_base); i++)
		buf_addf(b, "\n  (global-name \"%s\")", mach_base[i]);
	for (size_t i = 0; net && i < ARRAY_SIZE(mach_network); i++)
		buf_addf(b, "\n  (global-name \"%s\")", mach_network[i]);
	buf_add(b, ")\n");
	rule(b, "allow", "mach-lookup", "global-name", (const char *const *)allow->v, allow->n);
	sbx_plan_set_mechanism(s->p, SBX_CAP_MACH_RESTRICT,
	                       "seatbelt: mach-lookup denied except the mach-allow services and "
	                       "the system ones listed in the profile%s",
	                       net ? " (trust and DNS services with the network)" : "");
}

static int build_profile(struct sb *s)
{
	buf *b = &s->prof;
	buf_addf(b,
	         "(version 1)\n; sbx %s seatbelt profile: net=%s write=%s reads=%s\n"
	         "; last matching rule wins: each section narrows the ones before it\n"
	         "(allow default)\n",
	         sbx_version(), sbx_net_name(s->c->spec->net), sbx_write_name(s->c->spec->write),
	         s->readable.n ? "scope" : "host");
	net_section(s);
	if (read_section(s) < 0 || write_section(s) < 0)
		return -ENOMEM;
	mach_section(s);
	return b->oom ? -ENOMEM : 0;
}

#if SBX_HAVE_CLONEFILE
/* Run time, macOS: the scratch dir (which must not exist yet), the clone of
 * the workspace and the private TMPDIR. Fails closed: no clone, no run. */
static int prepare_clone(const struct sbx_plan *p, sbx_error **err)
{
	_cleanup_free_ char *tmp = NULL;
	if (asprintf(&tmp, "%s/tmp", p->scratch_dir) < 0)
		return sbx_err(err, -ENOMEM, "out of memory");
	if (mkdir(p->scratch_dir, 0700) < 0)
		return sbx_err_errno(err, -errno, "ephemeral workspace: mkdir %s", p->scratch_dir);
	if (mkdir(tmp, 0700) < 0)
		return sbx_err_errno(err, -errno, "ephemeral workspace: mkdir %s", tmp);
	if (clonefile(p->prepare_src, p->chdir, CLONE_NOFOLLOW | CLONE_NOOWNERCOPY) < 0) {
		int e = errno;
		return sbx_err(err, -e, "ephemeral workspace: clonefile %s to %s: %s%s",
		               p->prepare_src, p->chdir, strerror(e),
		               e == ENOTSUP || e == EXDEV
		                   ? " (needs APFS, with the temp dir on the same volume)"
		                   : "");
	}
	return 0;
}
#endif

static int finish_plan(struct sb *s)
{
	struct sbx_plan *p = s->p;
	const struct sbx_spec *spec = s->c->spec;
	if (strv_push(&p->argv, sandbox_exec_path(s->c->host)) < 0 ||
	    strv_push(&p->argv, "-p") < 0 || strv_take(&p->argv, buf_steal(&s->prof)) < 0 ||
	    strv_push(&p->argv, "--") < 0 || strv_extend(&p->argv, spec->args.v) < 0 ||
	    !(p->profile = strdup(p->argv.v[2])))
		return -ENOMEM;
	if (s->clone) {
		p->fsv = SBX_FSV_CLONE;
		p->scratch_dir = steal_pointer(&s->scratch);
		p->chdir = steal_pointer(&s->clone);
		if (!(p->prepare_src = strdup(s->dir)) ||
		    sbx_plan_set_env(p, "TMPDIR", s->clonetmp) < 0)
			return -ENOMEM;
#if SBX_HAVE_CLONEFILE
		p->prepare = prepare_clone;
		p->prepare_what = "the working directory is cloned (clonefile) into the "
		                  "run's own copy, where the command starts";
#endif
	} else if (spec->dir && !(p->chdir = strdup(s->dir))) {
		return -ENOMEM;
	}
	if (s->c->requested & CAP(ENV_SCRUB))
		sbx_plan_set_mechanism(p, SBX_CAP_ENV_SCRUB,
		                       "sbx: matching variables removed before exec");
	sbx_plan_caveat(p,
	                "seatbelt does not restrict host IPC: signals to the user's other "
	                "processes, POSIX and SysV IPC%s stay reachable",
	                s->c->requested & CAP(MACH_RESTRICT) ? "" : " and Mach services");
	p->runner_timeout = spec->timeout;
	p->exec_direct = false;
	return 0;
}

static int compile(const struct sbx_cctx *c, struct sbx_plan *p, sbx_error **err)
{
	struct sb s = {.c = c, .p = p};
	int r = init_paths(&s);
	if (r == 0)
		r = build_profile(&s);
	if (r == 0)
		r = finish_plan(&s);
	sb_free(&s);
	return r < 0 ? sbx_err(err, r, "out of memory") : 0;
}

const struct sbx_backend_impl sbx_backend_seatbelt = {
    .id = SBX_BACKEND_SEATBELT,
    .probe = probe,
    .compile = compile,
};
