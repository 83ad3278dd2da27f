build/obj/backends/appcontainer.o: backends/appcontainer.c lib/internal.h \
 include/sbx.h lib/util.h
lib/internal.h:
include/sbx.h:
lib/util.h:
