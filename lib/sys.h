/* sys.h: the helpers that touch the system (sys.c), beside util.h's pure
 * ones. No sbx types, no allocation. */
#ifndef SBX_SYS_H
#define SBX_SYS_H

#include "util.h"

#include <sys/types.h>

/* realpath(3) into out (PATH_MAX bytes), or NULL with errno. On Linux in
 * three system calls (an O_PATH open named by /proc/self/fd), where
 * glibc's asks readlink of every component; realpath(3) without /proc. */
char *sbx_realpath(const char *path, char *out);
/* Finds the program name as execvp(3) and the shell do: a name holding a
 * '/' is taken as it is; else each entry of path in turn (an empty one is
 * the working directory; path NULL: /usr/local/bin:/usr/bin:/bin), the
 * first executable regular file. Writes it to out (size bytes). 0; -ENOENT
 * when none is there; -EACCES when only things that cannot be run were
 * (a directory, a file without execute permission): the shell's 127 and
 * 126. No allocation (the shim calls it after fork). POSIX only. */
int path_search(const char *name, const char *path, char *out, size_t size);
#ifndef _WIN32
struct stat;
/* path_search passing over the file skip (an exec shim looking for the
 * program it stands in for). */
int path_search_except(const char *name, const char *path, const struct stat *skip, char *out,
                       size_t size);
/* The same rule with these calls standing for stat(2) and access(2) (a
 * compile asks a host's filesystem through them). */
int path_search_with(const char *name, const char *path, const struct stat *skip,
                     int (*stat_fn)(const char *, struct stat *),
                     int (*access_fn)(const char *, int), char *out, size_t size);
#endif

#ifndef _WIN32
/* /proc/PID/stat read into text: the fields after the command's name
 * (which may hold anything, ')' too), from the state on; NULL when it
 * cannot be read. */
const char *sbx_proc_stat(pid_t pid, char *text, size_t size);
/* Writes text to an existing file (a /proc or /sys file) at once. 0 or
 * -errno. */
int sbx_write_existing(const char *path, const char *text);
/* mkdir -p: the directories on the way 0755, the last mode (before the
 * umask); an existing directory is fine. 0 or -errno (-ENOTDIR when a
 * file is there). */
int sbx_mkdir_p(const char *path, mode_t mode);
/* Starts argv (looked up on PATH) with stdin and stderr on /dev/null and
 * stdout on out (-1: /dev/null too). The pid, or -1 with errno. */
pid_t sbx_spawn_quiet(char *const argv[], int out);
/* sbx_spawn_quiet and waits: the wait status, or -errno. */
int sbx_run_quiet(char *const argv[]);
#endif

#ifdef __linux__
/* A memfd holding data, sealed against every change (SEAL, WRITE, GROW,
 * SHRINK); close-on-exec or inherited. The descriptor, or -errno. */
int sbx_memfd_sealed(const char *name, const char *data, size_t len, bool cloexec);
#endif

#ifdef __linux__
#include <stdint.h>
/* The calling thread's effective capabilities (capget: no parsing of
 * /proc/self/status), bit n for capability n. 0, or -1 with errno. */
int sbx_effective_caps(uint64_t *caps);
#endif

#endif
