/* privs.c: no capabilities and no way to gain any. Runs before Landlock
 * (which needs no_new_privs from an unprivileged process) and seccomp. */
#include "shim.h"

#include <cap-ng.h>
#include <linux/securebits.h>
#include <sys/prctl.h>

/* What root keeps inside its own user namespace (every uid mapped to
 * itself, supervise.c): the file-permission capabilities, so a writable
 * path is writable exactly as it is for root outside (files of other
 * users, a tarball's owners). They are namespaced: nothing outside the
 * user namespace honours them, and the read-only host mounts, Landlock
 * and seccomp bound what they reach. */
static const unsigned root_file_caps[] = {CAP_DAC_OVERRIDE, CAP_CHOWN, CAP_DAC_READ_SEARCH,
                                          CAP_FOWNER, CAP_FSETID};

int shim_drop_privileges(const struct shim_config *c)
{
	/* With CAP_SETPCAP (root, or inside our own user namespace) empty the
	 * bounding set and lock root out of the exec-time capability grant;
	 * without it there is nothing in the bounding set we could use. */
	if (capng_get_caps_process() < 0)
		return shim_fail(c, "cannot read the process's capabilities");
	bool setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	if (setpcap && prctl(PR_SET_SECUREBITS,
	                     SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
	                         SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED,
	                     0, 0, 0) < 0)
		return shim_fail(c, "cannot set securebits: %s", strerror(errno));
	/* Without a user namespace (the host's mounts writable, caps not
	 * namespaced) only DAC_OVERRIDE, which adds nothing Landlock does not
	 * check: CHOWN, FOWNER and DAC_READ_SEARCH (open_by_handle_at) would. */
	size_t nkeep = !c->host_root || !setpcap ? 0 : c->userns ? ARRAY_SIZE(root_file_caps) : 1;
	bool keep = nkeep > 0;
	capng_clear(CAPNG_SELECT_ALL);
	for (size_t i = 0; i < nkeep; i++)
		capng_update(CAPNG_ADD,
		             CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE |
		                 CAPNG_BOUNDING_SET,
		             root_file_caps[i]);
	if (capng_apply(setpcap ? CAPNG_SELECT_ALL : CAPNG_SELECT_CAPS) < 0)
		return shim_fail(c, "cannot drop capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return shim_fail(c, "cannot clear ambient capabilities: %s", strerror(errno));
	/* ambient: they survive the command's execve */
	for (size_t i = 0; keep && i < nkeep; i++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, root_file_caps[i], 0, 0) < 0)
			return shim_fail(c, "cannot keep root's file capabilities: %s",
			                 strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return shim_fail(c, "cannot set no_new_privs: %s", strerror(errno));
	return 0;
}
