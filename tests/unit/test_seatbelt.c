/* test_seatbelt.c: the seatbelt compiler. For representative specs the
 * whole printed plan (profile included) is pinned by a golden file; every
 * profile passes the SBPL checker; and the rules are evaluated the way
 * Seatbelt does (last match wins) to check what is allowed and denied.
 * Independent of the host: HOME, TMPDIR, PATH and the paths are the test's
 * own, under macOS-style roots that do not exist on a Linux host. */
#include "plan_build.h"
#include "tap.h"
#include "golden.h"
#include "sbpl_check.h"
#include "internal.h"

static char *const test_env[] = {
    "PATH=/usr/bin:/bin:/usr/sbin:/sbin",
    "HOME=/Users/alice",
    "TMPDIR=/var/folders/zz/abc123/T",
    "LANG=en_US.UTF-8",
    "GITHUB_TOKEN=secret",
    NULL,
};

struct tcase {
	const char *name;
	const char *profile; /* built-in profile applied first, or NULL */
	const char *policy;  /* inline policy applied on top, or NULL */
	void (*extra)(sbx_spec *s);
	const char *argv[4];
	void (*check)(const struct sbpl *sb, const sbx_plan *p);
};

#define ALLOW(op, arg) ok(sbpl_decide(sb, op, arg) == 1, "%s %s allowed", op, sbpl_vis(arg))
#define DENY(op, arg)  ok(sbpl_decide(sb, op, arg) == 0, "%s %s denied", op, sbpl_vis(arg))

static void check_agent(const struct sbpl *sb, const sbx_plan *p)
{
	ALLOW("file-write-data", "/Users/alice/proj/src/main.c");
	DENY("file-write-data", "/Users/alice/notes.txt");
	ALLOW("file-read-data", "/Users/alice/notes.txt");
	DENY("file-read-data", "/Users/alice/.ssh/id_ed25519");
	DENY("file-write-create", "/Users/alice/.ssh/authorized_keys");
	DENY("file-read-metadata", "/Users/alice/.aws");
	ALLOW("file-write-create", "/private/tmp/x");
	ALLOW("file-write-create", "/private/var/folders/zz/abc123/T/x");
	DENY("file-write-create", "/private/var/folders/zz/abc123/C/x");
	ALLOW("file-write-data", "/dev/null");
	ALLOW("file-write-data", "/dev/ttys004");
	DENY("file-write-data", "/dev/disk0");
	ALLOW("network-outbound", "");
	DENY("network-bind", "");
	DENY("network-inbound", "");
	ALLOW("mach-lookup", "com.apple.anything");
	is_str(p->chdir, "/Users/alice/proj", "agent: the runner changes to the spec's dir");
	ok(!strv_contains(&p->env, "GITHUB_TOKEN=secret"), "agent: GITHUB_TOKEN scrubbed");
}

static void check_tight(const struct sbpl *sb, const sbx_plan *p)
{
	(void)p;
	DENY("file-write-data", "/Users/alice/proj/a");
	DENY("file-write-create", "/private/tmp/a");
	ALLOW("file-write-data", "/dev/null");
	DENY("network-outbound", "");
	DENY("network-outbound", "/private/var/run/docker.sock");
	DENY("file-read-data", "/Users/alice/.gnupg/x");
}

static void check_net_enable(const struct sbpl *sb, const sbx_plan *p)
{
	(void)p;
	ALLOW("network-inbound", "");
	ALLOW("network-bind", "");
	DENY("file-write-data", "/Users/alice/proj/a");
	ALLOW("file-read-data", "/Users/alice/.ssh/id_rsa");
}

static void check_scope(const struct sbpl *sb, const sbx_plan *p)
{
	(void)p;
	ALLOW("file-write-create", "/Users/alice/proj/out/a.o");
	DENY("file-write-create", "/Users/alice/proj/a.o");
	ALLOW("file-write-create", "/private/tmp/cache/k");
	DENY("file-write-create", "/tmp/cache/k");
	DENY("file-write-create", "/private/tmp/other");
	DENY("network-bind", "");
}

static void check_socket(const struct sbpl *sb, const sbx_plan *p)
{
	(void)p;
	ALLOW("network-outbound", "/private/var/run/agent.sock");
	DENY("network-outbound", "/private/var/run/other.sock");
	DENY("network-outbound", "");
	DENY("network-bind", "/private/var/run/agent.sock");
}

static void check_ephemeral(const struct sbpl *sb, const sbx_plan *p)
{
	const char *clone = "/private/var/folders/zz/abc123/T/sbx-seatbelt.XXXXXXXXXXXXXXXX/work";
	if (SBX_OS_HOST != SBX_OS_MACOS)
		is_str(p->chdir, clone, "ephemeral: runs in the clone");
	ok(p->chdir && p->scratch_dir && path_is_beneath(p->chdir, p->scratch_dir),
	   "ephemeral: the clone is inside the scratch dir the runner removes");
	is_str(p->prepare_src, "/Users/alice/proj", "ephemeral: clones the working directory");
	is_int(p->fsv, SBX_FSV_CLONE, "ephemeral: filesystem view is a clone");
	ok(p->chdir && sbpl_decide(sb, "file-write-create", p->chdir) == 1,
	   "ephemeral: the clone is writable");
	DENY("file-write-create", "/Users/alice/proj/a");
	DENY("file-read-data", "/Users/alice/proj/secrets/k");
	char path[600];
	snprintf(path, sizeof(path), "%s/secrets/k", p->chdir ? p->chdir : "?");
	ok(sbpl_decide(sb, "file-read-data", path) == 0, "ephemeral: the clone's copy of a "
	                                                 "read-deny path is denied too");
	snprintf(path, sizeof(path), "TMPDIR=%s/tmp", p->scratch_dir ? p->scratch_dir : "?");
	ok(strv_contains(&p->env, path), "ephemeral: TMPDIR is the scratch dir's");
	DENY("file-write-create", "/private/var/folders/zz/abc123/T/other");
}

static void check_overlay(const struct sbpl *sb, const sbx_plan *p)
{
	(void)p;
	ALLOW("file-write-data", "/Users/alice/proj/x");
	DENY("file-write-data", "/Users/alice/.cache/x");
	DENY("file-write-data", "/private/tmp/x");
}

static void check_read_scope(const struct sbpl *sb, const sbx_plan *p)
{
	ALLOW("file-read-data", "/Users/alice/proj/src/a.py");
	ALLOW("file-read-data", "/opt/homebrew/lib/libpython.dylib");
	ALLOW("file-read-data", "/private/etc/passwd");
	ALLOW("file-read-data", "/System/Library/Frameworks/CoreFoundation.framework/x");
	ALLOW("file-read-data", "/usr/lib/libSystem.B.dylib");
	DENY("file-read-data", "/Users/alice/Documents/tax.pdf");
	DENY("file-read-data", "/Users/alice/proj/.env");
	ALLOW("file-read-metadata", "/Users");
	ALLOW("file-read-metadata", "/Users/alice");
	DENY("file-read-metadata", "/Users/bob");
	DENY("file-read-data", "/Users");
	ok(!strv_contains(&p->runtime_paths, "/opt/homebrew/bin/python3"),
	   "read scope: a command inside a readable path adds no runtime path");
}

static void check_read_scope_tool(const struct sbpl *sb, const sbx_plan *p)
{
	ALLOW("file-read-data", "/Users/alice/bin/tool");
	DENY("file-read-data", "/Users/alice/bin/other");
	ok(strv_contains(&p->runtime_paths, "/Users/alice/bin/tool"),
	   "read scope: the command's binary is a runtime path");
}

static void check_mach_disable(const struct sbpl *sb, const sbx_plan *p)
{
	(void)p;
	ALLOW("mach-lookup", "com.apple.pasteboard.1");
	ALLOW("mach-lookup", "com.apple.system.opendirectoryd.libinfo");
	DENY("mach-lookup", "com.apple.trustd.agent");
	DENY("mach-lookup", "com.apple.coreservices.launchservicesd");
}

static void check_mach_outbound(const struct sbpl *sb, const sbx_plan *p)
{
	(void)p;
	ALLOW("mach-lookup", "com.apple.trustd.agent");
	ALLOW("mach-lookup", "com.example.\"quoted\"");
	DENY("mach-lookup", "com.example.");
	DENY("mach-lookup", "com.apple.coreservices.launchservicesd");
}

static void check_agent_read_scope(const struct sbpl *sb, const sbx_plan *p)
{
	(void)p;
	ALLOW("file-read-data", "/private/tmp/x");
	ALLOW("file-read-data", "/private/var/folders/zz/abc123/T/x");
	ALLOW("file-write-create", "/private/tmp/x");
	DENY("file-read-data", "/Users/alice/notes.txt");
	DENY("file-read-data", "/Users/alice/.ssh/id_ed25519");
}

static const char *const hostile[] = {
    "/Users/alice/we\"ird\\dir",
    "/Users/alice/new\nline",
    "/Users/alice/x\")(allow default)(\"",
    "/Users/alice/ctl\x01"
    "char\ttab",
};

static void add_hostile(sbx_spec *s)
{
	for (size_t i = 0; i < 3; i++)
		sbx_spec_add(s, SBX_LIST_WRITABLE, hostile[i]);
	sbx_spec_add(s, SBX_LIST_READ_DENY, hostile[3]);
}

static void check_hostile(const struct sbpl *sb, const sbx_plan *p)
{
	(void)p;
	for (size_t i = 0; i < ARRAY_SIZE(hostile); i++)
		ok(strv_contains(&sb->strings, hostile[i]), "hostile path %zu round-trips", i);
	ALLOW("file-write-create", "/Users/alice/we\"ird\\dir/f");
	ALLOW("file-write-create", "/Users/alice/new\nline/f");
	DENY("file-write-create", "/Users/alice/new");
	DENY("file-write-create", "/Users/alice/we");
	DENY("file-read-data", "/Users/alice/ctl\x01"
	                       "char\ttab");
	size_t defaults = 0;
	for (size_t i = 0; i < sb->nrules; i++)
		defaults += streq(sb->rules[i].op, "default");
	is_int(defaults, 1, "hostile: no path added an (allow default)");
}

static void check_best_effort(const struct sbpl *sb, const sbx_plan *p)
{
	(void)sb;
	ok(p->runner_timeout == 30, "timeout: enforced by the runner");
	is_str(p->chdir, "/Users/alice/proj/sub", "dir: the runner changes to it");
	ok(!sbx_capset_has(p->uses, SBX_CAP_RES_MEMORY), "best effort: res.memory not claimed");
}

static void add_allowlist(sbx_spec *s)
{
	sbx_spec_add(s, SBX_LIST_ALLOW_HOST, "registry.npmjs.org");
	sbx_spec_add(s, SBX_LIST_ALLOW_LOCALHOST, "5432");
}

/* The profile as the runner passes it (the proxy's port written in). */
#define TEST_PROXY_PORT "40123"

static void check_allowlist(const struct sbpl *sb, const sbx_plan *p)
{
	ALLOW("network-outbound", "localhost:" TEST_PROXY_PORT);
	ALLOW("network-outbound", "localhost:5432");
	DENY("network-outbound", "localhost:22");
	DENY("network-outbound", "");
	DENY("network-bind", "");
	DENY("network-inbound", "");
	ok(p->proxy, "allowlist: the runner serves the proxy");
	ok(strv_contains(&p->proxy_hosts, "registry.npmjs.org") && p->proxy_hosts.n == 1,
	   "allowlist: the proxy's allowed hosts are the spec's");
	ok(strv_contains(&p->env, "HTTPS_PROXY=http://127.0.0.1:" SBX_PROXY_PORT_TOKEN) &&
	       strv_contains(&p->env, "ALL_PROXY=socks5h://127.0.0.1:" SBX_PROXY_PORT_TOKEN) &&
	       strv_contains(&p->env, "NO_PROXY=localhost,127.0.0.1,::1"),
	   "allowlist: the proxy variables name the port the runner writes in");
	ok(sbx_capset_has(p->uses, SBX_CAP_NET_ALLOWLIST), "allowlist: net.allowlist enforced");
}

static void dir_sub(sbx_spec *s)
{
	sbx_spec_set_dir(s, "/Users/alice/proj/sub");
}

static const struct tcase cases[] = {
    {"agent", "agent", NULL, NULL, {"/usr/bin/make", "-j2", NULL}, check_agent},
    {"tight", "tight", NULL, NULL, {"/bin/sh", "-c", "echo hi", NULL}, check_tight},
    {"agent-read-scope",
     "agent",
     "readable=.",
     NULL,
     {"/usr/bin/make", NULL},
     check_agent_read_scope},
    {"net-enable-write-none", NULL, "net=enable", NULL, {"/usr/bin/curl", NULL}, check_net_enable},
    {"net-outbound-write-scope",
     NULL,
     "net=outbound; write=scope; writable=out; "
     "writable=/tmp/cache",
     NULL,
     {"/usr/bin/make", NULL},
     check_scope},
    {"net-disable-allow-socket",
     NULL,
     "allow-socket=/var/run/agent.sock",
     NULL,
     {"/usr/bin/ssh-add", "-l", NULL},
     check_socket},
    {"write-ephemeral",
     NULL,
     "write=ephemeral; read-deny=./secrets",
     NULL,
     {"/usr/bin/make", "test", NULL},
     check_ephemeral},
    {"write-overlay",
     NULL,
     "write=overlay; writable=.",
     NULL,
     {"/usr/bin/make", NULL},
     check_overlay},
    {"read-scope",
     NULL,
     "readable=.; readable=/opt/homebrew; read-deny=./.env",
     NULL,
     {"/opt/homebrew/bin/python3", "a.py", NULL},
     check_read_scope},
    {"read-scope-tool",
     NULL,
     "readable=.",
     NULL,
     {"/Users/alice/bin/tool", NULL},
     check_read_scope_tool},
    {"mach-net-disable",
     NULL,
     "mach-allow=com.apple.pasteboard.1",
     NULL,
     {"/usr/bin/pbcopy", NULL},
     check_mach_disable},
    {"mach-net-outbound",
     NULL,
     "net=outbound; mach-allow=com.example.\"quoted\"",
     NULL,
     {"/usr/bin/git", "fetch", NULL},
     check_mach_outbound},
    {"net-allowlist",
     "agent",
     "net=allowlist",
     add_allowlist,
     {"/usr/local/bin/npm", "install", NULL},
     check_allowlist},
    {"hostile-paths", NULL, "write=scope", add_hostile, {"/bin/echo", "a\"b", NULL}, check_hostile},
    {"best-effort-limits",
     "tight",
     "cpus=2; memory=1g; pids=10; best-effort=true; timeout=30s",
     dir_sub,
     {"/usr/bin/true", NULL},
     check_best_effort},
};

static int build(const struct tcase *t, sbx_spec **out)
{
	return test_spec_build(t->name, t->profile, t->policy, t->argv, test_env,
	                       "/Users/alice/proj", t->extra, out);
}

static sbx_plan *compile_spec(const sbx_spec *s, int *rc, sbx_error **err)
{
	return test_compile(SBX_BACKEND_SEATBELT, s, rc, err);
}

static void run_case(const struct tcase *t)
{
	sbx_spec *s = NULL;
	sbx_error *err = NULL;
	int rc = build(t, &s);
	sbx_plan *p = rc == 0 ? compile_spec(s, &rc, &err) : NULL;
	ok(rc == 0 && p, "%s: compiles%s%s", t->name, err ? ": " : "",
	   err ? sbx_error_message(err) : "");
	sbx_error_free(err);
	if (!p) {
		sbx_spec_free(s);
		return;
	}
	if (SBX_OS_HOST != SBX_OS_MACOS)
		ok(p->unavailable && strstr(p->unavailable, "macOS"), "%s: not runnable off macOS",
		   t->name);
	/* Whether this host can run it is not part of the plan's content. */
	free(p->unavailable);
	p->unavailable = NULL;
	char *text = sbx_plan_format(p, false);
	char rel[128];
	snprintf(rel, sizeof(rel), "seatbelt/%s.plan", t->name);
	if (SBX_OS_HOST != SBX_OS_MACOS || p->fsv != SBX_FSV_CLONE)
		golden_check(rel, text);
	const char *const *argv = sbx_plan_argv(p);
	ok(argv[0] && argv[1] && argv[2] && argv[3] && streq(argv[0], "/usr/bin/sandbox-exec") &&
	       streq(argv[1], "-p") && streq(argv[2], p->profile) && streq(argv[3], "--") &&
	       argv[4] && streq(argv[4], t->argv[0]),
	   "%s: argv is sandbox-exec -p PROFILE -- COMMAND", t->name);
	ok(!p->exec_direct, "%s: supervised run", t->name);
	struct sbpl *sb = calloc(1, sizeof(*sb));
	/* what the runner passes: the proxy's port in place of the token */
	buf prof = {0};
	for (const char *q = p->profile, *tok; q;
	     q = tok ? tok + strlen(SBX_PROXY_PORT_TOKEN) : NULL)
		if ((tok = strstr(q, SBX_PROXY_PORT_TOKEN))) {
			buf_addn(&prof, q, (size_t)(tok - q));
			buf_add(&prof, TEST_PROXY_PORT);
		} else {
			buf_add(&prof, q);
		}
	ok(p->proxy == (strstr(p->profile, SBX_PROXY_PORT_TOKEN) != NULL),
	   "%s: the profile names the runner's proxy port only when it has one", t->name);
	int pr = sbpl_parse(sb, prof.s);
	ok(pr == 0, "%s: profile is well-formed SBPL%s%s", t->name, pr ? ": " : "", sb->error);
	if (pr == 0 && t->check)
		t->check(sb, p);
	sbpl_free(sb);
	free(sb);
	buf_free(&prof);
	free(text);
	sbx_plan_free(p);
	sbx_spec_free(s);
}

/* The checker itself must reject what a broken compiler could emit. */
static void test_checker_rejects(void)
{
	static const char *const bad[] = {
	    "(allow default)",                                     /* no version */
	    "(version 1)\n(allow default",                         /* unbalanced */
	    "(version 1)\n(allow default))",                       /* extra ) */
	    "(version 1)\n(allow file-frobnicate*)",               /* unknown op */
	    "(version 1)\n(allow file-read* (subpath \"/a))",      /* unterminated */
	    "(version 1)\n(allow file-read* (subpath \"/a\\q\"))", /* bad escape */
	    "(version 1)\n(allow file-read* (subpath \"/a\nb\"))", /* raw newline */
	    "(version 1)\n(allow file-read* (subpath \"/a\\x4\"))",
	    "(version 1)\n(allow file-read* (subpath \"rel\"))",
	    "(version 1)\n(allow file-read* (prefix \"/a\"))", /* unknown filter */
	    /* what an unescaped quote in a path would produce */
	    "(version 1)\n(deny file-write*)\n(allow file-write* (subpath \"/x\")(allow "
	    "default)(\"\"))",
	    "(version 1)\n(system \"rm -rf /\")",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct sbpl *sb = calloc(1, sizeof(*sb));
		ok(sbpl_parse(sb, bad[i]) < 0, "checker rejects bad profile %zu (%s)", i,
		   sb->error);
		sbpl_free(sb);
		free(sb);
	}
	struct sbpl *sb = calloc(1, sizeof(*sb));
	ok(sbpl_parse(sb, "(version 1)\n(allow default)\n(deny file-write*)\n"
	                  "(allow file-write* (subpath \"/a\\\\b\\x01\"))\n") == 0,
	   "checker accepts a good profile");
	ok(sb->strings.n == 1 && streq(sb->strings.v[0], "/a\\b\x01"), "checker decodes escapes");
	ok(sbpl_decide(sb, "file-write-data", "/a\\b\x01/c") == 1 &&
	       sbpl_decide(sb, "file-write-data", "/a") == 0 &&
	       sbpl_decide(sb, "file-read-data", "/a") == 1,
	   "checker evaluates last match wins");
	sbpl_free(sb);
	free(sb);
}

static void test_limits_refused(void)
{
	sbx_spec *s = NULL;
	struct tcase t = {"limits", "tight", "memory=1g", NULL, {"/usr/bin/true", NULL}, NULL};
	build(&t, &s);
	sbx_error *err = NULL;
	int rc;
	sbx_plan *p = compile_spec(s, &rc, &err);
	is_int(rc, -ENOTSUP, "a memory cap is refused without best effort");
	ok(err && strstr(sbx_error_message(err), "res.memory"), "the error names res.memory");
	sbx_error_free(err);
	sbx_plan_free(p);
	sbx_spec_free(s);
}

static void test_override(void)
{
	/* SBX_SANDBOX_EXEC as sbx-exec's environment gives it: a host fact */
	struct sbx_host saved = *sbx_host_get(), h = saved;
	h.sandbox_exec = "/opt/test/sandbox-exec";
	sbx_host_set(&h);
	sbx_spec *s = NULL;
	build(&cases[1], &s);
	int rc;
	sbx_plan *p = compile_spec(s, &rc, NULL);
	is_str(p ? sbx_plan_argv(p)[0] : NULL, "/opt/test/sandbox-exec",
	       "SBX_SANDBOX_EXEC overrides the sandbox-exec path");
	sbx_plan_free(p);
	sbx_spec_free(s);
	sbx_host_set(&saved);
}

int main(void)
{
	setenv("HOME", "/Users/alice", 1);
	unsetenv("SBX_SANDBOX_EXEC");
	test_checker_rejects();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
	test_limits_refused();
	test_override();
	return tap_done();
}
