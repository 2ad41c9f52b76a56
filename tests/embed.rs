//! Library builds as an embedder meets them: modules in tests/embed/ built with the command line
//! into static libraries, objects and shared objects, C programs (also in tests/embed/) compiled
//! against the generated headers, run, and what they print compared exactly.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{nm, wasm2native};

/// A file of tests/embed/.
fn embed(name: &str) -> PathBuf {
    common::repo("tests/embed").join(name)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_ran(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what}: {:?}\nstdout: {}\nstderr: {}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// C programs build as C11 with every warning an error.
const C11: &[&str] = &["cc", "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror"];

/// One test's temporary directory, where libraries, headers and programs are built.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Self {
        Scratch { dir: tempfile::tempdir().unwrap() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs wasm2native in the directory with `args`; it must succeed.
    fn compile(&self, module: &Path, args: &[&str]) {
        let out =
            wasm2native().current_dir(self.dir.path()).arg(module).args(args).output().unwrap();
        assert_ran(&format!("wasm2native {} {args:?}", module.display()), &out);
    }

    /// `module` (a file of tests/embed/) built as `lib{prefix}.a` and `{prefix}.h`.
    fn staticlib(&self, module: &str, prefix: &str) -> PathBuf {
        self.staticlib_with(module, prefix, &[])
    }

    /// `staticlib`, with more options for wasm2native.
    fn staticlib_with(&self, module: &str, prefix: &str, options: &[&str]) -> PathBuf {
        let library = format!("lib{prefix}.a");
        let mut args = vec!["--emit", "staticlib", "--prefix", prefix, "-o", &library];
        args.extend_from_slice(options);
        self.compile(&embed(module), &args);
        self.path(&library)
    }

    /// `source` (a file of tests/embed/) compiled by `compiler` with the generated headers and
    /// linked with `inputs`; the executable is named after the source and the compiler.
    fn program(&self, compiler: &[&str], source: &str, inputs: &[PathBuf]) -> PathBuf {
        let exe = self.path(&format!("{}-{}", source.trim_end_matches(".c"), compiler[0]));
        let out = Command::new(compiler[0])
            .args(&compiler[1..])
            .arg("-I")
            .arg(self.dir.path())
            .arg(embed(source))
            // Whatever language the compiler was told the source is in, the inputs are objects.
            .args(["-x", "none"])
            .args(inputs)
            .args(["-lm", "-lpthread", "-ldl", "-o"])
            .arg(&exe)
            .output()
            .unwrap();
        assert_ran(&format!("{compiler:?} {source}"), &out);
        exe
    }

    /// Runs `exe` with `args`; it must succeed. Returns what it printed.
    fn run(&self, exe: &Path, args: &[&Path]) -> String {
        let out = Command::new(exe).current_dir(self.dir.path()).args(args).output().unwrap();
        assert_ran(&exe.display().to_string(), &out);
        text(&out.stdout)
    }
}

/// What `nm ARGS FILE` lists.
/// The symbol names of an `nm` listing (its last column), skipping archive member headers.
fn symbol_names(listing: &str) -> Vec<&str> {
    listing
        .lines()
        .filter(|line| line.split_whitespace().count() >= 2)
        .filter_map(|line| line.split_whitespace().last())
        .collect()
}

/// Asserts that the symbols `nm DEFINED_ARGS FILE` lists (the globally defined ones) are all
/// `PREFIX_*`, the API.
fn assert_only_api_defined(file: &Path, prefix: &str, defined_args: &[&str]) {
    let defined = nm(defined_args, file);
    let names = symbol_names(&defined);
    assert!(
        names.contains(&format!("{prefix}_new").as_str()),
        "{}: no {prefix}_new in\n{defined}",
        file.display()
    );
    for name in names {
        assert!(
            name.starts_with(&format!("{prefix}_")),
            "{}: {name} is global in\n{defined}",
            file.display()
        );
    }
}

/// Asserts that no symbol of FILE, of any kind, keeps a runtime name: each private runtime's
/// symbols are renamed with their library's prefix.
fn assert_no_runtime_names(file: &Path) {
    let all = nm(&[], file);
    for name in symbol_names(&all) {
        let unprefixed =
            ["w2n_", "wasi_", "wasm2native_"].iter().any(|start| name.starts_with(start));
        assert!(!unprefixed, "{}: runtime symbol {name} in\n{all}", file.display());
    }
}

/// What tests/embed/two_modules.c prints with text.wat as `text` and sum.wat as `left` and `right`.
const TWO_MODULES_OUTPUT: &str = "emit HELLO, WASM
trap 0
trap 0
trap 0
sums 14 406
trap 0
third weights 4 102
calls 2 1
";

#[test]
fn two_modules_and_two_builds_of_one_link_into_one_program() {
    let scratch = Scratch::new();
    let libraries = vec![
        scratch.staticlib("text.wat", "text"),
        scratch.staticlib("sum.wat", "left"),
        scratch.staticlib("sum.wat", "right"),
    ];
    let exe = scratch.program(C11, "two_modules.c", &libraries);
    assert_eq!(scratch.run(&exe, &[]), TWO_MODULES_OUTPUT);
    assert_no_runtime_names(&exe);
}

#[test]
fn traps_return_their_code_and_message_and_the_instance_goes_on() {
    let scratch = Scratch::new();
    let library = scratch.staticlib("traps.wat", "traps");
    let exe = scratch.program(C11, "traps.c", &[library]);
    assert_eq!(
        scratch.run(&exe, &[]),
        r#"traps_div(7, 0): code 3 last 3 "integer divide by zero" result 12345
traps_div(7, 2): code 0 last 0 "" result 3
traps_div(INT_MIN, -1): code 4 last 4 "integer overflow" result 12345
traps_divmod(7, 0): code 3 results 12345 12345
traps_divmod(7, 2): code 0 results 3 1
traps_load(65533): code 2 last 2 "out of bounds memory access" result 12345
traps_load(65532): code 0 last 0 "" result 0
traps_load(-1): code 2 last 2 "out of bounds memory access" result 12345
traps_fail(1): code 1 last 1 "unreachable" result 12345
traps_fail(0): code 0 last 0 "" result 7
traps_checked(-3): code 12 last 12 "negative input -3" result 12345
traps_checked(4): code 0 last 0 "" result 40
traps_deep(0): code 9 last 9 "call stack exhausted" result 12345
traps_div(9, 2): code 0 last 0 "" result 4
traps_deep(0): code 9 last 9 "call stack exhausted" result 12345
traps_div(9, 3): code 0 last 0 "" result 3
traps_through_host(0): code 12 last 12 "call stack exhausted" result 12345
through the host: more than 1000 rounds
traps_div(9, 4): code 0 last 0 "" result 2
done
"#
    );
}

#[test]
fn uncaught_exceptions_are_read_by_tag_and_imports_throw_into_wasm() {
    let scratch = Scratch::new();
    let library = scratch.staticlib("exceptions.wat", "exceptions");
    let cpp17: &[&str] = &["g++", "-std=c++17", "-Wall", "-Wextra", "-Werror", "-x", "c++"];
    for compiler in [C11, cpp17] {
        let exe = scratch.program(compiler, "exceptions.c", std::slice::from_ref(&library));
        assert_eq!(
            scratch.run(&exe, &[]),
            r#"raise(0): code 15 result -99 "uncaught exception (tag "bad")" bad(7, 2.5)
raise(1): code 15 result -99 "uncaught exception (tag "empty")" empty
raise(2): code 15 result -99 "uncaught exception (tag "vector")" vector(0..15)
raise(3): code 15 result -99 "uncaught exception"
raise(4): code 15 result -99 "uncaught exception" failure(11)
raise(5): code 0 result 5 ""
guarded_parse(-3): code 0 result 997 ""
parse(-3): code 15 result 997 "uncaught exception (tag "bad")" bad(-3, 0.5)
guarded_parse(0): code 0 result 2100 ""
parse(0): code 15 result 2100 "uncaught exception" failure(100)
guarded_parse(4): code 0 result 40 ""
parse(4): code 0 result 40 ""
a after b: code 15 result -99 "uncaught exception (tag "bad")" bad(7, 2.5)
b: code 15 result -99 "uncaught exception" failure(11)
remembered: an exception
"#,
            "{compiler:?}"
        );
    }
}

#[test]
fn loops_and_structure_reads_trap_at_the_first_out_of_bounds_access_with_earlier_stores_done() {
    let scratch = Scratch::new();
    let library = scratch.staticlib("loops.wat", "loops");
    let exe = scratch.program(C11, "loops.c", &[library]);
    assert_eq!(
        scratch.run(&exe, &[]),
        r#"fill(65496, 20): code 2 "out of bounds memory access"
written: 1@65496 2@65500 3@65504 4@65508 5@65512 6@65516 7@65520 8@65524 9@65528 10@65532
fill(1000, 3): code 0
written: 1@1000 2@1004 3@1008 1@65496 2@65500 3@65504 4@65508 5@65512 6@65516 7@65520 8@65524 9@65528 10@65532
sum(65488, 10): code 0 total 55
sum(65488, 11): code 2 "out of bounds memory access" total 12345
fields(65524): code 0 value 18
fields(65528): code 2 value 12345
written: 7@65528 10@65532
store_then_load(65528): code 2 value 12345
"#
    );
}

#[test]
fn versioned_loops_behave_as_checked_ones() {
    let words = |first: u32, last: u32, address: u32| -> String {
        (first..last)
            .map(|i| format!(" {}@{}", i + 1, address.wrapping_add(4 * (i - first))))
            .collect()
    };
    let strides = |start: u32, end: u32| -> String {
        (start..end).step_by(8).map(|p| format!(" {p}@{p}")).collect()
    };
    let expected = format!(
        r#"fill(-16, 4, 40): code 0
written:{}
fill(-16, 0, 40): code 2 "out of bounds memory access"
written:
fill(65496, 0, 20): code 2 "out of bounds memory access"
written:{}
fill(1000, 0, 100): code 0
sum(996, 0, 100): code 0
total 5050
sum(65136, 0, 100): code 2 "out of bounds memory access"
total 12345
written:{}
stride(0, 1000, 1080): code 0
written:{}
stride(0, 65472, 65476): code 2 "out of bounds memory access"
written:{}
shift(2000, 1, 40): code 0
written:{}
shift(2000, 40, 40): code 0
written:{}{}
copy(4000, 3000, 256): code 0, as if checked in turn
copy(4000, 3000, 32): code 0, as if checked in turn
copy(3008, 3000, 256): code 0, as if checked in turn
copy(3000, 3008, 256): code 0, as if checked in turn
copy(65496, 1000, 64): code 2, as if checked in turn
copy(5000, 3000, 8): code 2, as if checked in turn
grow(40000): code 0
previous 1, size 2621505536
fill(0x90000000, 0, 64): code 0
sum(0x8ffffffc, 0, 64): code 0
total 2080, words 1 64 0
"#,
        words(4, 40, 0),
        words(0, 10, 65496),
        words(0, 100, 1000),
        strides(1000, 1080),
        strides(65472, 65536),
        (0..41).map(|i| format!(" {}@{}", 7 + i, 2000 + 4 * i)).collect::<String>(),
        words(0, 40, 2000),
        (0..40).map(|i| format!(" {}@{}", i + 2, 2160 + 4 * i)).collect::<String>()
    );
    // The five loops were versioned: each has its checked copy beside the fast one, so the
    // runs above went through both.
    check_versioned_loops("versioned", &expected, [5, 5]);
}

#[test]
fn versioned_loops_with_run_time_steps_behave_as_checked_ones() {
    // What stepped.c prints of the bytes (address, value) left in memory, by address.
    let written = |mut bytes: Vec<(i64, i64)>| {
        bytes.sort();
        let list: String = bytes.iter().map(|(a, v)| format!(" {v}@{a}")).collect();
        format!("written:{list}\n")
    };
    // `count` ones, `step` apart from `first` on.
    let ones = |count: i64, first: i64, step: i64| {
        written((0..count).map(|k| (first + step * k, 1)).collect())
    };
    // Twenty bytes 10, 11, ... `step` apart from `first` on, and each plus one 1000 bytes further.
    let shifted = |first: i64, step: i64| {
        written(
            (0..20)
                .flat_map(|k| [(first + step * k, 10 + k), (first + 1000 + step * k, 11 + k)])
                .collect(),
        )
    };
    let out_of_bounds = "code 2 \"out of bounds memory access\"";
    let expected = [
        "mark(1000, 0, 7, 100): code 0\n".to_string(),
        ones(15, 1000, 7),
        format!("mark(65000, 0, 50, 1000): {out_of_bounds}\n"),
        ones(11, 65000, 50),
        format!("mark(2000, 100, -3, 200): {out_of_bounds}\n"),
        ones(701, 2100, -3),
        format!("mark(2^31 + 1000, 2^31 - 648, 400, INT_MAX): {out_of_bounds}\n"),
        ones(163, 352, 400),
        format!("mark(0, 0, 2^30, INT_MAX): {out_of_bounds}\n"),
        ones(1, 0, 0),
        "mark_unsigned(1000, 10, 3, 100): code 0\n".to_string(),
        ones(30, 1010, 3),
        format!("mark_unsigned(1000, 2^32 - 256, 64, 2^32 - 16): {out_of_bounds}\n"),
        ones(1013, 744, 64),
        "mark_down(3000, 900, 9, 0): code 0\n".to_string(),
        ones(101, 3900, -9),
        format!("mark_down(500, 900, 100, -2000): {out_of_bounds}\n"),
        ones(15, 1400, -100),
        "tally(1000, 0, 10, 95): code 0\n".to_string(),
        ones(10, 1000, 1),
        format!("tally(1000, INT_MAX - 25, 10, INT_MAX): {out_of_bounds}\n"),
        "written: 64536 bytes, 1000 to 65535\n".to_string(),
        "mark_until(5000, 3, 20): code 0\n".to_string(),
        written((0..7).map(|k| (5000 + 3 * k, 1)).chain([(5021, 2)]).collect()),
        "mark_until(6000, -4, 10): code 0\n".to_string(),
        ones(10, 6000, -4),
        "shift(4000, 5, 5, 20): code 0\n".to_string(),
        written((0..21).map(|k| (4000 + 5 * k, 7 + k)).collect()),
        "shift(4000, 1000, 5, 20): code 0\n".to_string(),
        shifted(4000, 5),
        "shift(4095, 1000, -5, 20): code 0\n".to_string(),
        shifted(4095, -5),
    ]
    .concat();
    // The six loops were versioned, so the runs above went through both copies; in guard mode
    // all but `mark_until`, whose second exit the vectoriser would not take.
    check_versioned_loops("stepped", &expected, [6, 5]);
}

/// Runs `NAME.c` against the library of `NAME.wat` in both bounds modes, expecting `expected`,
/// and checks in the IR that `loops` loops were versioned, with explicit checks and in guard
/// mode (each has its checked copy, named `.exact`, beside the fast one) and that a fast copy
/// tells LLVM that its reads and writes do not overlap, as the test before it found.
fn check_versioned_loops(name: &str, expected: &str, loops: [usize; 2]) {
    for (bounds, loops) in ["explicit", "guard"].into_iter().zip(loops) {
        let scratch = Scratch::new();
        let wat = format!("{name}.wat");
        let library = scratch.staticlib_with(&wat, name, &["--bounds-checks", bounds]);
        let exe = scratch.program(C11, &format!("{name}.c"), &[library]);
        assert_eq!(scratch.run(&exe, &[]), expected, "--bounds-checks {bounds}");
        let ll = format!("{name}.ll");
        scratch.compile(&embed(&wat), &["--bounds-checks", bounds, "--emit", "llvm-ir", "-o", &ll]);
        let ir = std::fs::read_to_string(scratch.path(&ll)).unwrap();
        let checked_loops =
            ir.lines().filter(|line| line.starts_with("loop") && line.contains(".exact:")).count();
        assert_eq!(checked_loops, loops, "--bounds-checks {bounds}: checked loop copies in\n{ir}");
        assert!(ir.contains("!noalias"), "--bounds-checks {bounds}: no noalias metadata in\n{ir}");
    }
}

#[test]
fn memory_growth_shows_through_the_accessors() {
    let scratch = Scratch::new();
    let library = scratch.staticlib("grow.wat", "grow");
    let exe = scratch.program(C11, "memory.c", &[library]);
    assert_eq!(
        scratch.run(&exe, &[]),
        "size 65536
grow(2): code 0 previous 1 size 196608
mark_end: code 0
through _at 11223344, through _data 44 33 22 11
at(0, size): data + 0
at(size - 4, 4): data + 196604
at(size - 4, 5): NULL
at(size, 1): NULL
at(old size, 4): data + 65536
at(UINT64_MAX, 2): NULL
at(8, UINT64_MAX): NULL
at(UINT64_MAX - 1, 4): NULL
grow(2): code 0 previous -1 size 196608
grow(1): code 0 previous 3 size 262144
at(size - 4, 4): data + 262140
"
    );
}

#[test]
fn headers_compile_cleanly_as_c99_and_cpp17_together() {
    let scratch = Scratch::new();
    let libraries = vec![
        scratch.staticlib("everything.wat", "everything"),
        scratch.staticlib("grow.wat", "grow"),
    ];
    let c99: &[&str] = &["cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"];
    let cpp17: &[&str] = &["g++", "-std=c++17", "-Wall", "-Wextra", "-Werror", "-x", "c++"];
    for compiler in [c99, cpp17] {
        let exe = scratch.program(compiler, "headers.c", &libraries);
        assert_eq!(scratch.run(&exe, &[]), "twice 0 42, grow memory 65536\n", "{compiler:?}");
    }
}

#[test]
fn values_of_every_type_cross_the_boundary() {
    let scratch = Scratch::new();
    let library = scratch.staticlib("everything.wat", "everything");
    let exe = scratch.program(C11, "values.c", &[library]);
    assert_eq!(
        scratch.run(&exe, &[]),
        "wide 0x1.00000000004p+40
all: code 0, i32 -2147483648, i64 9223372036854775807, f32 -0x0p+0, f64 0x1.fffffffffffffp+1023, funcref same, externref same
all: v128 f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd fe ff
mix: context matches, i32 -7, i64 -1000000000000, f32 0x1.8p+0, f64 0x1p-3, funcref set, externref null
mix: v128 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10
forward: code 0, i64 -1000000000007
forward: v128 10 0f 0e 0d 0c 0b 0a 09 08 07 06 05 04 03 02 01
refs[1] first
set refs[0] 0, set refs[2] -1
note: second
refs size 2, refs[2] null
funcs size 2, funcs[0] set, funcs[1] null, via_handler 0 100
heap byte 0
seed -5, total 0x1p-1
bump 0x1.68p+3, total 0x1.68p+3
lanes sum 10
lanes sum 305
"
    );
}

#[test]
fn run_time_imports_serve_instances_by_context_and_a_missing_one_is_a_link_error() {
    let scratch = Scratch::new();
    let library = scratch.staticlib("lookup.wat", "lookup");
    let exe = scratch.program(C11, "runtime_imports.c", &[library]);
    let stdout = scratch.run(&exe, &[]);
    // The link error's wording is the runtime's; what matters is that it names the import.
    let stdout: String = stdout
        .lines()
        .map(|line| match line.strip_prefix("message: ") {
            Some(message) if message.contains("env") && message.contains("lookup") => {
                "message: (names env lookup)\n".to_string()
            }
            _ => format!("{line}\n"),
        })
        .collect();
    assert_eq!(
        stdout,
        "serve a: key 5, instance matches
run(5): code 0 value 1005
serve b: key 5, instance matches
run(5): code 0 value 2005
serve a: key 6, instance matches
run(6): code 0 value 1006
contexts kept
without imports: NULL, trap 0
message: (names env lookup)
with a NULL import: NULL, trap 0
message: (names env lookup)
"
    );
}

#[test]
fn instances_run_on_eight_threads_at_once() {
    let scratch = Scratch::new();
    let library = scratch.staticlib("work.wat", "work");
    let exe = scratch.program(C11, "threads.c", &[library]);
    // threads.c: ROUNDS 1000 rounds of checksum(1000 * thread + round, LENGTH 1000), which sums
    // seed * i + 1 over i < 1000; a trap every 20th and 50th round, and a stack overflow once.
    let expected: String = (0..8i64)
        .map(|thread| {
            let total: i64 = (0..1000).map(|round| (1000 * thread + round) * 499_500 + 1000).sum();
            format!("thread {thread}: total {total} traps 71 wrong 0\n")
        })
        .collect();
    assert_eq!(scratch.run(&exe, &[]), expected);
}

#[test]
fn wasi_reactor_runs_on_the_runtime_wasi_or_the_embedders_fd_write() {
    let scratch = Scratch::new();
    let wasm = scratch.path("reactor.wasm");
    let out = Command::new("clang-19")
        .args([
            "--target=wasm32-wasi",
            "--sysroot=/usr",
            "-mexec-model=reactor",
            "-O2",
            "-Wall",
            "-Werror",
            "-o",
        ])
        .arg(&wasm)
        .arg(embed("wasi_reactor.c"))
        .output()
        .expect("run clang-19");
    assert_ran("clang-19 wasi_reactor.c", &out);
    scratch.compile(&wasm, &["--emit", "staticlib", "-o", "libreactor.a"]);
    let exe = scratch.program(C11, "wasi.c", &[scratch.path("libreactor.a")]);
    let data = scratch.path("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("note.txt"), "it's granted").unwrap();

    assert_eq!(
        scratch.run(&exe, &[&data]),
        "arg reactor
arg --verbose
arg two words
env MODE=test
env EMPTY=
show_args: code 0
file /data/note.txt: it's granted
show_file: code 0 length 12
cannot open /etc/passwd
show_file: code 0 length -1
file /data-ro/note.txt: it's granted
show_file: code 0 length 12
append_line /data-ro/note.txt: code 0 errno 63
append_line /data-ro/new.txt: code 0 errno 63
append_line /data/log.txt: code 0 errno 0
quit: code 13 last 13 exit status 3
still running
",
        "the runtime's WASI"
    );
    // Through the read-only grant nothing changed; through the other the line was appended.
    assert_eq!(std::fs::read_to_string(data.join("note.txt")).unwrap(), "it's granted");
    assert!(!data.join("new.txt").exists(), "a file was created through the read-only grant");
    assert_eq!(std::fs::read_to_string(data.join("log.txt")).unwrap(), "appended\n");
    // The embedder's fd_write takes every write, and answers EBADF for any fd but 1.
    assert_eq!(
        scratch.run(&exe, &[&data, Path::new("capture")]),
        "show_args: code 0
show_file: code 0 length 12
show_file: code 0 length -1
show_file: code 0 length 12
append_line /data-ro/note.txt: code 0 errno 63
append_line /data-ro/new.txt: code 0 errno 63
append_line /data/log.txt: code 0 errno 8
captured:
arg reactor
arg --verbose
arg two words
env MODE=test
env EMPTY=
file /data/note.txt: it's granted
cannot open /etc/passwd
file /data-ro/note.txt: it's granted
quit: code 13 last 13 exit status 3
still running
",
        "the embedder's fd_write"
    );
}

#[test]
fn libraries_export_only_their_api() {
    let scratch = Scratch::new();
    for (module, prefix) in [("text.wat", "text"), ("sum.wat", "left"), ("sum.wat", "right")] {
        let library = scratch.staticlib(module, prefix);
        assert_only_api_defined(&library, prefix, &["-g", "--defined-only"]);
        assert_no_runtime_names(&library);
    }

    scratch.compile(
        &embed("lookup.wat"),
        &["--emit", "shared", "--prefix", "plugin", "-o", "libplugin.so"],
    );
    let shared = scratch.path("libplugin.so");
    assert_only_api_defined(&shared, "plugin", &["-D", "--defined-only"]);
    assert_no_runtime_names(&shared);
    let exe = scratch.program(C11, "dlopen.c", &[]);
    assert_eq!(scratch.run(&exe, &[&shared]), "runtime symbols: hidden\nrun(2): code 0 value 42\n");
}

#[test]
fn objects_link_with_their_own_runtime_or_a_shared_one() {
    let scratch = Scratch::new();
    let modules = [("text.wat", "text"), ("sum.wat", "left"), ("sum.wat", "right")];
    let objects = |flags: &[&str]| -> Vec<PathBuf> {
        modules
            .iter()
            .map(|(module, prefix)| {
                let object = format!("{prefix}.o");
                let mut args = vec!["--emit", "obj", "--prefix", prefix, "-o", &object];
                args.extend_from_slice(flags);
                scratch.compile(&embed(module), &args);
                scratch.path(&object)
            })
            .collect()
    };

    let with_runtime = objects(&[]);
    for (object, (_, prefix)) in with_runtime.iter().zip(modules) {
        assert_only_api_defined(object, prefix, &["-g", "--defined-only"]);
        assert_no_runtime_names(object);
    }
    let exe = scratch.program(C11, "two_modules.c", &with_runtime);
    assert_eq!(scratch.run(&exe, &[]), TWO_MODULES_OUTPUT, "objects with their runtime");

    // Without a runtime, an object defines only its API and refers to the shared runtime's names.
    let mut inputs = objects(&["--no-runtime"]);
    for (object, (_, prefix)) in inputs.iter().zip(modules) {
        assert_only_api_defined(object, prefix, &["-g", "--defined-only"]);
    }
    let out = wasm2native()
        .current_dir(scratch.dir.path())
        .args(["runtime", "-o", "libwasm2native.a"])
        .output()
        .unwrap();
    assert_ran("wasm2native runtime", &out);
    inputs.push(scratch.path("libwasm2native.a"));
    let exe = scratch.program(C11, "two_modules.c", &inputs);
    assert_eq!(scratch.run(&exe, &[]), TWO_MODULES_OUTPUT, "objects sharing one runtime");
}

/// `wasm2native inspect FILE`: its status, stdout and stderr.
fn inspect(scratch: &Scratch, file: &Path) -> (Option<i32>, String, String) {
    let out =
        wasm2native().current_dir(scratch.dir.path()).arg("inspect").arg(file).output().unwrap();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// Whether `record` has the lines every build record has, and `prefix: PREFIX` when given.
fn assert_build_record(what: &str, record: &str, prefix: Option<&str>) {
    let lines: Vec<&str> = record.lines().collect();
    assert_eq!(lines.first(), Some(&"wasm2native build"), "{what}: {record}");
    for start in ["compiler: wasm2native ", "llvm: 19", "opt-level: O2"] {
        assert!(
            lines.iter().any(|line| line.starts_with(start)),
            "{what}: no {start:?} in\n{record}"
        );
    }
    let prefix_line = lines.iter().find(|line| line.starts_with("prefix: "));
    assert_eq!(prefix_line.map(|line| &line["prefix: ".len()..]), prefix, "{what}: {record}");
}

#[test]
fn inspect_prints_the_build_record_of_every_kind_of_output() {
    let scratch = Scratch::new();
    std::fs::write(scratch.path("start.wat"), r#"(module (func (export "_start")))"#).unwrap();
    scratch.compile(&scratch.path("start.wat"), &["-o", "start"]);
    scratch.staticlib("sum.wat", "left");
    scratch.compile(&embed("sum.wat"), &["--emit", "obj", "--prefix", "right", "-o", "right.o"]);
    scratch.compile(&embed("text.wat"), &["--emit", "shared", "-o", "libtext.so"]);
    let outputs = [
        ("start", None),
        ("libleft.a", Some("left")),
        ("right.o", Some("right")),
        ("libtext.so", Some("text")),
    ];
    for (file, prefix) in outputs {
        let (status, stdout, stderr) = inspect(&scratch, &scratch.path(file));
        assert_eq!(status, Some(0), "{file}: {stderr}");
        assert_build_record(file, &stdout, prefix);
    }

    // A program linking three libraries carries the three records.
    let libraries =
        [scratch.staticlib("text.wat", "text"), scratch.path("libleft.a"), scratch.path("right.o")];
    let exe = scratch.program(C11, "two_modules.c", &libraries);
    let (status, stdout, stderr) = inspect(&scratch, &exe);
    assert_eq!(status, Some(0), "{stderr}");
    assert_eq!(stdout.matches("wasm2native build").count(), 3, "{stdout}");
    for prefix in ["text", "left", "right"] {
        assert!(stdout.contains(&format!("prefix: {prefix}\n")), "no {prefix} in {stdout}");
    }

    std::fs::write(scratch.path("plain.c"), "int plain(void) { return 1; }\n").unwrap();
    let out = Command::new("cc")
        .current_dir(scratch.dir.path())
        .args(["-c", "plain.c", "-o", "plain.o"])
        .output()
        .unwrap();
    assert_ran("cc plain.c", &out);
    let (status, stdout, stderr) = inspect(&scratch, &scratch.path("plain.o"));
    assert_eq!(status, Some(1));
    assert_eq!(stdout, "");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("no wasm2native build information") && stderr.contains("plain.o"),
        "{stderr}"
    );
}

/// `inspect` of a module names the proposals it uses and the `--spec` that accepts it, and the
/// build record of what it compiles to names them too.
#[test]
fn inspect_names_the_proposals_a_module_uses() {
    let scratch = Scratch::new();
    let modules = [
        ("plain.wat", "(module (func (export \"f\")))", "none (Wasm 1.0)", "--spec wasm1 and later"),
        (
            "two.wat",
            "(module (func (result i32 i32) i32.const 1 i32.const 2) \
             (func (param i32) (result i32) (i32.extend8_s (local.get 0))))",
            "multi-value, sign-extension-ops",
            "--spec wasm2 and later",
        ),
        (
            "three.wat",
            "(module (memory i64 1) (type $t (func)) (global i32 (i32.add (i32.const 1) (i32.const 2))) \
             (func $f (return_call_ref $t (ref.func $f))) (elem declare func $f))",
            "extended-const, function-references, memory64, reference-types, tail-call",
            "--spec latest",
        ),
        (
            "exceptions.wat",
            "(module (tag $t) (func (export \"f\") (block $c (try_table (catch $t $c) (throw $t)))))",
            "exceptions",
            "--spec latest",
        ),
        (
            "gc.wat",
            "(module (type (struct)))",
            "gc",
            "none: unsupported at byte offset 0xb: struct and array types: the GC proposal",
        ),
    ];
    for (file, text, proposals, spec) in modules {
        std::fs::write(scratch.path(file), text).unwrap();
        let (status, stdout, stderr) = inspect(&scratch, &scratch.path(file));
        assert_eq!(status, Some(0), "{file}: {stderr}");
        assert!(stdout.contains(&format!("proposals: {proposals}\n")), "{file}: {stdout}");
        assert!(stdout.contains(&format!("compiles with: {spec}")), "{file}: {stdout}");
    }
    scratch.compile(&scratch.path("three.wat"), &["--emit", "obj", "-o", "three.o"]);
    let (status, stdout, stderr) = inspect(&scratch, &scratch.path("three.o"));
    assert_eq!(status, Some(0), "{stderr}");
    assert!(
        stdout.contains("proposals: extended-const, function-references, memory64"),
        "{stdout}"
    );
}

#[test]
fn bad_library_flags_are_one_error_and_no_output() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--emit", "staticlib", "--prefix", "1bad", "-o", "libbad.a"],
            "invalid --prefix \"1bad\"",
        ),
        (
            &["--no-runtime", "--emit", "staticlib", "-o", "libbad.a"],
            "--no-runtime only applies to --emit obj",
        ),
        (
            &["--prefix", "bad", "--emit", "exe", "-o", "bad"],
            "only apply to --emit obj, staticlib and shared",
        ),
        (&["--prefix", "bad", "-o", "bad"], "only apply to --emit obj, staticlib and shared"),
    ];
    for (flags, message) in cases {
        let scratch = Scratch::new();
        let out = wasm2native()
            .current_dir(scratch.dir.path())
            .arg(embed("grow.wat"))
            .args(*flags)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{flags:?}");
        let stderr = text(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{flags:?}: {stderr}");
        assert!(
            stderr.starts_with("wasm2native: error: ") && stderr.contains(message),
            "{flags:?}: {stderr}"
        );
        assert_eq!(text(&out.stdout), "", "{flags:?}");
        let left: Vec<_> = std::fs::read_dir(scratch.dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "{flags:?} wrote {left:?}");
    }
}
