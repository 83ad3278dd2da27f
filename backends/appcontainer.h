/* appcontainer.h: the appcontainer plan's profile, parsed. The compiler
 * (appcontainer.c) writes the profile text; the Windows runner
 * (appcontainer_win32.c) applies the parsed form; the unit tests check that
 * the two agree. */
#ifndef SBX_APPCONTAINER_H
#define SBX_APPCONTAINER_H

#include "internal.h"

enum sbx_ac_grant { SBX_AC_READ = 0, SBX_AC_WRITE, SBX_AC_SOCKET, SBX_AC__GRANTS };

struct sbx_ac_plan {
	char *name;                  /* container name prefix */
	bool lpac;                   /* less-privileged AppContainer */
	strv cap_names, cap_sids;    /* network capabilities, in parallel */
	strv grants[SBX_AC__GRANTS]; /* paths per kind of grant */
	bool kill_on_close;
	int64_t memory;        /* bytes, 0 none */
	int64_t processes;     /* 0 none */
	double cpus;           /* cores, 0 none */
	bool child_restricted; /* no child processes (no-exec) */
	bool temp_container;   /* TEMP/TMP into the container's folder */
};

/* Parses a profile written by the appcontainer compiler. 0, -EINVAL (an
 * unknown or malformed line, named in *err: the runner refuses to run a
 * plan it does not fully understand), -ENOMEM. */
int sbx_ac_parse(const char *profile, struct sbx_ac_plan *out, sbx_error **err);
void sbx_ac_plan_free(struct sbx_ac_plan *ac);

#endif
