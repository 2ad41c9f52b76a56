#!/usr/bin/env python3
"""Exceptions in a realistic program: parser.c, a recursive-descent JSON parser that reports its
errors by longjmp to one setjmp per record (about 15% of its 200,000 parses fail, at depths from
0 to 33), run natively and as Wasm under wasm2native, Wasmtime and V8; seconds, medians of
interleaved rounds, and the ratio to native.

  bench/exceptions/parser.py [--rounds R] [--records N] [--work DIR] [--wasm2native PATH]
                             [--python VENV_PYTHON] [--wasm-opt PATH]

The builds, into --work (default target/bench/exceptions/):
  native         clang-19 -O2, the C library's setjmp and longjmp;
  legacy .wasm   clang-19 --target=wasm32-wasi -O2 -mexception-handling -mllvm -wasm-enable-sjlj:
                 LLVM lowers setjmp/longjmp onto Wasm exceptions (a throw of the C longjmp tag,
                 caught by a legacy try around each call in the function that called setjmp),
                 with the lowering's runtime from sjlj_wasm.c, which Debian's wasi-libc lacks;
  exnref .wasm   the same module through Binaryen's --translate-to-exnref, as Emscripten makes
                 it: LLVM 19 emits only the legacy instructions;
  wasm2native    each .wasm compiled to an executable (not timed), with explicit bounds checks
                 (the default), and the exnref form in guard mode too.
Wasmtime (the venv's PyPI package, exceptions enabled) runs only the exnref form, V8 (Node.js)
only the legacy one. Native and wasm2native are timed as whole processes; Wasmtime and V8 as the
`_start` call alone, after compiling and instantiating (V8 compiles lazily: its baseline and
optimising compiles of the functions fall inside the call). Every run's output must equal
native's: the counts of good and bad records, errors by kind and depth, a hash of the parsed
trees; the script fails if one differs.
"""
import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CLANG = "clang-19"
WASM_FLAGS = ["--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-mexception-handling",
              "-mllvm", "-wasm-enable-sjlj"]

# The suite's Wasmtime runner reports the time of `_start` in its JSON line on stderr; this one,
# for V8, prints the program's output on stdout and, last on stderr, the seconds `_start` took.
WASMTIME_RUNNER = REPO / "bench/engines/wasmtime_run.py"
V8 = """
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
const [path, ...args] = process.argv.slice(2);
const module = await WebAssembly.compile(readFileSync(path));
const wasi = new WASI({ version: 'preview1', args: ['parser', ...args], env: {},
                        returnOnExit: true });
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
const began = performance.now();
const code = wasi.start(instance);
process.stderr.write(`${(performance.now() - began) / 1000}\\n`);
process.exitCode = code;
"""


def run(command):
    """The output of a command that must succeed, or the end of the script with its stderr."""
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(map(str, command))} failed ({result.returncode}):\n{result.stderr}")
    return result


def build(args, work):
    """Builds every form of parser.c into work; returns (native, legacy .wasm, exnref .wasm,
    wasm2native legacy, wasm2native exnref, wasm2native exnref in guard mode)."""
    native, legacy, exnref = work / "parser", work / "legacy.wasm", work / "exnref.wasm"
    run([CLANG, "-O2", HERE / "parser.c", "-o", native])
    run([CLANG, *WASM_FLAGS, HERE / "parser.c", HERE / "sjlj_wasm.c", "-o", legacy])
    run([args.wasm_opt, "--translate-to-exnref", legacy, "-o", exnref])
    w2n_legacy, w2n_exnref, w2n_guard = work / "legacy", work / "exnref", work / "exnref_guard"
    run([args.wasm2native, legacy, "-o", w2n_legacy])
    run([args.wasm2native, exnref, "-o", w2n_exnref])
    run([args.wasm2native, "--bounds-checks", "guard", exnref, "-o", w2n_guard])
    return native, legacy, exnref, w2n_legacy, w2n_exnref, w2n_guard


def process_seconds(command):
    """(seconds, stdout) of a whole process."""
    began = time.perf_counter()
    result = run(command)
    return time.perf_counter() - began, result.stdout


def start_seconds(command):
    """(seconds, stdout) of a runner that reports the time of `_start` on its last stderr line."""
    result = run(command)
    return float(result.stderr.split()[-1]), result.stdout


def wasmtime_seconds(args, module, program_args):
    """(seconds, stdout) of `_start` under the suite's Wasmtime runner, exceptions enabled."""
    result = run([args.python, WASMTIME_RUNNER, "--exceptions", module, *program_args])
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return report["start_ns"] / 1e9, result.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--records", type=int, help="records to generate (parser.c's default)")
    parser.add_argument("--work", type=Path, default=REPO / "target/bench/exceptions")
    parser.add_argument("--wasm2native", default=str(REPO / "target/release/wasm2native"))
    parser.add_argument("--python", default=str(REPO / "target/wasi-venv/bin/python"))
    parser.add_argument("--wasm-opt",
                        default=str(REPO / "target/binaryen/node_modules/.bin/wasm-opt"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    native, legacy, exnref, w2n_legacy, w2n_exnref, w2n_guard = build(args, args.work)
    (args.work / "run_v8.mjs").write_text(V8)
    program_args = [] if args.records is None else [str(args.records)]

    engines = {
        "native (clang-19 -O2)": lambda: process_seconds([native, *program_args]),
        "wasm2native (legacy `try`)": lambda: process_seconds([w2n_legacy, *program_args]),
        "wasm2native (`try_table`)": lambda: process_seconds([w2n_exnref, *program_args]),
        # Bounds left to guard pages, as Wasmtime and V8 leave them.
        "wasm2native guard (`try_table`)": lambda: process_seconds([w2n_guard, *program_args]),
        "Wasmtime (`try_table`)": lambda: wasmtime_seconds(args, exnref, program_args),
        "V8 (legacy `try`)": lambda: start_seconds(
            ["node", "--no-warnings", args.work / "run_v8.mjs", legacy, *program_args]),
    }
    samples = {engine: [] for engine in engines}
    expected = None
    for _ in range(args.rounds):
        for engine, measure in engines.items():
            seconds, output = measure()
            expected = output if expected is None else expected
            if output != expected:
                sys.exit(f"{engine}'s output differs from native's:\n{output}\n"
                         f"native's:\n{expected}")
            samples[engine].append(seconds)

    print(expected, end="")
    native_median = statistics.median(next(iter(samples.values())))
    print("\n| engine | seconds | × native |")
    print("|---|---|---|")
    for engine, times in samples.items():
        median = statistics.median(times)
        print(f"| {engine} | {median:.3f} | {median / native_median:.2f} |")


if __name__ == "__main__":
    main()
