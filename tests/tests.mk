# Tests on the real ring: one binary, build/$(V)/tests/ringer-tests, made of
#   harness + world_real.c + an allocation-counting back end + every scenario_*.c (sources
#   that also run on the simulated kernel) + every real_*.c (real-kernel-only tests).
# tests/run_all.sh builds it per variant (`make V=gcc CC=gcc tests-real`) and runs it.

TESTS_HEADERS       := $(wildcard tests/*.h)
TESTS_COMMON_SRC    := tests/harness.c tests/harness_main.c tests/scenario.c tests/alloc_count.c \
                       tests/death.c tests/data_file_util.c
TESTS_SCENARIO_SRC  := $(sort $(wildcard tests/scenario_*.c))
TESTS_REAL_ONLY_SRC := $(sort $(wildcard tests/real_*.c))

# ASan and TSan own the allocator: count through their hooks there, interpose malloc
# everywhere else.
ifneq ($(findstring address,$(SAN))$(findstring thread,$(SAN)),)
TESTS_ALLOC_BACKEND := tests/alloc_count_asan.c
else
TESTS_ALLOC_BACKEND := tests/alloc_count_interpose.c
endif

TESTS_REAL_SRC := $(TESTS_COMMON_SRC) tests/world_real.c tests/world_posix.c $(TESTS_ALLOC_BACKEND) \
                  $(TESTS_SCENARIO_SRC) $(TESTS_REAL_ONLY_SRC)
TESTS_REAL_OBJ := $(patsubst tests/%.c,$(O)/tests/real/%.o,$(TESTS_REAL_SRC))
RINGER_TESTS   := $(O)/tests/ringer-tests

.PHONY: tests-real
tests-real: $(RINGER_TESTS)

$(O)/tests/real/%.o: tests/%.c $(TESTS_HEADERS) src/ringer.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Isrc -Itests -c $< -o $@

# Relink when a test source is added or removed: the stamp changes only with the list.
TESTS_REAL_STAMP := $(O)/tests/real/sources.list
ifneq ($(filter tests-real $(RINGER_TESTS),$(MAKECMDGOALS)),)
$(shell mkdir -p $(O)/tests/real && echo '$(TESTS_REAL_SRC)' | cmp -s - $(TESTS_REAL_STAMP) || \
        echo '$(TESTS_REAL_SRC)' > $(TESTS_REAL_STAMP))
endif

$(RINGER_TESTS): $(TESTS_REAL_OBJ) $(LIBRINGER_A) $(TESTS_REAL_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $(TESTS_REAL_OBJ) $(LIBRINGER_A) $(REAL_LIBS) -lpthread

$(TESTS_REAL_STAMP):
	@mkdir -p $(@D)
	@echo '$(TESTS_REAL_SRC)' > $@
