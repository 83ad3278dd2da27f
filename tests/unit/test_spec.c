/* test_spec.c: what a spec asks for, and validation. */
#include "sbx.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>

#define C(x) SBX_CAPSET_OF(SBX_CAP_##x)

static sbx_spec *cmd_spec(void)
{
	sbx_spec *s = NULL;
	sbx_spec_new(&s);
	char *argv[] = {"true", NULL};
	sbx_spec_set_args(s, argv);
	return s;
}

/* Validates and checks the message contains want (NULL: must pass). */
static void check(sbx_spec *s, const char *want, const char *name)
{
	sbx_error *err = NULL;
	int r = sbx_spec_validate(s, &err);
	if (!want) {
		ok(r == 0, "%s: valid", name);
		if (r)
			printf("#   error: %s\n", sbx_error_message(err));
	} else {
		int good = r == -EINVAL && err && strstr(sbx_error_message(err), want);
		ok(good, "%s: rejected", name);
		if (!good)
			printf("#   message: %s\n", err ? sbx_error_message(err) : "(none)");
	}
	sbx_error_free(err);
	sbx_spec_free(s);
}

int main(void)
{
	setenv("HOME", "/home/tester", 1);
	sbx_spec *s = cmd_spec();
	is_int(sbx_spec_capabilities(s), C(NET_DISABLE) | C(FS_WRITE_DENY) | C(FS_READ_HOST),
	       "an empty policy asks for net.disable, fs.write.deny, fs.read.host");
	sbx_spec_set_net(s, SBX_NET_OUTBOUND);
	sbx_spec_set_write(s, SBX_WRITE_OVERLAY);
	is_int(sbx_spec_capabilities(s),
	       C(NET_OUTBOUND) | C(FS_WRITE_SCOPE) | C(FS_WRITE_EPHEMERAL) | C(FS_READ_HOST),
	       "overlay asks for scope and ephemeral");
	sbx_spec_set_write(s, SBX_WRITE_EPHEMERAL);
	sbx_spec_add(s, SBX_LIST_READABLE, "/usr");
	sbx_spec_add(s, SBX_LIST_READ_DENY, "~/.ssh");
	sbx_spec_add(s, SBX_LIST_ENV_DENY, "*_TOKEN");
	sbx_spec_add(s, SBX_LIST_MACH_ALLOW, "com.apple.x");
	sbx_spec_set_no_exec(s, true);
	sbx_spec_set_cpus(s, 0.5);
	sbx_spec_set_memory(s, 1 << 20);
	sbx_spec_set_pids(s, 10);
	sbx_spec_set_kernel_isolation(s, true);
	is_int(sbx_spec_capabilities(s),
	       C(NET_OUTBOUND) | C(FS_WRITE_EPHEMERAL) | C(FS_READ_SCOPE) | C(FS_READ_DENY) |
	           C(ENV_SCRUB) | C(MACH_RESTRICT) | C(PROC_NO_EXEC) | C(RES_CPU) | C(RES_MEMORY) |
	           C(RES_PIDS) | C(KERNEL_ISOLATION),
	       "every field maps to its capability");
	size_t n;
	const char *const *deny = sbx_spec_list(s, SBX_LIST_READ_DENY, &n);
	ok(n == 1 && strcmp(deny[0], "/home/tester/.ssh") == 0, "~ expands in path lists");
	const char *const *envd = sbx_spec_list(s, SBX_LIST_ENV_DENY, &n);
	ok(n == 1 && strcmp(envd[0], "*_TOKEN") == 0, "patterns are not expanded");
	sbx_spec *copy = NULL;
	ok(sbx_spec_dup(s, &copy) == 0 && sbx_spec_capabilities(copy) == sbx_spec_capabilities(s),
	   "dup keeps the policy");
	sbx_spec_clear(s, SBX_LIST_READ_DENY);
	sbx_spec_list(copy, SBX_LIST_READ_DENY, &n);
	is_int(n, 1, "dup is deep");
	sbx_spec_free(copy);
	sbx_spec_set_env(s, NULL);
	sbx_spec_list(s, SBX_LIST_READ_DENY, &n);
	is_int(n, 0, "clear empties a list");
	sbx_spec_free(s);

	s = NULL;
	sbx_spec_new(&s);
	check(s, "no command", "no command");
	s = NULL;
	sbx_spec_new(&s);
	char *empty[] = {"", NULL};
	sbx_spec_set_args(s, empty);
	check(s, "empty", "empty argv[0]");

	check(cmd_spec(), NULL, "plain command");
	s = cmd_spec();
	sbx_spec_set_write(s, SBX_WRITE_SCOPE);
	sbx_spec_add(s, SBX_LIST_WRITABLE, " ");
	check(s, "blank entry in the writable list", "blank writable");
	s = cmd_spec();
	sbx_spec_add(s, SBX_LIST_READ_DENY, "");
	check(s, "blank entry in the read-deny list", "empty read-deny entry");
	s = cmd_spec();
	sbx_spec_add(s, SBX_LIST_ENV_DENY, "[A-");
	check(s, "malformed env-deny pattern", "unclosed bracket glob");
	s = cmd_spec();
	sbx_spec_add(s, SBX_LIST_ENV_ALLOW, "A=B");
	check(s, "malformed env-allow pattern", "glob with '='");
	s = cmd_spec();
	sbx_spec_add(s, SBX_LIST_ENV_ALLOW, "PATH");
	sbx_spec_add(s, SBX_LIST_ENV_DENY, "*_[KT]*");
	check(s, NULL, "good globs");
	s = cmd_spec();
	sbx_spec_set_allow_temp(s, true);
	check(s, "allow-temp needs write=scope", "allow-temp with write none");
	s = cmd_spec();
	sbx_spec_set_write(s, SBX_WRITE_EPHEMERAL);
	sbx_spec_add(s, SBX_LIST_WRITABLE, "/tmp");
	check(s, "writable paths need write=scope", "writable with ephemeral");
	s = cmd_spec();
	sbx_spec_set_write(s, SBX_WRITE_SCOPE);
	check(s, "nothing writable", "scope without writable");
	s = cmd_spec();
	sbx_spec_set_write(s, SBX_WRITE_SCOPE);
	sbx_spec_set_allow_temp(s, true);
	check(s, NULL, "scope with only temp");
	s = cmd_spec();
	sbx_spec_set_write(s, SBX_WRITE_OVERLAY);
	check(s, NULL, "overlay without writable paths is fully ephemeral");
	s = cmd_spec();
	sbx_spec_set_cpus(s, -1);
	check(s, "cpus", "negative cpus");
	s = cmd_spec();
	sbx_spec_set_cpus(s, NAN);
	check(s, "cpus", "NaN cpus");
	s = cmd_spec();
	sbx_spec_set_cpus(s, INFINITY);
	check(s, "cpus", "infinite cpus");
	s = cmd_spec();
	sbx_spec_set_memory(s, -5);
	check(s, "memory", "negative memory");
	s = cmd_spec();
	sbx_spec_set_pids(s, -1);
	check(s, "pids", "negative pids");
	s = cmd_spec();
	sbx_spec_set_pids(s, SBX_PIDS_MAX + 1);
	check(s, "pids", "pids over the kernel's pid limit");
	s = cmd_spec();
	sbx_spec_set_pids(s, SBX_PIDS_MAX);
	check(s, NULL, "pids at the kernel's pid limit");
	s = cmd_spec();
	sbx_spec_set_memory(s, SBX_MEMORY_MIN - 1);
	check(s, "memory", "memory below the floor");
	s = cmd_spec();
	sbx_spec_set_cpus(s, 0.001);
	check(s, "cpus", "cpus below the smallest quota");
	s = cmd_spec();
	sbx_spec_set_timeout(s, 400 * 86400.0);
	check(s, "timeout", "timeout over a year");
	s = cmd_spec();
	sbx_spec_add(s, SBX_LIST_READABLE, "/usr");
	sbx_spec_set_dir(s, "/etc");
	check(s, "outside every readable and writable path", "dir outside the read scope");
	s = cmd_spec();
	sbx_spec_add(s, SBX_LIST_READABLE, "/usr");
	sbx_spec_set_dir(s, "/usr/share/../lib");
	check(s, NULL, "dir inside the read scope after normalisation");
	s = cmd_spec();
	sbx_spec_add(s, SBX_LIST_READABLE, "/usr");
	sbx_spec_set_write(s, SBX_WRITE_SCOPE);
	sbx_spec_add(s, SBX_LIST_WRITABLE, "/var/tmp");
	sbx_spec_set_dir(s, "/var/tmp/x");
	check(s, NULL, "dir inside a writable path");
	s = cmd_spec();
	sbx_spec_add(s, SBX_LIST_READABLE, "/usr");
	sbx_spec_set_dir(s, "/usrx");
	check(s, "outside", "prefix is not containment");
	s = cmd_spec();
	sbx_spec_set_strict(s, true);
	sbx_spec_add(s, SBX_LIST_READABLE, "/");
	check(s, NULL, "strict with portable caps");
	/* Host reads are not portable: AppContainer, Windows' only backend,
	 * cannot grant them. */
	s = cmd_spec();
	sbx_spec_set_strict(s, true);
	check(s, "not portable to every OS: fs.read.host", "strict refuses host reads");
	s = cmd_spec();
	sbx_spec_set_strict(s, true);
	sbx_spec_set_kernel_isolation(s, true);
	sbx_spec_add(s, SBX_LIST_READ_DENY, "/etc/shadow");
	check(s, "fs.read.deny, fs.read.host, kernel.isolation",
	      "strict names what is not portable");
	return tap_done();
}
