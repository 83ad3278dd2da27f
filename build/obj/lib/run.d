build/obj/lib/run.o: lib/run.c lib/internal.h include/sbx.h lib/util.h
lib/internal.h:
include/sbx.h:
lib/util.h:
