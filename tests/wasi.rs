//! The WASI suite: the C programs in `tests/wasi/` are compiled to WebAssembly with clang-19, then
//! to native executables with wasm2native, and each case of `CASES` runs one of them in a fresh
//! fixture directory tree with the arguments, environment, standard input and grants it lists.
//!
//! A case passes when its standard output equals `tests/wasi/CASE.stdout`, its exit matches the
//! table, its standard error matches where the table says, and nothing outside the granted
//! directories changed. When Python with the `wasmtime` package is at hand (`W2N_PYTHON`, else
//! `target/wasi-venv/bin/python`, made by `make wasi-venv`), each case runs again under Wasmtime
//! through `tests/wasi/wasmtime_run.py` in a fresh fixture, and its output, exit and the final trees
//! must be the same as ours. A last check imports every `wasi_snapshot_preview1` function with the
//! spec's signature and must link, here and under Wasmtime. The `sockets` check runs
//! `tests/wasi/sockets.c` with a socket as standard input (ours only: Wasmtime's stdin is no
//! socket).
//!
//! - `BLESS=1` rewrites the expected `.stdout` files from this compiler's output.
//! - `WASI_FILTER=substring` runs only the cases (and programs) whose name contains it.
//!
//! The last line printed is always `N passed, N failed`.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

mod common;
use common::{fnv1a, repo, Xorshift};

/// How a compiled executable (and the Wasmtime driver) reports a trap.
const TRAP_EXIT: i32 = 134;
/// A run taking longer than this is killed and fails.
const RUN_TIMEOUT: Duration = Duration::from_secs(120);
/// The guest paths of the two directories a case may be granted.
const SANDBOX_GUEST: &str = "/sandbox";
const SECOND_GUEST: &str = "/other";
/// Stands for the fixture's root directory in arguments and in snapshots of link targets.
const ROOT_MARK: &str = "{root}";

/// What the runner writes to a program's standard input.
#[derive(Clone, Copy)]
enum Input {
    Nothing,
    Text(&'static str),
    /// That many bytes of a fixed pseudo-random pattern.
    Pattern(usize),
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Outcome {
    Exited(i32),
    /// Exit status `TRAP_EXIT` with "wasm trap: KIND" on stderr (the exact status of a trap is
    /// the runtime's choice; the driver for Wasmtime reports one as ours does).
    Trapped,
    Signal(i32),
    TimedOut,
}

/// How standard output is compared.
#[derive(Clone, Copy, PartialEq)]
enum Output {
    Text,
    /// Only the byte count and checksum: for outputs too large to keep as an expected file.
    Digest,
}

/// How the Wasmtime run of a case is compared with ours.
#[derive(Clone, Copy)]
enum Reference {
    Same,
    /// Wasmtime behaves differently here on purpose; the reason is printed, the run skipped.
    Differs(&'static str),
}

struct Case {
    /// Unique; the expected output is `tests/wasi/NAME.stdout`.
    name: &'static str,
    /// The C program `tests/wasi/PROGRAM.c`.
    program: &'static str,
    /// `{root}` in an argument stands for the fixture's root directory.
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    stdin: Input,
    outcome: Outcome,
    output: Output,
    /// The exact standard error, where it is checked.
    stderr: Option<&'static str>,
    /// Also grant `sandbox2/` as `/other`.
    second_dir: bool,
    /// Grant `sandbox/` read-only; the whole tree must then be unchanged, times included.
    read_only: bool,
    reference: Reference,
}

const fn case(name: &'static str, program: &'static str) -> Case {
    Case {
        name,
        program,
        args: &[],
        env: &[],
        stdin: Input::Nothing,
        outcome: Outcome::Exited(0),
        output: Output::Text,
        stderr: Some(""),
        second_dir: false,
        read_only: false,
        reference: Reference::Same,
    }
}

const CASES: &[Case] = &[
    Case {
        stdin: Input::Text("first line\n  indented,  two spaces\n\nlast line without newline"),
        stderr: Some("to stderr\n"),
        ..case("stdio", "stdio")
    },
    Case {
        args: &[
            "",
            "two words",
            "  padded  ",
            "quote\"s and 'single'",
            "tab\there",
            "ünïcödé",
            "--dir",
            "-",
            "",
        ],
        ..case("args", "args")
    },
    Case {
        env: &[
            ("FOO", "bar"),
            ("EMPTY", ""),
            ("SPACES", "a b  c"),
            ("EQUALS", "x=y=z"),
            ("QUOTES", "it's \"quoted\""),
            ("UNICODE", "héllo wörld"),
        ],
        ..case("env", "env")
    },
    case("files", "files"),
    case("dirs", "dirs"),
    case("symlinks", "symlinks"),
    Case { stdin: Input::Pattern(8 << 20), ..case("large_io", "large_io") },
    Case { output: Output::Digest, ..case("large_stdout", "large_stdout") },
    case("clocks", "clocks"),
    case("sleep", "sleep"),
    case("random", "random"),
    case("exit_return", "exit"),
    Case { args: &["exit"], outcome: Outcome::Exited(3), ..case("exit_exit", "exit") },
    Case { args: &["_Exit"], outcome: Outcome::Exited(42), ..case("exit_proc_exit", "exit") },
    Case { args: &["trap"], outcome: Outcome::Trapped, stderr: None, ..case("exit_trap", "exit") },
    Case { args: &["{root}/outside"], ..case("escape", "escape") },
    Case { second_dir: true, ..case("preopens", "preopens") },
    Case { args: &["fresh"], ..case("readdir_fresh", "readdir_changes") },
    Case {
        args: &["changing"],
        reference: Reference::Differs(
            "Wasmtime resumes a listing by counting entries again, so removing listed files makes it skip some that stayed",
        ),
        ..case("readdir_changing", "readdir_changes")
    },
    Case {
        reference: Reference::Differs("Wasmtime does not keep the rights fd_fdstat_set_rights leaves"),
        ..case("rights", "rights")
    },
    Case { read_only: true, ..case("readonly", "readonly") },
    Case {
        args: &["descriptors"],
        read_only: true,
        reference: Reference::Differs(
            "Wasmtime answers a write to a read-only descriptor with EBADF and fd_allocate with ENOTSUP",
        ),
        ..case("readonly_descriptors", "readonly")
    },
    Case {
        env: &[("GRANTED", "so that environ_get writes")],
        reference: Reference::Differs(
            "Wasmtime stops the program at a pointer out of bounds; this runtime returns an error",
        ),
        ..case("bad_pointers", "bad_pointers")
    },
    case("heavy", "heavy"),
];

/// Every `wasi_snapshot_preview1` function with its core wasm signature, as the spec's witx
/// lowers it (pointers and sizes are i32, 64-bit values i64, every function but proc_exit
/// returns an errno).
const PREVIEW1: &[(&str, &str, &str)] = &[
    ("args_get", "i32 i32", "i32"),
    ("args_sizes_get", "i32 i32", "i32"),
    ("environ_get", "i32 i32", "i32"),
    ("environ_sizes_get", "i32 i32", "i32"),
    ("clock_res_get", "i32 i32", "i32"),
    ("clock_time_get", "i32 i64 i32", "i32"),
    ("fd_advise", "i32 i64 i64 i32", "i32"),
    ("fd_allocate", "i32 i64 i64", "i32"),
    ("fd_close", "i32", "i32"),
    ("fd_datasync", "i32", "i32"),
    ("fd_fdstat_get", "i32 i32", "i32"),
    ("fd_fdstat_set_flags", "i32 i32", "i32"),
    ("fd_fdstat_set_rights", "i32 i64 i64", "i32"),
    ("fd_filestat_get", "i32 i32", "i32"),
    ("fd_filestat_set_size", "i32 i64", "i32"),
    ("fd_filestat_set_times", "i32 i64 i64 i32", "i32"),
    ("fd_pread", "i32 i32 i32 i64 i32", "i32"),
    ("fd_prestat_get", "i32 i32", "i32"),
    ("fd_prestat_dir_name", "i32 i32 i32", "i32"),
    ("fd_pwrite", "i32 i32 i32 i64 i32", "i32"),
    ("fd_read", "i32 i32 i32 i32", "i32"),
    ("fd_readdir", "i32 i32 i32 i64 i32", "i32"),
    ("fd_renumber", "i32 i32", "i32"),
    ("fd_seek", "i32 i64 i32 i32", "i32"),
    ("fd_sync", "i32", "i32"),
    ("fd_tell", "i32 i32", "i32"),
    ("fd_write", "i32 i32 i32 i32", "i32"),
    ("path_create_directory", "i32 i32 i32", "i32"),
    ("path_filestat_get", "i32 i32 i32 i32 i32", "i32"),
    ("path_filestat_set_times", "i32 i32 i32 i32 i64 i64 i32", "i32"),
    ("path_link", "i32 i32 i32 i32 i32 i32 i32", "i32"),
    ("path_open", "i32 i32 i32 i32 i32 i64 i64 i32 i32", "i32"),
    ("path_readlink", "i32 i32 i32 i32 i32 i32", "i32"),
    ("path_remove_directory", "i32 i32 i32", "i32"),
    ("path_rename", "i32 i32 i32 i32 i32 i32", "i32"),
    ("path_symlink", "i32 i32 i32 i32 i32", "i32"),
    ("path_unlink_file", "i32 i32 i32", "i32"),
    ("poll_oneoff", "i32 i32 i32 i32", "i32"),
    ("proc_exit", "i32", ""),
    ("proc_raise", "i32", "i32"),
    ("sched_yield", "", "i32"),
    ("random_get", "i32 i32", "i32"),
    ("sock_accept", "i32 i32 i32", "i32"),
    ("sock_recv", "i32 i32 i32 i32 i32 i32", "i32"),
    ("sock_send", "i32 i32 i32 i32 i32", "i32"),
    ("sock_shutdown", "i32 i32", "i32"),
];

/// The fixture every case starts from. `sandbox/` is granted as `/sandbox`, `sandbox2/` as `/other`
/// where a case asks; `outside/` must stay as it is. The links in `sandbox/` point out of it.
const FIXTURE_DIRS: &[&str] =
    &["sandbox", "sandbox/sub", "sandbox/sub/deeper", "sandbox/empty", "sandbox2", "outside"];
const FIXTURE_FILES: &[(&str, &str)] = &[
    ("sandbox/hello.txt", "hello, sandbox\n"),
    ("sandbox/keep.txt", "keep me\n"),
    ("sandbox/sub/nested.txt", "nested\n"),
    ("sandbox2/other.txt", "other\n"),
    ("outside/secret.txt", "top secret\n"),
];
const FIXTURE_LINKS: &[(&str, &str)] = &[
    ("sandbox/evil_dir", "../outside"),
    ("sandbox/evil_file", "../outside/secret.txt"),
    ("sandbox/evil_new", "../outside/planted.txt"),
    ("sandbox/evil_abs_dir", "{root}/outside"),
    ("sandbox/evil_abs_file", "{root}/outside/secret.txt"),
];

/// The bytes of `Input::Pattern(len)`.
fn pattern(len: usize) -> Vec<u8> {
    Xorshift::new(0x2545_f491).bytes(len)
}

/// A fresh fixture tree in a temporary directory, removed when dropped.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Result<Fixture, String> {
        let dir = tempfile::Builder::new()
            .prefix("w2n-wasi-")
            .tempdir()
            .map_err(|e| format!("fixture: {e}"))?;
        let fixture = Fixture { dir };
        let root = fixture.root();
        let fail = |what: &str, e: std::io::Error| format!("fixture: {what}: {e}");
        for dir in FIXTURE_DIRS {
            std::fs::create_dir_all(root.join(dir)).map_err(|e| fail(dir, e))?;
        }
        for (file, text) in FIXTURE_FILES {
            std::fs::write(root.join(file), text).map_err(|e| fail(file, e))?;
        }
        for (link, target) in FIXTURE_LINKS {
            let target = target.replace(ROOT_MARK, &root.to_string_lossy());
            std::os::unix::fs::symlink(target, root.join(link)).map_err(|e| fail(link, e))?;
        }
        Ok(fixture)
    }

    fn root(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// The `--dir` values of the directories a case is granted: HOST::GUEST[:readonly].
    fn grants(&self, case: &Case) -> Vec<String> {
        let mode = if case.read_only { ":readonly" } else { "" };
        let mut grants =
            vec![format!("{}::{SANDBOX_GUEST}{mode}", self.root().join("sandbox").display())];
        if case.second_dir {
            grants.push(format!("{}::{SECOND_GUEST}", self.root().join("sandbox2").display()));
        }
        grants
    }

    fn args(&self, case: &Case) -> Vec<String> {
        let root = self.root().to_string_lossy().into_owned();
        case.args.iter().map(|arg| arg.replace(ROOT_MARK, &root)).collect()
    }

    /// Every entry under `under` (a path relative to the root): type, size, content checksum,
    /// link target (with the root written `{root}`) and, with `times`, the modification time.
    fn snapshot(&self, under: &str, times: bool) -> BTreeMap<String, String> {
        let mut entries = BTreeMap::new();
        let root = self.root();
        walk(&root, &root.join(under), times, &mut entries);
        entries
    }
}

fn walk(root: &Path, dir: &Path, times: bool, entries: &mut BTreeMap<String, String>) {
    let Ok(listing) = std::fs::read_dir(dir) else { return };
    for entry in listing.flatten() {
        let path = entry.path();
        let name = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().into_owned();
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        let mut description = if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path)
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            format!("link -> {}", target.replace(&*root.to_string_lossy(), ROOT_MARK))
        } else if meta.is_dir() {
            "dir".to_string()
        } else if meta.is_file() {
            let bytes = std::fs::read(&path).unwrap_or_default();
            format!("file {} bytes, fnv1a64 {:016x}", meta.len(), fnv1a(&bytes))
        } else {
            "other".to_string()
        };
        if times && !meta.file_type().is_symlink() {
            if let Ok(modified) = meta.modified() {
                description += &format!(", modified {modified:?}");
            }
        }
        entries.insert(name, description);
        if meta.is_dir() {
            walk(root, &path, times, entries);
        }
    }
}

/// What one run of a case produced.
struct Run {
    stdout: Vec<u8>,
    stderr: String,
    outcome: Outcome,
    /// The whole fixture tree afterwards.
    tree: BTreeMap<String, String>,
    /// outside/ before and after, with modification times.
    outside_before: BTreeMap<String, String>,
    outside_after: BTreeMap<String, String>,
    /// For a read-only grant, the whole tree before and after, with modification times.
    timed_tree_before: Option<BTreeMap<String, String>>,
    timed_tree_after: Option<BTreeMap<String, String>>,
}

impl Run {
    /// Standard output as the case compares it.
    fn compared_stdout(&self, output: Output) -> String {
        match output {
            Output::Text => String::from_utf8_lossy(&self.stdout).into_owned(),
            Output::Digest => {
                format!("{} bytes, fnv1a64 {:016x}\n", self.stdout.len(), fnv1a(&self.stdout))
            }
        }
    }
}

/// Runs `command` (whose grants are already set up) with the case's input in a fixture.
fn execute(mut command: Command, case: &Case, fixture: &Fixture) -> Result<Run, String> {
    let outside_before = fixture.snapshot("outside", true);
    let timed_tree_before = case.read_only.then(|| fixture.snapshot("", true));
    let input = match case.stdin {
        Input::Nothing => Vec::new(),
        Input::Text(text) => text.as_bytes().to_vec(),
        Input::Pattern(len) => pattern(len),
    };
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|e| format!("cannot start {command:?}: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    // Each stream has its own thread, so a program blocked on one pipe can't stall the others.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
    let err_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.read_to_end(&mut bytes);
        bytes
    });
    let deadline = Instant::now() + RUN_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let _ = writer.join();
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    let outcome = match status {
        None => Outcome::TimedOut,
        Some(status) => {
            match (status.code(), std::os::unix::process::ExitStatusExt::signal(&status)) {
                (Some(TRAP_EXIT), _) if stderr.contains("wasm trap: ") => Outcome::Trapped,
                (Some(code), _) => Outcome::Exited(code),
                (None, Some(signal)) => Outcome::Signal(signal),
                (None, None) => Outcome::Signal(0),
            }
        }
    };
    Ok(Run {
        stdout,
        stderr,
        outcome,
        tree: fixture.snapshot("", false),
        outside_before,
        outside_after: fixture.snapshot("outside", true),
        timed_tree_before,
        timed_tree_after: case.read_only.then(|| fixture.snapshot("", true)),
    })
}

/// Quotes `word` for WASM2NATIVE_OPTIONS, which splits words as a POSIX shell does.
fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

fn run_native(exe: &Path, case: &Case) -> Result<Run, String> {
    let fixture = Fixture::new()?;
    let mut options = Vec::new();
    for grant in fixture.grants(case) {
        options.push(format!("--dir {}", shell_quote(&grant)));
    }
    for (name, value) in case.env {
        options.push(format!("--env {}", shell_quote(&format!("{name}={value}"))));
    }
    let mut command = Command::new(exe);
    command.args(fixture.args(case)).env_clear().env("WASM2NATIVE_OPTIONS", options.join(" "));
    execute(command, case, &fixture)
}

fn run_wasmtime(python: &Path, wasm: &Path, case: &Case) -> Result<Run, String> {
    let fixture = Fixture::new()?;
    let mut command = Command::new(python);
    command.arg(repo("tests/wasi/wasmtime_run.py")).arg(wasm);
    for grant in fixture.grants(case) {
        command.arg("--dir").arg(grant);
    }
    for (name, value) in case.env {
        command.arg("--env").arg(format!("{name}={value}"));
    }
    command.arg("--").args(fixture.args(case));
    execute(command, case, &fixture)
}

/// The lines where `actual` differs from `expected`, at most a few.
fn line_diff(expected: &str, actual: &str) -> String {
    let (expected_lines, actual_lines): (Vec<_>, Vec<_>) =
        (expected.lines().collect(), actual.lines().collect());
    let mut report = String::new();
    let mut shown = 0;
    for i in 0..expected_lines.len().max(actual_lines.len()) {
        let (want, got) = (expected_lines.get(i), actual_lines.get(i));
        if want != got && shown < 12 {
            shown += 1;
            report += &format!(
                "\n      line {}: expected {:?}\n      line {}:      got {:?}",
                i + 1,
                want.unwrap_or(&"<none>"),
                i + 1,
                got.unwrap_or(&"<none>")
            );
        }
    }
    if report.is_empty() && expected != actual {
        report = "\n      (differs in line endings or a final newline)".into();
    }
    report
}

fn tree_diff(ours: &BTreeMap<String, String>, theirs: &BTreeMap<String, String>) -> String {
    let mut report = String::new();
    for key in ours.keys().chain(theirs.keys().filter(|k| !ours.contains_key(*k))) {
        let (a, b) = (ours.get(key), theirs.get(key));
        if a != b {
            report += &format!(
                "\n      {key}: ours {:?}, Wasmtime {:?}",
                a.map_or("absent", |s| s),
                b.map_or("absent", |s| s)
            );
        }
    }
    report
}

/// Checks one run against the case's table entry and expected output; returns the problems.
fn check_run(case: &Case, run: &Run, expected_stdout: &str, who: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if run.outcome != case.outcome {
        problems.push(format!(
            "{who}: ended {:?}, expected {:?}; stderr: {}",
            run.outcome,
            case.outcome,
            run.stderr.trim_end()
        ));
    }
    if case.outcome == Outcome::Trapped && !run.stderr.contains("wasm trap: unreachable") {
        problems.push(format!("{who}: stderr lacks \"wasm trap: unreachable\": {:?}", run.stderr));
    }
    let stdout = run.compared_stdout(case.output);
    if stdout != expected_stdout {
        problems.push(format!(
            "{who}: stdout differs from tests/wasi/{}.stdout:{}",
            case.name,
            line_diff(expected_stdout, &stdout)
        ));
    }
    if let Some(stderr) = case.stderr {
        if run.stderr != stderr {
            problems.push(format!("{who}: stderr {:?}, expected {stderr:?}", run.stderr));
        }
    }
    if run.outside_after != run.outside_before {
        problems.push(format!(
            "{who}: outside/ changed:{}",
            tree_diff(&run.outside_before, &run.outside_after)
        ));
    }
    if let (Some(before), Some(after)) = (&run.timed_tree_before, &run.timed_tree_after) {
        if before != after {
            problems
                .push(format!("{who}: the read-only tree changed:{}", tree_diff(before, after)));
        }
    }
    problems
}

fn check_case(case: &Case, exe: &Path, wasm: &Path, python: Option<&Path>) -> Vec<String> {
    let ours = match run_native(exe, case) {
        Ok(run) => run,
        Err(e) => return vec![e],
    };
    let expected_path = repo(&format!("tests/wasi/{}.stdout", case.name));
    let actual = ours.compared_stdout(case.output);
    if std::env::var_os("BLESS").is_some() {
        if let Err(e) = std::fs::write(&expected_path, &actual) {
            return vec![format!("cannot write {}: {e}", expected_path.display())];
        }
    }
    let expected = match std::fs::read_to_string(&expected_path) {
        Ok(text) => text,
        Err(e) => {
            return vec![format!(
                "no expected output {} ({e}); run with BLESS=1",
                expected_path.display()
            )]
        }
    };
    let mut problems = check_run(case, &ours, &expected, "wasm2native");
    let Some(python) = python else { return problems };
    if let Reference::Differs(reason) = case.reference {
        println!("  {}: not compared with Wasmtime: {reason}", case.name);
        return problems;
    }
    match run_wasmtime(python, wasm, case) {
        Err(e) => problems.push(e),
        Ok(theirs) => {
            for problem in check_run(case, &theirs, &expected, "Wasmtime") {
                problems.push(problem);
            }
            let tree = tree_diff(&ours.tree, &theirs.tree);
            if !tree.is_empty() {
                problems.push(format!("the final trees differ from Wasmtime's:{tree}"));
            }
        }
    }
    problems
}

/// Runs `work` over `items` on as many threads as there are cores.
fn parallel<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    let threads =
        std::thread::available_parallelism().map_or(2, |n| n.get()).min(items.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::SeqCst);
                let Some(item) = items.get(index) else { break };
                let result = work(item);
                results.lock().unwrap()[index] = Some(result);
            });
        }
    });
    results.into_inner().unwrap().into_iter().map(|r| r.expect("every item ran")).collect()
}

fn command_output(command: &mut Command) -> Result<std::process::Output, String> {
    command.output().map_err(|e| format!("cannot run {command:?}: {e}"))
}

/// Compiles `tests/wasi/PROGRAM.c` to `build/PROGRAM.wasm` and then to the executable `build/PROGRAM`.
fn build_program(program: &str, build: &Path) -> Result<(), String> {
    let wasm = build.join(format!("{program}.wasm"));
    let out = command_output(
        Command::new("clang-19")
            .args(["--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-Wall"])
            .arg(repo(&format!("tests/wasi/{program}.c")))
            .arg("-lm")
            .arg("-o")
            .arg(&wasm),
    )?;
    if !out.status.success() {
        return Err(format!(
            "clang-19 failed on {program}.c:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let out = command_output(common::wasm2native().arg(&wasm).arg("-o").arg(build.join(program)))?;
    if !out.status.success() {
        return Err(format!(
            "wasm2native failed on {program}.wasm:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// The Python that has the `wasmtime` package, or why there is none.
fn wasmtime_python() -> Result<PathBuf, String> {
    let python = match std::env::var_os("W2N_PYTHON") {
        Some(path) => PathBuf::from(path),
        None => repo("target/wasi-venv/bin/python"),
    };
    if !python.exists() {
        return Err(format!(
            "{} does not exist (run `make wasi-venv` or set W2N_PYTHON)",
            python.display()
        ));
    }
    let out = command_output(Command::new(&python).args(["-c", "import wasmtime"]))?;
    if !out.status.success() {
        return Err(format!("{} cannot import wasmtime", python.display()));
    }
    Ok(python)
}

/// A module importing every preview 1 function with its spec signature, or, with `mistyped`,
/// one of them with a wrong signature, and an entry point that just returns.
fn imports_module(mistyped: Option<&str>) -> String {
    let mut wat = String::from("(module\n");
    for (name, params, results) in PREVIEW1 {
        let params = if Some(*name) == mistyped { "i32 i32 i32" } else { params };
        let list = |kind: &str, types: &str| {
            if types.is_empty() {
                String::new()
            } else {
                format!(" ({kind} {types})")
            }
        };
        wat += &format!(
            "  (import \"wasi_snapshot_preview1\" \"{name}\" (func ${name}{}{}))\n",
            list("param", params),
            list("result", results)
        );
    }
    wat += "  (memory (export \"memory\") 1)\n  (func (export \"_start\"))\n)\n";
    wat
}

/// Every preview 1 function links with its spec signature; a mistyped one and an unknown one are
/// refused; Wasmtime links the same module (so the signatures here are right) and refuses the
/// mistyped one.
fn check_imports(build: &Path, python: Option<&Path>) -> Vec<String> {
    let mut problems = Vec::new();
    assert_eq!(PREVIEW1.len(), 46, "wasi_snapshot_preview1 has 46 functions");
    let unknown = imports_module(None).replace("\"sched_yield\"", "\"sched_yield_now\"");
    let modules = [
        ("imports_all", imports_module(None), 0, ""),
        ("imports_mistyped", imports_module(Some("fd_write")), 1, "incompatible import type"),
        ("imports_unknown", unknown, 1, "unknown import"),
    ];
    for (name, wat, status, message) in &modules {
        let source = build.join(format!("{name}.wat"));
        let exe = build.join(name);
        if let Err(e) = std::fs::write(&source, wat) {
            problems.push(format!("cannot write {}: {e}", source.display()));
            continue;
        }
        let compiled = command_output(common::wasm2native().arg(&source).arg("-o").arg(&exe));
        match compiled {
            Ok(out) if out.status.success() => {}
            Ok(out) => {
                problems.push(format!(
                    "{name}: wasm2native failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
                continue;
            }
            Err(e) => {
                problems.push(e);
                continue;
            }
        }
        match command_output(Command::new(&exe).env_clear()) {
            Err(e) => problems.push(e),
            Ok(out) => {
                let stderr = String::from_utf8_lossy(&out.stderr);
                if out.status.code() != Some(*status) || !stderr.contains(message) {
                    problems.push(format!(
                        "{name}: exit {:?}, stderr {stderr:?}; expected exit {status} and {message:?}",
                        out.status.code()
                    ));
                }
            }
        }
        if *name == "imports_unknown" {
            continue;
        }
        let Some(python) = python else { continue };
        let wasm = build.join(format!("{name}.wasm"));
        let converted = command_output(Command::new(python).args(["-c", "import sys, wasmtime; open(sys.argv[2], 'wb').write(wasmtime.wat2wasm(open(sys.argv[1]).read()))"]).arg(&source).arg(&wasm));
        if let Err(e) = converted {
            problems.push(e);
            continue;
        }
        match command_output(
            Command::new(python)
                .arg(repo("tests/wasi/wasmtime_run.py"))
                .arg("--link-only")
                .arg(&wasm),
        ) {
            Err(e) => problems.push(e),
            Ok(out) if out.status.code() != Some(*status) => problems.push(format!(
                "{name}: Wasmtime's link check exited {:?} (expected {status}): {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).trim_end()
            )),
            Ok(_) => {}
        }
    }
    problems
}

/// Runs the `sockets` program with one end of a Unix socket pair as its standard input: it must
/// peek and read what this end sends, answer in upper case and shut down its writing side.
fn check_sockets(build: &Path) -> Vec<String> {
    use std::os::unix::net::UnixStream;
    let run = || -> Result<Vec<String>, String> {
        build_program("sockets", build)?;
        let (mut ours, theirs) = UnixStream::pair().map_err(|e| format!("socketpair: {e}"))?;
        let child = Command::new(build.join("sockets"))
            .stdin(Stdio::from(std::os::fd::OwnedFd::from(theirs)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run sockets: {e}"))?;
        ours.write_all(b"helloworld").map_err(|e| format!("send: {e}"))?;
        let mut answer = Vec::new();
        ours.read_to_end(&mut answer).map_err(|e| format!("receive: {e}"))?;
        drop(ours);
        let out = child.wait_with_output().map_err(|e| format!("wait: {e}"))?;
        let mut problems = Vec::new();
        if answer != b"HELLOWORLD" {
            problems.push(format!("peer received {:?}", String::from_utf8_lossy(&answer)));
        }
        let expected = "peek 0 3 'hel'\nwaitall 0 10 'helloworld'\nsend 0 10\nbad send flags 28\n\
                        bad shutdown 28\nshutdown 0\nafter peer closed 0 0\nnot a socket 57\n";
        let stdout = String::from_utf8_lossy(&out.stdout);
        if stdout != expected || !out.status.success() {
            problems.push(format!(
                "{}\nstderr: {}",
                line_diff(expected, &stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(problems)
    };
    run().unwrap_or_else(|e| vec![e])
}

fn main() {
    let started = Instant::now();
    let filter = std::env::var("WASI_FILTER").unwrap_or_default();
    let cases: Vec<&Case> = CASES.iter().filter(|case| case.name.contains(&filter)).collect();
    let mut programs: Vec<&str> = cases.iter().map(|case| case.program).collect();
    programs.sort_unstable();
    programs.dedup();
    let build =
        tempfile::Builder::new().prefix("w2n-wasi-build-").tempdir().expect("temporary directory");
    let python = match wasmtime_python() {
        Ok(python) => Some(python),
        Err(reason) => {
            println!("skipping Wasmtime comparison: {reason}");
            None
        }
    };

    let built = parallel(&programs, |program| build_program(program, build.path()));
    let mut failed_programs = Vec::new();
    for (program, result) in programs.iter().zip(&built) {
        if let Err(e) = result {
            println!("program {program}: {e}");
            failed_programs.push(*program);
        }
    }

    let results = parallel(&cases, |case| {
        if failed_programs.contains(&case.program) {
            return vec![format!("program {} did not build", case.program)];
        }
        let exe = build.path().join(case.program);
        let wasm = build.path().join(format!("{}.wasm", case.program));
        check_case(case, &exe, &wasm, python.as_deref())
    });
    let (mut passed, mut failed) = (0, 0);
    for (case, problems) in cases.iter().zip(&results) {
        if problems.is_empty() {
            passed += 1;
            println!("test wasi::{} ... ok", case.name);
        } else {
            failed += 1;
            println!("test wasi::{} ... FAILED", case.name);
            for problem in problems {
                println!("    {problem}");
            }
        }
    }
    let checks: [(&str, &dyn Fn() -> Vec<String>); 2] = [
        ("imports", &|| check_imports(build.path(), python.as_deref())),
        ("sockets", &|| check_sockets(build.path())),
    ];
    for (name, check) in checks {
        if !name.contains(&filter) {
            continue;
        }
        let problems = check();
        if problems.is_empty() {
            passed += 1;
            println!("test wasi::{name} ... ok");
        } else {
            failed += 1;
            println!("test wasi::{name} ... FAILED");
            for problem in &problems {
                println!("    {problem}");
            }
        }
    }
    println!("wasi suite took {:.1} s", started.elapsed().as_secs_f64());
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
