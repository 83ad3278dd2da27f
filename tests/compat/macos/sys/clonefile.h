/* clonefile.h: the declarations of macOS's <sys/clonefile.h> that sbx uses,
 * so the macOS-only code in backends/seatbelt.c can be type-checked on
 * Linux (`make macos-syntax`). Never linked: the check is -fsyntax-only. */
#ifndef SBX_COMPAT_CLONEFILE_H
#define SBX_COMPAT_CLONEFILE_H
#include <stdint.h>
#define CLONE_NOFOLLOW    0x0001
#define CLONE_NOOWNERCOPY 0x0002
int clonefile(const char *src, const char *dst, uint32_t flags);
#endif
