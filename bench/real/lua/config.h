/* What Lua needs from the C library and wasi-libc (2022) lacks, replaced; included ahead of every
 * Lua source (clang's -include) in the wasm and the native builds alike.
 *
 * setjmp/longjmp: Lua raises an error by
 * LUAI_THROW to the innermost LUAI_TRY; here a raised error ends the program instead, with Lua's
 * message. The workload raises none: it uses neither pcall nor coroutines (a yield from
 * coroutine.yield is a throw in Lua 5.4). */
#ifndef BENCH_LUA_CONFIG_H
#define BENCH_LUA_CONFIG_H

struct lua_State;

/* Prints the error object on top of the stack and exits with status 1; defined in main.c. */
_Noreturn void bench_lua_error(struct lua_State *L);

#define LUAI_THROW(L, c) ((void)(c), bench_lua_error(L))
#define LUAI_TRY(L, c, a)                                                                          \
    do {                                                                                           \
        a                                                                                          \
    } while (0)
#define luai_jmpbuf int

/* sig_atomic_t (signal.h, which wasi-libc offers only with _WASI_EMULATED_SIGNAL): the type of
 * the hook mask, which a signal handler may set; nothing here sets one from a handler. */
#define l_signalT int

/* A fixed string-hash seed and a fixed table.sort pivot salt (Lua's defaults mix in the time, the
 * process clock and addresses), so that every run does the same work. */
#define luai_makeseed(L) 0x5bd1e995u
#define l_randomizePivot() 0u

#endif
