/*
 * Pins the layout compiled code relies on. The first group mirrors compiler/abi.rs one for one;
 * the rest pins the module descriptor and trap codes the compiler emits, so any change to
 * include/wasm2native.h that moves them fails to build here first.
 */
#include <stddef.h>

#include "internal.h"

#define PIN(type, field, offset) _Static_assert(offsetof(type, field) == (offset), #type "." #field)
#define PIN_SIZE(type, size) _Static_assert(sizeof(type) == (size), "sizeof " #type)
#define PIN_VALUE(name, value) _Static_assert((name) == (value), #name)

/* compiler/abi.rs */
PIN_VALUE(W2N_ABI_VERSION, 1);
PIN_VALUE(W2N_PAGE_SIZE, 65536);
PIN_VALUE(W2N_MAX_PAGES, 65536);
PIN_VALUE(W2N_MEMORY_GUARD_BYTES, 4294967296u);
PIN(w2n_instance, stack_limit, 8);
PIN(w2n_instance, memories, 16);
PIN(w2n_instance, tables, 24);
PIN(w2n_instance, globals, 32);
PIN(w2n_instance, funcs, 40);
PIN(w2n_instance, type_ids, 48);
PIN(w2n_instance, elem_segments, 56);
PIN(w2n_instance, elem_segment_sizes, 64);
PIN(w2n_instance, data_segment_sizes, 72);
PIN(w2n_instance, host_data, 80);
/* Compiled code may read this many bytes of any instance (the `dereferenceable` attribute). */
_Static_assert(sizeof(w2n_instance) >= 88, "sizeof w2n_instance");
PIN(w2n_memory, base, 0);
PIN(w2n_memory, size, 8);
PIN(w2n_table, elements, 0);
PIN(w2n_table, size, 8);
PIN(w2n_funcref, code, 0);
PIN(w2n_funcref, array_code, 8);
PIN(w2n_funcref, type_id, 16);
PIN(w2n_funcref, vmctx, 24);
PIN_SIZE(w2n_funcref, 32);
PIN_SIZE(w2n_value, 16);
PIN_SIZE(w2n_global, 16);
PIN_VALUE(W2N_EXTERN_FUNC, 0);
PIN_VALUE(W2N_EXTERN_TABLE, 1);
PIN_VALUE(W2N_EXTERN_MEMORY, 2);
PIN_VALUE(W2N_EXTERN_GLOBAL, 3);
PIN_VALUE(W2N_TRAP_UNREACHABLE, 1);
PIN_VALUE(W2N_TRAP_MEMORY_OUT_OF_BOUNDS, 2);
PIN_VALUE(W2N_TRAP_INTEGER_DIVIDE_BY_ZERO, 3);
PIN_VALUE(W2N_TRAP_INTEGER_OVERFLOW, 4);
PIN_VALUE(W2N_TRAP_INVALID_CONVERSION, 5);
PIN_VALUE(W2N_TRAP_UNDEFINED_ELEMENT, 6);
PIN_VALUE(W2N_TRAP_UNINITIALIZED_ELEMENT, 7);
PIN_VALUE(W2N_TRAP_INDIRECT_CALL_TYPE_MISMATCH, 8);
PIN_VALUE(W2N_TRAP_STACK_EXHAUSTED, 9);
PIN_VALUE(W2N_TRAP_TABLE_OUT_OF_BOUNDS, 10);
PIN_VALUE(W2N_TRAP_NULL_REFERENCE, 11);
PIN_VALUE(W2N_TYPE_I32, 'i');
PIN_VALUE(W2N_TYPE_I64, 'I');
PIN_VALUE(W2N_TYPE_F32, 'f');
PIN_VALUE(W2N_TYPE_F64, 'F');
PIN_VALUE(W2N_TYPE_V128, 'v');
PIN_VALUE(W2N_TYPE_FUNCREF, 'r');
PIN_VALUE(W2N_TYPE_EXTERNREF, 'e');

/* The module descriptor the compiler emits as a constant. */
PIN_SIZE(w2n_limits, 24);
PIN_SIZE(w2n_table_type, 32);
PIN_SIZE(w2n_global_type, 8);
PIN_SIZE(w2n_import, 32);
PIN_SIZE(w2n_export, 24);
PIN_SIZE(w2n_data_segment, 16);
PIN(w2n_module, abi_version, 0);
PIN(w2n_module, num_types, 4);
PIN(w2n_module, type_signatures, 8);
PIN(w2n_module, num_imports, 16);
PIN(w2n_module, num_exports, 20);
PIN(w2n_module, imports, 24);
PIN(w2n_module, exports, 32);
PIN(w2n_module, num_funcs, 40);
PIN(w2n_module, num_imported_funcs, 44);
PIN(w2n_module, func_types, 48);
PIN(w2n_module, func_code, 56);
PIN(w2n_module, func_array_code, 64);
PIN(w2n_module, num_tables, 72);
PIN(w2n_module, num_imported_tables, 76);
PIN(w2n_module, tables, 80);
PIN(w2n_module, num_memories, 88);
PIN(w2n_module, num_imported_memories, 92);
PIN(w2n_module, memories, 96);
PIN(w2n_module, num_globals, 104);
PIN(w2n_module, num_imported_globals, 108);
PIN(w2n_module, globals, 112);
PIN(w2n_module, num_data_segments, 120);
PIN(w2n_module, num_elem_segments, 124);
PIN(w2n_module, data_segments, 128);
PIN(w2n_module, elem_segment_sizes, 136);
PIN(w2n_module, start_func, 144);
PIN(w2n_module, initialize, 152);
PIN(w2n_module, memory_guard, 160);
PIN_SIZE(w2n_module, 168);

/* Library builds: the generated C API and import adapters rely on these. */
PIN(w2n_api_host, context, 0);
PIN(w2n_api_host, import_functions, 8);
PIN(w2n_api_import, code, 0);
PIN(w2n_api_import, array_code, 8);
PIN(w2n_api_import, linked, 16);
PIN(w2n_api_import, slot, 24);
PIN(w2n_api_import, flags, 28);
PIN_SIZE(w2n_api_import, 32);
PIN(w2n_api_config, context, 0);
PIN(w2n_api_config, imports, 8);
PIN(w2n_api_config, wasi, 16);
PIN(w2n_api_wasi, argc, 0);
PIN(w2n_api_wasi, argv, 8);
PIN(w2n_api_wasi, env, 16);
PIN(w2n_api_wasi, dirs, 24);
PIN(w2n_api_wasi, num_dirs, 32);
/* The generated header's wasm2native_wasi_dir (compiler/capi/header.rs) has this layout. */
PIN(w2n_api_wasi_dir, host_path, 0);
PIN(w2n_api_wasi_dir, guest_path, 8);
PIN(w2n_api_wasi_dir, flags, 16);
PIN_SIZE(w2n_api_wasi_dir, 24);
PIN(w2n_api_module, module, 0);
PIN(w2n_api_module, imports, 8);
PIN(w2n_api_module, build_info, 16);
