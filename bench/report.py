"""The harness's outputs: results.csv, results.json, table.md and chart.svg."""
import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

import chart

AOT_DEFAULT = "wasm2native"
# The lines of `wasm2native inspect` that table.md repeats (results.json keeps them all).
BUILD_FIELDS = ("llvm", "cpu", "opt-level", "bounds-checks")
# A loss smaller than this fraction is not worth a line of "where wasm2native loses".
LOSS_THRESHOLD = 0.01


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

    def programs(self):
        return list(dict.fromkeys(row.program for row in self.rows))

    def row(self, program, engine):
        return next((r for r in self.rows if r.program == program and r.engine == engine), None)

    def geomean_ratio(self, engine):
        ratios = [row.ratio for row in self.rows if row.engine == engine and row.ratio]
        return math.exp(sum(map(math.log, ratios)) / len(ratios)) if ratios else None

    def metric_label(self):
        return "kernel time" if self.metric == "kernel_ns" else "wall time of the whole run"


def write_all(results, out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    records = [row.flat() for row in results.rows]
    with open(out / "results.csv", "w", newline="", encoding="utf-8") as file:
        if records:
            writer = csv.DictWriter(file, fieldnames=list(records[0]))
            writer.writeheader()
            writer.writerows(records)
    document = {"mode": results.mode, "runs": results.runs, "metric": results.metric,
                "baseline": results.baseline, "command": results.command,
                "engines": [{"name": e.name, "kind": e.kind, "description": e.description,
                             "options": list(e.options)} for e in results.engines],
                "skipped_engines": results.skipped, "machine": results.machine,
                "problems": results.problems, "rows": records,
                "runs_detail": [run_detail(row) for row in results.rows]}
    (out / "results.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    (out / "table.md").write_text(table_markdown(results), encoding="utf-8")
    (out / "chart.svg").write_text(chart.svg(results), encoding="utf-8")


def run_detail(row):
    """Every run's raw numbers, for whoever wants more than the medians."""
    return {"program": row.program, "engine": row.engine,
            "kernel_ns": [run.kernel_ns for run in row.runs],
            "wall_ns": [run.wall_ns for run in row.runs],
            "ttfi_ns": [run.ttfi_ns() for run in row.runs],
            "peak_rss_kb": [run.peak_rss_kb for run in row.runs],
            "compile_ns": [run.runner.get("compile_ns") for run in row.runs]}


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


def grid(results, engines, cell):
    """A table with a line per program and a column per engine; cell(row) -> text or None."""
    lines = []
    for program in results.programs():
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
        kind = f"Full run: {results.runs} runs per program and engine, one at a time; medians."
    lines = ["# wasm2native benchmarks", "", kind, "",
             f"- Machine: {m['cpu']} ({m['cores']} cores), {m['memory_gib']} GiB, {m['os']}, "
             f"Linux {m['kernel']}; measured {m['date']}.",
             f"- Versions: {versions['wasm2native']}; {versions['clang']}; "
             f"Node {versions['node']}; {versions['wasmtime']}."]
    record = m.get("wasm2native_build")
    if record:
        fields = dict(line.partition(": ")[::2] for line in record.splitlines() if ": " in line)
        shown = ", ".join(f"{key} {fields[key]}" for key in BUILD_FIELDS if key in fields)
        lines.append(f"- wasm2native's build of the code (`wasm2native inspect`): {shown}.")
    lines += ["- Engines:"] + [f"  - `{e.name}`: {e.description}" for e in results.engines]
    lines += [f"  - `{name}`: not measured ({why})" for name, why in results.skipped.items()]
    return "\n".join(lines) + "\n"


def time_section(results):
    engines = results.engines
    metric = results.metric

    def cell(row):
        value = row.median(metric)
        if value is None:
            return None
        if row.engine == results.baseline or row.ratio is None:
            return ms(value)
        return f"{ms(value)} ({row.ratio:.2f}×)"

    lines = grid(results, engines, cell)
    if len(results.programs()) > 1:
        geomeans = []
        for engine in engines:
            mean = results.geomean_ratio(engine.name)
            geomeans.append("—" if mean is None else f"**{mean:.2f}×**")
        lines.append(["**geometric mean**"] + geomeans)
    text = (f"## {results.metric_label().capitalize()}\n\nMedian {results.metric_label()} in ms; in "
            f"parentheses the ratio to {results.baseline} (lower is better).\n\n")
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
    totals, speeds, per_mb = ["**total (ms)**", ""], ["**KB of wasm per s**", ""], \
        ["**ms per MB of wasm**", ""]
    for engine in engines:
        timed = [r for r in results.rows
                 if r.engine == engine.name and r.ok and r.compile_ns and r.wasm_bytes]
        seconds = sum(r.compile_ns for r in timed) / 1e9
        size = sum(r.wasm_bytes for r in timed)
        totals.append(ms(seconds * 1e9) if timed else "—")
        speeds.append(f"{size / 1024 / seconds:.0f}" if timed else "—")
        per_mb.append(f"{seconds * 1000 / (size / 2**20):.0f}" if timed else "—")
    lines += [totals, speeds, per_mb]
    return ("## Compile time\n\nMilliseconds to compile each module. wasm2native: the wall time of the "
            "whole `wasm2native P.wasm -o P` process (parse, LLVM, link). Wasmtime: "
            "`Module(engine, bytes)`, Cranelift on all cores. V8: `WebAssembly.compile`, which "
            "with Node's default lazy compilation only decodes and validates: V8's real "
            "compile work happens during the run, inside time to first instruction and the "
            "times above.\n\n"
            + markdown_table(["program", "wasm KB"] + [e.name for e in engines], lines))


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
            if engine.kind == "native" or engine.name == AOT_DEFAULT or other is None or not other.ok:
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
    native = "; native code, the baseline above, is left out" if results.mode != "wasm" else ""
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
    sections = [heading(results), checks_section(results), time_section(results),
                f"![{results.metric_label()} relative to {results.baseline}](chart.svg)\n",
                losses_section(results), compile_section(results), startup_section(results)]
    return "\n".join(section for section in sections if section)
