/* loadcheck.h: will a program's loader load libsbx-preload.so? (loadcheck.c) */
#ifndef SBX_PRELOAD_LOADCHECK_H
#define SBX_PRELOAD_LOADCHECK_H

#include <stddef.h>

/* 0 when exec'ing path with LD_PRELOAD=lib either loads lib into the new
 * image or stops it before it runs; -1 with the reason in out otherwise
 * (static, a non-glibc loader, another machine, set-id, unreadable). */
int pl_check_loadable(const char *path, const char *lib, char *out, size_t size);

#endif
