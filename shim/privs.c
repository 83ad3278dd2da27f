/* privs.c: no capabilities and no way to gain any. Runs before Landlock
 * (which needs no_new_privs from an unprivileged process) and seccomp. */
#include "shim.h"

#include <cap-ng.h>
#include <linux/securebits.h>
#include <sys/prctl.h>

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
	capng_clear(CAPNG_SELECT_ALL);
	if (capng_apply(setpcap ? CAPNG_SELECT_ALL : CAPNG_SELECT_CAPS) < 0)
		return shim_fail(c, "cannot drop capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return shim_fail(c, "cannot clear ambient capabilities: %s", strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return shim_fail(c, "cannot set no_new_privs: %s", strerror(errno));
	return 0;
}
