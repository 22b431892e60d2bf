# votesrv - build, test, benchmark.
#   make          build everything (release flags)
#   make check    unit and integration tests (with the portal's journey in
#                 Chromium) and the fuzz corpus, again under ASan + UBSan, and
#                 the reproducible-build check
#   make check-browser  only the portal's tests, journey included
#   make fuzz     run each libFuzzer target (clang) for FUZZ_SECONDS; new inputs
#                 stay in build/fuzz/corpus (make fuzz-merge adds them to the tree)
#   make check-repro  two builds of HEAD in different directories: identical programs
#   make check-man  the manual pages (docs/man/) against the programs' usage
#   make test-pg  the suite with PostgreSQL stores (make check runs it when the
#                 PostgreSQL server programs are installed)
#   make check-ha PostgreSQL failover under load (make check runs it too)
#   make bench    benchmarks (lines "bench <name> <value> <unit>")
#   make soak     30 minutes of steady casting by 200,000 voters (SOAK_SECONDS,
#                 SOAK_VOTERS): errors, p99 per window, the daemon's memory
#   make demo     create a demo election (demo-election/) and serve it on localhost
#   make crypto-demo  carry a small election through the cryptographic core
#   make install  the programs, portal, conf/ files, man pages and systemd units
#                 in Debian's layout (PREFIX=/usr, DESTDIR; debian/ builds the packages)
#   make check-package  the Debian packages (lintian) and a daemon run from a DESTDIR install
#   make vectors  regenerate tests/vectors/protocol.json and records.json (protocol changes only)

CC      ?= cc
PKGS    := libsodium jansson cmocka sqlite3 libpq libmicrohttpd libcurl cairo libqrencode fontconfig libseccomp
WARN    := -std=c17 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700
INC     := -I. -I/usr/include/decaf
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LIBS     = -ldecaf -lcsv -lzxcvbn $(PKG_LIBS) -lpthread -lm

# Reproducible: paths in debug info and macros are relative to the tree, so
# that two checkouts of a commit give byte-identical programs (make check-repro).
REPRO     := -ffile-prefix-map=$(CURDIR)=.
# A distribution's flags (debian/rules: dpkg-buildflags' CPPFLAGS, CFLAGS and
# LDFLAGS, which dh exports) come after ours in the release build; empty by
# default, so the default build is unchanged (make check-repro).
REL_FLAGS := -O2 -g $(REPRO) $(CPPFLAGS) $(CFLAGS)
REL_LD    := $(REL_FLAGS) $(LDFLAGS)
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
             -fno-sanitize-recover=all $(REPRO)

LIB_SRC   := $(sort $(wildcard crypto/*.c ballot/*.c store/*.c audit/*.c election/*.c access/*.c mail/*.c notices/*.c box/*.c client/*.c tally/*.c trustee/*.c report/*.c credauth/*.c signer/*.c) \
             $(filter-out votesrv/main.c,$(wildcard votesrv/*.c)) $(wildcard votesrv/portal/*.c) \
             $(filter-out verify/main.c,$(wildcard verify/*.c)))
TEST_SRC  := $(wildcard tests/test_*.c)
TESTS     := $(patsubst tests/%.c,%,$(TEST_SRC))
PROGRAMS  := votesrv votectl voteaudit votecred voteclient votetrustee voteverify votecad

REL_LIB   := build/rel/libvotesrv.a
SAN_LIB   := build/san/libvotesrv.a
REL_TESTS := $(addprefix build/rel/tests/,$(TESTS))
SAN_TESTS := $(addprefix build/san/tests/,$(TESTS))
REL_BIN   := $(addprefix build/rel/bin/,$(PROGRAMS))
SAN_BIN   := $(addprefix build/san/bin/,$(PROGRAMS))
TOOLS     := build/rel/tools/votedemo build/rel/tools/genvectors build/rel/bench/bench \
             build/rel/bench/soak

.PHONY: all deps check check-browser check-man check-repro check-ha test test-pg test-san bench soak demo crypto-demo vectors \
        clean portal fuzz fuzz-merge replay replay-san programs install check-package

all: deps
	@$(MAKE) --no-print-directory $(REL_LIB) $(REL_BIN) $(REL_TESTS) $(TOOLS) $(REL_REPLAY) portal

# The portal's static files (config "assets"): our style sheet and scripts, the
# browser crypto, and from node_modules (pinned by package-lock.json) the ESM
# build of libsodium, whose bare import is made relative (no import map: the
# CSP forbids inline scripts), and the ALTCHA widget's CSP-friendly build.
PORTAL_DIR := build/portal
SODIUM_ESM := node_modules/libsodium-wrappers-sumo/dist/modules-sumo-esm/libsodium-wrappers.mjs
PORTAL_SRC := $(sort $(wildcard votesrv/portal/static/*) $(wildcard votesrv/portal/js/*.mjs))
PORTAL_NPM := node_modules/libsodium-sumo/dist/modules-sumo-esm/libsodium-sumo.mjs \
              node_modules/altcha/dist_external/altcha.js \
              node_modules/altcha/dist_external/worker.js \
              node_modules/altcha/dist_external/altcha.css
portal: $(PORTAL_DIR)/.stamp
$(PORTAL_DIR)/.stamp: $(PORTAL_SRC) $(PORTAL_NPM) $(SODIUM_ESM) package-lock.json \
                     votesrv/portal/theme.c
	@mkdir -p $(PORTAL_DIR)
	cp $(PORTAL_SRC) $(PORTAL_NPM) $(PORTAL_DIR)/
	cp node_modules/altcha/dist_i18n/fr-fr.js $(PORTAL_DIR)/altcha-fr-fr.js
	sed 's#from"libsodium-sumo"#from"./libsodium-sumo.mjs"#' $(SODIUM_ESM) \
	  > $(PORTAL_DIR)/libsodium-wrappers.mjs
	grep -q 'from"./libsodium-sumo.mjs"' $(PORTAL_DIR)/libsodium-wrappers.mjs
	@$(MAKE) --no-print-directory portal-dsfr
	@touch $@

# The dsfr theme (config "portal": {"theme": "dsfr"}): the State's design
# system, npm @gouvfr/dsfr (pinned), served from the assets folder under the
# same CSP. Its style sheet's url()s name icons/CAT/NAME.svg and fonts/NAME.woff2;
# /static/ serves flat lower-case names only, so they become dsfr-NAME.svg and
# marianne-NAME.woff2, and only the icons and fonts the pages use are copied.
# The style sheet's SHA-384 must be the one votesrv/portal/theme.c puts in the
# pages' integrity attribute: a different DSFR file stops the build.
DSFR := node_modules/@gouvfr/dsfr/dist
DSFR_ICONS := system/fr--info-fill system/fr--success-fill system/fr--error-fill \
              system/fr--warning-fill arrows/arrow-down-s-line
DSFR_FONTS := Marianne-Regular Marianne-Bold Marianne-Medium Marianne-Light \
              Marianne-Regular_Italic
.PHONY: portal-dsfr
portal-dsfr:
	sed -E -e 's#url\(icons/[a-z]+/([a-z0-9-]+\.svg)\)#url(dsfr-\1)#g' \
	  -e 's#url\(fonts/([A-Za-z]+)-([A-Za-z]+)(_Italic)?\.(woff2?)\)#url(\L\1-\2\3\E.\4)#g' \
	  -e 's#url\(([a-z]+-[a-z]+)_italic\.(woff2?)\)#url(\1-italic.\2)#g' \
	  $(DSFR)/dsfr.min.css > $(PORTAL_DIR)/dsfr.min.css
	! grep -q 'url(icons/\|url(fonts/' $(PORTAL_DIR)/dsfr.min.css
	for i in $(DSFR_ICONS); do cp $(DSFR)/icons/$$i.svg $(PORTAL_DIR)/dsfr-$${i#*/}.svg; done
	for f in $(DSFR_FONTS); do \
	  cp $(DSFR)/fonts/$$f.woff2 $(PORTAL_DIR)/$$(echo $$f | tr A-Z_ a-z-).woff2; done
	test "sha384-$$(openssl dgst -sha384 -binary $(PORTAL_DIR)/dsfr.min.css | base64 -w0)" = \
	  "$$(sed -n 's/^#define PORTAL_DSFR_CSS_SRI "\(.*\)"$$/\1/p' votesrv/portal/theme.c)"

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
	rm -f $@ && ar rcsD $@ $^

$(REL_LIB): $(patsubst %.c,build/rel/%.o,$(LIB_SRC))
$(SAN_LIB): $(patsubst %.c,build/san/%.o,$(LIB_SRC))

# Programs: name -> objects
votesrv_OBJ   := votesrv/main.o
votectl_OBJ   := tools/votectl.o tools/votectl_demo.o tools/votectl_ceremony.o tools/votectl_staff.o \
                 tools/votectl_version.o tools/votectl_backup.o
voteaudit_OBJ := tools/voteaudit.o
# (and the restricted ones, below)
RESTRICTED := voteverify votetrustee votecred votecad voteclient

define program
build/rel/bin/$(1): $(addprefix build/rel/,$($(1)_OBJ)) $(REL_LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(REL_LD) -o $$@ $$^ $$(LIBS)
build/san/bin/$(1): $(addprefix build/san/,$($(1)_OBJ)) $(SAN_LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(SAN_FLAGS) -o $$@ $$^ $$(LIBS)
endef
$(foreach p,$(filter-out $(RESTRICTED),$(PROGRAMS)),$(eval $(call program,$(p))))

# The programs that run on someone else's machine - the verifier (anyone's),
# the key holders' votetrustee, the credential authority's votecred and votecad,
# the voter's voteclient - link crypto/ (libvvcrypto.a) and their own set of
# modules below, never libvotesrv.a: a call into any other module (the store,
# the ballot box, the daemon) fails their link. Before linking, a header from a
# folder outside the set (or crypto/), other than those named in <program>_HDR,
# is refused too: the compiler's .d files list every header an object read.
CRYPTO_SRC := $(sort $(wildcard crypto/*.c))
# the verifier: its own files
voteverify_OBJ := $(patsubst %.c,%.o,$(sort $(wildcard verify/*.c)))
# a key holder verifies the archive with voteverify's code before sealing the
# close or decrypting; the holder's side of the ceremony and of the count
votetrustee_OBJ := tools/votetrustee.o $(filter-out verify/main.o,$(voteverify_OBJ)) \
                   $(patsubst %.c,%.o,$(sort $(wildcard trustee/*.c))) tally/decrypt.o tally/sums.o \
                   election/ceremony_msg.o election/definition.o notices/backup.o notices/qr.o
# tally/tally.h's sums are of ballot/ballot.h's lists (types only)
votetrustee_HDR := ballot/ballot.h
# the offline authority: the HR list's parser and matcher, vote codes, notices
# and the signature of the credential lists
votecred_OBJ := tools/votecred.o access/defi.o election/credentials_sign.o election/definition.o \
                election/strmap.o election/voters_csv.o election/voters_match.o \
                election/voters_text.o notices/code.o notices/notice.o notices/qr.o notices/sheet.o
# election/voters.h's rows are the store's voter rows (the types, no call)
votecred_HDR := store/store.h
# the online authority: the vote-code generator, credauth/ and the store-free
# part of mail/
votecad_OBJ := tools/votecad.o notices/code.o mail/compose.o mail/template.o mail/config.o \
               mail/smtp.o mail/file.o $(patsubst %.c,%.o,$(sort $(wildcard credauth/*.c)))
# the voter's client: ballots, receipts, vote codes
voteclient_OBJ := tools/voteclient.o client/client.o ballot/ballot.o ballot/ballot_json.o \
                  ballot/ballot_wire.o box/receipt.o notices/code.o
# box/box.h, for the receipt and its check (box/receipt.o), declares the
# server's ballot box too, on the types of these headers (no call)
voteclient_HDR := store/store.h access/access.h mail/mail.h

build/%/libvvcrypto.a:
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcsD $@ $^
build/rel/libvvcrypto.a: $(patsubst %.c,build/rel/%.o,$(CRYPTO_SRC))
build/san/libvvcrypto.a: $(patsubst %.c,build/san/%.o,$(CRYPTO_SRC))

empty :=
space := $(empty) $(empty)
allowed_dirs = $(subst $(space),|,$(sort crypto $(patsubst %/,%,$(dir $($(1)_OBJ)))))
define restricted
build/$(2)/bin/$(1): $(addprefix build/$(2)/,$($(1)_OBJ)) build/$(2)/libvvcrypto.a
	@mkdir -p $$(dir $$@)
	@bad=$$$$(sed -e 's/[:\\]/ /g' -e 's#^#/#' -e 's# # /#g' -e ':d' -e 's#/\./#/#' -e 'td' \
	    -e ':u' -e 's#/[^/ .][^/ ]*/\.\./#/#' -e 'tu' -e 's#^/##' -e 's# /# #g' \
	    $$(patsubst %.o,%.d,$$(filter %.o,$$^)) | tr ' ' '\n' | \
	  grep '^[^/].*\.h$$$$' | grep -Ev '^($(call allowed_dirs,$(1)))/' | \
	  grep -vxF -e none $$(addprefix -e ,$$($(1)_HDR)) | sort -u | tr '\n' ' '); \
	  if [ -n "$$$$bad" ]; then echo "$(1): headers outside its modules: $$$$bad" >&2; exit 1; fi
	$$(CC) $$($(3)) -o $$@ $$^ $$(LIBS)
endef
$(foreach p,$(RESTRICTED),$(eval $(call restricted,$(p),rel,REL_LD)))
$(foreach p,$(RESTRICTED),$(eval $(call restricted,$(p),san,SAN_FLAGS)))

# The tests' shared helpers (tests/testutil*.c, declared in tests/testutil.h),
# linked into every test, tool and benchmark below and the fuzz targets.
TESTUTIL_SRC := $(sort $(wildcard tests/testutil*.c))
TESTUTIL_OBJ  = $(patsubst %.c,build/$(1)/%.o,$(TESTUTIL_SRC))

# test_proxy speaks TLS to HAProxy itself (raw requests, OpenSSL's libssl)
build/rel/tests/test_proxy build/san/tests/test_proxy: LIBS += $(shell pkg-config --libs openssl)

build/rel/tests/%: build/rel/tests/%.o $(call TESTUTIL_OBJ,rel) $(REL_LIB)
	$(CC) $(REL_LD) -o $@ $^ $(LIBS)

build/san/tests/%: build/san/tests/%.o $(call TESTUTIL_OBJ,san) $(SAN_LIB)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS)

build/rel/tools/%: build/rel/tools/%.o $(call TESTUTIL_OBJ,rel) $(REL_LIB)
	$(CC) $(REL_LD) -o $@ $^ $(LIBS)

build/rel/bench/soak: build/rel/bench/soak.o $(call TESTUTIL_OBJ,rel) $(REL_LIB)
	$(CC) $(REL_LD) -o $@ $^ $(LIBS)

build/rel/bench/bench: build/rel/bench/bench.o build/rel/bench/bench_store.o build/rel/bench/bench_access.o build/rel/bench/bench_notices.o build/rel/bench/bench_cast.o build/rel/bench/bench_count.o build/rel/bench/bench_rush.o $(call TESTUTIL_OBJ,rel) $(REL_LIB)
	$(CC) $(REL_LD) -o $@ $^ $(LIBS)

# Fuzzing (tests/fuzz): each target's LLVMFuzzerTestOneInput, linked either
# with tests/fuzz/replay.c (gcc; make check replays the committed corpus) or
# with libFuzzer (clang; make fuzz). fuzz_archive is voteverify's parser and
# links what voteverify links.
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CORPUS  := tests/fuzz/corpus
FUZZ_SECONDS ?= 60
REL_REPLAY   := $(addprefix build/rel/fuzz/,$(FUZZ_TARGETS))
SAN_REPLAY   := $(addprefix build/san/fuzz/,$(FUZZ_TARGETS))
LIBFUZZERS   := $(addprefix build/fuzz/bin/,$(FUZZ_TARGETS))
VV_LIB_OBJ    = $(filter-out %/verify/main.o,$(addprefix build/$(1)/,$(voteverify_OBJ)))
fuzz_lib      = $(if $(filter fuzz_archive,$(2)),$(call VV_LIB_OBJ,$(1)) build/$(1)/libvvcrypto.a,$(call TESTUTIL_OBJ,$(1)) build/$(1)/libvotesrv.a)

define replay_prog
build/$(1)/fuzz/$(2): build/$(1)/tests/fuzz/$(2).o build/$(1)/tests/fuzz/replay.o $(call fuzz_lib,$(1),$(2))
	@mkdir -p $$(dir $$@)
	$$(CC) $$($(3)) -o $$@ $$^ $$(LIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call replay_prog,rel,$(t),REL_LD)))
$(foreach t,$(FUZZ_TARGETS),$(eval $(call replay_prog,san,$(t),SAN_FLAGS)))

FUZZ_CC    := clang
FUZZ_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=undefined
build/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(WARN) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(INC) $(PKG_CFLAGS) -MMD -MP -c $< -o $@
build/fuzz/libvotesrv.a: $(patsubst %.c,build/fuzz/%.o,$(LIB_SRC))
build/fuzz/libvvcrypto.a: $(patsubst %.c,build/fuzz/%.o,$(CRYPTO_SRC))
define libfuzzer_prog
build/fuzz/bin/$(1): build/fuzz/tests/fuzz/$(1).o $(call fuzz_lib,fuzz,$(1))
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CC) $$(FUZZ_FLAGS) -fsanitize=fuzzer -o $$@ $$^ $$(LIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call libfuzzer_prog,$(t))))

# Each target for FUZZ_SECONDS from the committed corpus plus what earlier runs
# found (build/fuzz/corpus); a crash stops the run and its input is left in
# build/fuzz/artifacts/ (add it to the corpus once fixed).
fuzz: deps
	@$(MAKE) --no-print-directory $(LIBFUZZERS) $(REL_BIN) portal
	@set -e; for t in $(FUZZ_TARGETS); do echo "== $$t ($(FUZZ_SECONDS) s)"; \
	  mkdir -p build/fuzz/corpus/$$t build/fuzz/artifacts; \
	  dict=; [ ! -f tests/fuzz/$$t.dict ] || dict=-dict=tests/fuzz/$$t.dict; \
	  if VOTESRV_BIN=build/rel/bin build/fuzz/bin/$$t -max_total_time=$(FUZZ_SECONDS) \
	       -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/$$t- $$dict \
	       build/fuzz/corpus/$$t $(FUZZ_CORPUS)/$$t > build/fuzz/$$t.log 2>&1; then \
	    grep -E '^(#[0-9]+ +DONE|stat::(number_of_executed_units|peak_rss_mb))' build/fuzz/$$t.log; \
	  else tail -60 build/fuzz/$$t.log; echo "fuzz: $$t failed (build/fuzz/$$t.log)"; exit 1; fi; \
	done
# The inputs that add coverage, merged into the committed corpus.
fuzz-merge: $(LIBFUZZERS)
	@set -e; for t in $(FUZZ_TARGETS); do \
	  VOTESRV_BIN=build/rel/bin build/fuzz/bin/$$t -merge=1 $(FUZZ_CORPUS)/$$t build/fuzz/corpus/$$t \
	    2>&1 | grep -E 'MERGE-OUTER: [0-9]+ new files'; done

replay: $(REL_REPLAY) $(REL_BIN)
	@set -e; for t in $(FUZZ_TARGETS); do echo "== $$t (corpus replay)"; \
	  VOTESRV_BIN=build/rel/bin build/rel/fuzz/$$t $(FUZZ_CORPUS)/$$t; done
replay-san: $(SAN_REPLAY) $(SAN_BIN)
	@set -e; for t in $(FUZZ_TARGETS); do echo "== $$t (corpus replay, asan+ubsan)"; \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  VOTESRV_BIN=build/san/bin build/san/fuzz/$$t $(FUZZ_CORPUS)/$$t; done

# make check builds everything first with one job per core (the tests then run
# one at a time) and prints each part's and each test's seconds ("== x: 12.3 s").
JOBS    := $(shell nproc 2>/dev/null || echo 2)
ELAPSED  = $$(e=$$(( ($$(date +%s%N) - $(1)) / 100000000 )); echo $$((e / 10)).$$((e % 10)))
check: deps
	@t0=$$(date +%s%N); $(MAKE) --no-print-directory -j$(JOBS) $(REL_LIB) $(REL_BIN) $(REL_TESTS) \
	  $(REL_REPLAY) portal $(SAN_BIN) $(SAN_TESTS) $(SAN_REPLAY) build/rel/tests/ha_failover && \
	  echo "== build: $(call ELAPSED,$$t0) s"
	@t0=$$(date +%s%N); $(MAKE) --no-print-directory test && echo "== test: $(call ELAPSED,$$t0) s"
	@t0=$$(date +%s%N); $(MAKE) --no-print-directory test-san && \
	  echo "== test-san: $(call ELAPSED,$$t0) s"
	@if tests/pg_cluster.sh available; then \
	  t0=$$(date +%s%N); $(MAKE) --no-print-directory test-pg && \
	  echo "== test-pg: $(call ELAPSED,$$t0) s" && \
	  t0=$$(date +%s%N) && $(MAKE) --no-print-directory check-ha && \
	  echo "== check-ha: $(call ELAPSED,$$t0) s"; \
	 else echo "== PostgreSQL: server programs missing, test-pg and check-ha skipped"; fi
	@t0=$$(date +%s%N); out=$$(tests/repro.sh --tree 2>&1) || { echo "$$out"; exit 1; }; \
	  echo "$$out" | tail -1; echo "== repro: $(call ELAPSED,$$t0) s"
	@t0=$$(date +%s%N); $(MAKE) --no-print-directory check-package && \
	  echo "== check-package: $(call ELAPSED,$$t0) s"

# The whole suite again with every store in PostgreSQL (a throwaway cluster on
# loopback, tests/pg_cluster.sh, without fsync; one database per test folder),
# release build. Not the tests of PG_SAME, whose stores are SQLite files
# whatever VOTESRV_TEST_PG says: test_demo and test_daemon run the election of
# `votectl demo` (its own files), test_credauth votecad (no store/ in its
# link); here they would run exactly as in make test. What they call from the
# library and the tests' helpers must stay within PG_SAME_USES (nm checks it:
# a new call is a reason to look again, and to run them here if it opens a
# test store).
PG_SAME      := test_credauth test_daemon test_demo
PG_SAME_USES := code_display code_new credauth_config_load credauth_open credauth_reissue \
                credauth_request_digest credauth_request_parse credauth_request_verify \
                credential_from_code_scrutin credential_reissue_add credential_reissue_final \
                credential_reissue_init election_authority_post election_reissue_request_make \
                hex_decode hex_encode tu_base32_key tu_base_url tu_bin tu_daemon_start tu_daemon_teardown \
                tu_demo_start tu_http tu_http_internal tu_internal_url tu_jhex tu_log_lines tu_mail_code \
                tu_proc_child_named tu_rmdir tu_sh tu_smtp_mails_to tu_smtp_message \
                tu_smtp_start tu_smtp_stop tu_tcp_connect tu_tmpdir tu_totp tu_votecad_halt \
                tu_votecad_outbox_empty tu_votecad_serve tu_votecad_status tu_write
test-pg: $(REL_TESTS) $(REL_BIN) portal
	@set -e; export LC_ALL=C; nm --defined-only -g $(REL_LIB) $(call TESTUTIL_OBJ,rel) 2>/dev/null | \
	  awk 'NF == 3 { print $$3 }' | sort -u > build/rel/tests/pg-same.defs; \
	  for t in $(PG_SAME); do \
	    new=$$(nm -u build/rel/tests/$$t.o | awk '{ print $$2 }' | sort -u | \
	      comm -12 - build/rel/tests/pg-same.defs | grep -vxF $(addprefix -e ,$(PG_SAME_USES)) | \
	      tr '\n' ' '); \
	    if [ -n "$$new" ]; then echo "test-pg: $$t now calls $$new(PG_SAME_USES): does it" \
	      "open a test store? then take it out of PG_SAME" >&2; exit 1; fi; done
	@set -e; d=$$(mktemp -d /tmp/votesrv-pg.XXXXXX); chmod 755 $$d; \
	  port=$$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	  trap '$(CURDIR)/tests/pg_cluster.sh stop '$$d'/pg; rm -rf '$$d EXIT; \
	  PG_CLUSTER_THROWAWAY=1 tests/pg_cluster.sh start $$d/pg $$port; \
	  cd tests && for t in $(filter-out $(PG_SAME),$(TESTS)); do echo "== $$t (PostgreSQL)"; \
	  t0=$$(date +%s%N); \
	  VOTESRV_TEST_PG="host=127.0.0.1 port=$$port" VOTESRV_BROWSER=1 \
	  VOTESRV_BIN=../build/rel/bin ../build/rel/tests/$$t; \
	  echo "== $$t (PostgreSQL): $(call ELAPSED,$$t0) s"; done

# Failover: a primary and a synchronous standby, two votesrv nodes under load,
# the primary's machine lost and Patroni promoting the standby, a pg_basebackup
# under load checked (tests/ha_failover.c; etcd, Patroni, HAProxy on loopback).
check-ha: build/rel/tests/ha_failover $(REL_BIN)
	@echo "== ha_failover (Patroni, etcd, HAProxy: PostgreSQL primary lost under load)"
	@cd tests && VOTESRV_BIN=../build/rel/bin ../build/rel/tests/ha_failover

test: $(REL_TESTS) $(REL_BIN) portal
	@set -e; cd tests && for t in $(TESTS); do echo "== $$t"; t0=$$(date +%s%N); \
	  VOTESRV_BROWSER=1 VOTESRV_BIN=../build/rel/bin ../build/rel/tests/$$t; \
	  echo "== $$t: $(call ELAPSED,$$t0) s"; done
	@$(MAKE) --no-print-directory check-man
	@echo "== units_check (conf/systemd: systemd-analyze verify and security)"
	@tests/units_check.sh build/rel/bin
	@echo "== tests/js (node)"; node --test tests/js/*.test.mjs
	@$(MAKE) --no-print-directory replay

test-san: $(SAN_TESTS) $(SAN_BIN) portal
	@set -e; cd tests && for t in $(TESTS); do echo "== $$t (asan+ubsan)"; t0=$$(date +%s%N); \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  VOTESRV_CRASH_CYCLES=3 VOTESRV_BIN=../build/san/bin ../build/san/tests/$$t; \
	  echo "== $$t (asan+ubsan): $(call ELAPSED,$$t0) s"; done
	@$(MAKE) --no-print-directory replay-san

# The portal's tests alone, with its journey in Chromium (tests/browser/journey.mjs),
# on the release build (make check runs them too; not again under ASan).
check-browser: deps
	@$(MAKE) --no-print-directory build/rel/tests/test_portal build/rel/tests/test_demo $(REL_BIN) portal
	@cd tests && VOTESRV_BROWSER=1 VOTESRV_BIN=../build/rel/bin ../build/rel/tests/test_portal
	@cd tests && VOTESRV_BROWSER=1 VOTESRV_BIN=../build/rel/bin ../build/rel/tests/test_demo

check-repro: deps
	@tests/repro.sh

# The Debian packages (a second compile, with dpkg-buildflags' flags, in a
# throw-away copy), lintian, and a daemon run from a DESTDIR install and from
# the packages' files (tests/package_check.sh; make check runs it).
check-package: $(REL_BIN) portal
	@tests/package_check.sh

# The manual pages (docs/man/): one per program, no groff warning, every
# command and option of each program's usage in its page (make check runs it).
check-man: $(REL_BIN)
	@echo "== man pages (tests/man_check.sh)"
	@tests/man_check.sh build/rel/bin $(PROGRAMS)

bench: deps
	@$(MAKE) --no-print-directory build/rel/bench/bench $(REL_BIN) portal
	@cd tests && ../build/rel/bench/bench

# 30 minutes of steady casting by 200,000 voters (bench/soak.c); not in check.
soak: deps
	@$(MAKE) --no-print-directory build/rel/bench/soak $(REL_BIN)
	@cd tests && ../build/rel/bench/soak

DEMO_DIR ?= demo-election
DEMO_PORT ?= 8080

demo: deps
	@$(MAKE) --no-print-directory $(REL_BIN) portal
	@rm -rf $(DEMO_DIR)
	@build/rel/bin/votectl demo $(DEMO_DIR) --port $(DEMO_PORT)
	@build/rel/bin/votecad init $(DEMO_DIR)/votecad/votecad.json
	@build/rel/bin/votecad serve $(DEMO_DIR)/votecad/votecad.json & cad=$$!; \
	  trap 'kill $$cad; wait $$cad' EXIT; build/rel/bin/votesrv -c $(DEMO_DIR)/votesrv.json

crypto-demo: deps
	@$(MAKE) --no-print-directory build/rel/tools/votedemo
	@build/rel/tools/votedemo

vectors: deps
	@$(MAKE) --no-print-directory build/rel/tools/genvectors
	build/rel/tools/genvectors > tests/vectors/protocol.json.tmp
	mv tests/vectors/protocol.json.tmp tests/vectors/protocol.json
	@$(MAKE) --no-print-directory build/rel/tests/test_records
	build/rel/tests/test_records --print > tests/vectors/records.json.tmp
	mv tests/vectors/records.json.tmp tests/vectors/records.json

clean:
	rm -rf build

# The programs alone (debian/rules builds these and the portal, not the tests).
programs: $(REL_BIN)

# Install in Debian's layout (docs/deployment.md, "Installed layout"): officers'
# and voters' programs in PREFIX/bin, the daemons in PREFIX/sbin, the portal and
# conf/'s files in PREFIX/share/votesrv (where votectl demo finds them from its
# own place), man pages gzipped, the systemd units conf/systemd holds, examples
# /etc/votesrv/votesrv.json and /etc/votecad/votecad.json (existing ones are
# kept) naming these places, and
# the state folder /var/lib/votesrv (0711; owned by the writer's user when run
# as root on the machine itself, by the package's postinst otherwise).
PREFIX        ?= /usr
SYSCONFDIR    ?= /etc
LOCALSTATEDIR ?= /var
UNITDIR       ?= /lib/systemd/system
BINDIR        := $(PREFIX)/bin
SBINDIR       := $(PREFIX)/sbin
DATADIR       := $(PREFIX)/share/votesrv
MANDIR        := $(PREFIX)/share/man
SBIN_PROGRAMS := votesrv votecad
CONF_FILES    := $(sort $(wildcard conf/*.txt conf/*.example.json)) conf/haproxy.cfg \
                 conf/postgresql-setup.sql
MAN_PAGES     := $(sort $(wildcard docs/man/*.[158]))
UNITS         := $(sort $(wildcard conf/systemd/*.service conf/systemd/*.socket conf/systemd/*.target))
SYSUSERS      := $(sort $(wildcard conf/systemd/sysusers.d/*.conf))
TMPFILES      := $(sort $(wildcard conf/systemd/tmpfiles.d/*.conf))
INSTALL       ?= install
install: $(REL_BIN) portal
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR)/portal \
	  $(DESTDIR)$(DATADIR)/conf/mail $(DESTDIR)$(DATADIR)/conf/haproxy-errors \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(SYSCONFDIR)/votesrv $(DESTDIR)$(SYSCONFDIR)/votecad \
	  $(DESTDIR)$(LOCALSTATEDIR)/lib/votesrv/documents
	$(INSTALL) -m 0755 $(addprefix build/rel/bin/,$(filter-out $(SBIN_PROGRAMS),$(PROGRAMS))) \
	  $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 0755 $(addprefix build/rel/bin/,$(SBIN_PROGRAMS)) $(DESTDIR)$(SBINDIR)/
	$(INSTALL) -m 0644 $(PORTAL_DIR)/* $(DESTDIR)$(DATADIR)/portal/
	$(INSTALL) -m 0644 $(CONF_FILES) $(DESTDIR)$(DATADIR)/conf/
	$(INSTALL) -m 0644 conf/mail/* $(DESTDIR)$(DATADIR)/conf/mail/
	$(INSTALL) -m 0644 conf/haproxy-errors/* $(DESTDIR)$(DATADIR)/conf/haproxy-errors/
	for m in $(MAN_PAGES); do n=$${m##*/}; \
	  gzip -9nc $$m > $(DESTDIR)$(MANDIR)/man$${n##*.}/$$n.gz; \
	  chmod 0644 $(DESTDIR)$(MANDIR)/man$${n##*.}/$$n.gz; done
	chmod 0711 $(DESTDIR)$(LOCALSTATEDIR)/lib/votesrv
	[ -e $(DESTDIR)$(SYSCONFDIR)/votesrv/votesrv.json ] || \
	  sed -e 's#/usr/share/votesrv#$(DATADIR)#g' -e 's#/etc/votesrv#$(SYSCONFDIR)/votesrv#g' \
	    -e 's#/var/lib/votesrv#$(LOCALSTATEDIR)/lib/votesrv#g' conf/votesrv.example.json | \
	    $(INSTALL) -m 0644 /dev/stdin $(DESTDIR)$(SYSCONFDIR)/votesrv/votesrv.json
	[ -e $(DESTDIR)$(SYSCONFDIR)/votecad/votecad.json ] || \
	  sed -e 's#/usr/share/votesrv#$(DATADIR)#g' -e 's#/etc/votecad#$(SYSCONFDIR)/votecad#g' \
	    -e 's#/var/lib/votecad#$(LOCALSTATEDIR)/lib/votecad#g' conf/votecad.example.json | \
	    $(INSTALL) -m 0644 /dev/stdin $(DESTDIR)$(SYSCONFDIR)/votecad/votecad.json
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && id votesrv > /dev/null 2>&1 && \
	    getent group votesrv-signer > /dev/null; then \
	  echo "chown votesrv:votesrv-signer $(LOCALSTATEDIR)/lib/votesrv"; \
	  chown votesrv:votesrv-signer $(LOCALSTATEDIR)/lib/votesrv; fi
	$(if $(UNITS),$(INSTALL) -d $(DESTDIR)$(UNITDIR) && \
	  $(INSTALL) -m 0644 $(UNITS) $(DESTDIR)$(UNITDIR)/)
	$(if $(SYSUSERS),$(INSTALL) -d $(DESTDIR)$(PREFIX)/lib/sysusers.d && \
	  $(INSTALL) -m 0644 $(SYSUSERS) $(DESTDIR)$(PREFIX)/lib/sysusers.d/)
	$(if $(TMPFILES),$(INSTALL) -d $(DESTDIR)$(PREFIX)/lib/tmpfiles.d && \
	  $(INSTALL) -m 0644 $(TMPFILES) $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/)

.SECONDARY:
-include $(shell find build -name '*.d' 2>/dev/null)
