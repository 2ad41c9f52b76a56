#!/usr/bin/env python3
"""Runs a WASI command module under Wasmtime (the PyPI `wasmtime` package) with the launch options
a wasm2native executable takes, so the test suite can compare the two.

usage: wasmtime_run.py MODULE [--dir HOST[::GUEST][:readonly]]... [--env NAME=VALUE]... [-- ARGS...]
       wasmtime_run.py --link-only MODULE

Standard streams are inherited. The exit code is the program's WASI exit code; a trap prints
"wasm trap: MESSAGE" on stderr and exits 134, as a compiled executable does. With --link-only the
module is only instantiated against Wasmtime's WASI: exit 0 if every import resolves, else 1.
"""
import os
import sys

import wasmtime

TRAP_EXIT = 134
READ_ONLY_SUFFIX = ":readonly"


def parse(argv):
    if not argv:
        sys.exit(__doc__)
    module, dirs, env, args = argv[0], [], [], []
    rest = iter(argv[1:])
    for word in rest:
        if word == "--":
            args = list(rest)
        elif word in ("--dir", "--env"):
            value = next(rest, None)
            if value is None:
                sys.exit(f"{word} needs a value")
            if word == "--dir":
                # As a compiled executable splits it: the suffix first, then at the first "::".
                read_only = value.endswith(READ_ONLY_SUFFIX)
                if read_only:
                    value = value[: -len(READ_ONLY_SUFFIX)]
                host, _, guest = value.partition("::")
                dirs.append((host, guest or host, read_only))
            else:
                name, equals, text = value.partition("=")
                if not name or not equals:
                    sys.exit(f"--env '{value}' is not NAME=VALUE")
                env.append((name, text))
        else:
            sys.exit(f"unknown option '{word}'")
    return module, dirs, env, args


def instantiate(path, wasi=None):
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    if wasi is not None:
        store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    module = wasmtime.Module.from_file(engine, path)
    return store, linker.instantiate(store, module)


def link_only(path):
    try:
        instantiate(path, wasmtime.WasiConfig())
    except (wasmtime.WasmtimeError, OSError) as error:
        print(f"link error: {error}", file=sys.stderr)
        return 1
    return 0


def run(argv):
    path, dirs, env, args = parse(argv)
    wasi = wasmtime.WasiConfig()
    wasi.argv = [os.path.basename(path)] + args
    wasi.env = env
    for host, guest, read_only in dirs:
        wasi.preopen_dir(host, guest, not read_only)
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    try:
        store, instance = instantiate(path, wasi)
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as exit_trap:
        return exit_trap.code
    except wasmtime.Trap as trap:
        # The trap's kind alone, as a compiled executable reports it ("wasm trap: unreachable").
        code = trap.trap_code
        kind = code.name.lower().replace("_", " ") if code is not None else trap.message
        print(f"wasm trap: {kind}", file=sys.stderr)
        return TRAP_EXIT
    except (wasmtime.WasmtimeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--link-only"] and len(sys.argv) == 3:
        sys.exit(link_only(sys.argv[2]))
    sys.exit(run(sys.argv[1:]))
