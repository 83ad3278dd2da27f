/* config.c: parses the policy text the launcher seals into a memfd (format
 * in preload/README.md). Pure and allocation-free: the caller provides the
 * buffer and the slots. Anything unexpected makes the whole config invalid,
 * which the library turns into "every guarded call fails". */
#include "preload.h"

#include <errno.h>
#include <string.h>

bool pr_path_is_normal(const char *p)
{
	size_t n = strlen(p);
	if (p[0] != '/' || n >= PATH_MAX)
		return false;
	if (n == 1)
		return true;
	if (p[n - 1] == '/')
		return false;
	for (const char *s = p; *s; s++) {
		if (*s != '/')
			continue;
		const char *c = s + 1;
		size_t len = strcspn(c, "/");
		if (len == 0 || (len == 1 && c[0] == '.') ||
		    (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
	}
	return true;
}

static int push(struct pr_list *l, const char *v, const char **slots, size_t nslots, size_t *used)
{
	if (*used >= nslots)
		return -E2BIG;
	/* Each list is contiguous: lists are filled in the order the keys
	 * appear, so a list may only grow while it is the last one started. */
	if (l->n && l->v + l->n != slots + *used)
		return -EINVAL;
	if (!l->n)
		l->v = slots + *used;
	slots[(*used)++] = v;
	l->n++;
	return 0;
}

static int parse_line(struct pr_config *c, char *line, const char **slots, size_t nslots,
                      size_t *used)
{
	static const struct {
		const char *key;
		size_t off;
	} lists[] = {
	    {"read-deny", offsetof(struct pr_config, read_deny)},
	    {"read", offsetof(struct pr_config, readable)},
	    {"write", offsetof(struct pr_config, writable)},
	    {"socket", offsetof(struct pr_config, sockets)},
	};
	if (strcmp(line, "no-exec") == 0 && !c->no_exec)
		return c->no_exec = true, 0;
	if (strcmp(line, "read-scope") == 0 && !c->read_scope)
		return c->read_scope = true, 0;
	if (strcmp(line, "write-scope") == 0 && !c->write_scope)
		return c->write_scope = true, 0;
	char *sp = strchr(line, ' ');
	if (!sp)
		return -EINVAL;
	*sp = '\0';
	const char *val = sp + 1;
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		if (strcmp(line, lists[i].key) != 0)
			continue;
		if (!pr_path_is_normal(val))
			return -EINVAL;
		return push((struct pr_list *)((char *)c + lists[i].off), val, slots, nslots, used);
	}
	return -EINVAL;
}

int pr_config_parse(struct pr_config *c, char *text, size_t len, const char **slots, size_t nslots)
{
	*c = (struct pr_config){0};
	if (len == 0 || text[len - 1] != '\n' || memchr(text, '\0', len))
		return -EINVAL;
	size_t used = 0;
	bool ended = false;
	char *p = text, *end = text + len;
	for (int lineno = 0; p < end; lineno++) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		*nl = '\0';
		int r = 0;
		if (ended)
			r = -EINVAL; /* nothing may follow "end" */
		else if (lineno == 0)
			r = strcmp(p, PR_MAGIC) == 0 ? 0 : -EINVAL;
		else if (strcmp(p, "end") == 0)
			ended = true;
		else
			r = parse_line(c, p, slots, nslots, &used);
		if (r < 0) {
			*c = (struct pr_config){0};
			return r;
		}
		p = nl + 1;
	}
	if (!ended) {
		*c = (struct pr_config){0};
		return -EINVAL;
	}
	c->valid = true;
	return 0;
}
