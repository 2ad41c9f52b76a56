//! Linking compiled objects into executables, shared objects and merged objects.
//!
//! An executable is the module object, the runtime's `main` and the runtime library, the last two
//! embedded in this crate by build.rs, plus, when the program was granted anything at compile
//! time, an object defining its launch options (see runtime-lib/src/main.h). A shared module is
//! the object alone: its `w2n_*` references stay undefined and resolve from the process that
//! loads it, which carries the runtime (this crate exports it dynamically).
//!
//! The linker is lld, inside this process (`lld`), given the start files, library paths and
//! system libraries the C driver would give its linker. The driver is used instead when
//! `$W2N_CC` names one, when build.rs could not record the driver's link lines, or when a start
//! file they name is gone; it is `$W2N_CC`, else `cc`, else `clang-19`. Outputs appear
//! atomically: the linker writes a temporary file beside the output, renamed over it only on
//! success.

mod lld;

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The runtime library (`libw2nrt.a`) built by build.rs.
static RUNTIME_ARCHIVE: &[u8] = include_bytes!(env!("W2N_RUNTIME_ARCHIVE"));
/// The `main` of compiled executables (`libw2nrt_main.a`).
static RUNTIME_MAIN_ARCHIVE: &[u8] = include_bytes!(env!("W2N_RUNTIME_MAIN_ARCHIVE"));

/// The NUL-terminated launch options the runtime's `main` reads when WASM2NATIVE_OPTIONS is
/// unset; a weak reference there, so leaving it undefined means "no options".
const LAUNCH_OPTIONS_SYMBOL: &str = "wasm2native_launch_options";

/// Drivers tried in order when `W2N_CC` is not set.
const DEFAULT_DRIVERS: [&str; 2] = ["cc", "clang-19"];

/// A failed link, with the linker's own diagnostics when it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkError {
    pub message: String,
}

impl LinkError {
    pub(crate) fn io(what: &str, error: io::Error) -> Self {
        LinkError { message: format!("{what}: {error}") }
    }
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LinkError {}

/// The embedded runtime library archive, for embedders that link modules their own way.
pub fn runtime_archive() -> &'static [u8] {
    RUNTIME_ARCHIVE
}

/// Links a module's objects (see `compile_objects`) with the runtime and its `main` into an
/// executable at `output`.
pub fn link_executable(objects: &[Vec<u8>], output: &Path) -> Result<(), LinkError> {
    link_executable_with_options(objects, b"", output)
}

/// As `link_executable`, with `launch_options` (the syntax of runtime-lib/src/main.h) baked in
/// as the options the program starts with; empty bakes nothing.
pub fn link_executable_with_options(
    objects: &[Vec<u8>],
    launch_options: &[u8],
    output: &Path,
) -> Result<(), LinkError> {
    let first =
        objects.first().ok_or_else(|| LinkError { message: "no module object to link".into() })?;
    let options_object = match launch_options {
        [] => None,
        text => Some(launch_options_object(first, text)?),
    };
    let names: Vec<String> = (0..objects.len()).map(|index| format!("module{index}.o")).collect();
    let mut files: Vec<(&str, &[u8])> =
        names.iter().map(String::as_str).zip(objects.iter().map(Vec::as_slice)).collect();
    files.extend(options_object.as_deref().map(|bytes| ("launch_options.o", bytes)));
    // `main` sits in the first archive and calls into the second, so their order matters.
    files.extend([("libw2nrt_main.a", RUNTIME_MAIN_ARCHIVE), ("libw2nrt.a", RUNTIME_ARCHIVE)]);
    let inputs = Inputs::write(&files)?;
    link_atomically(
        &LinkCommand::new(OutputKind::Executable, &inputs.paths).with_system_libraries(),
        output,
    )
}

/// An object defining `LAUNCH_OPTIONS_SYMBOL` as `text` and a NUL, read-only, for the same
/// format and architecture as `module_object` so that the linker accepts the pair.
fn launch_options_object(module_object: &[u8], text: &[u8]) -> Result<Vec<u8>, LinkError> {
    use object::write::{Object, StandardSection, Symbol, SymbolSection};
    use object::{Object as _, SectionKind, SymbolFlags, SymbolKind, SymbolScope};
    let invalid = |error: object::Error| LinkError {
        message: format!("cannot read the module object: {error}"),
    };
    let module = object::File::parse(module_object).map_err(invalid)?;
    let mut options = Object::new(module.format(), module.architecture(), module.endianness());
    options.set_sub_architecture(module.sub_architecture());
    options.flags = module.flags();
    let section = options.section_id(StandardSection::ReadOnlyData);
    let symbol = options.add_symbol(Symbol {
        name: LAUNCH_OPTIONS_SYMBOL.into(),
        value: 0,
        size: 0,
        kind: SymbolKind::Data,
        scope: SymbolScope::Linkage,
        weak: false,
        section: SymbolSection::Undefined,
        flags: SymbolFlags::None,
    });
    let mut contents = text.to_vec();
    contents.push(0);
    options.add_symbol_data(symbol, section, &contents, 1);
    // Without this note the linker would assume the object needs an executable stack.
    options.add_section(
        Vec::new(),
        b".note.GNU-stack".to_vec(),
        SectionKind::Elf(object::elf::SHT_PROGBITS),
    );
    options
        .write()
        .map_err(|e| LinkError { message: format!("cannot write the launch options object: {e}") })
}

/// Links a module object into a shared object whose runtime references resolve at load time.
pub fn link_shared_module(object: &[u8], output: &Path) -> Result<(), LinkError> {
    let inputs = Inputs::write(&[("module.o", object)])?;
    let mut command = LinkCommand::new(OutputKind::LoadableModule, &inputs.paths);
    // The helpers code generation may call (see `OutputKind::LoadableModule`).
    command.args.push(LinkArg::Input("-lgcc".into()));
    link_atomically(&command, output)
}

/// What a link produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutputKind {
    Executable,
    Shared,
    /// One object from several (`-r`), with no start files or system libraries.
    Relocatable,
    /// A shared object for a process that already carries the runtime and the C library
    /// (`link_shared_module`): their symbols resolve when it is loaded, so it links neither
    /// start files nor the C library, only libgcc for the helpers code generation may call.
    /// Half the time of a link with the C library (docs/architecture.md, measurements).
    LoadableModule,
}

/// One argument of a link, given to the driver and to the linker each in its own syntax.
#[derive(Debug, Clone)]
pub(crate) enum LinkArg {
    /// An input file or a `-lNAME` library: the same for both.
    Input(OsString),
    /// An option of the linker itself, one argument (`-znodelete`, not `-z nodelete`); the
    /// driver gets it through `-Wl,`.
    LinkerOption(OsString),
}

/// A link, in the terms both linkers share.
pub(crate) struct LinkCommand {
    pub(crate) kind: OutputKind,
    /// In order: where options such as `--whole-archive` stand matters.
    pub(crate) args: Vec<LinkArg>,
}

impl LinkCommand {
    /// A link of the files at `inputs`.
    pub(crate) fn new(kind: OutputKind, inputs: &[PathBuf]) -> Self {
        LinkCommand {
            kind,
            args: inputs.iter().map(|path| LinkArg::Input(path.clone().into_os_string())).collect(),
        }
    }

    /// Adds the system libraries the runtime needs.
    pub(crate) fn with_system_libraries(mut self) -> Self {
        self.args.extend(["-lm", "-lpthread"].map(|library| LinkArg::Input(library.into())));
        self
    }

    /// The arguments for the C driver, before `-o`.
    fn driver_args(&self) -> Vec<OsString> {
        let kind_flags: &[&str] = match self.kind {
            OutputKind::Executable => &[],
            OutputKind::Shared => &["-shared"],
            OutputKind::Relocatable => &["-r", "-nostdlib"],
            OutputKind::LoadableModule => &["-shared", "-nostartfiles", "-nodefaultlibs"],
        };
        let mut args: Vec<OsString> = kind_flags.iter().map(OsString::from).collect();
        args.extend(self.args.iter().map(|arg| match arg {
            LinkArg::Input(input) => input.clone(),
            LinkArg::LinkerOption(option) => {
                let mut wrapped = OsString::from("-Wl,");
                wrapped.push(option);
                wrapped
            }
        }));
        args
    }

    /// The arguments for the linker that stand where the driver would put its inputs.
    fn linker_args(&self) -> impl Iterator<Item = OsString> + '_ {
        self.args.iter().map(|arg| match arg {
            LinkArg::Input(input) => input.clone(),
            LinkArg::LinkerOption(option) => option.clone(),
        })
    }
}

/// Runs `command` with `output` as the linker's output file: lld in this process when it can
/// (see the module comment), else the C driver.
pub(crate) fn run_link(command: &LinkCommand, output: &Path) -> Result<(), LinkError> {
    if std::env::var_os("W2N_CC").is_none() {
        if let Some(result) = lld::link(command, output) {
            return result;
        }
    }
    let mut args = command.driver_args();
    args.push("-o".into());
    args.push(output.as_os_str().to_owned());
    run_driver(&args)
}

/// The linker's input files, kept in a temporary directory for as long as this lives.
pub(crate) struct Inputs {
    _dir: tempfile::TempDir,
    pub(crate) paths: Vec<PathBuf>,
}

impl Inputs {
    /// Writes each (file name, contents) pair; `paths` keeps their order.
    pub(crate) fn write(files: &[(&str, &[u8])]) -> Result<Self, LinkError> {
        let dir = tempfile::Builder::new()
            .prefix("wasm2native-link")
            .tempdir()
            .map_err(|e| LinkError::io("cannot create a temporary directory", e))?;
        let mut paths = Vec::new();
        for &(name, bytes) in files {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes)
                .map_err(|e| LinkError::io(&format!("cannot write {}", path.display()), e))?;
            paths.push(path);
        }
        Ok(Inputs { _dir: dir, paths })
    }
}

/// Where a temporary file that will be renamed over `output` goes: its directory, and a name
/// prefix that hides it (`.NAME.`).
pub(crate) fn temp_beside(output: &Path) -> (&Path, String) {
    let dir = match output.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let file_name =
        output.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    (dir, format!(".{file_name}."))
}

/// Runs `command` into a temporary file beside `output`, renamed over it once the link succeeded.
pub(crate) fn link_atomically(command: &LinkCommand, output: &Path) -> Result<(), LinkError> {
    let (dir, temp_prefix) = temp_beside(output);
    // Only the name is reserved here (as an empty file); the linker writes the file itself,
    // with its own mode.
    let temp = tempfile::Builder::new()
        .prefix(&temp_prefix)
        .tempfile_in(dir)
        .map_err(|e| LinkError::io(&format!("cannot create a file in {}", dir.display()), e))?
        .into_temp_path();
    run_link(command, &temp)?;
    // A linker that succeeds without writing leaves the empty file reserved above.
    if std::fs::metadata(&temp).map(|m| m.len()).unwrap_or(0) == 0 {
        return Err(LinkError { message: "the linker reported success but wrote nothing".into() });
    }
    temp.persist(output)
        .map_err(|e| LinkError::io(&format!("cannot write {}", output.display()), e.error))
}

/// Runs the C driver with `args`, the output included.
fn run_driver(args: &[OsString]) -> Result<(), LinkError> {
    let drivers: Vec<OsString> = match std::env::var_os("W2N_CC") {
        Some(driver) => vec![driver],
        None => DEFAULT_DRIVERS.iter().map(OsString::from).collect(),
    };
    for driver in &drivers {
        match Command::new(driver).args(args).output() {
            Ok(result) if result.status.success() => return Ok(()),
            Ok(result) => {
                return Err(LinkError {
                    message: format!(
                        "linker {} failed ({}): {}",
                        driver.to_string_lossy(),
                        result.status,
                        String::from_utf8_lossy(&result.stderr).trim_end()
                    ),
                })
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => {
                return Err(LinkError::io(
                    &format!("cannot run {}", driver.to_string_lossy()),
                    error,
                ))
            }
        }
    }
    let names: Vec<_> = drivers.iter().map(|d| d.to_string_lossy().into_owned()).collect();
    Err(LinkError {
        message: format!("no linker driver found (tried {}; set W2N_CC)", names.join(", ")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module descriptor written by hand in C: `_start` prints through WASI fd_write and exits
    /// with the status given as its first argument, through proc_exit.
    const HELLO_MODULE: &str = r#"
#include <stdint.h>
#include <string.h>
#include "wasm2native.h"

/* The views of the two WASI imports, as the compiler emits them (translate/host_view.rs). */
static int32_t fd_write_view(w2n_instance *vmctx, int32_t a, int32_t b, int32_t c, int32_t d) {
    w2n_funcref *host = &vmctx->host_funcs[0];
    return ((int32_t (*)(void *, int32_t, int32_t, int32_t, int32_t))host->code)(
        host->vmctx, a, b, c, d);
}
static void proc_exit_view(w2n_instance *vmctx, int32_t status) {
    w2n_funcref *host = &vmctx->host_funcs[1];
    ((void (*)(void *, int32_t))host->code)(host->vmctx, status);
}

static void start(w2n_instance *vmctx) {
    uint8_t *memory = vmctx->memories[0]->base;
    memcpy(memory + 64, "hello from wasm\n", 16);
    uint32_t iov[2] = {64, 16};
    memcpy(memory + 16, iov, sizeof iov);
    w2n_funcref *fd_write = vmctx->funcs[0];
    ((int32_t (*)(void *, int32_t, int32_t, int32_t, int32_t))fd_write->code)(
        fd_write->vmctx, 1, 16, 1, 8);
    w2n_funcref *proc_exit = vmctx->funcs[1];
    ((void (*)(void *, int32_t))proc_exit->code)(proc_exit->vmctx, 3);
}
static void start_array(w2n_instance *vmctx, w2n_value *values) { (void)values; start(vmctx); }

static const char *const signatures[] = {"iiii:i", "i:", ":"};
static const uint32_t func_types[] = {0, 1, 2};
static void *const func_code[] = {(void *)fd_write_view, (void *)proc_exit_view, (void *)start};
static const w2n_array_fn func_array_code[] = {0, 0, start_array};
static const w2n_import imports[] = {
    {"wasi_snapshot_preview1", "fd_write", 22, 8, W2N_EXTERN_FUNC, 0},
    {"wasi_snapshot_preview1", "proc_exit", 22, 9, W2N_EXTERN_FUNC, 1}};
static const w2n_export exports[] = {{"_start", 6, W2N_EXTERN_FUNC, 2, 0},
                                     {"memory", 6, W2N_EXTERN_MEMORY, 0, 0}};
static const w2n_limits memories[] = {{1, 0, 0, 0, {0}}};

const w2n_module wasm2native_module = {
    .abi_version = W2N_ABI_VERSION, .num_types = 3, .type_signatures = signatures,
    .num_imports = 2, .num_exports = 2, .imports = imports, .exports = exports, .num_funcs = 3,
    .num_imported_funcs = 2, .func_types = func_types, .func_code = func_code,
    .func_array_code = func_array_code, .num_memories = 1, .memories = memories,
    .start_func = -1};
"#;

    fn compile_c_module(dir: &Path) -> Vec<u8> {
        let source = dir.join("module.c");
        let object = dir.join("module.o");
        std::fs::write(&source, HELLO_MODULE).unwrap();
        let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime-lib/include");
        let status = Command::new("cc")
            .args(["-c", "-fPIC", "-O1", "-I"])
            .arg(&include)
            .arg(&source)
            .arg("-o")
            .arg(&object)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::read(&object).unwrap()
    }

    #[test]
    fn executable_runs_start_through_wasi() {
        let dir = tempfile::tempdir().unwrap();
        let object = compile_c_module(dir.path());
        let exe = dir.path().join("hello");
        link_executable(&[object], &exe).unwrap();
        let output = Command::new(&exe).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&output.stdout), "hello from wasm\n");
        assert_eq!(output.status.code(), Some(3));
    }

    #[test]
    fn baked_launch_options_apply_unless_the_variable_is_set() {
        let dir = tempfile::tempdir().unwrap();
        let object = compile_c_module(dir.path());
        let exe = dir.path().join("hello");
        link_executable_with_options(&[object], b"'--dir' '/nonexistent-w2n-dir'", &exe).unwrap();
        let output = Command::new(&exe).env_remove("WASM2NATIVE_OPTIONS").output().unwrap();
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("cannot grant directory /nonexistent-w2n-dir"), "{stderr}");
        let output = Command::new(&exe).env("WASM2NATIVE_OPTIONS", "").output().unwrap();
        assert_eq!(output.status.code(), Some(3));
    }

    #[test]
    fn shared_module_exports_the_descriptor() {
        let dir = tempfile::tempdir().unwrap();
        let object = compile_c_module(dir.path());
        let shared = dir.path().join("hello.so");
        link_shared_module(&object, &shared).unwrap();
        // SAFETY: the library only defines data and functions; loading it runs no code of note.
        let library = unsafe { libloading::Library::new(&shared) }.unwrap();
        // SAFETY: the symbol is the module descriptor; only its presence is checked.
        let descriptor = unsafe { library.get::<*const u8>(b"wasm2native_module\0") };
        assert!(descriptor.is_ok());
    }

    #[test]
    fn failed_link_keeps_the_old_output() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("out");
        std::fs::write(&exe, b"previous").unwrap();
        let error = link_executable(&[b"not an object".to_vec()], &exe).unwrap_err();
        assert!(error.message.contains("failed"), "{error}");
        assert_eq!(std::fs::read(&exe).unwrap(), b"previous");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1);
    }

    /// lld runs once per process (see `lld::LLD_UNUSED`); links after it take the driver. A
    /// relocatable link after an executable's is the order in which a second lld run crashed.
    #[test]
    fn links_after_the_first_in_a_process_still_work() {
        let dir = tempfile::tempdir().unwrap();
        let object = compile_c_module(dir.path());
        for index in 0..2 {
            let exe = dir.path().join(format!("hello{index}"));
            link_executable(std::slice::from_ref(&object), &exe).unwrap();
            assert_eq!(Command::new(&exe).output().unwrap().status.code(), Some(3));
            let runtime = dir.path().join(format!("libruntime{index}.a"));
            crate::library::write_runtime_library(&runtime).unwrap();
            assert!(std::fs::read(&runtime).unwrap().starts_with(b"!<arch>\n"));
        }
    }

    #[test]
    fn runtime_archive_is_an_archive() {
        assert!(runtime_archive().starts_with(b"!<arch>\n"));
    }
}
