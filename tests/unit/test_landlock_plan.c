/* test_landlock_plan.c: the landlock backend's plans, and backend
 * selection, compiled against injected host facts (a Linux with Landlock
 * ABI 7, user namespaces, seccomp user notification and a cgroup v2
 * subtree, no runsc, no docker), so they hold on any host. */
#include "internal.h"
#include "tap.h"

#include <stdlib.h>
#include <unistd.h>

#define C(x) SBX_CAPSET_OF(SBX_CAP_##x)

static sbx_spec *spec_of(const char *policy)
{
	sbx_spec *s = NULL;
	sbx_spec_new(&s);
	char *argv[] = {"/bin/echo", "hi there", NULL};
	sbx_spec_set_args(s, argv);
	char *env[] = {"PATH=/usr/bin:/bin", "HOME=/root", "GITHUB_TOKEN=x", "KEEP=1",
	               "TMPDIR=/tmp",        NULL};
	sbx_spec_set_env(s, env);
	sbx_error *err = NULL;
	if (sbx_spec_apply_text(s, policy, "test", &err) < 0) {
		printf("# policy error: %s\n", sbx_error_message(err));
		sbx_error_free(err);
	}
	return s;
}

static sbx_plan *compile_with(sbx_backend b, sbx_spec *s, char *msg, size_t size)
{
	sbx_runner *r = NULL;
	sbx_plan *p = NULL;
	sbx_error *err = NULL;
	sbx_runner_new_backend(b, &r, NULL);
	int rc = sbx_runner_compile(r, s, &p, &err);
	snprintf(msg, size, "%s", rc < 0 ? sbx_error_message(err) : "");
	sbx_error_free(err);
	sbx_runner_free(r);
	return p;
}

/* True when argv holds the consecutive words a, b (b may be NULL). */
static int has_seq(const sbx_plan *p, const char *a, const char *b)
{
	const char *const *v = sbx_plan_argv(p);
	for (size_t i = 0; v[i]; i++)
		if (strcmp(v[i], a) == 0 && (!b || (v[i + 1] && strcmp(v[i + 1], b) == 0)))
			return 1;
	return 0;
}

static int has_env(const sbx_plan *p, const char *kv)
{
	for (const char *const *e = sbx_plan_env(p); *e; e++)
		if (strcmp(*e, kv) == 0)
			return 1;
	return 0;
}

int main(void)
{
	char msg[1024];
	if (chdir("/tmp") < 0)
		return 1;
	const struct sbx_host facts = {
	    .landlock_abi = 7,
	    .seccomp = true,
	    .seccomp_notify = true,
	    .unix_diag = 1,
	    .userns = true,
	    .cgroup_writable = true,
	    .cgroup_version = 2,
	};
	sbx_host_set(&facts);
	sbx_spec *s = spec_of("net=disable; write=scope; writable=/tmp; env-deny=*_TOKEN");
	sbx_plan *p = compile_with(SBX_BACKEND_LANDLOCK, s, msg, sizeof(msg));
	ok(p != NULL, "scope plan compiles (%s)", msg);
	if (!p)
		return tap_done();
	const char *const *argv = sbx_plan_argv(p);
	ok(strstr(argv[0], "sbx-shim") != NULL, "argv starts with sbx-shim");
	ok(has_seq(p, "--ll-read", "/"), "host reads: --ll-read /");
	ok(has_seq(p, "--ll-write", "/tmp"), "writable path granted");
	ok(has_seq(p, "--net", "disable"), "net disable passed to the shim");
	ok(has_seq(p, "--ll-dev", "/dev/null") && has_seq(p, "--ll-tty", NULL), "devices and tty");
	ok(has_seq(p, "--", "/bin/echo") && has_seq(p, "/bin/echo", "hi there"),
	   "command after --");
	ok(has_env(p, "KEEP=1") && !has_env(p, "GITHUB_TOKEN=x"), "environment scrubbed");
	ok(has_env(p, "SBX_SANDBOX=landlock"), "SBX_SANDBOX set");
	/* ipc.restrict is never asked for, but used wherever the host allows */
	is_int(sbx_plan_uses(p) & ~C(IPC_RESTRICT),
	       C(NET_DISABLE) | C(FS_WRITE_SCOPE) | C(FS_READ_HOST) | C(ENV_SCRUB),
	       "uses what was asked");
	ok(sbx_plan_mechanism(p, SBX_CAP_FS_WRITE_SCOPE) &&
	       strstr(sbx_plan_mechanism(p, SBX_CAP_FS_WRITE_SCOPE), "landlock"),
	   "mechanism named");
	is_int(sbx_plan_filesystem_virtualization(p), SBX_FSV_NONE, "no filesystem virtualization");
	size_t nc;
	const char *const *cav = sbx_plan_caveats(p, &nc);
	int loop = 0;
	for (size_t i = 0; i < nc; i++)
		loop |= strstr(cav[i], "loopback") != NULL;
	ok(loop, "net=disable without a namespace says loopback is blocked");
	char *text = sbx_plan_format(p, false);
	ok(text && strstr(text, "backend:") && strstr(text, "'hi there'"), "text form quotes argv");
	free(text);
	char *json = sbx_plan_format(p, true);
	ok(json && strstr(json, "\"backend\":\"landlock\"") &&
	       strstr(json, "\"env_removed\":[\"GITHUB_TOKEN\"]"),
	   "JSON form");
	free(json);
	sbx_plan_free(p);
	sbx_spec_free(s);

	s = spec_of("net=outbound; write=none; readable=/usr; readable=/tmp; dir=/tmp");
	p = compile_with(SBX_BACKEND_LANDLOCK, s, msg, sizeof(msg));
	ok(p != NULL, "read-scope plan compiles (%s)", msg);
	if (p) {
		ok(has_seq(p, "--ll-read", "/usr") && !has_seq(p, "--ll-read", "/"),
		   "read scope replaces host reads");
		ok(has_seq(p, "--ll-read-try", "/bin/echo") ||
		       has_seq(p, "--ll-read-try", "/usr/bin/echo"),
		   "the command's binary is runtime");
		size_t nr;
		const char *const *rt = sbx_plan_runtime_paths(p, &nr);
		int interp = 0;
		for (size_t i = 0; i < nr; i++)
			interp |= strstr(rt[i], "ld-linux") != NULL;
		ok(interp, "the ELF interpreter is a runtime path");
		ok(has_seq(p, "--net", "outbound") && has_seq(p, "--chdir", "/tmp"), "net and dir");
		ok(sbx_plan_uses(p) & C(FS_READ_SCOPE), "uses fs.read.scope");
		sbx_plan_free(p);
	}
	sbx_spec_free(s);

	s = spec_of("write=scope; writable=/nonexistent-sbx-dir");
	p = compile_with(SBX_BACKEND_LANDLOCK, s, msg, sizeof(msg));
	ok(!p && strstr(msg, "/nonexistent-sbx-dir"), "a missing writable path is an error");
	sbx_plan_free(p);
	sbx_spec_free(s);

	/* Nothing on Linux gives kernel isolation without runsc: auto says
	 * which backend lacks what. */
	s = spec_of("kernel-isolation=true; net=disable");
	sbx_runner *r = NULL;
	sbx_runner_new(&r, NULL);
	sbx_error *err = NULL;
	p = NULL;
	int rc = sbx_runner_compile(r, s, &p, &err);
	if (rc == 0) {
		ok(sbx_plan_uses(p) & C(KERNEL_ISOLATION),
		   "auto picked a kernel-isolating backend");
	} else {
		ok(rc == -ENOTSUP &&
		       strstr(sbx_error_message(err), "landlock: lacks kernel.isolation"),
		   "auto names what each backend lacks");
	}
	sbx_error_free(err);
	sbx_plan_free(p);
	/* Under best effort auto runs anyway and states the gap. */
	sbx_spec_set_best_effort(s, true);
	p = NULL;
	rc = sbx_runner_compile(r, s, &p, NULL);
	ok(rc == 0 && p, "best effort compiles");
	if (p && !(sbx_plan_uses(p) & C(KERNEL_ISOLATION))) {
		size_t n;
		const char *const *cv = sbx_plan_caveats(p, &n);
		int said = 0;
		for (size_t i = 0; i < n; i++)
			said |=
			    strstr(cv[i], "kernel.isolation was requested but is NOT enforced") !=
			    NULL;
		ok(said, "the gap is a caveat");
	} else {
		ok(p != NULL, "kernel isolation enforced, no gap to state");
	}
	sbx_plan_free(p);
	sbx_runner_free(r);
	sbx_spec_free(s);

	/* A backend for another OS compiles against its table row and says it
	 * cannot run here. */
	s = spec_of("net=disable");
	sbx_runner_new_backend(SBX_BACKEND_LANDLOCK, &r, NULL);
	is_int(sbx_runner_backend(r), SBX_BACKEND_LANDLOCK, "runner backend");
	ok((sbx_runner_capabilities(r) & ~sbx_caps_of(SBX_BACKEND_LANDLOCK)) == 0,
	   "host capabilities are within the table row");
	sbx_runner_free(r);
	sbx_spec_free(s);
	return tap_done();
}
