/*
 * wasm2native runtime ABI: the one C definition of what compiled modules and the runtime share.
 * Its Rust twin is compiler/abi/ (and the FFI declarations of compiler/runtime/ffi.rs);
 * tests/abi.rs compiles static assertions made from the Rust side against this header, so the
 * two cannot drift.
 *
 * Calling convention of a compiled function (defined or imported):
 *     RESULT fn(w2n_instance *vmctx, PARAMS...)        -- the Wasm calling convention
 * with i32 -> int32_t, i64 -> int64_t, f32 -> float, f64 -> double, funcref/externref -> pointer.
 * A function with no result returns void. The instance pointer is always the first argument.
 * The Wasm calling convention is LLVM's `tailcc`, so that tail calls (return_call*) between any
 * two signatures run in constant stack: it passes arguments as the C convention does, but the
 * callee pops its stack arguments, so C cannot define or call such a function portably.
 *
 * Host functions are C: their w2n_funcref.code has the C convention with the same parameters.
 * When an instance imports one, the runtime keeps the host's funcref in instance->host_funcs and
 * binds a view in its place: a funcref of the importing instance whose code (module->func_code
 * of the import) is a compiled adapter in the Wasm convention that calls the host's code. So
 * every funcref compiled code can reach (instance->funcs, tables, ref.func) has Wasm-convention
 * code. A host funcref reaches compiled code only as an import: a host function passed to Wasm
 * any other way (a table or global set by the host, an argument) must be an instance's export.
 *
 * Every export and every function reachable from outside also has an "array call" entry:
 *     void array_fn(w2n_instance *vmctx, w2n_value *args_and_results)
 * which reads its parameters from the slots in order and writes its results over them from slot 0.
 * It lets a host call any function without knowing its signature at build time.
 *
 * Traps: compiled code calls w2n_trap(code), or w2n_trap_memory for a failed bounds check, which
 * never return; they longjmp to the innermost w2n_call / w2n_instantiate of the current thread,
 * which reports the trap to its caller.
 */
#ifndef WASM2NATIVE_H
#define WASM2NATIVE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define W2N_ABI_VERSION 7u
#define W2N_PAGE_SIZE 65536u
#define W2N_MAX_PAGES 65536u /* 4 GiB of 32-bit linear memory */
/*
 * The most pages a 32-bit memory holds: 4 GiB less one page. The spec lets any memory.grow fail;
 * this one fails at the last page, so that a wrapped address `p - k` (k at most a page) is never
 * in bounds, and code compiled with explicit checks can check `p - k` and `p` with one compare.
 */
#define W2N_MAX_USABLE_PAGES 65535u
/* The most a 64-bit memory can grow to here: 256 TiB, beyond any host's address space. */
#define W2N_MAX_PAGES64 ((uint64_t)1 << 32)
/*
 * Inaccessible address space after those 4 GiB in a guarded memory's reservation. Code compiled
 * with --bounds-checks=guard checks only accesses whose static offset plus size exceeds it; the
 * others fault in the guard when out of bounds, and the runtime turns that into the trap.
 */
#define W2N_MEMORY_GUARD_BYTES ((uint64_t)1 << 32)

/* ---------------------------------------------------------------- traps ---- */

/* One trap enum for compiler and runtime; messages are the spec's (w2n_trap_message). */
typedef enum w2n_trap_code {
    W2N_TRAP_NONE = 0,
    W2N_TRAP_UNREACHABLE = 1,
    W2N_TRAP_MEMORY_OUT_OF_BOUNDS = 2,
    W2N_TRAP_INTEGER_DIVIDE_BY_ZERO = 3,
    W2N_TRAP_INTEGER_OVERFLOW = 4,
    W2N_TRAP_INVALID_CONVERSION = 5,
    W2N_TRAP_UNDEFINED_ELEMENT = 6,
    W2N_TRAP_UNINITIALIZED_ELEMENT = 7,
    W2N_TRAP_INDIRECT_CALL_TYPE_MISMATCH = 8,
    W2N_TRAP_STACK_EXHAUSTED = 9,
    W2N_TRAP_TABLE_OUT_OF_BOUNDS = 10,
    W2N_TRAP_NULL_REFERENCE = 11,
    W2N_TRAP_HOST = 12, /* raised by a host function; message given by the host */
    W2N_TRAP_EXIT = 13, /* WASI proc_exit: not an error, carries the exit status */
    W2N_TRAP_NULL_FUNCTION_REFERENCE = 14,
    W2N_TRAP_UNCAUGHT_EXCEPTION = 15, /* an exception left the outermost Wasm frame */
    W2N_TRAP_NULL_EXCEPTION_REFERENCE = 16,
    W2N_TRAP_COUNT
} w2n_trap_code;

/* ---------------------------------------------------------------- values --- */

/* Value type codes, also the characters of a signature string (see w2n_type_sig). */
#define W2N_TYPE_I32 'i'
#define W2N_TYPE_I64 'I'
#define W2N_TYPE_F32 'f'
#define W2N_TYPE_F64 'F'
#define W2N_TYPE_V128 'v'
#define W2N_TYPE_FUNCREF 'r'
#define W2N_TYPE_EXTERNREF 'e'
#define W2N_TYPE_EXNREF 'x' /* an exception reference: a w2n_exception * */

/*
 * W2N_REF_TYPE: a reference type in full, as typed function references write it: the kind's
 * character, '!' when it cannot be null, and for a concrete type that type's signature string in
 * angle brackets: "r!<i:i>" is (ref $t) for $t = (func (param i32) (result i32)), "r" funcref,
 * "e!" (ref extern). Signature strings write typed references in parameters and results so too,
 * which makes them a canonical key of function types; hosts read only the kind characters.
 */

/* One slot of an array call and one global cell: 16 bytes so a v128 fits. */
typedef union w2n_value {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    uint8_t v128[16];
    void *ref; /* funcref: a w2n_funcref*, externref: the host's pointer; NULL is ref.null */
} w2n_value;

struct w2n_instance;
typedef struct w2n_instance w2n_instance;

typedef void (*w2n_array_fn)(w2n_instance *vmctx, w2n_value *args_and_results);

/*
 * A function value: what funcref values, table elements and function imports point to.
 * `vmctx` is passed as the first argument to `code` (the callee's instance, or a host context).
 */
typedef struct w2n_funcref {
    void *code;              /* native entry, calling convention above */
    w2n_array_fn array_code; /* array entry, may be NULL for functions never called from a host */
    uint32_t type_id;        /* canonical signature id from w2n_intern_signature */
    uint32_t reserved;
    void *vmctx;
} w2n_funcref;

/* ------------------------------------------------------- runtime objects --- */

typedef struct w2n_memory {
    uint8_t *base;      /* linear memory; valid for `size` bytes; guarded ones never move */
    uint64_t size;      /* current size in bytes, a multiple of W2N_PAGE_SIZE */
    uint64_t max_pages; /* declared maximum, or W2N_MAX_PAGES (W2N_MAX_PAGES64 if 64-bit) */
    uint64_t reserved;  /* bytes of address space reserved at base (runtime-private) */
} w2n_memory;

typedef struct w2n_table {
    void **elements; /* `size` references */
    uint32_t size;
    uint32_t max;      /* declared maximum, or UINT32_MAX */
    uint32_t capacity; /* runtime-private */
    uint8_t elem_type; /* W2N_TYPE_FUNCREF or W2N_TYPE_EXTERNREF */
    uint8_t address64; /* a table64 table: indices are i64 (the size stays below 2^32) */
    uint8_t pad[2];
    const char *ref_type; /* the element type in full (W2N_REF_TYPE), NULL for funcref/externref */
} w2n_table;

typedef w2n_value w2n_global; /* a global is one 16-byte cell */

/*
 * An exception tag (exception handling). Its identity is its address: an imported tag is the
 * exporter's object, so two instances throw and catch the same tag only through an import.
 */
typedef struct w2n_tag {
    const char *signature; /* the payload: "PARAMS:" as a signature string */
    void *owner;           /* the instance that defined it, or the host's pointer */
} w2n_tag;

/*
 * An exception: its tag and payload, one value slot per parameter of the tag. An `exnref` is a
 * pointer to one. Compiled code reads the fields at the offsets of compiler/abi/mod.rs
 * (`exception`); see docs/exceptions.md for how exceptions travel and when they are freed.
 */
typedef struct w2n_exception {
    const w2n_tag *tag;
    uint32_t holders; /* W2N_EXCEPTION_*: who may still read it; a catch frees it when none */
    uint32_t num_values;
    w2n_value values[];
} w2n_exception;

/* Holders (w2n_exception_hold, w2n_exnref_pin): an exception with any is freed by a collection
 * that finds it unreachable (exnref, legacy catch) or never (result, pinned), not by a catch. */
#define W2N_EXCEPTION_EXNREF 1u       /* handed out as an exnref */
#define W2N_EXCEPTION_LEGACY_CATCH 2u /* held by a legacy catch clause, for rethrow (counted) */
#define W2N_EXCEPTION_RESULT 4u       /* a w2n_result reports it as uncaught */
#define W2N_EXCEPTION_PINNED 8u       /* reached the host as a value */

/*
 * The instance. Compiled code reads only the fields before `runtime_private`, at the offsets
 * named in compiler/abi/mod.rs (checked by tests/abi.rs).
 */
struct w2n_instance {
    const struct w2n_module *module; /* 0 */
    uintptr_t stack_limit;           /* 8: lowest native stack address compiled code may use */
    w2n_memory **memories;        /* 16: per memory index, imported ones point at the exporter's */
    w2n_table **tables;           /* 24 */
    w2n_global **globals;         /* 32 */
    w2n_funcref **funcs;          /* 40: per function index; imports bound here */
    uint32_t *type_ids;           /* 48: canonical signature id per type index */
    void ***elem_segments;        /* 56: evaluated element segments (refs) */
    uint32_t *elem_segment_sizes; /* 64: 0 once dropped */
    uint32_t *data_segment_sizes; /* 72: 0 once dropped */
    void *host_data;              /* 80: the embedder's pointer, untouched by the runtime */
    w2n_funcref *host_funcs;      /* 88: per imported function bound to host code (see above) */
    w2n_tag **tags;               /* 96: per tag index, imported ones point at the exporter's */
    void *runtime_private;        /* 104 */
};

/* ----------------------------------------------- the compiled module --- */

typedef enum w2n_extern_kind {
    W2N_EXTERN_FUNC = 0,
    W2N_EXTERN_TABLE = 1,
    W2N_EXTERN_MEMORY = 2,
    W2N_EXTERN_GLOBAL = 3,
    W2N_EXTERN_TAG = 4,
} w2n_extern_kind;

typedef struct w2n_limits {
    uint64_t min;
    uint64_t max; /* valid when has_max */
    uint8_t has_max;
    uint8_t address64; /* a 64-bit memory or table (memory64, table64) */
    uint8_t pad[6];
} w2n_limits;

typedef struct w2n_table_type {
    w2n_limits limits;
    uint8_t elem_type;
    uint8_t pad[7];
    const char *ref_type; /* the element type in full (W2N_REF_TYPE), NULL for funcref/externref */
} w2n_table_type;

typedef struct w2n_global_type {
    uint8_t value_type; /* a W2N_TYPE_* character */
    uint8_t mutable_;
    uint8_t pad[6];
    const char *ref_type; /* a reference's type in full (W2N_REF_TYPE); NULL: funcref, externref */
} w2n_global_type;

/*
 * Names are UTF-8 with an explicit length, since a Wasm name may contain NUL bytes; a NUL is
 * stored after each one too, for printing.
 */
typedef struct w2n_import {
    const char *module;
    const char *name;
    uint32_t module_len;
    uint32_t name_len;
    uint32_t kind;  /* w2n_extern_kind */
    uint32_t index; /* index in its own index space (function, table, memory or global index) */
} w2n_import;

typedef struct w2n_export {
    const char *name;
    uint32_t name_len;
    uint32_t kind; /* w2n_extern_kind */
    uint32_t index;
    uint32_t pad;
} w2n_export;

typedef struct w2n_data_segment {
    const uint8_t *bytes;
    uint32_t size;
    uint32_t pad;
} w2n_data_segment;

/*
 * The descriptor a compiled module exports (symbol W2N_MODULE_SYMBOL). Index spaces put imports
 * first, as Wasm does; per-index arrays cover imports too unless said otherwise.
 */
typedef struct w2n_module {
    uint32_t abi_version;
    uint32_t num_types;
    const char *const *type_signatures; /* "PARAMS:RESULTS", one W2N_TYPE_* char per value */
    uint32_t num_imports;
    uint32_t num_exports;
    const w2n_import *imports;
    const w2n_export *exports;
    uint32_t num_funcs; /* imported + defined */
    uint32_t num_imported_funcs;
    const uint32_t *func_types; /* type index per function */
    void *const *func_code;     /* Wasm-convention entry per function; for imports, the view's */
    const w2n_array_fn *func_array_code; /* array entry per function; NULL where not generated */
    uint32_t num_tables;
    uint32_t num_imported_tables;
    const w2n_table_type *tables;
    uint32_t num_memories;
    uint32_t num_imported_memories;
    const w2n_limits *memories; /* in pages */
    uint32_t num_globals;
    uint32_t num_imported_globals;
    const w2n_global_type *globals;
    uint32_t num_data_segments;
    uint32_t num_elem_segments;
    const w2n_data_segment *data_segments;
    const uint32_t *elem_segment_sizes; /* initial length of each element segment */
    int64_t start_func;                 /* function index, or -1 */
    /*
     * Generated: evaluates global initialisers, fills instance->elem_segments, applies active
     * element and data segments in order (trapping through w2n_trap as Wasm 2.0 says) and drops
     * active and declarative segments. Runs under the trap handler of w2n_instantiate.
     */
    void (*initialize)(w2n_instance *vmctx);
    /*
     * Non-zero when the code relies on guard reservations (--bounds-checks=guard): every memory
     * the instance defines or, in a library build, makes for an import is guarded, and an import
     * may only be bound to a guarded memory.
     */
    uint32_t memory_guard;
    uint32_t num_tags; /* imported + defined */
    uint32_t num_imported_tags;
    uint32_t pad;
    const uint32_t *tag_types; /* type index per tag (a function type with no results) */
} w2n_module;

#define W2N_MODULE_SYMBOL "wasm2native_module"

/* -------------------------- runtime functions called by compiled code --- */
/* The Rust list of these is compiler/abi/mod.rs (RuntimeFn); tests/abi.rs checks each one. */

/* Ends the current Wasm call with a trap; never returns. */
_Noreturn void w2n_trap(uint32_t code);
/*
 * Ends the current Wasm call with W2N_TRAP_MEMORY_OUT_OF_BOUNDS for an access of `length` bytes
 * at `address + offset` in memory `memory_index` (a failed explicit check), which the result's
 * `fault` then describes. The address and the memory's size in bytes are in the thread-local
 * words `uint64_t w2n_trap_access[2]` (declared in the runtime, as w2n_exception_in_flight
 * below), which compiled code stores first: a store takes any register, where an argument would
 * tie the values to the call's registers on the path that does not trap too. A check that covers
 * several accesses to one address names the one reaching farthest (docs/debugging.md).
 */
_Noreturn void w2n_trap_memory(uint32_t memory_index, uint64_t offset, uint32_t length);
/* The words of w2n_trap_access; compiler/abi/mod.rs (`trap_access`) is their Rust twin. */
#define W2N_TRAP_ACCESS_ADDRESS 0
#define W2N_TRAP_ACCESS_MEMORY_SIZE 1
#define W2N_TRAP_ACCESS_WORDS 2
/*
 * The memory functions take addresses and lengths as 64-bit values for memories of both address
 * types; compiled code zero-extends a 32-bit memory's.
 * memory.grow: returns the old size in pages, or -1 (and leaves memory as it was).
 */
int64_t w2n_memory_grow(w2n_instance *vmctx, uint32_t memory_index, uint64_t delta_pages);
/* memory.init / data segment application: traps on out of bounds before writing anything. */
void w2n_memory_init(w2n_instance *vmctx, uint32_t memory_index, uint32_t data_index, uint64_t dst,
                     uint32_t src, uint32_t len);
void w2n_data_drop(w2n_instance *vmctx, uint32_t data_index);
/* table.init / element segment application; traps "out of bounds table access". */
void w2n_table_init(w2n_instance *vmctx, uint32_t table_index, uint32_t elem_index, uint32_t dst,
                    uint32_t src, uint32_t len);
void w2n_elem_drop(w2n_instance *vmctx, uint32_t elem_index);
void w2n_table_copy(w2n_instance *vmctx, uint32_t dst_table, uint32_t src_table, uint32_t dst,
                    uint32_t src, uint32_t len);
/* table.grow: old size or -1. */
int32_t w2n_table_grow(w2n_instance *vmctx, uint32_t table_index, void *init, uint32_t delta);
void w2n_table_fill(w2n_instance *vmctx, uint32_t table_index, uint32_t dst, void *value,
                    uint32_t len);
/*
 * The exception in flight on this thread is the thread-local `w2n_exception *` named
 * w2n_exception_in_flight (declared in the runtime, not here: C99 and C++ spell thread-locals
 * differently), NULL when none. `throw` sets it; compiled code tests it after each call that can
 * throw and goes to its handler, whose matching catch clears it; w2n_call turns one still set
 * when Wasm returns into W2N_TRAP_UNCAUGHT_EXCEPTION.
 */
/* throw: puts in flight an exception of vmctx->tags[tag_index] with the payload in `values`. */
void w2n_throw(w2n_instance *vmctx, uint32_t tag_index, const w2n_value *values);
/* A catch is done with the exception: freed unless something still holds it (`holders`). */
void w2n_exception_release(w2n_exception *exception);
/* A catch_ref clause (holder W2N_EXCEPTION_EXNREF) or a legacy catch clause (LEGACY_CATCH) takes
 * the exception; it is freed by a collection once nothing reaches it (docs/exceptions.md). */
void w2n_exception_hold(w2n_exception *exception, uint32_t holder);
/* A legacy catch clause reached its end: frees the exception when nothing else holds it. */
void w2n_exception_end_legacy(w2n_exception *exception);

/* ------------------------------------------------------- embedding API --- */

/* Interns a signature string ("ii:i") to a process-wide id; equal strings give equal ids. */
uint32_t w2n_intern_signature(const char *signature);
/* The signature string of an interned id (valid for the life of the process), or NULL. */
const char *w2n_signature_of(uint32_t id);
/*
 * From a host function an instance imports: throws an exception of `tag` (any tag the host can
 * name: an instance's export) with the payload in `values`, one slot per parameter of the tag.
 * The host function then returns as usual (its results are ignored); the exception goes to the
 * caller's handlers as if the import had thrown it.
 */
void w2n_host_throw(const w2n_tag *tag, const w2n_value *values);
/*
 * The host keeps an exnref it was given (a result, a host function's argument, a table element):
 * the exception is never freed after this. Exnrefs the host reads from a global's cell directly
 * are valid only until Wasm next runs on a thread, unless pinned (a library: PREFIX_exnref_keep).
 */
void w2n_exnref_pin(const w2n_exception *exception);
/* The spec's message for a trap code. */
const char *w2n_trap_message(uint32_t code);

/* What an import is bound to. */
typedef struct w2n_extern {
    uint32_t kind; /* w2n_extern_kind */
    union {
        w2n_funcref *func;
        w2n_table *table;
        w2n_memory *memory;
        w2n_global *global;
        w2n_tag *tag;
    } of;
    /* For globals only: the type of the cell, checked against the import. */
    w2n_global_type global_type;
} w2n_extern;

/* Binds one import; returns 0 when found (filling *out), non-zero for "unknown import". */
typedef int (*w2n_resolver)(void *user, const w2n_import *import, w2n_extern *out);

/* w2n_memory_fault.memory when the trapping instance's index of the memory is not known. */
#define W2N_UNKNOWN_MEMORY 0xffffffffu

/* Where an out-of-bounds memory access went (w2n_result.fault). */
typedef struct w2n_memory_fault {
    /* The access's Wasm address (its operand plus static offset, saturating at UINT64_MAX); in
     * guard mode, the address of the byte that faulted. */
    uint64_t address;
    uint64_t memory_size; /* the memory's size in bytes at the trap */
    uint32_t memory;      /* its index in the trapping instance, or W2N_UNKNOWN_MEMORY */
    uint32_t length;      /* the access's bytes; 0 when not known (a fault in guard mode) */
    uint32_t known;       /* 1 when the fields above are filled in, else 0 */
    uint32_t pad;
} w2n_memory_fault;

/* One Wasm frame of a trap's backtrace (docs/debugging.md). Strings are NULL when not known. */
typedef struct w2n_frame {
    const char *function;    /* the function's name (name section), or wasm_func_INDEX */
    const char *module;      /* the module's file, as the line tables name it ("app.wasm") */
    uint32_t offset;         /* module offset of the operator the frame was at; 0 when not known */
    uint32_t source_line;    /* the module's own source line (DWARF of the producer); 0: none */
    const char *source_file; /* that line's file; NULL when not known */
} w2n_frame;

/* The outcome of an entry point: a trap code (W2N_TRAP_NONE on success) and a message. */
typedef struct w2n_result {
    uint32_t trap;
    int32_t exit_status; /* with W2N_TRAP_EXIT */
    char message[256];   /* trap message (the spec's, exactly), or the link error */
    /* With W2N_TRAP_UNCAUGHT_EXCEPTION: the exception (its tag and payload), the runtime's,
     * valid until the next exception leaves Wasm on this thread. */
    const w2n_exception *exception;
    /* With W2N_TRAP_MEMORY_OUT_OF_BOUNDS: the access (known == 0 from bulk memory operators). */
    w2n_memory_fault fault;
    /* The trap's Wasm frames, innermost first: filled in by w2n_api_last_trap (library builds),
     * NULL and 0 elsewhere. `frames_truncated` is 1 when native frames beyond the runtime's
     * limit were left out. */
    const w2n_frame *frames;
    uint32_t num_frames;
    uint32_t frames_truncated;
} w2n_result;

/*
 * Creates an instance: resolves and type-checks imports, allocates memories, tables and globals,
 * runs the module's initialize function and its start function. Returns NULL with `result` filled
 * in on a link error (result->trap == W2N_TRAP_NONE, message set) or a trap.
 */
w2n_instance *w2n_instantiate(const w2n_module *module, w2n_resolver resolver, void *user,
                              w2n_result *result);
void w2n_instance_free(w2n_instance *instance);
/*
 * Whether w2n_instantiate frees an instance whose start trapped (1): so it does when the module
 * imports only memories, since then nothing outside can hold a reference to the instance's
 * functions. Otherwise (0) the failed instance stays allocated, and the module's code must stay
 * loaded, for as long as the process runs.
 */
int w2n_failed_start_is_freed(const w2n_module *module);

/* Looks up an export by name (`name_len` bytes) and kind; returns 0 when found. */
int w2n_instance_export(w2n_instance *instance, const char *name, size_t name_len, uint32_t kind,
                        w2n_extern *out);

/*
 * Calls a function value through its array entry with a trap handler around it. `values` holds
 * the parameters and receives the results. Returns result->trap.
 */
uint32_t w2n_call(w2n_funcref *func, w2n_value *values, w2n_result *result);

/* Raises a trap from a host function (message copied); never returns. */
_Noreturn void w2n_host_trap(const char *message);

/*
 * Host-made memories and tables, to bind to imports. They live until the process ends (nothing
 * frees them). A memory of `min_pages`, growable to `max_pages` when `has_max`, else to
 * W2N_MAX_PAGES; a table of `min` null elements of `elem_type` (W2N_TYPE_FUNCREF or
 * W2N_TYPE_EXTERNREF), growable to `max` when `has_max`. NULL when allocation fails. A host
 * memory is guarded (see W2N_MEMORY_GUARD_BYTES), so any module may import it, unless the
 * address space has no room for that; then only modules with explicit checks may.
 */
w2n_memory *w2n_memory_new(uint64_t min_pages, uint64_t max_pages, int has_max);
w2n_table *w2n_table_new(uint8_t elem_type, uint32_t min, uint32_t max, int has_max);

/* ------------------------------------------------------- library builds --- */
/*
 * The runtime side of a library build (--emit obj|staticlib|shared): the generated C API
 * (PREFIX_new, PREFIX_free, PREFIX_f, ...) forwards to the w2n_api_* functions below. Each
 * instance has imports of its own: function imports call the embedder's functions, imported
 * globals, memories and tables are made for the instance alone, and WASI imports with no
 * function given go to a WASI context the instance owns. Different instances may be used on
 * different threads at once; one instance by one thread at a time.
 */

/* w2n_api_import.slot of an import with no field in the config's imports array. */
#define W2N_API_NO_SLOT 0xffffffffu
/* w2n_api_import.flags: a "wasi_snapshot_preview1" function the runtime provides by default. */
#define W2N_API_IMPORT_WASI 1u

/* How a library build binds one import; parallel to module->imports. */
typedef struct w2n_api_import {
    void *code;              /* func: generated adapter, native convention, vmctx = importer */
    w2n_array_fn array_code; /* func: its array entry */
    void *linked;            /* func: the embedder's link-time PREFIX_module_name, NULL if
                                undefined (a weak reference) */
    uint32_t slot;           /* index into the config's imports pointer array, or W2N_API_NO_SLOT */
    uint32_t flags;          /* W2N_API_IMPORT_WASI */
} w2n_api_import;

/* What a library build hands to w2n_api_new: the module, its imports, its build info string. */
typedef struct w2n_api_module {
    const w2n_module *module;
    const w2n_api_import *imports; /* one per module->imports entry */
    const char *build_info;        /* the record in section .wasm2native.build */
} w2n_api_module;

/* w2n_api_wasi_dir.flags: the program may read and list, but change nothing under the
 * directory (creating, writing, truncating, renaming, linking, removing, setting times are
 * refused with EPERM). */
#define W2N_WASI_DIR_READ_ONLY 1u

/* A host directory granted to WASI as the preopened directory `guest_path`. */
typedef struct w2n_api_wasi_dir {
    const char *host_path;
    const char *guest_path;
    uint32_t flags; /* W2N_WASI_DIR_READ_ONLY, or 0 */
} w2n_api_wasi_dir;

/* The WASI view of an instance (strings copied by w2n_api_new); the layout of wasm2native_wasi. */
typedef struct w2n_api_wasi {
    int argc;
    const char *const *argv;      /* argc strings; argv[0] is the program name */
    const char *const *env;       /* "NAME=value", NULL-terminated; NULL: empty */
    const w2n_api_wasi_dir *dirs; /* num_dirs of them, preopened as fds 3, 4, ... in order */
    size_t num_dirs;
} w2n_api_wasi;

/* Per-instance configuration; NULL stands for all zero. Same layout as PREFIX_config. */
typedef struct w2n_api_config {
    void *context;            /* passed to every import function; see w2n_api_context */
    void *const *imports;     /* PREFIX_imports seen as pointers, indexed by slot; NULL: none */
    const w2n_api_wasi *wasi; /* NULL: no arguments, no environment, no directories */
} w2n_api_config;

/*
 * What instance->host_data of a library instance points to (the first member of the runtime's
 * private per-instance state). The generated import adapters read it: adapter i calls
 * import_functions[i] with the instance and `context`.
 */
typedef struct w2n_api_host {
    void *context;           /* 0: the config's context */
    void **import_functions; /* 8: per import index, the function bound to it (NULL for others) */
} w2n_api_host;

/*
 * Creates a library instance: installs the fault handler, binds each function import to the
 * config's slot function, else to the linked one, else (WASI imports) to the runtime's WASI,
 * makes imported globals (initial value read through the slot pointer), memories and tables,
 * runs the start function and, if exported with type [] -> [], "_initialize". Returns NULL with
 * `result` (may be NULL) filled in on failure: a link error (trap NONE and a message), a trap,
 * or "out of memory".
 */
w2n_instance *w2n_api_new(const w2n_api_module *api, const w2n_api_config *config,
                          w2n_result *result);
/* Frees an instance of w2n_api_new with everything made for it; NULL is ignored. */
void w2n_api_free(w2n_instance *instance);
/*
 * Calls function `func_index` through its array entry (values as for w2n_call) and records the
 * outcome for w2n_api_last_trap. Returns the trap code, W2N_TRAP_NONE on success.
 */
uint32_t w2n_api_call(w2n_instance *instance, uint32_t func_index, w2n_value *values);
/* The outcome of the instance's last w2n_api_call (trap NONE before any call). */
const w2n_result *w2n_api_last_trap(const w2n_instance *instance);
/* The config's context of the instance. */
void *w2n_api_context(const w2n_instance *instance);
/* Memory `memory_index`: its base (moves only when growing had to relocate it) and byte size. */
uint8_t *w2n_api_memory_data(w2n_instance *instance, uint32_t memory_index);
uint64_t w2n_api_memory_size(w2n_instance *instance, uint32_t memory_index);
/* A pointer to bytes [offset, offset + length) of the memory, or NULL if not all inside. */
void *w2n_api_memory_at(w2n_instance *instance, uint32_t memory_index, uint64_t offset,
                        uint64_t length);
/* The cell of global `global_index`. */
void *w2n_api_global(w2n_instance *instance, uint32_t global_index);
/*
 * Table `table_index`: its size, element `index` (NULL when out of range) and, for externref
 * tables only, element assignment (0, or -1 when out of range or a funcref table).
 */
uint32_t w2n_api_table_size(w2n_instance *instance, uint32_t table_index);
void *w2n_api_table_get(w2n_instance *instance, uint32_t table_index, uint32_t index);
int32_t w2n_api_table_set(w2n_instance *instance, uint32_t table_index, uint32_t index,
                          void *value);
/*
 * Tag `tag_index` of the instance: w2n_api_throw throws one from inside an import (as
 * w2n_host_throw); w2n_api_caught returns 1 when the instance's last call ended with an uncaught
 * exception of the tag, copying its payload to `values` (one slot per value), else 0. The
 * uncaught exception of a w2n_api_call is the instance's until its next call or its end.
 */
void w2n_api_throw(w2n_instance *instance, uint32_t tag_index, const w2n_value *values);
int32_t w2n_api_caught(const w2n_instance *instance, uint32_t tag_index, w2n_value *values);

#ifdef __cplusplus
}
#endif

#endif
