# Benchmarks: `make bench` runs every row (bench/run.sh) against raw liburing, fio and
# libuv; `make profile ROW=nop` runs one row under callgrind. Both use the gcc -O2 build of
# the library (V=bench) unless told otherwise.

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

bench: deps bench-build
	@BENCH_BIN=$(BENCH_BIN) BENCH_UV_BIN=$(BENCH_UV_BIN) BENCH_SECONDS=$(BENCH_SECONDS) \
	    BENCH_REPS=$(BENCH_REPS) bench/run.sh $(ROWS)

# callgrind needs DWARF 4 from clang 14 (valgrind 3.19 cannot read DWARF 5).
profile: deps bench-build
	@BENCH_BIN=$(BENCH_BIN) bench/profile.sh $(ROW)
