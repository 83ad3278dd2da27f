build/obj/lib/plan.o: lib/plan.c lib/internal.h include/sbx.h lib/util.h
lib/internal.h:
include/sbx.h:
lib/util.h:
