//! The in-process linker: lld's ELF driver (link/lld.cpp) given what the C driver would give
//! its linker (start files, library paths, system libraries), as build.rs recorded it from
//! `cc -###` for each kind of output.

use super::{LinkArg, LinkCommand, LinkError, OutputKind};
use std::ffi::{c_char, c_int, CStr, CString, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Mutex;

// The constants `EXECUTABLE`, `SHARED` and `RELOCATABLE`: the driver's linker arguments, its
// output (`-o`) and plugin options left out, with `INPUTS` where the driver put the inputs;
// empty when build.rs could not record them.
include!(concat!(env!("OUT_DIR"), "/host_link_lines.rs"));

/// Stands in the recorded lines for the inputs.
const INPUTS: &str = "{inputs}";

extern "C" {
    fn w2n_lld_link(
        arguments: *const *const c_char,
        count: usize,
        diagnostics: *mut *mut c_char,
        can_run_again: *mut c_int,
    ) -> c_int;
    fn w2n_lld_free(diagnostics: *mut c_char);
}

/// Links of inputs smaller than this run on one thread: starting lld's thread pool costs more
/// than it saves on them (docs/architecture.md, measurements).
const PARALLEL_LINK_BYTES: u64 = 16 << 20;

/// Which links this process may still run with lld. lld keeps state in globals that a later
/// link in the same process does not always reset: in LLVM 19 a shared link after a relocatable
/// one took the relocatable link's inputs again (duplicate symbols), and a relocatable link
/// after an executable's crashed on the last one's sections. Shared links after shared links
/// are clean (the spec harness links every module of the test suite in one process, and the
/// fuzz targets link a module per input), and they are what an embedder loading module after
/// module makes. So a process links in-process once (as the `ld.lld` program does), or any
/// number of times if every link is a shared one, and with the driver afterwards.
static LLD_STATE: AtomicU8 = AtomicU8::new(LLD_UNUSED);
const LLD_UNUSED: u8 = 0;
const LLD_SHARED_ONLY: u8 = 1;
const LLD_SPENT: u8 = 2;

/// The state a link of `kind` leaves lld in.
fn claims(kind: OutputKind) -> u8 {
    match kind {
        OutputKind::Shared | OutputKind::LoadableModule => LLD_SHARED_ONLY,
        OutputKind::Executable | OutputKind::Relocatable => LLD_SPENT,
    }
}

/// Claims lld for a link of `kind`: whether it may run now.
fn claim_lld(kind: OutputKind) -> bool {
    let next = claims(kind);
    match LLD_STATE.compare_exchange(LLD_UNUSED, next, Ordering::SeqCst, Ordering::SeqCst) {
        Ok(_) => true,
        Err(LLD_SHARED_ONLY) => next == LLD_SHARED_ONLY,
        Err(_) => false,
    }
}

/// Links `command` into `output` with lld, or None when lld cannot (see `recorded_line`), or
/// can no longer (see `LLD_STATE`), link in this process, or crashed (caught, so that the
/// driver can try).
pub(super) fn link(command: &LinkCommand, output: &Path) -> Option<Result<(), LinkError>> {
    let line = recorded_line(command.kind)?;
    let mut args: Vec<OsString> = vec!["ld.lld".into()];
    if input_bytes(command) < PARALLEL_LINK_BYTES {
        args.push("--threads=1".into());
    }
    let mut line = line.iter().copied();
    while let Some(arg) = line.next() {
        match arg {
            INPUTS if command.kind == OutputKind::LoadableModule => {
                args.extend(command.linker_args());
                // The C library and the start files that close the line stay out.
                break;
            }
            INPUTS => args.extend(command.linker_args()),
            // The start files before the inputs.
            _ if command.kind == OutputKind::LoadableModule && arg.ends_with(".o") => {}
            // A relocatable link takes its machine from its inputs, which a cross compile
            // (`--target`) makes for another machine than the one the line was recorded on.
            "-m" if command.kind == OutputKind::Relocatable => {
                line.next();
            }
            _ => args.push(arg.into()),
        }
    }
    // lld writes an output it maps through a temporary file registered for removal on a
    // signal, and LLVM's list of such files only grows (by a node a link, searched from the
    // start each time): shared links, which a process may make by the million, are written from
    // memory instead.
    if claims(command.kind) == LLD_SHARED_ONLY {
        args.push("--no-mmap-output-file".into());
    }
    args.extend(["-o".into(), output.as_os_str().to_owned()]);
    let args: Vec<CString> =
        args.into_iter().map(|arg| CString::new(arg.as_bytes()).ok()).collect::<Option<_>>()?;
    let pointers: Vec<*const c_char> = args.iter().map(|arg| arg.as_ptr()).collect();

    if !claim_lld(command.kind) {
        return None;
    }
    let mut diagnostics: *mut c_char = std::ptr::null_mut();
    let mut can_run_again: c_int = 1;
    // SAFETY: `pointers` are NUL-terminated strings alive for the call, and the two out
    // pointers are valid. lld is not reentrant: two shared links on different threads could
    // both pass `claim_lld`, so they take turns.
    let status = {
        static TURN: Mutex<()> = Mutex::new(());
        let _turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        unsafe {
            w2n_lld_link(pointers.as_ptr(), pointers.len(), &mut diagnostics, &mut can_run_again)
        }
    };
    if can_run_again == 0 {
        LLD_STATE.store(LLD_SPENT, Ordering::SeqCst);
    }
    let message = if diagnostics.is_null() {
        String::new()
    } else {
        // SAFETY: lld.cpp returns a NUL-terminated string from strdup, freed just after.
        let text = unsafe { CStr::from_ptr(diagnostics) }.to_string_lossy().trim_end().to_string();
        unsafe { w2n_lld_free(diagnostics) };
        text
    };
    match (status, can_run_again) {
        (0, _) => Some(Ok(())),
        (_, 0) => None,
        _ => {
            Some(Err(LinkError { message: format!("linker (lld, in process) failed: {message}") }))
        }
    }
}

/// The total size of the files `command` links.
fn input_bytes(command: &LinkCommand) -> u64 {
    let files = command.args.iter().filter_map(|arg| match arg {
        LinkArg::Input(input) => std::fs::metadata(input).ok(),
        LinkArg::LinkerOption(_) => None,
    });
    files.map(|metadata| metadata.len()).sum()
}

/// The recorded line for `kind`, when there is one and the files it names still exist (the
/// C library or compiler may have moved since this compiler was built).
fn recorded_line(kind: OutputKind) -> Option<&'static [&'static str]> {
    let line = match kind {
        OutputKind::Executable => EXECUTABLE,
        OutputKind::Shared | OutputKind::LoadableModule => SHARED,
        OutputKind::Relocatable => RELOCATABLE,
    };
    let files_exist = line
        .iter()
        .filter(|arg| arg.starts_with('/') && arg.ends_with(".o"))
        .all(|file| Path::new(file).exists());
    (!line.is_empty() && files_exist).then_some(line)
}
