//! Carries out the directives of one .wast file at one optimisation level: compiles modules
//! through the library, links and loads them, instantiates them against `spectest` and
//! registered instances, and reports one `Check` per directive.

use crate::spectest_host::SpectestHost;
use crate::values;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use wasm2native::abi::ExternKind;
use wasm2native::runtime::{
    CallError, Extern, Instance, InstantiationError, LoadedModule, Trap, Value,
};
use wasm2native::{compile, link, Emit, Options};
use wast::{QuoteWat, QuoteWatTest, WastDirective, WastExecute, WastInvoke, WastRet};

/// The outcome of one directive.
pub struct Check {
    pub line: usize,
    pub command: &'static str,
    pub failure: Option<Failure>,
}

pub struct Failure {
    pub expected: String,
    pub actual: String,
}

fn fail(expected: impl Into<String>, actual: impl Into<String>) -> Result<(), Failure> {
    Err(Failure { expected: expected.into(), actual: actual.into() })
}

/// Turns an error message into the failure of a check that expected something else.
fn or_fail<T>(outcome: Result<T, String>, expected: impl Into<String>) -> Result<T, Failure> {
    outcome.map_err(|actual| Failure { expected: expected.into(), actual })
}

/// Runs every directive of `text`; `sink` receives each check as soon as it is decided, so a
/// crash later in the file loses nothing already reported.
pub fn run_file(text: &str, options: Options, sink: &mut dyn FnMut(Check)) {
    let report_setup_failure = |sink: &mut dyn FnMut(Check), what: &str, why: String| {
        sink(Check {
            line: 0,
            command: "setup",
            failure: Some(Failure { expected: what.into(), actual: why }),
        })
    };
    // The suite's names.wast exports names made of bidirectional-override characters on purpose.
    let mut lexer = wast::lexer::Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buffer = match wast::parser::ParseBuffer::new_with_lexer(lexer) {
        Ok(buffer) => buffer,
        Err(e) => return report_setup_failure(sink, "wast lexes", e.to_string()),
    };
    let wast = match wast::parser::parse::<wast::Wast>(&buffer) {
        Ok(wast) => wast,
        Err(e) => return report_setup_failure(sink, "wast parses", e.to_string()),
    };
    let mut runner = match Runner::new(options) {
        Ok(runner) => runner,
        Err(e) => return report_setup_failure(sink, "harness set-up", e),
    };
    for directive in wast.directives {
        let (line, _) = directive.span().linecol_in(text);
        let command = command_name(&directive);
        let failure = runner.run(directive).err();
        sink(Check { line: line + 1, command, failure });
    }
}

fn command_name(directive: &WastDirective) -> &'static str {
    match directive {
        WastDirective::Module(_) => "module",
        WastDirective::ModuleDefinition(_) => "module definition",
        WastDirective::ModuleInstance { .. } => "module instance",
        WastDirective::AssertMalformed { .. } => "assert_malformed",
        WastDirective::AssertInvalid { .. } => "assert_invalid",
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom",
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom",
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        WastDirective::AssertException { .. } => "assert_exception",
        WastDirective::AssertSuspension { .. } => "assert_suspension",
        WastDirective::Thread(_) => "thread",
        WastDirective::Wait { .. } => "wait",
    }
}

/// Trap messages match when either starts with the other: the suite's wording and the
/// runtime's differ only in how much they say ("unreachable" / "unreachable executed").
fn trap_matches(expected: &str, actual: &str) -> bool {
    !actual.is_empty() && (actual.starts_with(expected) || expected.starts_with(actual))
}

struct Runner {
    options: Options,
    dir: tempfile::TempDir,
    modules_built: usize,
    spectest: SpectestHost,
    /// The most recent module; `Err` holds why it failed, for the checks that then use it.
    current: Option<Result<Instance, String>>,
    named: HashMap<String, Result<Instance, String>>,
    registered: HashMap<String, Instance>,
    definitions: HashMap<String, LoadedModule>,
    /// Every instance made, kept to the end of the file: tables and memories they share may
    /// hold references into any of them, even one whose instantiation trapped.
    alive: Vec<Instance>,
}

impl Runner {
    fn new(options: Options) -> Result<Runner, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
        Ok(Runner {
            options,
            dir,
            modules_built: 0,
            spectest: SpectestHost::new()?,
            current: None,
            named: HashMap::new(),
            registered: HashMap::new(),
            definitions: HashMap::new(),
            alive: Vec::new(),
        })
    }

    fn run(&mut self, directive: WastDirective) -> Result<(), Failure> {
        match directive {
            WastDirective::Module(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                let outcome = self.build(&mut module).and_then(|m| {
                    self.instantiate(&m).map_err(|e| format!("instantiation failed: {e}"))
                });
                self.set_current(name, outcome.clone());
                outcome.map(drop).or_else(|e| fail("module instantiates", e))
            }
            WastDirective::ModuleDefinition(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                let loaded = or_fail(self.build(&mut module), "module compiles")?;
                if let Some(name) = name {
                    self.definitions.insert(name, loaded);
                }
                Ok(())
            }
            WastDirective::ModuleInstance { instance, module, .. } => {
                let definition = module.and_then(|m| self.definitions.get(m.name()).cloned());
                let Some(definition) = definition else {
                    return fail("a module definition", "none of that name");
                };
                let outcome = self.instantiate(&definition).map_err(|e| e.to_string());
                self.set_current(instance.map(|i| i.name().to_string()), outcome.clone());
                outcome.map(drop).or_else(|e| fail("module instantiates", e))
            }
            WastDirective::Register { name, module, .. } => {
                let instance =
                    or_fail(self.instance(module.map(|m| m.name())), "a module to register")?;
                self.registered.insert(name.to_string(), instance);
                Ok(())
            }
            WastDirective::Invoke(invoke) => match self.invoke(&invoke) {
                Ok(_) => Ok(()),
                Err(e) => fail("invoke succeeds", e.to_string()),
            },
            WastDirective::AssertReturn { exec, results, .. } => self.assert_return(exec, &results),
            WastDirective::AssertTrap { exec, message, .. } => self.assert_trap(exec, message),
            // An exception that leaves the call is the runtime's trap of that name.
            WastDirective::AssertException { exec, .. } => {
                self.assert_trap(exec, "uncaught exception")
            }
            WastDirective::AssertExhaustion { call, message, .. } => {
                let outcome = self.invoke(&call);
                expect_trap(message, outcome)
            }
            WastDirective::AssertMalformed { module, message, .. }
            | WastDirective::AssertInvalid { module, message, .. } => {
                self.assert_rejected(module, message)
            }
            WastDirective::AssertUnlinkable { module, message, .. } => {
                let mut module = QuoteWat::Wat(module);
                let expected = format!("link error \"{message}\"");
                let loaded = or_fail(self.build(&mut module), expected.clone())?;
                match self.instantiate(&loaded) {
                    Err(InstantiationError::Link(_)) => Ok(()),
                    Err(InstantiationError::Trap(trap)) => fail(expected, format!("trap: {trap}")),
                    Ok(_) => fail(expected, "instantiated"),
                }
            }
            other => {
                fail("a supported directive", format!("{} is not supported", command_name(&other)))
            }
        }
    }

    fn set_current(&mut self, name: Option<String>, outcome: Result<Instance, String>) {
        if let Some(name) = name {
            self.named.insert(name, outcome.clone());
        }
        self.current = Some(outcome);
    }

    /// The instance a command names, or the current one.
    fn instance(&self, name: Option<&str>) -> Result<Instance, String> {
        let found = match name {
            Some(name) => self.named.get(name),
            None => self.current.as_ref(),
        };
        match found {
            Some(Ok(instance)) => Ok(instance.clone()),
            Some(Err(why)) => Err(format!("module unavailable ({why})")),
            None => Err("no such module".to_string()),
        }
    }

    /// Compiles, links and loads a module; every failure is a message.
    fn build(&mut self, module: &mut QuoteWat) -> Result<LoadedModule, String> {
        let input = match module.to_test() {
            Ok(QuoteWatTest::Binary(bytes)) | Ok(QuoteWatTest::Text(bytes)) => bytes,
            Err(e) => return Err(format!("wast encoding: {e}")),
        };
        let object = compile_caught(&input, &self.options)?;
        self.modules_built += 1;
        let path = self.dir.path().join(format!("module{}.so", self.modules_built));
        link::link_shared_module(&object, &path).map_err(|e| format!("link: {e}"))?;
        LoadedModule::load(&path).map_err(|e| e.to_string())
    }

    fn instantiate(&mut self, module: &LoadedModule) -> Result<Instance, InstantiationError> {
        let spectest = &self.spectest;
        let registered = &self.registered;
        let mut resolve = |module: &str, name: &str, kind: ExternKind| -> Option<Extern> {
            if module == "spectest" {
                return spectest.lookup(name, kind);
            }
            registered.get(module)?.export(name)
        };
        let instance = Instance::instantiate(module, &mut resolve)?;
        self.alive.push(instance.clone());
        Ok(instance)
    }

    fn invoke(&self, invoke: &WastInvoke) -> Result<Vec<Value>, CallError> {
        let instance =
            self.instance(invoke.module.map(|m| m.name())).map_err(CallError::UnknownExport)?;
        let args = invoke
            .args
            .iter()
            .map(values::arg_value)
            .collect::<Result<Vec<_>, _>>()
            .map_err(CallError::Signature)?;
        instance.call(invoke.name, &args)
    }

    fn assert_return(&mut self, exec: WastExecute, results: &[WastRet]) -> Result<(), Failure> {
        let expected = values::show_expected(results);
        let actual = match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke).map_err(|e| e.to_string()),
            WastExecute::Get { module, global, .. } => self
                .instance(module.map(|m| m.name()))
                .and_then(|i| i.global(global).ok_or(format!("no global export \"{global}\"")))
                .map(|v| vec![v]),
            WastExecute::Wat(wat) => {
                let mut module = QuoteWat::Wat(wat);
                self.build(&mut module)
                    .and_then(|m| self.instantiate(&m).map_err(|e| e.to_string()))
                    .map(|_| Vec::new())
            }
        };
        let actual = or_fail(actual, expected.clone())?;
        let all_match = actual.len() == results.len()
            && results.iter().zip(&actual).all(|(e, a)| values::matches(e, a));
        if all_match {
            Ok(())
        } else {
            fail(expected, values::show_all(&actual))
        }
    }

    fn assert_trap(&mut self, exec: WastExecute, message: &str) -> Result<(), Failure> {
        match exec {
            WastExecute::Invoke(invoke) => expect_trap(message, self.invoke(&invoke)),
            WastExecute::Wat(wat) => {
                let mut module = QuoteWat::Wat(wat);
                let expected = format!("trap \"{message}\"");
                let loaded = or_fail(self.build(&mut module), expected.clone())?;
                match self.instantiate(&loaded) {
                    Err(InstantiationError::Trap(trap)) if trap_matches(message, &trap.message) => {
                        Ok(())
                    }
                    Err(e) => fail(expected, e.to_string()),
                    Ok(_) => fail(expected, "instantiated"),
                }
            }
            WastExecute::Get { .. } => fail(format!("trap \"{message}\""), "a get cannot trap"),
        }
    }

    /// assert_malformed / assert_invalid: the module must not compile. Text that does not even
    /// parse counts as rejected.
    fn assert_rejected(&mut self, mut module: QuoteWat, message: &str) -> Result<(), Failure> {
        let input = match module.to_test() {
            Ok(QuoteWatTest::Binary(bytes)) | Ok(QuoteWatTest::Text(bytes)) => bytes,
            Err(_) => return Ok(()),
        };
        match compile_caught(&input, &self.options) {
            Err(e) if e.starts_with("compiler panicked") => fail(format!("rejected: {message}"), e),
            Err(_) => Ok(()),
            Ok(_) => fail(format!("rejected: {message}"), "compiled"),
        }
    }
}

fn expect_trap(message: &str, outcome: Result<Vec<Value>, CallError>) -> Result<(), Failure> {
    let expected = format!("trap \"{message}\"");
    match outcome {
        Err(CallError::Trap(Trap { message: actual, .. })) if trap_matches(message, &actual) => {
            Ok(())
        }
        Err(e) => fail(expected, e.to_string()),
        Ok(values) => fail(expected, format!("returned {}", values::show_all(&values))),
    }
}

/// Compiles to an object; a compiler panic becomes an error message instead of ending the run.
fn compile_caught(input: &[u8], options: &Options) -> Result<Vec<u8>, String> {
    match catch_unwind(AssertUnwindSafe(|| compile(input, options, Emit::Object))) {
        Ok(Ok(object)) => Ok(object),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(format!("compiler panicked: {}", panic_message(&panic))),
    }
}

pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic".to_string()
    }
}
