build/obj/backends/docker.o: backends/docker.c lib/internal.h \
 include/sbx.h lib/util.h
lib/internal.h:
include/sbx.h:
lib/util.h:
