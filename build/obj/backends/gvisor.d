build/obj/backends/gvisor.o: backends/gvisor.c lib/internal.h \
 include/sbx.h lib/util.h
lib/internal.h:
include/sbx.h:
lib/util.h:
