/* setid.c: tries every way to give a file the setuid or setgid bit.
 *   setid DIR   for each call, makes DIR/<call> and prints "<call> ok" when
 *               the file ended up with S_ISUID or S_ISGID, "<call> refused"
 *               otherwise (chmod, fchmod, fchmodat, fchmodat2, a create
 *               mode of open, openat, creat, mknod and O_TMPFILE, and
 *               chmod g+s) */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *dir;

static void report(const char *call)
{
	char p[4096];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, call);
	bool set = stat(p, &st) == 0 && (st.st_mode & (S_ISUID | S_ISGID));
	printf("%s %s\n", call, set ? "ok" : "refused");
}

static int plain(const char *call, char *p, size_t n)
{
	snprintf(p, n, "%s/%s", dir, call);
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	if (fd >= 0)
		close(fd);
	return fd < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	dir = argv[1];
	char p[4096];
	if (plain("chmod", p, sizeof(p)) == 0)
		chmod(p, 04755);
	report("chmod");
	if (plain("chmod-gid", p, sizeof(p)) == 0)
		chmod(p, 02755);
	report("chmod-gid");
	if (plain("fchmod", p, sizeof(p)) == 0) {
		int fd = open(p, O_RDONLY);
		fchmod(fd, 04755);
		close(fd);
	}
	report("fchmod");
	if (plain("fchmodat", p, sizeof(p)) == 0)
		fchmodat(AT_FDCWD, p, 04755, 0);
	report("fchmodat");
	if (plain("fchmodat2", p, sizeof(p)) == 0)
		syscall(452, AT_FDCWD, p, 04755, 0);
	report("fchmodat2");
	snprintf(p, sizeof(p), "%s/open", dir);
	umask(0);
	int fd = (int)syscall(SYS_open, p, O_CREAT | O_WRONLY, 04755);
	if (fd >= 0)
		close(fd);
	report("open");
	snprintf(p, sizeof(p), "%s/openat", dir);
	fd = openat(AT_FDCWD, p, O_CREAT | O_WRONLY, 04755);
	if (fd >= 0)
		close(fd);
	report("openat");
	snprintf(p, sizeof(p), "%s/creat", dir);
	fd = creat(p, 04755);
	if (fd >= 0)
		close(fd);
	report("creat");
	snprintf(p, sizeof(p), "%s/mknod", dir);
	mknod(p, S_IFREG | 04755, 0);
	report("mknod");
	/* a nameless file made with the bit, named afterwards */
	fd = open(dir, O_TMPFILE | O_WRONLY, 04755);
	if (fd >= 0) {
		char proc[64];
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		snprintf(p, sizeof(p), "%s/tmpfile", dir);
		linkat(AT_FDCWD, proc, AT_FDCWD, p, AT_SYMLINK_FOLLOW);
		close(fd);
	}
	report("tmpfile");
	return 0;
}
