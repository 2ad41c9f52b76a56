"""The engines the harness measures, one row per configuration, and the tools they need.

Kinds: `native` runs an executable clang built with the row's options (two builds: the default
target, the baseline, and -march=native); `aot` runs the executable wasm2native built with the
row's options; `wasmtime` and `v8` run the .wasm through a runner script in bench/engines/.
An `aot` row with `memory64` set runs the program built for wasm64 (bench/wasm64/) instead of
wasm32-wasi, for the programs that have such a build, and is compared with its wasm32 twin: the
`aot` row with the same optimisation level and bounds checks.
"""
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WASMTIME_RUNNER = BENCH_DIR / "engines" / "wasmtime_run.py"
NODE_RUNNER = BENCH_DIR / "engines" / "node_run.mjs"
CLANG = "clang-19"
# The native engine every ratio and checksum is measured against, and the clang flags of the native
# builds after the program's optimisation flags (OPT).
BASELINE = "native"
BASELINE_FLAGS = ("-ffp-contract=off",)
MARCH_FLAGS = ("-march=native", "-ffp-contract=off")
# The row that runs the programs' wasm64 builds.
WASM64_ENGINE = "wasm2native-wasm64"


def native_command(flags):
    return " ".join([CLANG, "OPT", *flags])


@dataclass(frozen=True)
class Engine:
    name: str
    kind: str                 # native, aot, wasmtime or v8
    description: str
    options: tuple = ()       # clang's flags after OPT (native), wasm2native's options (aot)
                              # or V8's flags (v8)
    full_only: bool = False   # measured in full runs only
    opt_level: str | None = None       # aot: the -O level the build used ("0" to "3")
    bounds_checks: str | None = None   # aot: the --bounds-checks mode, None if the compiler has none
    memory64: bool = False    # aot: runs the wasm64 build (bench/wasm64/), not the wasm32-wasi one
    strip_debug: bool = False  # aot: built with --strip-debug, to tell what debug info costs

    @property
    def variant(self):
        """Whether this is a build measured against an ordinary twin (`wasm32_twin`): the wasm64
        build, or the one without debug info."""
        return self.memory64 or self.strip_debug

    @property
    def runs_wasm(self):
        return self.kind != "native"



@dataclass
class Tools:
    wasm2native: Path
    wasmtime_python: Path
    node: str | None

    def missing_reason(self, engine):
        """Why the engine cannot run on this machine, or None when it can."""
        if engine.kind == "aot" and not os.access(self.wasm2native, os.X_OK):
            return f"{self.wasm2native} is not an executable (run `make build` or pass --wasm2native)"
        if engine.kind == "wasmtime":
            if not os.access(self.wasmtime_python, os.X_OK):
                return f"{self.wasmtime_python} does not exist (run `make wasi-venv` or set W2N_PYTHON)"
            check = subprocess.run([str(self.wasmtime_python), "-c", "import wasmtime"],
                                   capture_output=True)
            if check.returncode != 0:
                return f"{self.wasmtime_python} cannot import wasmtime"
        if engine.kind == "v8" and self.node is None:
            return "node is not on PATH"
        return None

    def command(self, engine, artifact, args):
        """The argv that runs `artifact` (an executable or a .wasm) under the engine."""
        if engine.kind in ("native", "aot"):
            return [str(artifact), *args]
        if engine.kind == "wasmtime":
            return [str(self.wasmtime_python), str(WASMTIME_RUNNER), str(artifact), *args]
        # Node 20's WASI can crash at exit when a garbage collection lands inside a fast API call
        # (nodejs/node#46777); host calls going the regular way avoid it and leave Wasm code alone.
        # Node 18 (Debian 12's) still needs the WASI flag; later versions accept and ignore it.
        return [self.node, "--no-warnings", "--experimental-wasi-unstable-preview1", "--no-turbo-fast-api-calls",
                *engine.options, str(NODE_RUNNER), str(artifact), *args]


def find_tools(wasm2native, wasmtime_python):
    python = wasmtime_python or os.environ.get("W2N_PYTHON") or REPO / "target/wasi-venv/bin/python"
    return Tools(wasm2native=Path(wasm2native).resolve(), wasmtime_python=Path(python).absolute(),
                 node=shutil.which("node"))


def bounds_modes(wasm2native):
    """The values of wasm2native's --bounds-checks and its default, read from `--help`.

    ([], None) when the compiler has no such option (or cannot be run)."""
    try:
        help_text = subprocess.run([str(wasm2native), "--help"], capture_output=True, text=True,
                                   timeout=30).stdout
    except OSError:
        return [], None
    # The option's block runs from its own line to the next line that starts another option.
    block = re.search(r"^\s*--bounds-checks\b.*?(?=^[ \t]{0,8}-{1,2}\w|\Z)", help_text, re.M | re.S)
    if block is None:
        return [], None
    text = block.group(0)
    listed = re.findall(r"^\s*-\s+([\w-]+)", text, re.M)
    if not listed:
        # The short form: "[possible values: a, b]".
        short = re.search(r"\[possible values: ([^\]]+)\]", text)
        listed = [v.strip() for v in short.group(1).split(",")] if short else []
    default = re.search(r"\[default: ([\w-]+)\]", text)
    return listed, default.group(1) if default else None


def engine_table(wasm2native):
    """Every configuration, in the order of the report's columns."""
    modes, default = bounds_modes(wasm2native)
    settings = f"-O2, --bounds-checks {default}" if default else "-O2"
    # Both native builds keep floating-point results bit-identical to wasm's (no fused multiply-add),
    # so that their checksums can be compared.
    rows = [Engine(BASELINE, "native",
                   f"`{native_command(BASELINE_FLAGS)}`: clang's default target, with the wasm "
                   "build's source, compiler and optimisation flags (OPT: -O2, or the program's "
                   "`bench-opt` flags with -msimd128 as -msse4.1); no sandbox: the baseline of "
                   "every ratio",
                   BASELINE_FLAGS),
            Engine("native-march", "native",
                   f"`{native_command(MARCH_FLAGS)}`: native code free to use every instruction "
                   "of this CPU, vectors wider than wasm's 128-bit SIMD included: the physical "
                   "limit of this CPU", MARCH_FLAGS, full_only=True),
            Engine("wasm2native", "aot", f"wasm2native, default settings ({settings})",
                   opt_level="2", bounds_checks=default)]
    for level in ("0", "1", "3"):
        rows.append(Engine(f"wasm2native-O{level}", "aot", f"wasm2native -O{level}",
                           (f"-O{level}",), full_only=True, opt_level=level, bounds_checks=default))
    for mode in modes:
        if mode != default:
            rows.append(Engine(f"wasm2native-{mode}", "aot",
                               f"wasm2native --bounds-checks {mode} (-O2)",
                               ("--bounds-checks", mode), opt_level="2", bounds_checks=mode))
    # What debug info (the line tables every output carries by default) costs the compile and
    # the code: the default build again, without it.
    rows.append(Engine("wasm2native-strip-debug", "aot",
                       f"wasm2native --strip-debug ({settings}): no debug info, against the "
                       "default build, which carries line tables", ("--strip-debug",),
                       full_only=True, opt_level="2", bounds_checks=default, strip_debug=True))
    # The cost of a 64-bit memory: the wasm64 build with explicit checks (guard mode checks 64-bit
    # memories explicitly too), against the wasm32 build under the same settings.
    bounds = "explicit" if "explicit" in modes else default
    options = ("--bounds-checks", "explicit") if "explicit" in modes else ()
    rows.append(Engine(WASM64_ENGINE, "aot",
                       f"wasm2native -O2{', --bounds-checks explicit' if options else ''} on the "
                       "program built for wasm64 (a 64-bit memory; freestanding, with the C "
                       "library of bench/wasm64/) and linked with bench/wasm64/host.c; only the "
                       "programs with a wasm64 build", options, opt_level="2",
                       bounds_checks=bounds, memory64=True))
    rows += [Engine("wasmtime", "wasmtime", "Wasmtime (PyPI wasmtime), Cranelift, default config"),
             Engine("v8", "v8", "V8 via Node's node:wasi, default tiering (Liftoff, then TurboFan)"),
             Engine("v8-no-liftoff", "v8", "V8 via Node with --no-liftoff: TurboFan only",
                    ("--no-liftoff",))]
    return rows


def select_engines(table, names, quick, wasm_only):
    """The rows to measure: the named ones (in table order), else the defaults of the mode.

    Raises ValueError for a name that is not in the table."""
    known = [engine.name for engine in table]
    if names:
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ValueError(f"unknown engine(s) {', '.join(unknown)}; known: {', '.join(known)}")
        chosen = [engine for engine in table if engine.name in names]
    else:
        chosen = [engine for engine in table if not (quick and engine.full_only)]
    if wasm_only:
        # A user's module is a WASI command: the wasm64 host cannot run it.
        chosen = [engine for engine in chosen if engine.runs_wasm and not engine.memory64]
    return chosen


def wasm32_twin(engines, engine):
    """The ordinary row a variant row (wasm64, no debug info) is measured against: the wasm32 aot
    row with its optimisation level and bounds checks, or None when there is none among
    `engines`."""
    return next((e for e in engines if e.kind == "aot" and not e.variant
                 and e.opt_level == engine.opt_level and e.bounds_checks == engine.bounds_checks),
                None)
