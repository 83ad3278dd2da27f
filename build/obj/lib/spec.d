build/obj/lib/spec.o: lib/spec.c lib/internal.h include/sbx.h lib/util.h
lib/internal.h:
include/sbx.h:
lib/util.h:
