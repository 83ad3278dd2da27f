/* paths.c: how the paths of a policy become host paths: the home directory
 * "~" stands for, the working directory, and kernel-faithful resolution of
 * granted and denied paths.
 *
 * Granted paths (writable, readable, allow-socket, the temp dir) must not
 * pass through a symbolic link the user did not name: a link planted by an
 * earlier sandboxed run (`W/out -> /elsewhere`) would otherwise turn the
 * next run's grant of W/out into a grant of /elsewhere (the flatpak
 * CVE-2024-42472 class). Only links of the system's own layout are
 * followed (owned by root, in a root-owned directory nobody else can write,
 * in /, /var, /usr or /etc: /var/run -> /run, /lib -> usr/lib); any other
 * link is refused with its target, so the user can name that instead.
 *
 * Denied paths follow links the way the kernel does, component by
 * component ("l/../secret" is the parent of l's target, not ./secret), and
 * the denial applies to what they lead to. */
#include "internal.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#ifndef _WIN32
/* The home directory from /etc/passwd for uid, malloc'd, or NULL. Parsed
 * here rather than with getpwuid(): the static executables cannot load
 * NSS modules. */
static char *passwd_home(unsigned uid)
{
	FILE *f = fopen("/etc/passwd", "re");
	if (!f)
		return NULL;
	char line[1024];
	char *home = NULL;
	while (!home && fgets(line, sizeof(line), f)) {
		char *field[7] = {0};
		char *p = line;
		int n = 0;
		for (; n < 7 && p; n++) {
			field[n] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		if (n < 6 || !field[2][0])
			continue;
		char *end = NULL;
		unsigned long u = strtoul(field[2], &end, 10);
		if (*end || u != uid || field[5][0] != '/')
			continue;
		home = strdup(field[5]);
	}
	fclose(f);
	return home;
}
#endif

const char *sbx_home(bool *from_passwd)
{
	if (from_passwd)
		*from_passwd = false;
	const char *h = getenv("HOME");
	if (h && h[0] == '/')
		return h;
#ifdef _WIN32
	/* The shells that set HOME on Windows are the exception; the profile
	 * directory is what Windows itself calls the home. */
	if (h && *h)
		return h;
	h = getenv("USERPROFILE");
	return h && *h ? h : NULL;
#else
	static char *cached;
	if (!cached)
		cached = passwd_home((unsigned)getuid());
	if (cached && from_passwd)
		*from_passwd = true;
	return cached;
#endif
}

int sbx_expand_home(const char *value, char **out)
{
	*out = NULL;
	if (value[0] != '~' || (value[1] != '/' && value[1] != '\0')) {
		*out = strdup(value);
		return *out ? 0 : -ENOMEM;
	}
	const char *home = sbx_home(NULL);
	if (!home)
		return -ENOENT;
	/* (by hand: the profiles expand some forty, and printf is slow) */
	size_t h = strlen(home), v = strlen(value + 1);
	if (!(*out = malloc(h + v + 1)))
		return -ENOMEM;
	memcpy(*out, home, h);
	memcpy(*out + h, value + 1, v + 1);
	return 0;
}

int sbx_working_dir(const sbx_spec *s, char **out, sbx_error **err)
{
	*out = NULL;
	const char *d = sbx_spec_dir(s);
	if (d && d[0] == '/') {
		*out = path_join_normalize("/", d);
		return *out ? 0 : -ENOMEM;
	}
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		return sbx_err_errno(
		    err, -errno,
		    "cannot resolve the working directory (was it deleted or moved?): getcwd");
#ifndef _WIN32
	/* getcwd() can answer "(unreachable)/..." for a directory outside the
	 * root (a cwd inherited across chroot or pivot_root). */
	if (cwd[0] != '/')
		return sbx_err(err, -ENOENT,
		               "the working directory is outside this process's root (%s)", cwd);
#endif
	*out = path_join_normalize(cwd, d ? d : ".");
	return *out ? 0 : -ENOMEM;
}

#ifndef _WIN32
/* The directories whose own symlinks are the system's layout. */
static bool system_dir(const char *dir)
{
	return streq(dir, "/") || streq(dir, "/var") || path_is_beneath(dir, "/usr") ||
	       path_is_beneath(dir, "/etc");
}

/* Is the symlink at link (whose parent, resolved, is parent) part of the
 * system's layout? */
static bool trusted_link(const struct sbx_fs *fs, const char *link, const char *parent)
{
	struct stat l, d;
	if (fs->lstat(link, &l) < 0 || fs->stat(parent, &d) < 0)
		return false;
	return l.st_uid == 0 && d.st_uid == 0 && !(d.st_mode & (S_IWGRP | S_IWOTH)) &&
	       system_dir(parent);
}
#endif

/* raw: dir joined with p without touching "..", so the kernel's order of
 * following links and then ".." is kept. */
static char *join_raw(const char *dir, const char *p)
{
#ifdef _WIN32
	return path_join_normalize(dir, p);
#else
	char *out = NULL;
	if (p[0] == '/')
		return strdup(p);
	if (asprintf(&out, "%s/%s", dir, p) < 0)
		return NULL;
	return out;
#endif
}

/* Resolves raw as the kernel would: the longest existing prefix through
 * realpath(3), the missing rest appended lexically. malloc'd or NULL. */
static char *resolve_raw(const struct sbx_fs *fs, char *raw)
{
	char real[PATH_MAX];
	if (fs->realpath(raw, real))
		return strdup(real);
#ifdef _WIN32
	return strdup(raw);
#else
	for (size_t cut = strlen(raw); cut > 0;) {
		while (cut > 0 && raw[cut] != '/')
			cut--;
		if (cut == 0)
			break;
		raw[cut] = '\0';
		bool ok = fs->realpath(raw, real) != NULL;
		raw[cut] = '/';
		if (ok)
			return path_join_normalize(real, raw + cut + 1);
		cut--;
	}
	return path_join_normalize("/", raw);
#endif
}

char *sbx_resolve_path(const struct sbx_fs *fs, const char *dir, const char *p)
{
	_cleanup_free_ char *raw = join_raw(dir, p);
	return raw ? resolve_raw(fs, raw) : NULL;
}

int sbx_resolve_grant(const struct sbx_fs *fs, const char *what, const char *dir, const char *p,
                      char **out, sbx_error **err)
{
	*out = NULL;
	_cleanup_free_ char *raw = join_raw(dir, p);
	if (!raw)
		return -ENOMEM;
#ifndef _WIN32
	/* Each component in order: lstat of a prefix follows the links before
	 * it, which were checked already. */
	for (size_t i = 1, len = strlen(raw); i <= len; i++) {
		if (raw[i] != '/' && raw[i] != '\0')
			continue;
		char save = raw[i];
		raw[i] = '\0';
		const char *last = strrchr(raw, '/') + 1;
		struct stat st;
		bool link = *last && !streq(last, ".") && !streq(last, "..") &&
		            fs->lstat(raw, &st) == 0 && S_ISLNK(st.st_mode);
		if (link) {
			_cleanup_free_ char *parent = strndup(raw, (size_t)(last - raw));
			_cleanup_free_ char *rparent = parent ? resolve_raw(fs, parent) : NULL;
			if (!rparent)
				return -ENOMEM;
			if (!trusted_link(fs, raw, rparent)) {
				char target[PATH_MAX];
				ssize_t n = fs->readlink(raw, target, sizeof(target) - 1);
				target[n > 0 ? n : 0] = '\0';
				_cleanup_free_ char *to = resolve_raw(fs, raw);
				int r = sbx_err(err, -ELOOP,
				                "%s %s goes through the symbolic link %s (-> %s); "
				                "name the real path%s%s instead",
				                what, p, raw, target, to ? " " : "", to ? to : "");
				raw[i] = save;
				return r;
			}
		}
		raw[i] = save;
	}
#else
	(void)what;
	(void)err;
#endif
	*out = resolve_raw(fs, raw);
	return *out ? 0 : -ENOMEM;
}
