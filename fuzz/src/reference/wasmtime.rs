//! Wasmtime as a reference engine: the PyPI package the Makefile pins, in a child process
//! (`fuzz/wasmtime_reference.py`, which documents the protocol) that serves one module at a
//! time over a pipe. A child process keeps Wasmtime's signal handlers out of the process whose
//! compiled code has its own, and needs no build of Wasmtime here.

use super::ReferenceEngine;
use crate::{ExportState, Outcome, TrapKind, Val};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// The Python that has the `wasmtime` package: `WASM2NATIVE_FUZZ_PYTHON`, or else the venv
/// `make wasi-venv` makes.
fn python() -> String {
    std::env::var("WASM2NATIVE_FUZZ_PYTHON").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../target/wasi-venv/bin/python").into()
    })
}

/// The child process, started on first use and shared by every module of this process.
struct Server {
    _child: Child,
    requests: ChildStdin,
    answers: BufReader<ChildStdout>,
}

impl Server {
    fn start() -> Server {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/wasmtime_reference.py");
        let mut child = Command::new(python())
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot start the Wasmtime reference ({} {script}): {error}", python())
            });
        let requests = child.stdin.take().expect("piped stdin");
        let answers = BufReader::new(child.stdout.take().expect("piped stdout"));
        Server { _child: child, requests, answers }
    }

    /// Sends one request line and returns the answer line, without its newline.
    fn ask(&mut self, request: &str) -> String {
        let mut answer = String::new();
        let sent = writeln!(self.requests, "{request}").and_then(|()| self.requests.flush());
        let read = sent.and_then(|()| self.answers.read_line(&mut answer));
        match read {
            Ok(n) if n > 0 => answer.trim_end().to_string(),
            _ => panic!("the Wasmtime reference stopped answering (its error output says why)"),
        }
    }
}

fn server() -> MutexGuard<'static, Server> {
    static SERVER: OnceLock<Mutex<Server>> = OnceLock::new();
    // A panic while the lock is held (a difference found) leaves the server usable.
    SERVER.get_or_init(|| Mutex::new(Server::start())).lock().unwrap_or_else(|e| e.into_inner())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An export's name as the child reads it: hex, after an `n` (`""` is a name too).
fn export_name(name: &str) -> String {
    format!("n{}", hex(name.as_bytes()))
}

fn encode(value: &Val) -> String {
    match value {
        Val::I32(v) => format!("i32:{:x}", *v as u32),
        Val::I64(v) => format!("i64:{:x}", *v as u64),
        Val::F32(bits) => format!("f32:{bits:x}"),
        Val::F64(bits) => format!("f64:{bits:x}"),
        Val::V128(v) => format!("v128:{v:032x}"),
        // Arguments are always null references: the engines share no objects.
        Val::FuncRef { .. } => "funcref:null".into(),
        Val::ExternRef { .. } => "externref:null".into(),
        Val::ExnRef { .. } => "exnref:null".into(),
    }
}

fn decode(text: &str) -> Val {
    let (kind, bits) = text.split_once(':').unwrap_or((text, ""));
    let number = || u128::from_str_radix(bits, 16);
    let value = match kind {
        "i32" => number().map(|n| Val::I32(n as u32 as i32)),
        "i64" => number().map(|n| Val::I64(n as u64 as i64)),
        "f32" => number().map(|n| Val::F32(n as u32)),
        "f64" => number().map(|n| Val::F64(n as u64)),
        "v128" => number().map(Val::V128),
        "funcref" => Ok(Val::FuncRef { null: bits == "null" }),
        "externref" => Ok(Val::ExternRef { null: bits == "null" }),
        "exnref" => Ok(Val::ExnRef { null: bits == "null" }),
        _ => panic!("the Wasmtime reference answered a value of an unknown kind: {text}"),
    };
    value.unwrap_or_else(|_| panic!("the Wasmtime reference answered a malformed value: {text}"))
}

/// The class of a trap Wasmtime reports by the name of its trap code, or as `other:MESSAGE`
/// (an instantiation that failed with an error rather than a trap).
fn trap_kind(code: &str) -> TrapKind {
    match code {
        "UNREACHABLE" => TrapKind::Unreachable,
        "MEMORY_OUT_OF_BOUNDS" => TrapKind::MemoryOutOfBounds,
        "TABLE_OUT_OF_BOUNDS" => TrapKind::TableOutOfBounds,
        "INDIRECT_CALL_TO_NULL" => TrapKind::UninitializedElement,
        "BAD_SIGNATURE" => TrapKind::IndirectCallTypeMismatch,
        "INTEGER_DIVISION_BY_ZERO" => TrapKind::IntegerDivideByZero,
        "INTEGER_OVERFLOW" => TrapKind::IntegerOverflow,
        "BAD_CONVERSION_TO_INTEGER" => TrapKind::InvalidConversion,
        "STACK_OVERFLOW" => TrapKind::StackExhausted,
        "NULL_REFERENCE" => TrapKind::NullReference,
        "UNCAUGHT_EXCEPTION" => TrapKind::UncaughtException,
        // Wasmtime's error for an exception that left the call carries no trap code.
        other if other.contains("thrown Wasm exception") => TrapKind::UncaughtException,
        other if other.contains("out of bounds table access") => TrapKind::TableOutOfBounds,
        other if other.contains("out of bounds memory access") => TrapKind::MemoryOutOfBounds,
        other => TrapKind::Other(format!("wasmtime: {other}")),
    }
}

/// One module in the Wasmtime child process.
pub struct Wasmtime;

impl Wasmtime {
    /// Loads `wasm` into the child process; an error means Wasmtime does not take the module.
    pub fn new(wasm: &[u8]) -> Result<Wasmtime, String> {
        match server().ask(&format!("load {}", hex(wasm))).as_str() {
            "ok" => Ok(Wasmtime),
            error => Err(error.trim_start_matches("error ").to_string()),
        }
    }

    /// Asks `request`: the values of an `ok` answer, or the trap.
    fn outcome(request: &str) -> Outcome {
        let answer = server().ask(request);
        let mut words = answer.split(' ');
        match words.next() {
            Some("ok") => Outcome::Returned(words.filter(|w| !w.is_empty()).map(decode).collect()),
            Some("trap") => Outcome::Trapped(trap_kind(&answer["trap ".len()..])),
            _ => panic!("the Wasmtime reference failed at `{request:.200}`: {answer}"),
        }
    }

    /// Asks `request` about export `name`: the words after `ok`.
    fn inspect(request: &str, name: &str) -> String {
        let answer = server().ask(&format!("{request} {}", export_name(name)));
        match answer.strip_prefix("ok ") {
            Some(words) => words.to_string(),
            None if answer == "ok" => String::new(),
            None => panic!("the Wasmtime reference failed at `{request} {name}`: {answer}"),
        }
    }
}

impl ReferenceEngine for Wasmtime {
    fn instantiate(&mut self) -> Outcome {
        Wasmtime::outcome("instantiate")
    }

    fn call(&mut self, name: &str, args: &[Val], results: usize) -> Outcome {
        let mut request = format!("call {} {results}", export_name(name));
        for arg in args {
            request.push(' ');
            request.push_str(&encode(arg));
        }
        Wasmtime::outcome(&request)
    }

    fn state(&mut self, name: &str) -> ExportState {
        let kind = server().ask(&format!("kind {}", export_name(name)));
        match kind.as_str() {
            "ok global" => ExportState::Global(decode(&Wasmtime::inspect("global", name))),
            "ok table" => ExportState::Table(
                Wasmtime::inspect("table", name).bytes().map(|flag| flag == b'1').collect(),
            ),
            "ok memory" => {
                let answer = Wasmtime::inspect("memory", name);
                let (size, crc32) = answer.split_once(' ').unwrap_or_default();
                ExportState::MemoryDigest {
                    size: size.parse().expect("a memory size"),
                    crc32: u32::from_str_radix(crc32, 16).expect("a CRC-32"),
                }
            }
            other => panic!("the Wasmtime reference cannot show export {name:?}: {other}"),
        }
    }

    fn memory_bytes(&mut self, name: &str) -> Vec<u8> {
        let text = Wasmtime::inspect("memory-bytes", name);
        (0..text.len() / 2)
            .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex"))
            .collect()
    }
}
