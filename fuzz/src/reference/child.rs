//! A reference engine in a child process that serves one module at a time over a pipe, one
//! request line and one answer line at a time: Wasmtime (`fuzz/wasmtime_reference.py`, which
//! documents the protocol) and V8 (`fuzz/v8_reference.js`) speak the same protocol, and this
//! client speaks for both. A child process keeps the reference's signal handlers out of the
//! process whose compiled code has its own, and needs no build of the reference here. What
//! differs between references is the command that starts one and how it names its traps.

use super::ReferenceEngine;
use crate::{ExportState, Outcome, TrapKind, Val};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// A reference engine run as a child process: started on first use and then shared by every
/// module of this process.
pub struct ChildReference {
    /// The engine's name, for messages.
    name: &'static str,
    /// The command that starts the server.
    command: fn() -> Command,
    /// The class of a trap from the words after `trap ` in an answer.
    trap_kind: fn(&str) -> TrapKind,
    server: OnceLock<Mutex<Server>>,
}

/// The running child process.
struct Server {
    _child: Child,
    requests: ChildStdin,
    answers: BufReader<ChildStdout>,
}

impl Server {
    fn start(name: &str, mut command: Command) -> Server {
        let mut child =
            command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap_or_else(|error| {
                panic!("cannot start the {name} reference ({command:?}): {error}")
            });
        let requests = child.stdin.take().expect("piped stdin");
        let answers = BufReader::new(child.stdout.take().expect("piped stdout"));
        Server { _child: child, requests, answers }
    }

    /// Sends one request line and returns the answer line, without its newline; `None` when
    /// the child stopped answering.
    fn ask(&mut self, request: &str) -> Option<String> {
        let mut answer = String::new();
        let sent = writeln!(self.requests, "{request}").and_then(|()| self.requests.flush());
        match sent.and_then(|()| self.answers.read_line(&mut answer)) {
            Ok(n) if n > 0 => Some(answer.trim_end().to_string()),
            _ => None,
        }
    }
}

impl ChildReference {
    pub const fn new(
        name: &'static str,
        command: fn() -> Command,
        trap_kind: fn(&str) -> TrapKind,
    ) -> ChildReference {
        ChildReference { name, command, trap_kind, server: OnceLock::new() }
    }

    fn server(&self) -> MutexGuard<'_, Server> {
        let server =
            self.server.get_or_init(|| Mutex::new(Server::start(self.name, (self.command)())));
        // A panic while the lock is held (a difference found) leaves the server usable.
        server.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn ask(&self, request: &str) -> String {
        self.server().ask(request).unwrap_or_else(|| {
            panic!("the {} reference stopped answering (its error output says why)", self.name)
        })
    }

    /// Loads `wasm` into the child process; an error means the engine does not take the module.
    pub fn load(&'static self, wasm: &[u8]) -> Result<ChildModule, String> {
        match self.ask(&format!("load {}", hex(wasm))).as_str() {
            "ok" => Ok(ChildModule { engine: self }),
            error => Err(error.trim_start_matches("error ").to_string()),
        }
    }

    /// Asks `request`: the values of an `ok` answer, or the trap.
    fn outcome(&self, request: &str) -> Outcome {
        let answer = self.ask(request);
        let mut words = answer.split(' ');
        match words.next() {
            Some("ok") => {
                Outcome::Returned(words.filter(|w| !w.is_empty()).map(|w| self.decode(w)).collect())
            }
            Some("trap") => Outcome::Trapped((self.trap_kind)(&answer["trap ".len()..])),
            _ => panic!("the {} reference failed at `{request:.200}`: {answer}", self.name),
        }
    }

    /// Asks `request` about export `name`: the words after `ok`.
    fn inspect(&self, request: &str, name: &str) -> String {
        let answer = self.ask(&format!("{request} {}", export_name(name)));
        match answer.strip_prefix("ok ") {
            Some(words) => words.to_string(),
            None if answer == "ok" => String::new(),
            None => panic!("the {} reference failed at `{request} {name}`: {answer}", self.name),
        }
    }

    fn decode(&self, text: &str) -> Val {
        decode(text).unwrap_or_else(|| {
            panic!("the {} reference answered a value it should not: {text}", self.name)
        })
    }
}

/// The module a `ChildReference` holds, until the next `load`.
pub struct ChildModule {
    engine: &'static ChildReference,
}

impl ReferenceEngine for ChildModule {
    fn instantiate(&mut self) -> Outcome {
        self.engine.outcome("instantiate")
    }

    fn call(&mut self, name: &str, args: &[Val], results: usize) -> Outcome {
        let mut request = format!("call {} {results}", export_name(name));
        for arg in args {
            request.push(' ');
            request.push_str(&encode(arg));
        }
        self.engine.outcome(&request)
    }

    fn state(&mut self, name: &str) -> ExportState {
        let engine = self.engine;
        match engine.ask(&format!("kind {}", export_name(name))).as_str() {
            "ok global" => ExportState::Global(engine.decode(&engine.inspect("global", name))),
            "ok table" => ExportState::Table(
                engine.inspect("table", name).bytes().map(|flag| flag == b'1').collect(),
            ),
            "ok memory" => {
                let answer = engine.inspect("memory", name);
                let (size, crc32) = answer.split_once(' ').unwrap_or_default();
                ExportState::MemoryDigest {
                    size: size.parse().expect("a memory size"),
                    crc32: u32::from_str_radix(crc32, 16).expect("a CRC-32"),
                }
            }
            other => panic!("the {} reference cannot show export {name:?}: {other}", engine.name),
        }
    }

    fn memory_bytes(&mut self, name: &str) -> Vec<u8> {
        let text = self.engine.inspect("memory-bytes", name);
        (0..text.len() / 2)
            .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex"))
            .collect()
    }
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

/// A value from its `KIND:BITS` text; `None` for an unknown kind or malformed bits.
fn decode(text: &str) -> Option<Val> {
    let (kind, bits) = text.split_once(':').unwrap_or((text, ""));
    let number = || u128::from_str_radix(bits, 16).ok();
    match kind {
        "i32" => number().map(|n| Val::I32(n as u32 as i32)),
        "i64" => number().map(|n| Val::I64(n as u64 as i64)),
        "f32" => number().map(|n| Val::F32(n as u32)),
        "f64" => number().map(|n| Val::F64(n as u64)),
        "v128" => number().map(Val::V128),
        "funcref" => Some(Val::FuncRef { null: bits == "null" }),
        "externref" => Some(Val::ExternRef { null: bits == "null" }),
        "exnref" => Some(Val::ExnRef { null: bits == "null" }),
        _ => None,
    }
}
