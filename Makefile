# ringer — build, test, install.
#
#   make                 libraries (real ring and sim), ringer-sim, examples
#   make sim             the main job: ringer-sim over default seeds
#   make test            the whole suite: gcc, clang, then ASan+UBSan
#   make install PREFIX=/usr/local
#
# Every build product lives under build/$(V)/ so that variants (gcc, clang, asan, ...) never
# mix objects. Fragments in sim/, tests/, fuzz/, bench/ and examples/ add their own rules.

V        ?= default
O        := build/$(V)
CC       ?= cc
ifeq ($(origin CC),default)
CC       := cc
endif
AR       ?= ar
PREFIX   ?= /usr/local
VERSION  := 0.1.0
SOVERSION := 0

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT      ?= -O2 -g
SAN      ?=
BASE_CFLAGS := -std=gnu11 $(WARN) $(OPT) $(SAN) -fPIC -D_GNU_SOURCE
CFLAGS_ALL = $(BASE_CFLAGS) $(CFLAGS)

# The real kernel: src/ compiled against the system's liburing.
REAL_CPPFLAGS := -Isrc
REAL_LIBS     := -luring

# The simulated kernel: the same src/ compiled with sim/include first and every seam POSIX
# name mapped to the sim by a forced include.
SIM_CPPFLAGS := -Isim/include -Isrc -include sim/include/ringer_sim_posix.h -U_FORTIFY_SOURCE

LIB_SRC  := $(sort $(wildcard src/*.c))
LIB_HDR  := $(wildcard src/*.h)
REAL_OBJ := $(patsubst src/%.c,$(O)/real/%.o,$(LIB_SRC))
SIM_LIB_OBJ := $(patsubst src/%.c,$(O)/simlib/%.o,$(LIB_SRC))

LIBRINGER_A  := $(O)/lib/libringer.a
LIBRINGER_SO := $(O)/lib/libringer.so.$(VERSION)

.PHONY: all lib deps test sim install clean
all: deps lib

lib: $(LIBRINGER_A) $(LIBRINGER_SO)

$(O)/real/%.o: src/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(REAL_CPPFLAGS) -c $< -o $@

$(LIBRINGER_A): $(REAL_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(LIBRINGER_SO): $(REAL_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -shared -Wl,-soname,libringer.so.$(SOVERSION) -o $@ $^ $(REAL_LIBS)
	ln -sf libringer.so.$(VERSION) $(O)/lib/libringer.so.$(SOVERSION)
	ln -sf libringer.so.$(SOVERSION) $(O)/lib/libringer.so

# Debian packages the build needs; installed only when one is missing.
DEPS_PACKAGES := clang-14 lld-14 llvm-14 libclang-rt-14-dev afl++ liburing-dev \
                 libuv1-dev fio valgrind pkg-config \
                 python3 e2fsprogs
deps:
	@scripts/deps.sh $(DEPS_PACKAGES)

test: deps
	@tests/run_all.sh

clean:
	rm -rf build

-include sim/sim.mk
-include simulator/simulator.mk
-include tests/tests.mk
-include tests/world_sim.mk
-include examples/examples.mk
-include bench/bench.mk
-include fuzz/fuzz.mk
-include install.mk
-include mutate/mutate.mk
