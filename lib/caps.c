/* caps.c: capability names and descriptions, the backend table, and the
 * capability-set algebra. All tables are static data, the same on every host. */
#include "internal.h"

#include <stdio.h>

static const char *const cap_names[SBX_CAP__COUNT] = {
    [SBX_CAP_ENV_SCRUB] = "env.scrub",
    [SBX_CAP_FS_READ_DENY] = "fs.read.deny",
    [SBX_CAP_FS_READ_HOST] = "fs.read.host",
    [SBX_CAP_FS_READ_SCOPE] = "fs.read.scope",
    [SBX_CAP_FS_WRITE_DENY] = "fs.write.deny",
    [SBX_CAP_FS_WRITE_EPHEMERAL] = "fs.write.ephemeral",
    [SBX_CAP_FS_WRITE_SCOPE] = "fs.write.scope",
    [SBX_CAP_IPC_RESTRICT] = "ipc.restrict",
    [SBX_CAP_KERNEL_ISOLATION] = "kernel.isolation",
    [SBX_CAP_MACH_RESTRICT] = "mach.restrict",
    [SBX_CAP_NET_DISABLE] = "net.disable",
    [SBX_CAP_NET_ENABLE] = "net.enable",
    [SBX_CAP_NET_OUTBOUND] = "net.outbound",
    [SBX_CAP_PROC_NO_EXEC] = "proc.no_exec",
    [SBX_CAP_RES_CPU] = "res.cpu",
    [SBX_CAP_RES_MEMORY] = "res.memory",
    [SBX_CAP_RES_PIDS] = "res.pids",
    [SBX_CAP_FS_WRITE_PROTECT] = "fs.write.protect",
    [SBX_CAP_FS_READ_REDACT] = "fs.read.redact",
    [SBX_CAP_NET_ALLOWLIST] = "net.allowlist",
};

static const char *const cap_descriptions[SBX_CAP__COUNT] = {
    [SBX_CAP_ENV_SCRUB] = "environment variables matching deny patterns (or outside the "
                          "allow patterns) never reach the command",
    [SBX_CAP_FS_READ_DENY] = "listed paths cannot be read, listed or written by any route",
    [SBX_CAP_FS_READ_HOST] = "the command can read the host's files (those its user can)",
    [SBX_CAP_FS_READ_SCOPE] = "reads are limited to listed paths plus the runtime the "
                              "command needs to start",
    [SBX_CAP_FS_WRITE_DENY] = "nothing on the host filesystem can be written",
    [SBX_CAP_FS_WRITE_EPHEMERAL] = "writes succeed inside the sandbox and are discarded "
                                   "when it ends",
    [SBX_CAP_FS_WRITE_SCOPE] = "writes that reach the host are limited to the writable "
                               "paths",
    [SBX_CAP_IPC_RESTRICT] = "host IPC is unreachable: unix sockets, abstract sockets, "
                             "signals to outside processes, SysV IPC",
    [SBX_CAP_KERNEL_ISOLATION] = "system calls are served by a user-space kernel, not the "
                                 "host kernel",
    [SBX_CAP_MACH_RESTRICT] = "macOS Mach services are unreachable except those allowed",
    [SBX_CAP_NET_DISABLE] = "no network access at all",
    [SBX_CAP_NET_ENABLE] = "unrestricted network access",
    [SBX_CAP_NET_OUTBOUND] = "outbound connections work; nothing can accept inbound "
                             "connections",
    [SBX_CAP_PROC_NO_EXEC] = "after the command starts, no new program image can be "
                             "executed",
    [SBX_CAP_RES_CPU] = "the whole sandbox is held to a CPU quota in cores",
    [SBX_CAP_RES_MEMORY] = "the whole sandbox is held to a memory cap",
    [SBX_CAP_RES_PIDS] = "the whole sandbox is held to a process and thread count",
    [SBX_CAP_FS_WRITE_PROTECT] = "listed paths cannot be changed, renamed or removed, even "
                                 "inside a writable path; reads stay allowed",
    [SBX_CAP_FS_READ_REDACT] = "listed INI-style config files are shown with their "
                               "credential entries removed",
    [SBX_CAP_NET_ALLOWLIST] = "a private network: connections leave only through sbx's "
                              "proxy, to the allowed hosts; nothing reaches in",
};

#define C(x) SBX_CAPSET_OF(SBX_CAP_##x)

/* The table: what each backend enforces where it fully works. */
#define CAPS_LANDLOCK (SBX_CAPSET_ALL & ~(C(KERNEL_ISOLATION) | C(MACH_RESTRICT)))
#define CAPS_GVISOR   (SBX_CAPSET_ALL & ~(C(MACH_RESTRICT) | C(FS_READ_REDACT) | C(NET_ALLOWLIST)))
#define CAPS_DOCKER                                                                                \
	(SBX_CAPSET_ALL &                                                                          \
	 ~(C(FS_READ_HOST) | C(FS_READ_DENY) | C(PROC_NO_EXEC) | C(MACH_RESTRICT) |                \
	   C(KERNEL_ISOLATION) | C(FS_WRITE_PROTECT) | C(FS_READ_REDACT) | C(NET_ALLOWLIST)))
#define CAPS_DOCKER_RUNSC (CAPS_DOCKER | C(KERNEL_ISOLATION))
#define CAPS_SEATBELT                                                                              \
	(SBX_CAPSET_ALL &                                                                          \
	 ~(C(PROC_NO_EXEC) | C(KERNEL_ISOLATION) | C(IPC_RESTRICT) | C(RES_CPU) | C(RES_MEMORY) |  \
	   C(RES_PIDS) | C(FS_WRITE_PROTECT) | C(FS_READ_REDACT)))
#define CAPS_APPCONTAINER                                                                          \
	(SBX_CAPSET_ALL &                                                                          \
	 ~(C(FS_READ_HOST) | C(FS_READ_DENY) | C(KERNEL_ISOLATION) | C(MACH_RESTRICT) |            \
	   C(FS_WRITE_PROTECT) | C(FS_READ_REDACT) | C(NET_ALLOWLIST)))

static const struct {
	const char *name;
	unsigned os;
	sbx_capset caps;
} table[SBX_BACKEND__COUNT] = {
    [SBX_BACKEND_LANDLOCK] = {"landlock", SBX_OS_LINUX, CAPS_LANDLOCK},
    [SBX_BACKEND_GVISOR] = {"gvisor", SBX_OS_LINUX, CAPS_GVISOR},
    [SBX_BACKEND_DOCKER_EPHEMERAL] = {"docker-ephemeral", SBX_OS_LINUX | SBX_OS_MACOS, CAPS_DOCKER},
    [SBX_BACKEND_DOCKER_RUNSC_EPHEMERAL] = {"docker-runsc-ephemeral", SBX_OS_LINUX | SBX_OS_MACOS,
                                            CAPS_DOCKER_RUNSC},
    [SBX_BACKEND_SEATBELT] = {"seatbelt", SBX_OS_MACOS, CAPS_SEATBELT},
    [SBX_BACKEND_APPCONTAINER] = {"appcontainer", SBX_OS_WINDOWS, CAPS_APPCONTAINER},
};

static const sbx_backend all_backends[SBX_BACKEND__COUNT] = {
    SBX_BACKEND_LANDLOCK,         SBX_BACKEND_GVISOR,
    SBX_BACKEND_DOCKER_EPHEMERAL, SBX_BACKEND_DOCKER_RUNSC_EPHEMERAL,
    SBX_BACKEND_SEATBELT,         SBX_BACKEND_APPCONTAINER,
};

const char *sbx_version(void)
{
	return SBX_VERSION;
}

const sbx_backend *sbx_backends(size_t *n)
{
	if (n)
		*n = SBX_BACKEND__COUNT;
	return all_backends;
}

const char *sbx_backend_name(sbx_backend b)
{
	if (b == SBX_BACKEND_AUTO)
		return "auto";
	if (b < 0 || b >= SBX_BACKEND__COUNT)
		return NULL;
	return table[b].name;
}

int sbx_backend_from_name(const char *name, sbx_backend *out)
{
	if (!name)
		return -EINVAL;
	if (streq(name, "auto")) {
		*out = SBX_BACKEND_AUTO;
		return 0;
	}
	for (int i = 0; i < SBX_BACKEND__COUNT; i++)
		if (streq(name, table[i].name)) {
			*out = (sbx_backend)i;
			return 0;
		}
	return -EINVAL;
}

unsigned sbx_backend_os(sbx_backend b)
{
	return (b >= 0 && b < SBX_BACKEND__COUNT) ? table[b].os : 0;
}

const char *sbx_cap_name(sbx_cap c)
{
	return (c >= 0 && c < SBX_CAP__COUNT) ? cap_names[c] : NULL;
}

const char *sbx_cap_description(sbx_cap c)
{
	return (c >= 0 && c < SBX_CAP__COUNT) ? cap_descriptions[c] : NULL;
}

int sbx_cap_from_name(const char *name, sbx_cap *out)
{
	for (int i = 0; name && i < SBX_CAP__COUNT; i++)
		if (streq(name, cap_names[i])) {
			*out = (sbx_cap)i;
			return 0;
		}
	return -EINVAL;
}

/* The names' order, hand-kept (test_caps checks it is sorted and whole):
 * a new capability goes where its name sorts, whatever its value. */
static const sbx_cap by_name[SBX_CAP__COUNT] = {
    SBX_CAP_ENV_SCRUB,          SBX_CAP_FS_READ_DENY,     SBX_CAP_FS_READ_HOST,
    SBX_CAP_FS_READ_REDACT,     SBX_CAP_FS_READ_SCOPE,    SBX_CAP_FS_WRITE_DENY,
    SBX_CAP_FS_WRITE_EPHEMERAL, SBX_CAP_FS_WRITE_PROTECT, SBX_CAP_FS_WRITE_SCOPE,
    SBX_CAP_IPC_RESTRICT,       SBX_CAP_KERNEL_ISOLATION, SBX_CAP_MACH_RESTRICT,
    SBX_CAP_NET_ALLOWLIST,      SBX_CAP_NET_DISABLE,      SBX_CAP_NET_ENABLE,
    SBX_CAP_NET_OUTBOUND,       SBX_CAP_PROC_NO_EXEC,     SBX_CAP_RES_CPU,
    SBX_CAP_RES_MEMORY,         SBX_CAP_RES_PIDS,
};

const sbx_cap *sbx_caps_by_name(size_t *n)
{
	if (n)
		*n = SBX_CAP__COUNT;
	return by_name;
}

size_t sbx_capset_len(sbx_capset s)
{
	return (size_t)__builtin_popcount(s & SBX_CAPSET_ALL);
}

size_t sbx_capset_list(sbx_capset s, sbx_cap *out, size_t max)
{
	size_t n = 0;
	for (int k = 0; k < SBX_CAP__COUNT; k++)
		if (s & SBX_CAPSET_OF(by_name[k])) {
			if (n < max)
				out[n] = by_name[k];
			n++;
		}
	return n;
}

size_t sbx_capset_format(sbx_capset s, const char *sep, char *out, size_t size)
{
	_cleanup_buf_ buf b = {0};
	for (int k = 0; k < SBX_CAP__COUNT; k++)
		if (s & SBX_CAPSET_OF(by_name[k])) {
			if (b.len)
				buf_add(&b, sep);
			buf_add(&b, cap_names[by_name[k]]);
		}
	if (size)
		snprintf(out, size, "%s", b.s ? b.s : "");
	return b.len;
}

sbx_capset sbx_caps_of(sbx_backend b)
{
	return (b >= 0 && b < SBX_BACKEND__COUNT) ? table[b].caps : 0;
}

sbx_capset sbx_caps_union(void)
{
	sbx_capset u = 0;
	for (int i = 0; i < SBX_BACKEND__COUNT; i++)
		u |= table[i].caps;
	return u;
}

sbx_capset sbx_caps_intersection(void)
{
	sbx_capset r = SBX_CAPSET_ALL;
	for (unsigned os = SBX_OS_LINUX; os <= SBX_OS_WINDOWS; os <<= 1) {
		sbx_capset u = 0;
		for (int i = 0; i < SBX_BACKEND__COUNT; i++)
			if (table[i].os & os)
				u |= table[i].caps;
		r &= u;
	}
	return r;
}

const struct sbx_backend_impl *sbx_backend_impl(sbx_backend b)
{
	switch (b) {
	case SBX_BACKEND_LANDLOCK:
		return &sbx_backend_landlock;
	case SBX_BACKEND_GVISOR:
		return &sbx_backend_gvisor;
	case SBX_BACKEND_DOCKER_EPHEMERAL:
		return &sbx_backend_docker_ephemeral;
	case SBX_BACKEND_DOCKER_RUNSC_EPHEMERAL:
		return &sbx_backend_docker_runsc_ephemeral;
	case SBX_BACKEND_SEATBELT:
		return &sbx_backend_seatbelt;
	case SBX_BACKEND_APPCONTAINER:
		return &sbx_backend_appcontainer;
	default:
		return NULL;
	}
}
