/* test_plans_preload.c: plans that hold capabilities with libsbx-preload.so
 * (best effort): the landlock backend on made-up hosts without Landlock or
 * without seccomp user notification, and proc.no_exec in the docker
 * backends. Pins argv, environment, mechanisms and caveats, and that
 * nothing changes without --best-effort. */
#include "internal.h"
#include "preload_config.h"
#include "tap.h"

#include <stdio.h>
#include <sys/stat.h>

#define CAP(x) SBX_CAPSET_OF(SBX_CAP_##x)

static char lib[256], px[256];

static struct sbx_host host(int abi, bool notify, bool userns)
{
	return (struct sbx_host){.landlock_abi = abi,
	                         .seccomp = true,
	                         .seccomp_notify = notify,
	                         .userns = userns,
	                         .userns_why = userns ? NULL : "test host",
	                         .cgroup_writable = true,
	                         .cgroup_version = 2,
	                         .docker = "/usr/bin/docker",
	                         .docker_image = "test-image"};
}

struct run {
	struct sbx_avail a;
	sbx_capset missing, preload;
	struct sbx_plan *p;
	char err[512];
};

/* Probes b on h, splits the gaps as the runner does, compiles. */
static void compile(struct run *r, sbx_backend b, const struct sbx_host *h, const char *policy)
{
	static char *const env[] = {"PATH=/usr/bin:/bin", "HOME=/nonexistent-home", "KEEP=1",
	                            "LD_PRELOAD=/usr/lib/other.so", NULL};
	static char *const args[] = {"/bin/sh", "-c", "echo hi", NULL};
	*r = (struct run){0};
	sbx_spec *s = NULL;
	sbx_error *err = NULL;
	struct sbx_cctx c = {0};
	if (sbx_spec_new(&s) < 0 || sbx_spec_set_args(s, args) < 0 ||
	    sbx_spec_set_env(s, env) < 0 || sbx_spec_set_dir(s, "/tmp") < 0 ||
	    sbx_spec_apply_text(s, policy, "test", &err) < 0 || sbx_spec_validate(s, &err) < 0 ||
	    sbx_cctx_init(&c, s, &err) < 0)
		goto out;
	c.host = h;
	sbx_backend_impl(b)->probe(h, &r->a);
	/* as the runner: an unavailable backend (no daemon) against its row */
	sbx_cctx_set_gaps(&c, r->a.unavailable ? sbx_caps_of(b) : r->a.caps, r->a.preload);
	r->missing = c.missing;
	r->preload = c.preload;
	if (!(r->p = calloc(1, sizeof(*r->p))))
		goto out;
	r->p->backend = b;
	r->p->requested = c.requested;
	if (b != SBX_BACKEND_LANDLOCK)
		r->p->unavailable = strdup("test: no daemon is asked");
	strv_extend(&r->p->env, strv_get(&c.env));
	if (sbx_backend_impl(b)->compile(&c, r->p, &err) < 0) {
		sbx_plan_free(r->p);
		r->p = NULL;
	}
out:
	snprintf(r->err, sizeof(r->err), "%s", err ? sbx_error_message(err) : "ok");
	sbx_error_free(err);
	sbx_cctx_free(&c);
	sbx_spec_free(s);
}

static int argv_index(const struct sbx_plan *p, const char *a)
{
	for (size_t i = 0; i < p->argv.n; i++)
		if (streq(p->argv.v[i], a))
			return (int)i;
	return -1;
}

static const char *argv_after(const struct sbx_plan *p, const char *a)
{
	int i = argv_index(p, a);
	return i >= 0 && (size_t)i + 1 < p->argv.n ? p->argv.v[i + 1] : NULL;
}

static bool argv_has_prefix(const struct sbx_plan *p, const char *prefix)
{
	for (size_t i = 0; i < p->argv.n; i++)
		if (startswith(p->argv.v[i], prefix))
			return true;
	return false;
}

static bool env_has_prefix(const struct sbx_plan *p, const char *prefix)
{
	for (size_t i = 0; i < p->env.n; i++)
		if (startswith(p->env.v[i], prefix))
			return true;
	return false;
}

static void test_no_landlock(void)
{
	struct sbx_host h = host(0, true, true);
	struct run r;
	compile(&r, SBX_BACKEND_LANDLOCK, &h,
	        "net=disable; write=scope; writable=/tmp; "
	        "read-deny=/etc/shadow; best-effort=true");
	ok(!r.a.unavailable, "no Landlock: the backend is available (seccomp and namespaces)");
	ok(!(r.a.caps & (CAP(FS_READ_SCOPE) | CAP(IPC_RESTRICT))),
	   "no Landlock: what needs it is not in caps");
	ok((r.a.caps & (CAP(FS_WRITE_SCOPE) | CAP(FS_WRITE_DENY) | CAP(FS_WRITE_EPHEMERAL))) ==
	       (CAP(FS_WRITE_SCOPE) | CAP(FS_WRITE_DENY) | CAP(FS_WRITE_EPHEMERAL)),
	   "no Landlock, user namespaces: read-only mounts hold the write policy");
	is_int(r.a.preload, CAP(FS_READ_SCOPE), "no Landlock: the library can hold the read scope");
	ok(r.a.caps & CAP(FS_READ_DENY), "no Landlock, user namespaces: masks hold read-deny");
	is_int(r.preload, 0, "a write scope needs no library");
	is_int(r.missing, 0, "best effort: nothing left unheld");
	ok(r.p != NULL, "no Landlock: compiles (%s)", r.err);
	if (!r.p)
		return;
	ok(argv_index(r.p, "--ll-abi") < 0 && !argv_has_prefix(r.p, "--ll-"), "no --ll-* options");
	ok(argv_index(r.p, "--unshare-user") > 0 && argv_after(r.p, "--mask") &&
	       streq(argv_after(r.p, "--mask"), "/etc/shadow"),
	   "namespaces and the read-deny mask stay");
	ok(argv_index(r.p, "--ro-root") > 0 && argv_after(r.p, "--bind") &&
	       streq(argv_after(r.p, "--bind"), "/tmp"),
	   "the host read-only, the writable path bound read-write");
	ok(argv_index(r.p, "--preload") < 0, "no library");
	ok(r.p->mechanism[SBX_CAP_FS_WRITE_SCOPE] &&
	       strstr(r.p->mechanism[SBX_CAP_FS_WRITE_SCOPE], "read-only"),
	   "fs.write.scope: read-only mounts");
	ok(!r.p->mechanism[SBX_CAP_IPC_RESTRICT], "ipc.restrict is not claimed without Landlock");
	sbx_plan_free(r.p);

	/* a read scope: the library holds it under best effort */
	compile(&r, SBX_BACKEND_LANDLOCK, &h,
	        "net=disable; write=scope; writable=/tmp; readable=/usr; best-effort=true");
	is_int(r.preload, CAP(FS_READ_SCOPE), "best effort: fs.read.scope goes to the library");
	ok(r.p && argv_after(r.p, "--preload") && streq(argv_after(r.p, "--preload"), lib),
	   "--preload names the library");
	int pol = r.p ? argv_index(r.p, "--preload-policy") : -1,
	    dd = r.p ? argv_index(r.p, "--") : -1;
	ok(pol > 0 && dd > pol && streq(r.p->argv.v[dd + 1], "/bin/sh"), "the command after --");
	ok(r.p && r.p->mechanism[SBX_CAP_FS_READ_SCOPE] &&
	       streq(r.p->mechanism[SBX_CAP_FS_READ_SCOPE], SBX_PRELOAD_MECHANISM),
	   "fs.read.scope: the library only");
	ok(r.p && strv_contains(&r.p->caveats, SBX_PRELOAD_CAVEAT), "the library's caveat");
	ok(r.p && !env_has_prefix(r.p, "SBX_PRELOAD_FD=") &&
	       env_has_prefix(r.p, "LD_PRELOAD=/usr/lib/"),
	   "the plan carries no descriptor; the shim adds the library at exec");
	sbx_plan_free(r.p);

	/* without best effort: nothing moves to the library */
	compile(&r, SBX_BACKEND_LANDLOCK, &h, "write=scope; writable=/tmp; readable=/usr");
	is_int(r.preload, 0, "without best effort: the library holds nothing");
	is_int(r.missing, CAP(FS_READ_SCOPE), "without best effort: fs.read.scope is missing");
	sbx_plan_free(r.p);

	/* ephemeral writes: the views over the read-only host hold them */
	compile(&r, SBX_BACKEND_LANDLOCK, &h, "write=ephemeral; best-effort=true");
	is_int(r.missing, 0, "no Landlock: fs.write.ephemeral is held by the views");
	ok(r.p && argv_index(r.p, "--cow-root") > 0 && argv_index(r.p, "--ro-root") > 0 &&
	       argv_index(r.p, "--preload") < 0,
	   "copy-on-write root over a read-only host, no library");
	sbx_plan_free(r.p);
}

static void test_no_landlock_no_userns(void)
{
	struct sbx_host h = host(0, false, false);
	struct run r;
	compile(&r, SBX_BACKEND_LANDLOCK, &h,
	        "write=none; readable=/usr; readable=/tmp; no-exec=true; "
	        "read-deny=/usr/secret; best-effort=true");
	is_int(r.preload,
	       CAP(FS_WRITE_DENY) | CAP(FS_READ_SCOPE) | CAP(FS_READ_DENY) | CAP(PROC_NO_EXEC),
	       "no Landlock, namespaces or notification: the library holds all it can");
	ok(r.p != NULL, "compiles (%s)", r.err);
	if (!r.p)
		return;
	const char *pol = argv_after(r.p, "--preload-policy");
	ok(pol && startswith(pol, "sbx-preload 1\nno-exec\nread-scope\nwrite-scope\n"),
	   "policy flags: no-exec, read and write scope");
	ok(pol && strstr(pol, "read-deny /usr/secret\n") && strstr(pol, "read /usr\n") &&
	       strstr(pol, "read /proc/self\n") && !strstr(pol, "\nwrite /usr"),
	   "policy lists: the denial, the readable and runtime paths, no writable path");
	char libline[300];
	snprintf(libline, sizeof(libline), "read %s\n", lib);
	ok(pol && strstr(pol, libline), "the library itself is readable");
	ok(argv_index(r.p, "--no-exec") < 0 && argv_index(r.p, "--unshare-user") < 0,
	   "no seccomp no-exec, no namespaces");
	ok(r.p->preload_only == 0, "preload_only is the runner's to set");
	sbx_plan_free(r.p);
}

static void test_no_notify(void)
{
	struct sbx_host h = host(4, false, true);
	struct run r;
	compile(&r, SBX_BACKEND_LANDLOCK, &h,
	        "write=scope; writable=/tmp; readable=/usr; no-exec=true; best-effort=true");
	is_int(r.a.preload, CAP(PROC_NO_EXEC), "Landlock without notification: only no-exec");
	is_int(r.preload, CAP(PROC_NO_EXEC), "best effort: no-exec goes to the library");
	ok(r.p != NULL, "compiles (%s)", r.err);
	if (!r.p)
		return;
	is_str(argv_after(r.p, "--ll-abi"), "4", "Landlock still enforces");
	is_str(argv_after(r.p, "--preload-policy"), "sbx-preload 1\nno-exec\nend\n",
	       "the policy: no-exec only");
	bool readable = false;
	for (size_t i = 0; i + 1 < r.p->argv.n; i++)
		if (streq(r.p->argv.v[i], "--ll-read-try") && streq(r.p->argv.v[i + 1], lib))
			readable = true;
	ok(readable && strv_contains(&r.p->runtime_paths, lib),
	   "the library is a runtime path Landlock lets the loader read");
	ok(argv_index(r.p, "--no-exec") < 0, "no seccomp no-exec");
	ok(r.p->mechanism[SBX_CAP_FS_WRITE_SCOPE] &&
	       startswith(r.p->mechanism[SBX_CAP_FS_WRITE_SCOPE], "landlock"),
	   "the write scope stays Landlock's");
	sbx_plan_free(r.p);

	compile(&r, SBX_BACKEND_LANDLOCK, &h, "write=scope; writable=/tmp");
	ok(r.p && argv_index(r.p, "--preload") < 0, "nothing asks for the library: not used");
	sbx_plan_free(r.p);
}

static void test_docker(sbx_backend b)
{
	const char *name = sbx_backend_name(b);
	struct sbx_host h = host(4, true, true);
	struct run r;
	compile(&r, b, &h, "net=disable; write=none; no-exec=true; best-effort=true");
	is_int(r.preload, CAP(PROC_NO_EXEC), "%s: no-exec goes to the library", name);
	ok(r.p != NULL, "%s: compiles (%s)", name, r.err);
	if (!r.p)
		return;
	int ep = argv_index(r.p, "--entrypoint=/.sbx/sbx-preload-exec");
	ok(ep > 0 && (size_t)ep + 6 < r.p->argv.n && streq(r.p->argv.v[ep + 1], "test-image") &&
	       streq(r.p->argv.v[ep + 2], "--lib=/.sbx/libsbx-preload.so") &&
	       streq(r.p->argv.v[ep + 3], "--config=/.sbx/policy") &&
	       streq(r.p->argv.v[ep + 4], "--") && streq(r.p->argv.v[ep + 5], "/bin/sh") &&
	       streq(r.p->argv.v[ep + 6], "-c"),
	   "%s: IMAGE sbx-preload-exec --lib --config -- COMMAND", name);
	char want[1024];
	snprintf(want, sizeof(want), "type=bind,src=%s,dst=/.sbx/libsbx-preload.so,readonly", lib);
	ok(strv_contains(&r.p->argv, want), "%s: the library bound read-only", name);
	snprintf(want, sizeof(want), "type=bind,src=%s,dst=/.sbx/sbx-preload-exec,readonly", px);
	ok(strv_contains(&r.p->argv, want), "%s: the helper bound read-only", name);
	char pol[600];
	snprintf(pol, sizeof(pol), "%s/preload.policy", r.p->scratch_dir ? r.p->scratch_dir : "");
	snprintf(want, sizeof(want), "type=bind,src=%s,dst=/.sbx/policy,readonly", pol);
	ok(strv_contains(&r.p->argv, want), "%s: the policy bound read-only", name);
	const char *text = "";
	for (size_t i = 0; i < r.p->nfiles; i++)
		if (streq(r.p->files[i].name, "preload.policy"))
			text = r.p->files[i].text;
	is_str(text, "sbx-preload 1\nno-exec\nend\n", "%s: the policy file the run writes", name);
	ok(r.p->mechanism[SBX_CAP_PROC_NO_EXEC] &&
	       startswith(r.p->mechanism[SBX_CAP_PROC_NO_EXEC], SBX_PRELOAD_MECHANISM),
	   "%s: mechanism names the library", name);
	ok(strv_contains(&r.p->caveats, SBX_PRELOAD_CAVEAT), "%s: the library's caveat", name);
	ok(!env_has_prefix(r.p, "SBX_PRELOAD_FD="), "%s: no descriptor in the plan", name);
	sbx_plan_free(r.p);

	compile(&r, b, &h, "net=disable; write=none; no-exec=true");
	is_int(r.missing & CAP(PROC_NO_EXEC), CAP(PROC_NO_EXEC),
	       "%s: without best effort no-exec is missing", name);
	ok(r.p && argv_index(r.p, "--entrypoint=/bin/sh") > 0 &&
	       !argv_has_prefix(r.p, "--entrypoint=/.sbx"),
	   "%s: and the command is the entrypoint", name);
	sbx_plan_free(r.p);
}

int main(void)
{
	char dir[] = "/tmp/test_plans_preload.XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	snprintf(lib, sizeof(lib), "%s/libsbx-preload.so", dir);
	snprintf(px, sizeof(px), "%s/sbx-preload-exec", dir);
	fclose(fopen(lib, "w"));
	fclose(fopen(px, "w"));
	chmod(px, 0755);
	setenv("SBX_PRELOAD_LIB", lib, 1);
	setenv("SBX_PRELOAD_EXEC", px, 1);
	test_no_landlock();
	test_no_landlock_no_userns();
	test_no_notify();
	test_docker(SBX_BACKEND_DOCKER_EPHEMERAL);
	test_docker(SBX_BACKEND_DOCKER_RUNSC_EPHEMERAL);
	unlink(lib);
	unlink(px);
	rmdir(dir);
	return tap_done();
}
