/*
 * Signature interning: a process-wide registry giving equal signature strings equal ids, so
 * call_indirect and import checks compare one integer. Ids start at 1 and are never reused.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static char **signatures; /* signatures[id - 1] */
static uint32_t count, capacity;

/* Linear search: modules have few distinct signatures and interning happens at instantiation. */
static uint32_t find(const char *signature) {
    for (uint32_t i = 0; i < count; i++)
        if (strcmp(signatures[i], signature) == 0)
            return i + 1;
    return 0;
}

static uint32_t add(const char *signature) {
    if (count == capacity) {
        uint32_t new_capacity = capacity ? capacity * 2 : 64;
        char **grown = realloc(signatures, new_capacity * sizeof *grown);
        if (!grown)
            return 0;
        signatures = grown;
        capacity = new_capacity;
    }
    char *copy = strdup(signature);
    if (!copy)
        return 0;
    signatures[count++] = copy;
    return count;
}

uint32_t w2n_intern_signature(const char *signature) {
    if (!signature)
        signature = ":";
    pthread_mutex_lock(&registry_lock);
    uint32_t id = find(signature);
    if (!id)
        id = add(signature);
    pthread_mutex_unlock(&registry_lock);
    return id;
}

const char *w2n_signature_of(uint32_t id) {
    pthread_mutex_lock(&registry_lock);
    const char *signature = id >= 1 && id <= count ? signatures[id - 1] : NULL;
    pthread_mutex_unlock(&registry_lock);
    return signature;
}
