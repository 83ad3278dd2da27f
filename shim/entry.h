/* entry.h: sbx-shim's one entry point, for the programs that run it in
 * process (sbx-exec runs a landlock plan's argv this way: one exec less
 * per sandboxed command). Everything else of the shim stays inside it. */
#ifndef SBX_SHIM_ENTRY_H
#define SBX_SHIM_ENTRY_H

/* Parses argv as sbx-shim's command line and runs it: returns the exit
 * status to report (the command's own, 124, 125, 126, 127), or does not
 * return when the command died of a signal (it dies the same way). prog
 * names the program in messages. */
int shim_main(const char *prog, int argc, char **argv, char **envp);

/* sbx-exec's, when the plan was compiled with user namespaces not yet
 * tried (lib/host.c, sbx_host_defer_userns): if the clone that makes the
 * sandbox is refused, shim_main returns SHIM_RETRY_USERNS instead of 125,
 * having said nothing and started nothing, for sbx-exec to compile the
 * plan again with what the host really allows. Once per process. */
#define SHIM_RETRY_USERNS 1000
void shim_defer_userns(void);

#ifdef __linux__
#include <stdint.h>
#include <sys/types.h>

/* --reuse (shim/reuse.c, launcher/reuse.c): one sandbox, built by the
 * first command of a parent process (a make), runs that parent's later
 * commands of the same plan. The client (sbx-exec) and the sandbox talk
 * over a unix stream socket: the request, then 8-byte messages. */
#define SBX_REUSE_MAGIC    0x73627831u
#define SBX_REUSE_MAX_FDS  64
#define SBX_REUSE_MAX_SIZE (64u << 20) /* the request's strings, at most */
#define SBX_REUSE_NRLIMITS 16          /* RLIMIT_CPU ... RLIMIT_RTTIME */
struct sbx_reuse_req {
	uint32_t magic;
	uint32_t size;                    /* bytes of strings after this header */
	uint32_t nopts, nargv, nenv;      /* the plan's argv up to "--", the command, its env */
	uint32_t nfds;                    /* descriptors sent with the header (SCM_RIGHTS) */
	int32_t fdnum[SBX_REUSE_MAX_FDS]; /* the number each one has in the client */
	uint32_t umask;
	uint64_t sig_ignored, sig_blocked;                                   /* bit n-1: signal n */
	uint64_t rlim_cur[SBX_REUSE_NRLIMITS], rlim_max[SBX_REUSE_NRLIMITS]; /* getrlimit's */
	uint64_t cwd_dev, cwd_ino; /* the plan's --chdir directory on the host, now (0: none) */
};
enum sbx_reuse_type {
	SBX_REUSE_REFUSED = 1, /* sandbox -> client: not this plan; nothing ran */
	SBX_REUSE_STARTED,     /* sandbox -> client: the command's process exists */
	SBX_REUSE_EXIT,        /* sandbox -> client: its wait status */
	SBX_REUSE_SIGNAL,      /* client -> sandbox: pass signal value on */
};
struct sbx_reuse_msg {
	int32_t type, value;
};
/* Serves: argc/argv is the plan's sbx-shim command line (its command is
 * not run), lfd the bound and listening socket at path, parent_fd a pidfd
 * of the parent process whose commands it runs (pid parent). Returns when
 * that parent is gone or the sandbox ended; the exit status. */
int shim_serve(const char *prog, int argc, char **argv, char **envp, int lfd, const char *path,
               pid_t parent, int parent_fd);
/* The warning about a watched name (--watch-created) that appeared. */
void shim_warn_created(const char *prog, const char *path);
#endif

#endif
