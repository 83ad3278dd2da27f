/* test_fakefs.c: compiles read only the spec and the host's facts, the
 * host's files included (struct sbx_fs): the agent profile and grants are
 * compiled for every Linux backend against a made-up filesystem (a home at
 * /home/alice no test host has, a container engine's socket, a planted
 * link), and the plans follow what that filesystem holds, not this
 * host's. */
#include "fakefs.h"
#include "plan_build.h"
#include "tap.h"

#include <stdlib.h>

#define FILE_(p)                                                                                   \
	{                                                                                          \
		p, S_IFREG | 0644, NULL, 4242, NULL                                                \
	}
#define DIR_(p)                                                                                    \
	{                                                                                          \
		p, S_IFDIR | 0755, NULL, 4242, NULL                                                \
	}
#define PROG(p, i)                                                                                 \
	{                                                                                          \
		p, S_IFREG | 0755, NULL, 0, i                                                      \
	}
#define LINK(p, t, u)                                                                              \
	{                                                                                          \
		p, S_IFLNK | 0777, t, u, NULL                                                      \
	}

static const struct fake_node nodes[] = {
    PROG("/usr/bin/sh", "/usr/lib/ld-fake.so.2"),
    PROG("/usr/bin/runsc", NULL),
    PROG("/usr/bin/docker", NULL),
    PROG("/usr/lib/ld-fake.so.2", NULL),
    LINK("/bin", "usr/bin", 0),
    {"/etc/passwd", S_IFREG | 0644, NULL, 0, NULL},
    {"/etc/shadow", S_IFREG | 0640, NULL, 0, NULL},
    {"/tmp", S_IFDIR | 01777, NULL, 0, NULL},
    {"/run/docker.sock", S_IFSOCK | 0660, NULL, 0, NULL},
    DIR_("/run/user/4242"),
    FILE_("/home/alice/.ssh/id_ed25519"),
    DIR_("/home/alice/proj/.git/hooks"),
    FILE_("/home/alice/proj/.git/config"),
    FILE_("/home/alice/proj/src/main.c"),
    DIR_("/home/alice/keep-empty"),
    FILE_("/home/alice/keep-full/x"),
    LINK("/home/alice/etc-link", "/etc", 4242),
};

static sbx_spec *spec_of(const char *policy, const char *dir, char *const *args)
{
	static char *const env[] = {"PATH=/usr/bin:/bin", "HOME=/home/alice", "TMPDIR=/tmp",
	                            "GH_TOKEN=x", NULL};
	sbx_spec *s = NULL;
	sbx_error *err = NULL;
	if (sbx_spec_new(&s) < 0 || sbx_spec_set_args(s, args) < 0 ||
	    sbx_spec_set_env(s, env) < 0 || sbx_spec_set_dir(s, dir) < 0 ||
	    sbx_spec_apply_text(s, policy, "test", &err) < 0) {
		printf("# policy error: %s\n", err ? sbx_error_message(err) : "out of memory");
		sbx_error_free(err);
	}
	return s;
}

static sbx_plan *compile(sbx_backend b, const char *policy, const char *dir, char *msg, size_t size)
{
	static char *const args[] = {"sh", "-c", "true", NULL};
	sbx_spec *s = spec_of(policy, dir, args);
	sbx_error *err = NULL;
	int rc;
	sbx_plan *p = test_compile(b, s, &rc, &err);
	snprintf(msg, size, "%s", rc < 0 && err ? sbx_error_message(err) : "");
	sbx_error_free(err);
	sbx_spec_free(s);
	return p;
}

/* The compiler alone, as the runner calls it once the backend is chosen
 * (docker's availability asks the engine, which this test has not). */
static sbx_plan *compile_direct(sbx_backend b, const char *policy, const char *dir, char *msg,
                                size_t size)
{
	static char *const args[] = {"sh", "-c", "true", NULL};
	sbx_spec *s = spec_of(policy, dir, args);
	sbx_error *err = NULL;
	struct sbx_cctx c = {0};
	struct sbx_plan *p = NULL;
	if (sbx_spec_validate(s, &err) < 0 || sbx_cctx_init(&c, s, &err) < 0 ||
	    !(p = calloc(1, sizeof(*p))))
		goto out;
	p->backend = b;
	p->requested = c.requested;
	if (sbx_backend_impl(b)->compile(&c, p, &err) < 0) {
		sbx_plan_free(p);
		p = NULL;
	}
out:
	snprintf(msg, size, "%s", err ? sbx_error_message(err) : "");
	sbx_error_free(err);
	sbx_cctx_free(&c);
	sbx_spec_free(s);
	return p;
}

static bool has_seq(const sbx_plan *p, const char *a, const char *b)
{
	const char *const *v = sbx_plan_argv(p);
	for (size_t i = 0; v[i]; i++)
		if (streq(v[i], a) && (!b || (v[i + 1] && streq(v[i + 1], b))))
			return true;
	return false;
}

/* Some word of argv contains needle. */
static bool has_word(const sbx_plan *p, const char *needle)
{
	for (const char *const *v = sbx_plan_argv(p); *v; v++)
		if (strstr(*v, needle))
			return true;
	return false;
}

static bool has_caveat(const sbx_plan *p, const char *a, const char *b)
{
	size_t n;
	const char *const *cav = sbx_plan_caveats(p, &n);
	for (size_t i = 0; i < n; i++)
		if (strstr(cav[i], a) && (!b || strstr(cav[i], b)))
			return true;
	return false;
}

static bool has_runtime(const sbx_plan *p, const char *path)
{
	size_t n;
	const char *const *rt = sbx_plan_runtime_paths(p, &n);
	for (size_t i = 0; i < n; i++)
		if (streq(rt[i], path))
			return true;
	return false;
}

static void landlock_agent(void)
{
	char msg[1024];
	sbx_plan *p =
	    compile(SBX_BACKEND_LANDLOCK, "profile=agent", "/home/alice/proj", msg, sizeof(msg));
	ok(p != NULL, "landlock: the agent profile compiles in /home/alice/proj (%s)", msg);
	if (!p)
		return;
	ok(has_seq(p, "--chdir", "/home/alice/proj") && has_seq(p, "--bind", "/home/alice/proj"),
	   "the project, there only on the made-up filesystem, is the writable path");
	ok(has_seq(p, "--protect", "/home/alice/proj/.git/hooks") &&
	       has_seq(p, "--protect", "/home/alice/proj/.git/config") &&
	       has_seq(p, "--pin", "/home/alice/proj/.git"),
	   "the repository's hooks and config, there, are protected, .git pinned");
	ok(has_seq(p, "--deny-create", "/home/alice/proj/.envrc") &&
	       has_seq(p, "--deny-create", "/home/alice/proj/.gitmodules") &&
	       !has_seq(p, "--protect", "/home/alice/proj/.gitmodules"),
	   "the missing .envrc and .gitmodules are held by the create gate");
	ok(has_seq(p, "--hide", "/run/docker.sock") && has_seq(p, "--tmpfs", "/run/user/4242"),
	   "the engine's socket and the user's runtime directory, there, are hidden");
	ok(!has_word(p, "/run/dbus") && !has_word(p, "/run/containerd"),
	   "endpoints this filesystem lacks are not planned");
	sbx_plan_free(p);

	/* the home written through: a denial is a mask where it exists */
	p = compile(SBX_BACKEND_LANDLOCK, "profile=agent; writable=/home/alice", "/home/alice/proj",
	            msg, sizeof(msg));
	ok(p != NULL, "landlock: the agent profile with the home writable compiles (%s)", msg);
	if (p) {
		ok(has_seq(p, "--mask", "/home/alice/.ssh"),
		   "~/.ssh, a directory there, is masked");
		ok(has_seq(p, "--hide", "/home/alice/.aws") &&
		       has_caveat(p, "/home/alice/.aws does not exist", NULL),
		   "~/.aws, missing there, is hidden and said to be missing");
		ok(has_seq(p, "--deny-create", "/home/alice/.bashrc"),
		   "the missing ~/.bashrc is held by the create gate");
		sbx_plan_free(p);
	}

	p = compile(SBX_BACKEND_LANDLOCK, "profile=agent; writable=/home/alice/etc-link",
	            "/home/alice", msg, sizeof(msg));
	ok(!p && strstr(msg, "/home/alice/etc-link") && strstr(msg, "-> /etc"),
	   "a writable path through a planted link is refused, naming its target (%s)", msg);
	sbx_plan_free(p);
	p = compile(SBX_BACKEND_LANDLOCK, "profile=agent; keep-discarded=/home/alice/keep-full",
	            "/home/alice/proj", msg, sizeof(msg));
	ok(!p && strstr(msg, "not empty"), "--keep-discarded into a full directory is refused (%s)",
	   msg);
	sbx_plan_free(p);
	p = compile(SBX_BACKEND_LANDLOCK, "profile=agent; keep-discarded=/home/alice/keep-empty",
	            "/home/alice/proj", msg, sizeof(msg));
	ok(p != NULL, "--keep-discarded into an empty one is taken (%s)", msg);
	sbx_plan_free(p);
}

static void landlock_scope(void)
{
	char msg[1024];
	sbx_plan *p = compile(SBX_BACKEND_LANDLOCK, "write=none; readable=/home/alice/proj",
	                      "/home/alice/proj", msg, sizeof(msg));
	ok(p != NULL, "landlock: a read scope compiles (%s)", msg);
	if (!p)
		return;
	ok(has_runtime(p, "/usr/bin/sh") && has_runtime(p, "/usr/lib/ld-fake.so.2"),
	   "the command found on that PATH and its interpreter are runtime paths");
	ok(has_seq(p, "--ll-read", "/home/alice/proj"), "the readable path is granted");
	sbx_plan_free(p);
	p = compile(SBX_BACKEND_LANDLOCK, "write=scope; writable=/home/alice/nope", "/home/alice",
	            msg, sizeof(msg));
	ok(!p && strstr(msg, "/home/alice/nope"), "a writable path missing there is an error (%s)",
	   msg);
	sbx_plan_free(p);
}

static void containers(void)
{
	char msg[1024];
	sbx_plan *p =
	    compile(SBX_BACKEND_GVISOR, "profile=agent", "/home/alice/proj", msg, sizeof(msg));
	ok(p != NULL, "gvisor: the agent profile compiles (%s)", msg);
	if (p) {
		ok(has_caveat(p, "do not exist", "/home/alice/.aws") &&
		       !has_caveat(p, "do not exist", "/home/alice/.ssh"),
		   "gvisor: the missing denials are named, ~/.ssh (there) is not among them");
		sbx_plan_free(p);
	}
	p = compile_direct(SBX_BACKEND_DOCKER_EPHEMERAL, "write=scope; writable=/home/alice/proj",
	                   "/home/alice/proj", msg, sizeof(msg));
	ok(p != NULL && has_word(p, "src=/home/alice/proj"),
	   "docker: the writable path there is bound (%s)", msg);
	sbx_plan_free(p);
	p = compile_direct(SBX_BACKEND_DOCKER_EPHEMERAL, "write=scope; writable=/home/alice/nope",
	                   "/home/alice", msg, sizeof(msg));
	ok(!p && strstr(msg, "/home/alice/nope"), "docker: one missing there is an error (%s)",
	   msg);
	sbx_plan_free(p);
}

/* The engine, as this test's host answers for it: the image is there
 * (its id, no volumes); the daemon has no runtimes beyond its own. */
static int engine(char *const argv[], char **out)
{
	bool image = argv[1] && streq(argv[1], "image");
	*out = strdup(image ? "sha256:00ff {}" : "{}");
	return 0;
}

int main(void)
{
	fakefs_use(nodes, ARRAY_SIZE(nodes));
	/* the profiles' "~" is sbx-exec's HOME */
	setenv("HOME", "/home/alice", 1);
	const struct sbx_host facts = {
	    .landlock_abi = 7,
	    .seccomp = true,
	    .seccomp_notify = true,
	    .unix_diag = 1,
	    .userns = true,
	    .cgroup_writable = true,
	    .cgroup_version = 2,
	    .runsc = "/usr/bin/runsc",
	    .docker = "/usr/bin/docker",
	    .uid = 4242,
	    .gid = 4243,
	    .docker_image = "sbx-test-busybox:1",
	    .home = "/home/alice",
	    .fs = &fakefs,
	    .ask = engine,
	};
	sbx_host_set(&facts);
	/* the made-up filesystem answers as the kernel would */
	char real[PATH_MAX];
	struct stat st;
	ok(fakefs.realpath("/bin/sh", real) && streq(real, "/usr/bin/sh"), "fakefs: links resolve");
	ok(fakefs.lstat("/bin", &st) == 0 && S_ISLNK(st.st_mode) && fakefs.stat("/bin", &st) == 0 &&
	       S_ISDIR(st.st_mode),
	   "fakefs: lstat sees the link, stat its target");
	ok(fakefs.stat("/home/alice/nope", &st) < 0 && errno == ENOENT,
	   "fakefs: missing is ENOENT");
	landlock_agent();
	landlock_scope();
	containers();
	return tap_done();
}
