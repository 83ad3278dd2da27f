/* test_policy.c: policy items, text, files, profiles, layering, the SBX_*
 * environment twins, and the value parsers. */
#include "sbx.h"
#include "tap.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define C(x) SBX_CAPSET_OF(SBX_CAP_##x)

static char tmp[256];

static sbx_spec *fresh(void)
{
	sbx_spec *s = NULL;
	sbx_spec_new(&s);
	return s;
}

static int apply_text(sbx_spec *s, const char *text, char *msg, size_t size)
{
	sbx_error *err = NULL;
	int r = sbx_spec_apply_text(s, text, "inline", &err);
	snprintf(msg, size, "%s", err ? sbx_error_message(err) : "");
	sbx_error_free(err);
	return r;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static size_t count(const sbx_spec *s, sbx_list l)
{
	size_t n;
	sbx_spec_list(s, l, &n);
	return n;
}

static const char *item(const sbx_spec *s, sbx_list l, size_t i)
{
	return sbx_spec_list(s, l, NULL)[i];
}

int main(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/sbx-test-policy.XXXXXX");
	if (!mkdtemp(tmp))
		return 1;
	setenv("HOME", "/home/tester", 1);
	char xdg[300];
	snprintf(xdg, sizeof(xdg), "%s/config", tmp);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	char msg[512];

	/* Value parsers. */
	int64_t b;
	ok(sbx_parse_size("512", &b) == 0 && b == 512, "size plain bytes");
	ok(sbx_parse_size("64k", &b) == 0 && b == 65536, "size k");
	ok(sbx_parse_size("2g", &b) == 0 && b == 2147483648LL, "size g");
	ok(sbx_parse_size("1.5m", &b) == 0 && b == 1572864, "size with a fraction");
	ok(sbx_parse_size("512M", &b) == 0 && b == 536870912, "size suffix is case-insensitive");
	ok(sbx_parse_size("10x", &b) == -EINVAL, "size bad suffix");
	ok(sbx_parse_size("-1", &b) == -EINVAL, "size negative");
	ok(sbx_parse_size("", &b) == -EINVAL, "size empty");
	ok(sbx_parse_size("1.3", &b) == -EINVAL, "size fraction of a byte");
	double d;
	ok(sbx_parse_duration("30", &d) == 0 && d == 30, "duration plain seconds");
	ok(sbx_parse_duration("30s", &d) == 0 && d == 30, "duration s");
	ok(sbx_parse_duration("5m", &d) == 0 && d == 300, "duration m");
	ok(sbx_parse_duration("1h", &d) == 0 && d == 3600, "duration h");
	ok(sbx_parse_duration("1.5s", &d) == 0 && d == 1.5, "duration fraction");
	ok(sbx_parse_duration("5 m", &d) == -EINVAL, "duration with a space");
	ok(sbx_parse_duration("nan", &d) == -EINVAL, "duration nan");
	ok(sbx_parse_duration("1e999", &d) == -EINVAL, "duration overflow");
	bool v;
	ok(sbx_parse_bool("yes", &v) == 0 && v, "bool yes");
	ok(sbx_parse_bool("0", &v) == 0 && !v, "bool 0");
	ok(sbx_parse_bool("TRUE", &v) == 0 && v, "bool TRUE");
	ok(sbx_parse_bool("maybe", &v) == -EINVAL, "bool maybe");

	/* Items. */
	sbx_spec *s = fresh();
	ok(apply_text(s, "net=outbound; write = scope ;writable=/a; writable = ~/b", msg,
	              sizeof(msg)) == 0,
	   "inline items separated by ';'");
	is_int(sbx_spec_net(s), SBX_NET_OUTBOUND, "net applied");
	is_int(sbx_spec_write(s), SBX_WRITE_SCOPE, "write applied");
	ok(count(s, SBX_LIST_WRITABLE) == 2 &&
	       strcmp(item(s, SBX_LIST_WRITABLE, 1), "/home/tester/b") == 0,
	   "writable accumulates, ~ expanded");
	ok(apply_text(s, "writable=", msg, sizeof(msg)) == 0 && count(s, SBX_LIST_WRITABLE) == 0,
	   "an empty value clears a list");
	ok(apply_text(s, "cpus=1.5\nmemory=512m\npids=64\ntimeout=5m\nno-exec=true\nstrict=no", msg,
	              sizeof(msg)) == 0,
	   "scalars");
	ok(sbx_spec_cpus(s) == 1.5 && sbx_spec_memory(s) == 536870912 && sbx_spec_pids(s) == 64 &&
	       sbx_spec_timeout(s) == 300 && sbx_spec_no_exec(s) && !sbx_spec_strict(s),
	   "scalars parsed");
	ok(apply_text(s, "cpus=", msg, sizeof(msg)) == 0 && sbx_spec_cpus(s) == 0,
	   "empty cpus clears");
	ok(apply_text(s, "backend=gvisor", msg, sizeof(msg)) == 0 &&
	       sbx_spec_backend(s) == SBX_BACKEND_GVISOR,
	   "backend");
	ok(apply_text(s, "  # a comment\n\nnet = disable # trailing\n", msg, sizeof(msg)) == 0 &&
	       sbx_spec_net(s) == SBX_NET_DISABLE,
	   "comments and blank lines");
	ok(apply_text(s, "writable=/x#y", msg, sizeof(msg)) == 0, "'#' inside a value is kept");
	sbx_spec_free(s);

	struct {
		const char *text, *want;
	} bad[] = {
	    {"colour=blue", "unknown policy key 'colour'"},
	    {"net=sometimes", "invalid net 'sometimes'"},
	    {"write=all", "invalid write 'all'"},
	    {"cpus=two", "invalid cpus 'two'"},
	    {"cpus=-1", "invalid cpus"},
	    {"cpus=1s", "invalid cpus"},
	    {"memory=lots", "invalid memory"},
	    {"pids=1.5", "invalid pids"},
	    {"pids=-3", "invalid pids"},
	    {"pids=4294967296", "invalid pids"},
	    {"timeout=soon", "invalid timeout"},
	    {"no-exec=perhaps", "invalid no-exec"},
	    {"backend=chroot", "invalid backend"},
	    {"net", "expected key = value"},
	    {"net=enable;\nbogus", "inline:2: expected key = value"},
	    {"profile=", "invalid profile"},
	    {"profile=nosuch", "no profile or policy named 'nosuch'"},
	    {"profile=../etc", "invalid profile name"},
	    {"print=true", "unknown policy key 'print'"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = fresh();
		int r = apply_text(s, bad[i].text, msg, sizeof(msg));
		ok(r < 0 && strstr(msg, bad[i].want), "bad item %zu: %s", i, bad[i].want);
		if (!(r < 0 && strstr(msg, bad[i].want)))
			printf("#   message: %s\n", msg);
		sbx_spec_free(s);
	}

	/* Built-in profiles. */
	s = fresh();
	sbx_error *err = NULL;
	ok(sbx_spec_apply_profile(s, "agent", &err) == 0, "agent applies");
	is_int(sbx_spec_net(s), SBX_NET_OUTBOUND, "agent: outbound");
	is_int(sbx_spec_write(s), SBX_WRITE_OVERLAY, "agent: overlay");
	ok(sbx_spec_allow_temp(s) && count(s, SBX_LIST_WRITABLE) == 1 &&
	       strcmp(item(s, SBX_LIST_WRITABLE, 0), ".") == 0,
	   "agent: working dir and temp writable");
	int found_ssh = 0, found_tok = 0, found_sock = 0;
	for (size_t i = 0; i < count(s, SBX_LIST_READ_DENY); i++)
		found_ssh |= strcmp(item(s, SBX_LIST_READ_DENY, i), "/home/tester/.ssh") == 0;
	for (size_t i = 0; i < count(s, SBX_LIST_ENV_DENY); i++) {
		found_tok |= strcmp(item(s, SBX_LIST_ENV_DENY, i), "*_TOKEN") == 0;
		found_sock |= strcmp(item(s, SBX_LIST_ENV_DENY, i), "SSH_AUTH_SOCK") == 0;
	}
	ok(found_ssh && count(s, SBX_LIST_READ_DENY) >= 16, "agent denies credential paths");
	ok(found_tok && found_sock, "agent scrubs tokens and the ssh agent");
	ok(sbx_spec_apply_profile(s, "tight", &err) == 0, "tight applies");
	is_int(sbx_spec_net(s), SBX_NET_DISABLE, "tight: no network");
	is_int(sbx_spec_write(s), SBX_WRITE_NONE, "tight: no writes");
	ok(count(s, SBX_LIST_WRITABLE) == 0 && !sbx_spec_allow_temp(s), "tight: nothing writable");
	ok(count(s, SBX_LIST_READ_DENY) >= 16, "tight keeps the credential denials");
	sbx_spec_set_pids(s, 5);
	ok(sbx_spec_apply_text(s, "profile=agent", "x", &err) == 0 && sbx_spec_pids(s) == 0 &&
	       sbx_spec_net(s) == SBX_NET_OUTBOUND,
	   "profile= resets before applying");
	ok(sbx_spec_apply_text(s, "write=none", "x", &err) == 0 &&
	       count(s, SBX_LIST_WRITABLE) == 0 && !sbx_spec_allow_temp(s),
	   "a later write=none drops earlier writable paths and temp");
	sbx_spec_free(s);
	const char *const *names = sbx_builtin_profiles();
	ok(names[0] && strcmp(names[0], "agent") == 0 && strcmp(names[1], "tight") == 0 &&
	       !names[2],
	   "built-in profile names");

	/* Files and names. */
	char dir[400], path[500];
	snprintf(dir, sizeof(dir), "%s/sbx", xdg);
	mkdir(xdg, 0700);
	mkdir(dir, 0700);
	strcat(dir, "/policies");
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/build.policy", dir);
	write_file(path,
	           "# build policy\nprofile = tight\nnet = outbound\nread-deny = ~/.secret\n");
	s = fresh();
	ok(sbx_spec_apply_policy(s, "build", &err) == 0, "named policy from XDG_CONFIG_HOME");
	ok(sbx_spec_net(s) == SBX_NET_OUTBOUND && sbx_spec_write(s) == SBX_WRITE_NONE,
	   "named policy starts from its profile");
	ok(strcmp(item(s, SBX_LIST_READ_DENY, count(s, SBX_LIST_READ_DENY) - 1),
	          "/home/tester/.secret") == 0,
	   "named policy adds to the profile's lists");
	sbx_spec_free(s);
	s = fresh();
	ok(sbx_spec_apply_policy(s, path, &err) == 0 && sbx_spec_net(s) == SBX_NET_OUTBOUND,
	   "policy by file path");
	sbx_spec_free(s);
	snprintf(path, sizeof(path), "%s/loop.policy", dir);
	write_file(path, "profile = loop\n");
	s = fresh();
	ok(sbx_spec_apply_policy(s, "loop", &err) < 0 && strstr(sbx_error_message(err), "deep"),
	   "a policy that includes itself is an error");
	sbx_error_free(err);
	err = NULL;
	snprintf(path, sizeof(path), "%s/broken.policy", dir);
	write_file(path, "net = outbound\n\nwrite = sideways\n");
	ok(sbx_spec_apply_policy(s, "broken", &err) < 0 &&
	       strstr(sbx_error_message(err), "broken.policy:3:"),
	   "errors name the file and line");
	sbx_error_free(err);
	err = NULL;
	ok(sbx_spec_apply_policy(s, "/nonexistent/p.policy", &err) == -ENOENT,
	   "a missing policy file is an error");
	sbx_error_free(err);
	err = NULL;
	ok(sbx_spec_apply_policy(s, tmp, &err) == -EINVAL, "a directory is not a policy file");
	sbx_error_free(err);
	err = NULL;
	sbx_spec_free(s);

	/* Environment twins. */
	s = fresh();
	char *env[] = {"SBX_NET=enable",     "SBX_WRITE=scope",
	               "SBX_WRITABLE=/a:/b", "SBX_ENV_DENY=A_*,B_*",
	               "SBX_NO_EXEC=1",      "SBX_MEMORY=1g",
	               "SBX_PROFILE=tight",  "SBX_TIMEOUT=10",
	               "UNRELATED=x",        NULL};
	ok(sbx_spec_apply_env(s, env, &err) == 0, "env twins apply");
	ok(sbx_spec_net(s) == SBX_NET_ENABLE && sbx_spec_write(s) == SBX_WRITE_SCOPE &&
	       count(s, SBX_LIST_WRITABLE) == 2 && count(s, SBX_LIST_ENV_DENY) == 2 &&
	       sbx_spec_no_exec(s) && sbx_spec_memory(s) == 1073741824LL &&
	       sbx_spec_timeout(s) == 10,
	   "env twins parsed, lists split on ':' and ','");
	ok(sbx_spec_net(s) != SBX_NET_DISABLE, "SBX_PROFILE is left to the caller");
	char *env2[] = {"SBX_WRITABLE=", NULL};
	ok(sbx_spec_apply_env(s, env2, &err) == 0 && count(s, SBX_LIST_WRITABLE) == 0,
	   "an empty list variable clears");
	char *env3[] = {"SBX_READ_DENY=/a::/b", NULL};
	ok(sbx_spec_apply_env(s, env3, &err) < 0 && strstr(sbx_error_message(err), "SBX_READ_DENY"),
	   "a blank entry in a list variable is an error");
	sbx_error_free(err);
	err = NULL;
	char *env4[] = {"SBX_CPUS=lots", NULL};
	ok(sbx_spec_apply_env(s, env4, &err) < 0 && strstr(sbx_error_message(err), "SBX_CPUS"),
	   "a bad variable names itself");
	sbx_error_free(err);
	sbx_spec_free(s);

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
