/* deny.c: takes a kernel feature away from a command and its descendants,
 * to test sbx's fallbacks: `deny userns -- CMD...` makes creating user
 * namespaces fail with EPERM (as Ubuntu's AppArmor sysctl or Docker's
 * seccomp profile do); `deny landlock -- CMD...` makes Landlock look absent
 * (ENOSYS, as on a kernel without it); `deny notify -- CMD...` makes seccomp
 * user notification look absent (EINVAL, as before Linux 5.0); `deny sockdiag
 * -- CMD...` makes NETLINK_SOCK_DIAG sockets fail (EPROTONOSUPPORT, as on a
 * kernel without CONFIG_UNIX_DIAG's module); `deny memfd -- CMD...` makes
 * memfd_create fail (ENOSYS, as before Linux 3.17). Modes stack:
 * `deny landlock -- deny notify -- CMD`. A raw seccomp filter, no library. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NR     offsetof(struct seccomp_data, nr)
#define ARCH   offsetof(struct seccomp_data, arch)
#define ARG0LO offsetof(struct seccomp_data, args[0])
#define ARG1LO offsetof(struct seccomp_data, args[1])
#define ARG2LO offsetof(struct seccomp_data, args[2])
#define ALLOW  BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define ERR(e) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (e))
/* Each filter's start: other ABIs pass, then the call's number is loaded. */
#define NATIVE_NR                                                                                  \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARCH),                                                  \
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0), ALLOW,                   \
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR)

int main(int argc, char **argv)
{
	if (argc < 4 || strcmp(argv[2], "--") != 0) {
		fprintf(stderr, "usage: deny userns|landlock|notify|sockdiag|memfd -- CMD...\n");
		return 2;
	}
	struct sock_filter userns[] = {
	    NATIVE_NR,
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
	    ERR(ENOSYS),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 1, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_unshare, 0, 3),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0LO),
	    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1),
	    ERR(EPERM),
	    ALLOW,
	};
	struct sock_filter landlock[] = {
	    NATIVE_NR,
	    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 444, 0, 2),
	    BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 446, 1, 0),
	    ERR(ENOSYS),
	    ALLOW,
	};
	/* seccomp(SECCOMP_GET_NOTIF_SIZES) and filters asking for a listener */
	struct sock_filter notify[] = {
	    NATIVE_NR,
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_seccomp, 1, 0),
	    ALLOW,
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0LO),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_GET_NOTIF_SIZES, 3, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_SET_MODE_FILTER, 0, 3),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG1LO),
	    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, SECCOMP_FILTER_FLAG_NEW_LISTENER, 0, 1),
	    ERR(EINVAL),
	    ALLOW,
	};
	/* socket(AF_NETLINK, *, NETLINK_SOCK_DIAG) */
	struct sock_filter sockdiag[] = {
	    NATIVE_NR,
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 1, 0),
	    ALLOW,
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0LO),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 1, 0),
	    ALLOW,
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG2LO),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NETLINK_SOCK_DIAG, 0, 1),
	    ERR(EPROTONOSUPPORT),
	    ALLOW,
	};
	struct sock_filter memfd[] = {
	    NATIVE_NR,
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_memfd_create, 0, 1),
	    ERR(ENOSYS),
	    ALLOW,
	};
	struct sock_fprog prog;
	if (strcmp(argv[1], "userns") == 0)
		prog = (struct sock_fprog){sizeof(userns) / sizeof(userns[0]), userns};
	else if (strcmp(argv[1], "landlock") == 0)
		prog = (struct sock_fprog){sizeof(landlock) / sizeof(landlock[0]), landlock};
	else if (strcmp(argv[1], "notify") == 0)
		prog = (struct sock_fprog){sizeof(notify) / sizeof(notify[0]), notify};
	else if (strcmp(argv[1], "sockdiag") == 0)
		prog = (struct sock_fprog){sizeof(sockdiag) / sizeof(sockdiag[0]), sockdiag};
	else if (strcmp(argv[1], "memfd") == 0)
		prog = (struct sock_fprog){sizeof(memfd) / sizeof(memfd[0]), memfd};
	else
		return 2;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("seccomp");
		return 125;
	}
	execvp(argv[3], argv + 3);
	perror(argv[3]);
	return 127;
}
