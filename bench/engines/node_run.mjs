// Runs a WASI command module under V8 (Node's `node:wasi`, preview 1) for the benchmark harness.
//
// usage: node [V8 FLAGS] node_run.mjs MODULE [ARGS...]
//
// The program sees argv = [MODULE's file name, ARGS...], no environment and no directories; its
// stdout and stderr are this process's. After it exits, one JSON line on stderr reports
//   engine_start_ns  CLOCK_REALTIME just before the module is read (Node's own start-up is behind
//                    us, so it stays out of time to first instruction)
//   compile_ns       the wall time of WebAssembly.compile (with V8's lazy compilation, decoding and
//                    validation; functions are compiled when first called, during the run)
// and the exit code is the program's WASI exit code (134 after a trap, as a compiled executable).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { WASI } from 'node:wasi';

const TRAP_EXIT = 134;

// timeOrigin is the wall-clock time the process started and now() the monotonic time since, both
// in milliseconds with sub-microsecond resolution.
const realtimeNs = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));

const [path, ...args] = process.argv.slice(2);
if (path === undefined) {
  process.stderr.write('usage: node node_run.mjs MODULE [ARGS...]\n');
  process.exit(2);
}
const engineStartNs = realtimeNs();
const wasm = readFileSync(path);
const compileStarted = process.hrtime.bigint();
const module = await WebAssembly.compile(wasm);
const compileNs = process.hrtime.bigint() - compileStarted;

const wasi = new WASI({ version: 'preview1', args: [basename(path), ...args], env: {}, returnOnExit: true });
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
let code;
try {
  code = wasi.start(instance);
} catch (error) {
  if (!(error instanceof WebAssembly.RuntimeError)) throw error;
  process.stderr.write(`wasm trap: ${error.message}\n`);
  code = TRAP_EXIT;
}
// BigInts printed as plain integers: JSON numbers, exact to the nanosecond.
process.stderr.write(`{"engine_start_ns": ${engineStartNs}, "compile_ns": ${compileNs}}\n`);
process.exitCode = code;
