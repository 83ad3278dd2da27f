/* test_containers.c: the gvisor and docker compilers' output, pinned by
 * golden files (tests/golden/NAME.plan: argv, cleanup argv, profile), and
 * their probes against made-up hosts. Plans are compiled for a fixed host,
 * so the output is the same as root and not; the host's uid and gid, the
 * scratch directory and the container name become placeholders.
 * SBX_UPDATE_GOLDEN=1 rewrites the golden files. */
#include "internal.h"
#include "tap.h"

#include <stdio.h>
#include <sys/stat.h>

static struct sbx_host fake_host(bool root)
{
	return (struct sbx_host){.landlock_abi = 4,
	                         .seccomp = true,
	                         .userns = true,
	                         .cgroup_writable = root,
	                         .cgroup_version = 1,
	                         .runsc = "/usr/bin/runsc",
	                         .docker = "/usr/bin/docker",
	                         .euid_root = root,
	                         .uid_root = root,
	                         .uid = 4242,
	                         .gid = 4243,
	                         .docker_image = "sbx-test-busybox:1"};
}

static char *replace_all(char *s, const char *from, const char *to)
{
	_cleanup_buf_ buf b = {0};
	size_t n = strlen(from);
	const char *cur = s;
	for (const char *hit; n && (hit = strstr(cur, from)); cur = hit + n) {
		buf_addn(&b, cur, (size_t)(hit - cur));
		buf_add(&b, to);
	}
	buf_add(&b, cur);
	free(s);
	return buf_steal(&b);
}

/* The container name: "sbx-PID-" and 12 hex digits. */
static char *find_name(const char *t)
{
	for (const char *s = strstr(t, "sbx-"); s; s = strstr(s + 1, "sbx-")) {
		size_t n = strspn(s + 4, "0123456789");
		if (n && s[4 + n] == '-' && strspn(s + 5 + n, "0123456789abcdef") == 12)
			return strndup(s, 5 + n + 12);
	}
	return NULL;
}

static char *plan_text(const struct sbx_plan *p, bool ids)
{
	_cleanup_buf_ buf b = {0};
	for (size_t i = 0; i < p->argv.n; i++)
		if (!streq(p->argv.v[i], "--tty")) /* present only when run on a terminal */
			buf_addf(&b, "%s\n", p->argv.v[i]);
	buf_add(&b, "-- cleanup\n");
	for (size_t i = 0; i < p->cleanup_argv.n; i++)
		buf_addf(&b, "%s\n", p->cleanup_argv.v[i]);
	if (p->signal_argv.n)
		buf_add(&b, "-- signals\n");
	for (size_t i = 0; i < p->signal_argv.n; i++)
		buf_addf(&b, "%s\n", p->signal_argv.v[i]);
	buf_add(&b, "-- profile\n");
	buf_add(&b, p->profile ? p->profile : "(none)\n");
	char *t = buf_steal(&b);
	if (p->scratch_dir)
		t = replace_all(t, p->scratch_dir, "@SCRATCH@");
	_cleanup_free_ char *name = find_name(t);
	if (name)
		t = replace_all(t, name, "@NAME@");
	if (ids) {
		char from[64], to[64];
		/* the made-up host's (fake_host): plans use its facts, never
		 * the ids of whoever runs the test */
		snprintf(from, sizeof(from), "\"uid\": %u, \"gid\": %u", 4242, 4243);
		t = replace_all(t, from, "\"uid\": @UID@, \"gid\": @GID@");
		snprintf(from, sizeof(from), "--user=%u:%u", 4242, 4243);
		snprintf(to, sizeof(to), "--user=@UID@:@GID@");
		t = replace_all(t, from, to);
	}
	return t;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	_cleanup_buf_ buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_addn(&b, chunk, n);
	fclose(f);
	return b.s ? buf_steal(&b) : strdup("");
}

static void check_golden(const char *name, const char *got)
{
	const char *dir = getenv("SBX_GOLDEN_DIR");
	char path[512];
	snprintf(path, sizeof(path), "%s/%s.plan", dir && *dir ? dir : "tests/golden", name);
	const char *upd = getenv("SBX_UPDATE_GOLDEN");
	if (upd && streq(upd, "1")) {
		FILE *f = fopen(path, "we");
		ok(f && fputs(got, f) >= 0 && fclose(f) == 0, "%s: golden file rewritten", name);
		return;
	}
	_cleanup_free_ char *want = slurp(path);
	ok(want != NULL, "%s: golden file %s exists", name, path);
	is_str(got, want, "%s: plan matches the golden file", name);
}

/* Builds the spec from policy text, compiles it with backend b for the
 * given host, and hands back the plan (the caller frees it). */
static struct sbx_plan *compile(sbx_backend b, const struct sbx_host *h, const char *policy,
                                const char *unavailable, sbx_error **err)
{
	static char *const env[] = {"PATH=/usr/bin:/bin", "HOME=/nonexistent-home", "LANG=C.UTF-8",
	                            "API_TOKEN=secret", NULL};
	static char *const args[] = {"sh", "-c", "echo hello", NULL};
	sbx_spec *s = NULL;
	struct sbx_plan *p = NULL;
	struct sbx_cctx c = {0};
	if (sbx_spec_new(&s) < 0 || sbx_spec_set_args(s, args) < 0 ||
	    sbx_spec_set_env(s, env) < 0 || sbx_spec_set_dir(s, "/tmp") < 0 ||
	    sbx_spec_apply_text(s, policy, "test", err) < 0 || sbx_spec_validate(s, err) < 0 ||
	    sbx_cctx_init(&c, s, err) < 0)
		goto out;
	c.host = h;
	if (!(p = calloc(1, sizeof(*p))))
		goto out;
	p->backend = b;
	p->requested = c.requested;
	if (unavailable)
		p->unavailable = strdup(unavailable);
	strv_extend(&p->env, strv_get(&c.env));
	strv_pushf(&p->env, "SBX_SANDBOX=%s", sbx_backend_name(b));
	if (sbx_backend_impl(b)->compile(&c, p, err) < 0) {
		sbx_plan_free(p);
		p = NULL;
	}
out:
	sbx_cctx_free(&c);
	sbx_spec_free(s);
	return p;
}

static void golden(const char *name, sbx_backend b, bool root, const char *policy)
{
	struct sbx_host h = fake_host(root);
	sbx_error *err = NULL;
	struct sbx_plan *p = compile(b, &h, policy, b == SBX_BACKEND_GVISOR ? NULL : "test", &err);
	ok(p != NULL, "%s: compiles (%s)", name, err ? sbx_error_message(err) : "ok");
	sbx_error_free(err);
	if (!p)
		return;
	_cleanup_free_ char *text = plan_text(p, root);
	check_golden(name, text);
	sbx_plan_free(p);
}

static void test_goldens(void)
{
	golden("gvisor-tight", SBX_BACKEND_GVISOR, true,
	       "net=disable; write=none; read-deny=/etc/shadow; read-deny=/srv; "
	       "read-deny=/nonexistent-sbx; env-deny=API_*");
	golden("gvisor-scope-outbound", SBX_BACKEND_GVISOR, true,
	       "net=outbound; write=scope; writable=/tmp; no-exec=true; pids=64; memory=256m; "
	       "cpus=1.5");
	golden("gvisor-overlay-rootless", SBX_BACKEND_GVISOR, false,
	       "net=enable; write=overlay; writable=/tmp; pids=32");
	golden("docker-scope", SBX_BACKEND_DOCKER_EPHEMERAL, true,
	       "net=disable; write=scope; writable=/tmp; readable=/usr; cpus=0.5; memory=64m; "
	       "pids=16");
	golden("docker-ephemeral-outbound", SBX_BACKEND_DOCKER_EPHEMERAL, true,
	       "net=outbound; write=ephemeral; readable=/usr; readable=/tmp");
	golden("docker-runsc-enable", SBX_BACKEND_DOCKER_RUNSC_EPHEMERAL, true,
	       "net=enable; write=none; readable=/usr; readable=/tmp; pids=16");
}

static void test_bundle_lifetime(void)
{
	struct sbx_host h = fake_host(true);
	sbx_error *err = NULL;
	struct sbx_plan *p = compile(SBX_BACKEND_GVISOR, &h, "write=none; net=disable", NULL, &err);
	ok(p != NULL, "bundle: compiles");
	sbx_error_free(err);
	if (!p)
		return;
	struct stat st;
	ok(stat(p->scratch_dir, &st) < 0 && errno == ENOENT,
	   "bundle: compiling writes nothing (%s does not exist)", p->scratch_dir);
	ok(p->nfiles >= 2 && streq(p->files[0].name, "config.json") &&
	       streq(p->files[0].text, p->profile) && p->files[0].mode == 0600,
	   "bundle: config.json, the plan's profile, is a file the run writes");
	sbx_error *werr = NULL;
	ok(sbx_plan_write_files(p, &werr) == 0, "bundle: the run's files are written");
	sbx_error_free(werr);
	char cfg[600];
	snprintf(cfg, sizeof(cfg), "%s/config.json", p->scratch_dir);
	_cleanup_free_ char *on_disk = slurp(cfg);
	is_str(on_disk, p->profile, "bundle: config.json on disk is the plan's profile");
	ok(stat(p->scratch_dir, &st) == 0 && (st.st_mode & 077) == 0,
	   "bundle: the scratch dir is private (0700)");
	ok(sbx_plan_write_files(p, &werr) < 0, "bundle: a directory that exists is refused");
	sbx_error_free(werr);
	sbx_remove_tree(p->scratch_dir);
	_cleanup_free_ char *dir = strdup(p->scratch_dir);
	sbx_plan_free(p);
	ok(stat(dir, &st) < 0 && errno == ENOENT, "bundle: gone after the run (%s)", dir);
}

static void test_read_scope(void)
{
	struct sbx_host h = fake_host(true);
	sbx_error *err = NULL;
	struct sbx_plan *p = compile(SBX_BACKEND_GVISOR, &h,
	                             "write=scope; writable=/tmp; readable=/usr/share", NULL, &err);
	ok(p != NULL, "read scope: compiles");
	sbx_error_free(err);
	if (!p)
		return;
	char root[600];
	snprintf(root, sizeof(root), "\"root\": {\"path\": \"%s/rootfs\", \"readonly\": true}",
	         p->scratch_dir);
	ok(strstr(p->profile, root) != NULL, "read scope: the root is the bundle's empty rootfs");
	ok(strstr(p->profile, "{\"destination\": \"/usr/share\", \"type\": \"bind\", \"source\": "
	                      "\"/usr/share\", \"options\": [\"rbind\", \"ro\"]}") != NULL,
	   "read scope: the readable path is bound read-only");
	ok(strstr(p->profile, "\"destination\": \"/tmp\", \"type\": \"bind\", \"source\": "
	                      "\"/tmp\", \"options\": [\"rbind\", \"rw\"]") != NULL,
	   "read scope: the writable path is bound read-write");
	ok(sbx_capset_has(p->uses, SBX_CAP_FS_READ_SCOPE) &&
	       !sbx_capset_has(p->uses, SBX_CAP_FS_READ_HOST),
	   "read scope: uses fs.read.scope, not fs.read.host");
	bool sh = false;
	for (size_t i = 0; i < p->runtime_paths.n; i++)
		sh |= streq(p->runtime_paths.v[i], "/usr/bin/sh") ||
		      streq(p->runtime_paths.v[i], "/bin/sh");
	ok(sh, "read scope: the command's binary is a runtime path");
	bool rootfs = false;
	for (size_t i = 0; i < p->nfiles; i++)
		rootfs |= streq(p->files[i].name, "rootfs") && !p->files[i].text;
	ok(rootfs, "read scope: the run makes rootfs/");
	sbx_plan_free(p);
}

static void test_probes(void)
{
	struct sbx_avail a = {0};
	struct sbx_host h = fake_host(false);
	sbx_backend_gvisor.probe(&h, &a);
	ok(!a.unavailable, "gvisor probe, not root: available (rootless)");
	ok(!sbx_capset_has(a.caps, SBX_CAP_RES_MEMORY) && !sbx_capset_has(a.caps, SBX_CAP_RES_CPU),
	   "gvisor probe, not root: no cgroup limits");
	ok(a.why[SBX_CAP_RES_MEMORY] && strstr(a.why[SBX_CAP_RES_MEMORY], "--rootless"),
	   "gvisor probe, not root: says why (%s)", a.why[SBX_CAP_RES_MEMORY]);
	ok(sbx_capset_has(a.caps, SBX_CAP_RES_PIDS) &&
	       sbx_capset_has(a.caps, SBX_CAP_KERNEL_ISOLATION),
	   "gvisor probe, not root: pids and kernel isolation stay");
	a = (struct sbx_avail){0};
	h = fake_host(true);
	sbx_backend_gvisor.probe(&h, &a);
	is_int(a.caps, sbx_caps_of(SBX_BACKEND_GVISOR), "gvisor probe, root: the whole row");
	a = (struct sbx_avail){0};
	h.runsc = NULL;
	sbx_backend_gvisor.probe(&h, &a);
	ok(a.unavailable && strstr(a.unavailable, "SBX_RUNSC"), "gvisor probe: no runsc");
	a = (struct sbx_avail){0};
	h = fake_host(false);
	h.userns = false;
	h.userns_why = "user.max_user_namespaces is 0";
	sbx_backend_gvisor.probe(&h, &a);
	ok(a.unavailable && strstr(a.unavailable, "max_user_namespaces"),
	   "gvisor probe: not root without user namespaces is unavailable");

	h = fake_host(true);
	h.docker_image = NULL;
	a = (struct sbx_avail){0};
	sbx_backend_docker_ephemeral.probe(&h, &a);
	ok(a.unavailable && strstr(a.unavailable, "SBX_DOCKER_IMAGE"),
	   "docker probe: no image named");
	h.docker_image = "sbx-test-busybox:1";
	h.docker_host = "unix:///nonexistent-sbx/docker.sock";
	a = (struct sbx_avail){0};
	sbx_backend_docker_runsc_ephemeral.probe(&h, &a);
	ok(a.unavailable && strstr(a.unavailable, "no Docker daemon answers at /nonexistent-sbx"),
	   "docker probe: no daemon (%s)", a.unavailable ? a.unavailable : "available");
}

/* The engine, answered for: a compiler learns what only the engine knows
 * (the image's id and volumes, the daemon's runtimes) through the host's
 * ask function, so its use of the answers is tested on any host, with or
 * without Docker. */
static int engine_calls;
static const char *engine_image = "sha256:0123abcd {\"/data\":{},\"/cache\":{}}";
static const char *engine_info =
    "{\"path\":\"/usr/bin/runsc\",\"runtimeArgs\":[\"--oci-seccomp\"]}";
static char engine_last[512];

static int fake_engine(char *const argv[], char **out)
{
	engine_calls++;
	engine_last[0] = '\0';
	for (size_t i = 0; argv[i]; i++)
		snprintf(engine_last + strlen(engine_last),
		         sizeof(engine_last) - strlen(engine_last), "%s ", argv[i]);
	const char *answer = NULL;
	if (argv[1] && streq(argv[1], "image"))
		answer = engine_image;
	else if (argv[1] && streq(argv[1], "info"))
		answer = engine_info;
	*out = strdup(answer ? answer : "Error: No such image");
	return answer ? 0 : 1;
}

static bool argv_has(const struct sbx_plan *p, const char *arg)
{
	for (size_t i = 0; i < p->argv.n; i++)
		if (streq(p->argv.v[i], arg))
			return true;
	return false;
}

static void test_engine(void)
{
	struct sbx_host h = fake_host(true);
	h.ask = fake_engine;
	sbx_error *err = NULL;
	engine_calls = 0;
	struct sbx_plan *p =
	    compile(SBX_BACKEND_DOCKER_EPHEMERAL, &h, "net=disable; write=none", NULL, &err);
	ok(p != NULL, "engine: docker compiles with the engine's answers (%s)",
	   err ? sbx_error_message(err) : "ok");
	sbx_error_free(err);
	err = NULL;
	if (p) {
		ok(engine_calls == 1 && strstr(engine_last, "image inspect") &&
		       strstr(engine_last, "sbx-test-busybox:1"),
		   "engine: one question, about the host's image (%s)", engine_last);
		ok(argv_has(p, "sha256:0123abcd"), "engine: the run is pinned to the image's id");
		ok(argv_has(p, "--tmpfs=/data:ro,nosuid,nodev") &&
		       argv_has(p, "--tmpfs=/cache:ro,nosuid,nodev"),
		   "engine: the image's volumes are covered read-only");
		ok(p->probes.n == 1 && strstr(p->probes.v[0], "image inspect"),
		   "engine: the plan names the question it asked");
		ok(argv_has(p, "--user=4242:4243"), "engine: the command runs as the host's ids");
		sbx_plan_free(p);
	}

	engine_image = NULL; /* the image is not there */
	p = compile(SBX_BACKEND_DOCKER_EPHEMERAL, &h, "net=disable; write=none", NULL, &err);
	ok(!p && err && strstr(sbx_error_message(err), "is not present locally"),
	   "engine: a missing image is refused, never pulled (%s)",
	   err ? sbx_error_message(err) : "compiled");
	sbx_error_free(err);
	err = NULL;
	sbx_plan_free(p);
	engine_image = "sha256:0123abcd null";

	h.runsc_runtime = "my-runsc";
	engine_calls = 0;
	p = compile(SBX_BACKEND_DOCKER_RUNSC_EPHEMERAL, &h, "net=disable; write=none", NULL, &err);
	ok(p && engine_calls == 2 && strstr(engine_last, "info") &&
	       strstr(engine_last, "\"my-runsc\""),
	   "engine: docker-runsc asks the daemon about the host's runtime (%s)", engine_last);
	ok(p && argv_has(p, "--runtime=my-runsc"), "engine: and runs with it");
	sbx_error_free(err);
	err = NULL;
	sbx_plan_free(p);

	engine_info = "null"; /* the daemon has no such runtime */
	p = compile(SBX_BACKEND_DOCKER_RUNSC_EPHEMERAL, &h, "net=disable; write=none", NULL, &err);
	ok(!p && err && strstr(sbx_error_message(err), "has no runtime 'my-runsc'"),
	   "engine: a runtime the daemon lacks is refused (%s)",
	   err ? sbx_error_message(err) : "compiled");
	sbx_error_free(err);
	sbx_plan_free(p);
}

int main(void)
{
	test_goldens();
	test_engine();
	test_bundle_lifetime();
	test_read_scope();
	test_probes();
	return tap_done();
}
