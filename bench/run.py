#!/usr/bin/env python3
"""The AOT-versus-JIT benchmark harness.

  bench/run.py [--quick] [--runs N] [--engines a,b] [--programs x,y] [--out DIR]
               [--wasm2native PATH] [--jobs N] [--allow-missing]
      builds every bench/programs/*.c and every real program (bench/realprograms.py: sources
      fetched from package registries, drivers in bench/real/) to wasm and to native code (for
      clang's default target, the baseline `native`, and in a full run with -march=native too),
      runs each under every engine,
      checks that every engine's checksum equals native's, and writes results.csv, results.json,
      table.md and chart.svg.
  bench/run.py --wasm FILE.wasm [--engines a,b] [--runs N] [--out DIR] -- ARGS...
      runs any WASI command module under every wasm engine, timing whole runs and comparing
      stdout across engines (ratios relative to wasm2native).
  bench/run.py --report-only RESULTS.json [--out DIR]
      writes the four outputs again from an earlier run's results.json, measuring nothing
      (by default into the directory the file is in).

Exits 1 when an engine's result disagrees with the baseline's or a build or run fails (after
writing the outputs), 2 on bad usage or a missing engine in a full run.
"""
import argparse
import json
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import machine
import programs
import realprograms
import report
from engine_table import (BASELINE, CLANG, MARCH_FLAGS, REPO, Engine, engine_table, find_tools,
                          select_engines, wasm32_twin)
from measure import Row, row_from_json, run_failure, run_once

FULL_RUNS = 5
QUICK_RUNS = 1
MODULE_RUNS = 5
# Quick runs are a smoke test: two may share the machine. Full runs go one at a time.
QUICK_PARALLEL_RUNS = 2
# Timings of each wasm2native compile in a full run, the median kept: on a shared machine one
# timing of a 0.5 s compile can be 20% off.
COMPILE_TIMINGS = 5


def parse_args(argv):
    program_args = []
    if "--" in argv:
        split = argv.index("--")
        argv, program_args = argv[:split], argv[split + 1:]
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description="Benchmarks wasm2native against native code, Wasmtime and V8.")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: quick workloads, 1 run, default engine rows only")
    parser.add_argument("--runs", type=int, help=f"runs per program and engine "
                        f"(default {FULL_RUNS}, --quick {QUICK_RUNS})")
    parser.add_argument("--engines", help="comma-separated engine names (default: all of the mode)")
    parser.add_argument("--programs", help="comma-separated program names, kernels or real "
                        "programs (default: all; --quick: the kernels and the quick real programs)")
    parser.add_argument("--out", type=Path, help="output directory (default bench/results, "
                        "--quick target/bench/quick, --wasm target/bench/wasm/NAME)")
    parser.add_argument("--wasm2native", type=Path, default=REPO / "target/release/wasm2native",
                        help="the compiler to measure (default target/release/wasm2native)")
    parser.add_argument("--wasmtime-python", type=Path,
                        help="a Python with the wasmtime package (default $W2N_PYTHON, "
                        "else target/wasi-venv/bin/python)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="parallel builds and wasm2native compiles (default: the core count)")
    parser.add_argument("--allow-missing", action="store_true",
                        help="skip engines this machine lacks in a full run too")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per run (default 600)")
    parser.add_argument("--wasm", type=Path, help="benchmark this WASI command module instead")
    parser.add_argument("--report-only", type=Path, metavar="RESULTS_JSON",
                        help="regenerate the outputs from this results.json without measuring")
    args = parser.parse_args(argv)
    if args.report_only is not None and (args.wasm or args.quick or args.programs or args.engines
                                         or args.runs or program_args):
        parser.error("--report-only takes only --out")
    if program_args and args.wasm is None:
        parser.error("arguments after -- are for a --wasm module")
    if args.wasm is not None and (args.quick or args.programs):
        parser.error("--wasm takes neither --quick nor --programs")
    if args.runs is not None and args.runs < 1 or args.jobs < 1:
        parser.error("--runs and --jobs must be at least 1")
    args.program_args = program_args
    return args


def fail(message):
    """Stops on bad usage: exit code 2, as argparse does."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def names(option):
    return [name.strip() for name in option.split(",") if name.strip()] if option else []


def available_engines(args, tools):
    """The engines to measure, and {name: why} for those skipped. Exits 2 when a full run lacks one."""
    table = engine_table(tools.wasm2native)
    try:
        chosen = select_engines(table, names(args.engines), args.quick, wasm_only=args.wasm is not None)
    except ValueError as error:
        fail(error)
    # Every program runs as the baseline native build in the suite: checksums and ratios are
    # measured against it.
    if args.wasm is None and not any(engine.name == BASELINE for engine in chosen):
        chosen.insert(0, next(engine for engine in table if engine.name == BASELINE))
    skipped = {}
    for engine in chosen:
        reason = tools.missing_reason(engine)
        if reason is not None:
            skipped[engine.name] = reason
    strict = not (args.quick or args.allow_missing or args.wasm)
    for name, reason in skipped.items():
        print(f"{'error' if strict else 'warning'}: engine {name} skipped: {reason}", file=sys.stderr)
    if skipped and strict:
        print("(a full run needs every engine; pass --allow-missing to go without)", file=sys.stderr)
        sys.exit(2)
    return [engine for engine in chosen if engine.name not in skipped], skipped


def compile_jobs(args):
    """How many wasm2native compiles run at once. One, except in a quick run: wasm2native spreads
    each compile over every core, and two at once would halve the compile speed measured."""
    return args.jobs if args.quick else 1


def compile_timings(args):
    """How many times each wasm2native compile is timed (the median is kept): once in a quick
    run, else COMPILE_TIMINGS times."""
    return 1 if args.quick else COMPILE_TIMINGS


def compile_aot(tools, engines, modules, out_dir, jobs, times, modules64=None):
    """wasm2native builds of each {name: wasm} for each aot engine, and of each {name: wasm64
    module} for each wasm64 engine, each timed `times` times: {(name, engine): Compiled}.

    A wasm64 build is a static library (the compile timed), linked with bench/wasm64/host.c
    into the executable afterwards (not timed)."""
    aot = [engine for engine in engines if engine.kind == "aot"]
    tasks = [((name, engine.name), engine.options, wasm, out_dir / f"{name}.{engine.name}")
             for name, wasm in modules.items() for engine in aot if not engine.memory64]
    tasks64 = [((name, engine.name), programs.wasm64_options(engine.options), wasm,
                out_dir / f"{name}.{engine.name}.lib" / f"lib{programs.WASM64_PREFIX}.a")
               for name, wasm in (modules64 or {}).items() for engine in aot if engine.memory64]
    if tasks or tasks64:
        print(f"compiling {len(tasks) + len(tasks64)} modules with wasm2native ({jobs} at a time, "
              f"{times} timing{'s' if times > 1 else ''} each)", flush=True)
    compiled = programs.compile_all(tools.wasm2native, tasks + tasks64, jobs, times)

    def link(key):
        build = compiled[key]
        if build.error is not None:
            return key, build
        executable = out_dir / ".".join(key)
        error = programs.link_wasm64_host(build.artifact, executable)
        return key, programs.Compiled(None if error else executable, build.compile_ns, error)

    with ThreadPoolExecutor(jobs) as pool:
        compiled.update(pool.map(link, [key for key, *_ in tasks64]))
    return compiled


def measure_once(row, argv, timeout, need_checksum, need_runner):
    """Runs argv once into the row; a failed run ends the row (row.error)."""
    run = run_once(argv, timeout)
    failure = run_failure(run, need_checksum, need_runner)
    if failure is not None:
        row.error = failure
    else:
        row.runs.append(run)


def settle(row, need_checksum, need_runner):
    """Checks that the row's runs agree and keeps the runner's median compile time."""
    if row.error is not None or not row.runs:
        return
    if need_checksum:
        distinct = {run.checksum for run in row.runs}
    else:
        distinct = {(run.exit_code, run.comparable_stdout()) for run in row.runs}
    if len(distinct) > 1:
        row.error = "the result differs from run to run"
    if need_runner:
        compile_times = sorted(run.runner.get("compile_ns", 0) for run in row.runs)
        row.compile_ns = compile_times[len(compile_times) // 2]
        row.artifact_bytes = row.runs[0].runner.get("artifact_bytes")


def plan_rows(tools, engines, modules, executables, compiled, program_args, failures,
              modules64=None, failures64=None):
    """A (Row, argv) for each module x engine; argv is None when the row already failed. A wasm64
    engine gets rows for the programs with a wasm64 build (or a failed one) only.

    modules: {name: .wasm}; executables: {name: {native engine: executable}};
    failures: {name: build error}; modules64 and failures64 the same for the wasm64 builds."""
    modules64, failures64 = modules64 or {}, failures64 or {}
    plan = []
    for name in list(modules) + [name for name in failures if name not in modules]:
        for engine in engines:
            if engine.memory64 and name not in modules64 and name not in failures64:
                continue
            row = Row(name, engine.name)
            if name in failures or engine.memory64 and name in failures64:
                row.error = failures[name] if name in failures else failures64[name]
                plan.append((row, None))
                continue
            artifact = modules64[name] if engine.memory64 else modules[name]
            if engine.runs_wasm:
                row.wasm_bytes = artifact.stat().st_size
                row.code_bytes = programs.code_section_bytes(artifact)
            if engine.kind == "native":
                artifact = executables[name][engine.name]
            elif engine.kind == "aot":
                build = compiled[(name, engine.name)]
                if build.error is not None:
                    row.error = build.error
                    plan.append((row, None))
                    continue
                artifact, row.compile_ns = build.artifact, build.compile_ns
            if engine.kind in ("native", "aot"):
                row.artifact_bytes = artifact.stat().st_size
            plan.append((row, tools.command(engine, artifact, program_args)))
    return plan


def execute(plan, engines, runs, timeout, need_checksum, parallel):
    """Runs the plan: each program's engines in rounds (one run of each engine, then the next
    round), so that a slow spell of the machine lands on all of a program's engines rather than
    on the runs of one, and the medians it compares stay comparable. With `parallel` above one
    (quick runs), whole programs run side by side."""
    kinds = {engine.name: engine.kind for engine in engines}
    needs_runner = {row.engine: kinds[row.engine] in ("wasmtime", "v8") for row, _ in plan}
    # Each variant row's line (wasm64, no debug info) also gives its time over its twin's.
    twins = {engine.name: twin.name for engine in engines
             if engine.variant and (twin := wasm32_twin(engines, engine))}
    metric = "kernel_ns" if need_checksum else "wall_ns"
    by_program = {}
    for item in plan:
        by_program.setdefault(item[0].program, []).append(item)

    def one_program(items):
        for _ in range(runs):
            for row, argv in items:
                if argv is not None and row.error is None:
                    measure_once(row, argv, timeout, need_checksum, needs_runner[row.engine])
        for row, argv in items:
            if argv is not None:
                settle(row, need_checksum, needs_runner[row.engine])
        for row, _ in items:
            time = row.median(metric)
            if row.ok and time is not None:
                shown = f"{time / 1e6:10.2f} ms"
                twin = next((other for other, _ in items if other.engine == twins.get(row.engine)),
                            None)
                if twin is not None and twin.ok and twin.median(metric):
                    shown += f"  ({time / twin.median(metric):.2f}× {twin.engine})"
            else:
                shown = "    FAILED: " + (row.error or "no runs").splitlines()[0][:100]
            print(f"  {row.program:<18} {row.engine:<22} {shown}", flush=True)
        return [row for row, _ in items]

    with ThreadPoolExecutor(parallel) as pool:
        return [row for rows in pool.map(one_program, by_program.values()) for row in rows]


def compare(rows, baseline, by_checksum):
    """Sets each row's agreement and ratio against the baseline engine's row of its program;
    returns the disagreements and failures, one line each."""
    metric = "kernel_ns" if by_checksum else "wall_ns"
    base_rows = {row.program: row for row in rows if row.engine == baseline}
    problems = []
    for row in rows:
        base = base_rows.get(row.program)
        if not row.ok:
            problems.append(f"{row.program}: {row.engine} failed: {row.error}")
            continue
        if base is None or not base.ok:
            continue
        if by_checksum:
            row.agrees = row.checksum == base.checksum
            what = f"checksum {row.checksum}, {baseline} {base.checksum}"
        else:
            row.agrees = (row.exit_code == base.exit_code
                          and row.runs[0].comparable_stdout() == base.runs[0].comparable_stdout())
            what = f"stdout or exit code ({row.exit_code}) differ from {baseline}'s ({base.exit_code})"
        if not row.agrees:
            problems.append(f"{row.program}: {row.engine} disagrees: {what}")
        mine, theirs = row.median(metric), base.median(metric)
        if mine is not None and theirs:
            row.ratio = mine / theirs
    return problems


def run_suite(args, tools, engines):
    """Builds and runs the kernels and the real programs: (rows, problems, runs, compiled, the
    names of the real programs measured)."""
    kernels, real = programs.discover(), realprograms.names()
    default = kernels + list(realprograms.QUICK if args.quick else real)
    wanted = names(args.programs) or default
    unknown = [name for name in wanted if name not in kernels and name not in real]
    if unknown:
        fail(f"no program(s) {', '.join(unknown)} in bench/programs or among the real programs "
             f"({', '.join(real)})")
    wanted_real = [name for name in wanted if name in real]
    wanted = [name for name in wanted if name in kernels]
    print(f"building {len(wanted)} kernel(s) and {len(wanted_real)} real program(s) "
          f"({args.jobs} at a time)", flush=True)
    natives = [engine for engine in engines if engine.kind == "native"]
    built = programs.build_programs(wanted, natives, args.jobs,
                                    wasm64=any(engine.memory64 for engine in engines))
    built += realprograms.build_programs(wanted_real, natives, args.jobs)
    failures = {program.name: program.error for program in built if program.error}
    failures64 = {program.name: program.wasm64_error for program in built if program.wasm64_error}
    for name, error in failures.items():
        print(f"error: {name}: {error}", file=sys.stderr)
    for name, error in failures64.items():
        print(f"error: {name} for wasm64: {error}", file=sys.stderr)
    modules = {p.name: p.wasm for p in built if p.error is None}
    modules64 = {p.name: p.wasm64 for p in built if p.wasm64 is not None}
    executables = {p.name: p.natives for p in built if p.error is None}
    compiled = compile_aot(tools, engines, modules, REPO / programs.BUILD_DIR / "aot",
                           compile_jobs(args), compile_timings(args), modules64)
    plan = plan_rows(tools, engines, modules, executables, compiled,
                     ["quick"] if args.quick else [], failures, modules64, failures64)
    runs = args.runs or (QUICK_RUNS if args.quick else FULL_RUNS)
    parallel = min(QUICK_PARALLEL_RUNS, args.jobs) if args.quick else 1
    print(f"running {len(plan)} program x engine pairs, {runs} run(s) each", flush=True)
    rows = execute(plan, engines, runs, args.timeout, need_checksum=True, parallel=parallel)
    problems = compare(rows, BASELINE, by_checksum=True)
    return rows, problems, runs, compiled, tuple(wanted_real)


def run_module(args, tools, engines):
    wasm = args.wasm.resolve()
    if not wasm.is_file():
        fail(f"{args.wasm} is not a file")
    name = wasm.stem
    out_dir = REPO / programs.BUILD_DIR / "module"
    compiled = compile_aot(tools, engines, {name: wasm}, out_dir, compile_jobs(args),
                           compile_timings(args))
    plan = plan_rows(tools, engines, {name: wasm}, {}, compiled, args.program_args, {})
    runs = args.runs or MODULE_RUNS
    print(f"running {name} under {len(engines)} engines, {runs} run(s) each", flush=True)
    rows = execute(plan, engines, runs, args.timeout, need_checksum=False, parallel=1)
    baseline = "wasm2native" if any(e.name == "wasm2native" for e in engines) else engines[0].name
    problems = compare(rows, baseline, by_checksum=False)
    return baseline, rows, problems, runs, compiled


def read_results(path):
    """The Results of an earlier run, from its results.json."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    default_bounds = report.build_fields(document["machine"]).get("bounds-checks")
    engines = [engine_from_json(entry, default_bounds) for entry in document["engines"]]
    rows = [row_from_json(record, detail)
            for record, detail in zip(document["rows"], document["runs_detail"])]
    results = report.Results(
        mode=document["mode"], runs=document["runs"], metric=document["metric"],
        baseline=document["baseline"], engines=engines, skipped=document["skipped_engines"],
        rows=rows, problems=document["problems"], machine=document["machine"],
        command=document["command"], compile_jobs=document.get("compile_jobs"),
        real_programs=tuple(document.get("real_programs", ())))
    # The ratios again at full precision (the records keep four digits).
    for row in rows:
        if row.ok:
            row.ratio = results.time_ratio(row.program, row.engine, results.baseline)
    return results


def engine_from_json(entry, default_bounds):
    """An Engine from results.json. Files written before the engines recorded their settings get
    them from the options, the defaults being -O2 and the bounds mode of the build record."""
    options = tuple(entry["options"])
    if entry["kind"] == "native" and not options:
        return old_native(entry)
    opt_level, bounds = entry.get("opt_level"), entry.get("bounds_checks")
    if entry["kind"] == "aot" and "opt_level" not in entry:
        opt_level = next((option[2:] for option in options if re.fullmatch(r"-O[0-3]", option)), "2")
        bounds = (options[options.index("--bounds-checks") + 1]
                  if "--bounds-checks" in options else default_bounds)
    return Engine(entry["name"], entry["kind"], entry["description"], options,
                  opt_level=opt_level, bounds_checks=bounds, memory64=entry.get("memory64", False),
                  strip_debug=entry.get("strip_debug", False))


def old_native(entry):
    """The native row of a file written before the native rows recorded their clang flags. The
    harness then built native code one way only, with -march=native; the description says so
    when it names the flag, else the row is taken for that build and labelled as assumed."""
    how = ("" if "-march=native" in entry["description"]
           else " (the file does not record the flags: assumed, the harness's only native build then)")
    description = (f"`{CLANG} OPT {' '.join(MARCH_FLAGS)}`{how}; no sandbox: the baseline of this "
                   "run, measured before the harness also built native code for clang's default "
                   "target, so its ratios are to the -march=native build")
    return Engine(entry["name"], "native", description, MARCH_FLAGS)


def report_only(args):
    """Writes the outputs of an earlier run again, from its results.json."""
    try:
        results = read_results(args.report_only)
    except KeyError as error:
        fail(f"{args.report_only} is not a results.json of this harness (no {error} field)")
    except (OSError, ValueError, TypeError) as error:
        fail(f"cannot read {args.report_only}: {error}")
    out = args.out or args.report_only.parent
    report.write_all(results, out)
    print(f"results in {out}/ (table.md, chart.svg, results.csv, results.json)")
    return 0


def main(argv):
    args = parse_args(argv)
    if args.report_only is not None:
        return report_only(args)
    tools = find_tools(args.wasm2native, args.wasmtime_python)
    engines, skipped = available_engines(args, tools)
    if not engines:
        fail("no engine to measure")
    real = ()
    if args.wasm is not None:
        baseline, rows, problems, runs, compiled = run_module(args, tools, engines)
        mode, metric = "wasm", "wall_ns"
        out = args.out or REPO / "target/bench/wasm" / args.wasm.stem
    else:
        rows, problems, runs, compiled, real = run_suite(args, tools, engines)
        baseline, metric = BASELINE, "kernel_ns"
        mode = "quick" if args.quick else "full"
        out = args.out or REPO / ("target/bench/quick" if args.quick else "bench/results")
    sample = next((build.artifact for build in compiled.values() if build.artifact), None)
    results = report.Results(
        mode=mode, runs=runs, metric=metric, baseline=baseline, engines=engines, skipped=skipped,
        rows=rows, problems=problems, machine=machine.describe(tools, CLANG, sample),
        command=" ".join([str(args.wasm), *args.program_args]) if args.wasm else None,
        compile_jobs=compile_jobs(args) if compiled else None, real_programs=real)
    report.write_all(results, out)
    for line in (report.memory64_line(results), report.debug_info_line(results)):
        if line:
            print(line)
    print(f"results in {out}/ (table.md, chart.svg, results.csv, results.json)")
    if problems:
        print("\n" + "!" * 72, file=sys.stderr)
        print(f"!! {len(problems)} DISAGREEMENT(S) OR FAILURE(S):", file=sys.stderr)
        for problem in problems:
            print(f"!!   {problem}", file=sys.stderr)
        print("!" * 72, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
