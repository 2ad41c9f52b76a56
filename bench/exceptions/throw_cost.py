#!/usr/bin/env python3
"""Throw cost: nanoseconds per exception thrown from 1, 10 and 100 frames below its handler and
caught there (throw.wat; throw_legacy.wat, the same with the legacy instructions), under
wasm2native, Wasmtime (the venv's PyPI package, exceptions enabled) and V8 (Debian's Node.js,
whose V8 runs the legacy instructions only), in rounds that interleave the engines; medians.

  bench/exceptions/throw_cost.py [--rounds R] [--wasm2native PATH] [--python VENV_PYTHON]

Each measurement is one call of `rounds(n, depth)`, less a call with n = 0 made the same way
(for wasm2native, whole `wasm2native run --invoke` processes, compiled once and cached), over n.
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


def throws_at(depth):
    """Enough throws for a run of a few hundred milliseconds at any depth."""
    return 1_000_000 // max(1, depth // 10)


def to_binary(python, wat, out):
    code = "import sys, wasmtime; open(sys.argv[2], 'wb').write(wasmtime.wat2wasm(open(sys.argv[1]).read()))"
    subprocess.run([python, "-c", code, str(wat), str(out)], check=True)


def wasm2native_seconds(binary, module, n, depth):
    start = time.perf_counter()
    out = subprocess.run([binary, "run", "--invoke", "rounds", str(module), str(n), str(depth)],
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
rounds = wasmtime.Instance(store, module, []).exports(store)['rounds']
n, depth = int(sys.argv[2]), int(sys.argv[3])
rounds(store, 1000, depth)  # compiled and warm
start = time.perf_counter(); result = rounds(store, n, depth); full = time.perf_counter() - start
start = time.perf_counter(); rounds(store, 0, depth); empty = time.perf_counter() - start
print(full - empty, result)
"""

V8 = """
const fs = require('fs');
const [file, n, depth] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const rounds = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file))).exports.rounds;
rounds(1000, depth);
let start = performance.now(); const result = rounds(n, depth); const full = performance.now() - start;
start = performance.now(); rounds(0, depth); const empty = performance.now() - start;
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
        "wasm2native (try_table)": lambda n, d: wasm2native_seconds(args.wasm2native, exnref, n, d),
        "wasm2native (legacy try)": lambda n, d: wasm2native_seconds(args.wasm2native, legacy, n, d),
        "Wasmtime (try_table)": lambda n, d: in_process_seconds(
            [args.python, str(work / "run_wasmtime.py"), str(exnref), str(n), str(d)]),
        "V8 (legacy try)": lambda n, d: in_process_seconds(
            ["node", str(work / "v8.js"), str(legacy), str(n), str(d)]),
    }
    samples = {(engine, depth): [] for engine in engines for depth in DEPTHS}
    for _ in range(args.rounds):
        for depth in DEPTHS:
            n = throws_at(depth)
            for engine, run in engines.items():
                seconds, result = run(n, depth)
                if engine.startswith("wasm2native"):
                    seconds -= run(0, depth)[0]
                expected = n * (n + 1) // 2 % (1 << 32)
                if result % (1 << 32) != expected:
                    sys.exit(f"{engine} at depth {depth}: checksum {result}, expected {expected}")
                samples[(engine, depth)].append(seconds / n * 1e9)
    print("| frames between throw and catch | " + " | ".join(engines) + " |")
    print("|---" * (len(engines) + 1) + "|")
    for depth in DEPTHS:
        cells = [f"{statistics.median(samples[(e, depth)]):.0f}" for e in engines]
        print(f"| {depth} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
