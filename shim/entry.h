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

#endif
