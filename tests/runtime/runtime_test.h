/*
 * Shared by the runtime unit test's files: descriptor-entry macros and the CHECK counter.
 */
#ifndef W2N_RUNTIME_TEST_H
#define W2N_RUNTIME_TEST_H

#include <stdio.h>

#include "../../runtime-lib/include/wasm2native.h"

/* Descriptor entries as the compiler writes them: names with their lengths. */
#define IMPORT(module, name, kind, index)                                                          \
    {module, name, sizeof(module) - 1, sizeof(name) - 1, kind, index}
#define EXPORT(name, kind, index) {name, sizeof(name) - 1, kind, index, 0}

extern int failures;

#define CHECK(condition)                                                                           \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition);          \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* api_test.c: the generic half of library builds (w2n_api_*). */
void test_api_instance(void);
void test_api_imports(void);
void test_api_threads(void);

/* guard_test.c: guarded memories and their faults. */
void test_guarded_memory(void);

#endif
