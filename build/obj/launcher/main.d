build/obj/launcher/main.o: launcher/main.c launcher/launcher.h \
 include/sbx.h lib/util.h launcher/../lib/internal.h \
 launcher/../lib/util.h launcher/../shim/shim.h
launcher/launcher.h:
include/sbx.h:
lib/util.h:
launcher/../lib/internal.h:
launcher/../lib/util.h:
launcher/../shim/shim.h:
