/* report.c: the capability matrix (sbx_caps_format) and what this host
 * provides (sbx_doctor_format), as text or JSON: sbx-exec's --caps and
 * --doctor. */
#include "internal.h"

#include <stdio.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <sys/utsname.h>
#endif

static const char *short_name(sbx_backend b)
{
	switch (b) {
	case SBX_BACKEND_DOCKER_EPHEMERAL:
		return "docker";
	case SBX_BACKEND_DOCKER_RUNSC_EPHEMERAL:
		return "docker-runsc";
	case SBX_BACKEND_APPCONTAINER:
		return "appcont.";
	default:
		return sbx_backend_name(b);
	}
}

char *sbx_caps_format(bool json)
{
	size_t n;
	const sbx_backend *all = sbx_backends(&n);
	sbx_capset portable = sbx_caps_intersection();
	sbx_runner *r = NULL;
	sbx_capset here = 0;
	if (sbx_runner_new(&r, NULL) == 0) {
		here = sbx_runner_capabilities(r);
		sbx_runner_free(r);
	}
	_cleanup_buf_ buf b = {0};
	if (json) {
		buf_add(&b, "{\"capabilities\":[");
		SBX_FOR_EACH_CAP(c)
		{
			buf_add(&b, c_k ? ",{\"name\":" : "{\"name\":");
			buf_add_json_string(&b, sbx_cap_name((sbx_cap)c));
			buf_add(&b, ",\"description\":");
			buf_add_json_string(&b, sbx_cap_description((sbx_cap)c));
			buf_add(&b, ",\"backends\":{");
			for (size_t i = 0; i < n; i++) {
				buf_addf(&b, "%s\"%s\":%s", i ? "," : "", sbx_backend_name(all[i]),
				         sbx_capset_has(sbx_caps_of(all[i]), (sbx_cap)c) ? "true"
				                                                         : "false");
			}
			buf_addf(&b, "},\"portable\":%s,\"this_host\":%s}",
			         sbx_capset_has(portable, (sbx_cap)c) ? "true" : "false",
			         sbx_capset_has(here, (sbx_cap)c) ? "true" : "false");
		}
		buf_add(&b, "],\"backends\":[");
		for (size_t i = 0; i < n; i++) {
			struct sbx_avail a;
			sbx_backend_avail(all[i], &a);
			buf_add(&b, i ? ",{\"name\":" : "{\"name\":");
			buf_add_json_string(&b, sbx_backend_name(all[i]));
			buf_add(&b, ",\"caps\":");
			sbx_json_capset(&b, sbx_caps_of(all[i]));
			buf_addf(&b, ",\"available\":%s,\"unavailable_reason\":",
			         a.unavailable ? "false" : "true");
			if (a.unavailable)
				buf_add_json_string(&b, a.unavailable);
			else
				buf_add(&b, "null");
			buf_add(&b, ",\"this_host\":");
			sbx_json_capset(&b, a.unavailable ? 0 : a.caps);
			buf_addc(&b, '}');
		}
		buf_add(&b, "],\"portable\":");
		sbx_json_capset(&b, portable);
		buf_add(&b, ",\"union\":");
		sbx_json_capset(&b, sbx_caps_union());
		buf_add(&b, "}\n");
	} else {
		buf_addf(&b, "%-19s", "CAPABILITY");
		for (size_t i = 0; i < n; i++)
			buf_addf(&b, " %-12s", short_name(all[i]));
		buf_addf(&b, " %-8s %-9s %s\n", "portable", "this-host", "DESCRIPTION");
		SBX_FOR_EACH_CAP(c)
		{
			buf_addf(&b, "%-19s", sbx_cap_name((sbx_cap)c));
			for (size_t i = 0; i < n; i++)
				buf_addf(&b, " %-12s",
				         sbx_capset_has(sbx_caps_of(all[i]), (sbx_cap)c) ? "yes"
				                                                         : "-");
			buf_addf(&b, " %-8s %-9s %s\n",
			         sbx_capset_has(portable, (sbx_cap)c) ? "yes" : "-",
			         sbx_capset_has(here, (sbx_cap)c) ? "yes" : "-",
			         sbx_cap_description((sbx_cap)c));
		}
		buf_add(&b, "\nportable: enforceable on Linux, macOS and Windows alike. this-host: "
		            "what the backends available here enforce (sbx-exec --doctor).\n");
	}
	return b.oom ? NULL : buf_steal(&b);
}

char *sbx_doctor_format(bool json)
{
	const struct sbx_host *h = sbx_host_get();
#ifdef _WIN32
	/* GetVersion reports the real version only to manifested programs:
	 * say what it says. */
	struct {
		char release[64];
	} u;
	DWORD v = GetVersion();
	unsigned long major = v & 0xff, minor = (v >> 8) & 0xff;
	snprintf(u.release, sizeof(u.release), "Windows %lu.%lu", major, minor);
#else
	struct utsname u;
	if (uname(&u) < 0)
		snprintf(u.release, sizeof(u.release), "unknown");
#endif
	_cleanup_buf_ buf b = {0};
	size_t n;
	const sbx_backend *all = sbx_backends(&n);
	if (json) {
		buf_add(&b, "{\"kernel\":");
		buf_add_json_string(&b, u.release);
		buf_addf(
		    &b,
		    ",\"landlock_abi\":%d,\"seccomp\":%s,\"seccomp_user_notify\":%s,"
		    "\"unix_sock_diag\":%s,\"user_namespaces\":%s,\"user_namespaces_why_not\":",
		    h->landlock_abi, h->seccomp ? "true" : "false",
		    h->seccomp_notify ? "true" : "false", sbx_host_unix_diag() ? "true" : "false",
		    h->userns ? "true" : "false");
		if (h->userns_why)
			buf_add_json_string(&b, h->userns_why);
		else
			buf_add(&b, "null");
		const char *ovl = h->userns ? sbx_host_overlay_userns() : "needs user namespaces";
		buf_addf(&b, ",\"overlay_in_userns\":%s,\"overlay_in_userns_why_not\":",
		         ovl ? "false" : "true");
		if (ovl)
			buf_add_json_string(&b, ovl);
		else
			buf_add(&b, "null");
		buf_addf(&b, ",\"cgroup_version\":%d,\"cgroup_writable\":%s,\"runsc\":",
		         h->cgroup_version, h->cgroup_writable ? "true" : "false");
		if (sbx_host_runsc(h))
			buf_add_json_string(&b, sbx_host_runsc(h));
		else
			buf_add(&b, "null");
		buf_add(&b, ",\"runsc_version\":");
		char ver[128];
		if (sbx_host_runsc(h) &&
		    sbx_runsc_version(sbx_host_runsc(h), ver, sizeof(ver)) >= 0)
			buf_add_json_string(&b, ver);
		else
			buf_add(&b, "null");
		buf_add(&b, ",\"docker\":");
		if (sbx_host_docker(h))
			buf_add_json_string(&b, sbx_host_docker(h));
		else
			buf_add(&b, "null");
		buf_add(&b, ",\"backends\":{");
		for (size_t i = 0; i < n; i++) {
			struct sbx_avail a;
			sbx_backend_avail(all[i], &a);
			buf_addf(&b, "%s\"%s\":{\"available\":%s,\"reason\":", i ? "," : "",
			         sbx_backend_name(all[i]), a.unavailable ? "false" : "true");
			if (a.unavailable)
				buf_add_json_string(&b, a.unavailable);
			else
				buf_add(&b, "null");
			buf_add(&b, ",\"enforces\":");
			sbx_json_capset(&b, a.unavailable ? 0 : a.caps);
			buf_add(&b, ",\"lacks\":{");
			bool first = true;
			SBX_FOR_EACH_CAP(c)
			if (!a.unavailable && a.why[c] &&
			    sbx_capset_has(sbx_caps_of(all[i]), (sbx_cap)c)) {
				buf_addf(&b, "%s\"%s\":", first ? "" : ",",
				         sbx_cap_name((sbx_cap)c));
				buf_add_json_string(&b, a.why[c]);
				first = false;
			}
			buf_add(&b, "}}");
		}
		buf_add(&b, "}}\n");
	} else {
		buf_addf(&b, "kernel:              %s\n", u.release);
		if (h->landlock_abi)
			buf_addf(&b, "landlock:            ABI %d\n", h->landlock_abi);
		else
			buf_add(&b, "landlock:            not available\n");
		buf_addf(&b, "seccomp:             %s%s\n", h->seccomp ? "yes" : "no",
		         h->seccomp_notify ? ", with user notification" : ", no user notification");
		buf_addf(&b, "unix sock_diag:      %s\n",
		         sbx_host_unix_diag()
		             ? "yes"
		             : "no (the socket gate tells the sandbox's sockets by "
		               "the file found right after each bind)");
		buf_addf(&b, "user namespaces:     %s%s%s\n", h->userns ? "yes" : "no",
		         h->userns_why ? ": " : "", h->userns_why ? h->userns_why : "");
		const char *ovl = h->userns ? sbx_host_overlay_userns() : "needs user namespaces";
		buf_addf(&b, "overlayfs in userns: %s%s\n", ovl ? "no: " : "yes", ovl ? ovl : "");
		buf_addf(&b, "cgroups:             %s%s\n",
		         h->cgroup_version == 2   ? "v2"
		         : h->cgroup_version == 1 ? "v1"
		                                  : "none",
		         h->cgroup_writable ? ", writable subtree" : ", no writable subtree");
		if (sbx_host_runsc(h)) {
			char ver[128];
			long date = sbx_runsc_version(sbx_host_runsc(h), ver, sizeof(ver));
			buf_addf(&b, "runsc:               %s (%s%s)\n", sbx_host_runsc(h),
			         date < 0 ? "--version failed" : ver,
			         date > 0 && date < SBX_RUNSC_MIN_DATE ? "; too old for sbx's plans"
			                                               : "");
		} else {
			buf_add(&b, "runsc:               not found\n");
		}
		buf_addf(&b, "docker:              %s\n",
		         sbx_host_docker(h) ? sbx_host_docker(h) : "not found");
		buf_add(&b, "\nbackends on this host:\n");
		for (size_t i = 0; i < n; i++) {
			struct sbx_avail a;
			sbx_backend_avail(all[i], &a);
			buf_addf(&b, "  %-23s ", sbx_backend_name(all[i]));
			if (a.unavailable) {
				buf_addf(&b, "unavailable: %s\n", a.unavailable);
				continue;
			}
			char names[1024];
			sbx_capset_format(a.caps, " ", names, sizeof(names));
			buf_addf(&b, "%s\n", names);
			SBX_FOR_EACH_CAP(c)
			if (a.why[c] && sbx_capset_has(sbx_caps_of(all[i]), (sbx_cap)c))
				buf_addf(&b, "  %-23s   lacks %s: %s\n", "",
				         sbx_cap_name((sbx_cap)c), a.why[c]);
			if (a.preload) {
				sbx_capset_format(a.preload, " ", names, sizeof(names));
				buf_addf(&b,
				         "  %-23s   with --best-effort, libsbx-preload.so holds %s "
				         "(dynamically linked programs only)\n",
				         "", names);
			}
		}
	}
	return b.oom ? NULL : buf_steal(&b);
}
