/* ctormain.c: a program linked against libctorprobe.so, whose constructor
 * does the work; main is reached only when SBX_PROBE_CTOR is unset. */
#include <stdio.h>

void ctorprobe_linked(void);

int main(void)
{
	ctorprobe_linked();
	puts("NO-CTOR");
	return 0;
}
