/* util.h: small pure helpers shared by libsbx, sbx-exec and sbx-shim:
 * cleanup attributes, NULL-terminated string vectors, a growable buffer. */
#ifndef SBX_UTIL_H
#define SBX_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p)
{
	free(*(void **)p);
}
static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
#define _cleanup_free_  _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)

static inline void *steal_ptr(void *pp)
{
	void **p = (void **)pp;
	void *v = *p;
	*p = NULL;
	return v;
}
#define steal_pointer(pp) ((__typeof__(*(pp)))steal_ptr(pp))

static inline int steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The abstract unix name a nested run connects to for the outer sandbox's
 * description (shim/outer.c answers, lib/outer.c asks). */
#define SBX_OUTER_NAME "sbx-outer-v1"

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}
static inline bool startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A growable NULL-terminated vector of owned strings. A zeroed strv is empty. */
typedef struct strv {
	char **v;
	size_t n, cap;
} strv;

int strv_push(strv *s, const char *str); /* copies; 0 or -ENOMEM */
int strv_take(strv *s, char *str);       /* takes ownership (freed on failure) */
int strv_pushf(strv *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strv_extend(strv *s, char *const *v); /* copies each; v may be NULL */
void strv_clear(strv *s);
bool strv_contains(const strv *s, const char *str);
/* Frees entry i and closes the gap (i < s->n). */
void strv_remove(strv *s, size_t i);
/* The vector, NULL-terminated, never NULL (an empty static vector). */
char *const *strv_get(const strv *s);
static inline void strv_clearp(strv *s)
{
	strv_clear(s);
}
#define _cleanup_strv_ _cleanup_(strv_clearp)

/* A growable byte buffer, always NUL-terminated once anything is added. */
typedef struct buf {
	char *s;
	size_t len, cap;
	bool oom; /* set when an append failed; the content is then incomplete */
} buf;

void buf_add(buf *b, const char *s);
void buf_addn(buf *b, const char *s, size_t n);
void buf_addc(buf *b, char c);
void buf_addf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(buf *b, const char *fmt, va_list ap);
/* Appends s quoted for a POSIX shell when it needs quoting. */
void buf_add_shell_quoted(buf *b, const char *s);
/* Appends s with control characters escaped (\n, \t, \xNN): one line. */
void buf_add_escaped(buf *b, const char *s);
/* Appends s as a JSON string literal, quotes included. */
void buf_add_json_string(buf *b, const char *s);
/* Returns the content (caller frees) or NULL after an allocation failure. */
char *buf_steal(buf *b);
void buf_free(buf *b);
static inline void buf_freep(buf *b)
{
	buf_free(b);
}
#define _cleanup_buf_ _cleanup_(buf_freep)

/* Joins a and b with one '/', normalising ".", ".." and "//" lexically.
 * A relative b is taken against a; an absolute b ignores a. Returns a
 * malloc'd absolute path or NULL (ENOMEM). */
char *path_join_normalize(const char *a, const char *b);
/* True when path equals dir or lies beneath it (both normalised absolute). */
bool path_is_beneath(const char *path, const char *dir);
/* How many '/' path has (its depth, for sorting parents first). */
size_t path_depth(const char *path);
#ifdef _WIN32
/* "C:..." */
bool path_win_drive(const char *p);
#endif
/* redact.c. --redact: an INI-style file (key = value or key: value lines, [sections],
 * # and ; comments; .npmrc, .pypirc, .gitconfig, AWS's credentials) with
 * its credential entries removed: every entry whose key, lowercased and
 * without '_', '-', '.' and blanks, contains pass, secret, token, auth,
 * key, credential, cookie, session or private, or whose value holds a URL
 * with a user and password (scheme://user:pass@host), and the indented
 * continuation lines of a removed entry. Everything else is kept as it
 * was. When something was removed a first line says how many entries
 * ("# sbx: 2 credential entries removed"). Writes at most size bytes of
 * the result to out (the input plus 64 is always enough) and returns how
 * many entries were removed. No allocation (the shim calls it). */
size_t ini_redact(const char *in, size_t n, char *out, size_t size, size_t *out_len);
/* --redact for a JSON file (~/.docker/config.json): the same text with
 * every member removed, at any depth, whose key is a secret's by the rule
 * above (auths, Authorization, identitytoken, ...) or Docker's
 * credHelpers, or whose string value is a URL with a password. The rest is
 * kept, its strings and numbers as they were, whitespace between tokens
 * dropped, a newline at the end. Returns how many members were removed, or
 * -1 (*out_len 0) when the text is not one JSON object or out (the input
 * plus 1 is always enough) is too small. No allocation. */
long json_redact(const char *in, size_t n, char *out, size_t size, size_t *out_len);
/* json_redact when the text starts with '{' (after blanks), else
 * ini_redact. */
long sbx_redact(const char *in, size_t n, char *out, size_t size, size_t *out_len);
/* The largest file --redact takes. */
#define SBX_REDACT_MAX (1 << 20)

/* True when s is well-formed UTF-8 (no overlong forms, surrogates or
 * values past U+10FFFF). */
bool utf8_valid(const char *s);

/* The value of NAME in a NULL-terminated "NAME=value" vector, or NULL. */
const char *env_value(char *const *env, const char *name);

/* Simple glob match of a variable name ('*', '?', "[...]"), no flags. */
bool glob_match(const char *pattern, const char *name);
/* True when pattern is a well-formed name glob: non-empty, no '=', brackets
 * closed, no dangling backslash. */
bool glob_valid(const char *pattern);

#ifndef _WIN32
#include <signal.h>
/* supervise.c: the rules every supervisor follows (see there). */
#define SBX_SUP_NFORWARDED 7
/* INT, TERM, HUP, QUIT, USR1, USR2, WINCH: passed on to the command. */
extern const int sbx_sup_forwarded[SBX_SUP_NFORWARDED];
/* Those and SIGCHLD. */
sigset_t sbx_sup_signal_set(void);
/* Did a process send it (passed on), rather than the kernel (the
 * terminal's, which reached the command already)? */
bool sbx_sup_from_process(int si_code);
/* CLOCK_MONOTONIC in seconds. */
double sbx_sup_now(void);
/* How long to wait before looking again: -1 without a deadline (0), 0
 * when it has passed, else the milliseconds left (at most an hour). */
int sbx_sup_wait_ms(double deadline, double now);
/* The status to report: 124 on timeout, 128+N for signal N, else the
 * command's exit status. */
int sbx_sup_status(int wstatus, bool timed_out);
/* Dies of sig, without a core dump of our own. */
void sbx_sup_reraise(int sig);
/* Runs teardown (if any), then dies like the command did when a signal
 * killed it; else returns its status. */
int sbx_sup_die_like(int wstatus, void (*teardown)(void *), void *arg);

/* The one supervision loop (sbx-shim's supervisor and init, and lib/run.c
 * for the container backends and seatbelt). It waits for the child, the
 * deadline, the signals and the caller's own descriptors, whatever comes
 * first, and looks at the deadline on every turn. */
struct pollfd;
struct sbx_sup {
	pid_t child;     /* the process whose end ends the loop */
	bool reap_any;   /* reaps every child (a subreaper, pid 1); else child only */
	bool forward;    /* passes INT, TERM, ... on; else leaves them alone */
	double deadline; /* sbx_sup_now() + timeout, or 0 */
	void *arg;       /* for the hooks, each of which may be NULL: */
	/* the caller's descriptors for this turn, at most max; may lower *ms
	 * (-1: no wake-up of its own) for a wake-up of its own */
	size_t (*fds)(void *arg, struct pollfd *p, size_t max, int *ms);
	/* after every poll (also one that timed out): p with its revents */
	void (*ready)(void *arg, struct pollfd *p, size_t n);
	/* one of the forwarded signals; from_process false for the kernel's
	 * (the terminal's ^C, already at the command). Unset: kill(child, sig)
	 * for a process's only */
	void (*signal)(void *arg, int sig, bool from_process);
	/* another child reaped (reap_any) */
	void (*reaped)(void *arg, pid_t pid, int wstatus);
	int sigfd; /* the loop's own */
#ifndef __linux__
	int sigw;
	struct sigaction old[SBX_SUP_NFORWARDED + 1];
#endif
	sigset_t oldmask;
};
/* Blocks (Linux: signalfd) or catches (a self-pipe) SIGCHLD and, with
 * s->forward, the forwarded signals. Call before the child is made; the
 * child calls sbx_sup_child() before it execs. 0 or -errno. */
int sbx_sup_open(struct sbx_sup *s);
/* In the child: the signal mask and dispositions it had before. */
void sbx_sup_child(const struct sbx_sup *s);
/* Runs until the child ends (0, its wait status in *wstatus) or the
 * deadline passes (1: the child is still there, to be killed). */
int sbx_sup_loop(struct sbx_sup *s, int *wstatus);
/* Restores what sbx_sup_open changed. */
void sbx_sup_close(struct sbx_sup *s);
#endif

#ifdef __linux__
/* sockdiag.c: where the unix socket with inode sock_ino is bound, as
 * sock_diag says: the file's device and the low 32 bits of its inode. *diag
 * is a NETLINK_SOCK_DIAG socket, opened on first use (start with -1). 0,
 * or -errno: -ENOENT no such socket is open, -ENODATA it has no file. */
int sbx_unix_bound_file(int *diag, unsigned long sock_ino, unsigned *maj, unsigned *min,
                        uint32_t *ino);
/* Whether sock_diag answers here (asked about a socket pair of its own). */
bool sbx_unix_diag_works(int *diag);
#endif

#endif
