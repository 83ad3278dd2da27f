/* test_preload_path.c: libsbx-preload.so's pure parts: lexical
 * normalisation, "beneath" matching, resolution of paths against AT_FDCWD
 * and directory descriptors (.., //, symlinks, dangling symlinks, missing
 * components, loops), both with /proc and with the readlinkat walk, and
 * the allow/deny decision. Runs in a private temp tree. */
#include "preload.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[PATH_MAX]; /* canonical temp dir */

static const char *at(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int i;
	char *b = buf[i++ % 4];
	snprintf(b, PATH_MAX, "%s%s", root, rel);
	return b;
}

static void mk_tree(void)
{
	char tmpl[] = "/tmp/sbx-preload-test.XXXXXX";
	if (!mkdtemp(tmpl) || !realpath(tmpl, root))
		abort();
	int r = 0;
	r |= mkdir(at("/a"), 0755);
	r |= mkdir(at("/a/b"), 0755);
	r |= mkdir(at("/secret"), 0755);
	r |= close(open(at("/a/b/file"), O_CREAT | O_WRONLY, 0644));
	r |= close(open(at("/secret/key"), O_CREAT | O_WRONLY, 0600));
	r |= symlink("b", at("/a/lb"));               /* relative, same dir */
	r |= symlink("../secret", at("/a/ls"));       /* relative, up */
	r |= symlink(at("/secret/key"), at("/a/lk")); /* absolute */
	r |= symlink("../secret/new", at("/a/dang")); /* dangling, target dir exists */
	r |= symlink("nodir/x", at("/a/dang2"));      /* dangling, target dir missing */
	r |= symlink("loop2", at("/a/loop1"));
	r |= symlink("loop1", at("/a/loop2"));
	r |= symlink("lb/../../secret", at("/a/lup")); /* .. after a symlink */
	if (r)
		abort();
}

static void rm_tree(void)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", root);
}

typedef int (*resolver)(int, const char *, int, char *, bool *);

/* Resolves and compares with want (NULL: expect error -err). */
static void check(resolver fn, const char *name, int dirfd, const char *path, int flags,
                  const char *want, int want_exists, int err)
{
	char out[PATH_MAX] = "";
	bool exists = false;
	int r = fn(dirfd, path, flags, out, &exists);
	if (!want) {
		is_int(r, -err, "%s: %s fails with %s", name, path, strerror(err));
		return;
	}
	is_int(r, 0, "%s: %s resolves", name, path);
	is_str(out, want, "%s: %s -> %s", name, path, want);
	if (want_exists >= 0)
		is_int(exists, want_exists, "%s: %s exists=%d", name, path, want_exists);
}

static void test_normalize(void)
{
	char out[PATH_MAX];
	static const struct {
		const char *base, *path, *want;
	} cases[] = {
	    {"/", "a//b", "/a/b"},
	    {"/x", "a/./b/", "/x/a/b"},
	    {"/x/y", "../z", "/x/z"},
	    {"/x", "../../..", "/"},
	    {"/x", "/abs/../p", "/p"},
	    {"/x", "", "/x"},
	    {"/", "//", "/"},
	    {"/a/b", "./../b/../../c//d/.", "/c/d"},
	    {"/", "/a/../../../b", "/b"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		is_int(pr_normalize(cases[i].base, cases[i].path, out), 0, "normalize %s + %s",
		       cases[i].base, cases[i].path);
		is_str(out, cases[i].want, "normalize %s + %s", cases[i].base, cases[i].path);
	}
	char longp[PATH_MAX + 10];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	is_int(pr_normalize("/", longp, out), -ENAMETOOLONG, "normalize: too long");
}

static void test_beneath(void)
{
	ok(pr_beneath("/a/b", "/a"), "/a/b beneath /a");
	ok(pr_beneath("/a", "/a"), "/a beneath /a");
	ok(!pr_beneath("/ab", "/a"), "/ab not beneath /a");
	ok(!pr_beneath("/a", "/a/b"), "/a not beneath /a/b");
	ok(pr_beneath("/anything", "/"), "everything beneath /");
	ok(pr_path_is_normal("/"), "/ is normal");
	ok(pr_path_is_normal("/a/b.c/..d"), "/a/b.c/..d is normal");
	ok(!pr_path_is_normal("/a/"), "trailing slash is not normal");
	ok(!pr_path_is_normal("/a//b"), "// is not normal");
	ok(!pr_path_is_normal("/a/./b"), "/./ is not normal");
	ok(!pr_path_is_normal("/a/.."), "/.. is not normal");
	ok(!pr_path_is_normal("a/b"), "relative is not normal");
}

static void test_resolve(resolver fn, const char *name)
{
	check(fn, name, AT_FDCWD, at("/a/b/file"), PR_FOLLOW, at("/a/b/file"), 1, 0);
	check(fn, name, AT_FDCWD, at("//a///b//file"), PR_FOLLOW, at("/a/b/file"), 1, 0);
	check(fn, name, AT_FDCWD, at("/a/b/../b/./file"), PR_FOLLOW, at("/a/b/file"), 1, 0);
	check(fn, name, AT_FDCWD, at("/a/lb/file"), PR_FOLLOW, at("/a/b/file"), 1, 0);
	check(fn, name, AT_FDCWD, at("/a/ls/key"), 0, at("/secret/key"), 1, 0);
	check(fn, name, AT_FDCWD, at("/a/lk"), PR_FOLLOW, at("/secret/key"), 1, 0);
	check(fn, name, AT_FDCWD, at("/a/lk"), 0, at("/a/lk"), 1, 0);
	check(fn, name, AT_FDCWD, at("/a/lup/key"), PR_FOLLOW, at("/secret/key"), 1, 0);
	/* ".." applies to where the symlink led, not lexically. */
	check(fn, name, AT_FDCWD, at("/a/ls/../a/b"), PR_FOLLOW, at("/a/b"), 1, 0);
	check(fn, name, AT_FDCWD, at("/a/b/new"), PR_FOLLOW, at("/a/b/new"), 0, 0);
	check(fn, name, AT_FDCWD, at("/a/b/new/"), PR_FOLLOW, at("/a/b/new"), 0, 0);
	check(fn, name, AT_FDCWD, at("/a/dang"), PR_FOLLOW, at("/secret/new"), 0, 0);
	check(fn, name, AT_FDCWD, at("/a/dang"), 0, at("/a/dang"), 1, 0);
	check(fn, name, AT_FDCWD, at("/a/dang2"), PR_FOLLOW, NULL, 0, ENOENT);
	check(fn, name, AT_FDCWD, at("/a/nodir/x"), PR_FOLLOW, NULL, 0, ENOENT);
	check(fn, name, AT_FDCWD, at("/a/b/file/x"), PR_FOLLOW, NULL, 0, ENOTDIR);
	check(fn, name, AT_FDCWD, at("/a/loop1"), PR_FOLLOW, NULL, 0, ELOOP);
	check(fn, name, AT_FDCWD, "", 0, NULL, 0, ENOENT);
	/* Relative to the working directory. */
	if (chdir(at("/a")) != 0)
		abort();
	check(fn, name, AT_FDCWD, "b/file", PR_FOLLOW, at("/a/b/file"), 1, 0);
	check(fn, name, AT_FDCWD, "./ls/key", PR_FOLLOW, at("/secret/key"), 1, 0);
	check(fn, name, AT_FDCWD, "../secret//key", PR_FOLLOW, at("/secret/key"), 1, 0);
	check(fn, name, AT_FDCWD, "lb/../../secret/x", PR_FOLLOW, at("/secret/x"), 0, 0);
	check(fn, name, AT_FDCWD, ".", PR_FOLLOW, at("/a"), 1, 0);
	check(fn, name, AT_FDCWD, "dang", PR_FOLLOW, at("/secret/new"), 0, 0);
	check(fn, name, AT_FDCWD, "", PR_EMPTY_PATH, at("/a"), 1, 0);
	if (chdir("/") != 0)
		abort();
}

static void test_resolve_dirfd(void)
{
	int d = open(at("/a"), O_RDONLY | O_DIRECTORY);
	int f = open(at("/a/b/file"), O_RDONLY);
	ok(d >= 0 && f >= 0, "open the test dirs");
	check(pr_resolve, "dirfd", d, "b/file", PR_FOLLOW, at("/a/b/file"), 1, 0);
	check(pr_resolve, "dirfd", d, "ls/key", PR_FOLLOW, at("/secret/key"), 1, 0);
	check(pr_resolve, "dirfd", d, "../secret/new", PR_FOLLOW, at("/secret/new"), 0, 0);
	check(pr_resolve, "dirfd", d, "dang", PR_FOLLOW, at("/secret/new"), 0, 0);
	check(pr_resolve, "dirfd", d, "/etc/../etc", PR_FOLLOW, "/etc", 1, 0);
	check(pr_resolve, "dirfd", d, "", PR_EMPTY_PATH, at("/a"), 1, 0);
	check(pr_resolve, "dirfd", f, "", PR_EMPTY_PATH, at("/a/b/file"), 1, 0);
	check(pr_resolve, "dirfd", f, "x", PR_FOLLOW, NULL, 0, ENOTDIR);
	check(pr_resolve, "dirfd", 9999, "x", PR_FOLLOW, NULL, 0, EBADF);
	/* Without /proc a descriptor's directory cannot be named: fail closed. */
	check(pr_resolve_walk, "walk", d, "b/file", PR_FOLLOW, NULL, 0, EACCES);
	int p[2];
	ok(pipe(p) == 0, "pipe");
	char out[PATH_MAX];
	bool ex;
	is_int(pr_resolve(p[0], "", PR_EMPTY_PATH, out, &ex), 1, "a pipe is not a path");
	close(p[0]);
	close(p[1]);
	close(d);
	close(f);
}

/* The directory-descriptor cache must not serve a path for a reused
 * descriptor number. */
static void test_dirfd_reuse(void)
{
	int d1 = open(at("/a"), O_RDONLY | O_DIRECTORY);
	check(pr_resolve, "reuse", d1, "x", 0, at("/a/x"), 0, 0);
	check(pr_resolve, "reuse", d1, "lb", 0, at("/a/lb"), 1, 0);
	check(pr_resolve, "reuse", d1, "lb", PR_FOLLOW, at("/a/b"), 1, 0);
	close(d1);
	int d2 = open(at("/secret"), O_RDONLY | O_DIRECTORY);
	is_int(d2, d1, "the descriptor number is reused");
	check(pr_resolve, "reuse", d2, "x", 0, at("/secret/x"), 0, 0);
	check(pr_resolve, "reuse", d2, "key", 0, at("/secret/key"), 1, 0);
	close(d2);
}

static void test_decide(void)
{
	static char text[] = "sbx-preload 1\n"
	                     "no-exec\n"
	                     "read-scope\n"
	                     "write-scope\n"
	                     "read-deny /home/u/.ssh\n"
	                     "read /usr\n"
	                     "read /proc/self\n"
	                     "write /work\n"
	                     "socket /run/x.sock\n"
	                     "end\n";
	const char *slots[16];
	struct pr_config c;
	is_int(pr_config_parse(&c, text, strlen(text), slots, 16), 0, "parse a full config");
	ok(c.valid && c.no_exec && c.read_scope && c.write_scope, "flags parsed");
	is_int(c.read_deny.n + c.readable.n + c.writable.n + c.sockets.n, 5, "five paths");
	is_int(pr_decide(&c, PR_META, "/home/u/.ssh/id"), EACCES, "stat in read-deny");
	is_int(pr_decide(&c, PR_META, "/home/u/.sshx"), 0, "stat of a sibling name");
	is_int(pr_decide(&c, PR_READ, "/usr/lib/x"), 0, "read in read scope");
	is_int(pr_decide(&c, PR_READ, "/etc/passwd"), EACCES, "read outside read scope");
	is_int(pr_decide(&c, PR_READ, "/work/f"), 0, "writable paths are readable");
	is_int(pr_decide(&c, PR_WRITE, "/work/f"), 0, "write in write scope");
	is_int(pr_decide(&c, PR_WRITE, "/workx"), EACCES, "write beside write scope");
	is_int(pr_decide(&c, PR_WRITE, "/usr/x"), EACCES, "write in read-only scope");
	is_int(pr_decide(&c, PR_CONNECT, "/run/x.sock"), 0, "connect to allowed socket");
	is_int(pr_decide(&c, PR_CONNECT, "/run/docker.sock"), EACCES, "connect elsewhere");
	char self[64];
	snprintf(self, sizeof(self), "/proc/%d/status", (int)getpid());
	is_int(pr_decide(&c, PR_READ, self), 0, "/proc/<our pid> is /proc/self");
	is_int(pr_decide(&c, PR_READ, "/proc/1/status"), EACCES, "another pid is not");
	struct pr_config bad = {0};
	is_int(pr_decide(&bad, PR_META, "/usr"), EACCES, "an invalid config denies");
}

static int parse_str(const char *s)
{
	char buf[512];
	const char *slots[8];
	struct pr_config c;
	snprintf(buf, sizeof(buf), "%s", s);
	int r = pr_config_parse(&c, buf, strlen(buf), slots, 8);
	if (r == 0 && !c.valid)
		return -1000;
	if (r < 0 && c.valid)
		return -2000;
	return r;
}

static void test_parse(void)
{
	is_int(parse_str("sbx-preload 1\nend\n"), 0, "minimal config");
	is_int(parse_str(""), -EINVAL, "empty config");
	is_int(parse_str("sbx-preload 1\n"), -EINVAL, "no end line (truncated)");
	is_int(parse_str("sbx-preload 1\nend"), -EINVAL, "no final newline");
	is_int(parse_str("sbx-preload 2\nend\n"), -EINVAL, "unknown version");
	is_int(parse_str("sbx-preload 1\nend\nno-exec\n"), -EINVAL, "line after end");
	is_int(parse_str("sbx-preload 1\nfrobnicate\nend\n"), -EINVAL, "unknown key");
	is_int(parse_str("sbx-preload 1\nno-exec\nno-exec\nend\n"), -EINVAL, "repeated flag");
	is_int(parse_str("sbx-preload 1\nwrite rel/path\nend\n"), -EINVAL, "relative path");
	is_int(parse_str("sbx-preload 1\nwrite /a/../b\nend\n"), -EINVAL, "unnormalised path");
	is_int(parse_str("sbx-preload 1\nwrite /a\nread /b\nwrite /c\nend\n"), -EINVAL,
	       "interleaved list");
	is_int(parse_str("sbx-preload 1\nwrite  /a\nend\n"), -EINVAL, "two spaces");
	is_int(parse_str("sbx-preload 1\n\nend\n"), -EINVAL, "empty line");
	is_int(parse_str("sbx-preload 1\nread /a\nread /b\nread /c\nread /d\nread /e\nread "
	                 "/f\nread /g\nread /h\nread /i\nend\n"),
	       -E2BIG, "more paths than slots");
	char nul[] = "sbx-preload 1\nend\n";
	nul[5] = '\0';
	const char *slots[2];
	struct pr_config c;
	is_int(pr_config_parse(&c, nul, sizeof(nul) - 1, slots, 2), -EINVAL, "embedded NUL");
}

int main(void)
{
	mk_tree();
	test_normalize();
	test_beneath();
	test_resolve(pr_resolve, "proc");
	test_resolve(pr_resolve_walk, "walk");
	test_resolve_dirfd();
	test_dirfd_reuse();
	test_decide();
	test_parse();
	rm_tree();
	return tap_done();
}
