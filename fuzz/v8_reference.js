// The differential fuzzer's third reference engine: V8, in the Node.js on PATH (Debian's Node.js
// 20 runs the legacy exception instructions, `try`, `catch`, `catch_all`, `rethrow`,
// `delegate`, and not exnref). It serves one module at a time over stdin and stdout, with the
// protocol of fuzz/wasmtime_reference.py (fuzz/src/reference/child.rs speaks for both):
//
//     load HEX                  ok | error MESSAGE
//     instantiate               ok | trap WHAT
//     call NAME RESULTS ARG...  ok VALUE... | trap WHAT | error MESSAGE
//     kind NAME                 ok func | ok global | ok table | ok memory | ok other
//     global NAME               ok VALUE
//     table NAME                ok FLAGS   (one character per element: 1 null, 0 not)
//     memory NAME               ok SIZE CRC32
//     memory-bytes NAME         ok HEX
//
// Names travel as hex after an `n`, modules as hex, values as `KIND:BITS`. WHAT is the message of
// V8's WebAssembly.RuntimeError ("unreachable", "divide by zero", ...), or `uncaught-exception`
// (a WebAssembly.Exception left the call), `stack-exhausted` (the RangeError "Maximum call stack
// size exceeded"), or `other:CLASS: MESSAGE`; fuzz/src/reference/v8.rs sorts them.
//
// Values cross into JavaScript and back, so what JS cannot carry is not compared here: a v128
// cannot cross at all (V8 throws a TypeError, answered as `error`), and an f32 or f64 crosses as
// a JS number, which need not keep a NaN's payload. The modules run under V8
// (fuzz/src/legacy_exceptions.rs) have no v128 and no NaN at the boundary. Functions' result
// types come from V8's type reflection (--experimental-wasm-type-reflection, which
// fuzz/src/reference/v8.rs passes).
"use strict";

const fs = require("fs");
const readline = require("readline");
const zlib = require("zlib");

let loaded = null; // the WebAssembly.Module
let instanceExports = null;

const scratch = new DataView(new ArrayBuffer(8));

function exportName(text) {
  return Buffer.from(text.slice(1), "hex").toString("utf8");
}

// A JS value for an argument's `KIND:BITS`.
function argument(text) {
  const [kind, bits] = text.split(":");
  switch (kind) {
    case "i32":
      return Number(BigInt.asIntN(32, BigInt("0x" + bits)));
    case "i64":
      return BigInt.asIntN(64, BigInt("0x" + bits));
    case "f32":
      scratch.setUint32(0, Number(BigInt("0x" + bits)));
      return scratch.getFloat32(0);
    case "f64":
      scratch.setBigUint64(0, BigInt("0x" + bits));
      return scratch.getFloat64(0);
    case "funcref":
    case "externref":
      if (bits === "null") return null;
  }
  throw new Error("cannot pass " + text);
}

// The `KIND:BITS` of a JS value of the Wasm type `type` (as type reflection names it).
function valueText(type, value) {
  switch (type) {
    case "i32":
      return "i32:" + (value >>> 0).toString(16);
    case "i64":
      return "i64:" + BigInt.asUintN(64, value).toString(16);
    case "f32":
      scratch.setFloat32(0, value);
      return "f32:" + scratch.getUint32(0).toString(16);
    case "f64":
      scratch.setFloat64(0, value);
      return "f64:" + scratch.getBigUint64(0).toString(16);
    case "anyfunc":
    case "funcref":
      return "funcref:" + (value === null ? "null" : "some");
    case "externref":
      return "externref:" + (value === null ? "null" : "some");
  }
  throw new Error("cannot show a value of type " + type);
}

// How a call or instantiation that threw ended, as `trap WHAT`; a JS error that is not a Wasm
// trap (a TypeError at the boundary) is the reference's own error.
function trap(error) {
  if (error instanceof WebAssembly.Exception) return "trap uncaught-exception";
  if (error instanceof RangeError && error.message === "Maximum call stack size exceeded") {
    return "trap stack-exhausted";
  }
  if (error instanceof WebAssembly.RuntimeError) return "trap " + error.message;
  if (error instanceof WebAssembly.LinkError) {
    return "trap other:" + error.constructor.name + ": " + error.message;
  }
  throw error;
}

function memoryData(name) {
  return new Uint8Array(instanceExports[exportName(name)].buffer);
}

const handlers = {
  load(wasmHex) {
    loaded = new WebAssembly.Module(Buffer.from(wasmHex, "hex"));
    instanceExports = null;
    return "ok";
  },
  instantiate() {
    try {
      instanceExports = new WebAssembly.Instance(loaded, {}).exports;
    } catch (error) {
      return trap(error);
    }
    return "ok";
  },
  call(name, resultCount, ...args) {
    const func = instanceExports[exportName(name)];
    const results = WebAssembly.Function.type(func).results;
    if (results.length !== Number(resultCount)) throw new Error("results: " + results.length);
    let value;
    try {
      value = func(...args.map(argument));
    } catch (error) {
      return trap(error);
    }
    const values = results.length === 1 ? [value] : results.length === 0 ? [] : value;
    return ["ok", ...results.map((type, i) => valueText(type, values[i]))].join(" ");
  },
  kind(name) {
    const handle = instanceExports[exportName(name)];
    if (typeof handle === "function") return "ok func";
    if (handle instanceof WebAssembly.Global) return "ok global";
    if (handle instanceof WebAssembly.Table) return "ok table";
    if (handle instanceof WebAssembly.Memory) return "ok memory";
    return "ok other";
  },
  global(name) {
    const handle = instanceExports[exportName(name)];
    return "ok " + valueText(handle.type().value, handle.value);
  },
  table(name) {
    const handle = instanceExports[exportName(name)];
    let flags = "";
    for (let i = 0; i < handle.length; i++) flags += handle.get(i) === null ? "1" : "0";
    return "ok " + flags;
  },
  memory(name) {
    const data = memoryData(name);
    return "ok " + data.length + " " + zlib.crc32(data).toString(16).padStart(8, "0");
  },
  "memory-bytes"(name) {
    return "ok " + Buffer.from(memoryData(name)).toString("hex");
  },
};

readline.createInterface({ input: process.stdin, terminal: false }).on("line", (line) => {
  const words = line.split(" ").filter((word) => word !== "");
  let answer;
  try {
    answer = handlers[words[0]](...words.slice(1));
  } catch (error) {
    // The client reports it as the reference's error.
    answer = "error " + String(error).split(/\s+/).join(" ");
  }
  fs.writeSync(1, answer + "\n");
});
