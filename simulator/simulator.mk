# ringer-sim, the deterministic simulator users run (`make sim`). Its sources are compiled
# against the simulated kernel, with the forced include that maps POSIX calls to the sim,
# except simulator/jobs.c and simulator/exec.c: worker processes, pipes, signals, the
# wall clock and the user's programs must reach the real OS. It links libringer_sim.a, so it exists only once sim/sim.mk does.
#
#   make sim              build and run ringer-sim over its default seeds (SIM_ARGS=... adds flags)
#   make sim-selftest     build ringer-sim against each planted bug and check it is caught

RINGER_SIM_HDR  := $(wildcard simulator/*.h)
RINGER_SIM_HOST := simulator/jobs.c simulator/exec.c
RINGER_SIM_SRC  := $(filter-out $(RINGER_SIM_HOST),$(sort $(wildcard simulator/*.c)))
RINGER_SIM_OBJ  := $(patsubst simulator/%.c,$(O)/simulator/%.o,$(RINGER_SIM_SRC)) \
                   $(patsubst simulator/%.c,$(O)/simulator/host/%.o,$(RINGER_SIM_HOST))
RINGER_SIM_BIN := $(O)/bin/ringer-sim
SIM_ARGS       ?=

.PHONY: ringer-sim sim-selftest

ifneq ($(wildcard sim/sim.mk),)
all: ringer-sim
ringer-sim: $(RINGER_SIM_BIN)

$(O)/simulator/host/%.o: simulator/%.c $(RINGER_SIM_HDR) sim/include/ringer_sim.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Isim/include -Isrc -c $< -o $@

$(O)/simulator/%.o: simulator/%.c $(RINGER_SIM_HDR) $(LIB_HDR) $(SIM_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(SIM_CPPFLAGS) -c $< -o $@

$(RINGER_SIM_BIN): $(RINGER_SIM_OBJ) $(LIBRINGER_SIM_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $(RINGER_SIM_OBJ) $(LIBRINGER_SIM_A)

sim: deps $(RINGER_SIM_BIN)
	$(RINGER_SIM_BIN) $(SIM_ARGS)

# Users' programs for `ringer-sim --exec` tests (tests/simulator/*.c), built as a user
# builds one: the sim's include first, the forced include, libringer_sim.a.
RINGER_SIM_PROGRAMS := $(patsubst tests/simulator/%.c,$(O)/simulator/programs/%,\
                         $(wildcard tests/simulator/*.c))
.PHONY: ringer-sim-programs
ringer-sim-programs: $(RINGER_SIM_PROGRAMS)

$(O)/simulator/programs/%: tests/simulator/%.c $(LIB_HDR) $(SIM_HDR) $(LIBRINGER_SIM_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(SIM_CPPFLAGS) -o $@ $< $(LIBRINGER_SIM_A)

# Each planted bug (selftest/bugs/*.patch) is applied to a copy of src/ under
# $(O)/selftest/, never to src/ itself; see selftest/run.sh.
sim-selftest: $(RINGER_SIM_OBJ) $(SIM_KERNEL_A) $(RINGER_SIM_BIN)
	@selftest/run.sh "$(O)" "$(CC)" "$(CFLAGS_ALL)" "$(RINGER_SIM_OBJ)" "$(SIM_KERNEL_A)" \
	    "$(RINGER_SIM_BIN)"
else
ringer-sim sim sim-selftest:
	@echo "ringer-sim needs the simulated kernel (sim/sim.mk), which is not there yet" >&2; exit 1
endif
