# cvm-verify: build, test and serve.
#   make test    install what is missing, build native + WASM, run every test
#   make serve   build and serve the web page on http://127.0.0.1:$(PORT)
SHELL := /bin/bash
.DEFAULT_GOAL := all

PORT ?= 8080
CC ?= cc
EMCC ?= emcc
WASM_OPT ?= wasm-opt
# Debian's emscripten needs Debian's node modules (acorn) for its JS optimizer.
export NODE_PATH := /usr/share/nodejs$(if $(NODE_PATH),:$(NODE_PATH))

BEARSSL := third_party/bearssl
CJSON := third_party/cjson
DEPS_STAMP := third_party/bearssl/.cvm-verify-ok third_party/cjson/.cvm-verify-ok

# Only the BearSSL files the verifier uses: SHA-2 and ECDSA P-256 verification.
BEARSSL_SRCS := $(addprefix $(BEARSSL)/src/, \
	codec/ccopy.c codec/dec32be.c codec/dec64be.c codec/enc32be.c codec/enc64be.c \
	ec/ec_p256_m31.c ec/ec_secp256r1.c ec/ec_secp384r1.c ec/ec_secp521r1.c \
	ec/ecdsa_i31_bits.c ec/ecdsa_i31_vrfy_raw.c \
	ec/ec_prime_i31.c ec/ecdsa_atr.c \
	hash/sha2big.c hash/sha2small.c \
	int/i31_add.c int/i31_bitlen.c int/i31_decmod.c int/i31_decode.c int/i31_encode.c \
	int/i31_fmont.c int/i31_iszero.c int/i31_modpow.c int/i31_montmul.c int/i31_muladd.c \
	int/i31_ninv31.c int/i31_rshift.c int/i31_sub.c int/i31_tmont.c int/i32_div32.c)
THIRD_SRCS := $(BEARSSL_SRCS) $(CJSON)/cJSON.c

# The core: every src/*.c except the WASM export shim.
CORE_SRCS := $(filter-out src/wasm_exports.c,$(wildcard src/*.c))
CORE_HDRS := $(wildcard src/*.h)
# cJSON reads numbers with src/jsonnum.c's strtod, in every build: libc's brings ~14 KB of long-double
# code into the WASM, and one parser everywhere keeps native and WASM reports identical.
INCLUDES := -Isrc -I$(BEARSSL)/inc -I$(BEARSSL)/src -I$(CJSON) -DCJSON_NESTING_LIMIT=64 -Dstrtod=cv_json_strtod

# Native test build: sanitizers on, warnings are errors in our code.
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
NATIVE_CFLAGS := -std=c11 -O1 -g $(SAN) $(INCLUDES) -DCV_TEST_BUILD
OUR_WARN := -Wall -Wextra -Werror -Wno-unused-parameter
NATIVE := build/native

CORE_OBJS := $(patsubst src/%.c,$(NATIVE)/core/%.o,$(CORE_SRCS))
THIRD_OBJS := $(patsubst third_party/%.c,$(NATIVE)/third/%.o,$(THIRD_SRCS))
C_TESTS := $(patsubst tests/c/%.c,$(NATIVE)/%,$(wildcard tests/c/test_*.c))

WASM := build/cvm-verify.wasm
# Size first (README "Performance"): -Oz, LTO (at O1: smaller than the default O2, same speed), emmalloc.
# The exports are docs/core-api.md's ABI.
WASM_FLAGS := -Oz -flto -Wl,--lto-O1 -std=c11 $(INCLUDES) -DCV_WASM \
	-sSTANDALONE_WASM --no-entry -sMALLOC=emmalloc -sALLOW_MEMORY_GROWTH=1 \
	-sINITIAL_MEMORY=1MB -sTOTAL_STACK=128KB -sFILESYSTEM=0 -sERROR_ON_UNDEFINED_SYMBOLS=1 \
	-sEXPORTED_FUNCTIONS=_cv_alloc,_cv_free,_cv_run,_cv_run_cached,_cv_cache_new,_cv_cache_free,_cv_cache_get_stat
# ...except where the time goes: the P-256 field arithmetic and BearSSL's constant-time copy are ~75% of a
# verification. Compiled -O2 (no inlining: it only grows them) and linked as plain objects, they make a
# verification ~1.7x faster for ~1 KB of gzip.
WASM_FAST_SRCS := $(BEARSSL)/src/ec/ec_p256_m31.c $(BEARSSL)/src/codec/ccopy.c
WASM_FAST_OBJS := $(patsubst third_party/%.c,build/wasm-fast/%.o,$(WASM_FAST_SRCS))
WASM_SRCS := $(CORE_SRCS) src/wasm_exports.c $(filter-out $(WASM_FAST_SRCS),$(THIRD_SRCS))
# A second binaryen pass until nothing changes: ~0.4 KB less gzip than emcc's own -Oz pass.
WASM_POST := $(WASM_OPT) -Oz --converge

.PHONY: all deps deps-system native wasm wasm-test wasm-size test test-c test-js test-browser serve bench clean fuzz dist

all: native wasm

deps: deps-system $(DEPS_STAMP) node_modules/.stamp
deps-system:
	@scripts/deps.sh system
$(DEPS_STAMP) &:
	@scripts/deps.sh sources

# The third-party sources are fetched, not committed: every rule that reads one (the WASM builds compile them
# directly) first makes the stamp, so each target works from a fresh clone. Order-only: fetching never forces
# a rebuild of what is already built.
$(THIRD_SRCS) $(WASM_FAST_SRCS): | $(DEPS_STAMP)

node_modules/.stamp: package.json
	@command -v npm >/dev/null || { echo "npm is needed (Node.js >= 18)"; exit 1; }
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

# ---- native ----
native: $(DEPS_STAMP) $(NATIVE)/libcv.a $(C_TESTS) $(NATIVE)/cvm-verify-native

$(NATIVE)/core/%.o: src/%.c $(CORE_HDRS) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(NATIVE_CFLAGS) $(OUR_WARN) -c $< -o $@

$(NATIVE)/third/%.o: third_party/%.c $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(NATIVE_CFLAGS) -w -c $< -o $@

$(NATIVE)/libcv.a: $(CORE_OBJS) $(THIRD_OBJS)
	@rm -f $@
	@ar rcs $@ $^

$(NATIVE)/test_%: tests/c/test_%.c tests/c/check.h $(NATIVE)/libcv.a
	@echo "LD $@"
	@$(CC) $(NATIVE_CFLAGS) $(OUR_WARN) -Itests/c $< $(NATIVE)/libcv.a -o $@

# A native command-line runner of the JSON entry point (tests compare it with the WASM).
$(NATIVE)/cvm-verify-native: tests/c/native_main.c $(NATIVE)/libcv.a
	@echo "LD $@"
	@$(CC) $(NATIVE_CFLAGS) $(OUR_WARN) $< $(NATIVE)/libcv.a -o $@

# ---- compose differential (tests/js/compose-differential.test.mjs) ----
# The C runner of cv_compose_images and the Go oracle on yaml.v3 (Debian golang-gopkg-yaml.v3-dev, offline).
.PHONY: compose-diff
compose-diff: $(NATIVE)/compose-images-cli $(NATIVE)/compose-oracle
test-js: compose-diff
$(NATIVE)/compose-images-cli: tests/c/compose_images_cli.c $(NATIVE)/libcv.a
	@echo "LD $@"
	@$(CC) $(NATIVE_CFLAGS) $(OUR_WARN) $< $(NATIVE)/libcv.a -o $@
$(NATIVE)/compose-oracle: tests/oracle/compose/main.go
	@mkdir -p $(dir $@)
	@echo "GO $@"
	@GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOCACHE=$(abspath build/gocache) go build -o $@ ./tests/oracle/compose/

# ---- wasm ----
wasm: $(WASM) $(WASM_BADGE)
build/wasm-fast/%.o: third_party/%.c | deps-system $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "EMCC $< (-O2)"
	@$(EMCC) -O2 -mllvm -inline-threshold=0 -std=c11 $(INCLUDES) -c $< -o $@

$(WASM): $(WASM_SRCS) $(WASM_FAST_OBJS) $(CORE_HDRS) | deps-system $(DEPS_STAMP)
	@mkdir -p build
	@echo "EMCC $@"
	@$(EMCC) $(WASM_FLAGS) $(WASM_SRCS) $(WASM_FAST_OBJS) -o $@
	@$(WASM_POST) $@ -o $@
	@cp $@ js/cvm-verify.wasm
	@printf '// Generated by make wasm: the SHA-256 of js/cvm-verify.wasm, checked by the loader.\nexport const WASM_SHA256 = "%s";\n' $$(sha256sum $@ | cut -c1-64) > js/wasm-sha256.js
	@node scripts/gen-core-tables.mjs
	@printf 'wasm: %s raw %d bytes, gzip -9 %d bytes; with the loader (js/wasm.js, js/wasm-sha256.js) %d bytes gzip\n' \
		$@ $$(stat -c %s $@) $$(gzip -9c $@ | wc -c) \
		$$(( $$(gzip -9c $@ | wc -c) + $$(gzip -9c js/wasm.js | wc -c) + $$(gzip -9c js/wasm-sha256.js | wc -c) ))

# The badge core (docs/performance.md §5): the same core with Sigstore compiled out. src/badge/sigstore_stub.c
# answers PROVENANCE_NOT_BUILT for every Sigstore entry point, so provenance is never a pass here; the badge loads
# the full core when the site owner asks for provenance (web/badge.js, js/wasm.js option `core`).
WASM_BADGE := build/cvm-verify-badge.wasm
# The standalone op "governance" is wrapped to src/badge/ops_stub.c (OP_NOT_BUILT): the badge never sends it, and
# what the verify pipeline itself calls stays linked.
WASM_BADGE_SRCS := $(filter-out src/sigstore_%.c,$(WASM_SRCS)) src/badge/sigstore_stub.c src/badge/ops_stub.c
WASM_BADGE_LDFLAGS := -Wl,--wrap=cv_gov_run_json
$(WASM_BADGE): $(WASM_BADGE_SRCS) $(WASM_FAST_OBJS) $(CORE_HDRS) | deps-system $(DEPS_STAMP)
	@mkdir -p build
	@echo "EMCC $@"
	@$(EMCC) $(WASM_FLAGS) $(WASM_BADGE_LDFLAGS) $(WASM_BADGE_SRCS) $(WASM_FAST_OBJS) -o $@
	@$(WASM_POST) $@ -o $@
	@cp $@ js/cvm-verify-badge.wasm
	@printf '// Generated by make wasm: the SHA-256 of js/cvm-verify-badge.wasm, checked by the loader.\nexport const WASM_BADGE_SHA256 = "%s";\n' $$(sha256sum $@ | cut -c1-64) > js/wasm-badge-sha256.js
	@printf 'wasm: %s raw %d bytes, gzip -9 %d bytes\n' $@ $$(stat -c %s $@) $$(gzip -9c $@ | wc -c)
# (The "wasm:" line above is read before WASM_BADGE is set, where it expands to nothing: name the badge here.)
wasm: $(WASM_BADGE)

# make wasm-size: sections and largest functions of the module, and a guard against stdio/printf/strtod code
# (bench/wasm-size.mjs), on a build with function names that is otherwise the production one.
WASM_NAMES := build/cvm-verify-names.wasm
$(WASM_NAMES): $(WASM_SRCS) $(WASM_FAST_OBJS) $(CORE_HDRS) | deps-system $(DEPS_STAMP)
	@mkdir -p build
	@echo "EMCC $@"
	@$(EMCC) $(WASM_FLAGS) --profiling-funcs $(WASM_SRCS) $(WASM_FAST_OBJS) -o $@
	@$(WASM_POST) --debuginfo $@ -o $@
# ...and the badge core's (§5 of docs/performance.md), built the same way.
WASM_BADGE_NAMES := build/cvm-verify-badge-names.wasm
$(WASM_BADGE_NAMES): $(WASM_BADGE_SRCS) $(WASM_FAST_OBJS) $(CORE_HDRS) | deps-system $(DEPS_STAMP)
	@mkdir -p build
	@echo "EMCC $@"
	@$(EMCC) $(WASM_FLAGS) $(WASM_BADGE_LDFLAGS) --profiling-funcs $(WASM_BADGE_SRCS) $(WASM_FAST_OBJS) -o $@
	@$(WASM_POST) --debuginfo $@ -o $@
wasm-size: $(WASM_NAMES) $(WASM_BADGE_NAMES)
	node bench/wasm-size.mjs $(WASM_NAMES)
	node bench/wasm-size.mjs $(WASM_BADGE_NAMES)

# ---- dist: the minified single-file badge and API bundles, the WASM's SHA-256 inside, the WASM under a
# content-hashed name (scripts/build-dist.mjs; docs/performance.md). Git-ignored; `exports` points at it.
DIST_STAMP := dist/.stamp
dist: $(DIST_STAMP)
$(DIST_STAMP): $(WASM) $(WASM_BADGE) scripts/build-dist.mjs $(wildcard js/*.js) web/badge.js node_modules/.stamp
	@node scripts/build-dist.mjs

# The test build: honours the test-only trust root (docs/core-api.md). Never shipped.
WASM_TEST := build/cvm-verify-test.wasm
wasm-test: $(WASM_TEST)
$(WASM_TEST): $(WASM_SRCS) $(WASM_FAST_OBJS) $(CORE_HDRS) | deps-system $(DEPS_STAMP)
	@mkdir -p build
	@echo "EMCC $@"
	@$(EMCC) $(WASM_FLAGS) -DCV_TEST_BUILD $(WASM_SRCS) $(WASM_FAST_OBJS) -o $@
	@$(WASM_POST) $@ -o $@

# ---- tests ----
test: deps
	$(MAKE) test-c
	$(MAKE) fuzz-smoke
	$(MAKE) lint
	$(MAKE) wasm
	$(MAKE) test-js
	$(MAKE) test-browser

test-c: native
	@set -e; for t in $(C_TESTS); do echo "== $$t"; (cd tests && ../$$t); done

test-js: $(WASM) $(WASM_TEST) $(DIST_STAMP) $(NATIVE)/cvm-verify-native node_modules/.stamp
	node --test tests/js/

test-browser: $(WASM) $(WASM_TEST) $(DIST_STAMP) node_modules/.stamp
	@if ls tests/browser/*.test.mjs >/dev/null 2>&1; then node --test tests/browser/; fi

serve: deps $(WASM) $(DIST_STAMP)
	node scripts/serve.mjs --port $(PORT)

# make bench: timings, sizes and memory against the peer verifiers (bench/run.mjs; README "Performance").
# The native driver is the core at -O2 without sanitizers, built with clang like the WASM (GCC 12's -O2 code
# for the P-256 arithmetic is ~1.5x slower).
BENCH_CC ?= clang
BENCH_NATIVE := build/bench/native_bench
$(BENCH_NATIVE): bench/native_bench.c $(CORE_SRCS) $(CORE_HDRS) $(THIRD_SRCS) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "CC $@ ($(BENCH_CC) -O2, no sanitizers)"
	@$(BENCH_CC) -std=c11 -O2 $(INCLUDES) $< $(CORE_SRCS) $(THIRD_SRCS) -o $@
bench: deps $(WASM) $(DIST_STAMP) $(BENCH_NATIVE)
	node bench/run.mjs

clean:
	rm -rf build dist js/cvm-verify.wasm js/wasm-sha256.js js/core-tables.js js/cvm-verify-badge.wasm js/wasm-badge-sha256.js

# ---- hardening: libFuzzer harnesses and static analysis (fuzz/README.md) ----
# make fuzz        every harness for FUZZ_SECONDS (60) each, one after another, seeded from tests/vectors/
# make fuzz-smoke  every harness for FUZZ_SMOKE_SECONDS (8) each: the CI run inside make test
# make lint        cppcheck and clang-tidy over src/ (scripts/lint.sh; configuration in scripts/lint/)
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 8
FUZZ_DIR := build/fuzz
FUZZ_HARNESSES := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BINS := $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_HARNESSES))
FUZZ_CFLAGS := -std=c11 -O1 -g $(SAN) $(INCLUDES) -DCV_TEST_BUILD
FUZZ_OBJS := $(patsubst src/%.c,$(FUZZ_DIR)/core/%.o,$(CORE_SRCS)) \
	$(patsubst third_party/%.c,$(FUZZ_DIR)/third/%.o,$(THIRD_SRCS))

.PHONY: fuzz-build fuzz-smoke lint fuzz-flags-force
# Objects are rebuilt when the compile flags change (INCLUDES, SAN, ...), not only when a source does.
FUZZ_FLAGS_STAMP := $(FUZZ_DIR)/.flags
$(FUZZ_FLAGS_STAMP): fuzz-flags-force
	@mkdir -p $(FUZZ_DIR)
	@echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' | cmp -s - $@ || echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' > $@
$(FUZZ_DIR)/core/%.o: src/%.c $(CORE_HDRS) $(DEPS_STAMP) $(FUZZ_FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "FUZZ CC $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(OUR_WARN) -c $< -o $@
$(FUZZ_DIR)/third/%.o: third_party/%.c $(DEPS_STAMP) $(FUZZ_FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "FUZZ CC $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -w -c $< -o $@
# BearSSL (hashes, ECDSA): ASan only, -O2, no coverage: ~7x more executions per second for the harnesses
# that check signatures, and nothing in it is worth guiding the fuzzer by.
$(FUZZ_DIR)/third/bearssl/%.o: third_party/bearssl/%.c $(DEPS_STAMP) $(FUZZ_FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "FUZZ CC $<"
	@$(FUZZ_CC) -O2 -g -fsanitize=address -fno-omit-frame-pointer $(INCLUDES) -w -c $< -o $@
$(FUZZ_DIR)/libcv-fuzz.a: $(FUZZ_OBJS)
	@rm -f $@
	@ar rcs $@ $^
$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_common.h $(FUZZ_DIR)/libcv-fuzz.a
	@echo "FUZZ LD $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(OUR_WARN) -DCV_FUZZ_VECTORS='"$(CURDIR)/tests/vectors"' \
		$< $(FUZZ_DIR)/libcv-fuzz.a -o $@
fuzz-build: $(DEPS_STAMP) $(FUZZ_BINS)
fuzz: fuzz-build
	scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_HARNESSES)
fuzz-smoke: fuzz-build
	scripts/fuzz.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_HARNESSES)
lint: $(DEPS_STAMP)
	scripts/lint.sh

# npm pack's prepack hook (scripts/prepack.mjs): the WASM core from any clone, fetching the C sources first.
.PHONY: pack-core
pack-core: $(DEPS_STAMP)
	@$(MAKE) --no-print-directory wasm dist
# ---- Sigstore's trusted root (issue 20; data/sigstore/README.md) ----
SIGSTORE_TUF_VERSION ?= latest
.PHONY: update-sigstore-root
update-sigstore-root:
	scripts/update-sigstore-root.sh $(SIGSTORE_TUF_VERSION)
