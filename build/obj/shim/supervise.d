build/obj/shim/supervise.o: shim/supervise.c shim/shim.h lib/util.h
shim/shim.h:
lib/util.h:
