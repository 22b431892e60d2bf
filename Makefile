# votesrv - build, test, benchmark.
#   make          build everything (release flags)
#   make check    unit tests, then the same tests under ASan + UBSan
#   make bench    benchmarks (lines "bench <name> <value> <unit>")
#   make demo     the crypto walk-through of a small election
#   make vectors  regenerate tests/vectors/protocol.json (protocol changes only)

CC      ?= cc
PKGS    := libsodium jansson cmocka
WARN    := -std=c17 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L
INC     := -I. -I/usr/include/decaf
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LIBS     = -ldecaf $(PKG_LIBS) -lpthread -lm

REL_FLAGS := -O2 -g
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
             -fno-sanitize-recover=all

LIB_SRC   := $(wildcard crypto/*.c ballot/*.c)
TEST_SRC  := $(wildcard tests/test_*.c)
TEST_UTIL := tests/testutil.c
TESTS     := $(patsubst tests/%.c,%,$(TEST_SRC))

REL_LIB   := build/rel/libvotesrv.a
SAN_LIB   := build/san/libvotesrv.a
REL_TESTS := $(addprefix build/rel/tests/,$(TESTS))
SAN_TESTS := $(addprefix build/san/tests/,$(TESTS))
TOOLS     := build/rel/tools/votedemo build/rel/tools/genvectors build/rel/bench/bench

.PHONY: all deps check test test-san bench demo vectors clean

all: deps
	@$(MAKE) --no-print-directory $(REL_LIB) $(REL_TESTS) $(TOOLS)

deps:
	@scripts/install-deps

build/rel/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(REL_FLAGS) $(INC) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

build/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(SAN_FLAGS) $(INC) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

build/%/libvotesrv.a:
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(REL_LIB): $(patsubst %.c,build/rel/%.o,$(LIB_SRC))
$(SAN_LIB): $(patsubst %.c,build/san/%.o,$(LIB_SRC))

build/rel/tests/%: build/rel/tests/%.o build/rel/tests/testutil.o $(REL_LIB)
	$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS)

build/san/tests/%: build/san/tests/%.o build/san/tests/testutil.o $(SAN_LIB)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS)

build/rel/tools/%: build/rel/tools/%.o build/rel/tests/testutil.o $(REL_LIB)
	$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS)

build/rel/bench/bench: build/rel/bench/bench.o $(REL_LIB)
	$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS)

check: deps
	@$(MAKE) --no-print-directory test test-san

test: $(REL_TESTS)
	@set -e; cd tests && for t in $(TESTS); do echo "== $$t"; ../build/rel/tests/$$t; done

test-san: $(SAN_TESTS)
	@set -e; cd tests && for t in $(TESTS); do echo "== $$t (asan+ubsan)"; \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ../build/san/tests/$$t; done

bench: deps
	@$(MAKE) --no-print-directory build/rel/bench/bench
	@build/rel/bench/bench

demo: deps
	@$(MAKE) --no-print-directory build/rel/tools/votedemo
	@build/rel/tools/votedemo

vectors: deps
	@$(MAKE) --no-print-directory build/rel/tools/genvectors
	build/rel/tools/genvectors > tests/vectors/protocol.json.tmp
	mv tests/vectors/protocol.json.tmp tests/vectors/protocol.json

clean:
	rm -rf build

.SECONDARY:
-include $(shell find build -name '*.d' 2>/dev/null)
