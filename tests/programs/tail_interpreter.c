/*
 * A threaded interpreter: each handler ends by dispatching to the next instruction's handler
 * with a guaranteed tail call, as fast interpreters are written (clang's musttail). Built for
 * wasm32 with -mtail-call, the dispatch is return_call_indirect: the program runs 10^8
 * dispatches, so it completes only if every one reuses the frame.
 * Prints the accumulator and the dispatch count; native and compiled Wasm must agree.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { OP_ADD, OP_MUL, OP_XOR, OP_ROTATE, OP_LOOP, OP_HALT };

struct instruction {
    uint8_t op;
    uint8_t target; /* OP_LOOP: where to jump back to */
    uint32_t operand;
};

struct machine {
    const struct instruction *code;
    uint64_t dispatches;
};

/* More arguments than argument registers (x86-64 has 6), some of them floating point. */
typedef uint64_t handler(const struct instruction *pc, uint64_t acc, uint64_t counter,
                         struct machine *m, double scale, uint32_t a, uint32_t b, uint32_t c,
                         double bias);

static handler op_add, op_mul, op_xor, op_rotate, op_loop, op_halt;
static handler *const handlers[] = {op_add, op_mul, op_xor, op_rotate, op_loop, op_halt};

#define DISPATCH(next, acc, counter)                                                               \
    do {                                                                                           \
        m->dispatches++;                                                                           \
        __attribute__((musttail)) return handlers[(next)->op](next, acc, counter, m, scale, b, c,  \
                                                              a, bias);                            \
    } while (0)

static uint64_t op_add(const struct instruction *pc, uint64_t acc, uint64_t counter,
                       struct machine *m, double scale, uint32_t a, uint32_t b, uint32_t c,
                       double bias) {
    acc += pc->operand + a;
    DISPATCH(pc + 1, acc, counter);
}

static uint64_t op_mul(const struct instruction *pc, uint64_t acc, uint64_t counter,
                       struct machine *m, double scale, uint32_t a, uint32_t b, uint32_t c,
                       double bias) {
    acc = acc * (pc->operand | 1) + (uint64_t)(scale * (double)(b & 7) + bias);
    DISPATCH(pc + 1, acc, counter);
}

static uint64_t op_xor(const struct instruction *pc, uint64_t acc, uint64_t counter,
                       struct machine *m, double scale, uint32_t a, uint32_t b, uint32_t c,
                       double bias) {
    acc ^= (uint64_t)pc->operand << (c & 31);
    DISPATCH(pc + 1, acc, counter);
}

static uint64_t op_rotate(const struct instruction *pc, uint64_t acc, uint64_t counter,
                          struct machine *m, double scale, uint32_t a, uint32_t b, uint32_t c,
                          double bias) {
    unsigned by = pc->operand & 63;
    acc = (acc << by) | (acc >> ((64 - by) & 63));
    DISPATCH(pc + 1, acc, counter);
}

static uint64_t op_loop(const struct instruction *pc, uint64_t acc, uint64_t counter,
                        struct machine *m, double scale, uint32_t a, uint32_t b, uint32_t c,
                        double bias) {
    const struct instruction *next = --counter ? m->code + pc->target : pc + 1;
    DISPATCH(next, acc, counter);
}

static uint64_t op_halt(const struct instruction *pc, uint64_t acc, uint64_t counter,
                        struct machine *m, double scale, uint32_t a, uint32_t b, uint32_t c,
                        double bias) {
    (void)pc, (void)counter, (void)m, (void)scale, (void)a, (void)b, (void)c, (void)bias;
    return acc;
}

int main(int argc, char **argv) {
    uint64_t iterations = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000000;
    static const struct instruction program[] = {
        {OP_ADD, 0, 12345}, {OP_MUL, 0, 0x9e3779b1u}, {OP_XOR, 0, 0xdeadbeefu},
        {OP_ROTATE, 0, 17}, {OP_LOOP, 0, 0},          {OP_HALT, 0, 0},
    };
    struct machine m = {program, 1};
    uint64_t acc = handlers[program[0].op](program, 1, iterations, &m, 0.5, 3, 5, 7, 0.25);
    printf("acc %016" PRIx64 " dispatches %" PRIu64 "\n", acc, m.dispatches);
    return 0;
}
