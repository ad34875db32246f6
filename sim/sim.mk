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
