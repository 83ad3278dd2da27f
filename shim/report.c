/* report.c: --report and --keep-discarded. What the command wrote into the
 * copy-on-write views, and so threw away, is read after it ends from the
 * views' upper layers, by the supervisor, outside the sandbox.
 *
 * The layers live on the staging tmpfs (mounts.c), which init detaches
 * before the command starts; it first writes there a map ("N<TAB>DIR" per
 * view: upper layer u/N is the view of DIR) and hands the supervisor a
 * descriptor of the tmpfs's root (SHIM_MSG_STAGE). That descriptor keeps
 * the tmpfs alive after the sandbox is gone, and nothing in the sandbox
 * can reach it any more, so the walk cannot be raced from inside.
 *
 * The tree is the command's making, so it is walked by descriptor only
 * (openat with O_NOFOLLOW, never a path string): a symbolic link is
 * reported and kept as a link and never followed; only regular files are
 * read. --keep-discarded copies into DIR the same way: every directory
 * there is opened with O_NOFOLLOW from its parent's descriptor, so nothing
 * the command named can send a copy outside DIR.
 *
 * An entry is "created" (the host has nothing at that path), "changed"
 * (the host has one: a copy-up) or "deleted" (a whiteout). The whiteouts
 * and directories sbx itself made (for masks, and on the way to binds and
 * the working directory) are left out. */
#include "shim.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define REPORT_MAX 100000 /* entries listed; the count goes on */

struct entry {
	char *path;
	const char *change;
};

struct report {
	struct entry *e;
	size_t n, cap, total;
	size_t kept, kept_failed;
	int keep_fd; /* DIR, or -1 */
};

static bool sbx_made(const struct shim_config *c, const char *path, bool dir, bool whiteout)
{
	for (size_t i = 0; i < c->nmounts; i++) {
		const struct shim_mount *s = &c->mounts[i];
		if (whiteout && (s->kind == MNT_MASK || s->kind == MNT_HIDE) &&
		    path_is_beneath(s->path, path))
			return true;
		if (dir && path_is_beneath(s->path, path))
			return true;
	}
	return dir && c->chdir && path_is_beneath(c->chdir, path);
}

static void add(struct report *r, const char *path, const char *change)
{
	r->total++;
	if (r->n >= REPORT_MAX)
		return;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct entry *e = realloc(r->e, cap * sizeof(*e));
		if (!e)
			return;
		r->e = e;
		r->cap = cap;
	}
	char *p = strdup(path);
	if (p)
		r->e[r->n++] = (struct entry){p, change};
}

/* The directory for rel (a/b/c: a/b) inside DIR, made as needed; -1 when
 * something there is not a plain directory. */
static int keep_parent(int keep, const char *rel, char *last, size_t size)
{
	int fd = fcntl(keep, F_DUPFD_CLOEXEC, 3);
	const char *p = rel;
	for (;;) {
		size_t n = strcspn(p, "/");
		if (!p[n]) {
			if (n >= size) {
				if (fd >= 0)
					close(fd);
				return -1;
			}
			memcpy(last, p, n + 1);
			return fd;
		}
		char name[256];
		if (n >= sizeof(name) || fd < 0) {
			if (fd >= 0)
				close(fd);
			return -1;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		mkdirat(fd, name, 0700);
		int next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
		p += n + 1;
	}
}

static void keep_copy(struct report *r, int dirfd, const char *name, const struct stat *st,
                      const char *rel)
{
	char last[256];
	_cleanup_close_ int parent = keep_parent(r->keep_fd, rel, last, sizeof(last));
	bool ok = false;
	if (parent >= 0 && S_ISLNK(st->st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
		if (n >= 0) {
			target[n] = '\0';
			ok = symlinkat(target, parent, last) == 0;
		}
	} else if (parent >= 0 && S_ISREG(st->st_mode)) {
		_cleanup_close_ int in =
		    openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		_cleanup_close_ int out =
		    openat(parent, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		           st->st_mode & 0777);
		ok = in >= 0 && out >= 0;
		char chunk[65536];
		ssize_t n = 0;
		while (ok && (n = read(in, chunk, sizeof(chunk))) > 0)
			ok = write(out, chunk, (size_t)n) == n;
		ok = ok && n == 0;
	} else {
		return; /* a directory, whiteout, fifo or socket: listed only */
	}
	if (ok)
		r->kept++;
	else
		r->kept_failed++;
}

static void walk(const struct shim_config *c, struct report *r, int dirfd, const char *view,
                 const char *rel, int depth)
{
	if (depth > 256)
		return;
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (streq(e->d_name, ".") || streq(e->d_name, ".."))
			continue;
		char sub[4096], host[4096];
		int ls = snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		int lh = snprintf(host, sizeof(host), "%s/%s", streq(view, "/") ? "" : view, sub);
		if (ls < 0 || ls >= (int)sizeof(sub) || lh < 0 || lh >= (int)sizeof(host))
			continue;
		struct stat st;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		bool whiteout = S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
		if (S_ISDIR(st.st_mode)) {
			_cleanup_close_ int child = openat(
			    dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			size_t before = r->total;
			if (child >= 0)
				walk(c, r, child, view, sub, depth + 1);
			struct stat hs;
			/* a directory the command made, with nothing of its own in it */
			if (r->total == before && !sbx_made(c, host, true, false) &&
			    lstat(host, &hs) < 0)
				add(r, host, "created");
			continue;
		}
		if (whiteout) {
			if (!sbx_made(c, host, false, true))
				add(r, host, "deleted");
			continue;
		}
		struct stat hs;
		add(r, host, lstat(host, &hs) == 0 ? "changed" : "created");
		if (r->keep_fd >= 0)
			keep_copy(r, dirfd, e->d_name, &st, host + 1);
	}
	closedir(d);
}

static void json_str(FILE *f, const char *s)
{
	bool utf8 = utf8_valid(s);
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || (*p >= 0x80 && !utf8))
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

void shim_report_note(struct shim_denials *dn, const char *line)
{
	char sign, host[256];
	int port;
	if (sscanf(line, "%c %255s %d", &sign, host, &port) != 3 || (sign != '+' && sign != '-'))
		return;
	for (size_t i = 0; i < dn->nhosts; i++) {
		struct shim_hostcount *h = &dn->hosts[i];
		if (h->port == port && h->allowed == (sign == '+') && streq(h->host, host)) {
			h->count++;
			return;
		}
	}
	if (dn->nhosts == sizeof(dn->hosts) / sizeof(dn->hosts[0])) {
		dn->hosts_other++;
		return;
	}
	struct shim_hostcount *h = &dn->hosts[dn->nhosts++];
	snprintf(h->host, sizeof(h->host), "%s", host);
	h->port = port;
	h->allowed = sign == '+';
	h->count = 1;
}

static bool has_views(const struct shim_config *c)
{
	for (size_t i = 0; i < c->nmounts; i++)
		if (c->mounts[i].kind == MNT_COW_ROOT || c->mounts[i].kind == MNT_COW_WRITE)
			return true;
	return false;
}

static void print_report(const struct shim_config *c, const struct report *r,
                         const struct shim_denials *dn)
{
	FILE *f = stderr;
	if (!c->report) {
		if (c->keep_dir)
			fprintf(f, "%s: %zu discarded file%s kept in %s%s\n", c->prog, r->kept,
			        r->kept == 1 ? "" : "s", c->keep_dir,
			        r->kept_failed ? " (some could not be copied)" : "");
		return;
	}
	if (c->report_json) {
		fprintf(f, "{\"discarded\":[");
		for (size_t i = 0; i < r->n; i++) {
			fprintf(f, "%s{\"path\":", i ? "," : "");
			json_str(f, r->e[i].path);
			fprintf(f, ",\"change\":\"%s\"}", r->e[i].change);
		}
		fprintf(f,
		        "],\"discarded_total\":%zu,\"denied\":{\"connect\":%lu,\"exec\":%lu,"
		        "\"create\":%lu}",
		        r->total, dn->connect, dn->exec, dn->create);
		fprintf(f, ",\"kept\":");
		if (c->keep_dir)
			json_str(f, c->keep_dir);
		else
			fputs("null", f);
		fprintf(f, ",\"kept_files\":%zu,\"kept_failed\":%zu,\"connections\":[", r->kept,
		        r->kept_failed);
		for (size_t i = 0; i < dn->nhosts; i++) {
			fprintf(f, "%s{\"host\":", i ? "," : "");
			json_str(f, dn->hosts[i].host);
			fprintf(f, ",\"port\":%d,\"allowed\":%s,\"count\":%lu}", dn->hosts[i].port,
			        dn->hosts[i].allowed ? "true" : "false", dn->hosts[i].count);
		}
		fprintf(f, "]}\n");
		return;
	}
	fprintf(f, "%s: report: %zu write%s discarded", c->prog, r->total,
	        r->total == 1 ? "" : "s");
	if (!has_views(c))
		fprintf(f, " (no copy-on-write views: writes outside the writable paths were "
		           "refused, not discarded)");
	fprintf(f, "; refused: %lu unix-socket connect%s, %lu exec%s", dn->connect,
	        dn->connect == 1 ? "" : "s", dn->exec, dn->exec == 1 ? "" : "s");
	if (c->deny_create.n)
		fprintf(f, ", %lu protected name%s made", dn->create, dn->create == 1 ? "" : "s");
	fputc('\n', f);
	for (size_t i = 0; i < r->n; i++)
		fprintf(f, "  %-8s %s\n", r->e[i].change, r->e[i].path);
	if (r->total > r->n)
		fprintf(f, "  ... and %zu more\n", r->total - r->n);
	if (c->proxy_port)
		fprintf(f, "%s: report: the allowlist proxy was asked for %zu host%s\n", c->prog,
		        dn->nhosts, dn->nhosts == 1 ? "" : "s");
	for (size_t i = 0; i < dn->nhosts; i++)
		fprintf(f, "  %-8s %s:%d (%lu)\n", dn->hosts[i].allowed ? "allowed" : "refused",
		        dn->hosts[i].host, dn->hosts[i].port, dn->hosts[i].count);
	if (dn->hosts_other)
		fprintf(f, "  ... and %lu more\n", dn->hosts_other);
	if (c->keep_dir)
		fprintf(f, "%s: report: %zu file%s kept in %s%s\n", c->prog, r->kept,
		        r->kept == 1 ? "" : "s", c->keep_dir,
		        r->kept_failed ? " (some could not be copied)" : "");
}

/* DIR, made when missing, opened without following a link on the way. */
static int open_keep_dir(const struct shim_config *c)
{
	if (mkdir(c->keep_dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "%s: --keep-discarded %s: %s\n", c->prog, c->keep_dir,
		        strerror(errno));
		return -1;
	}
	int fd = shim_open_nolinks(c->keep_dir);
	if (fd < 0) {
		fprintf(stderr, "%s: --keep-discarded %s: %s\n", c->prog, c->keep_dir,
		        strerror(errno));
		return -1;
	}
	char at[64];
	snprintf(at, sizeof(at), "/proc/self/fd/%d", fd);
	int dir = open(at, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(fd);
	if (dir < 0) {
		fprintf(stderr, "%s: --keep-discarded %s: %s\n", c->prog, c->keep_dir,
		        strerror(errno));
		return -1;
	}
	/* empty when the run began (sbx-exec checked): anything in it now was
	 * put there by the sandbox, and nothing is mixed with it */
	int probe = fcntl(dir, F_DUPFD_CLOEXEC, 3);
	DIR *d = probe >= 0 ? fdopendir(probe) : NULL;
	bool empty = d != NULL;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (!streq(e->d_name, ".") && !streq(e->d_name, ".."))
			empty = false;
	if (d)
		closedir(d);
	else if (probe >= 0)
		close(probe);
	if (!empty) {
		fprintf(stderr,
		        "%s: --keep-discarded %s: no longer empty (written during the run); "
		        "nothing kept\n",
		        c->prog, c->keep_dir);
		close(dir);
		return -1;
	}
	return dir;
}

void shim_report(const struct shim_config *c, int stage, const struct shim_denials *dn)
{
	struct report r = {.keep_fd = -1};
	if (c->keep_dir)
		r.keep_fd = open_keep_dir(c);
	if (stage >= 0) {
		char at[64];
		snprintf(at, sizeof(at), "/proc/self/fd/%d", stage);
		_cleanup_close_ int root = open(at, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		_cleanup_close_ int mapfd =
		    root < 0 ? -1 : openat(root, "views", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		FILE *map = mapfd >= 0 ? fdopen(mapfd, "re") : NULL;
		if (map)
			mapfd = -1; /* the FILE has it */
		char line[4200];
		while (map && fgets(line, sizeof(line), map)) {
			line[strcspn(line, "\n")] = '\0';
			char *tab = strchr(line, '\t');
			if (!tab)
				continue;
			*tab = '\0';
			char up[64];
			if (strlen(line) > 20)
				continue;
			snprintf(up, sizeof(up), "u/%.20s", line);
			_cleanup_close_ int u =
			    openat(root, up, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (u >= 0)
				walk(c, &r, u, tab + 1, "", 0);
		}
		if (map)
			fclose(map);
	}
	print_report(c, &r, dn);
	for (size_t i = 0; i < r.n; i++)
		free(r.e[i].path);
	free(r.e);
	if (r.keep_fd >= 0)
		close(r.keep_fd);
}
