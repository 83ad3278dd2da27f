build/obj/backends/landlock.o: backends/landlock.c lib/internal.h \
 include/sbx.h lib/util.h
lib/internal.h:
include/sbx.h:
lib/util.h:
