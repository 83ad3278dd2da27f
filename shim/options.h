/* options.h: sbx-shim's command line, declared once. The landlock compiler
 * writes these options (SHIM_OPT(LL_READ) is "--ll-read"), sbx-shim parses
 * them (main.c: a switch over the enum, which the compiler checks is
 * whole) and prints them in --help, all from this one list; the man page
 * sbx-shim(1) is checked against --help (tests/bats/docs.bats). A misspelt
 * option is a compile error, never an exit 125 at run time.
 *
 * X(ID, NAME, ARG, HELP): ARG is the value's name in --help, or NULL for an
 * option without one; HELP's continuation lines are indented to column 25. */
#ifndef SBX_SHIM_OPTIONS_H
#define SBX_SHIM_OPTIONS_H

#define SHIM_CONT "\n                         "

#define SHIM_OPTIONS(X)                                                                            \
	X(CHDIR, "chdir", "DIR", "run COMMAND in DIR")                                             \
	X(TIMEOUT, "timeout", "SECS", "kill the sandbox after SECS seconds (exit 124)")            \
	X(NET, "net", "MODE",                                                                      \
	  "enable | outbound | disable" SHIM_CONT                                                  \
	  "outbound: TCP bind denied (Landlock), listen() denied (seccomp)" SHIM_CONT              \
	  "disable: with --unshare-net an empty network namespace with" SHIM_CONT                  \
	  "loopback; without it TCP denied (Landlock) and only AF_UNIX and" SHIM_CONT              \
	  "AF_NETLINK sockets can be created (seccomp)")                                           \
	X(NO_EXEC, "no-exec", NULL,                                                                \
	  "after COMMAND starts, execve and execveat fail (seccomp user" SHIM_CONT                 \
	  "notification answered by the supervisor)")                                              \
	X(LISTEN_UNIX, "listen-unix", NULL,                                                        \
	  "with --net outbound, listen() still works on unix sockets: the" SHIM_CONT               \
	  "sandbox's init checks the socket and listens on it itself")                             \
	X(UNIX_GATE, "unix-gate", NULL,                                                            \
	  "connect() and bind() are done by the sandbox's init: a" SHIM_CONT                       \
	  "pathname unix socket is reachable only when the sandbox bound" SHIM_CONT                \
	  "it, or --unix-allow names it; datagram unix sockets cannot be" SHIM_CONT                \
	  "created; with --net outbound inet datagram sockets cannot bind" SHIM_CONT               \
	  "a port (without --unshare-pid: connect() only, by the" SHIM_CONT                        \
	  "supervisor, to the places the sandbox can write)")                                      \
	X(UNIX_ALLOW, "unix-allow", "PATH",                                                        \
	  "with --unix-gate, the unix socket PATH stays reachable")                                \
	X(PROXY, "proxy", "PORT",                                                                  \
	  "with --unshare-net: an HTTP proxy on the sandbox's" SHIM_CONT                           \
	  "127.0.0.1:PORT, served from the host's network by the" SHIM_CONT                        \
	  "supervisor, to the --allow-host hosts only")                                            \
	X(ALLOW_HOST, "allow-host", "PATTERN",                                                     \
	  "with --proxy: name, *.name or IP, optional :PORT (80 and 443" SHIM_CONT "without)")     \
	X(FORWARD, "forward", "PORT",                                                              \
	  "with --unshare-net: the sandbox's 127.0.0.1:PORT reaches the" SHIM_CONT                 \
	  "host's 127.0.0.1:PORT")                                                                 \
	X(UNSHARE_USER, "unshare-user", NULL,                                                      \
	  "new user namespace (the caller's ids mapped to themselves);" SHIM_CONT                  \
	  "needed by every option below it")                                                       \
	X(UNSHARE_PID, "unshare-pid", NULL, "new pid namespace with its own /proc")                \
	X(UNSHARE_IPC, "unshare-ipc", NULL,                                                        \
	  "new IPC namespace (SysV IPC, POSIX queues) and private /dev/shm")                       \
	X(UNSHARE_NET, "unshare-net", NULL, "new network namespace with only loopback")            \
	X(RO_ROOT, "ro-root", NULL,                                                                \
	  "every mount inherited from the host becomes read-only (no" SHIM_CONT                    \
	  "write, chmod, chown, utime or xattr change reaches it);" SHIM_CONT                      \
	  "--bind paths are bound again read-write")                                               \
	X(COW_ROOT, "cow-root", NULL,                                                              \
	  "make / copy-on-write: every top-level directory gets an" SHIM_CONT                      \
	  "overlay with a private upper layer (directories holding" SHIM_CONT                      \
	  "other mounts are handled one level down)")                                              \
	X(COW_KEEP, "cow-keep", "DIR",                                                             \
	  "with --cow-root, leave this top-level directory as the host's")                         \
	X(COW, "cow", "DIR", "make DIR copy-on-write, in place (for whiteouts; no writes)")        \
	X(COW_WRITE, "cow-write", "DIR",                                                           \
	  "make DIR copy-on-write, in place, taking writes that vanish" SHIM_CONT                  \
	  "with the sandbox (a private temp dir)")                                                 \
	X(BIND, "bind", "PATH",                                                                    \
	  "expose the host's PATH read-write at the same place (after" SHIM_CONT                   \
	  "copy-on-write views, so writes persist)")                                               \
	X(MASK, "mask", "PATH",                                                                    \
	  "hide PATH behind an empty read-only directory or file; a" SHIM_CONT                     \
	  "missing PATH is created first inside a copy-on-write view")                             \
	X(HIDE, "hide", "PATH", "like --mask, skipped when PATH does not exist")                   \
	X(TMPFS, "tmpfs", "DIR",                                                                   \
	  "an empty private writable directory over DIR, on the sandbox's" SHIM_CONT               \
	  "own tmpfs (skipped if missing)")                                                        \
	X(SOCKET, "socket", "PATH",                                                                \
	  "expose the host's unix socket PATH inside an earlier --tmpfs or" SHIM_CONT              \
	  "copy-on-write view")                                                                    \
	X(REDACT, "redact", "FILE",                                                                \
	  "show FILE (INI-style) read-only with its credential entries" SHIM_CONT "removed")       \
	X(WATCH_CREATED, "watch-created", "PATH",                                                  \
	  "PATH does not exist: warn at exit when it appeared meanwhile (a" SHIM_CONT              \
	  "file that runs code later, which nothing here can keep from" SHIM_CONT "being made)")   \
	X(DENY_CREATE, "deny-create", "PATH",                                                      \
	  "PATH (whose directory exists) cannot be made: init makes every" SHIM_CONT               \
	  "file, directory, node, link and rename the command asks for," SHIM_CONT                 \
	  "and every open for writing, truncate, removal, chmod and chown" SHIM_CONT               \
	  "(seccomp user notification; needs --unshare-pid), and refuses" SHIM_CONT                \
	  "PATH, and once the host makes it (or replaces one --protect" SHIM_CONT                  \
	  "bound) anything inside it, with EPERM; openat2 gets ENOSYS")                            \
	X(PIN, "pin", "DIR",                                                                       \
	  "bind DIR onto itself, still writable: it cannot be renamed or" SHIM_CONT                \
	  "removed (a directory on the way to a --protect path)")                                  \
	X(PROTECT, "protect", "PATH",                                                              \
	  "bind PATH onto itself read-only, everything beneath included:" SHIM_CONT                \
	  "it cannot be written, renamed, removed or linked (applied last)")                       \
	X(REPORT, "report", NULL,                                                                  \
	  "at exit, list on stderr the writes the copy-on-write views" SHIM_CONT                   \
	  "discarded and what the gate and no-exec refused")                                       \
	X(REPORT_JSON, "report-json", NULL, "the same report as one line of JSON")                 \
	X(KEEP_DISCARDED, "keep-discarded", "DIR",                                                 \
	  "copy the discarded files into DIR (made if missing) at exit")                           \
	X(MEMORY, "memory", "BYTES", "cgroup memory cap (swap included where accounted)")          \
	X(PIDS, "pids", "N", "cgroup process and thread cap")                                      \
	X(CPUS, "cpus", "N", "cgroup CPU quota in cores")                                          \
	X(LL_ABI, "ll-abi", "N",                                                                   \
	  "enforce with Landlock, handling the rights of ABI N (fails if" SHIM_CONT                \
	  "the kernel's ABI is lower); every filesystem access not" SHIM_CONT                      \
	  "granted by a rule below is denied")                                                     \
	X(LL_READ, "ll-read", "PATH", "allow reading, listing and executing beneath PATH")         \
	X(LL_READ_TRY, "ll-read-try", "PATH", "the same, skipped when PATH does not exist")        \
	X(LL_WRITE, "ll-write", "PATH", "allow everything beneath PATH")                           \
	X(LL_DEV, "ll-dev", "PATH",                                                                \
	  "allow reading, writing and ioctl on a device file (skipped if" SHIM_CONT "missing)")    \
	X(LL_DENY, "ll-deny", "PATH",                                                              \
	  "keep PATH unreadable with Landlock alone: rules granted above" SHIM_CONT                \
	  "PATH are split into rules for its siblings")                                            \
	X(LL_WRITE_AROUND, "ll-write-around", "PATH",                                              \
	  "write rules are split around PATH, as --ll-deny splits" SHIM_CONT                       \
	  "every rule (a nested run inside another sandbox)")                                      \
	X(LL_TTY, "ll-tty", NULL, "--ll-dev for /dev/tty and the terminals on fds 0-2")            \
	X(DEVPTS, "devpts", NULL,                                                                  \
	  "a devpts instance of the sandbox's own on /dev/pts, its ptmx" SHIM_CONT                 \
	  "on /dev/ptmx, both usable: pseudo-terminals the command" SHIM_CONT                      \
	  "makes are its own, the host's are not reachable by name")                               \
	X(LL_PROC_SELF, "ll-proc-self", NULL, "allow reading /proc/self of the command")           \
	X(LL_VIEWS_WRITE_ONLY, "ll-views-write-only", NULL,                                        \
	  "copy-on-write views take writes but cannot be read (a read" SHIM_CONT "scope)")         \
	X(PRELOAD, "preload", "LIB",                                                               \
	  "run COMMAND with LD_PRELOAD=LIB (libsbx-preload.so), its" SHIM_CONT                     \
	  "policy sealed in a memfd named by SBX_PRELOAD_FD; holds" SHIM_CONT                      \
	  "what it can only inside dynamically linked programs")                                   \
	X(PRELOAD_POLICY, "preload-policy", "TEXT",                                                \
	  "the library's policy (format in preload/README.md)")                                    \
	X(DIRECT, "direct", NULL,                                                                  \
	  "no supervisor, no fork: exec COMMAND in this process (a" SHIM_CONT                      \
	  "nested run that adds nothing to the sandbox it is in)")                                 \
	X(HELP, "help", NULL, "show this help")                                                    \
	X(VERSION, "version", NULL, "show the version")

enum shim_opt {
#define SHIM_X_ENUM(id, name, arg, help) SHIM_OPT_##id,
	SHIM_OPTIONS(SHIM_X_ENUM)
#undef SHIM_X_ENUM
	    SHIM_OPT__COUNT
};

/* "--ll-read" for SHIM_OPT(LL_READ): what the compiler writes. */
#define SHIM_OPT(id) (shim_opt_names[SHIM_OPT_##id])

static const char *const shim_opt_names[SHIM_OPT__COUNT] = {
#define SHIM_X_NAME(id, name, arg, help) "--" name,
    SHIM_OPTIONS(SHIM_X_NAME)
#undef SHIM_X_NAME
};

#endif
