//! The generated C header: the embedding API of one library build, documented where declared.
//! Its common part (trap codes, value types, results, WASI grants) is guarded so that headers of
//! several libraries can be included in one file; the layouts there match the runtime's
//! `w2n_result` and `w2n_api_*` structs (runtime-lib/include/wasm2native.h).

use super::{fixed, CSignature, CType, ImportBinding, ResultPassing, Surface};
use crate::abi::TrapCode;
use std::fmt::Write;

const COMMON: &str = r#"#ifndef WASM2NATIVE_API_COMMON_4
#define WASM2NATIVE_API_COMMON_4
/* Shared by every wasm2native library header. */

@TRAP_ENUM@
/* A v128 value, lane bytes in memory order. */
typedef struct wasm2native_v128 {
    uint8_t bytes[16];
} wasm2native_v128;

/* A function reference, opaque to C; NULL is ref.null. Valid while its instance lives. */
typedef struct wasm2native_funcref_ *wasm2native_funcref;
/* An external reference: any pointer of the embedder, passed through untouched. */
typedef void *wasm2native_externref;
/* An exception reference (exnref), opaque to C; NULL is ref.null. */
typedef const struct wasm2native_exception_ *wasm2native_exnref;

/* wasm2native_memory_fault.memory when the memory's index is not known. */
#define WASM2NATIVE_UNKNOWN_MEMORY 0xffffffffu

/* Where an out-of-bounds memory access went. */
typedef struct wasm2native_memory_fault {
    /* The access's Wasm address (its address operand plus static offset, saturating at
     * UINT64_MAX); with --bounds-checks=guard, the address of the byte that faulted. */
    uint64_t address;
    uint64_t memory_size; /* the memory's size in bytes at the trap */
    uint32_t memory;      /* the memory's index, or WASM2NATIVE_UNKNOWN_MEMORY */
    uint32_t length;      /* the access's bytes; 0 when not known (guard mode) */
    uint32_t known;       /* 1 when the fields above are filled in; 0 for bulk memory operators */
    uint32_t pad;
} wasm2native_memory_fault;

/* One Wasm frame of a trap's backtrace. A string is NULL when not known. */
typedef struct wasm2native_frame {
    const char *function; /* the function's name (name section), or wasm_func_INDEX */
    const char *module;   /* the module's file name, as the line tables give it */
    uint32_t offset;      /* module offset of the operator the frame was at; 0 when not known */
    uint32_t source_line; /* the source line, where the module's own DWARF gave one; else 0 */
    const char *source_file; /* that line's file; NULL when not known (debugging.md) */
} wasm2native_frame;

/* The outcome of creating an instance or of its last call. */
typedef struct wasm2native_result {
    uint32_t trap;       /* a wasm2native_trap; NONE with a message means a link error */
    int32_t exit_status; /* with WASM2NATIVE_TRAP_EXIT */
    char message[256];   /* the spec's trap message, the import's message, or the link error */
    /* With WASM2NATIVE_TRAP_UNCAUGHT_EXCEPTION: the exception, read through the tag functions
     * (PREFIX_TAG_caught); valid until the instance's next call or its end. */
    wasm2native_exnref exception;
    /* With WASM2NATIVE_TRAP_MEMORY_OUT_OF_BOUNDS: the access that was out of bounds. */
    wasm2native_memory_fault fault;
    /* PREFIX_last_trap only: the trap's Wasm frames, innermost first (none when the environment
     * variable WASM2NATIVE_BACKTRACE is 0 or off); owned by the instance, valid until its next
     * call or its end. frames_truncated is 1 when the stack was deeper than the runtime walks. */
    const wasm2native_frame *frames;
    uint32_t num_frames;
    uint32_t frames_truncated;
} wasm2native_result;

/* wasm2native_wasi_dir.flags: the program may read and list the directory, but change nothing
 * under it (creating, writing, truncating, renaming, linking, removing and setting times are
 * refused with EPERM). */
#define WASM2NATIVE_WASI_DIR_READ_ONLY 1u

/* A host directory granted to a WASI program under the name it sees. */
typedef struct wasm2native_wasi_dir {
    const char *host_path;
    const char *guest_path;
    uint32_t flags; /* WASM2NATIVE_WASI_DIR_READ_ONLY, or 0 */
} wasm2native_wasi_dir;

/*
 * What the runtime's WASI shows a program: arguments, environment and granted directories; the
 * strings are copied when the instance is created. Standard streams are the process's own.
 * Nothing else of the host file system is reachable.
 */
typedef struct wasm2native_wasi {
    int argc;
    const char *const *argv;          /* argv[0] is the program's name */
    const char *const *env;           /* "NAME=value" strings, NULL-terminated; NULL for none */
    const wasm2native_wasi_dir *dirs; /* preopened as fds 3, 4, ... in this order */
    size_t num_dirs;
} wasm2native_wasi;

#if defined(__GNUC__) || defined(__clang__)
#define WASM2NATIVE_NORETURN __attribute__((noreturn))
#else
#define WASM2NATIVE_NORETURN
#endif
#endif /* WASM2NATIVE_API_COMMON_4 */
"#;

/// Renders the header for `surface`; `source` names the module file in the opening comment.
pub fn render(surface: &Surface, source: &str) -> String {
    let p = &surface.prefix;
    let instance = surface.fixed(fixed::INSTANCE);
    let guard = format!("WASM2NATIVE_{}_H", p.to_ascii_uppercase());
    let mut out = String::new();
    let _ = write!(
        out,
        r#"/*
 * {p}: the C API of the WebAssembly module {source}, generated by wasm2native {version}.
 * Link the library built with it, e.g. `cc app.c lib{p}.a -lm -lpthread`.
 *
 * Every call below runs the module's code in its sandbox: it reaches only its own linear memory,
 * its tables and globals, and the imports given to it. A trap does not unwind through your code:
 * the export returns its wasm2native_trap code and {p}_last_trap() holds the message; the instance
 * stays usable. Instances are independent (each has its own memory); one instance must not be
 * used by two threads at once, separate instances may run on separate threads.
 *
 *     {instance} *instance = {p}_new(NULL, &result);   // NULL: no context, linked imports
 *     if (!instance) fprintf(stderr, "%s\n", result.message);
 *     ...call exports...
 *     {p}_free(instance);
 */
#ifndef {guard}
#define {guard}

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {{
#endif

{COMMON}
/* An instance of the module. */
typedef struct {instance} {instance};

"#,
        version = env!("CARGO_PKG_VERSION"),
    );
    out = out.replace("@TRAP_ENUM@", &trap_enum());
    render_imports(&mut out, surface);
    render_lifecycle(&mut out, surface);
    render_exports(&mut out, surface);
    render_tags(&mut out, surface);
    let _ = write!(out, "#ifdef __cplusplus\n}}\n#endif\n\n#endif /* {guard} */\n");
    out
}

/// `wasm2native_trap`, from the one trap list in `abi`.
fn trap_enum() -> String {
    let mut text = String::from(
        "/* Why a call ended: WASM2NATIVE_TRAP_NONE when it returned normally. HOST is raised by an\n \
         * import through PREFIX_trap, EXIT by WASI proc_exit (see exit_status). */\n\
         typedef enum wasm2native_trap {\n    WASM2NATIVE_TRAP_NONE = 0",
    );
    for code in TrapCode::ALL {
        let _ = write!(text, ",\n    WASM2NATIVE_TRAP_{} = {}", code.c_name(), code as u32);
    }
    text.push_str("\n} wasm2native_trap;\n");
    text
}

/// `TYPE name` for a parameter or field.
fn declare(ty: CType, name: &str) -> String {
    format!("{} {name}", ty.c_name())
}

/// Value parameters `p0`, ... (`letter` `p`): by value, or by pointer for v128.
fn value_params(types: &[CType], letter: char) -> Vec<String> {
    types
        .iter()
        .enumerate()
        .map(|(i, ty)| match ty.by_value() {
            true => declare(*ty, &format!("{letter}{i}")),
            false => format!("const {} *{letter}{i}", ty.c_name()),
        })
        .collect()
}

/// The parameter list after the leading ones: values, then where results go.
fn params(signature: &CSignature, results_name: &str, import: bool) -> String {
    let mut list = value_params(&signature.params, 'p');
    match &signature.passing {
        ResultPassing::None => {}
        ResultPassing::Single(ty) if !import => {
            list.push(format!("{} *{results_name}", ty.c_name()))
        }
        ResultPassing::Single(_) => {}
        ResultPassing::OutPointer(ty) => list.push(format!("{} *{results_name}", ty.c_name())),
        ResultPassing::Struct(s) => list.push(format!("{} *{results_name}", s.name)),
    }
    list.join(", ")
}

/// The struct of several results (fields `r0`, ...) or payload values (`field` `v`).
fn results_struct(out: &mut String, signature: &CSignature, field: char) {
    if let ResultPassing::Struct(s) = &signature.passing {
        let fields: String = signature
            .results
            .iter()
            .enumerate()
            .map(|(i, ty)| format!("    {};\n", declare(*ty, &format!("{field}{i}"))))
            .collect();
        let _ = write!(out, "typedef struct {name} {{\n{fields}}} {name};\n", name = s.name);
    }
}

fn wasm_signature(signature: &CSignature) -> String {
    let names =
        |types: &[CType]| types.iter().map(|t| t.wasm_name()).collect::<Vec<_>>().join(", ");
    format!("({}) -> ({})", names(&signature.params), names(&signature.results))
}

/// The import functions' prototypes and the `PREFIX_imports` struct.
fn render_imports(out: &mut String, surface: &Surface) {
    let instance = surface.fixed(fixed::INSTANCE);
    let mut fields = String::new();
    let mut host_functions = String::new();
    let mut wasi_functions = String::new();
    for import in &surface.imports {
        match import {
            ImportBinding::Func { module, name, field, symbol, signature, wasi, .. } => {
                results_struct(out, signature, 'r');
                let ret = match &signature.passing {
                    ResultPassing::Single(ty) => ty.c_name(),
                    _ => "void",
                };
                let rest = params(signature, "results", true);
                let rest = if rest.is_empty() { rest } else { format!(", {rest}") };
                let target = if *wasi { &mut wasi_functions } else { &mut host_functions };
                let _ = write!(
                    target,
                    "/* import \"{module}\" \"{name}\": {} */\n{ret} {symbol}({instance} *instance, void *context{rest});\n",
                    wasm_signature(signature)
                );
                let _ = writeln!(
                    fields,
                    "    {ret} (*{field})({instance} *instance, void *context{rest});"
                );
            }
            ImportBinding::Global { module, name, field, ty, mutable, .. } => {
                let kind = if *mutable { "mutable global" } else { "global" };
                let _ = writeln!(fields, "    const {} *{field}; /* {kind} \"{module}\" \"{name}\": its initial value */", ty.c_name());
            }
            ImportBinding::Created { .. } => {}
        }
    }
    if !host_functions.is_empty() {
        let _ = write!(
            out,
            "/*\n * Functions the module imports. Define them in your program, or give them at run time in\n \
             * {imports}; `context` is the one given to {new}, `instance` the calling instance (read its\n \
             * memory through the accessors below). To fail, call {trap}(instance, message).\n */\n{host_functions}\n",
            imports = surface.fixed(fixed::IMPORTS),
            new = surface.fixed(fixed::NEW),
            trap = surface.fixed(fixed::TRAP),
        );
    }
    if !wasi_functions.is_empty() {
        let _ = write!(
            out,
            "/*\n * WASI functions the module imports. The runtime supplies them (see wasm2native_wasi) unless\n \
             * you define one of these or give it in {}.\n */\n{wasi_functions}\n",
            surface.fixed(fixed::IMPORTS)
        );
    }
    for import in &surface.imports {
        if let ImportBinding::Created { module, name, kind } = import {
            let _ = writeln!(out, "/* import \"{module}\" \"{name}\" ({kind:?}): created for each instance from its declared type. */");
        }
    }
    if surface.num_slots == 0 {
        fields.push_str("    void *unused; /* the module imports no function or global */\n");
    }
    let _ = write!(
        out,
        "/* Imports given at run time: a NULL function is the linked one (or, for WASI, the runtime's). */\n\
         typedef struct {name} {{\n{fields}}} {name};\n\n",
        name = surface.fixed(fixed::IMPORTS)
    );
}

/// Creation, destruction, traps and build information.
fn render_lifecycle(out: &mut String, surface: &Surface) {
    let f = |name| surface.fixed(name);
    let (instance, config, imports) = (f(fixed::INSTANCE), f(fixed::CONFIG), f(fixed::IMPORTS));
    let _ = write!(
        out,
        r#"/* How to create an instance; all fields may be zero / NULL. */
typedef struct {config} {{
    void *context;                /* your pointer, passed to every import */
    const {imports} *imports;     /* run-time imports, or NULL */
    const wasm2native_wasi *wasi; /* the runtime's WASI: NULL gives no arguments, environment or directories */
}} {config};

/*
 * Creates an instance: binds imports, creates its memories, tables and globals, runs the start
 * function and, for a WASI reactor, `_initialize`. Returns NULL on failure, with `result` (if not
 * NULL) telling why: a link error (trap NONE) or a trap.
 */
{instance} *{new}(const {config} *config, wasm2native_result *result);
/* Frees an instance and everything it owns. NULL is ignored. */
void {free}({instance} *instance);
/* The outcome of the instance's last call: its trap code, message, WASI exit status, the access
 * of an out-of-bounds trap and the trap's backtrace (frames read on the first call after it). */
const wasm2native_result *{last_trap}(const {instance} *instance);
/* The `context` given at creation. */
void *{context}(const {instance} *instance);
/* Ends the current call with WASM2NATIVE_TRAP_HOST and `message`; only from inside an import. */
WASM2NATIVE_NORETURN void {trap}({instance} *instance, const char *message);
/* How this library was built: compiler and LLVM versions, target, options (text lines). */
const char *{build_info}(void);

"#,
        new = f(fixed::NEW),
        free = f(fixed::FREE),
        last_trap = f(fixed::LAST_TRAP),
        context = f(fixed::CONTEXT),
        trap = f(fixed::TRAP),
        build_info = f(fixed::BUILD_INFO),
    );
}

/// Exported functions, memories, globals and tables.
fn render_exports(out: &mut String, surface: &Surface) {
    let instance = surface.fixed(fixed::INSTANCE);
    if !surface.functions.is_empty() {
        out.push_str(
            "/*\n * Exported functions. Each returns WASM2NATIVE_TRAP_NONE and stores its results (when the\n \
             * pointer is not NULL), or returns the trap that ended it.\n */\n",
        );
    }
    for function in &surface.functions {
        results_struct(out, &function.signature, 'r');
        let rest = params(&function.signature, "result", false);
        let rest = if rest.is_empty() { rest } else { format!(", {rest}") };
        let _ = write!(
            out,
            "/* export \"{}\": {} */\nwasm2native_trap {}({instance} *instance{rest});\n",
            function.export_name,
            wasm_signature(&function.signature),
            function.symbol
        );
    }
    for memory in &surface.memories {
        let _ = write!(
            out,
            "\n/* export \"{name}\": linear memory. The base may move when the memory grows (any call\n \
             * may grow it): fetch it again after each call. `_at` is the address of [offset, offset +\n \
             * length) when that range lies inside the memory, else NULL. */\n\
             uint8_t *{data}({instance} *instance);\nuint64_t {size}({instance} *instance); /* in bytes */\n\
             void *{at}({instance} *instance, uint64_t offset, uint64_t length);\n",
            name = memory.export_name,
            data = memory.data,
            size = memory.size,
            at = memory.at,
        );
    }
    for global in &surface.globals {
        let constness = if global.mutable { "" } else { "const " };
        if let (CType::ExnRef, Some(keep)) = (global.ty, &surface.exnref_keep) {
            let _ = write!(
                out,
                "\n/* An exnref read from this cell stays valid until Wasm runs again, unless kept with\n \
                 * {keep}: the runtime frees the exceptions nothing in Wasm reaches any more. */",
            );
        }
        let _ = write!(
            out,
            "\n/* export \"{}\": a {}global; the pointer stays valid while the instance lives. */\n{constness}{} *{}({instance} *instance);\n",
            global.export_name,
            if global.mutable { "mutable " } else { "" },
            global.ty.c_name(),
            global.symbol
        );
    }
    if let Some(keep) = &surface.exnref_keep {
        let _ = write!(
            out,
            "\n/* Keeps an exnref read from a global for as long as the process lives. */\nvoid {keep}(wasm2native_exnref exnref);\n"
        );
    }
    for table in &surface.tables {
        let elem = table.elem.c_name();
        let _ = write!(
            out,
            "\n/* export \"{}\": a table of {elem}; `_get` gives NULL past the end. */\n\
             uint32_t {}({instance} *instance);\n{elem} {}({instance} *instance, uint32_t index);\n",
            table.export_name, table.size, table.get
        );
        if let Some(set) = &table.set {
            let _ = writeln!(out, "/* 0, or -1 when `index` is past the end. */\nint {set}({instance} *instance, uint32_t index, {elem} value);");
        }
    }
    out.push('\n');
}

/// Per tag, its payload struct, `_throw` and `_caught`.
fn render_tags(out: &mut String, surface: &Surface) {
    if surface.tags.is_empty() {
        return;
    }
    let instance = surface.fixed(fixed::INSTANCE);
    out.push_str(
        "/*\n * Exception tags. An export that ends with an exception nothing caught returns\n \
         * WASM2NATIVE_TRAP_UNCAUGHT_EXCEPTION; `_caught` tells whether its tag is this one (1, else 0)\n \
         * and, when `payload` is not NULL, copies its values there. `_throw`, only from inside an\n \
         * import (not a WASI one), throws an exception of the tag into the Wasm code that called the\n \
         * import: return from the import right after it (its results are then ignored).\n */\n",
    );
    for tag in &surface.tags {
        let payload = &tag.payload;
        let types: Vec<&str> = payload.params.iter().map(|t| t.wasm_name()).collect();
        let _ = writeln!(out, "/* {} tag, payload ({}) */", tag.origin, types.join(", "));
        results_struct(out, payload, 'v');
        let values: String =
            value_params(&payload.params, 'v').iter().map(|v| format!(", {v}")).collect();
        let payload_out = match &payload.passing {
            ResultPassing::None => String::new(),
            ResultPassing::Single(ty) | ResultPassing::OutPointer(ty) => {
                format!(", {} *payload", ty.c_name())
            }
            ResultPassing::Struct(s) => format!(", {} *payload", s.name),
        };
        let _ = write!(
            out,
            "void {}({instance} *instance{values});\nint {}(const {instance} *instance{payload_out});\n",
            tag.throw, tag.caught
        );
    }
    out.push('\n');
}
