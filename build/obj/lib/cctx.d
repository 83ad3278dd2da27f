build/obj/lib/cctx.o: lib/cctx.c lib/internal.h include/sbx.h lib/util.h
lib/internal.h:
include/sbx.h:
lib/util.h:
