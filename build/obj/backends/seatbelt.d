build/obj/backends/seatbelt.o: backends/seatbelt.c lib/internal.h \
 include/sbx.h lib/util.h
lib/internal.h:
include/sbx.h:
lib/util.h:
