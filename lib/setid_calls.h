/* SPDX-License-Identifier: MIT */
/* The calls that can give a file the setuid or setgid bit, with where their
 * mode (and, for open, the flags that make the mode count) is: one table
 * for sbx-shim's libseccomp filter and the container backends' OCI seccomp
 * profile, which refuse them for a command run by root. */
#ifndef SBX_SETID_CALLS_H
#define SBX_SETID_CALLS_H

/* fchmodat2 (Linux 6.6): one number on every architecture */
#define SBX_FCHMODAT2_NR 452

struct sbx_setid_call {
	const char *name;
	int nr;        /* the x86-64 and generic number (fchmodat2 is new), or -1 */
	unsigned mode; /* the mode's argument */
	int flags;     /* the open flags' argument, or -1: the mode always counts */
};

static const struct sbx_setid_call sbx_setid_calls[] = {
    {"chmod", -1, 1, -1},    {"fchmod", -1, 1, -1},
    {"fchmodat", -1, 2, -1}, {"fchmodat2", SBX_FCHMODAT2_NR, 2, -1},
    {"creat", -1, 1, -1},    {"mknod", -1, 1, -1},
    {"mknodat", -1, 2, -1},  {"open", -1, 2, 1},
    {"openat", -1, 3, 2},
};

/* S_ISUID, S_ISGID */
static const unsigned sbx_setid_bits[] = {04000, 02000};

/* open's mode counts with O_CREAT, and with O_TMPFILE (whose file a linkat
 * names later): O_CREAT and __O_TMPFILE */
static const unsigned sbx_setid_creating[] = {0100, 020000000};

/* openat2's mode is in memory a filter cannot read: it gets ENOSYS and libc
 * falls back to openat */
#define SBX_SETID_OPENAT2_NR 437

#endif
