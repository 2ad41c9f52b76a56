"""Running one program under one engine: spawning it, timing it, reading what it reports.

A run's numbers come from three places: the harness's own clocks around the child process (wall
time, and the wall-clock instant just before the spawn), the kernel's accounting of the reaped
child (peak RSS, from wait4), and the program's stdout (`checksum:`, `kernel_ns:` and `start_ns:`
lines, printed by bench.h) plus, for the JIT runners, one JSON line on stderr (engine_start_ns,
compile_ns, artifact_bytes).
"""
import json
import os
import select
import signal
import statistics
import tempfile
import time
from dataclasses import dataclass, field

# Lines of the bench.h protocol that differ from run to run, left out when outputs are compared.
TIMING_PREFIXES = ("kernel_ns:", "start_ns:")


@dataclass
class Run:
    """One execution of a program: what the harness measured and what the program reported."""
    exit_code: int
    wall_ns: int
    spawn_ns: int          # CLOCK_REALTIME just before the spawn
    peak_rss_kb: int
    stdout: str
    stderr: str
    timed_out: bool = False
    checksum: str | None = None
    kernel_ns: int | None = None
    start_ns: int | None = None
    runner: dict = field(default_factory=dict)  # the JIT runner's JSON line, if any

    def comparable_stdout(self):
        """The stdout without the lines that are timings rather than results."""
        return "\n".join(line for line in self.stdout.splitlines()
                         if not line.startswith(TIMING_PREFIXES))

    def ttfi_ns(self):
        """Time to first instruction: from the engine's start to the program's bench_begin.

        The engine starts at the spawn for an executable, and at the runner's engine_start_ns for a
        JIT (so that booting Python or Node is not counted)."""
        if self.start_ns is None:
            return None
        origin = self.runner.get("engine_start_ns", self.spawn_ns)
        return self.start_ns - origin


def parse_protocol(run):
    """Fills in the bench.h lines of stdout and the runner's JSON line of stderr."""
    for line in run.stdout.splitlines():
        key, _, value = line.partition(":")
        value = value.strip()
        try:
            if key == "checksum":
                run.checksum = value
            elif key == "kernel_ns":
                run.kernel_ns = int(value)
            elif key == "start_ns":
                run.start_ns = int(value)
        except ValueError:
            pass
    # The runner's line is its last on stderr; the program may have written lines before it.
    for line in reversed(run.stderr.splitlines()):
        if line.startswith("{"):
            try:
                report = json.loads(line)
            except ValueError:
                continue
            if isinstance(report, dict) and "engine_start_ns" in report:
                run.runner = report
                break


def run_once(argv, timeout_s):
    """Spawns argv (argv[0] an absolute path) with stdin from /dev/null and waits for it."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                   (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                   (os.POSIX_SPAWN_DUP2, err.fileno(), 2)]
        spawn_ns = time.time_ns()
        started = time.perf_counter_ns()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
        timed_out = not wait_for_exit(pid, timeout_s)
        if timed_out:
            os.kill(pid, signal.SIGKILL)
        # wait4 rather than waitpid: it also returns the child's resource usage (peak RSS).
        _, status, usage = os.wait4(pid, 0)
        wall_ns = time.perf_counter_ns() - started
        out.seek(0)
        err.seek(0)
        run = Run(exit_code=os.waitstatus_to_exitcode(status), wall_ns=wall_ns, spawn_ns=spawn_ns,
                  peak_rss_kb=usage.ru_maxrss, stdout=out.read().decode(errors="replace"),
                  stderr=err.read().decode(errors="replace"), timed_out=timed_out)
    parse_protocol(run)
    return run


def wait_for_exit(pid, timeout_s):
    """Waits up to timeout_s for the process to exit, without reaping it; False on time-out."""
    pidfd = os.pidfd_open(pid)
    try:
        readable, _, _ = select.select([pidfd], [], [], timeout_s)
        return bool(readable)
    finally:
        os.close(pidfd)


def spread(values):
    """Median, min, max and standard deviation of a list of numbers (None when it is empty)."""
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "stdev": statistics.stdev(values) if len(values) > 1 else 0.0}


def run_failure(run, need_checksum, need_runner):
    """Why a run does not count, or None when it does."""
    if run.timed_out:
        return "timed out"
    if run.exit_code != 0 and need_checksum:
        last = run.stderr.strip().splitlines()[-1:] or [""]
        return f"exit code {run.exit_code}: {last[0][:200]}"
    if need_checksum and (run.checksum is None or run.kernel_ns is None):
        return "no checksum/kernel_ns line on stdout"
    if need_runner and not run.runner:
        return "the runner printed no JSON line on stderr"
    return None


@dataclass
class Row:
    """Everything measured for one program under one engine."""
    program: str
    engine: str
    runs: list = field(default_factory=list)
    error: str | None = None        # why the build, compile or a run failed
    compile_ns: int | None = None   # wasm2native's process, or the runner's in-process compile
    wasm_bytes: int | None = None
    code_bytes: int | None = None   # the module's code section (function bodies) alone
    artifact_bytes: int | None = None
    agrees: bool | None = None      # same result as the baseline engine (None: not compared)
    ratio: float | None = None      # the primary time over the baseline's

    @property
    def ok(self):
        return self.error is None and bool(self.runs)

    def stats(self, name):
        """Median/min/max/stdev over the runs of kernel_ns, wall_ns, ttfi_ns or peak_rss_kb."""
        if name == "ttfi_ns":
            values = [run.ttfi_ns() for run in self.runs]
        else:
            values = [getattr(run, name) for run in self.runs]
        return spread([value for value in values if value is not None])

    def median(self, name):
        summary = self.stats(name)
        return summary["median"] if summary else None

    @property
    def checksum(self):
        return self.runs[0].checksum if self.runs else None

    @property
    def exit_code(self):
        return self.runs[0].exit_code if self.runs else None

    def flat(self):
        """The row as one CSV/JSON record, times in ms and sizes in bytes (RSS in MiB)."""
        record = {"program": self.program, "engine": self.engine,
                  "status": "ok" if self.ok else "error", "error": self.error or "",
                  "runs": len(self.runs), "exit_code": self.exit_code, "checksum": self.checksum,
                  "agrees_with_baseline": self.agrees, "ratio_to_baseline": rounded(self.ratio, 4)}
        for name in ("kernel", "wall"):
            summary = self.stats(f"{name}_ns") or {}
            for key in ("median", "min", "max", "stdev"):
                value = summary.get(key)
                record[f"{name}_ms_{key}"] = rounded(value and value / 1e6, 3)
        ttfi = self.median("ttfi_ns")
        rss = self.median("peak_rss_kb")
        record["ttfi_ms_median"] = rounded(ttfi and ttfi / 1e6, 3)
        record["peak_rss_mib_median"] = rounded(rss and rss / 1024, 1)
        record["compile_ms"] = rounded(self.compile_ns and self.compile_ns / 1e6, 3)
        record["wasm_bytes"] = self.wasm_bytes
        record["code_bytes"] = self.code_bytes
        record["artifact_bytes"] = self.artifact_bytes
        return record


def row_from_json(record, detail):
    """A Row again from its results.json record and its runs_detail entry.

    Only what the reports read comes back: each run's times, TTFI, peak RSS and compile time, and
    the row's checksum and exit code (stdout itself is not kept)."""
    row = Row(record["program"], record["engine"], error=record["error"] or None,
              wasm_bytes=record["wasm_bytes"], code_bytes=record.get("code_bytes"),
              artifact_bytes=record["artifact_bytes"],
              agrees=record["agrees_with_baseline"])
    # A JIT's compile time is the median of its runs' (as measure() takes it); wasm2native's is
    # its one compile's, kept in the record only.
    per_run = sorted(ns for ns in detail["compile_ns"] if ns is not None)
    if per_run:
        row.compile_ns = per_run[len(per_run) // 2]
    elif record["compile_ms"] is not None:
        row.compile_ns = round(record["compile_ms"] * 1e6)
    columns = zip(detail["kernel_ns"], detail["wall_ns"], detail["ttfi_ns"],
                  detail["peak_rss_kb"], detail["compile_ns"])
    for kernel_ns, wall_ns, ttfi_ns, peak_rss_kb, compile_ns in columns:
        # TTFI is kept as a difference: a spawn at 0 makes start_ns the TTFI itself.
        run = Run(exit_code=record["exit_code"], wall_ns=wall_ns, spawn_ns=0,
                  peak_rss_kb=peak_rss_kb, stdout="", stderr="", checksum=record["checksum"],
                  kernel_ns=kernel_ns, start_ns=ttfi_ns)
        if compile_ns is not None:
            run.runner = {"compile_ns": compile_ns}
        row.runs.append(run)
    return row


def rounded(value, digits):
    return None if value is None else round(value, digits)
