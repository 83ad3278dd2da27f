build/obj/shim/shim_bin.o: shim/shim_bin.c shim/shim.h lib/util.h
shim/shim.h:
lib/util.h:
