# votesrv - build, test, benchmark.
#   make          build everything (release flags)
#   make check    unit and integration tests (with the portal's journey in
#                 Chromium), then again under ASan + UBSan
#   make check-browser  only the portal's tests, journey included
#   make bench    benchmarks (lines "bench <name> <value> <unit>")
#   make demo     create a demo election (demo-election/) and serve it on localhost
#   make crypto-demo  carry a small election through the cryptographic core
#   make vectors  regenerate tests/vectors/protocol.json (protocol changes only)

CC      ?= cc
PKGS    := libsodium jansson cmocka sqlite3 libmicrohttpd libcurl cairo libqrencode fontconfig
WARN    := -std=c17 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700
INC     := -I. -I/usr/include/decaf
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LIBS     = -ldecaf -lcsv $(PKG_LIBS) -lpthread -lm

REL_FLAGS := -O2 -g
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
             -fno-sanitize-recover=all

LIB_SRC   := $(wildcard crypto/*.c ballot/*.c store/*.c audit/*.c election/*.c access/*.c mail/*.c notices/*.c box/*.c client/*.c tally/*.c trustee/*.c report/*.c) \
             $(filter-out votesrv/main.c,$(wildcard votesrv/*.c)) $(wildcard votesrv/portal/*.c)
TEST_SRC  := $(wildcard tests/test_*.c)
TESTS     := $(patsubst tests/%.c,%,$(TEST_SRC))
PROGRAMS  := votesrv votectl voteaudit votecred voteclient votetrustee voteverify

REL_LIB   := build/rel/libvotesrv.a
SAN_LIB   := build/san/libvotesrv.a
REL_TESTS := $(addprefix build/rel/tests/,$(TESTS))
SAN_TESTS := $(addprefix build/san/tests/,$(TESTS))
REL_BIN   := $(addprefix build/rel/bin/,$(PROGRAMS))
SAN_BIN   := $(addprefix build/san/bin/,$(PROGRAMS))
TOOLS     := build/rel/tools/votedemo build/rel/tools/genvectors build/rel/bench/bench

.PHONY: all deps check check-browser test test-san bench demo crypto-demo vectors clean portal

all: deps
	@$(MAKE) --no-print-directory $(REL_LIB) $(REL_BIN) $(REL_TESTS) $(TOOLS) portal

# The portal's static files (config "assets"): our style sheet and scripts, the
# browser crypto, and from node_modules (pinned by package-lock.json) the ESM
# build of libsodium, whose bare import is made relative (no import map: the
# CSP forbids inline scripts), and the ALTCHA widget's CSP-friendly build.
PORTAL_DIR := build/portal
SODIUM_ESM := node_modules/libsodium-wrappers-sumo/dist/modules-sumo-esm/libsodium-wrappers.mjs
PORTAL_SRC := $(wildcard votesrv/portal/static/*) $(wildcard votesrv/portal/js/*.mjs)
PORTAL_NPM := node_modules/libsodium-sumo/dist/modules-sumo-esm/libsodium-sumo.mjs \
              node_modules/altcha/dist_external/altcha.js \
              node_modules/altcha/dist_external/worker.js \
              node_modules/altcha/dist_external/altcha.css
portal: $(PORTAL_DIR)/.stamp
$(PORTAL_DIR)/.stamp: $(PORTAL_SRC) $(PORTAL_NPM) $(SODIUM_ESM) package-lock.json
	@mkdir -p $(PORTAL_DIR)
	cp $(PORTAL_SRC) $(PORTAL_NPM) $(PORTAL_DIR)/
	cp node_modules/altcha/dist_i18n/fr-fr.js $(PORTAL_DIR)/altcha-fr-fr.js
	sed 's#from"libsodium-sumo"#from"./libsodium-sumo.mjs"#' $(SODIUM_ESM) \
	  > $(PORTAL_DIR)/libsodium-wrappers.mjs
	grep -q 'from"./libsodium-sumo.mjs"' $(PORTAL_DIR)/libsodium-wrappers.mjs
	@touch $@

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

# Programs: name -> objects
votesrv_OBJ   := votesrv/main.o
votectl_OBJ   := tools/votectl.o tools/votectl_demo.o tools/votectl_ceremony.o tools/votectl_staff.o
voteaudit_OBJ := tools/voteaudit.o
votecred_OBJ  := tools/votecred.o
voteclient_OBJ := tools/voteclient.o
votetrustee_OBJ := tools/votetrustee.o
# the verifier links crypto/ only (and its own files)
voteverify_OBJ := $(patsubst %.c,%.o,$(wildcard verify/*.c))

define program
build/rel/bin/$(1): $(addprefix build/rel/,$($(1)_OBJ)) $(REL_LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(REL_FLAGS) -o $$@ $$^ $$(LIBS)
build/san/bin/$(1): $(addprefix build/san/,$($(1)_OBJ)) $(SAN_LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(SAN_FLAGS) -o $$@ $$^ $$(LIBS)
endef
$(foreach p,$(filter-out voteverify,$(PROGRAMS)),$(eval $(call program,$(p))))

# voteverify links crypto/ and nothing else of the server (enforced here)
CRYPTO_SRC := $(wildcard crypto/*.c)
build/%/libvvcrypto.a:
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
build/rel/libvvcrypto.a: $(patsubst %.c,build/rel/%.o,$(CRYPTO_SRC))
build/san/libvvcrypto.a: $(patsubst %.c,build/san/%.o,$(CRYPTO_SRC))
build/rel/bin/voteverify: $(addprefix build/rel/,$(voteverify_OBJ)) build/rel/libvvcrypto.a
	@mkdir -p $(dir $@)
	$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS)
build/san/bin/voteverify: $(addprefix build/san/,$(voteverify_OBJ)) build/san/libvvcrypto.a
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS)

build/rel/tests/%: build/rel/tests/%.o build/rel/tests/testutil.o $(REL_LIB)
	$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS)

build/san/tests/%: build/san/tests/%.o build/san/tests/testutil.o $(SAN_LIB)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS)

build/rel/tools/%: build/rel/tools/%.o build/rel/tests/testutil.o $(REL_LIB)
	$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS)

build/rel/bench/bench: build/rel/bench/bench.o build/rel/bench/bench_store.o build/rel/bench/bench_access.o build/rel/bench/bench_notices.o build/rel/bench/bench_cast.o build/rel/bench/bench_count.o build/rel/tests/testutil.o $(REL_LIB)
	$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS)

check: deps
	@$(MAKE) --no-print-directory test test-san

test: $(REL_TESTS) $(REL_BIN) portal
	@set -e; cd tests && for t in $(TESTS); do echo "== $$t"; \
	  VOTESRV_BROWSER=1 VOTESRV_BIN=../build/rel/bin ../build/rel/tests/$$t; done
	@echo "== tests/js (node)"; node --test tests/js/*.test.mjs

test-san: $(SAN_TESTS) $(SAN_BIN) portal
	@set -e; cd tests && for t in $(TESTS); do echo "== $$t (asan+ubsan)"; \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  VOTESRV_BIN=../build/san/bin ../build/san/tests/$$t; done

# The portal's tests alone, with its journey in Chromium (tests/browser/journey.mjs),
# on the release build (make check runs them too; not again under ASan).
check-browser: deps
	@$(MAKE) --no-print-directory build/rel/tests/test_portal $(REL_BIN) portal
	@cd tests && VOTESRV_BROWSER=1 VOTESRV_BIN=../build/rel/bin ../build/rel/tests/test_portal

bench: deps
	@$(MAKE) --no-print-directory build/rel/bench/bench $(REL_BIN)
	@cd tests && ../build/rel/bench/bench

DEMO_DIR ?= demo-election

demo: deps
	@$(MAKE) --no-print-directory $(REL_BIN) portal
	@rm -rf $(DEMO_DIR)
	@build/rel/bin/votectl demo $(DEMO_DIR)
	@build/rel/bin/votesrv -c $(DEMO_DIR)/votesrv.json

crypto-demo: deps
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
