build/obj/shim/seccomp.o: shim/seccomp.c shim/shim.h lib/util.h
shim/shim.h:
lib/util.h:
