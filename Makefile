# wasm2native: `make run` and `make test` do all set-up themselves on a fresh Debian 12 machine.

SHELL := /bin/bash
APT_PACKAGES := llvm-19-dev libpolly-19-dev clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32 \
                zlib1g-dev libzstd-dev libxml2-dev
# llvm-sys must find LLVM 19, never the machine's default llvm-config.
export LLVM_SYS_191_PREFIX := $(shell llvm-config-19 --prefix 2>/dev/null || echo /usr/lib/llvm-19)
CARGO := cargo
BIN := target/release/wasm2native

.PHONY: setup build run test spec clean

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

build: setup
	$(CARGO) build --release

# Compiles the bundled example to a native executable and runs it.
run: build
	$(BIN) examples/hello.wat -o target/hello
	./target/hello

test: build
	sh tests/runtime/run.sh
	$(CARGO) test --release

# The spec harness alone; SPEC_FILTER, SPEC_DIRS and SPEC_OPT narrow it (see tests/spec.rs).
spec: build
	$(CARGO) test --release --test spec

clean:
	$(CARGO) clean
