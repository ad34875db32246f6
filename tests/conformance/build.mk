# Builds every program of liburing's test suite twice, with build flags only (the sources
# are read in place, never edited): against the system liburing (real/) and against the
# simulated kernel as an installed ringer gives it to a user (sim/: sim/include first, the
# forced include, libringer_simkernel.a). The scaffolding is what liburing's own build
# provides: an empty config-host.h, helpers.c, and "../src/syscall.h" (our own wrappers,
# one per kernel, under tests/conformance/<kernel>/).
#
#   make -k -f tests/conformance/build.mk SUITE=<dir> OUT=<dir> SIM_KERNEL_A=<lib>
#
# A program that does not compile leaves no binary, only <name>.log (the runner reports
# "nobuild" with its first error); -k carries on with the others.

SUITE ?= ../shared/conformance/liburing-2.3/test
OUT ?= build/default/conformance
SIM_KERNEL_A ?= build/default/lib/libringer_simkernel.a
CC ?= cc
CXX ?= c++
CONF := tests/conformance

PROGRAMS := $(sort $(basename $(notdir $(filter-out $(SUITE)/helpers.c, \
                $(wildcard $(SUITE)/*.c $(SUITE)/*.cc)))))

# liburing's test/Makefile flags, with -O2 instead of -O3.
SUITE_CPPFLAGS = -D_GNU_SOURCE -D__SANE_USERSPACE_TYPES__ -I$(CONF)/$(1)/include \
                 -include $(CONF)/$(1)/include/config-host.h
SUITE_CFLAGS := -g -O2 -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
                -DLIBURING_BUILD_TEST
# What `pkg-config --cflags --libs --static ringer-sim` gives, from the build tree.
SIM_USER_CPPFLAGS := -Isim/include -include sim/include/ringer_sim_posix.h -U_FORTIFY_SOURCE \
                     -D_GNU_SOURCE

REAL_CPPFLAGS := $(call SUITE_CPPFLAGS,real)
SIM_CPPFLAGS := $(SIM_USER_CPPFLAGS) $(call SUITE_CPPFLAGS,sim)
REAL_LIBS := -l:liburing.a -lpthread
SIM_LIBS := $(SIM_KERNEL_A) -lpthread
SIM_HEADERS := $(wildcard sim/include/*.h sim/include/*/*.h)

.PHONY: all real sim
all: real sim
real: $(PROGRAMS:%=$(OUT)/real/%.t)
sim: $(PROGRAMS:%=$(OUT)/sim/%.t)

$(OUT)/real/helpers.o: $(SUITE)/helpers.c $(wildcard $(CONF)/real/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(REAL_CPPFLAGS) $(SUITE_CFLAGS) -c $< -o $@

$(OUT)/sim/helpers.o: $(SUITE)/helpers.c $(SIM_HEADERS) $(wildcard $(CONF)/sim/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(SIM_CPPFLAGS) $(SUITE_CFLAGS) -c $< -o $@

# $(1): compiler and flags; the log keeps the compiler's output, the binary exists only
# when the build succeeded.
define suite_build
	@mkdir -p $(@D)
	@$(1) -o $@ $< $(@D)/helpers.o $(2) >$(@:.t=.log) 2>&1 || { rm -f $@; exit 1; }
endef

$(OUT)/real/%.t: $(SUITE)/%.c $(OUT)/real/helpers.o $(wildcard $(CONF)/real/*/*.h) $(CONF)/build.mk
	$(call suite_build,$(CC) $(REAL_CPPFLAGS) $(SUITE_CFLAGS),$(REAL_LIBS))

$(OUT)/real/%.t: $(SUITE)/%.cc $(OUT)/real/helpers.o $(CONF)/build.mk
	$(call suite_build,$(CXX) $(REAL_CPPFLAGS) $(SUITE_CFLAGS) -std=c++11,$(REAL_LIBS))

$(OUT)/sim/%.t: $(SUITE)/%.c $(OUT)/sim/helpers.o $(SIM_KERNEL_A) $(SIM_HEADERS) $(CONF)/build.mk
	$(call suite_build,$(CC) $(SIM_CPPFLAGS) $(SUITE_CFLAGS),$(SIM_LIBS))

$(OUT)/sim/%.t: $(SUITE)/%.cc $(OUT)/sim/helpers.o $(SIM_KERNEL_A) $(SIM_HEADERS) $(CONF)/build.mk
	$(call suite_build,$(CXX) $(SIM_CPPFLAGS) $(SUITE_CFLAGS) -std=c++11,$(SIM_LIBS))
