# packaging.mk: man pages, shell completions and the pkg-config file, built
# into $(B) and installed by `make install` (PREFIX, DESTDIR and the *DIR
# variables below are honoured); `make deb` builds the Debian packages.
# The distribution recipes themselves live in packaging/.

DATADIR      ?= $(PREFIX)/share
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR  ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR   ?= $(DATADIR)/zsh/site-functions
FISHCOMPDIR  ?= $(DATADIR)/fish/vendor_completions.d

# Reproducible: the date of the source, not of the build.
MAN_DATE := $(shell if [ -n "$$SOURCE_DATE_EPOCH" ]; then date -u -d "@$$SOURCE_DATE_EPOCH" +%Y-%m-%d; \
	else git log -1 --format=%cs 2>/dev/null || date -u +%Y-%m-%d; fi)

MAN_PAGES := $(B)/man/sbx-exec.1 $(B)/man/sbx-shim.1 $(B)/man/sbx.policy.5 $(B)/man/libsbx.3
COMPLETIONS := packaging/completions/sbx-exec.bash packaging/completions/_sbx-exec \
	packaging/completions/sbx-exec.fish

# lib/host.c and the man pages bake in LIBEXECDIR (where sbx-shim lives):
# rebuild them when a later `make install PREFIX=...` asks for another.
$(B)/obj/lib/host.o $(MAN_PAGES): $(B)/libexecdir.stamp
$(B)/libexecdir.stamp: FORCE
	@mkdir -p $(B)
	@echo '$(LIBEXECDIR)' | cmp -s - $@ || echo '$(LIBEXECDIR)' >$@
FORCE:

.PHONY: FORCE man pc install-man install-completions install-pc uninstall-packaging deb
all: man pc
man: $(MAN_PAGES)
pc: $(B)/sbx.pc

$(B)/man/%: man/%.in include/sbx.h mk/packaging.mk
	@mkdir -p $(dir $@)
	sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@DATE@|$(MAN_DATE)|g' \
	  -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' $< >$@

# Regenerated whenever the paths differ from the last run (PREFIX, LIBDIR
# and INCLUDEDIR may change between `make` and `make install`).
$(B)/sbx.pc: packaging/sbx.pc.in FORCE
	@mkdir -p $(dir $@)
	@sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	  -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' $< >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

install: install-man install-completions install-pc
uninstall: uninstall-packaging

install-man: $(MAN_PAGES)
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 $(B)/man/sbx-exec.1 $(B)/man/sbx-shim.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(B)/man/libsbx.3 $(DESTDIR)$(MANDIR)/man3/
	install -m 0644 $(B)/man/sbx.policy.5 $(DESTDIR)$(MANDIR)/man5/

install-completions: $(COMPLETIONS)
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 0644 packaging/completions/sbx-exec.bash $(DESTDIR)$(BASHCOMPDIR)/sbx-exec
	install -m 0644 packaging/completions/_sbx-exec $(DESTDIR)$(ZSHCOMPDIR)/_sbx-exec
	install -m 0644 packaging/completions/sbx-exec.fish $(DESTDIR)$(FISHCOMPDIR)/sbx-exec.fish

install-pc: $(B)/sbx.pc
	install -d $(DESTDIR)$(PKGCONFIGDIR)
	install -m 0644 $(B)/sbx.pc $(DESTDIR)$(PKGCONFIGDIR)/sbx.pc

uninstall-packaging:
	rm -f $(DESTDIR)$(MANDIR)/man1/sbx-exec.1 $(DESTDIR)$(MANDIR)/man1/sbx-shim.1 \
	  $(DESTDIR)$(MANDIR)/man3/libsbx.3 $(DESTDIR)$(MANDIR)/man5/sbx.policy.5 \
	  $(DESTDIR)$(BASHCOMPDIR)/sbx-exec $(DESTDIR)$(ZSHCOMPDIR)/_sbx-exec \
	  $(DESTDIR)$(FISHCOMPDIR)/sbx-exec.fish $(DESTDIR)$(PKGCONFIGDIR)/sbx.pc

# The Debian packages, built from a copy of the tree with packaging/debian as
# debian/; the .debs land in $(B)/deb.
deb:
	packaging/build-deb.sh $(B)/deb

# What sandboxing every recipe costs make: 200 trivial recipes and a real
# compile of this project, each with and without sbx (bench/make).
.PHONY: bench-make
bench-make: all
	bench/make

# The release tarball (sbx-VERSION.tar.gz, what the RPM spec and the
# Homebrew formula build from): the tracked files, without build output;
# and the Homebrew formula for it, its version and sha256 filled in.
.PHONY: dist
dist: $(B)/sbx-$(VERSION).tar.gz $(B)/sbx.rb
$(B)/sbx.rb: packaging/homebrew/sbx.rb.in $(B)/sbx-$(VERSION).tar.gz
	sed -e 's|@VERSION@|$(VERSION)|g' \
	  -e "s|@SHA256@|$$(sha256sum $(B)/sbx-$(VERSION).tar.gz | cut -d' ' -f1)|g" $< >$@
$(B)/sbx-$(VERSION).tar.gz: FORCE
	@mkdir -p $(B)
	git ls-files -z | grep -zv '^build/' | \
	  tar --null -T - --transform 's,^,sbx-$(VERSION)/,' --sort=name --owner=0 --group=0 \
	    --numeric-owner --mtime=@$$(git log -1 --format=%ct) -cf - | gzip -n >$@
