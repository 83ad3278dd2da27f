/* shim_bin.c: the static sbx-shim executable. */
#include "shim.h"

extern char **environ;

int main(int argc, char **argv)
{
	return shim_main("sbx-shim", argc, argv, environ);
}
