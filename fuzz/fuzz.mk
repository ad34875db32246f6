# Fuzzers (fuzz/README.md): libFuzzer and AFL++ targets over the library built against the
# simulated kernel. Included by the top Makefile.
#
#   make fuzz                                 libFuzzer + ASan + UBSan: build/fuzz/bin/<target>
#   make fuzz-afl                             AFL++ (persistent, ASan+UBSan) and CMPLOG builds
#   make fuzz-run TARGET=fuzz_loop SECONDS=60 libFuzzer with corpus and dictionary
#   make fuzz-afl-run TARGET=... SECONDS=...  afl-fuzz with the CMPLOG companion
#   make fuzz-replay                          every corpus and regression input, every target
#   make fuzz-merge TARGET=...                minimise corpus/<target> with what runs found
#   make coverage                             llvm-cov HTML under build/coverage/ + a summary
#
# Each variant has its own tree (build/fuzz, build/fuzz-afl, build/fuzz-afl-cmplog,
# build/fuzz-cov), independent of V, so that instrumented objects never mix.

FUZZ_TARGETS := fuzz_loop fuzz_cancel_all fuzz_open_data_file fuzz_kernel
FUZZ_CC      ?= clang
FUZZ_LLVM    ?= 14
FUZZ_SIM_SRC := $(sort $(wildcard sim/*.c))
FUZZ_HDR     := $(wildcard fuzz/*.h) $(wildcard sim/*.h) $(wildcard sim/include/*.h) $(LIB_HDR)
FUZZ_COMMON  := input check world
FUZZ_DRIVER_TARGETS := fuzz_loop fuzz_cancel_all
FUZZ_WARN    := -std=gnu11 $(WARN) -D_GNU_SOURCE -fno-omit-frame-pointer -g
# The sim is another engineer's code: its warnings must not stop the fuzz build.
FUZZ_SIM_WARN := -std=gnu11 -Wall -D_GNU_SOURCE -fno-omit-frame-pointer -g
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined

# The sim keeps edge coverage but not comparison tracing in the libFuzzer build: its pool
# scans (hundreds of thousands of compares per input) otherwise dominate the run time, and
# the kernel's decisions come from entropy bytes the fuzzer mutates directly.
FUZZ_SIM_EXTRA_fuzz := -fno-sanitize-coverage=trace-cmp

SECONDS ?= 60
TARGET  ?= fuzz_loop

# $(call fuzz_variant,name,compiler command,instrumentation flags,link flags)
define fuzz_variant
FUZZ_DIR_$(1) := build/$(1)
$(1)_LIB_OBJ := $$(patsubst src/%.c,build/$(1)/simlib/%.o,$$(LIB_SRC))
$(1)_SIM_OBJ := $$(patsubst sim/%.c,build/$(1)/sim/%.o,$$(FUZZ_SIM_SRC))

build/$(1)/simlib/%.o: src/%.c $$(FUZZ_HDR)
	@mkdir -p $$(@D)
	$(2) $$(FUZZ_WARN) -O1 $(3) $$(SIM_CPPFLAGS) -c $$< -o $$@

build/$(1)/sim/%.o: sim/%.c $$(FUZZ_HDR)
	@mkdir -p $$(@D)
	$(2) $$(FUZZ_SIM_WARN) -O1 $(3) $$(FUZZ_SIM_EXTRA_$(1)) -Isim/include -Isim -c $$< -o $$@

build/$(1)/obj/%.o: fuzz/%.c $$(FUZZ_HDR)
	@mkdir -p $$(@D)
	$(2) $$(FUZZ_WARN) -O1 $(3) -Isim/include -Isim -Isrc -c $$< -o $$@

build/$(1)/lib/libfuzzworld.a: $$($(1)_LIB_OBJ) $$($(1)_SIM_OBJ) $$(patsubst %,build/$(1)/obj/%.o,$$(FUZZ_COMMON) driver)
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^

build/$(1)/bin/%: build/$(1)/obj/%.o build/$(1)/lib/libfuzzworld.a
	@mkdir -p $$(@D)
	$(2) $(3) $(4) -o $$@ $$^

# The targets' objects are intermediates of a pattern chain: keep them (planted_bug.sh
# and build.sh-style relinks reuse them).
.PRECIOUS: build/$(1)/obj/%.o

.PHONY: $(1)-targets
$(1)-targets: $$(patsubst %,build/$(1)/bin/%,$$(FUZZ_TARGETS))
endef

$(eval $(call fuzz_variant,fuzz,$(FUZZ_CC),-fsanitize=fuzzer-no-link $(FUZZ_SAN),-fsanitize=fuzzer $(FUZZ_SAN)))
$(eval $(call fuzz_variant,fuzz-afl,AFL_USE_ASAN=1 AFL_USE_UBSAN=1 AFL_QUIET=1 afl-clang-fast,,-fsanitize=fuzzer))
$(eval $(call fuzz_variant,fuzz-afl-cmplog,AFL_LLVM_CMPLOG=1 AFL_QUIET=1 afl-clang-fast,,-fsanitize=fuzzer))
$(eval $(call fuzz_variant,fuzz-cov,$(FUZZ_CC),-fprofile-instr-generate -fcoverage-mapping,-fsanitize=fuzzer))

.PHONY: fuzz fuzz-afl fuzz-run fuzz-afl-run fuzz-replay fuzz-merge coverage
fuzz: fuzz-targets
fuzz-afl: fuzz-afl-targets fuzz-afl-cmplog-targets

fuzz-run: build/fuzz/bin/$(TARGET)
	fuzz/run.sh libfuzzer $(TARGET) $(SECONDS)

fuzz-afl-run: build/fuzz-afl/bin/$(TARGET) build/fuzz-afl-cmplog/bin/$(TARGET)
	fuzz/run.sh afl $(TARGET) $(SECONDS)

fuzz-replay: fuzz-targets
	fuzz/run.sh replay $(FUZZ_TARGETS)

fuzz-merge: build/fuzz/bin/$(TARGET)
	fuzz/run.sh merge $(TARGET)

coverage: fuzz-cov-targets
	LLVM_VERSION=$(FUZZ_LLVM) fuzz/coverage.sh $(FUZZ_TARGETS)
