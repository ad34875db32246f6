# Examples: small programs a new user can copy. Each uses only <ringer.h> and libc, and is
# built by the default `make` into build/$(V)/examples/. tests/hooks/examples.sh runs them.

EXAMPLES_NAMES := ringer-cat ringer-echo ringer-datafile
EXAMPLES_BIN   := $(patsubst %,$(O)/examples/%,$(EXAMPLES_NAMES))

.PHONY: examples
all: examples
examples: $(EXAMPLES_BIN)

$(O)/examples/%: examples/%.c src/ringer.h $(LIBRINGER_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Isrc -o $@ $< $(LIBRINGER_A) $(REAL_LIBS)

# ringer-echo-sim: the same ringer-echo.c on the simulated kernel, with the simulated client
# of ringer-echo-sim.c. Built only when sim/sim.mk provides the simulated library.
ifdef LIBRINGER_SIM_A
EXAMPLES_SIM_BIN := $(O)/examples/ringer-echo-sim
examples: $(EXAMPLES_SIM_BIN)

$(EXAMPLES_SIM_BIN): examples/ringer-echo.c examples/ringer-echo-sim.c src/ringer.h \
                     $(LIBRINGER_SIM_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(SIM_CPPFLAGS) -DRINGER_ECHO_SIM -o $@ examples/ringer-echo.c \
	    examples/ringer-echo-sim.c $(LIBRINGER_SIM_A)

# ringer-kvlog-sim: a key-value log and its crash test, run by `ringer-sim --exec`.
examples: $(O)/examples/ringer-kvlog-sim
$(O)/examples/ringer-kvlog-sim: examples/ringer-kvlog-sim.c src/ringer.h $(LIBRINGER_SIM_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(SIM_CPPFLAGS) -o $@ $< $(LIBRINGER_SIM_A)
endif
