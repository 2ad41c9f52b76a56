"""The differential fuzzer's second reference engine: Wasmtime, from the PyPI package the Makefile
pins, serving one module at a time over stdin and stdout (fuzz/src/reference/wasmtime.rs starts
it and speaks for it).

One request per line, one answer per line. Names travel as hex after an `n`, modules as hex, values as
`KIND:BITS` (i32, i64, f32, f64 as unsigned hex of their bits, v128 as 32 hex digits; references
as `funcref:null`, `funcref:some` and likewise for externref, anyref and exnref). Values are read
and written through the C API's value union, never through Python floats, so every NaN keeps its
bits.

    load HEX                  ok | error MESSAGE
    instantiate               ok | trap CODE | error MESSAGE
    call NAME RESULTS ARG...  ok VALUE... | trap CODE | error MESSAGE
    kind NAME                 ok func | ok global | ok table | ok memory
    global NAME               ok VALUE
    table NAME                ok FLAGS   (one character per element: 1 null, 0 not)
    memory NAME               ok SIZE CRC32
    memory-bytes NAME         ok HEX

CODE is the name of Wasmtime's trap code (MEMORY_OUT_OF_BOUNDS, NULL_REFERENCE, ...), or
`other:MESSAGE` for an instantiation that fails without a trap code.
"""

import ctypes
import sys
import zlib

import wasmtime
from wasmtime import _ffi as ffi

# Value kinds of the C API (wasmtime/val.h).
KINDS = {"i32": 0, "i64": 1, "f32": 2, "f64": 3, "v128": 4, "funcref": 5, "externref": 6,
         "anyref": 7, "exnref": 8}
KIND_NAMES = {number: name for name, number in KINDS.items()}


def engine():
    config = wasmtime.Config()
    for feature in ("simd", "relaxed_simd", "relaxed_simd_deterministic", "bulk_memory",
                    "reference_types", "multi_value", "multi_memory", "tail_call", "memory64",
                    "function_references", "gc", "exceptions"):
        setattr(config, "wasm_" + feature, True)
    return wasmtime.Engine(config)


class Server:
    def __init__(self):
        self.engine = engine()
        self.store = None
        self.module = None
        self.exports = None

    def load(self, wasm_hex):
        self.store = wasmtime.Store(self.engine)
        self.exports = None
        self.module = wasmtime.Module(self.engine, bytes.fromhex(wasm_hex))
        return "ok"

    def instantiate(self):
        try:
            instance = wasmtime.Instance(self.store, self.module, [])
        except wasmtime.Trap as trap:
            return "trap " + trap_code(trap)
        except wasmtime.WasmtimeError as error:
            # Wasmtime reports some failures of instantiation (a segment past its table's or
            # memory's end) as an error whose message is the trap's.
            return "trap other:" + " ".join(str(error).split())
        self.exports = instance.exports(self.store)
        return "ok"

    def call(self, name, result_count, *args):
        func = self.exports[export_name(name)]
        params = (ffi.wasmtime_val_t * max(len(args), 1))()
        for slot, arg in zip(params, args):
            write_value(slot, arg)
        results = (ffi.wasmtime_val_t * max(int(result_count), 1))()
        trap = ctypes.POINTER(ffi.wasm_trap_t)()
        error = ffi.wasmtime_func_call(self.store._context(), ctypes.byref(func._func), params,
                                       len(args), results, int(result_count), ctypes.byref(trap))
        if error:
            raise wasmtime.WasmtimeError._from_ptr(error)
        if trap:
            return "trap " + trap_code(wasmtime.Trap._from_ptr(trap))
        return " ".join(["ok"] + [read_value(results[i]) for i in range(int(result_count))])

    def kind(self, name):
        handle = self.exports[export_name(name)]
        for kind, python_type in (("func", wasmtime.Func), ("global", wasmtime.Global),
                                  ("table", wasmtime.Table), ("memory", wasmtime.Memory)):
            if isinstance(handle, python_type):
                return "ok " + kind
        return "ok other"

    def global_(self, name):
        handle = self.exports[export_name(name)]
        value = ffi.wasmtime_val_t()
        ffi.wasmtime_global_get(self.store._context(), ctypes.byref(handle._global),
                                ctypes.byref(value))
        return "ok " + read_value(value)

    def table(self, name):
        handle = self.exports[export_name(name)]
        context = self.store._context()
        size = ffi.wasmtime_table_size(context, ctypes.byref(handle._table))
        flags = []
        for index in range(size):
            value = ffi.wasmtime_val_t()
            ffi.wasmtime_table_get(context, ctypes.byref(handle._table), index,
                                   ctypes.byref(value))
            flags.append("1" if read_value(value).endswith(":null") else "0")
        return "ok " + "".join(flags)

    def memory_data(self, name):
        handle = self.exports[export_name(name)]
        context = self.store._context()
        size = ffi.wasmtime_memory_data_size(context, ctypes.byref(handle._memory))
        base = ffi.wasmtime_memory_data(context, ctypes.byref(handle._memory))
        return ctypes.string_at(base, size)

    def memory(self, name):
        data = self.memory_data(name)
        return "ok %d %08x" % (len(data), zlib.crc32(data))

    def memory_bytes(self, name):
        return "ok " + self.memory_data(name).hex()


def export_name(text):
    """An export's name from its hex, which has an `n` in front so that `""` is a word too."""
    return bytes.fromhex(text[1:]).decode()


def trap_code(trap):
    code = trap.trap_code
    if code is None:
        return "other:" + " ".join(trap.message.split())
    return code.name


def write_value(slot, text):
    kind, bits = text.split(":")
    slot.kind = KINDS[kind]
    if kind in ("i32", "f32"):
        # Through the integer member of the union: the float member would go through a C float
        # conversion, which quiets a signalling NaN.
        slot.of.i32 = ctypes.c_int32(int(bits, 16)).value
    elif kind in ("i64", "f64"):
        slot.of.i64 = ctypes.c_int64(int(bits, 16)).value
    elif kind == "v128":
        slot.of.v128[:] = list(int(bits, 16).to_bytes(16, "little"))
    elif bits == "null":
        # Every null reference is all-zero in the union (store_id 0).
        ctypes.memset(ctypes.byref(slot.of), 0, ctypes.sizeof(slot.of))
    else:
        raise ValueError("only null references can be passed: " + text)


def read_value(value):
    """The value's text; the value is the caller's own and is released."""
    text = value_text(value)
    ffi.wasmtime_val_unroot(ctypes.byref(value))
    return text


def value_text(value):
    kind = KIND_NAMES[value.kind]
    if kind in ("i32", "f32"):
        return "%s:%x" % (kind, value.of.i32 & 0xFFFFFFFF)
    if kind in ("i64", "f64"):
        return "%s:%x" % (kind, value.of.i64 & 0xFFFFFFFFFFFFFFFF)
    if kind == "v128":
        return "v128:%032x" % int.from_bytes(bytes(value.of.v128), "little")
    reference = getattr(value.of, kind)
    return kind + (":null" if reference.store_id == 0 else ":some")


def main():
    server = Server()
    handlers = {"load": server.load, "instantiate": server.instantiate, "call": server.call,
                "kind": server.kind, "global": server.global_, "table": server.table,
                "memory": server.memory, "memory-bytes": server.memory_bytes}
    for line in sys.stdin:
        words = line.split()
        try:
            answer = handlers[words[0]](*words[1:])
        except Exception as error:  # the client reports it as the reference's error
            answer = "error %s: %s" % (type(error).__name__, " ".join(str(error).split()))
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
