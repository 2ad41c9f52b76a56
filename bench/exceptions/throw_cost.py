#!/usr/bin/env python3
"""Throw cost: nanoseconds per exception thrown from 1, 10 and 100 frames below its handler and
caught there (throw.wat; throw_legacy.wat, the same with the legacy instructions), under
wasm2native, Wasmtime (the venv's PyPI package, exceptions enabled) and V8 (Debian's Node.js,
whose V8 runs the legacy instructions only), in rounds that interleave the engines; medians.
Then what a call that can throw (and does not) costs inside a handler and outside one.

  bench/exceptions/throw_cost.py [--rounds R] [--wasm2native PATH] [--python VENV_PYTHON]

Each measurement is one call of `rounds(n, depth)` (or `calls(n, inside)`), less a call with
n = 0 made the same way (for wasm2native, whole `wasm2native run --invoke` processes, compiled
once and cached), over n.
"""
import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEPTHS = (1, 10, 100)
CALLS = 20_000_000


def throws_at(depth):
    """Enough throws for a run of a few hundred milliseconds at any depth."""
    return 1_000_000 // max(1, depth // 10)


def to_binary(python, wat, out):
    code = "import sys, wasmtime; open(sys.argv[2], 'wb').write(wasmtime.wat2wasm(open(sys.argv[1]).read()))"
    subprocess.run([python, "-c", code, str(wat), str(out)], check=True)


def wasm2native_seconds(binary, module, export, n, arg):
    start = time.perf_counter()
    out = subprocess.run([binary, "run", "--invoke", export, str(module), str(n), str(arg)],
                         check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    return elapsed, int(out.stdout.split()[0])


WASMTIME = """
import sys, time, wasmtime
config = wasmtime.Config()
config.wasm_exceptions = True
engine = wasmtime.Engine(config)
store = wasmtime.Store(engine)
module = wasmtime.Module(engine, open(sys.argv[1], 'rb').read())
run = wasmtime.Instance(store, module, []).exports(store)[sys.argv[2]]
n, arg = int(sys.argv[3]), int(sys.argv[4])
run(store, 1000, arg)  # compiled and warm
start = time.perf_counter(); result = run(store, n, arg); full = time.perf_counter() - start
start = time.perf_counter(); run(store, 0, arg); empty = time.perf_counter() - start
print(full - empty, result)
"""

V8 = """
const fs = require('fs');
const [file, name, n, arg] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
const run = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file))).exports[name];
run(1000, arg);
let start = performance.now(); const result = run(n, arg); const full = performance.now() - start;
start = performance.now(); run(0, arg); const empty = performance.now() - start;
console.log((full - empty) / 1000, result);
"""


def in_process_seconds(command):
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--wasm2native", default=str(REPO / "target/release/wasm2native"))
    parser.add_argument("--python", default=str(REPO / "target/wasi-venv/bin/python"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="throw-cost-"))
    exnref, legacy = work / "throw.wasm", work / "throw_legacy.wasm"
    to_binary(args.python, HERE / "throw.wat", exnref)
    to_binary(args.python, HERE / "throw_legacy.wat", legacy)
    (work / "run_wasmtime.py").write_text(WASMTIME)
    (work / "v8.js").write_text(V8)
    engines = {
        "wasm2native (try_table)": lambda e, n, a: wasm2native_seconds(
            args.wasm2native, exnref, e, n, a),
        "wasm2native (legacy try)": lambda e, n, a: wasm2native_seconds(
            args.wasm2native, legacy, e, n, a),
        "Wasmtime (try_table)": lambda e, n, a: in_process_seconds(
            [args.python, str(work / "run_wasmtime.py"), str(exnref), e, str(n), str(a)]),
        "V8 (legacy try)": lambda e, n, a: in_process_seconds(
            ["node", str(work / "v8.js"), str(legacy), e, str(n), str(a)]),
    }

    def per_operation(engine, run, export, n, arg, expected):
        """Nanoseconds per operation of one measurement, its checksum checked."""
        seconds, result = run(export, n, arg)
        if engine.startswith("wasm2native"):
            seconds -= run(export, 0, arg)[0]
        if result % (1 << 32) != expected % (1 << 32):
            sys.exit(f"{engine}: {export}({n}, {arg}) gave {result}, expected {expected}")
        return seconds / n * 1e9

    throws = {(engine, depth): [] for engine in engines for depth in DEPTHS}
    calls = {(engine, inside): [] for engine in engines for inside in (0, 1)}
    for _ in range(args.rounds):
        for depth in DEPTHS:
            n = throws_at(depth)
            for engine, run in engines.items():
                throws[(engine, depth)].append(
                    per_operation(engine, run, "rounds", n, depth, n * (n + 1) // 2))
        for inside in (0, 1):
            for engine, run in engines.items():
                calls[(engine, inside)].append(
                    per_operation(engine, run, "calls", CALLS, inside, 3 * CALLS))
    header = "| " + " | ".join(engines) + " |\n" + "|---" * (len(engines) + 1) + "|"
    print("| frames between throw and catch " + header)
    for depth in DEPTHS:
        cells = [f"{statistics.median(throws[(e, depth)]):.0f}" for e in engines]
        print(f"| {depth} | " + " | ".join(cells) + " |")
    print()
    print("| ns per call that can throw " + header)
    for inside, label in ((0, "outside a handler"), (1, "inside a handler")):
        cells = [f"{statistics.median(calls[(e, inside)]):.2f}" for e in engines]
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
