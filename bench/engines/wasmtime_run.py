#!/usr/bin/env python3
"""Runs a WASI command module under Wasmtime (the PyPI `wasmtime` package: Cranelift, default
configuration) for the benchmark harness.

usage: wasmtime_run.py [--exceptions] MODULE [ARGS...]

The program sees argv = [MODULE's file name, ARGS...], no environment and no directories; its
stdout and stderr are this process's. After it exits, one JSON line on stderr reports
  engine_start_ns  CLOCK_REALTIME just before the module is read (the interpreter and the
                   `wasmtime` import are behind us, so they stay out of time to first instruction)
  compile_ns       the wall time of compiling the module
  artifact_bytes   the size of the compiled module, serialised
  start_ns         the wall time of the `_start` call alone
and the exit code is the program's WASI exit code (134 after a trap, as a compiled executable).
`--exceptions` enables exception handling (bench/exceptions/); the suite runs without it.
"""
import json
import os
import sys
import time

import wasmtime

TRAP_EXIT = 134


def main(argv):
    exceptions = bool(argv) and argv[0] == "--exceptions"
    if exceptions:
        argv = argv[1:]
    if not argv:
        sys.exit(__doc__)
    path, args = argv[0], argv[1:]
    engine_start_ns = time.time_ns()
    with open(path, "rb") as file:
        wasm = file.read()
    config = wasmtime.Config()
    config.wasm_exceptions = exceptions
    engine = wasmtime.Engine(config)
    compile_started = time.perf_counter_ns()
    module = wasmtime.Module(engine, wasm)
    compile_ns = time.perf_counter_ns() - compile_started

    wasi = wasmtime.WasiConfig()
    wasi.argv = [os.path.basename(path)] + args
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    store = wasmtime.Store(engine)
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    start_ns = 0
    try:
        start = linker.instantiate(store, module).exports(store)["_start"]
        start_began = time.perf_counter_ns()
        try:
            start(store)
        finally:
            start_ns = time.perf_counter_ns() - start_began
        code = 0
    except wasmtime.ExitTrap as exit_trap:
        code = exit_trap.code
    except wasmtime.Trap as trap:
        print(f"wasm trap: {trap.message}", file=sys.stderr)
        code = TRAP_EXIT
    # Serialising is done after the run so that it costs the program nothing.
    report = {"engine_start_ns": engine_start_ns, "compile_ns": compile_ns,
              "artifact_bytes": len(module.serialize()), "start_ns": start_ns}
    print(json.dumps(report), file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
