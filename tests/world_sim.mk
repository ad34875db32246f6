# The scenario suite on the simulated kernel: build/$(V)/tests/ringer-tests-sim.
# The harness (fork, pipes, the hang guard) keeps the real OS and is compiled as for the
# real suite; the scenarios, their scaffolding and world_sim.c are compiled with the sim's
# forced include, so every kernel call they make reaches the simulated kernel.

TESTS_SIM_HOST_SRC  := tests/harness.c tests/harness_main.c tests/alloc_count.c tests/death.c \
                       $(TESTS_ALLOC_BACKEND)
TESTS_SIM_WORLD_SRC := tests/scenario.c tests/world_sim.c tests/world_posix.c $(TESTS_SCENARIO_SRC) \
                       $(sort $(wildcard tests/sim_*.c))
TESTS_SIM_OBJ := $(patsubst tests/%.c,$(O)/tests/real/%.o,$(TESTS_SIM_HOST_SRC)) \
                 $(patsubst tests/%.c,$(O)/tests/sim/%.o,$(TESTS_SIM_WORLD_SRC))
RINGER_TESTS_SIM := $(O)/tests/ringer-tests-sim

.PHONY: tests-sim
tests-sim: $(RINGER_TESTS_SIM)

$(O)/tests/sim/%.o: tests/%.c $(TESTS_HEADERS) src/ringer.h sim/include/ringer_sim.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(SIM_CPPFLAGS) -Itests -c $< -o $@

$(RINGER_TESTS_SIM): $(TESTS_SIM_OBJ) $(O)/lib/libringer_sim.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $(TESTS_SIM_OBJ) $(O)/lib/libringer_sim.a
