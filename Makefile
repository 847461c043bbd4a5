# cvm-verify: build, test and serve.
#   make test    install what is missing, build native + WASM, run every test
#   make serve   build and serve the web page on http://127.0.0.1:$(PORT)
SHELL := /bin/bash
.DEFAULT_GOAL := all

PORT ?= 8080
CC ?= cc
EMCC ?= emcc
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
	hash/sha2big.c hash/sha2small.c \
	int/i31_add.c int/i31_bitlen.c int/i31_decmod.c int/i31_decode.c int/i31_encode.c \
	int/i31_fmont.c int/i31_iszero.c int/i31_modpow.c int/i31_montmul.c int/i31_muladd.c \
	int/i31_ninv31.c int/i31_rshift.c int/i31_sub.c int/i31_tmont.c int/i32_div32.c)
THIRD_SRCS := $(BEARSSL_SRCS) $(CJSON)/cJSON.c

# The core: every src/*.c except the WASM export shim.
CORE_SRCS := $(filter-out src/wasm_exports.c,$(wildcard src/*.c))
CORE_HDRS := $(wildcard src/*.h)
INCLUDES := -Isrc -I$(BEARSSL)/inc -I$(BEARSSL)/src -I$(CJSON)

# Native test build: sanitizers on, warnings are errors in our code.
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
NATIVE_CFLAGS := -std=c11 -O1 -g $(SAN) $(INCLUDES) -DCV_TEST_BUILD
OUR_WARN := -Wall -Wextra -Werror -Wno-unused-parameter
NATIVE := build/native

CORE_OBJS := $(patsubst src/%.c,$(NATIVE)/core/%.o,$(CORE_SRCS))
THIRD_OBJS := $(patsubst third_party/%.c,$(NATIVE)/third/%.o,$(THIRD_SRCS))
C_TESTS := $(patsubst tests/c/%.c,$(NATIVE)/%,$(wildcard tests/c/test_*.c))

WASM := build/cvm-verify.wasm
WASM_FLAGS := -Oz -flto -std=c11 $(INCLUDES) -DCV_WASM \
	-sSTANDALONE_WASM --no-entry -sMALLOC=emmalloc -sALLOW_MEMORY_GROWTH=1 \
	-sINITIAL_MEMORY=1MB -sSTACK_SIZE=128KB -sFILESYSTEM=0 -sERROR_ON_UNDEFINED_SYMBOLS=1 \
	-sEXPORTED_FUNCTIONS=_cv_alloc,_cv_free,_cv_run,_cv_result_len

.PHONY: all deps deps-system native wasm test test-c test-js test-browser serve bench clean fuzz

all: native wasm

deps: deps-system $(DEPS_STAMP) node_modules/.stamp
deps-system:
	@scripts/deps.sh system
$(DEPS_STAMP):
	@scripts/deps.sh sources

node_modules/.stamp: package.json
	@command -v npm >/dev/null || { echo "npm is needed (Node.js >= 18)"; exit 1; }
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

# ---- native ----
native: $(DEPS_STAMP) $(NATIVE)/libcv.a $(C_TESTS) $(NATIVE)/cvm-verify-native

$(NATIVE)/core/%.o: src/%.c $(CORE_HDRS) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(NATIVE_CFLAGS) $(OUR_WARN) -c $< -o $@

$(NATIVE)/third/%.o: third_party/%.c $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(NATIVE_CFLAGS) -w -c $< -o $@

$(NATIVE)/libcv.a: $(CORE_OBJS) $(THIRD_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(NATIVE)/test_%: tests/c/test_%.c tests/c/check.h $(NATIVE)/libcv.a
	$(CC) $(NATIVE_CFLAGS) $(OUR_WARN) -Itests/c $< $(NATIVE)/libcv.a -o $@

# A native command-line runner of the JSON entry point (tests compare it with the WASM).
$(NATIVE)/cvm-verify-native: tests/c/native_main.c $(NATIVE)/libcv.a
	$(CC) $(NATIVE_CFLAGS) $(OUR_WARN) $< $(NATIVE)/libcv.a -o $@

# ---- wasm ----
wasm: $(WASM)
$(WASM): $(CORE_SRCS) src/wasm_exports.c $(CORE_HDRS) $(THIRD_SRCS) | deps-system
	@mkdir -p build
	$(EMCC) $(WASM_FLAGS) $(CORE_SRCS) src/wasm_exports.c $(THIRD_SRCS) -o $@
	@cp $@ js/cvm-verify.wasm
	@printf 'wasm: %s raw %d bytes, gzip -9 %d bytes\n' $@ $$(stat -c %s $@) $$(gzip -9c $@ | wc -c)

# ---- tests ----
test: deps
	$(MAKE) test-c
	$(MAKE) wasm
	$(MAKE) test-js
	$(MAKE) test-browser

test-c: native
	@set -e; for t in $(C_TESTS); do echo "== $$t"; (cd tests && ../$$t); done

test-js: $(WASM) node_modules/.stamp
	node --test tests/js/

test-browser: $(WASM) node_modules/.stamp
	@if ls tests/browser/*.test.mjs >/dev/null 2>&1; then node --test tests/browser/; fi

serve: deps $(WASM)
	node scripts/serve.mjs --port $(PORT)

bench: deps $(WASM)
	node bench/run.mjs

clean:
	rm -rf build js/cvm-verify.wasm
