# Examples: small programs a new user can copy. Each uses only <ringer.h> and libc, and is
# built by the default `make` into build/$(V)/examples/. tests/hooks/examples.sh runs them.

EXAMPLES_NAMES := ringer-cat ringer-echo ringer-datafile
EXAMPLES_BIN   := $(patsubst %,$(O)/examples/%,$(EXAMPLES_NAMES))

.PHONY: examples
all: examples
examples: $(EXAMPLES_BIN)

$(O)/examples/%: examples/%.c src/ringer.h $(LIBRINGER_A)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Isrc -o $@ $< $(LIBRINGER_A) $(REAL_LIBS)
