/*
 * Exception objects' memory (docs/exceptions.md, "Exception objects").
 *
 * A plain catch frees the exception it took (w2n_exception_release): the common path allocates
 * and frees once per throw. An exception handed out as an exnref, or held by a legacy catch clause
 * for `rethrow`, may be referenced from any place a reference lives; it joins the collected list
 * of its thread, and a collection frees those that no root reaches.
 *
 * Roots: the exception in flight; the thread's native stack from the collector's frame up to the
 * outermost entry into Wasm, scanned conservatively with the callee-saved registers spilled into
 * it (every word is a candidate pointer, interior ones included), which covers Wasm locals and
 * operands as well as host frames between nested entries; every exnref global and table of every
 * live instance. Exceptions that reached the host as values (w2n_exnref_pin) or as a call's
 * result, and those inside another exception's payload, are never collected. A collection runs
 * only while no other thread is inside Wasm, since their stacks are not scanned; it is skipped and
 * retried later otherwise.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The legacy catch clauses holding an exception are counted in the upper half of `holders`. */
#define LEGACY_UNIT (1u << 16)
/* The fewest collected exceptions worth a collection. */
#define MIN_COLLECTION 1024

/* Before every exception, unseen by compiled code. */
typedef struct exception_block {
    struct exception_block *prev, *next; /* in the collected list, once in it */
    struct collected_list *list;         /* the collected list it is in, or NULL */
    uint32_t size;                       /* of the exception, in bytes */
    uint32_t marked;                     /* reached from a root in this collection */
} exception_block;

_Static_assert(sizeof(exception_block) % 16 == 0, "values stay 16-aligned");

typedef struct collected_list {
    exception_block *head;
    size_t count;
    size_t next_collection; /* count that starts the next collection */
} collected_list;

static _Thread_local collected_list collected = {.next_collection = MIN_COLLECTION};

static exception_block *block_of(const w2n_exception *exception) {
    return (exception_block *)((char *)exception - sizeof(exception_block));
}

static w2n_exception *exception_of(exception_block *block) { return (w2n_exception *)(block + 1); }

/* The number of values of a payload of type `signature` (one character per parameter, a typed
 * reference's <...> included); with `values`, calls `visit` on each slot of an exnref. */
static uint32_t walk_payload(const char *signature, w2n_value *values, void (*visit)(w2n_value *)) {
    uint32_t count = 0, depth = 0;
    for (const char *c = signature; *c && !(*c == ':' && depth == 0); c++) {
        if (*c == '<')
            depth++;
        else if (*c == '>')
            depth--;
        else if (depth == 0 && *c != '!') {
            if (values && *c == W2N_TYPE_EXNREF)
                visit(&values[count]);
            count++;
        }
    }
    return count;
}

static void pin_slot(w2n_value *slot) { w2n_exnref_pin(slot->ref); }

w2n_exception *w2n_rt_exception_new(const w2n_tag *tag, const w2n_value *values) {
    uint32_t count = walk_payload(tag->signature, NULL, NULL);
    size_t size = sizeof(w2n_exception) + count * sizeof(w2n_value);
    exception_block *block = malloc(sizeof(exception_block) + size);
    if (!block)
        w2n_host_trap("out of memory allocating an exception");
    memset(block, 0, sizeof *block);
    block->size = (uint32_t)size;
    w2n_exception *exception = exception_of(block);
    exception->tag = tag;
    exception->holders = 0;
    exception->num_values = count;
    if (count) {
        memcpy(exception->values, values, count * sizeof(w2n_value));
        /* A payload is not scanned: what it refers to stays for good. */
        walk_payload(tag->signature, exception->values, pin_slot);
    }
    return exception;
}

static void unlink_block(exception_block *block) {
    collected_list *list = block->list;
    if (block->prev)
        block->prev->next = block->next;
    else
        list->head = block->next;
    if (block->next)
        block->next->prev = block->prev;
    block->list = NULL;
    list->count--;
}

static void free_exception(w2n_exception *exception) {
    exception_block *block = block_of(exception);
    if (block->list)
        unlink_block(block);
    free(block);
}

void w2n_exception_release(w2n_exception *exception) {
    if (exception && !exception->holders)
        free_exception(exception);
}

void w2n_exnref_pin(const w2n_exception *exception) {
    if (exception)
        ((w2n_exception *)exception)->holders |= W2N_EXCEPTION_PINNED;
}

void w2n_rt_exception_hold_result(w2n_exception *exception) {
    exception->holders |= W2N_EXCEPTION_RESULT;
}

void w2n_rt_exception_drop_result(w2n_exception *exception) {
    if (!exception)
        return;
    exception->holders &= ~W2N_EXCEPTION_RESULT;
    w2n_exception_release(exception);
}

/* ------------------------------------------------------------ collection --- */

/* The collected blocks by address, for the conservative scan's lookups. */
typedef struct block_index {
    exception_block **blocks;
    size_t count;
} block_index;

static int by_address(const void *a, const void *b) {
    uintptr_t x = (uintptr_t)*(exception_block *const *)a;
    uintptr_t y = (uintptr_t)*(exception_block *const *)b;
    return x < y ? -1 : x > y;
}

/* Marks the block whose exception contains `word` as an address, if any. */
static void mark_word(const block_index *index, uintptr_t word) {
    size_t low = 0, high = index->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        exception_block *block = index->blocks[middle];
        uintptr_t start = (uintptr_t)exception_of(block);
        if (word < start)
            high = middle;
        else if (word >= start + block->size)
            low = middle + 1;
        else {
            block->marked = 1;
            return;
        }
    }
}

/* Every aligned word of [low, high) as a candidate pointer. */
__attribute__((no_sanitize_address)) static void mark_range(const block_index *index, uintptr_t low,
                                                            uintptr_t high) {
    low = (low + sizeof(uintptr_t) - 1) & ~(uintptr_t)(sizeof(uintptr_t) - 1);
    for (uintptr_t at = low; at + sizeof(uintptr_t) <= high; at += sizeof(uintptr_t))
        mark_word(index, *(const uintptr_t *)at);
}

/* The stack from this frame (below the caller's, whose registers it spilled) up to `top`. */
__attribute__((noinline)) static void mark_stack(const block_index *index, uintptr_t top) {
    volatile uintptr_t here = 0;
    mark_range(index, (uintptr_t)&here, top);
}

/* An instance's exnref globals and tables. */
static void mark_instance(w2n_instance *instance, void *data) {
    const block_index *index = data;
    const w2n_module *module = instance->module;
    for (uint32_t i = 0; i < module->num_globals; i++)
        if (module->globals[i].value_type == W2N_TYPE_EXNREF && instance->globals[i])
            mark_word(index, (uintptr_t)instance->globals[i]->ref);
    for (uint32_t i = 0; i < module->num_tables; i++) {
        const w2n_table *table = instance->tables[i];
        if (table && table->elem_type == W2N_TYPE_EXNREF)
            for (uint32_t e = 0; e < table->size; e++)
                mark_word(index, (uintptr_t)table->elements[e]);
    }
}

/* The address just past the outermost entry into Wasm on this thread, or 0 outside Wasm. */
static uintptr_t outermost_entry(void) {
    w2n_trap_frame *frame = w2n_rt_innermost_frame();
    if (!frame)
        return 0;
    while (frame->outer)
        frame = frame->outer;
    return (uintptr_t)(frame + 1);
}

/* Frees the collected exceptions no root reaches; `also_live` is one the caller still uses. */
static void collect(const w2n_exception *also_live) {
    uintptr_t top = outermost_entry();
    block_index index = {malloc(collected.count * sizeof(exception_block *)), 0};
    if (!top || !index.blocks || w2n_rt_threads_in_wasm() > 1) {
        free(index.blocks);
        collected.next_collection = collected.count * 2;
        return;
    }
    for (exception_block *block = collected.head; block; block = block->next) {
        block->marked = 0;
        index.blocks[index.count++] = block;
    }
    qsort(index.blocks, index.count, sizeof *index.blocks, by_address);
    mark_word(&index, (uintptr_t)also_live);
    mark_word(&index, (uintptr_t)w2n_exception_in_flight);
    /* Callee-saved registers, which may hold the only copy of a caller's reference, go into
     * this frame, which mark_stack's range covers. */
    __builtin_unwind_init();
    mark_stack(&index, top);
    w2n_rt_for_each_instance(mark_instance, &index);
    for (size_t i = 0; i < index.count; i++) {
        exception_block *block = index.blocks[i];
        uint32_t kept = W2N_EXCEPTION_PINNED | W2N_EXCEPTION_RESULT;
        if (!block->marked && !(exception_of(block)->holders & kept))
            free_exception(exception_of(block));
    }
    free(index.blocks);
    size_t twice = collected.count * 2;
    collected.next_collection = twice > MIN_COLLECTION ? twice : MIN_COLLECTION;
}

void w2n_exception_hold(w2n_exception *exception, uint32_t holder) {
    exception->holders += holder == W2N_EXCEPTION_LEGACY_CATCH ? LEGACY_UNIT : 0;
    exception->holders |= holder == W2N_EXCEPTION_EXNREF ? W2N_EXCEPTION_EXNREF : 0;
    exception_block *block = block_of(exception);
    if (block->list)
        return;
    block->list = &collected;
    block->prev = NULL;
    block->next = collected.head;
    if (collected.head)
        collected.head->prev = block;
    collected.head = block;
    if (++collected.count >= collected.next_collection)
        collect(exception);
}

void w2n_exception_end_legacy(w2n_exception *exception) {
    exception->holders -= LEGACY_UNIT;
    /* Nothing else holds it when it was never an exnref: no root can reach it any more. */
    if (!exception->holders)
        free_exception(exception);
}
