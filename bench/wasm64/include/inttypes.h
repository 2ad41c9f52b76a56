/* The format macros of <inttypes.h> for wasm64 (and wasm32), from clang's predefined ones. */
#ifndef BENCH64_INTTYPES_H
#define BENCH64_INTTYPES_H

#include <stdint.h>

#define PRId32 __INT32_FMTd__
#define PRIi32 __INT32_FMTi__
#define PRIu32 __UINT32_FMTu__
#define PRIx32 __UINT32_FMTx__
#define PRIX32 __UINT32_FMTX__
#define PRId64 __INT64_FMTd__
#define PRIi64 __INT64_FMTi__
#define PRIu64 __UINT64_FMTu__
#define PRIx64 __UINT64_FMTx__
#define PRIX64 __UINT64_FMTX__

#endif
