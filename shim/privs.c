/* privs.c: no capabilities and no way to gain any. Runs before Landlock
 * (which needs no_new_privs from an unprivileged process) and seccomp. */
#include "shim.h"

#include <cap-ng.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>

/* The file-permission capabilities root may keep (supervise.c decides
 * which, in keep_caps): so a writable path is writable exactly as it is
 * for root outside (files of other users, a tarball's owners). */
static const unsigned root_file_caps[] = {CAP_DAC_OVERRIDE, CAP_CHOWN, CAP_DAC_READ_SEARCH,
                                          CAP_FOWNER, CAP_FSETID};

/* The effective set with capget alone (sbx_effective_caps):
 * capng_get_caps_process reads /proc/self/status twice besides (for the
 * bounding and ambient sets), 0.02 ms each time, and these only read.
 * libcap-ng sets the capability sets (shim_drop_privileges). */
uint64_t shim_effective_caps(void)
{
	uint64_t caps = 0;
	return sbx_effective_caps(&caps) < 0 ? 0 : caps;
}

static bool effective(uint64_t caps, unsigned cap)
{
	return cap < 64 && (caps & (1ULL << cap));
}

uint64_t shim_root_file_caps(bool userns, bool host_root)
{
	if (geteuid() != 0)
		return 0;
	uint64_t mask = 0;
	for (size_t i = 0; i < ARRAY_SIZE(root_file_caps); i++)
		mask |= 1ULL << root_file_caps[i];
	/* Root of the host in a user namespace mapping every id: all of them,
	 * namespaced (nothing outside honours them; the read-only host mounts,
	 * Landlock and seccomp bound what they reach). Root of the host
	 * without one: DAC_OVERRIDE alone, which adds nothing Landlock does
	 * not check (CHOWN, FOWNER, DAC_READ_SEARCH would). Root that is not
	 * the host's (inside an outer sandbox, which granted them): what it
	 * has of them. */
	if (userns)
		return host_root ? mask : 0;
	if (host_root)
		return 1ULL << CAP_DAC_OVERRIDE;
	uint64_t eff = shim_effective_caps(), have = 0;
	for (size_t i = 0; i < ARRAY_SIZE(root_file_caps); i++)
		if (effective(eff, root_file_caps[i]))
			have |= 1ULL << root_file_caps[i];
	return have;
}

/* Each capability not kept dropped from the bounding set: what
 * capng_apply(CAPNG_SELECT_BOUNDS) does after reading /proc/self/status
 * twice (0.02 ms each). The last capability is where the kernel says
 * EINVAL. */
static int drop_bounding(const struct shim_config *c)
{
	for (unsigned cap = 0; cap < 64; cap++) {
		if (c->keep_caps & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL && cap > CAP_SETPCAP)
				break;
			return shim_fail(c, "cannot drop capability %u from the bounding set: %s",
			                 cap, strerror(errno));
		}
	}
	return 0;
}

int shim_drop_bounding(struct shim_config *c)
{
	uint64_t eff;
	if (sbx_effective_caps(&eff) < 0 || !effective(eff, CAP_SETPCAP))
		return 0; /* (shim_drop_privileges says so, if it matters) */
	if (drop_bounding(c) < 0)
		return -1;
	c->bounded = true;
	return 0;
}

int shim_drop_privileges(const struct shim_config *c)
{
	/* With CAP_SETPCAP (root, or inside our own user namespace) empty the
	 * bounding set and lock root out of the exec-time capability grant;
	 * without it there is nothing in the bounding set we could use. */
	uint64_t eff;
	if (sbx_effective_caps(&eff) < 0)
		return shim_fail(c, "cannot read the process's capabilities: %s", strerror(errno));
	bool setpcap = effective(eff, CAP_SETPCAP);
	if (setpcap && prctl(PR_SET_SECUREBITS,
	                     SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
	                         SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED,
	                     0, 0, 0) < 0)
		return shim_fail(c, "cannot set securebits: %s", strerror(errno));
	/* (the bounding set: emptied already while the sandbox waited for
	 * "go", shim_drop_bounding, or here) */
	if (setpcap && !c->bounded && drop_bounding(c) < 0)
		return -1;
	capng_clear(CAPNG_SELECT_BOTH);
	for (size_t i = 0; i < ARRAY_SIZE(root_file_caps); i++)
		if (c->keep_caps & (1ULL << root_file_caps[i]))
			capng_update(CAPNG_ADD,
			             CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE,
			             root_file_caps[i]);
	if (capng_apply(CAPNG_SELECT_CAPS) < 0)
		return shim_fail(c, "cannot drop capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return shim_fail(c, "cannot clear ambient capabilities: %s", strerror(errno));
	/* ambient: they survive the command's execve */
	for (size_t i = 0; i < ARRAY_SIZE(root_file_caps); i++)
		if ((c->keep_caps & (1ULL << root_file_caps[i])) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, root_file_caps[i], 0, 0) < 0)
			return shim_fail(c, "cannot keep root's file capabilities: %s",
			                 strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return shim_fail(c, "cannot set no_new_privs: %s", strerror(errno));
	return 0;
}
