build/obj/lib/error.o: lib/error.c lib/internal.h include/sbx.h \
 lib/util.h
lib/internal.h:
include/sbx.h:
lib/util.h:
