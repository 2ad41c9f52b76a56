/* Lua 5.4, as bundled in PyPI's lupa sdist, running workload.lua (embedded at build time): an
 * object-oriented simulation, string building and parsing, closures and table sorting. The
 * interpreter is the real program here; the script returns a summary line, which is hashed.
 * Lua's base, table, string, math and utf8 libraries are opened (no io, os or package: the
 * program reads no files). */
#include "bench.h"
#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

static const char script[] = {
#embed "workload.lua"
    , 0};

_Noreturn void bench_lua_error(lua_State *L) {
    const char *message = lua_tostring(L, -1);
    fprintf(stderr, "lua: %s\n", message ? message : "(error object is not a string)");
    exit(1);
}

int main(int argc, char **argv) {
    int scale = bench_begin(argc, argv);
    lua_State *L = luaL_newstate();
    if (L == NULL)
        return 1;
    static const luaL_Reg libraries[] = {{LUA_GNAME, luaopen_base},
                                         {LUA_TABLIBNAME, luaopen_table},
                                         {LUA_STRLIBNAME, luaopen_string},
                                         {LUA_MATHLIBNAME, luaopen_math},
                                         {LUA_UTF8LIBNAME, luaopen_utf8}};
    for (size_t i = 0; i < sizeof libraries / sizeof *libraries; i++) {
        luaL_requiref(L, libraries[i].name, libraries[i].func, 1);
        lua_pop(L, 1);
    }
    lua_pushinteger(L, scale);
    lua_setglobal(L, "SCALE");
    if (luaL_loadbuffer(L, script, sizeof script - 1, "=workload.lua") != LUA_OK)
        bench_lua_error(L);

    bench_kernel_start();
    lua_call(L, 0, 1);
    bench_kernel_stop();

    size_t length;
    const char *summary = lua_tolstring(L, -1, &length);
    if (summary == NULL)
        return 1;
    uint64_t checksum = bench_hash_bytes(BENCH_HASH_SEED, summary, length);
    lua_close(L);
    return bench_report(checksum);
}
