build/obj/lib/policy.o: lib/policy.c lib/internal.h include/sbx.h \
 lib/util.h
lib/internal.h:
include/sbx.h:
lib/util.h:
