"""What the results were measured on: the machine and the versions of every engine."""
import datetime
import os
import platform
import subprocess

from engine_table import REPO


def first_line(command):
    """The first line a command prints, or None when it cannot be run."""
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = (result.stdout or result.stderr).strip().splitlines()
    return lines[0] if result.returncode == 0 and lines else None


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as file:
            for line in file:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or None


def memory_gib():
    try:
        with open("/proc/meminfo", encoding="utf-8") as file:
            for line in file:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def os_name():
    try:
        with open("/etc/os-release", encoding="utf-8") as file:
            for line in file:
                if line.startswith("PRETTY_NAME="):
                    return line.partition("=")[2].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def shown_path(path):
    """A path inside the repository relative to it, so results read the same on every machine."""
    try:
        return path.relative_to(REPO)
    except ValueError:
        return path


def describe(tools, clang, sample_artifact):
    """The machine and tool versions, for results.json and the head of table.md.

    sample_artifact is an executable wasm2native built in this run (or None): its build record
    (`wasm2native inspect`) says which LLVM, CPU and settings the measured code came from."""
    node = None
    if tools.node:
        node = first_line([tools.node, "-p", "process.version + ' (V8 ' + process.versions.v8 + ')'"])
    wasmtime = first_line([str(tools.wasmtime_python), "-c",
                           "from importlib.metadata import version; print(version('wasmtime'))"])
    build_record = None
    if sample_artifact is not None:
        try:
            result = subprocess.run([str(tools.wasm2native), "inspect", str(sample_artifact)],
                                    capture_output=True, text=True, timeout=60)
            build_record = result.stdout.strip() if result.returncode == 0 else None
        except (OSError, subprocess.TimeoutExpired):
            pass
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": memory_gib(),
        "os": os_name(),
        "kernel": platform.release(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "versions": {
            "clang": first_line([clang, "--version"]),
            "node": node,
            "wasmtime": wasmtime and f"wasmtime {wasmtime} (PyPI, {shown_path(tools.wasmtime_python)})",
            "wasm2native": first_line([str(tools.wasm2native), "--version"]),
            "python": platform.python_version(),
        },
        "wasm2native_build": build_record,
    }
