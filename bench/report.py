"""The harness's outputs: results.csv, results.json, table.md and chart.svg."""
import csv
import json
import math
import statistics
from dataclasses import dataclass
from pathlib import Path

import chart
import realprograms
from engine_table import native_command, wasm32_twin
from measure import rounded

AOT_DEFAULT = "wasm2native"
# The two tiers of the suite: the kernels of bench/programs/, on which every summary figure is
# computed (as before there was a second tier), and the real programs of bench/realprograms.py,
# reported in a section of their own with their own geometric means.
KERNELS = "kernels"
REAL = "real programs"
# The lines of `wasm2native inspect` that table.md repeats (results.json keeps them all).
BUILD_FIELDS = ("llvm", "cpu", "opt-level", "bounds-checks")
# A loss smaller than this fraction is not worth a line of "where wasm2native loses".
LOSS_THRESHOLD = 0.01
# The most a 64-bit memory should cost: the wasm64 build's time over the wasm32 build's, with
# explicit bounds checks, on the geometric mean.
MEMORY64_GOAL = 1.10


@dataclass
class Results:
    mode: str             # full, quick or wasm (a user's module)
    runs: int             # runs per program and engine
    metric: str           # the primary time: kernel_ns (suite) or wall_ns (a user's module)
    baseline: str         # the engine ratios are relative to
    engines: list         # the measured Engine rows, in column order
    skipped: dict         # {engine name: why it was not measured}
    rows: list
    problems: list        # disagreements and failures, one line each
    machine: dict
    command: str | None   # the user's module and its arguments
    compile_jobs: int | None = None  # wasm2native compiles run at once (None: not recorded)
    real_programs: tuple = ()  # the programs of the real-programs tier; the others are kernels

    def programs(self, tier=None):
        """The programs measured, in order: all of them, or those of one tier (KERNELS, REAL)."""
        found = dict.fromkeys(row.program for row in self.rows)
        if tier is None:
            return list(found)
        return [program for program in found if self.tier(program) == tier]

    def tier(self, program):
        return REAL if program in self.real_programs else KERNELS

    @staticmethod
    def tiers():
        return (KERNELS, REAL)

    def row(self, program, engine):
        return next((r for r in self.rows if r.program == program and r.engine == engine), None)

    def geomean_ratio(self, engine, tier=None):
        """The geometric mean of an engine's ratios to the baseline over one tier's programs (by
        default the kernels, the suite's summary figures)."""
        tier = tier or KERNELS
        return geomean([row.ratio for row in self.rows if row.engine == engine and row.ratio
                        and self.tier(row.program) == tier])

    def time_ratio(self, program, mine, theirs):
        """The median primary time of engine `mine` over engine `theirs` on one program, or None."""
        rows = self.row(program, mine), self.row(program, theirs)
        if any(row is None or not row.ok for row in rows):
            return None
        ours, other = (row.median(self.metric) for row in rows)
        return ours / other if ours and other else None

    def paired_geomean(self, mine, theirs, tier=None):
        """The geometric mean of time_ratio over the programs of a tier (by default the kernels)
        both engines ran."""
        return geomean([ratio for ratio in (self.time_ratio(program, mine, theirs)
                                            for program in self.programs(tier or KERNELS))
                        if ratio])

    def metric_label(self):
        return "kernel time" if self.metric == "kernel_ns" else "wall time of the whole run"


def write_all(results, out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    records = [{**row.flat(), "tier": results.tier(row.program)} for row in results.rows]
    with open(out / "results.csv", "w", newline="", encoding="utf-8") as file:
        if records:
            writer = csv.DictWriter(file, fieldnames=list(records[0]))
            writer.writeheader()
            writer.writerows(records)
    document = {"mode": results.mode, "runs": results.runs, "metric": results.metric,
                "baseline": results.baseline, "command": results.command,
                "engines": [{"name": e.name, "kind": e.kind, "description": e.description,
                             "options": list(e.options), "opt_level": e.opt_level,
                             "bounds_checks": e.bounds_checks, "memory64": e.memory64,
                             "strip_debug": e.strip_debug}
                            for e in results.engines],
                "skipped_engines": results.skipped, "machine": results.machine,
                "compile_jobs": results.compile_jobs,
                "real_programs": list(results.real_programs),
                "problems": results.problems, "rows": records,
                "summary": {"acceptance": acceptance(results),
                            "internal_comparison": internal_comparison(results),
                            "memory64": memory64_cost(results),
                            "debug_info": debug_info_cost(results),
                            "real_programs": real_programs_summary(results)},
                "runs_detail": [run_detail(row) for row in results.rows]}
    (out / "results.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    (out / "table.md").write_text(table_markdown(results), encoding="utf-8")
    (out / "chart.svg").write_text(chart.svg(results), encoding="utf-8")


def build_fields(machine):
    """The `key: value` lines of the build record in the machine description, as a dict."""
    record = machine.get("wasm2native_build") or ""
    return dict(line.partition(": ")[::2] for line in record.splitlines() if ": " in line)


def geomean(values):
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def run_detail(row):
    """Every run's raw numbers, for whoever wants more than the medians."""
    return {"program": row.program, "engine": row.engine,
            "kernel_ns": [run.kernel_ns for run in row.runs],
            "wall_ns": [run.wall_ns for run in row.runs],
            "ttfi_ns": [run.ttfi_ns() for run in row.runs],
            "peak_rss_kb": [run.peak_rss_kb for run in row.runs],
            "compile_ns": [run.runner.get("compile_ns") for run in row.runs]}


# ----------------------------------------------------------------------- summary figures ---

# "More than this fraction slower than a JIT" puts a program on the acceptance summary's list.
SUMMARY_LOSS_THRESHOLD = 0.05
COMPILE_SPEED_DEFINITION = (
    "compile speed is the total size of the programs' code sections (the function bodies the "
    "compiler translates) in KB (1024 bytes) over the total wall time of the "
    "`wasm2native P.wasm -o P` processes that compiled them, from spawn to exit (each program's "
    "median of its timed compiles): reading and validating the module, LLVM's optimisation and "
    "code generation, and linking the object with the runtime library into an executable")


def whole_file_text(speeds, default):
    """A sentence on how much of the .wasm bytes is code, and the speed over whole files."""
    main = speeds.get(("2", default.bounds_checks))
    low = speeds.get(("0", default.bounds_checks))
    if not main or not main.get("code_bytes"):
        return ""
    share = main["code_bytes"] / main["wasm_bytes"]
    text = (f" The code sections are {100 * share:.0f}% of the .wasm files' bytes (the rest is "
            f"mostly wasi-libc's DWARF debug sections, which wasm2native reads past): over whole "
            f"files, -O2 compiles {main['kb_per_s']:.0f} KB/s")
    if low:
        text += f" and -O0 {low['kb_per_s']:.0f} KB/s"
    return text + "."


def compile_totals(results, engine_name, tier=None):
    """(wasm bytes, code section bytes, compile ns, programs) summed over an engine's good rows of
    one tier (by default the kernels), or None."""
    tier = tier or KERNELS
    timed = [r for r in results.rows if r.engine == engine_name and r.ok and r.compile_ns
             and r.wasm_bytes and results.tier(r.program) == tier]
    if not timed:
        return None
    return (sum(r.wasm_bytes for r in timed), sum(r.code_bytes or 0 for r in timed),
            sum(r.compile_ns for r in timed), len(timed))


def aot_build(results, opt_level, bounds):
    """The wasm32 aot row with these settings, or None."""
    return next((e for e in results.engines if e.kind == "aot" and not e.variant
                 and e.opt_level == opt_level and e.bounds_checks == bounds), None)


def default_build(results):
    return next((e for e in results.engines if e.name == AOT_DEFAULT), None)


def bounds_builds(results):
    """[(bounds mode, Engine)] of the measured -O2 builds, explicit first; the default build
    alone when the compiler has no bounds modes."""
    builds = [(mode, engine) for mode in ("explicit", "guard")
              if (engine := aot_build(results, "2", mode))]
    default = default_build(results)
    return builds or ([("default", default)] if default else [])


def march_build(results):
    """The -march=native build measured beside the baseline native build, or None."""
    return next((e for e in results.engines if e.kind == "native" and e.name != results.baseline
                 and "-march=native" in e.options), None)


def reference_jits(results):
    """The JIT configurations wasm2native is held against: Wasmtime, and V8 with TurboFan only."""
    wasmtime = next((e for e in results.engines if e.kind == "wasmtime"), None)
    turbofan = next((e for e in results.engines
                     if e.kind == "v8" and "--no-liftoff" in e.options), None)
    return [(label, engine) for label, engine in (("Wasmtime", wasmtime),
                                                  ("V8 --no-liftoff", turbofan)) if engine]


def internal_columns(results):
    """(key, label, engine, reference) of each wasm2native-against-itself ratio to show."""
    builds = dict(bounds_builds(results))
    columns = []
    if "explicit" in builds and "guard" in builds:
        columns.append(("guard_over_explicit", "guard / explicit", builds["guard"],
                        builds["explicit"]))
    reference = default_build(results)
    if reference is not None:
        levels = [e for e in results.engines if e.kind == "aot" and not e.variant
                  and e.opt_level is not None
                  and e.opt_level != reference.opt_level
                  and e.bounds_checks == reference.bounds_checks]
        for engine in sorted(levels, key=lambda e: e.opt_level):
            columns.append((f"O{engine.opt_level}_over_O{reference.opt_level}",
                            f"-O{engine.opt_level} / -O{reference.opt_level}", engine, reference))
    return columns


def internal_comparison(results):
    """wasm2native against itself, per program and on the geometric mean; None without pairs."""
    columns = internal_columns(results)
    if not columns:
        return None

    def figures(ratio):
        line = {key: ratio(engine.name, reference.name) for key, _, engine, reference in columns}
        if line.get("guard_over_explicit"):
            line["explicit_cost_pct"] = 100 * (1 / line["guard_over_explicit"] - 1)
        return {key: rounded(value, 4) for key, value in line.items()}

    return {"metric": results.metric,
            "columns": {key: f"{engine.name} / {reference.name}"
                        for key, _, engine, reference in columns},
            "programs": {program: figures(lambda a, b, p=program: results.time_ratio(p, a, b))
                         for program in results.programs()},
            "geomean": figures(results.paired_geomean),
            "geomean_real_programs": (figures(lambda a, b: results.paired_geomean(a, b, REAL))
                                      if results.programs(REAL) else None)}


def slower_programs(results, engine, jits):
    """The programs where `engine` is more than SUMMARY_LOSS_THRESHOLD slower than a JIT:
    [{"program", "slower_pct": {jit name: percent}}]."""
    found = []
    for program in results.programs(KERNELS):
        losses = {}
        for _, jit in jits:
            ratio = results.time_ratio(program, engine.name, jit.name)
            if ratio is not None and ratio > 1 + SUMMARY_LOSS_THRESHOLD:
                losses[jit.name] = round(100 * (ratio - 1), 1)
        if losses:
            found.append({"program": program, "slower_pct": losses})
    return found


def acceptance(results):
    """The figures the performance goals are stated in; those without data are left out."""
    builds = bounds_builds(results)
    jits = reference_jits(results)
    figures = {"programs": len(results.programs(KERNELS))}
    baseline = next((e for e in results.engines if e.name == results.baseline), None)
    if baseline is not None and baseline.kind == "native":
        figures["native_build"] = native_command(baseline.options)
        figures["geomean_x_native"] = {mode: rounded(results.geomean_ratio(engine.name), 4)
                                       for mode, engine in builds}
    march = march_build(results)
    if march is not None:
        compared = builds + [(jit.name, jit) for _, jit in jits]
        figures["geomean_x_native_march"] = {
            "engine": march.name, "build": native_command(march.options),
            "geomean": {key: rounded(results.paired_geomean(engine.name, march.name), 4)
                        for key, engine in compared}}
    figures["geomean_vs_jits"] = {
        jit.name: {mode: rounded(results.paired_geomean(engine.name, jit.name), 4)
                   for mode, engine in builds} for _, jit in jits}
    if builds and jits:
        figures["slower_than_jits"] = {
            "threshold_pct": 100 * SUMMARY_LOSS_THRESHOLD,
            "by_mode": {mode: {"engine": engine.name,
                               "programs": slower_programs(results, engine, jits)}
                        for mode, engine in builds}}
    speeds = []
    for engine in results.engines:
        # The wasm64 builds are a few programs built another way: the compile table shows them.
        # The build without debug info has a figure of its own (`debug_info_cost`).
        totals = (compile_totals(results, engine.name)
                  if engine.kind == "aot" and not engine.variant else None)
        if totals:
            size, code, nanoseconds, count = totals
            speeds.append({"engine": engine.name, "opt_level": engine.opt_level,
                           "bounds_checks": engine.bounds_checks, "programs": count,
                           "wasm_bytes": size, "code_bytes": code,
                           "compile_ms": rounded(nanoseconds / 1e6, 1),
                           "kb_per_s": rounded(size / 1024 / (nanoseconds / 1e9), 1),
                           "code_kb_per_s": rounded(code / 1024 / (nanoseconds / 1e9), 1)})
    figures["compile_speed"] = {"definition": COMPILE_SPEED_DEFINITION,
                                "compiles_at_once": results.compile_jobs, "builds": speeds}
    ttfi = {}
    for engine in results.engines:
        medians = [row.median("ttfi_ns") for row in results.rows if row.engine == engine.name
                   and row.ok and row.median("ttfi_ns") is not None
                   and results.tier(row.program) == KERNELS]
        if medians:
            ttfi[engine.name] = rounded(statistics.median(medians) / 1e6, 3)
    figures["ttfi_ms_median"] = ttfi
    return figures


def memory64_pair(results):
    """(the wasm64 row, its wasm32 twin) among the measured engines, or None."""
    engine = next((e for e in results.engines if e.memory64), None)
    twin = engine and wasm32_twin(results.engines, engine)
    return (engine, twin) if twin else None


def memory64_cost(results):
    """What a 64-bit memory costs: each program's wasm64 time over its wasm32 time under the
    same settings, and their geometric mean; None when the pair was not measured."""
    pair = memory64_pair(results)
    if pair is None:
        return None
    engine, twin = pair
    ratios = {program: results.time_ratio(program, engine.name, twin.name)
              for program in results.programs() if results.row(program, engine.name)}
    if not ratios:
        return None
    return {"metric": results.metric, "wasm64": engine.name, "wasm32": twin.name,
            "bounds_checks": engine.bounds_checks, "goal": MEMORY64_GOAL,
            "programs": {program: rounded(ratio, 4) for program, ratio in ratios.items()},
            "geomean": rounded(geomean([ratio for ratio in ratios.values() if ratio]), 4)}


def debug_info_cost(results):
    """What the debug info of a default build costs: its total compile time over the build
    without debug info's, and its run time over that build's (geometric means of the programs'
    ratios), for each tier; None when the pair was not measured."""
    engine = next((e for e in results.engines if e.strip_debug), None)
    twin = engine and wasm32_twin(results.engines, engine)
    if twin is None:
        return None
    tiers = {}
    for tier in (KERNELS, REAL):
        with_debug, without = (compile_totals(results, name, tier)
                               for name in (twin.name, engine.name))
        run = results.paired_geomean(twin.name, engine.name, tier)
        if not (with_debug and without) and run is None:
            continue
        tiers[tier] = {"programs": len(results.programs(tier)),
                       "compile_ratio": (rounded(with_debug[2] / without[2], 4)
                                         if with_debug and without else None),
                       "run_ratio": rounded(run, 4) if run else None}
    if not tiers:
        return None
    return {"with_debug_info": twin.name, "without": engine.name, "tiers": tiers}


def debug_info_line(results):
    """One line for the terminal and the summary: the cost of debug info; None when it was not
    measured."""
    cost = debug_info_cost(results)
    if cost is None:
        return None
    parts = [f"{tier}: compile time "
             + ("—" if figures["compile_ratio"] is None else f"{figures['compile_ratio']:.2f}×")
             + ", run time "
             + ("—" if figures["run_ratio"] is None else f"{figures['run_ratio']:.3f}×")
             + f" ({programs_text(figures['programs'])})"
             for tier, figures in cost["tiers"].items()]
    return (f"Cost of debug info, `{cost['with_debug_info']}` over `{cost['without']}`: "
            + "; ".join(parts) + ".")


def memory64_line(results):
    """One line for the terminal: the cost of a 64-bit memory, per program and on the geometric
    mean; None when it was not measured."""
    cost = memory64_cost(results)
    if cost is None:
        return None
    shown = [f"{program} {'FAIL' if ratio is None else f'{ratio:.2f}×'}"
             for program, ratio in cost["programs"].items()]
    mean = cost["geomean"]
    return (f"64-bit memory, {cost['wasm64']} / {cost['wasm32']} ({results.metric_label()}): "
            + ", ".join(shown) + "; geometric mean "
            + (ratio_text(mean) if mean else "—") + f", goal at most {cost['goal']:.2f}×")


# ------------------------------------------------------------------------------ table.md ---

def ms(ns):
    """Nanoseconds as milliseconds with three significant digits or so."""
    value = ns / 1e6
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def kb(size):
    return f"{size / 1024:.0f}" if size >= 10240 else f"{size / 1024:.1f}"


def markdown_table(header, lines):
    text = ["| " + " | ".join(header) + " |", "|" + "---|" + "---:|" * (len(header) - 1)]
    text += ["| " + " | ".join(line) + " |" for line in lines]
    return "\n".join(text) + "\n"


def grid(results, engines, cell, programs=None):
    """A table with a line per program (by default every program) and a column per engine;
    cell(row) -> text or None."""
    lines = []
    for program in results.programs() if programs is None else programs:
        line = [program]
        for engine in engines:
            row = results.row(program, engine.name)
            if row is None:
                line.append("—")
            elif not row.ok:
                line.append("FAIL")
            else:
                text = cell(row)
                line.append("—" if text is None else text)
        lines.append(line)
    return lines


def heading(results):
    m = results.machine
    versions = m["versions"]
    if results.mode == "wasm":
        kind = (f"Module `{results.command}`: {results.runs} run(s) per engine, median wall time of "
                f"whole runs; ratios are relative to {results.baseline}.")
    elif results.mode == "quick":
        kind = (f"**Quick run** (smoke test: quick workloads, {results.runs} run(s), two runs at a "
                "time): the times only show that everything works; do not quote them.")
    else:
        kind = (f"Full run: {results.runs} runs per program and engine, one at a time, in rounds (each "
                "round runs every engine of a program once, so that a slow spell of the machine "
                "falls on all of them); medians. wasm2native's compiles are timed the same way: "
                "every module once per round, the median kept.")
    lines = ["# wasm2native benchmarks", "", kind, "",
             f"- Machine: {m['cpu']} ({m['cores']} cores), {m['memory_gib']} GiB, {m['os']}, "
             f"Linux {m['kernel']}; measured {m['date']}.",
             f"- Versions: {versions['wasm2native']}; {versions['clang']}; "
             f"Node {versions['node']}; {versions['wasmtime']}."]
    fields = build_fields(m)
    if fields:
        shown = ", ".join(f"{key} {fields[key]}" for key in BUILD_FIELDS if key in fields)
        lines.append(f"- wasm2native's build of the code (`wasm2native inspect`): {shown}.")
    lines += ["- Engines:"] + [f"  - `{e.name}`: {e.description}" for e in results.engines]
    lines += [f"  - `{name}`: not measured ({why})" for name, why in results.skipped.items()]
    return "\n".join(lines) + "\n"


def time_cell(results):
    """The time table's cell: the median in ms and, but for the baseline, its ratio to it."""
    def cell(row):
        value = row.median(results.metric)
        if value is None:
            return None
        if row.engine == results.baseline or row.ratio is None:
            return ms(value)
        return f"{ms(value)} ({row.ratio:.2f}×)"
    return cell


def time_lines(results, engines, tier):
    """The time table's lines for one tier's programs, with a geometric-mean line when there is
    more than one."""
    programs = results.programs(tier)
    lines = grid(results, engines, time_cell(results), programs)
    if len(programs) > 1:
        geomeans = []
        for engine in engines:
            # A wasm64 row runs a few of the programs: a mean over those is no peer of the others.
            mean = None if engine.memory64 else results.geomean_ratio(engine.name, tier)
            geomeans.append("—" if mean is None else f"**{mean:.2f}×**")
        lines.append(["**geometric mean**"] + geomeans)
    return lines


def time_section(results):
    engines = results.engines
    metric = results.metric
    lines = time_lines(results, engines, KERNELS)
    text = (f"## {results.metric_label().capitalize()}\n\nMedian {results.metric_label()} in ms; in "
            f"parentheses the ratio to {results.baseline} (lower is better).")
    if results.real_programs:
        text += " The kernels of bench/programs/; the real programs follow in a table of their own."
    wasm64 = [f"`{e.name}`" for e in engines if e.memory64]
    if wasm64:
        text += (f" {', '.join(wasm64)} runs only the programs built for wasm64, and has no "
                 "geometric mean here: its cost over the wasm32 build is under "
                 "[64-bit memory](#64-bit-memory).")
    text += "\n\n"
    text += markdown_table(["program"] + [e.name for e in engines], lines)
    if results.runs > 1:
        def relative_stdev(row):
            summary = row.stats(metric)
            return f"{100 * summary['stdev'] / summary['median']:.1f}%" if summary else None
        text += (f"\nRun-to-run spread: standard deviation of the {results.metric_label()} over "
                 f"its median.\n\n")
        text += markdown_table(["program"] + [e.name for e in engines],
                               grid(results, engines, relative_stdev))
    if results.mode == "wasm" and any(row.median("kernel_ns") for row in results.rows):
        text += "\nKernel time the program reported (`kernel_ns:`), median ms.\n\n"
        text += markdown_table(["program"] + [e.name for e in engines], grid(
            results, engines, lambda row: row.median("kernel_ns") and ms(row.median("kernel_ns"))))
    return text


def compile_section(results):
    engines = [e for e in results.engines if e.kind != "native"]
    if not engines:
        return ""
    lines = []
    for line in grid(results, engines, lambda row: row.compile_ns and ms(row.compile_ns)):
        row = next((r for r in results.rows if r.program == line[0] and r.wasm_bytes), None)
        lines.append([line[0], kb(row.wasm_bytes) if row else "—"] + line[1:])
    real = bool(results.programs(REAL))
    lines += compile_total_lines(results, engines, KERNELS, " (kernels)" if real else "")
    if real:
        lines += compile_total_lines(results, engines, REAL, " (real programs)")
    return ("## Compile time\n\nMilliseconds to compile each module. wasm2native: the wall time of the "
            "whole `wasm2native P.wasm -o P` process (parse, LLVM, link), "
            f"{compiles_at_once(results)}. Wasmtime: "
            "`Module(engine, bytes)`, Cranelift on all cores. V8: `WebAssembly.compile`, which "
            "with Node's default lazy compilation only decodes and validates: V8's real "
            "compile work happens during the run, inside time to first instruction and the "
            f"times above. The last rows sum up each column: {COMPILE_SPEED_DEFINITION} (for "
            "Wasmtime and V8, their compile call instead).\n\n"
            + markdown_table(["program", "wasm KB"] + [e.name for e in engines], lines))


def compile_total_lines(results, engines, tier, label):
    """The compile table's summing-up lines over one tier's programs."""
    totals, code_speeds, speeds, per_mb = [f"**total (ms)**{label}", ""], \
        [f"**KB of code section per s**{label}", ""], [f"**KB of wasm per s**{label}", ""], \
        [f"**ms per MB of wasm**{label}", ""]
    for engine in engines:
        summed = compile_totals(results, engine.name, tier)
        if summed is None:
            totals, speeds, code_speeds, per_mb = (column + ["—"] for column in
                                                   (totals, speeds, code_speeds, per_mb))
            continue
        size, code, nanoseconds, _ = summed
        totals.append(ms(nanoseconds))
        speeds.append(f"{size / 1024 / (nanoseconds / 1e9):.0f}")
        code_speeds.append(f"{code / 1024 / (nanoseconds / 1e9):.0f}" if code else "—")
        per_mb.append(f"{nanoseconds / 1e6 / (size / 2**20):.0f}")
    return [totals, code_speeds, speeds, per_mb]


def real_programs_summary(results):
    """The real programs' geometric means: each engine's ratio to the baseline and to the
    -march=native build; None when no real program was measured."""
    programs = results.programs(REAL)
    if not programs:
        return None
    march = march_build(results)
    engines = [e for e in results.engines if e.name != results.baseline and not e.memory64]
    return {"programs": programs, "metric": results.metric,
            "geomean_x_native": {e.name: rounded(results.geomean_ratio(e.name, REAL), 4)
                                 for e in engines},
            "geomean_x_native_march": None if march is None else {
                e.name: rounded(results.paired_geomean(e.name, march.name, REAL), 4)
                for e in engines if e.name != march.name}}


def real_programs_section(results):
    summary = real_programs_summary(results)
    if summary is None:
        return ""
    engines = [e for e in results.engines if not e.memory64]
    listed = []
    for name in summary["programs"]:
        program = realprograms.BY_NAME.get(name)
        listed.append(f"- `{name}`: {program.what} ({program.registry} `{program.package}` "
                      f"{program.version})" if program else f"- `{name}`")
    lines = time_lines(results, engines, REAL)
    march = summary["geomean_x_native_march"]
    if march and len(summary["programs"]) > 1:
        lines.append([f"**geometric mean / {march_build(results).name}**"] + [
            "—" if march.get(e.name) is None else f"{march[e.name]:.2f}×" for e in engines])
    return ("## Real programs\n\nLarge C programs nobody here wrote, built by the harness from "
            "sources fetched from package registries at pinned versions (bench/realprograms.py), "
            "each run by a driver and workload of ours (bench/real/) that follows the kernels' "
            "protocol: same builds, same engines, same rounds and medians, the checksum compared "
            "with native's. Their geometric means are their own: the summary figures above are "
            "over the kernels.\n\n" + "\n".join(listed) + "\n\n"
            f"Median {results.metric_label()} in ms; in parentheses the ratio to "
            f"{results.baseline}.\n\n"
            + markdown_table(["program"] + [e.name for e in engines], lines))


def compiles_at_once(results):
    if results.compile_jobs is None:
        return "the number of compiles run at once not recorded"
    if results.compile_jobs == 1:
        return "one compile at a time"
    return f"{results.compile_jobs} compiles at a time sharing the machine"


def programs_text(count):
    return f"{count} program" + ("" if count == 1 else "s")


def ratio_text(ratio):
    """A time ratio with what it means: "1.04× (4.1% slower)"."""
    change = 100 * (ratio - 1)
    way = "slower" if change >= 0 else "faster"
    return f"{ratio:.2f}× ({abs(change):.1f}% {way})"


def acceptance_section(results):
    figures = acceptance(results)
    builds = dict(bounds_builds(results))

    def build_label(mode):
        engine = builds[mode]
        default = ", the default" if engine.name == AOT_DEFAULT and mode != "default" else ""
        return f"{mode} (`{engine.name}`{default})"

    lines = []
    label = results.metric_label()
    means = {mode: ratio for mode, ratio in figures.get("geomean_x_native", {}).items() if ratio}
    if means:
        lines.append(f"- {label.capitalize()}, geometric mean of the ratios to native "
                     f"(`{figures['native_build']}`) over "
                     f"{programs_text(figures['programs'])}: " + ", ".join(
                         f"{build_label(mode)} **{ratio:.2f}×**" for mode, ratio in means.items())
                     + ".")
    march = figures.get("geomean_x_native_march")
    if march:
        names = {jit.name: jit_label for jit_label, jit in reference_jits(results)}
        shown = [f"{build_label(key) if key in builds else names[key]} **{ratio:.2f}×**"
                 for key, ratio in march["geomean"].items() if ratio]
        if shown:
            lines.append(f"- Against `{march['engine']}` (`{march['build']}`, the physical limit "
                         "of this CPU), geometric mean of the per-program ratios: "
                         + ", ".join(shown) + ".")
    against = []
    for jit_label, jit in reference_jits(results):
        versus = [f"{mode} {ratio_text(ratio)}"
                  for mode, ratio in figures["geomean_vs_jits"][jit.name].items() if ratio]
        if versus:
            against.append(f"against {jit_label}: " + ", ".join(versus))
    if against:
        lines.append(f"- wasm2native's {label} over the JIT's, geometric mean over the programs: "
                     + "; ".join(against) + ".")
    jit_names = {jit.name: jit_label for jit_label, jit in reference_jits(results)}
    slower = figures.get("slower_than_jits")
    for mode, found in (slower["by_mode"].items() if slower else []):
        listed = "; ".join(
            f"{entry['program']} (" + ", ".join(f"{jit_names[name]} +{pct:.1f}%"
                                                for name, pct in entry["slower_pct"].items()) + ")"
            for entry in found["programs"])
        lines.append(f"- Programs where {build_label(mode)} is more than "
                     f"{slower['threshold_pct']:.0f}% slower than " + " or ".join(jit_names.values())
                     + f": **{len(found['programs'])}** of {figures['programs']}"
                     + (f": {listed}." if listed else "."))
    speeds = {(b["opt_level"], b["bounds_checks"]): b for b in figures["compile_speed"]["builds"]}
    default = default_build(results)
    shown = []
    for level in ("2", "0"):
        if default is None:
            break
        main = speeds.get((level, default.bounds_checks))
        if main is None or not main.get("code_bytes"):
            continue
        text = f"-O{level} **{main['code_kb_per_s']:.0f} KB/s**"
        if main["code_kb_per_s"] >= 1024:
            text += f" ({main['code_kb_per_s'] / 1024:.2f} MB/s)"
        others = [f"{b['bounds_checks']} {b['code_kb_per_s']:.0f} KB/s"
                  for (opt, mode), b in speeds.items()
                  if opt == level and mode != default.bounds_checks and b.get("code_bytes")]
        shown.append(text + (f" ({', '.join(others)})" if others else ""))
    if shown:
        total = speeds.get(("2", default.bounds_checks)) or next(iter(speeds.values()))
        lines.append(f"- wasm2native compile speed, {default.bounds_checks} checks: "
                     + ", ".join(shown) + f"; {programs_text(total['programs'])}, "
                     f"{total['code_bytes'] / 1024:.0f} KB of code in "
                     f"{total['wasm_bytes'] / 2**20:.2f} MB of wasm, "
                     f"{compiles_at_once(results)}.\n  The {COMPILE_SPEED_DEFINITION}."
                     + whole_file_text(speeds, default))
    ttfi = figures["ttfi_ms_median"]
    if ttfi:
        lines.append("- Time to first instruction, median over the programs: " + ", ".join(
            f"{name} {ms(value * 1e6)} ms" for name, value in ttfi.items()) + ".")
    cost = memory64_cost(results)
    if cost and cost["geomean"]:
        lines.append(f"- Cost of a 64-bit memory, `{cost['wasm64']}` over `{cost['wasm32']}` "
                     f"({cost['bounds_checks']} checks), geometric mean over "
                     f"{programs_text(sum(1 for r in cost['programs'].values() if r))}: "
                     f"**{ratio_text(cost['geomean'])}**; the goal is at most "
                     f"{cost['goal']:.2f}×.")
    debug_info = debug_info_line(results)
    if debug_info:
        lines.append(f"- {debug_info}")
    real = real_programs_summary(results)
    if real and lines:
        lines.insert(0, f"Over the kernels; the {programs_text(len(real['programs']))} of the "
                     "real-programs tier have [their own section](#real-programs).\n")
        shown = [f"`{name}` **{ratio:.2f}×**" for name, ratio in real["geomean_x_native"].items()
                 if ratio]
        if shown:
            lines.append(f"- Real programs ({', '.join(real['programs'])}), geometric mean of "
                         f"the ratios to native: " + ", ".join(shown) + ".")
    if not lines:
        return ""
    return "## Acceptance summary\n\n" + "\n".join(lines) + "\n"


def memory64_section(results):
    cost = memory64_cost(results)
    if cost is None:
        return ""
    metric = results.metric
    lines = []
    for program, ratio in cost["programs"].items():
        times = [results.row(program, name) for name in (cost["wasm32"], cost["wasm64"])]
        cells = ["—" if row is None else "FAIL" if not row.ok else ms(row.median(metric))
                 for row in times]
        lines.append([program] + cells + ["—" if ratio is None else f"{ratio:.2f}×"])
    if cost["geomean"] and len(lines) > 1:
        lines.append(["**geometric mean**", "", "", f"**{cost['geomean']:.2f}×**"])
    return ("## 64-bit memory\n\nWhat a 64-bit memory (memory64) costs: each program built "
            f"for wasm64 and run by `{cost['wasm64']}`, against the same source built for "
            f"wasm32-wasi and run by `{cost['wasm32']}`, both -O2 with {cost['bounds_checks']} "
            f"bounds checks. The ratio divides the wasm64 build's median {results.metric_label()} "
            "by the wasm32 build's (below 1×, wasm64 is faster); the goal is at most "
            f"{cost['goal']:.2f}× on the geometric mean. The wasm64 builds are freestanding, with "
            "the small C library of bench/wasm64/ in place of WASI libc, which their kernels "
            "hardly call while timed (bench/README.md).\n\n"
            + markdown_table(["program", f"wasm32 ms (`{cost['wasm32']}`)",
                              f"wasm64 ms (`{cost['wasm64']}`)", "wasm64 / wasm32"], lines))


def internal_section(results):
    comparison = internal_comparison(results)
    if comparison is None:
        return ""
    columns = internal_columns(results)
    header = ["program"]
    for key, label, _, _ in columns:
        header.append(label)
        if key == "guard_over_explicit":
            header.append("explicit checks' cost")

    def cells(figures):
        line = []
        for key, _, _, _ in columns:
            line.append("—" if figures.get(key) is None else f"{figures[key]:.2f}×")
            if key == "guard_over_explicit":
                cost = figures.get("explicit_cost_pct")
                line.append("—" if cost is None else f"{cost:+.1f}%")
        return line

    lines = [[program] + cells(figures) for program, figures in comparison["programs"].items()]
    if len(lines) > 1:
        lines.append(["**geometric mean**"] + [f"**{cell}**" if cell != "—" else cell
                                                for cell in cells(comparison["geomean"])])
    described = "; ".join(f"`{label}` = `{engine.name}` / `{reference.name}`"
                          for _, label, engine, reference in columns)
    notes = []
    if columns[0][0] == "guard_over_explicit":
        notes.append("Both bounds modes are built at -O2. The explicit checks' cost is how much "
                     "longer the explicit-checks build takes than the guard-mode build.")
    if columns[-1][0] != "guard_over_explicit":
        bounds = columns[-1][3].bounds_checks
        notes.append("The optimisation levels all use the default bounds checks"
                     + (f" ({bounds})." if bounds else "."))
    return ("## Internal comparison\n\nwasm2native against itself: each column divides one "
            f"build's median {results.metric_label()} by another's (below 1×, the first is "
            f"faster): {described}. " + " ".join(notes)
            + " Geometric means are over the programs both builds ran.\n\n"
            + markdown_table(header, lines))


def startup_section(results):
    engines = results.engines
    ttfi = grid(results, engines, lambda row: (
        None if row.median("ttfi_ns") is None else ms(row.median("ttfi_ns"))))
    rss = grid(results, engines, lambda row: f"{row.median('peak_rss_kb') / 1024:.0f}")
    sizes = grid(results, [e for e in engines if e.kind in ("native", "aot", "wasmtime")],
                 lambda row: row.artifact_bytes and kb(row.artifact_bytes))
    header = ["program"] + [e.name for e in engines]
    text = ("## Time to first instruction\n\nMilliseconds from the engine's start to the program's "
            "first instruction (bench_begin's clock reading): for native and wasm2native from "
            "just before the process is spawned, for Wasmtime and V8 from just before the runner "
            "reads the module, so booting Python or Node is left out. It covers loading, "
            "compiling (JITs), instantiating and the C library's start-up.\n\n"
            + markdown_table(header, ttfi))
    text += ("\n## Peak memory\n\nPeak resident set of the process in MiB (wait4's ru_maxrss). "
             "For Wasmtime and V8 it includes the Python or Node runtime that hosts the "
             "engine.\n\n" + markdown_table(header, rss))
    size_engines = [e for e in engines if e.kind in ("native", "aot", "wasmtime")]
    if size_engines:
        text += ("\n## Artifact size\n\nKB of the native executable, wasm2native's executables, and "
                 "Wasmtime's serialised compiled module.\n\n"
                 + markdown_table(["program"] + [e.name for e in size_engines], sizes))
    return text


def losses_section(results):
    if not any(row.engine == AOT_DEFAULT for row in results.rows):
        return ""
    metric = results.metric
    lines = []
    for program in results.programs():
        mine = results.row(program, AOT_DEFAULT)
        if mine is None or not mine.ok:
            continue
        beaten = []
        for engine in results.engines:
            other = results.row(program, engine.name)
            if (engine.kind == "native" or engine.memory64 or engine.name == AOT_DEFAULT
                    or other is None or not other.ok):
                continue
            theirs, ours = other.median(metric), mine.median(metric)
            if theirs is not None and ours is not None and ours > theirs * (1 + LOSS_THRESHOLD):
                note = ""
                if results.runs > 1 and mine.stats(metric)["min"] <= other.stats(metric)["max"]:
                    note = ", within run-to-run spread"
                beaten.append(f"{engine.name} {ms(theirs)} ms vs {ms(ours)} ms "
                              f"(wasm2native {100 * (ours / theirs - 1):.1f}% slower{note})")
        if beaten:
            lines.append(f"- **{program}**: " + "; ".join(beaten))
    body = "\n".join(lines) or (f"None: wasm2native (default) is the fastest wasm engine, or within "
                                f"{100 * LOSS_THRESHOLD:.0f}%, on every program.")
    native = "; native code is left out" if results.mode != "wasm" else ""
    if any(engine.memory64 for engine in results.engines):
        native += ", and so are the wasm64 builds, another build of the program"
    return ("## Where wasm2native loses\n\nPrograms where wasm2native with default settings is "
            f"at least {100 * LOSS_THRESHOLD:.0f}% slower than another wasm engine or configuration "
            f"({results.metric_label()}{native})."
            "\n\n" + body + "\n")


def checks_section(results):
    what = "checksum" if results.metric == "kernel_ns" else "stdout and exit code"
    if not results.problems:
        return f"## Checks\n\nEvery engine's {what} agrees with {results.baseline}'s.\n"
    lines = "\n".join(f"- {problem}" for problem in results.problems)
    return (f"## Checks\n\n**{len(results.problems)} disagreement(s) or failure(s)** "
            f"against {results.baseline}:\n\n{lines}\n")


def table_markdown(results):
    sections = [heading(results), acceptance_section(results), checks_section(results),
                time_section(results), real_programs_section(results),
                f"![{results.metric_label()} relative to {results.baseline}](chart.svg)\n",
                internal_section(results), memory64_section(results), losses_section(results),
                compile_section(results),
                startup_section(results)]
    return "\n".join(section for section in sections if section)
