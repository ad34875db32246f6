# make install PREFIX=...: headers, libraries, pkg-config files, and programs when built.
DESTDIR ?=
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
BINDIR  ?= $(PREFIX)/bin
PCDIR   ?= $(LIBDIR)/pkgconfig

.PHONY: install install-lib install-pc
install: lib install-lib install-pc

install-lib:
	install -d $(DESTDIR)$(INCDIR) $(DESTDIR)$(LIBDIR)
	install -m 644 src/ringer.h $(DESTDIR)$(INCDIR)/ringer.h
	install -m 644 $(LIBRINGER_A) $(DESTDIR)$(LIBDIR)/libringer.a
	install -m 755 $(LIBRINGER_SO) $(DESTDIR)$(LIBDIR)/libringer.so.$(VERSION)
	ln -sf libringer.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libringer.so.$(SOVERSION)
	ln -sf libringer.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libringer.so

install-pc:
	install -d $(DESTDIR)$(PCDIR)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCDIR@|$(INCDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    ringer.pc.in > $(DESTDIR)$(PCDIR)/ringer.pc

# ringer-sim, the simulator (simulator/simulator.mk), once the simulated kernel exists.
ifneq ($(wildcard sim/sim.mk),)
.PHONY: install-sim
install: install-sim
install-sim: $(RINGER_SIM_BIN)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(RINGER_SIM_BIN) $(DESTDIR)$(BINDIR)/ringer-sim
endif
