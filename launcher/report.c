/* report.c: --caps (the capability matrix) and --doctor (what this host
 * provides), as the library formats them, and --version. */
#include "launcher.h"

#include <stdio.h>
#ifndef _WIN32
#include <seccomp.h>
#endif

#ifndef SBX_CAPNG_VERSION
#define SBX_CAPNG_VERSION "unknown"
#endif

void report_version(void)
{
	printf("sbx-exec %s\n", sbx_version());
	printf("backends:");
	size_t n;
	const sbx_backend *all = sbx_backends(&n);
	for (size_t i = 0; i < n; i++)
		printf(" %s", sbx_backend_name(all[i]));
#ifdef _WIN32
	printf("\nWindows build: the appcontainer backend runs here\n");
#else
	const struct scmp_version *sv = seccomp_version();
	printf("\nlibseccomp %u.%u.%u, libcap-ng %s, C library %s\n", sv ? sv->major : 0,
	       sv ? sv->minor : 0, sv ? sv->micro : 0, SBX_CAPNG_VERSION,
#ifdef __GLIBC__
	       "glibc"
#else
	       "musl"
#endif
	);
#endif
}

int report_caps(bool json)
{
	_cleanup_free_ char *text = sbx_caps_format(json);
	if (!text)
		return SBX_EXIT_SETUP;
	fputs(text, stdout);
	return 0;
}

int report_doctor(bool json)
{
	_cleanup_free_ char *text = sbx_doctor_format(json);
	if (!text)
		return SBX_EXIT_SETUP;
	fputs(text, stdout);
	return 0;
}
