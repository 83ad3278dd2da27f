/* outer.c: asking the sandbox this process runs in what it enforces, for
 * nested runs (the answer and why it cannot be forged: shim/outer.c). */
#include "internal.h"

#ifdef __linux__
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>

#define MAX_DESCRIPTION (256 * 1024)

void sbx_outer_free(struct sbx_outer *o)
{
	if (!o)
		return;
	strv_clear(&o->read);
	strv_clear(&o->write);
	strv_clear(&o->view);
	strv_clear(&o->deny);
	strv_clear(&o->redact);
	free(o);
}

static int parse_line(struct sbx_outer *o, char *line)
{
	char *val = strchr(line, ' ');
	if (!val)
		return streq(line, "end") ? 1 : -1;
	*val++ = '\0';
	if (streq(line, "net"))
		return sbx_net_from_name(val, &o->net);
	if (streq(line, "no-exec") || streq(line, "ipc") || streq(line, "read-all")) {
		bool *b = streq(line, "no-exec") ? &o->no_exec
		          : streq(line, "ipc")   ? &o->ipc
		                                 : &o->read_all;
		*b = streq(val, "1");
		return streq(val, "1") || streq(val, "0") ? 0 : -1;
	}
	strv *list = streq(line, "read")     ? &o->read
	             : streq(line, "write")  ? &o->write
	             : streq(line, "view")   ? &o->view
	             : streq(line, "deny")   ? &o->deny
	             : streq(line, "redact") ? &o->redact
	                                     : NULL;
	if (list)
		return val[0] == '/' && strv_push(list, val) == 0 ? 0 : -1;
	if (streq(line, "memory") || streq(line, "pids")) {
		char *end = NULL;
		long long n = strtoll(val, &end, 10);
		if (*end || n <= 0)
			return -1;
		*(streq(line, "memory") ? &o->memory : &o->pids) = n;
		return 0;
	}
	if (streq(line, "cpus")) {
		char *end = NULL;
		o->cpus = strtod(val, &end);
		return *end || o->cpus <= 0 ? -1 : 0;
	}
	return -1; /* a newer outer: not understood, so not trusted */
}

static struct sbx_outer *parse(char *text)
{
	struct sbx_outer *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	char *save = NULL;
	char *line = strtok_r(text, "\n", &save);
	if (!line || !streq(line, "sbx-outer 1"))
		goto bad;
	while ((line = strtok_r(NULL, "\n", &save))) {
		int r = parse_line(o, line);
		if (r < 0)
			goto bad;
		if (r == 1)
			return o;
	}
bad:
	sbx_outer_free(o);
	return NULL;
}

struct sbx_outer *sbx_outer_query(void)
{
	_cleanup_close_ int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return NULL;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	size_t n = strlen(SBX_OUTER_NAME);
	memcpy(a.sun_path + 1, SBX_OUTER_NAME, n);
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	/* Only an outer sbx init makes connect() return a descriptor. */
	int fd = connect(s, (struct sockaddr *)&a, len);
	if (fd <= 0 || fd == s)
		return NULL;
	_cleanup_close_ int d = fd;
	int seals = fcntl(d, F_GET_SEALS);
	int want = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL;
	if (seals < 0 || (seals & want) != want)
		return NULL;
	_cleanup_free_ char *text = malloc(MAX_DESCRIPTION + 1);
	if (!text)
		return NULL;
	ssize_t got = pread(d, text, MAX_DESCRIPTION, 0);
	if (got <= 0 || got == MAX_DESCRIPTION)
		return NULL;
	text[got] = '\0';
	return parse(text);
}
#else
struct sbx_outer *sbx_outer_query(void)
{
	return NULL;
}
void sbx_outer_free(struct sbx_outer *o)
{
	(void)o;
}
#endif
