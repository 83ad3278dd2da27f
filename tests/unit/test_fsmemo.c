/* test_fsmemo.c: the real filesystem's answers remembered for one compile
 * (lib/fsmemo.c), on files of a temporary directory: inside a compile an
 * answer is the first one (a file removed meanwhile still "is"), outside
 * one and after it every call asks the kernel, lstat and stat stay apart,
 * failures keep their errno, and a full table stops remembering without
 * answering wrong. */
#include "internal.h"
#include "tap.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void touch(const char *p)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
}

static bool there(const char *p)
{
	struct stat st;
	return sbx_fs_real.lstat(p, &st) == 0;
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/sbx-fsmemo-XXXXXX");
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	char f[PATH_MAX], link[PATH_MAX], gone[PATH_MAX], real[PATH_MAX];
	path_of(f, sizeof(f), "file");
	path_of(link, sizeof(link), "link");
	path_of(gone, sizeof(gone), "gone");

	/* outside a compile: the kernel's answer each time */
	touch(f);
	ok(there(f), "outside a compile, a file made is there");
	unlink(f);
	ok(!there(f), "outside a compile, a file removed is gone at once");

	/* inside: the first answer stays */
	touch(f);
	if (symlink("file", link) < 0)
		printf("# symlink: %s\n", strerror(errno));
	sbx_fs_memo_begin();
	struct stat st;
	ok(there(f), "inside a compile, a file: there");
	ok(sbx_fs_real.lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "lstat of a link: the link");
	ok(sbx_fs_real.stat(link, &st) == 0 && S_ISREG(st.st_mode),
	   "stat of the same path, asked after lstat: the file it names (kept apart)");
	errno = 0;
	ok(sbx_fs_real.lstat(gone, &st) < 0 && errno == ENOENT, "a missing path: ENOENT");
	char want[PATH_MAX];
	ok(sbx_realpath(link, want) != NULL, "(control: the kernel resolves the link)");
	is_str(sbx_fs_real.realpath(link, real), want, "realpath through the memo: the same");
	unlink(f);
	unlink(link);
	touch(gone);
	ok(there(f), "inside a compile, a file removed meanwhile is still the first answer");
	errno = 0;
	ok(sbx_fs_real.lstat(gone, &st) < 0 && errno == ENOENT,
	   "and a path made meanwhile still the first ENOENT, errno and all");
	is_str(sbx_fs_real.realpath(link, real), want, "realpath remembered too");

	/* nested: the inner end keeps it, the outer one forgets */
	sbx_fs_memo_begin();
	sbx_fs_memo_end();
	ok(there(f), "an inner begin/end pair leaves the outer compile's answers");
	sbx_fs_memo_end();
	ok(!there(f), "after the compile, the removed file is gone");
	ok(there(gone), "and the made one there");
	errno = 0;
	ok(sbx_fs_real.realpath(link, real) == NULL && errno == ENOENT,
	   "and realpath of the removed link fails again");

	/* full: past what it holds nothing more is remembered, nothing wrong */
	sbx_fs_memo_begin();
	char p[PATH_MAX];
	for (int i = 0; i < 300; i++) {
		snprintf(p, sizeof(p), "%s/n%d", dir, i);
		there(p);
	}
	snprintf(p, sizeof(p), "%s/late", dir);
	ok(!there(p), "a full table: a missing path is missing");
	touch(p);
	ok(there(p), "and, not remembered, is there once made");
	snprintf(p, sizeof(p), "%s/n0", dir);
	touch(p);
	ok(!there(p), "an early answer, remembered before it filled, is still the first");
	sbx_fs_memo_end();
	ok(there(p), "after the compile: there");

	/* realpath inside a compile (from the parent's, where that is the
	 * kernel's answer) is sbx_realpath's, answer and errno, for every kind
	 * of path, the first time and remembered */
	char t[12][160];
	snprintf(t[0], sizeof(t[0]), "%s/d", dir);
	snprintf(t[1], sizeof(t[1]), "%s/d/sub", dir);
	snprintf(t[2], sizeof(t[2]), "%s/d/sub/f", dir);
	snprintf(t[3], sizeof(t[3]), "%s/dlink", dir);       /* -> d (absolute) */
	snprintf(t[4], sizeof(t[4]), "%s/dlink/sub/f", dir); /* through it */
	snprintf(t[5], sizeof(t[5]), "%s/d/up/d/sub", dir);  /* up -> .. */
	snprintf(t[6], sizeof(t[6]), "%s/d/sub/f/", dir);    /* ENOTDIR */
	snprintf(t[7], sizeof(t[7]), "%s/loop/x", dir);      /* ELOOP */
	snprintf(t[8], sizeof(t[8]), "%s/d//sub", dir);
	snprintf(t[9], sizeof(t[9]), "%s/dlink/sub/./f", dir);
	snprintf(t[10], sizeof(t[10]), "%s/d/sub/missing", dir);
	mkdir(t[0], 0755);
	mkdir(t[1], 0755);
	touch(t[2]);
	char up[160], loop[160];
	snprintf(up, sizeof(up), "%s/d/up", dir);
	snprintf(loop, sizeof(loop), "%s/loop", dir);
	if (symlink(t[0], t[3]) < 0 || symlink("..", up) < 0 || symlink("loop", loop) < 0)
		printf("# symlink: %s\n", strerror(errno));
	int fd = open(t[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(t[11], sizeof(t[11]), "/proc/self/fd/%d/f", fd); /* a magic link */
	const char *fixed[] = {"/",
	                       "//",
	                       "/etc",
	                       "/etc/",
	                       "/etc/passwd",
	                       "/etc/passwd/",
	                       "/etc/.",
	                       "/etc/..",
	                       "/usr/bin/../lib",
	                       "/nonexistent",
	                       "/nonexistent/x",
	                       "/etc/passwd/x",
	                       "/dev/stdin",
	                       "/dev/fd",
	                       "/proc/self",
	                       "/proc/self/exe"};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]), ncases = nfixed + 12;
	for (int round = 0; round < 2; round++) {
		sbx_fs_memo_begin();
		for (size_t i = 0; i < ncases; i++) {
			const char *c = i < nfixed ? fixed[i] : t[i - nfixed];
			char a[PATH_MAX], b[PATH_MAX];
			errno = 0;
			char *ra = sbx_realpath(c, a);
			int ea = errno;
			errno = 0;
			char *rb = sbx_fs_real.realpath(c, b);
			int eb = errno;
			if (round) { /* the remembered answer */
				errno = 0;
				rb = sbx_fs_real.realpath(c, b);
				eb = errno;
			}
			ok((ra == NULL) == (rb == NULL) && (!ra || streq(a, b)) && (ra || ea == eb),
			   "realpath %s%s: %s", c, round ? ", remembered" : "",
			   ra ? a : strerror(ea));
			if (ra && rb && !streq(a, b))
				printf("#   kernel: %s\n#   memo:   %s\n", a, b);
			if (!ra && !rb && ea != eb)
				printf("#   kernel: %s\n#   memo:   %s\n", strerror(ea),
				       strerror(eb));
		}
		sbx_fs_memo_end();
	}
	close(fd);
	unlink(t[2]);
	unlink(up);
	rmdir(t[1]);
	rmdir(t[0]);
	unlink(t[3]);
	unlink(loop);

	/* a path of 1500 directories (a working directory that deep): the
	 * kernel's answer, not a stack overflow */
	{
		static char deep[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
		int len = snprintf(deep, sizeof(deep), "%s/deep", dir);
		mkdir(deep, 0755);
		int levels = 0;
		while (levels < 1500 && len + 2 < (int)sizeof(deep) - 1) {
			len += snprintf(deep + len, sizeof(deep) - (size_t)len, "/a");
			if (mkdir(deep, 0755) < 0)
				break;
			levels++;
		}
		sbx_fs_memo_begin();
		char *ra = sbx_realpath(deep, a), *rb = sbx_fs_real.realpath(deep, b);
		sbx_fs_memo_end();
		ok(levels == 1500 && ra && rb && streq(a, b),
		   "realpath of a path %d directories deep: the kernel's", levels);
		for (; levels >= 0; levels--) {
			rmdir(deep);
			char *slash = strrchr(deep, '/');
			if (slash)
				*slash = '\0';
		}
	}

	/* a compile ends its own: nothing is remembered after sbx_runner_compile */
	sbx_spec *s = NULL;
	sbx_runner *r = NULL;
	sbx_plan *plan = NULL;
	char *const args[] = {"/bin/true", NULL};
	ok(sbx_spec_new(&s) == 0 && sbx_spec_set_args(s, args) == 0 &&
	       sbx_runner_new(&r, NULL) == 0 && sbx_runner_compile(r, s, &plan, NULL) == 0,
	   "(a plan compiles)");
	ok(there(p), "after a compile, a file is there");
	unlink(p);
	ok(!there(p), "and once removed gone at once: the compile left nothing remembered");
	sbx_plan_free(plan);
	sbx_runner_free(r);
	sbx_spec_free(s);

	for (int i = 0; i < 300; i++) {
		snprintf(p, sizeof(p), "%s/n%d", dir, i);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/late", dir);
	unlink(p);
	unlink(gone);
	rmdir(dir);
	return tap_done();
}
