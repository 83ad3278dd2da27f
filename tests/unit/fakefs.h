/* fakefs.h: a made-up filesystem for struct sbx_fs, so a compile can be
 * tested against files no host has (a home under /home/alice, a socket in
 * /run, a planted link). A table of nodes by absolute path; a directory
 * that is an ancestor of a node exists too (root's, 0755). Links resolve
 * as the kernel resolves them: each component in turn, a link's target
 * (absolute, or against the link's directory) and then the rest. */
#ifndef SBX_TEST_FAKEFS_H
#define SBX_TEST_FAKEFS_H

#include "internal.h"

#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

struct fake_node {
	const char *path;
	mode_t mode;        /* S_IFREG | 0644 and so on */
	const char *target; /* a link's */
	unsigned uid;
	const char *interp; /* what the kernel would load for a program */
};

static const struct fake_node *fake_nodes;
static size_t fake_count;

static void fakefs_use(const struct fake_node *nodes, size_t n)
{
	fake_nodes = nodes;
	fake_count = n;
}

/* The node at path exactly (no link followed), or an implicit directory
 * (*implicit set) when path is an ancestor of one; NULL when neither. */
static const struct fake_node *fake_at(const char *path, struct fake_node *implicit)
{
	if (streq(path, "/")) {
		*implicit = (struct fake_node){.path = "/", .mode = S_IFDIR | 0755};
		return implicit;
	}
	for (size_t i = 0; i < fake_count; i++)
		if (streq(fake_nodes[i].path, path))
			return &fake_nodes[i];
	for (size_t i = 0; i < fake_count; i++)
		if (path_is_beneath(fake_nodes[i].path, path)) {
			*implicit = (struct fake_node){.path = path, .mode = S_IFDIR | 0755};
			return implicit;
		}
	return NULL;
}

/* Resolves path into out (PATH_MAX): every link followed, the last one
 * too when follow_last. 0, or -1 with errno (ENOENT, ELOOP, ENOTDIR). */
static int fake_resolve(const char *path, bool follow_last, char *out, int hops)
{
	if (hops > 40) {
		errno = ELOOP;
		return -1;
	}
	char cur[PATH_MAX] = "/";
	const char *p = path;
	if (*p != '/') {
		errno = ENOENT;
		return -1;
	}
	while (*p) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (!n)
			break;
		char comp[NAME_MAX + 1];
		snprintf(comp, sizeof(comp), "%.*s", (int)n, p);
		p += n;
		bool last = strspn(p, "/") == strlen(p);
		if (streq(comp, "."))
			continue;
		if (streq(comp, "..")) {
			char *s = strrchr(cur, '/');
			if (s && s != cur)
				*s = '\0';
			else
				strcpy(cur, "/");
			continue;
		}
		char next[PATH_MAX];
		if (snprintf(next, sizeof(next), "%s%s%s", cur, streq(cur, "/") ? "" : "/", comp) >=
		    (int)sizeof(next)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		struct fake_node imp;
		const struct fake_node *node = fake_at(next, &imp);
		if (!node) {
			errno = ENOENT;
			return -1;
		}
		if (S_ISLNK(node->mode) && (!last || follow_last)) {
			char rest[PATH_MAX];
			int w =
			    node->target[0] == '/'
			        ? snprintf(rest, sizeof(rest), "%s/%s", node->target, p)
			        : snprintf(rest, sizeof(rest), "%s/%s/%s", cur, node->target, p);
			if (w >= (int)sizeof(rest)) {
				errno = ENAMETOOLONG;
				return -1;
			}
			return fake_resolve(rest, follow_last, out, hops + 1);
		}
		if (!last && !S_ISDIR(node->mode)) {
			errno = ENOTDIR;
			return -1;
		}
		snprintf(cur, sizeof(cur), "%s", next);
	}
	snprintf(out, PATH_MAX, "%s", cur);
	return 0;
}

static int fake_fill(const char *path, bool follow, struct stat *st)
{
	char real[PATH_MAX];
	struct fake_node imp;
	const struct fake_node *node;
	if (fake_resolve(path, follow, real, 0) < 0)
		return -1;
	if (!(node = fake_at(real, &imp))) {
		errno = ENOENT;
		return -1;
	}
	*st = (struct stat){
	    .st_mode = node->mode, .st_uid = node->uid, .st_ino = 1 + (ino_t)(node - fake_nodes)};
	return 0;
}

static int fake_lstat(const char *path, struct stat *st)
{
	return fake_fill(path, false, st);
}

static int fake_stat(const char *path, struct stat *st)
{
	return fake_fill(path, true, st);
}

static int fake_access(const char *path, int mode)
{
	struct stat st;
	if (fake_stat(path, &st) < 0)
		return -1;
	if ((mode & X_OK) && !(st.st_mode & 0111)) {
		errno = EACCES;
		return -1;
	}
	return 0;
}

static char *fake_realpath(const char *path, char *out)
{
	struct stat st;
	if (fake_resolve(path, true, out, 0) < 0 || fake_stat(out, &st) < 0)
		return NULL;
	return out;
}

static ssize_t fake_readlink(const char *path, char *dst, size_t size)
{
	char real[PATH_MAX];
	struct fake_node imp;
	const struct fake_node *node;
	if (fake_resolve(path, false, real, 0) < 0 || !(node = fake_at(real, &imp)))
		return -1;
	if (!S_ISLNK(node->mode)) {
		errno = EINVAL;
		return -1;
	}
	size_t n = strlen(node->target);
	n = n < size ? n : size;
	memcpy(dst, node->target, n);
	return (ssize_t)n;
}

static int fake_empty_dir(const char *path)
{
	char real[PATH_MAX];
	if (fake_resolve(path, true, real, 0) < 0)
		return -1;
	for (size_t i = 0; i < fake_count; i++)
		if (path_is_beneath(fake_nodes[i].path, real) && !streq(fake_nodes[i].path, real))
			return 0;
	return 1;
}

static char *fake_interpreter(const char *path)
{
	char real[PATH_MAX];
	struct fake_node imp;
	const struct fake_node *node;
	if (fake_resolve(path, true, real, 0) < 0 || !(node = fake_at(real, &imp)) || !node->interp)
		return NULL;
	return strdup(node->interp);
}

static const struct sbx_fs fakefs = {
    .lstat = fake_lstat,
    .stat = fake_stat,
    .access = fake_access,
    .realpath = fake_realpath,
    .readlink = fake_readlink,
    .empty_dir = fake_empty_dir,
    .interpreter = fake_interpreter,
};

#endif
