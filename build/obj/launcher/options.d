build/obj/launcher/options.o: launcher/options.c launcher/launcher.h \
 include/sbx.h lib/util.h
launcher/launcher.h:
include/sbx.h:
lib/util.h:
