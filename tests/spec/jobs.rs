//! Running (file, opt level, mode) jobs: each in a child process of this same test binary, so a crash
//! or a hang in compiled code costs one file instead of the whole run, or in-process on a
//! thread when `SPEC_INPROCESS=1` (easier under a debugger).
//!
//! The child reports every check on stdout as one line starting with `PROTOCOL_TAG`, flushed at
//! once, so the parent keeps everything decided before a crash.

use crate::wast_runner::{self, Check};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use wasm2native::{BoundsChecks, FeatureSet, OptLevel, Options, RelaxedSimd};

/// Compiled recursion runs on the job's thread until "call stack exhausted".
pub const JOB_STACK_SIZE: usize = 16 << 20;
pub const CHILD_FILE_VAR: &str = "SPEC_CHILD_FILE";
pub const CHILD_OPT_VAR: &str = "SPEC_CHILD_OPT";
pub const CHILD_BOUNDS_VAR: &str = "SPEC_CHILD_BOUNDS";
pub const CHILD_RELAXED_SIMD_VAR: &str = "SPEC_CHILD_RELAXED_SIMD";
const PROTOCOL_TAG: &str = "\u{1e}w2n-spec";

/// How a job compiles its file besides the opt level.
#[derive(Clone, Copy)]
pub struct Mode {
    pub bounds: BoundsChecks,
    pub relaxed_simd: RelaxedSimd,
}

/// One spec file, from the embedded test suite.
pub struct SpecFile {
    /// `wasm-v1`, `wasm-v2`, `proposals/simd`, ...
    pub dir: String,
    pub name: String,
    pub text: &'static str,
}

impl SpecFile {
    /// `DIR/FILE.wast`, the name used by the expectation lists.
    pub fn key(&self) -> String {
        format!("{}/{}", self.dir, self.name)
    }

    /// Compile options for this file: each versioned suite is held to its own feature set, so
    /// its assert_invalid checks for then-missing features keep their meaning; proposals get
    /// everything the compiler implements.
    pub fn options(&self, opt_level: OptLevel, mode: Mode) -> Options {
        let features = match self.dir.as_str() {
            "wasm-v1" => FeatureSet::Wasm1,
            "wasm-v2" => FeatureSet::Wasm2,
            "wasm-v3" => FeatureSet::Wasm3,
            _ => FeatureSet::Latest,
        };
        Options {
            opt_level,
            features,
            bounds_checks: mode.bounds,
            relaxed_simd: mode.relaxed_simd,
            verify_ir: true,
            ..Options::default()
        }
    }
}

pub fn opt_name(opt: OptLevel) -> &'static str {
    match opt {
        OptLevel::O0 => "O0",
        OptLevel::O1 => "O1",
        OptLevel::O2 => "O2",
        OptLevel::O3 => "O3",
    }
}

pub fn parse_opt(name: &str) -> Option<OptLevel> {
    match name {
        "O0" => Some(OptLevel::O0),
        "O1" => Some(OptLevel::O1),
        "O2" => Some(OptLevel::O2),
        "O3" => Some(OptLevel::O3),
        _ => None,
    }
}

/// `explicit` or `guard`, as `--bounds-checks` spells them.
pub fn parse_bounds(name: &str) -> Option<BoundsChecks> {
    [BoundsChecks::Explicit, BoundsChecks::Guard].into_iter().find(|mode| mode.name() == name)
}

/// `native` or `deterministic`, as `--relaxed-simd` spells them.
pub fn parse_relaxed_simd(name: &str) -> Option<RelaxedSimd> {
    [RelaxedSimd::Native, RelaxedSimd::Deterministic].into_iter().find(|mode| mode.name() == name)
}

/// A check as the parent sees it.
#[derive(Clone, Debug)]
pub struct CheckRecord {
    pub line: usize,
    pub command: String,
    /// `(expected, actual)` when the check failed.
    pub failure: Option<(String, String)>,
}

impl From<Check> for CheckRecord {
    fn from(check: Check) -> Self {
        CheckRecord {
            line: check.line,
            command: check.command.to_string(),
            failure: check.failure.map(|f| (f.expected, f.actual)),
        }
    }
}

/// Runs one job on this thread (which must have `JOB_STACK_SIZE` of stack); a panic in the
/// harness becomes a failed check.
pub fn run_in_process(file: &SpecFile, opt: OptLevel, mode: Mode) -> Vec<CheckRecord> {
    let mut checks = Vec::new();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        wast_runner::run_file(file.text, file.options(opt, mode), &mut |check| {
            checks.push(check.into())
        })
    }));
    if let Err(panic) = outcome {
        checks.push(CheckRecord {
            line: 0,
            command: "crash".to_string(),
            failure: Some((
                "the file runs to the end".to_string(),
                format!("harness panicked: {}", wast_runner::panic_message(&panic)),
            )),
        });
    }
    checks
}

/// The child side: runs the job named by the environment on a big-stack thread, streaming
/// checks to stdout.
pub fn child_main(file: &SpecFile, opt: OptLevel, mode: Mode) -> i32 {
    let (text, options) = (file.text, file.options(opt, mode));
    let worker = std::thread::Builder::new().stack_size(JOB_STACK_SIZE).spawn(move || {
        let mut sink = |check: Check| {
            let record = CheckRecord::from(check);
            let (status, expected, actual) = match &record.failure {
                None => ("pass", "", ""),
                Some((e, a)) => ("fail", e.as_str(), a.as_str()),
            };
            let line = format!(
                "{PROTOCOL_TAG}\tcheck\t{}\t{}\t{status}\t{}\t{}\n",
                record.line,
                escape(&record.command),
                escape(expected),
                escape(actual)
            );
            let mut out = std::io::stdout().lock();
            // A closed pipe means the parent is gone; nothing left to report to.
            let _ = out.write_all(line.as_bytes()).and_then(|_| out.flush());
        };
        wast_runner::run_file(text, options, &mut sink);
    });
    let finished = worker.map(|handle| handle.join().is_ok()).unwrap_or(false);
    if !finished {
        return 101;
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{PROTOCOL_TAG}\tdone").and_then(|_| out.flush());
    0
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n").replace('\r', "\\r")
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// One protocol line, or `None` for anything else the child printed.
fn parse_protocol_line(line: &str) -> Option<Option<CheckRecord>> {
    let rest = line.strip_prefix(PROTOCOL_TAG)?.strip_prefix('\t')?;
    if rest == "done" {
        return Some(None);
    }
    let fields: Vec<&str> = rest.split('\t').collect();
    let ["check", line, command, status, expected, actual] = fields.as_slice() else {
        return None;
    };
    let failure = (*status == "fail").then(|| (unescape(expected), unescape(actual)));
    Some(Some(CheckRecord { line: line.parse().ok()?, command: unescape(command), failure }))
}

/// Runs one job in a child process; a crash, a hang past `timeout` or a child that cannot start
/// becomes one failed check after the last one reported.
pub fn run_in_child(
    file: &SpecFile,
    opt: OptLevel,
    mode: Mode,
    timeout: Duration,
) -> Vec<CheckRecord> {
    let crash = |line: usize, why: String| CheckRecord {
        line,
        command: "crash".to_string(),
        failure: Some(("the file runs to the end".to_string(), why)),
    };
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return vec![crash(0, format!("cannot find the test binary: {e}"))],
    };
    let spawned = Command::new(exe)
        .env(CHILD_FILE_VAR, file.key())
        .env(CHILD_OPT_VAR, opt_name(opt))
        .env(CHILD_BOUNDS_VAR, mode.bounds.name())
        .env(CHILD_RELAXED_SIMD_VAR, mode.relaxed_simd.name())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => return vec![crash(0, format!("cannot start a child process: {e}"))],
    };
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut checks = Vec::new();
        let mut done = false;
        if let Some(stdout) = stdout {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                match parse_protocol_line(&line) {
                    Some(Some(check)) => checks.push(check),
                    Some(None) => done = true,
                    None => {}
                }
            }
        }
        (checks, done)
    });
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut stderr) = stderr {
            let _ = stderr.read_to_string(&mut text);
        }
        text
    });

    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() > timeout => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => break None,
        }
    };
    let (mut checks, done) = reader.join().unwrap_or_default();
    let stderr_text = stderr_reader.join().unwrap_or_default();
    if !done || timed_out {
        let last_line = checks.last().map_or(0, |c: &CheckRecord| c.line);
        let why = if timed_out {
            format!("timed out after {}s", timeout.as_secs())
        } else {
            describe_exit(status)
        };
        let tail: String = stderr_text.lines().rev().take(3).collect::<Vec<_>>().join(" | ");
        let detail = if tail.is_empty() { why } else { format!("{why}; stderr: {tail}") };
        checks.push(crash(0, format!("{detail} (after line {last_line})")));
    }
    checks
}

fn describe_exit(status: Option<std::process::ExitStatus>) -> String {
    let Some(status) = status else {
        return "the child process was lost".to_string();
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("killed by signal {signal}");
        }
    }
    format!("exited with {status} before finishing")
}
