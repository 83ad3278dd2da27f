/* test_appcontainer.c: the appcontainer compiler. For representative specs
 * the printed plan is pinned by a golden file, and the profile is parsed
 * back with the parser the Windows runner uses, so what --print shows, what
 * the runner applies and what the spec asked agree. Host-independent: the
 * environment and paths are the test's own. */
#include "plan_build.h"
#include "tap.h"
#include "golden.h"
#include "../../backends/appcontainer.h"

static char *const test_env[] = {
    "PATH=/usr/bin:/bin",
    "HOME=/home/alice",
    "TEMP=/home/alice/AppData/Local/Temp",
    "GITHUB_TOKEN=secret",
    NULL,
};

struct tcase {
	const char *name;
	const char *profile;
	const char *policy;
	void (*extra)(sbx_spec *s);
	const char *argv[4];
	void (*check)(const struct sbx_ac_plan *ac, const sbx_plan *p);
};

static bool has(const strv *v, const char *s)
{
	return strv_contains(v, s);
}

static void check_agent(const struct sbx_ac_plan *ac, const sbx_plan *p)
{
	ok(ac->lpac && ac->kill_on_close,
	   "agent: less-privileged container in a kill-on-close job");
	ok(ac->cap_names.n == 1 && streq(ac->cap_names.v[0], "internetClient") &&
	       streq(ac->cap_sids.v[0], "S-1-15-3-1"),
	   "agent: outbound is internetClient only");
	ok(has(&ac->grants[SBX_AC_WRITE], "/home/alice/proj"), "agent: workspace writable");
	ok(has(&ac->grants[SBX_AC_WRITE], "/home/alice/AppData/Local/Temp"),
	   "agent: allow-temp grants the Windows TEMP dir");
	ok(has(&ac->grants[SBX_AC_READ], "/home/alice/proj"), "agent: workspace readable");
	ok(!ac->temp_container, "agent: TEMP left to the granted host temp dir");
	ok(!sbx_capset_has(p->uses, SBX_CAP_FS_READ_DENY), "agent: fs.read.deny not claimed");
	size_t n;
	sbx_plan_caveats(p, &n);
	bool said = false;
	for (size_t i = 0; i < n; i++)
		said |= strstr(p->caveats.v[i], "fs.read.deny was requested but is NOT enforced") !=
		        NULL;
	ok(said, "agent: the read-deny gap is a caveat");
	ok(!strv_contains(&p->env, "GITHUB_TOKEN=secret"), "agent: env scrubbed");
}

static void check_limits(const struct sbx_ac_plan *ac, const sbx_plan *p)
{
	is_int(ac->cap_names.n, 3, "enable: three network capabilities");
	ok(has(&ac->cap_names, "internetClientServer") &&
	       has(&ac->cap_names, "privateNetworkClientServer"),
	   "enable: server capabilities");
	is_int(ac->memory, 512 << 20, "memory limit");
	is_int(ac->processes, 64, "process limit");
	ok(ac->cpus == 1.5, "cpu cap 1.5 cores");
	ok(ac->child_restricted, "no-exec: child processes restricted");
	ok(has(&ac->grants[SBX_AC_WRITE], "/home/alice/proj/out"), "scope: out writable");
	ok(!has(&ac->grants[SBX_AC_WRITE], "/home/alice/proj"), "scope: workspace not writable");
	ok(has(&ac->grants[SBX_AC_READ], "/home/alice/proj/tools/gen"), "command binary readable");
	ok(ac->temp_container, "TEMP points into the container");
	ok(p->runner_timeout == 60, "timeout enforced by the runner");
	is_str(p->chdir, "/home/alice/proj", "runner starts in the spec's dir");
	sbx_capset want = SBX_CAPSET_OF(SBX_CAP_RES_CPU) | SBX_CAPSET_OF(SBX_CAP_RES_MEMORY) |
	                  SBX_CAPSET_OF(SBX_CAP_RES_PIDS) | SBX_CAPSET_OF(SBX_CAP_PROC_NO_EXEC);
	ok((p->uses & want) == want, "limits and no-exec are enforced");
}

static void check_disable(const struct sbx_ac_plan *ac, const sbx_plan *p)
{
	is_int(ac->cap_names.n, 0, "disable: no capabilities");
	is_int(ac->grants[SBX_AC_WRITE].n, 0, "write none: no write grants");
	ok(sbx_capset_has(p->uses, SBX_CAP_FS_WRITE_DENY), "write none: fs.write.deny");
	ok(ac->memory == 0 && ac->processes == 0 && ac->cpus == 0 && !ac->child_restricted,
	   "no limits asked, none set");
}

static void check_ephemeral(const struct sbx_ac_plan *ac, const sbx_plan *p)
{
	is_int(ac->grants[SBX_AC_WRITE].n, 0, "ephemeral: no write grants");
	ok(ac->temp_container, "ephemeral: TEMP in the container's folder");
	ok(sbx_capset_has(p->uses, SBX_CAP_FS_WRITE_EPHEMERAL), "ephemeral: claimed with caveat");
}

static const char *const hostile[] = {
    "/home/alice/50%done",
    "/home/alice/new\nline",
    "/home/alice/q\"uote\\back",
    "/home/alice/sock%0A\nfake",
};

static void add_hostile(sbx_spec *s)
{
	for (size_t i = 0; i < 3; i++)
		sbx_spec_add(s, SBX_LIST_READABLE, hostile[i]);
	sbx_spec_add(s, SBX_LIST_ALLOW_SOCKET, hostile[3]);
}

static void check_hostile(const struct sbx_ac_plan *ac, const sbx_plan *p)
{
	for (size_t i = 0; i < 3; i++)
		ok(has(&ac->grants[SBX_AC_READ], hostile[i]), "hostile readable %zu round-trips",
		   i);
	ok(has(&ac->grants[SBX_AC_SOCKET], hostile[3]), "hostile socket path round-trips");
	size_t lines = 0;
	for (const char *c = p->profile; *c; c++)
		lines += *c == '\n';
	is_int(lines, 10, "hostile: no path added a line");
}

static const struct tcase cases[] = {
    {"agent-best-effort", "agent", "best-effort=true", NULL, {"make", NULL}, check_agent},
    {"enable-scope-limits",
     NULL,
     "net=enable; readable=.; write=scope; writable=out; cpus=1.5; memory=512m; pids=64; "
     "no-exec=true; timeout=1m",
     NULL,
     {"tools/gen", "--all", NULL},
     check_limits},
    {"disable-write-none", NULL, "readable=.", NULL, {"cmd.exe", "/c", "dir", NULL}, check_disable},
    {"outbound-ephemeral",
     NULL,
     "net=outbound; write=ephemeral; readable=.",
     NULL,
     {"python", "x.py", NULL},
     check_ephemeral},
    {"overlay-temp",
     NULL,
     "write=overlay; writable=.; allow-temp=true; readable=.",
     NULL,
     {"make", NULL},
     NULL},
    {"hostile-paths", NULL, "readable=.", add_hostile, {"make", NULL}, check_hostile},
};

static int build(const struct tcase *t, sbx_spec **out)
{
	return test_spec_build(t->name, t->profile, t->policy, t->argv, test_env,
	                       "/home/alice/proj", t->extra, out);
}

static sbx_plan *compile_spec(const sbx_spec *s, int *rc, sbx_error **err)
{
	return test_compile(SBX_BACKEND_APPCONTAINER, s, rc, err);
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
	if (SBX_OS_HOST != SBX_OS_WINDOWS)
		ok(p->unavailable && strstr(p->unavailable, "Windows"),
		   "%s: not runnable off Windows", t->name);
	free(p->unavailable);
	p->unavailable = NULL;
	char *text = sbx_plan_format(p, false);
	char rel[128];
	snprintf(rel, sizeof(rel), "appcontainer/%s.plan", t->name);
	golden_check(rel, text);
	free(text);
	const char *const *argv = sbx_plan_argv(p);
	ok(argv[0] && streq(argv[0], t->argv[0]), "%s: argv is the command itself", t->name);
	struct sbx_ac_plan ac;
	err = NULL;
	int pr = sbx_ac_parse(p->profile, &ac, &err);
	ok(pr == 0, "%s: the runner's parser accepts the profile%s%s", t->name, err ? ": " : "",
	   err ? sbx_error_message(err) : "");
	sbx_error_free(err);
	if (pr == 0) {
		is_str(ac.name, "sbx", "%s: container name prefix", t->name);
		if (t->check)
			t->check(&ac, p);
		sbx_ac_plan_free(&ac);
	}
	sbx_plan_free(p);
	sbx_spec_free(s);
}

static void test_parser_rejects(void)
{
	static const char *const bad[] = {
	    "container sbx\nlpac\n",                                 /* no job */
	    "lpac\njob kill-on-close\n",                             /* no container */
	    "container sbx\njob kill-on-close\nfrobnicate\n",        /* unknown */
	    "container sbx\njob kill-on-close\ngrant exec /x\n",     /* unknown grant */
	    "container sbx\njob kill-on-close\ngrant read /a%4\n",   /* short escape */
	    "container sbx\njob kill-on-close\ngrant read /a%00b\n", /* NUL */
	    "container sbx\njob kill-on-close\ngrant read /a%zzb\n", /* not hex */
	    "container sbx\njob kill-on-close\njob memory -5\n",
	    "container sbx\njob kill-on-close\njob cpu fast\n",
	    "container sbx\njob kill-on-close\ncapability x S-1-5-32-544\n",
	    "container sbx\njob kill-on-close\nlpac please\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct sbx_ac_plan ac;
		sbx_error *err = NULL;
		ok(sbx_ac_parse(bad[i], &ac, &err) == -EINVAL && err, "parser rejects bad plan %zu",
		   i);
		sbx_error_free(err);
	}
}

static void test_gaps_refused(void)
{
	sbx_spec *s = NULL;
	struct tcase t = {"agent", "agent", NULL, NULL, {"make", NULL}, NULL};
	build(&t, &s);
	sbx_error *err = NULL;
	int rc;
	sbx_plan *p = compile_spec(s, &rc, &err);
	is_int(rc, -ENOTSUP, "agent without best effort is refused");
	ok(err && strstr(sbx_error_message(err), "fs.read.host") &&
	       strstr(sbx_error_message(err), "fs.read.deny"),
	   "the error names fs.read.host and fs.read.deny");
	sbx_error_free(err);
	sbx_plan_free(p);
	sbx_spec_free(s);
}

int main(void)
{
	setenv("HOME", "/home/alice", 1);
	test_parser_rejects();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
	test_gaps_refused();
	return tap_done();
}
