"""Building the benchmark programs: each bench/programs/*.c to wasm32-wasi and, once per native
engine, to native code with clang-19, and each .wasm to an executable with wasm2native, one per
configuration. The programs of WASM64_PROGRAMS are built for wasm64 as well (for the wasm64
engine row): freestanding, with the C library of bench/wasm64/, compiled by wasm2native to a
static library and linked with bench/wasm64/host.c.

The clang builds are cached: an output is rebuilt only when its source, bench.h or its command
changed. wasm2native always compiles afresh, because its compile time is one of the results.
"""
import hashlib
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from engine_table import CLANG, REPO

PROGRAMS_DIR = Path("bench/programs")   # relative to REPO, as in the documented build commands
HEADER = PROGRAMS_DIR / "bench.h"
BUILD_DIR = Path("target/bench/build")
DEFAULT_OPT = ["-O2"]
# Wasm flags and their native counterparts. Wasm's 128-bit SIMD maps onto x86's 128-bit SSE up to
# 4.1 (byte shuffles, 32-bit lane multiplies, lane widening), while clang's default target stops at
# SSE2, too little for the programs written with 128-bit intrinsics.
NATIVE_FLAGS = {"-msimd128": ["-msse4.1"]}
BENCH_OPT = re.compile(r"^/\*\s*bench-opt:\s*(.*?)\s*\*/")

# The programs built for wasm64 too: memory-bound kernels (streaming, strided, random access),
# whose sources build unchanged against the shim C library and hardly call it while timed.
WASM64_PROGRAMS = ("crc32", "hashtable", "heat3d", "jacobi2d", "lu", "lz77", "matmul", "sort")
WASM64_DIR = Path("bench/wasm64")
WASM64_INCLUDE = WASM64_DIR / "include"
WASM64_LIBC = WASM64_DIR / "libc.c"
WASM64_HOST = WASM64_DIR / "host.c"
WASM64_TARGET = "--target=wasm64-unknown-unknown"
# The symbol prefix of the wasm64 programs' libraries, which host.c is written against.
WASM64_PREFIX = "bench64"


@dataclass
class Program:
    name: str
    source: Path
    wasm: Path | None = None
    wasm64: Path | None = None    # the wasm64 build, for the programs of WASM64_PROGRAMS
    wasm64_error: str | None = None
    natives: dict | None = None   # {native engine name: executable}
    error: str | None = None


@dataclass
class Compiled:
    """One wasm2native build of a program."""
    artifact: Path | None
    compile_ns: int | None
    error: str | None = None


def discover():
    """The program names in bench/programs, sorted."""
    return sorted(path.stem for path in (REPO / PROGRAMS_DIR).glob("*.c"))


def opt_flags(source):
    """The optimisation flags of a program: its `/* bench-opt: ... */` first line, else -O2."""
    with open(REPO / source, encoding="utf-8") as file:
        first = file.readline()
    match = BENCH_OPT.match(first)
    return match.group(1).split() if match else list(DEFAULT_OPT)


def build_commands(name, native_engines):
    """The wasm clang command of a program and its native one for each native engine, with paths
    relative to the repository: ((output, command), {engine name: (output, command)}).

    Each native engine builds into a directory of its own, so that the builds' cache keys (their
    commands) never compete for one output."""
    source = PROGRAMS_DIR / f"{name}.c"
    opt = opt_flags(source)
    wasm = BUILD_DIR / "wasm" / f"{name}.wasm"
    include = f"-I{PROGRAMS_DIR}"
    wasm_command = [CLANG, "--target=wasm32-wasi", "--sysroot=/usr", *opt, include, str(source),
                    "-o", str(wasm), "-lm"]
    native_opt = [native for flag in opt for native in NATIVE_FLAGS.get(flag, [flag])]
    natives = {}
    for engine in native_engines:
        native = BUILD_DIR / engine.name / name
        natives[engine.name] = (native, [CLANG, *native_opt, *engine.options, include,
                                         str(source), "-o", str(native), "-lm"])
    return (wasm, wasm_command), natives


def shim_headers():
    """The shim C library's headers (bench/wasm64/include/), relative to the repository."""
    return sorted(path.relative_to(REPO) for path in (REPO / WASM64_INCLUDE).glob("*.h"))


def wasm64_libc_command():
    """(output, command) of the shim C library's object, shared by every wasm64 build. It is
    freestanding (no builtins), so that its loops are not turned into calls to themselves."""
    output = BUILD_DIR / "wasm64" / "libc.o"
    return output, [CLANG, WASM64_TARGET, "-O2", "-ffreestanding", f"-I{WASM64_INCLUDE}", "-c",
                    str(WASM64_LIBC), "-o", str(output)]


def wasm64_command(name):
    """(output, command) of a program's wasm64 build: the program's own flags, the shim headers
    ahead of clang's, and no C library but the shim's object. Not freestanding: clang treats
    memcpy, sqrt and the rest as the builtins they are in the wasm32-wasi build."""
    source = PROGRAMS_DIR / f"{name}.c"
    output = BUILD_DIR / "wasm64" / f"{name}.wasm"
    return output, [CLANG, WASM64_TARGET, "-nostdlib", "-Wl,--no-entry", *opt_flags(source),
                    f"-I{WASM64_INCLUDE}", f"-I{PROGRAMS_DIR}", str(source),
                    str(wasm64_libc_command()[0]), "-o", str(output)]


def build_wasm64_libc():
    """Builds the shim C library's object: None, or the error text."""
    output, command = wasm64_libc_command()
    try:
        return build_cached(output, command, [WASM64_LIBC, *shim_headers()])
    except OSError as error:
        return str(error)


def memory_flags(wasm):
    """The limits flags of each memory a module defines (0x04 marks a 64-bit memory)."""
    data = Path(wasm).read_bytes()
    position = 8
    while position < len(data):
        section_id = data[position]
        size, position = read_leb128(data, position + 1)
        if section_id == 5:
            count, position = read_leb128(data, position)
            flags = []
            for _ in range(count):
                flags.append(data[position])
                # Past the flags: the minimum, and the maximum when flag 0x01 says there is one.
                _, position = read_leb128(data, position + 1)
                if flags[-1] & 0x01:
                    _, position = read_leb128(data, position)
            return flags
        position += size
    return []


def failed(command, stderr):
    """A one-line account of a failed command for the report; its whole stderr goes to ours."""
    print(f"$ {' '.join(command)}\n{stderr.rstrip()}", file=sys.stderr, flush=True)
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    cause = next((line for line in lines if "error" in line), lines[0] if lines else "no message")
    return f"{Path(command[0]).name} failed: {cause}"


def build_cached(output, command, inputs):
    """Runs `command` unless `output` was built by the same command from the same inputs.

    Returns None, or the error text. The key of the last build is kept beside the output."""
    digest = hashlib.sha256("\0".join(command).encode())
    for path in inputs:
        digest.update((REPO / path).read_bytes())
    key = digest.hexdigest()
    key_file = REPO / output.with_name(output.name + ".key")
    if (REPO / output).exists() and key_file.exists() and key_file.read_text() == key:
        return None
    (REPO / output).parent.mkdir(parents=True, exist_ok=True)
    key_file.unlink(missing_ok=True)
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if result.returncode != 0:
        return failed(command, result.stderr)
    key_file.write_text(key)
    return None


def build_program(name, native_engines):
    program = Program(name, PROGRAMS_DIR / f"{name}.c")
    try:
        (wasm, wasm_command), natives = build_commands(name, native_engines)
        inputs = [program.source, HEADER]
        program.error = build_cached(wasm, wasm_command, inputs)
        for output, command in natives.values():
            program.error = program.error or build_cached(output, command, inputs)
    except OSError as error:
        program.error = str(error)
    if program.error is None:
        program.wasm = REPO / wasm
        program.natives = {engine: REPO / output for engine, (output, _) in natives.items()}
    return program


def build_wasm64(program):
    """Builds a program for wasm64 (the shim's object is built already) into program.wasm64, or
    sets program.wasm64_error; checks that the module's memory really is 64-bit."""
    output, command = wasm64_command(program.name)
    try:
        error = build_cached(output, command, [program.source, HEADER, *shim_headers(),
                                               wasm64_libc_command()[0]])
        if error is None and 0x04 not in memory_flags(REPO / output):
            error = f"{output} has no 64-bit memory: clang did not build it for wasm64"
    except OSError as failure:
        error = str(failure)
    if error is None:
        program.wasm64 = REPO / output
    else:
        program.wasm64_error = error


def build_programs(names, native_engines, jobs, wasm64=False):
    """Builds the named programs to wasm and for each native engine, and with `wasm64` those of
    WASM64_PROGRAMS for wasm64 too, in parallel; a failed build is reported in its Program."""
    wanted64 = [name for name in names if wasm64 and name in WASM64_PROGRAMS]
    libc_error = build_wasm64_libc() if wanted64 else None

    def build(name):
        program = build_program(name, native_engines)
        if program.error is None and name in wanted64:
            if libc_error is None:
                build_wasm64(program)
            else:
                program.wasm64_error = f"the wasm64 C library: {libc_error}"
        return program

    with ThreadPoolExecutor(jobs) as pool:
        return list(pool.map(build, names))


def code_section_bytes(wasm):
    """The size of a .wasm file's code section (its function bodies), or None if it has none or
    the file is not a module."""
    data = Path(wasm).read_bytes()
    if data[:4] != b"\0asm":
        return None
    position = 8
    while position < len(data):
        section_id = data[position]
        size, position = read_leb128(data, position + 1)
        if section_id == 10:
            return size
        position += size
    return None


def read_leb128(data, position):
    """The unsigned LEB128 number at data[position:] and the position after it."""
    value = shift = 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, position


def compile_wasm2native(wasm2native, options, wasm, output):
    """Compiles a module with wasm2native once, timing the whole process (linking included):
    (elapsed ns, None) or (None, error)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    command = [str(wasm2native), *options, str(wasm), "-o", str(output)]
    started = time.perf_counter_ns()
    try:
        result = subprocess.run(command, capture_output=True, text=True)
    except OSError as error:
        return None, str(error)
    elapsed = time.perf_counter_ns() - started
    if result.returncode != 0:
        return None, failed(command, result.stderr)
    return elapsed, None


def wasm64_options(options):
    """wasm2native's options for a wasm64 build: the row's, and a static library with the prefix
    host.c is written against (its header is written beside it)."""
    return [*options, "--emit", "staticlib", "--prefix", WASM64_PREFIX]


def link_wasm64_host(library, output):
    """Links bench/wasm64/host.c, compiled against the header beside `library`, with that library
    into the executable `output`: None, or the error text."""
    command = [CLANG, "-O2", "-std=c11", "-D_GNU_SOURCE", f"-I{library.parent}",
               str(REPO / WASM64_HOST), str(library), "-lm", "-lpthread", "-o", str(output)]
    try:
        result = subprocess.run(command, capture_output=True, text=True)
    except OSError as error:
        return str(error)
    return failed(command, result.stderr) if result.returncode != 0 else None


def compile_all(wasm2native, tasks, jobs, times=1):
    """Compiles each (key, options, wasm, output), `jobs` at a time, in `times` rounds (every
    module once, then again): {key: Compiled} with each module's median time, which neither a
    slow spell of the machine (it falls on one round) nor one odd compile moves much."""
    elapsed = {key: [] for key, *_ in tasks}
    errors = {}
    with ThreadPoolExecutor(jobs) as pool:
        for _ in range(times):
            pending = [task for task in tasks if task[0] not in errors]
            futures = {key: pool.submit(compile_wasm2native, wasm2native, options, wasm, output)
                       for key, options, wasm, output in pending}
            for key, future in futures.items():
                ns, error = future.result()
                if error is not None:
                    errors[key] = error
                else:
                    elapsed[key].append(ns)
    results = {}
    for key, _, _, output in tasks:
        if key in errors:
            results[key] = Compiled(None, None, errors[key])
        else:
            times_ns = sorted(elapsed[key])
            results[key] = Compiled(output, times_ns[len(times_ns) // 2])
    return results
