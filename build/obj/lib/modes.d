build/obj/lib/modes.o: lib/modes.c lib/internal.h include/sbx.h \
 lib/util.h
lib/internal.h:
include/sbx.h:
lib/util.h:
