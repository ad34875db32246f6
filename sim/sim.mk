# The simulated kernel: libringer_sim.a = src/ compiled against sim/include with the forced
# include, plus the sim's own objects (compiled without the forced include).
#
#   make sim-test          build and run the sim's own tests (tests/sim/run.sh $(V))

SIM_SRC      := $(sort $(wildcard sim/*.c))
SIM_HDR      := $(wildcard sim/*.h sim/include/*.h)
SIM_OBJ      := $(patsubst sim/%.c,$(O)/sim/%.o,$(SIM_SRC))
SIM_KCFLAGS  := -Isim/include -Isim
LIBRINGER_SIM_A := $(O)/lib/libringer_sim.a
SIM_KERNEL_A := $(O)/lib/libringer_simkernel.a

.PHONY: sim-lib sim-test

lib: $(LIBRINGER_SIM_A)
sim-lib: $(LIBRINGER_SIM_A) $(SIM_KERNEL_A)

$(O)/simlib/%.o: src/%.c $(LIB_HDR) $(SIM_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(SIM_CPPFLAGS) -c $< -o $@

$(O)/sim/%.o: sim/%.c $(SIM_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(SIM_KCFLAGS) -c $< -o $@

$(LIBRINGER_SIM_A): $(SIM_LIB_OBJ) $(SIM_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

# The kernel alone, for programs outside ringer (tests/sim/plain_liburing.c).
$(SIM_KERNEL_A): $(SIM_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

sim-test: $(LIBRINGER_SIM_A) $(SIM_KERNEL_A)
	@tests/sim/run.sh $(V)

# ---- the sim's own tests (tests/sim/) ----
SIMTEST_DIR  := $(O)/simtests
SIMTEST_HOST := $(SIMTEST_DIR)/host/simtest.o
SIMTEST_PROGS := $(SIMTEST_DIR)/kernel_tests $(SIMTEST_DIR)/determinism $(SIMTEST_DIR)/faults \
                 $(SIMTEST_DIR)/ringer_round_trip $(SIMTEST_DIR)/nodes \
                 $(SIMTEST_DIR)/plain_liburing_sim $(SIMTEST_DIR)/plain_liburing_real

$(SIMTEST_DIR)/host/%.o: tests/sim/%.c tests/sim/simtest.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Itests/sim -c $< -o $@

$(SIMTEST_DIR)/obj/%.o: tests/sim/%.c tests/sim/simtest.h tests/sim/workload.h $(SIM_HDR) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(SIM_CPPFLAGS) -Itests/sim -c $< -o $@

SIMTEST_WORKLOAD := $(SIMTEST_DIR)/obj/workload.o

$(SIMTEST_DIR)/kernel_tests $(SIMTEST_DIR)/ringer_round_trip $(SIMTEST_DIR)/nodes: $(SIMTEST_DIR)/%: $(SIMTEST_DIR)/obj/%.o $(SIMTEST_HOST) $(LIBRINGER_SIM_A)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(SIMTEST_HOST) $(LIBRINGER_SIM_A)

$(SIMTEST_DIR)/determinism $(SIMTEST_DIR)/faults: $(SIMTEST_DIR)/%: $(SIMTEST_DIR)/obj/%.o \
		$(SIMTEST_WORKLOAD) $(SIMTEST_HOST) $(LIBRINGER_SIM_A)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(SIMTEST_WORKLOAD) $(SIMTEST_HOST) $(LIBRINGER_SIM_A)

sim-test-progs: $(SIMTEST_PROGS)
.PHONY: sim-test-progs

# The plain liburing program, unchanged, against the sim and against the real kernel.
$(SIMTEST_DIR)/plain_liburing_sim: tests/sim/plain_liburing.c $(SIM_KERNEL_A) $(SIM_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Isim/include -include sim/include/ringer_sim_posix.h -U_FORTIFY_SOURCE \
		-o $@ $< $(SIM_KERNEL_A)

$(SIMTEST_DIR)/plain_liburing_real: tests/sim/plain_liburing.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $< -luring

# The differential script, against the sim and against the real kernel.
$(SIMTEST_DIR)/diff_script_sim: tests/sim/diff_script.c $(SIM_KERNEL_A) $(SIM_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Isim/include -include sim/include/ringer_sim_posix.h -U_FORTIFY_SOURCE \
		-o $@ $< $(SIM_KERNEL_A)

$(SIMTEST_DIR)/diff_script_real: tests/sim/diff_script.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $< -luring

# make install installs the sim too: see install.mk.

# A throughput probe of the sim kernel (not a test).
.PHONY: sim-perf
sim-perf: $(SIMTEST_DIR)/perf_storage
$(SIMTEST_DIR)/perf_storage: tests/sim/perf_storage.c $(SIM_KERNEL_A) $(SIM_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(SIM_CPPFLAGS) -o $@ $< $(SIM_KERNEL_A)

# make conformance: liburing's test suite on both kernels (tests/conformance/).
-include tests/conformance/conformance.mk
