/* match.c: the allow/deny decision on a resolved path. Pure apart from
 * getpid (to recognise /proc/<pid> as /proc/self). */
#include "preload.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* "/proc/<our pid>/..." is also known as "/proc/self/...". */
static const char *proc_self_alias(const char *path, char *buf)
{
	if (strncmp(path, "/proc/", 6) != 0 || path[6] < '0' || path[6] > '9')
		return NULL;
	const char *p = path + 6;
	long v = 0;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (*p++ - '0');
	if ((*p != '/' && *p) || v != (long)syscall(SYS_getpid))
		return NULL;
	if (strlen(p) + sizeof("/proc/self") > PATH_MAX)
		return NULL;
	strcpy(buf, "/proc/self");
	strcat(buf, p);
	return buf;
}

static bool any_beneath(const struct pr_list *l, const char *path, const char *alias)
{
	for (size_t i = 0; i < l->n; i++)
		if (pr_beneath(path, l->v[i]) || (alias && pr_beneath(alias, l->v[i])))
			return true;
	return false;
}

int pr_decide(const struct pr_config *c, unsigned ops, const char *path)
{
	char buf[PATH_MAX];
	const char *alias = proc_self_alias(path, buf);
	if (!c->valid)
		return EACCES;
	if (any_beneath(&c->read_deny, path, alias))
		return EACCES;
	bool w = any_beneath(&c->writable, path, alias);
	if ((ops & PR_READ) && c->read_scope && !w && !any_beneath(&c->readable, path, alias))
		return EACCES;
	if ((ops & PR_WRITE) && c->write_scope && !w)
		return EACCES;
	if ((ops & PR_CONNECT) && c->write_scope && !w && !any_beneath(&c->sockets, path, alias))
		return EACCES;
	return 0;
}
