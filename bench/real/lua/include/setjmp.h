/* An empty setjmp.h for Lua's ldo.c, which includes it unconditionally: wasi-libc has none, and
 * config.h replaces Lua's use of it. On the include path of the wasm and native builds alike. */
