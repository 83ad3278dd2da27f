build/obj/shim/privs.o: shim/privs.c shim/shim.h lib/util.h
shim/shim.h:
lib/util.h:
