build/obj/shim/landlock.o: shim/landlock.c shim/shim.h lib/util.h
shim/shim.h:
lib/util.h:
