# wasm2native: `make run` and `make test` do all set-up themselves on a fresh Debian 12 machine.

SHELL := /bin/bash
APT_PACKAGES := llvm-19-dev libpolly-19-dev clang-19 lld-19 liblld-19-dev wasi-libc libclang-rt-19-dev-wasm32 \
                libclang-rt-19-dev libc++-19-dev-wasm32 zlib1g-dev libzstd-dev libxml2-dev python3-venv gcc g++ binutils \
                clang-format-19 gdb
# llvm-sys must find LLVM 19, never the machine's default llvm-config.
export LLVM_SYS_191_PREFIX := $(shell llvm-config-19 --prefix 2>/dev/null || echo /usr/lib/llvm-19)
CARGO := cargo
BIN := target/release/wasm2native

WASI_VENV := target/wasi-venv
WASMTIME_PY_VERSION := 50.0.1
BINARYEN := target/binaryen
BINARYEN_VERSION := 132.0.0

.PHONY: setup build run test spec clean wasi-venv examples lint install install-check

# Installs the Debian packages that are missing, and only those.
setup:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@command -v $(CARGO) >/dev/null || { echo "error: cargo (Rust >= 1.88) is required"; exit 1; }
	@# V8 for the benchmarks: Debian's Node.js, unless some node is already on PATH.
	@command -v node >/dev/null || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  echo "installing: nodejs"; $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends nodejs; }

# A Python venv with the PyPI `wasmtime` package, which tests/wasi.rs uses to compare its programs'
# behaviour with Wasmtime's. Without it (say, no network) the suite skips that comparison.
wasi-venv: setup
	@py=$(WASI_VENV)/bin/python; \
	have=$$($$py -c 'from importlib.metadata import version; print(version("wasmtime"))' 2>/dev/null); \
	if [ "$$have" != "$(WASMTIME_PY_VERSION)" ]; then \
	  echo "installing wasmtime $(WASMTIME_PY_VERSION) into $(WASI_VENV)"; \
	  { python3 -m venv $(WASI_VENV) && \
	    $$py -m pip install -q --disable-pip-version-check wasmtime==$(WASMTIME_PY_VERSION); } || \
	  echo "warning: could not install wasmtime into $(WASI_VENV): the WASI suite will skip its Wasmtime comparison"; \
	fi

build: setup
	$(CARGO) build --release

# Puts the compiler on PATH: $(PREFIX)/bin/wasm2native. The runtime library and the lld link
# line are inside the binary, so nothing else is installed.
PREFIX ?= /usr/local
install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/wasm2native

# The installed compiler works from elsewhere, on its own (a part of make test).
install-check: build
	$(MAKE) --no-print-directory install PREFIX=$(CURDIR)/target/install-check
	cd /tmp && $(CURDIR)/target/install-check/bin/wasm2native $(CURDIR)/examples/hello.wat \
	  -o $(CURDIR)/target/install-check/hello
	target/install-check/hello

# Compiles the bundled example to a native executable and runs it.
run: build
	$(BIN) examples/hello.wat -o target/hello
	./target/hello

test: build wasi-venv lint spec-data
	sh tests/runtime/run.sh
	$(CARGO) test --release
	$(MAKE) examples
	$(MAKE) install-check
	$(MAKE) bench-quick
	$(MAKE) fuzz-smoke

# Formatting and lints, enforced: rustfmt (rustfmt.toml), clippy with every warning an error
# across both crates and all their targets, clang-format-19 (.clang-format, compiler/.clang-format)
# over the C and C++ sources. Lints allowed stay allowed where they apply, each with its reason.
C_SOURCES = $(shell find runtime-lib compiler fuzz/wasi tests bench/wasm64 bench/exceptions bench/real -name '*.c' -o -name '*.h' -o -name '*.cpp')
lint: setup
	$(CARGO) fmt --all --check
	cd fuzz && $(CARGO) fmt --all --check
	$(CARGO) clippy --release --all-targets -- -D warnings
	cd fuzz && $(CARGO) clippy --release --all-targets --target-dir ../target/lint-fuzz -- -D warnings
	@echo "clang-format-19 --dry-run -Werror: $(words $(C_SOURCES)) C and C++ files"
	@clang-format-19 --dry-run -Werror $(C_SOURCES)

# The example projects, each built and run with its own Makefile.
examples: build
	$(MAKE) -C examples/cpp-textstats clean run WASM2NATIVE=$(CURDIR)/$(BIN)

# The AOT-versus-JIT benchmark suite (bench/README.md): every program under every engine, five
# runs each; writes bench/results/. Needs node and the wasi-venv's wasmtime (else it stops);
# BENCH_ARGS passes options on, e.g. make bench BENCH_ARGS="--allow-missing --runs 3".
.PHONY: bench bench-quick bench-exceptions binaryen
bench: build wasi-venv
	python3 bench/run.py $(BENCH_ARGS)

# Exceptions (bench/exceptions/), against Wasmtime and V8: what a throw costs from 1, 10 and 100
# frames, then a JSON parser that reports errors by longjmp (parser.c), against native too.
bench-exceptions: build wasi-venv binaryen
	python3 bench/exceptions/throw_cost.py
	python3 bench/exceptions/parser.py

# Binaryen (npm's build, run by Node.js) for bench-exceptions: its --translate-to-exnref pass
# makes the try_table form of a module that clang-19 emits with the legacy instructions only.
binaryen: setup
	@have=$$(node -p 'require("./$(BINARYEN)/node_modules/binaryen/package.json").version' 2>/dev/null); \
	if [ "$$have" != "$(BINARYEN_VERSION)" ]; then \
	  command -v npm >/dev/null || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    echo "installing: npm"; $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends npm; }; \
	  echo "installing binaryen $(BINARYEN_VERSION) into $(BINARYEN)"; \
	  npm install -s --prefix $(BINARYEN) --no-audit --no-fund binaryen@$(BINARYEN_VERSION); \
	fi

# The suite as a smoke test: quick workloads, one run each, results in target/bench/quick/.
bench-quick: build wasi-venv
	python3 bench/run.py --quick $(BENCH_ARGS)

# Fuzzing (fuzz/): libFuzzer through libfuzzer-sys on stable Rust, coverage instrumentation
# without a sanitizer. Each target starts from its seeds in fuzz/corpus/TARGET, grows a working
# corpus under target/fuzz/corpus/TARGET, and leaves any crashing input in target/fuzz/artifacts/
# (and fails). fuzz-smoke runs each target for its FUZZ_SMOKE_SECONDS_TARGET (5m30s in all);
# fuzz for FUZZ_SECONDS each. The targets (fuzz/fuzz_targets/): compile_bytes, arbitrary bytes
# into the compiler; differential, wasm-smith modules run against wasmi; differential_wasmtime,
# modules with typed function references or exceptions (which wasmi lacks) run against Wasmtime, the PyPI
# package in $(WASI_VENV), in a child process; differential_v8, modules of the legacy exception
# instructions (which only V8 runs) against the node on PATH, in a child process; sandbox, accesses
# near every bound of a growing memory against wasmi; determinism, two compiles of one module;
# wasi_calls (fuzz/wasi/, C), the runtime's WASI functions under ASan and UBSan.
FUZZ_TARGETS := compile_bytes differential differential_wasmtime differential_v8 sandbox determinism wasi_calls
FUZZ_SMOKE_SECONDS_compile_bytes := 30
FUZZ_SMOKE_SECONDS_differential := 60
FUZZ_SMOKE_SECONDS_differential_wasmtime := 60
FUZZ_SMOKE_SECONDS_differential_v8 := 60
FUZZ_SMOKE_SECONDS_sandbox := 60
FUZZ_SMOKE_SECONDS_determinism := 30
FUZZ_SMOKE_SECONDS_wasi_calls := 30
FUZZ_SECONDS := 3600
FUZZ_RUSTFLAGS := -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
                  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
                  -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing
FUZZ_TRIPLE := $(shell rustc -vV 2>/dev/null | sed -n 's/^host: //p')
FUZZ_BIN := target/fuzz/$(FUZZ_TRIPLE)/release
.PHONY: fuzz-build fuzz-smoke fuzz
FUZZ_WASI_SOURCES := $(filter-out runtime-lib/src/main%,$(wildcard runtime-lib/src/*.c)) fuzz/wasi/wasi_calls.c
fuzz-build: setup $(FUZZ_BIN)/wasi_calls
	cd fuzz && RUSTFLAGS="$(FUZZ_RUSTFLAGS)" $(CARGO) build --release --target $(FUZZ_TRIPLE) --target-dir ../target/fuzz
$(FUZZ_BIN)/wasi_calls: $(FUZZ_WASI_SOURCES) $(wildcard runtime-lib/src/*.h runtime-lib/include/*.h)
	mkdir -p $(FUZZ_BIN)
	clang-19 -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Wno-unused-parameter -Werror \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  -Iruntime-lib/include $(FUZZ_WASI_SOURCES) -lm -lpthread -o $@
fuzz-smoke: fuzz-build wasi-venv
	@$(foreach t,$(FUZZ_TARGETS),$(MAKE) --no-print-directory fuzz-run FUZZ_TARGET=$(t) FUZZ_RUN_SECONDS=$(FUZZ_SMOKE_SECONDS_$(t)) &&) true
fuzz: fuzz-build wasi-venv
	@$(foreach t,$(FUZZ_TARGETS),$(MAKE) --no-print-directory fuzz-run FUZZ_TARGET=$(t) FUZZ_RUN_SECONDS=$(FUZZ_SECONDS) &&) true
# One target for FUZZ_RUN_SECONDS, inputs up to 4 KiB from the start (wasm-smith needs bytes
# to make modules of any size); the stat:: lines at the end count inputs and, for the targets
# that run code, instances and calls compared.
fuzz-run: export WASM2NATIVE_FUZZ_PYTHON := $(CURDIR)/$(WASI_VENV)/bin/python
fuzz-run:
	@t=$(FUZZ_TARGET); echo "fuzz target $$t: $(FUZZ_RUN_SECONDS) s"; \
	if [ $$t = differential_wasmtime ] && ! $$WASM2NATIVE_FUZZ_PYTHON -c 'import wasmtime' 2>/dev/null; then \
	  echo "fuzz target $$t needs the wasmtime package in $(WASI_VENV) (make wasi-venv)"; exit 1; fi; \
	if [ $$t = differential_v8 ] && ! command -v node >/dev/null; then \
	  echo "fuzz target $$t needs node (make setup)"; exit 1; fi; \
	mkdir -p target/fuzz/corpus/$$t target/fuzz/artifacts/$$t && \
	$(FUZZ_BIN)/$$t target/fuzz/corpus/$$t fuzz/corpus/$$t -max_total_time=$(FUZZ_RUN_SECONDS) \
	  -max_len=4096 -len_control=0 -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 -close_fd_mask=1 \
	  -artifact_prefix=target/fuzz/artifacts/$$t/ 2>&1 | grep -a -E '^(stat::(number_of_executed_units|peak_rss_mb|w2n_)|==|SUMMARY|INFO: Seed|thread .* panicked|Test unit)' ; \
	status=$${PIPESTATUS[0]}; [ $$status = 0 ] || { echo "fuzz target $$t failed: see target/fuzz/artifacts/$$t/"; exit 1; }

# The spec harness alone; SPEC_FILTER, SPEC_DIRS and SPEC_OPT narrow it (see tests/spec.rs).
spec: build spec-data
	$(CARGO) test --release --test spec

# Spec tests the suite's crate lacks: the legacy exception instructions' (tests/spec.rs).
.PHONY: spec-data
spec-data:
	python3 tests/spec/fetch_legacy_exceptions.py target/spec-data/exceptions-legacy

clean:
	$(CARGO) clean
