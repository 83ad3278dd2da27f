build/obj/lib/host.o: lib/host.c lib/internal.h include/sbx.h lib/util.h
lib/internal.h:
include/sbx.h:
lib/util.h:
