/* test_caps.c: capability names, the backend table and the set algebra. */
#include "sbx.h"
#include "tap.h"

#define C(x) SBX_CAPSET_OF(SBX_CAP_##x)

int main(void)
{
	static const char *const names[] = {
	    "env.scrub",        "fs.read.deny",       "fs.read.host",   "fs.read.scope",
	    "fs.write.deny",    "fs.write.ephemeral", "fs.write.scope", "ipc.restrict",
	    "kernel.isolation", "mach.restrict",      "net.disable",    "net.enable",
	    "net.outbound",     "proc.no_exec",       "res.cpu",        "res.memory",
	    "res.pids",         "fs.write.protect",   "fs.read.redact", "net.allowlist"};
	is_int(SBX_CAP__COUNT, 20, "20 capabilities");
	for (int i = 0; i < SBX_CAP__COUNT; i++) {
		is_str(sbx_cap_name((sbx_cap)i), names[i], "name %d", i);
		sbx_cap back;
		ok(sbx_cap_from_name(names[i], &back) == 0 && back == (sbx_cap)i, "%s parses",
		   names[i]);
		const char *d = sbx_cap_description((sbx_cap)i);
		ok(d && strlen(d) > 20, "%s has a description", names[i]);
	}
	sbx_cap dummy;
	ok(sbx_cap_from_name("fs.read", &dummy) == -EINVAL, "unknown cap name rejected");
	ok(sbx_cap_name(SBX_CAP__COUNT) == NULL, "out of range name is NULL");

	/* sbx_caps_by_name: every capability once, sorted by name; the values
	 * are the ABI's (fixed), whatever their names' order */
	size_t nbyn = 0;
	const sbx_cap *byn = sbx_caps_by_name(&nbyn);
	is_int((long)nbyn, SBX_CAP__COUNT, "by-name order holds every capability");
	sbx_capset seen = 0;
	int sorted_by_name = 1;
	for (size_t i = 0; i < nbyn; i++) {
		seen |= SBX_CAPSET_OF(byn[i]);
		if (i)
			sorted_by_name &=
			    strcmp(sbx_cap_name(byn[i - 1]), sbx_cap_name(byn[i])) < 0;
	}
	ok(seen == SBX_CAPSET_ALL && sorted_by_name, "by-name order is sorted and whole");
	is_int(SBX_CAP_ENV_SCRUB, 0, "ABI value of env.scrub");
	is_int(SBX_CAP_NET_OUTBOUND, 12, "ABI value of net.outbound");
	is_int(SBX_CAP_RES_PIDS, 16, "ABI value of res.pids");

	/* Listings are sorted by name. */
	sbx_cap out[SBX_CAP__COUNT];
	size_t n = sbx_capset_list(SBX_CAPSET_ALL, out, SBX_CAP__COUNT);
	int sorted = n == SBX_CAP__COUNT;
	for (size_t i = 1; i < n; i++)
		sorted &= strcmp(sbx_cap_name(out[i - 1]), sbx_cap_name(out[i])) < 0;
	ok(sorted, "list of all capabilities is sorted by name");
	n = sbx_capset_list(C(RES_PIDS) | C(ENV_SCRUB) | C(NET_DISABLE), out, 2);
	is_int(n, 3, "list reports the full count when the array is short");
	ok(out[0] == SBX_CAP_ENV_SCRUB && out[1] == SBX_CAP_NET_DISABLE, "first two sorted");

	sbx_capset a = C(NET_DISABLE) | C(FS_READ_HOST) | C(RES_CPU);
	sbx_capset b = C(FS_READ_HOST) | C(PROC_NO_EXEC);
	is_int(sbx_capset_union(a, b),
	       C(NET_DISABLE) | C(FS_READ_HOST) | C(RES_CPU) | C(PROC_NO_EXEC), "union");
	is_int(sbx_capset_intersect(a, b), C(FS_READ_HOST), "intersect");
	is_int(sbx_capset_sub(a, b), C(NET_DISABLE) | C(RES_CPU), "sub");
	is_int(sbx_capset_len(a), 3, "len");
	is_int(sbx_capset_len(0), 0, "len of empty");
	ok(sbx_capset_has(a, SBX_CAP_RES_CPU) && !sbx_capset_has(a, SBX_CAP_RES_PIDS), "has");
	ok(!sbx_capset_has(SBX_CAPSET_ALL, SBX_CAP__COUNT), "has rejects out of range");
	is_int(sbx_capset_union(0xffffffffu, 0), SBX_CAPSET_ALL, "union masks unknown bits");
	char buf[256];
	sbx_capset_format(a, ",", buf, sizeof(buf));
	is_str(buf, "fs.read.host,net.disable,res.cpu", "format");

	/* The table, row by row, as the issue defines it. */
	sbx_capset all = SBX_CAPSET_ALL;
	is_int(sbx_caps_of(SBX_BACKEND_LANDLOCK), all & ~(C(KERNEL_ISOLATION) | C(MACH_RESTRICT)),
	       "landlock row");
	/* fs.read.redact: only the landlock backend (its namespaces);
	 * net.allowlist: landlock and seatbelt (sbx-exec's proxy);
	 * fs.write.protect: landlock and gvisor */
	is_int(sbx_caps_of(SBX_BACKEND_GVISOR),
	       all & ~(C(MACH_RESTRICT) | C(FS_READ_REDACT) | C(NET_ALLOWLIST)), "gvisor row");
	sbx_capset docker = all & ~(C(FS_READ_HOST) | C(FS_READ_DENY) | C(PROC_NO_EXEC) |
	                            C(MACH_RESTRICT) | C(KERNEL_ISOLATION) | C(FS_WRITE_PROTECT) |
	                            C(FS_READ_REDACT) | C(NET_ALLOWLIST));
	is_int(sbx_caps_of(SBX_BACKEND_DOCKER_EPHEMERAL), docker, "docker-ephemeral row");
	is_int(sbx_caps_of(SBX_BACKEND_DOCKER_RUNSC_EPHEMERAL), docker | C(KERNEL_ISOLATION),
	       "docker-runsc-ephemeral row");
	is_int(sbx_caps_of(SBX_BACKEND_SEATBELT),
	       all & ~(C(PROC_NO_EXEC) | C(KERNEL_ISOLATION) | C(IPC_RESTRICT) | C(RES_CPU) |
	               C(RES_MEMORY) | C(RES_PIDS) | C(FS_WRITE_PROTECT) | C(FS_READ_REDACT)),
	       "seatbelt row");
	is_int(sbx_caps_of(SBX_BACKEND_APPCONTAINER),
	       all & ~(C(FS_READ_HOST) | C(FS_READ_DENY) | C(KERNEL_ISOLATION) | C(MACH_RESTRICT) |
	               C(FS_WRITE_PROTECT) | C(FS_READ_REDACT) | C(NET_ALLOWLIST)),
	       "appcontainer row");
	is_int(sbx_caps_of(SBX_BACKEND__COUNT), 0, "no row past the table");
	is_int(sbx_caps_union(), all, "the union covers every capability");
	/* Portable: per OS union, intersected. Windows has only appcontainer,
	 * so the intersection is appcontainer's row within the others. */
	sbx_capset linux_u = sbx_caps_of(SBX_BACKEND_LANDLOCK) | sbx_caps_of(SBX_BACKEND_GVISOR) |
	                     docker | C(KERNEL_ISOLATION);
	sbx_capset mac_u = sbx_caps_of(SBX_BACKEND_SEATBELT) | docker | C(KERNEL_ISOLATION);
	is_int(sbx_caps_intersection(), linux_u & mac_u & sbx_caps_of(SBX_BACKEND_APPCONTAINER),
	       "intersection is per-OS unions intersected");
	ok(!sbx_capset_has(sbx_caps_intersection(), SBX_CAP_KERNEL_ISOLATION),
	   "kernel.isolation is not portable");
	ok(sbx_capset_has(sbx_caps_intersection(), SBX_CAP_NET_DISABLE), "net.disable is portable");

	size_t nb;
	const sbx_backend *bs = sbx_backends(&nb);
	is_int(nb, 6, "six backends");
	static const char *const bnames[] = {"landlock",         "gvisor",
	                                     "docker-ephemeral", "docker-runsc-ephemeral",
	                                     "seatbelt",         "appcontainer"};
	for (size_t i = 0; i < nb; i++) {
		is_str(sbx_backend_name(bs[i]), bnames[i], "backend %zu name", i);
		sbx_backend back;
		ok(sbx_backend_from_name(bnames[i], &back) == 0 && back == bs[i], "%s parses",
		   bnames[i]);
	}
	sbx_backend auto_b;
	ok(sbx_backend_from_name("auto", &auto_b) == 0 && auto_b == SBX_BACKEND_AUTO,
	   "auto parses");
	ok(sbx_backend_from_name("firejail", &auto_b) == -EINVAL, "unknown backend rejected");

	sbx_net net;
	sbx_write w;
	ok(sbx_net_from_name("outbound", &net) == 0 && net == SBX_NET_OUTBOUND, "net outbound");
	ok(sbx_net_from_name("off", &net) == -EINVAL, "bad net mode");
	ok(sbx_write_from_name("overlay", &w) == 0 && w == SBX_WRITE_OVERLAY, "write overlay");
	is_str(sbx_write_name(SBX_WRITE_EPHEMERAL), "ephemeral", "write name");
	is_str(sbx_net_name(SBX_NET_DISABLE), "disable", "net name");
	ok(sbx_write_from_name("", &w) == -EINVAL, "empty write mode rejected");
	return tap_done();
}
