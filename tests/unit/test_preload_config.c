/* test_preload_config.c: lib/preload_config.c, the launcher's side of
 * libsbx-preload.so: the policy text built from a compile context is read
 * back with the library's own parser, the memfd is sealed and inherited,
 * and what the library cannot hold is refused. */
#include "internal.h"
#include "preload.h"
#include "preload_config.h"
#include "tap.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#define CAP(x) SBX_CAPSET_OF(SBX_CAP_##x)

static char dir[PATH_MAX];

static sbx_spec *spec_new(void)
{
	sbx_spec *s = NULL;
	char *const args[] = {"/bin/true", NULL};
	if (sbx_spec_new(&s) < 0 || sbx_spec_set_args(s, args) < 0 || sbx_spec_set_dir(s, dir) < 0)
		abort();
	return s;
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

/* Parses text with the library's parser; returns the config's validity. */
static bool parses(const char *text, struct pr_config *c)
{
	static char tbuf[8192];
	static const char *slots[256];
	size_t n = strlen(text);
	if (n >= sizeof(tbuf))
		return false;
	memcpy(tbuf, text, n + 1);
	return pr_config_parse(c, tbuf, n, slots, 256) == 0 && c->valid;
}

static void test_scope_text(void)
{
	sbx_spec *s = spec_new();
	sbx_spec_set_write(s, SBX_WRITE_SCOPE);
	sbx_spec_set_no_exec(s, true);
	sbx_spec_set_allow_temp(s, true);
	char w[PATH_MAX + 32], d[PATH_MAX + 32];
	snprintf(w, sizeof(w), "%s/out", dir);
	snprintf(d, sizeof(d), "%s//secret/../secret", dir);
	if (sbx_spec_add(s, SBX_LIST_WRITABLE, w) < 0 ||
	    sbx_spec_add(s, SBX_LIST_READ_DENY, d) < 0 ||
	    sbx_spec_add(s, SBX_LIST_READABLE, dir) < 0)
		abort();
	struct sbx_cctx c;
	sbx_error *err = NULL;
	is_int(sbx_cctx_init(&c, s, &err), 0, "cctx");
	char *text = NULL;
	char *const extra[] = {"/usr/lib", "/usr//lib/", NULL};
	sbx_capset all =
	    CAP(PROC_NO_EXEC) | CAP(FS_READ_DENY) | CAP(FS_READ_SCOPE) | CAP(FS_WRITE_SCOPE);
	is_int(sbx_preload_config_text(&c, all, extra, &text, &err), 0, "text for every cap");
	struct pr_config pc;
	ok(text && parses(text, &pc), "the library parses what the writer wrote");
	ok(pc.no_exec && pc.read_scope && pc.write_scope, "no-exec, read and write scope set");
	char line[2 * PATH_MAX + 32];
	snprintf(line, sizeof(line), "read-deny %s/secret", dir);
	ok(has_line(text, line), "read-deny normalised: %s", line);
	snprintf(line, sizeof(line), "write %s/out", dir);
	ok(has_line(text, line), "writable listed");
	snprintf(line, sizeof(line), "write %s", c.tmpdir);
	ok(has_line(text, line), "allow-temp adds the temp dir");
	ok(has_line(text, "write /dev/null"), "/dev/null writable");
	ok(has_line(text, "read /usr/lib") &&
	       strstr(text, "read /usr/lib\nread /usr/lib\n") == NULL,
	   "extra readable normalised, listed once");
	ok(has_line(text, "read /proc/self"), "/proc/self readable");
	is_int(pr_decide(&pc, PR_WRITE, w), 0, "decision: write in writable");
	is_int(pr_decide(&pc, PR_WRITE, "/etc/x"), EACCES, "decision: write elsewhere");
	free(text);
	text = NULL;

	/* Only what the spec requested: no-exec off means no "no-exec" line. */
	sbx_spec_set_no_exec(s, false);
	sbx_cctx_free(&c);
	is_int(sbx_cctx_init(&c, s, &err), 0, "cctx without no-exec");
	is_int(
	    sbx_preload_config_text(&c, CAP(PROC_NO_EXEC) | CAP(FS_READ_DENY), NULL, &text, &err),
	    0, "text");
	ok(text && !has_line(text, "no-exec") && !has_line(text, "write-scope"),
	   "unrequested and unenforced capabilities stay out");
	free(text);
	text = NULL;

	is_int(sbx_preload_config_text(&c, CAP(NET_DISABLE), NULL, &text, &err), -ENOTSUP,
	       "net.disable is refused");
	ok(err && strstr(sbx_error_message(err), "net.disable"), "message names the capability");
	sbx_error_free(err);
	err = NULL;
	char *const bad[] = {"relative/path", NULL};
	is_int(sbx_preload_config_text(&c, CAP(FS_READ_SCOPE), bad, &text, &err), -EINVAL,
	       "a relative extra path is refused");
	sbx_error_free(err);
	sbx_cctx_free(&c);
	sbx_spec_free(s);
}

static void test_write_none(void)
{
	sbx_spec *s = spec_new();
	sbx_spec_set_write(s, SBX_WRITE_NONE);
	struct sbx_cctx c;
	char *text = NULL;
	is_int(sbx_cctx_init(&c, s, NULL), 0, "cctx write=none");
	is_int(sbx_preload_config_text(&c, CAP(FS_WRITE_DENY), NULL, &text, NULL), 0, "text");
	struct pr_config pc;
	ok(text && parses(text, &pc) && pc.write_scope, "write=none is a write scope");
	is_int(pc.writable.n, 4, "with only the four devices");
	free(text);
	sbx_cctx_free(&c);
	sbx_spec_free(s);
}

static void test_build(void)
{
	sbx_spec *s = spec_new();
	sbx_spec_set_no_exec(s, true);
	struct sbx_cctx c;
	struct sbx_preload_config p;
	sbx_error *err = NULL;
	is_int(sbx_cctx_init(&c, s, NULL), 0, "cctx");
	is_int(sbx_preload_config_build(&c, CAP(PROC_NO_EXEC), NULL, "relative.so", &p, &err),
	       -EINVAL, "a relative library path is refused");
	sbx_error_free(err);
	is_int(sbx_preload_config_build(&c, CAP(PROC_NO_EXEC), NULL, "/a b/lib.so", &p, NULL),
	       -EINVAL, "a library path with a space is refused");
	is_int(
	    sbx_preload_config_build(&c, CAP(PROC_NO_EXEC), NULL, "/x/libsbx-preload.so", &p, NULL),
	    0, "build");
	ok(p.fd >= 0, "a memfd");
	int seals = fcntl(p.fd, F_GET_SEALS);
	int want = F_SEAL_SEAL | F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK;
	is_int(seals & want, want, "sealed against write, grow, shrink and more seals");
	is_int(fcntl(p.fd, F_GETFD) & FD_CLOEXEC, 0, "inherited across exec");
	ok(write(p.fd, "x", 1) < 0, "writing to it fails");
	char got[256] = "";
	ssize_t n = pread(p.fd, got, sizeof(got) - 1, 0);
	is_str(n > 0 ? got : "", p.text, "the memfd holds the text");
	char want_fd[32];
	snprintf(want_fd, sizeof(want_fd), "SBX_PRELOAD_FD=%d", p.fd);
	is_int(p.env.n, 2, "two variables");
	is_str(p.env.n > 0 ? p.env.v[0] : NULL, "LD_PRELOAD=/x/libsbx-preload.so", "LD_PRELOAD");
	is_str(p.env.n > 1 ? p.env.v[1] : NULL, want_fd, "SBX_PRELOAD_FD");
	int fd = p.fd;
	sbx_preload_config_free(&p);
	ok(fcntl(fd, F_GETFD) < 0, "free closes the memfd");
	sbx_cctx_free(&c);
	sbx_spec_free(s);
}

static void test_lib_path(void)
{
	setenv("SBX_PRELOAD_LIB", "/opt/x.so", 1);
	char *p = sbx_preload_lib_path();
	is_str(p, "/opt/x.so", "SBX_PRELOAD_LIB wins");
	free(p);
	unsetenv("SBX_PRELOAD_LIB");
	p = sbx_preload_lib_path();
	ok(p && strstr(p, "libsbx-preload.so"), "a default path: %s", p ? p : "(null)");
	free(p);
}

int main(void)
{
	char tmpl[] = "/tmp/sbx-preload-cfg.XXXXXX";
	if (!mkdtemp(tmpl) || !realpath(tmpl, dir))
		abort();
	char sub[PATH_MAX + 8];
	snprintf(sub, sizeof(sub), "%s/out", dir);
	mkdir(sub, 0755);
	snprintf(sub, sizeof(sub), "%s/secret", dir);
	mkdir(sub, 0755);
	test_scope_text();
	test_write_none();
	test_build();
	test_lib_path();
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
