//! Library builds: a module object made into an object, a static library or a shared object that
//! links into a C program beside other such libraries.
//!
//! With the runtime (always for static libraries and shared objects), the module object and the
//! runtime archive members it needs are linked relocatably into one object, in which every defined
//! symbol but the API ones is then made local and renamed `PREFIX_name`: each library carries a
//! private copy of the runtime that neither the program nor another library can see or clash
//! with. Without it, the object's references to the runtime take the shared runtime names
//! (`w2n_x` becomes `wasm2native_x`, any other name `n` becomes `wasm2native_n`) that the library
//! of `write_runtime_library` defines, so that several such objects share one runtime.
//!
//! Only ELF is supported. Outputs appear atomically: written beside the output as temporary files,
//! renamed over it only once complete.

use crate::link::{self, Inputs, LinkArg, LinkCommand, LinkError, OutputKind};
use object::build::elf::{Builder, SectionData, Symbol};
use object::elf;
use object::read::archive::ArchiveFile;
use object::{FileKind, Object as _, ObjectSection as _, ObjectSymbol as _, SymbolKind};
use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::io::Write as _;
use std::path::Path;

/// The section holding the build-info records, each a NUL-terminated string.
pub const BUILD_SECTION: &str = ".wasm2native.build";

/// What `write_library` produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LibraryKind {
    /// One relocatable object.
    Object,
    /// An ar archive holding that object, with a symbol index.
    StaticLib,
    /// A shared object exporting only the API symbols.
    Shared,
}

/// Prefix of every symbol of the shared runtime library.
const SHARED_RUNTIME_PREFIX: &str = "wasm2native_";
/// The runtime's own prefix, which the shared runtime name replaces.
const RUNTIME_PREFIX: &str = "w2n_";
/// Member name of the shared runtime library's one object.
const SHARED_RUNTIME_MEMBER: &str = "wasm2native.o";

/// Writes the library of `kind` for `module_object` at `output`. Only `api_symbols` stay global;
/// every other symbol the library defines is local and starts with `prefix`. `with_runtime`
/// includes a private runtime, which static libraries and shared objects always need.
pub fn write_library(
    module_object: &[u8],
    kind: LibraryKind,
    prefix: &str,
    api_symbols: &[String],
    with_runtime: bool,
    output: &Path,
) -> Result<(), LinkError> {
    check_relocatable_elf(module_object)?;
    check_prefix(prefix)?;
    if !with_runtime && kind != LibraryKind::Object {
        return Err(error(
            "a static library or shared object always carries the runtime; only an object can leave it out",
        ));
    }
    let api: HashSet<&[u8]> = api_symbols.iter().map(|name| name.as_bytes()).collect();
    let object = if with_runtime {
        let linked = link_relocatable(
            &[("module.o", module_object), ("libw2nrt.a", link::runtime_archive())],
            &["module.o", "libw2nrt.a"],
        )?;
        make_private(&linked, prefix, &api, &HashSet::new())?
    } else {
        make_private(module_object, prefix, &api, &runtime_definitions()?)?
    };
    match kind {
        LibraryKind::Object => write_atomically(output, &object),
        LibraryKind::StaticLib => {
            write_atomically(output, &archive(&format!("{prefix}.o"), &object)?)
        }
        LibraryKind::Shared => link_shared(&object, api_symbols, output),
    }
}

/// Writes the shared runtime library (`libwasm2native.a`) that objects built without a runtime
/// link against: the whole runtime as one object whose global symbols all take their shared
/// runtime names and stay global.
pub fn write_runtime_library(output: &Path) -> Result<(), LinkError> {
    // Every member, not only those some input needs.
    let linked = link_relocatable(
        &[("libw2nrt.a", link::runtime_archive())],
        &["--whole-archive", "libw2nrt.a", "--no-whole-archive"],
    )?;
    let renamed = rewrite_symbols(&linked, |symbol| {
        if symbol.st_bind() != elf::STB_LOCAL && is_defined(symbol) {
            symbol.name = shared_runtime_name(&symbol.name).into();
        }
        Ok(())
    })?;
    write_atomically(output, &archive(SHARED_RUNTIME_MEMBER, &renamed)?)
}

/// The build-info records of an ELF executable, object or shared object, or of every member of an
/// ar archive, in file order; empty when there are none.
pub fn build_records(file: &[u8]) -> Result<Vec<String>, String> {
    match FileKind::parse(file) {
        Ok(FileKind::Archive) => {
            let archive = ArchiveFile::parse(file).map_err(|e| format!("bad archive: {e}"))?;
            let mut records = Vec::new();
            for member in archive.members() {
                let member = member.map_err(|e| format!("bad archive member: {e}"))?;
                let data = member.data(file).map_err(|e| format!("bad archive member: {e}"))?;
                // Archives may hold members that are not objects; those carry no records.
                if let Ok(object) = object::File::parse(data) {
                    records.extend(object_records(&object));
                }
            }
            Ok(records)
        }
        Ok(_) => object::File::parse(file)
            .map(|object| object_records(&object))
            .map_err(|e| format!("not an object file: {e}")),
        Err(e) => Err(format!("not an object file or archive: {e}")),
    }
}

fn object_records(object: &object::File<'_>) -> Vec<String> {
    object
        .sections()
        .filter(|section| section.name() == Ok(BUILD_SECTION))
        .filter_map(|section| section.data().ok())
        .flat_map(|data| data.split(|&byte| byte == 0))
        // Alignment padding between records reads as empty strings.
        .filter(|record| !record.is_empty())
        .map(|record| String::from_utf8_lossy(record).into_owned())
        .collect()
}

fn error(message: impl Into<String>) -> LinkError {
    LinkError { message: message.into() }
}

fn check_relocatable_elf(module_object: &[u8]) -> Result<(), LinkError> {
    match FileKind::parse(module_object) {
        Ok(FileKind::Elf32 | FileKind::Elf64) => {}
        Ok(other) => {
            return Err(error(format!(
                "library builds support only ELF objects, not {other:?} files"
            )))
        }
        Err(e) => return Err(error(format!("cannot read the module object: {e}"))),
    }
    let file = object::File::parse(module_object)
        .map_err(|e| error(format!("cannot read the module object: {e}")))?;
    match file.kind() {
        object::ObjectKind::Relocatable => Ok(()),
        other => Err(error(format!("the module object is not relocatable (it is {other:?})"))),
    }
}

/// The prefix starts symbol names and names the static library's member: a C identifier.
fn check_prefix(prefix: &str) -> Result<(), LinkError> {
    let mut chars = prefix.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(error(format!("the prefix {prefix:?} is not a C identifier")))
    }
}

/// Links `files` relocatably (`-r`) into one object, the linker getting `args`: names of
/// `files`, each standing for its file, and linker options.
pub(crate) fn link_relocatable(
    files: &[(&str, &[u8])],
    args: &[&str],
) -> Result<Vec<u8>, LinkError> {
    let inputs = Inputs::write(files)?;
    let path_of: HashMap<&str, &Path> =
        files.iter().zip(&inputs.paths).map(|(&(name, _), path)| (name, path.as_path())).collect();
    // The output goes into the inputs' temporary directory, removed with them.
    let output = inputs.paths[0].with_file_name("linked.o");
    let mut command = LinkCommand::new(OutputKind::Relocatable, &[]);
    command.args.extend(args.iter().map(|&arg| match path_of.get(arg) {
        Some(path) => LinkArg::Input(path.as_os_str().to_owned()),
        None => LinkArg::LinkerOption(arg.into()),
    }));
    link::run_link(&command, &output)?;
    std::fs::read(&output).map_err(|e| LinkError::io("cannot read the linked object", e))
}

/// Every symbol the runtime archive defines globally: the names a module object may reference.
fn runtime_definitions() -> Result<HashSet<Vec<u8>>, LinkError> {
    let bytes = link::runtime_archive();
    let invalid = |e: object::Error| error(format!("cannot read the runtime archive: {e}"));
    let archive = ArchiveFile::parse(bytes).map_err(invalid)?;
    let mut names = HashSet::new();
    for member in archive.members() {
        let data = member.map_err(invalid)?.data(bytes).map_err(invalid)?;
        let object = object::File::parse(data).map_err(invalid)?;
        names.extend(defined_globals(&object));
    }
    Ok(names)
}

/// The names of the symbols `object` defines with global or weak binding.
fn defined_globals(object: &object::File<'_>) -> Vec<Vec<u8>> {
    object
        .symbols()
        .filter(|symbol| symbol.is_global() && !symbol.is_undefined())
        .filter(|symbol| !matches!(symbol.kind(), SymbolKind::Section | SymbolKind::File))
        .filter_map(|symbol| symbol.name_bytes().ok())
        .filter(|name| !name.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// `w2n_x` becomes `wasm2native_x`; any other name `n` becomes `wasm2native_n`.
fn shared_runtime_name(name: &[u8]) -> Vec<u8> {
    let rest = name.strip_prefix(RUNTIME_PREFIX.as_bytes()).unwrap_or(name);
    [SHARED_RUNTIME_PREFIX.as_bytes(), rest].concat()
}

/// Makes every symbol `object` defines local and `PREFIX_`-named, except the API symbols, which
/// stay global with default visibility; references to `shared_runtime` names take their shared
/// runtime names; other references stay as they are.
fn make_private(
    object: &[u8],
    prefix: &str,
    api: &HashSet<&[u8]>,
    shared_runtime: &HashSet<Vec<u8>>,
) -> Result<Vec<u8>, LinkError> {
    let prefix = format!("{prefix}_");
    rewrite_symbols(object, |symbol| {
        if !is_defined(symbol) {
            if shared_runtime.contains(symbol.name.as_slice()) {
                symbol.name = shared_runtime_name(&symbol.name).into();
            }
            return Ok(());
        }
        if symbol.st_shndx == elf::SHN_COMMON && symbol.section.is_none() {
            return Err(error(format!("the common symbol {} cannot be made private", symbol.name)));
        }
        if api.contains(symbol.name.as_slice()) {
            symbol.set_st_info(elf::STB_GLOBAL, symbol.st_type());
            // The low two bits of st_other are the visibility.
            symbol.st_other = (symbol.st_other & !0x3) | elf::STV_DEFAULT;
        } else {
            symbol.set_st_info(elf::STB_LOCAL, symbol.st_type());
            if !symbol.name.starts_with(prefix.as_bytes()) {
                symbol.name = [prefix.as_bytes(), &symbol.name].concat().into();
            }
        }
        Ok(())
    })
}

fn is_defined(symbol: &Symbol<'_>) -> bool {
    symbol.section.is_some() || symbol.st_shndx != elf::SHN_UNDEF
}

/// Reads the ELF relocatable `object`, applies `edit` to each named symbol that is not a section
/// or file symbol, and writes it back.
fn rewrite_symbols(
    object: &[u8],
    mut edit: impl FnMut(&mut Symbol<'_>) -> Result<(), LinkError>,
) -> Result<Vec<u8>, LinkError> {
    let cannot_read = |e: &dyn std::fmt::Display| error(format!("cannot read the object: {e}"));
    // The builder cannot read section groups; neither the compiler nor the runtime makes any.
    let parsed = object::File::parse(object).map_err(|e| cannot_read(&e))?;
    if parsed.comdats().next().is_some() {
        return Err(error(
            "the object has section groups (COMDAT), which library builds do not support",
        ));
    }
    let mut builder = Builder::read(object).map_err(|e| cannot_read(&e))?;
    // LLVM keeps section names in the symbol string table; the builder writes them apart.
    let has_section_names =
        builder.sections.iter().any(|section| matches!(section.data, SectionData::SectionString));
    if !has_section_names {
        let section = builder.sections.add();
        section.name = ".shstrtab".into();
        section.sh_type = elf::SHT_STRTAB;
        section.sh_addralign = 1;
        section.data = SectionData::SectionString;
    }
    for symbol in &mut builder.symbols {
        if !symbol.name.is_empty() && !matches!(symbol.st_type(), elf::STT_SECTION | elf::STT_FILE)
        {
            edit(symbol)?;
        }
    }
    let mut bytes = Vec::new();
    builder.write(&mut bytes).map_err(|e| error(format!("cannot write the object: {e}")))?;
    Ok(bytes)
}

/// Links the private object into a shared object whose dynamic symbol table holds only the API
/// symbols (a version script hides what the driver's start files define).
fn link_shared(object: &[u8], api_symbols: &[String], output: &Path) -> Result<(), LinkError> {
    let exported: String = api_symbols.iter().map(|name| format!("\"{name}\"; ")).collect();
    let script = format!("{{ global: {exported}local: *; }};\n");
    let inputs = Inputs::write(&[("library.o", object), ("exports.map", script.as_bytes())])?;
    let mut command =
        LinkCommand::new(OutputKind::Shared, &inputs.paths[..1]).with_system_libraries();
    let mut script_option = OsString::from("--version-script=");
    script_option.push(&inputs.paths[1]);
    command.args.extend([
        LinkArg::LinkerOption(script_option),
        // The runtime's fault handler and thread-exit hook point into the library's code, so it
        // must stay mapped after a dlclose.
        LinkArg::LinkerOption("-znodelete".into()),
    ]);
    link::link_atomically(&command, output)
}

/// A GNU ar archive of the one `object`, named `member_name`, with the symbol index ("/" member)
/// listing what it defines globally, which the linker needs to pull the member.
fn archive(member_name: &str, object: &[u8]) -> Result<Vec<u8>, LinkError> {
    let parsed = object::File::parse(object)
        .map_err(|e| error(format!("cannot read the library object: {e}")))?;
    let symbols = defined_globals(&parsed);
    // A name longer than its 16-byte field (with the closing '/') goes to the long-name table.
    let long_names = (member_name.len() > 15).then(|| format!("{member_name}/\n"));
    let index_size = 4 + 4 * symbols.len() + symbols.iter().map(|s| s.len() + 1).sum::<usize>();
    let member_offset = 8
        + padded_member_size(index_size)
        + long_names.as_ref().map_or(0, |names| padded_member_size(names.len()));
    let member_offset = u32::try_from(member_offset)
        .map_err(|_| error("the static library's symbol index is too large"))?;

    let mut index = Vec::with_capacity(index_size);
    index.extend((symbols.len() as u32).to_be_bytes());
    for _ in &symbols {
        index.extend(member_offset.to_be_bytes());
    }
    for name in &symbols {
        index.extend(name);
        index.push(0);
    }

    let mut bytes = b"!<arch>\n".to_vec();
    append_member(&mut bytes, "/", &index)?;
    let header_name = match &long_names {
        Some(names) => {
            append_member(&mut bytes, "//", names.as_bytes())?;
            "/0".to_string()
        }
        None => format!("{member_name}/"),
    };
    append_member(&mut bytes, &header_name, object)?;
    Ok(bytes)
}

/// A member's header (60 bytes), data and padding to an even offset.
fn padded_member_size(data_len: usize) -> usize {
    60 + data_len + data_len % 2
}

fn append_member(archive: &mut Vec<u8>, name: &str, data: &[u8]) -> Result<(), LinkError> {
    // The size field holds ten decimal digits.
    if data.len() as u64 >= 10_000_000_000 {
        return Err(error("the static library's member is too large"));
    }
    // Timestamp, owner and group are zero so that the same input gives the same archive.
    let header = format!("{name:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n", 0, 0, 0, 644, data.len());
    archive.extend(header.as_bytes());
    archive.extend(data);
    if data.len() % 2 == 1 {
        archive.push(b'\n');
    }
    Ok(())
}

/// Writes `bytes` to a temporary file beside `output` (mode 0666 less the umask, as a file any
/// tool creates) and renames it over `output`.
pub fn write_atomically(output: &Path, bytes: &[u8]) -> Result<(), LinkError> {
    use std::os::unix::fs::PermissionsExt;
    let (dir, temp_prefix) = link::temp_beside(output);
    let cannot_write = |e| LinkError::io(&format!("cannot write {}", output.display()), e);
    let mut file = tempfile::Builder::new()
        .prefix(&temp_prefix)
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(cannot_write)?;
    file.write_all(bytes).map_err(cannot_write)?;
    file.persist(output).map_err(|e| cannot_write(e.error))?;
    Ok(())
}
