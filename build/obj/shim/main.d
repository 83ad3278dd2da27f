build/obj/shim/main.o: shim/main.c shim/shim.h lib/util.h
shim/shim.h:
lib/util.h:
