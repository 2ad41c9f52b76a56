/*
 * Tables and the table instructions that call into the runtime. Elements are void*: a
 * w2n_funcref* in a funcref table, the host's pointer in an externref table, NULL for ref.null.
 *
 * `capacity` counts the elements allocated (with malloc) at `elements`; growing within it writes
 * in place, beyond it reallocates, so compiled code reloads `elements` after calls. A table made
 * by a host with capacity < size cannot grow: the runtime does not know how it was allocated.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Largest table the runtime will allocate; growing past it fails like running out of memory. */
#define TABLE_ELEMENT_LIMIT 10000000u

int w2n_rt_table_create(w2n_table *table, const w2n_table_type *type) {
    const w2n_limits *limits = &type->limits;
    if (limits->min > TABLE_ELEMENT_LIMIT)
        return -1;
    uint32_t size = (uint32_t)limits->min;
    /* calloc(0) may return NULL; keep `elements` a real pointer. */
    void **elements = calloc(size ? size : 1, sizeof *elements);
    if (!elements)
        return -1;
    table->elements = elements;
    table->size = size;
    table->max = limits->has_max && limits->max < UINT32_MAX ? (uint32_t)limits->max : UINT32_MAX;
    table->capacity = size ? size : 1;
    table->elem_type = type->elem_type;
    table->ref_type = type->ref_type;
    table->address64 = type->limits.address64;
    return 0;
}

void w2n_rt_table_release(w2n_table *table) {
    free(table->elements);
    table->elements = NULL;
    table->size = table->capacity = 0;
}

static w2n_table *table_at(w2n_instance *vmctx, uint32_t index) { return vmctx->tables[index]; }

static int in_bounds(uint64_t offset, uint64_t length, uint64_t size) {
    return offset + length <= size;
}

void w2n_table_init(w2n_instance *vmctx, uint32_t table_index, uint32_t elem_index, uint32_t dst,
                    uint32_t src, uint32_t len) {
    w2n_table *table = table_at(vmctx, table_index);
    /* A dropped segment has size 0, so only an empty copy from offset 0 passes. */
    uint64_t segment_size = vmctx->elem_segment_sizes[elem_index];
    if (!in_bounds(src, len, segment_size) || !in_bounds(dst, len, table->size))
        w2n_trap(W2N_TRAP_TABLE_OUT_OF_BOUNDS);
    if (len)
        memcpy(table->elements + dst, vmctx->elem_segments[elem_index] + src,
               (size_t)len * sizeof(void *));
}

void w2n_elem_drop(w2n_instance *vmctx, uint32_t elem_index) {
    vmctx->elem_segment_sizes[elem_index] = 0;
    free(vmctx->elem_segments[elem_index]);
    vmctx->elem_segments[elem_index] = NULL;
}

void w2n_table_copy(w2n_instance *vmctx, uint32_t dst_table, uint32_t src_table, uint32_t dst,
                    uint32_t src, uint32_t len) {
    w2n_table *to = table_at(vmctx, dst_table);
    w2n_table *from = table_at(vmctx, src_table);
    if (!in_bounds(src, len, from->size) || !in_bounds(dst, len, to->size))
        w2n_trap(W2N_TRAP_TABLE_OUT_OF_BOUNDS);
    if (len)
        memmove(to->elements + dst, from->elements + src, (size_t)len * sizeof(void *));
}

/* Makes room for `size` elements, doubling up to the table's maximum; 0 on success. */
static int reserve_elements(w2n_table *table, uint32_t size) {
    if (size <= table->capacity)
        return 0;
    if (table->capacity < table->size)
        return -1;
    uint64_t capacity = (uint64_t)table->capacity * 2;
    if (capacity < size)
        capacity = size;
    if (capacity > table->max)
        capacity = table->max;
    if (capacity > TABLE_ELEMENT_LIMIT)
        capacity = TABLE_ELEMENT_LIMIT;
    void **grown = realloc(table->elements, (size_t)capacity * sizeof *grown);
    if (!grown)
        return -1;
    table->elements = grown;
    table->capacity = (uint32_t)capacity;
    return 0;
}

int32_t w2n_table_grow(w2n_instance *vmctx, uint32_t table_index, void *init, uint32_t delta) {
    w2n_table *table = table_at(vmctx, table_index);
    uint32_t old_size = table->size;
    uint64_t new_size = (uint64_t)old_size + delta;
    if (new_size > table->max || new_size > TABLE_ELEMENT_LIMIT)
        return -1;
    if (delta == 0)
        return (int32_t)old_size;
    if (reserve_elements(table, (uint32_t)new_size) != 0)
        return -1;
    for (uint64_t i = old_size; i < new_size; i++)
        table->elements[i] = init;
    table->size = (uint32_t)new_size;
    return (int32_t)old_size;
}

void w2n_table_fill(w2n_instance *vmctx, uint32_t table_index, uint32_t dst, void *value,
                    uint32_t len) {
    w2n_table *table = table_at(vmctx, table_index);
    if (!in_bounds(dst, len, table->size))
        w2n_trap(W2N_TRAP_TABLE_OUT_OF_BOUNDS);
    for (uint64_t i = dst; i < (uint64_t)dst + len; i++)
        table->elements[i] = value;
}

w2n_table *w2n_table_new(uint8_t elem_type, uint32_t min, uint32_t max, int has_max) {
    w2n_table *table = calloc(1, sizeof *table);
    w2n_table_type type = {.limits = {.min = min, .max = max, .has_max = has_max != 0},
                           .elem_type = elem_type};
    if (table && w2n_rt_table_create(table, &type) != 0) {
        free(table);
        return NULL;
    }
    return table;
}
