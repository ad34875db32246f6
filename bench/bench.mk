# Benchmarks: `make bench` runs every row (bench/run.sh; `make bench ROWS="nop echo"` for
# some) against raw liburing, fio and libuv, with the library of the current variant
# ($(O)); `make profile ROW=nop` runs one row under callgrind.

BENCH_SRC := bench/main.c bench/common.c bench/storage.c bench/echo.c
BENCH_BIN := $(O)/bench/ringer-bench
BENCH_UV_BIN := $(O)/bench/ringer-bench-uv
BENCH_SECONDS ?= 1
BENCH_REPS ?= 5
ROW ?= nop

.PHONY: bench bench-build profile
bench-build: $(BENCH_BIN) $(BENCH_UV_BIN)

$(BENCH_BIN): $(BENCH_SRC) bench/bench.h src/ringer.h $(LIBRINGER_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Isrc -o $@ $(BENCH_SRC) $(LIBRINGER_A) $(REAL_LIBS)

$(BENCH_UV_BIN): bench/echo_libuv.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $< -luv

# The sim row: ringer built against the simulated kernel (only when sim/sim.mk provides it).
ifdef LIBRINGER_SIM_A
BENCH_SIM_BIN := $(O)/bench/ringer-bench-sim
bench-build: $(BENCH_SIM_BIN) $(RINGER_SIM_BIN)
$(BENCH_SIM_BIN): bench/sim.c src/ringer.h $(LIBRINGER_SIM_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(SIM_CPPFLAGS) -o $@ $< $(LIBRINGER_SIM_A)
endif

bench: deps bench-build
	@BENCH_BIN=$(BENCH_BIN) BENCH_UV_BIN=$(BENCH_UV_BIN) BENCH_SECONDS=$(BENCH_SECONDS) \
	    BENCH_REPS=$(BENCH_REPS) bench/run.sh $(ROWS)

# A separate build (V=profile) with -gdwarf-4: valgrind 3.19 cannot read clang 14's default
# DWARF 5 (gcc 12's -g is fine either way).
profile: deps
	@$(MAKE) -s V=profile OPT="-O2 -gdwarf-4" build/profile/bench/ringer-bench
	@BENCH_BIN=build/profile/bench/ringer-bench bench/profile.sh $(ROW)
