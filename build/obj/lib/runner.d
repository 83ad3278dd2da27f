build/obj/lib/runner.o: lib/runner.c lib/internal.h include/sbx.h \
 lib/util.h
lib/internal.h:
include/sbx.h:
lib/util.h:
