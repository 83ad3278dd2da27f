build/obj/launcher/report.o: launcher/report.c launcher/launcher.h \
 include/sbx.h lib/util.h launcher/../lib/internal.h \
 launcher/../lib/util.h
launcher/launcher.h:
include/sbx.h:
lib/util.h:
launcher/../lib/internal.h:
launcher/../lib/util.h:
