# make install / make uninstall: headers, libraries, pkg-config files, man pages and
# ringer-sim, under PREFIX (default /usr/local), staged under DESTDIR when it is set.
#
#   make install PREFIX=/usr/local
#   make install DESTDIR=/tmp/stage PREFIX=/usr     # a package build: paths say /usr
#   make uninstall PREFIX=/usr/local                # removes exactly what install put there
#
# Each install-* target depends on the files it installs, so `make -j install` on a clean
# tree builds them first. Installed paths are listed once below, so that uninstall removes
# the same files; it then removes the directories that are left empty (a shared prefix such
# as /usr/local keeps whatever else lives in it).
DESTDIR ?=
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
BINDIR  ?= $(PREFIX)/bin
PCDIR   ?= $(LIBDIR)/pkgconfig
DATADIR ?= $(PREFIX)/share
MANDIR  ?= $(DATADIR)/man

# The tests' Debian packages: groff renders the man pages and man finds them by name in the
# installed prefix (tests/install/check_pages.py).
DEPS_PACKAGES += groff-base man-db

MAN_PAGES := $(sort $(wildcard man/man1/*.1 man/man3/*.3 man/man7/*.7))
SIM_DROPIN_HEADERS := sim/include/liburing.h sim/include/ringer_sim_posix.h

INSTALLED_LIB := $(INCDIR)/ringer.h $(LIBDIR)/libringer.a $(LIBDIR)/libringer.so \
                 $(LIBDIR)/libringer.so.$(SOVERSION) $(LIBDIR)/libringer.so.$(VERSION) \
                 $(PCDIR)/ringer.pc
INSTALLED_MAN := $(patsubst man/%,$(MANDIR)/%,$(MAN_PAGES))
INSTALLED_SIM := $(INCDIR)/ringer_sim.h $(LIBDIR)/libringer_sim.a $(PCDIR)/ringer-sim.pc \
                 $(patsubst sim/include/%,$(INCDIR)/ringer-sim/%,$(SIM_DROPIN_HEADERS)) \
                 $(BINDIR)/ringer-sim
# Deepest first: a directory is removed only once what it held is gone.
INSTALLED_DIRS := $(INCDIR)/ringer-sim $(PCDIR) $(LIBDIR) $(INCDIR) $(BINDIR) \
                  $(MANDIR)/man1 $(MANDIR)/man3 $(MANDIR)/man7 $(MANDIR) $(DATADIR)

# Substitutes the install paths into a pkg-config template: $(call pc_file,template,name).
pc_file = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
              -e 's|@INCDIR@|$(INCDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
              $(1) > $(DESTDIR)$(PCDIR)/$(2)

.PHONY: install uninstall install-lib install-pc install-man
install: install-lib install-pc install-man

install-lib: src/ringer.h $(LIBRINGER_A) $(LIBRINGER_SO)
	install -d $(DESTDIR)$(INCDIR) $(DESTDIR)$(LIBDIR)
	install -m 644 src/ringer.h $(DESTDIR)$(INCDIR)/ringer.h
	install -m 644 $(LIBRINGER_A) $(DESTDIR)$(LIBDIR)/libringer.a
	install -m 755 $(LIBRINGER_SO) $(DESTDIR)$(LIBDIR)/libringer.so.$(VERSION)
	ln -sf libringer.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libringer.so.$(SOVERSION)
	ln -sf libringer.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libringer.so

install-pc: ringer.pc.in
	install -d $(DESTDIR)$(PCDIR)
	$(call pc_file,ringer.pc.in,ringer.pc)

# Link pages (`.so man3/ringer_init.3`) are installed as they are; man resolves them.
install-man: $(MAN_PAGES)
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man7
	install -m 644 $(filter man/man1/%,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(filter man/man3/%,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man3/
	install -m 644 $(filter man/man7/%,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man7/

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED_LIB) $(INSTALLED_MAN) $(INSTALLED_SIM))
	@for dir in $(addprefix $(DESTDIR),$(INSTALLED_DIRS)); do \
	    if [ -d "$$dir" ]; then rmdir --ignore-fail-on-non-empty "$$dir"; fi; \
	done

# The simulated kernel and ringer-sim, once they exist (sim/sim.mk, simulator/simulator.mk):
# libringer_sim.a, <ringer_sim.h> (once, in INCDIR), the drop-in <liburing.h> and POSIX
# header under INCDIR/ringer-sim/ (ringer-sim.pc puts that directory first), the program.
ifneq ($(wildcard sim/sim.mk),)
.PHONY: install-sim-lib install-sim
install: install-sim-lib install-sim

install-sim-lib: sim/include/ringer_sim.h $(SIM_DROPIN_HEADERS) $(LIBRINGER_SIM_A) \
                 sim/ringer-sim.pc.in
	install -d $(DESTDIR)$(INCDIR)/ringer-sim $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PCDIR)
	install -m 644 sim/include/ringer_sim.h $(DESTDIR)$(INCDIR)/ringer_sim.h
	install -m 644 $(SIM_DROPIN_HEADERS) $(DESTDIR)$(INCDIR)/ringer-sim/
	install -m 644 $(LIBRINGER_SIM_A) $(DESTDIR)$(LIBDIR)/libringer_sim.a
	$(call pc_file,sim/ringer-sim.pc.in,ringer-sim.pc)

install-sim: $(RINGER_SIM_BIN)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(RINGER_SIM_BIN) $(DESTDIR)$(BINDIR)/ringer-sim
endif
