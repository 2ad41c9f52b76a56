/* A bytecode interpreter: a stack VM with 32-bit instructions (8-bit opcode, 24-bit operand)
 * and a switch-dispatched loop, running a program assembled at start-up that counts primes by
 * trial division, sums Collatz path lengths and runs sieves of Eratosthenes in VM memory.
 * Stresses the dispatch branch, dependent loads and stores through the operand stack and
 * unpredictable VM-level branches; the VM's variables and instruction count are hashed. */
#include "bench.h"

#define FULL_PRIME_LIMIT 250000
#define FULL_COLLATZ_LIMIT 120000
#define FULL_SIEVE_ROUNDS 20
#define SIEVE_SIZE 150000
#define STACK_SIZE 16

enum Opcode { OP_PUSH, OP_LOAD, OP_STORE, OP_INCREMENT, OP_LOAD_MEMORY, OP_STORE_MEMORY, OP_ADD,
              OP_MUL, OP_MOD, OP_AND, OP_SHIFT_RIGHT, OP_LESS, OP_EQUAL, OP_JUMP, OP_JUMP_IF_ZERO,
              OP_JUMP_IF_NOT_ZERO, OP_HALT };

/* The assembler's pseudo-instruction: it marks a jump target and emits nothing. */
enum { LABEL = 0xff };

/* The program's variables: main sets the limits and hashes them all at the end. */
enum Variable { V_PRIME_LIMIT, V_COLLATZ_LIMIT, V_SIEVE_SIZE, V_SIEVE_ROUNDS, V_N, V_D, V_X,
                V_PRIME_COUNT, V_PRIME_SUM, V_COLLATZ_STEPS, V_ROUND, V_SIEVE_PRIMES,
                VARIABLE_COUNT };

enum Label { PRIME_NEXT_N, PRIME_TRY_D, PRIME_FOUND, PRIME_NOT, PRIMES_DONE, COLLATZ_NEXT_START,
             COLLATZ_STEP, COLLATZ_EVEN, COLLATZ_PATH_DONE, COLLATZ_DONE, SIEVE_ROUND, SIEVE_CLEAR,
             SIEVE_NEXT_D, SIEVE_MARK, SIEVE_D_DONE, SIEVE_TALLY, SIEVE_TALLY_NEXT,
             SIEVE_ROUND_DONE, SIEVE_DONE, LABEL_COUNT };

typedef struct {
    uint8_t opcode; /* an Opcode or LABEL */
    uint32_t operand; /* a value, variable, label or nothing, by opcode */
} Source;

static const Source program[] = {
    /* Primes below PRIME_LIMIT by trial division up to the square root: count and sum. */
    {OP_PUSH, 2}, {OP_STORE, V_N},
    {LABEL, PRIME_NEXT_N},
    {OP_LOAD, V_N}, {OP_LOAD, V_PRIME_LIMIT}, {OP_LESS, 0}, {OP_JUMP_IF_ZERO, PRIMES_DONE},
    {OP_PUSH, 2}, {OP_STORE, V_D},
    {LABEL, PRIME_TRY_D},
    {OP_LOAD, V_N}, {OP_LOAD, V_D}, {OP_LOAD, V_D}, {OP_MUL, 0}, {OP_LESS, 0},
    {OP_JUMP_IF_NOT_ZERO, PRIME_FOUND},
    {OP_LOAD, V_N}, {OP_LOAD, V_D}, {OP_MOD, 0}, {OP_JUMP_IF_ZERO, PRIME_NOT},
    {OP_INCREMENT, V_D}, {OP_JUMP, PRIME_TRY_D},
    {LABEL, PRIME_FOUND},
    {OP_INCREMENT, V_PRIME_COUNT},
    {OP_LOAD, V_PRIME_SUM}, {OP_LOAD, V_N}, {OP_ADD, 0}, {OP_STORE, V_PRIME_SUM},
    {LABEL, PRIME_NOT},
    {OP_INCREMENT, V_N}, {OP_JUMP, PRIME_NEXT_N},
    {LABEL, PRIMES_DONE},

    /* Total Collatz path length over every start below COLLATZ_LIMIT. */
    {OP_PUSH, 1}, {OP_STORE, V_N},
    {LABEL, COLLATZ_NEXT_START},
    {OP_LOAD, V_N}, {OP_LOAD, V_COLLATZ_LIMIT}, {OP_LESS, 0}, {OP_JUMP_IF_ZERO, COLLATZ_DONE},
    {OP_LOAD, V_N}, {OP_STORE, V_X},
    {LABEL, COLLATZ_STEP},
    {OP_LOAD, V_X}, {OP_PUSH, 1}, {OP_EQUAL, 0}, {OP_JUMP_IF_NOT_ZERO, COLLATZ_PATH_DONE},
    {OP_INCREMENT, V_COLLATZ_STEPS},
    {OP_LOAD, V_X}, {OP_PUSH, 1}, {OP_AND, 0}, {OP_JUMP_IF_ZERO, COLLATZ_EVEN},
    {OP_LOAD, V_X}, {OP_PUSH, 3}, {OP_MUL, 0}, {OP_PUSH, 1}, {OP_ADD, 0}, {OP_STORE, V_X},
    {OP_JUMP, COLLATZ_STEP},
    {LABEL, COLLATZ_EVEN},
    {OP_LOAD, V_X}, {OP_PUSH, 1}, {OP_SHIFT_RIGHT, 0}, {OP_STORE, V_X}, {OP_JUMP, COLLATZ_STEP},
    {LABEL, COLLATZ_PATH_DONE},
    {OP_INCREMENT, V_N}, {OP_JUMP, COLLATZ_NEXT_START},
    {LABEL, COLLATZ_DONE},

    /* SIEVE_ROUNDS sieves of Eratosthenes over bytes 0..SIEVE_SIZE-1 of VM memory, each one
     * clearing the bytes, marking multiples and counting the unmarked (prime) entries. */
    {OP_PUSH, 0}, {OP_STORE, V_ROUND},
    {LABEL, SIEVE_ROUND},
    {OP_LOAD, V_ROUND}, {OP_LOAD, V_SIEVE_ROUNDS}, {OP_LESS, 0}, {OP_JUMP_IF_ZERO, SIEVE_DONE},
    {OP_PUSH, 0}, {OP_STORE, V_N},
    {LABEL, SIEVE_CLEAR},
    {OP_LOAD, V_N}, {OP_PUSH, 0}, {OP_STORE_MEMORY, 0}, {OP_INCREMENT, V_N},
    {OP_LOAD, V_N}, {OP_LOAD, V_SIEVE_SIZE}, {OP_LESS, 0}, {OP_JUMP_IF_NOT_ZERO, SIEVE_CLEAR},
    {OP_PUSH, 2}, {OP_STORE, V_D},
    {LABEL, SIEVE_NEXT_D},
    {OP_LOAD, V_D}, {OP_LOAD, V_D}, {OP_MUL, 0}, {OP_LOAD, V_SIEVE_SIZE}, {OP_LESS, 0},
    {OP_JUMP_IF_ZERO, SIEVE_TALLY},
    {OP_LOAD, V_D}, {OP_LOAD_MEMORY, 0}, {OP_JUMP_IF_NOT_ZERO, SIEVE_D_DONE},
    {OP_LOAD, V_D}, {OP_LOAD, V_D}, {OP_MUL, 0}, {OP_STORE, V_N},
    {LABEL, SIEVE_MARK},
    {OP_LOAD, V_N}, {OP_LOAD, V_SIEVE_SIZE}, {OP_LESS, 0}, {OP_JUMP_IF_ZERO, SIEVE_D_DONE},
    {OP_LOAD, V_N}, {OP_PUSH, 1}, {OP_STORE_MEMORY, 0},
    {OP_LOAD, V_N}, {OP_LOAD, V_D}, {OP_ADD, 0}, {OP_STORE, V_N}, {OP_JUMP, SIEVE_MARK},
    {LABEL, SIEVE_D_DONE},
    {OP_INCREMENT, V_D}, {OP_JUMP, SIEVE_NEXT_D},
    {LABEL, SIEVE_TALLY},
    {OP_PUSH, 2}, {OP_STORE, V_N},
    {LABEL, SIEVE_TALLY_NEXT},
    {OP_LOAD, V_N}, {OP_LOAD, V_SIEVE_SIZE}, {OP_LESS, 0}, {OP_JUMP_IF_ZERO, SIEVE_ROUND_DONE},
    {OP_LOAD, V_SIEVE_PRIMES}, {OP_LOAD, V_N}, {OP_LOAD_MEMORY, 0}, {OP_PUSH, 0}, {OP_EQUAL, 0},
    {OP_ADD, 0}, {OP_STORE, V_SIEVE_PRIMES},
    {OP_INCREMENT, V_N}, {OP_JUMP, SIEVE_TALLY_NEXT},
    {LABEL, SIEVE_ROUND_DONE},
    {OP_INCREMENT, V_ROUND}, {OP_JUMP, SIEVE_ROUND},
    {LABEL, SIEVE_DONE},
    {OP_HALT, 0},
};

#define PROGRAM_LENGTH (sizeof program / sizeof *program)

static uint32_t code[PROGRAM_LENGTH];
static uint64_t variables[VARIABLE_COUNT];
static uint8_t memory[SIEVE_SIZE];

/* Two passes: find where each label lands, then encode with jump operands resolved. */
static void assemble(void) {
    uint32_t label_at[LABEL_COUNT], length = 0;
    for (size_t i = 0; i < PROGRAM_LENGTH; i++) {
        if (program[i].opcode == LABEL)
            label_at[program[i].operand] = length;
        else
            length++;
    }
    length = 0;
    for (size_t i = 0; i < PROGRAM_LENGTH; i++) {
        uint8_t opcode = program[i].opcode;
        uint32_t operand = program[i].operand;
        if (opcode == OP_JUMP || opcode == OP_JUMP_IF_ZERO || opcode == OP_JUMP_IF_NOT_ZERO)
            operand = label_at[operand];
        if (opcode != LABEL)
            code[length++] = (uint32_t)opcode | operand << 8;
    }
}

/* Runs the code to its HALT and returns the number of instructions executed. The assembler's
 * programs are trusted: no stack or memory bounds are checked, as in a verified bytecode. */
static uint64_t run(void) {
    uint64_t stack[STACK_SIZE], *top = stack; /* top points just past the topmost value */
    const uint32_t *pc = code;
    for (uint64_t executed = 1;; executed++) {
        uint32_t instruction = *pc++, operand = instruction >> 8;
        switch (instruction & 0xff) {
        case OP_PUSH: *top++ = operand; break;
        case OP_LOAD: *top++ = variables[operand]; break;
        case OP_STORE: variables[operand] = *--top; break;
        case OP_INCREMENT: variables[operand]++; break;
        case OP_LOAD_MEMORY: top[-1] = memory[top[-1]]; break;
        case OP_STORE_MEMORY: top -= 2; memory[top[0]] = (uint8_t)top[1]; break;
        case OP_ADD: top--; top[-1] += top[0]; break;
        case OP_MUL: top--; top[-1] *= top[0]; break;
        case OP_MOD: top--; top[-1] %= top[0]; break;
        case OP_AND: top--; top[-1] &= top[0]; break;
        case OP_SHIFT_RIGHT: top--; top[-1] >>= top[0] & 63; break;
        case OP_LESS: top--; top[-1] = top[-1] < top[0]; break;
        case OP_EQUAL: top--; top[-1] = top[-1] == top[0]; break;
        case OP_JUMP: pc = code + operand; break;
        case OP_JUMP_IF_ZERO: if (*--top == 0) pc = code + operand; break;
        case OP_JUMP_IF_NOT_ZERO: if (*--top != 0) pc = code + operand; break;
        case OP_HALT: return executed;
        }
    }
}

int main(int argc, char **argv) {
    int scale = bench_begin(argc, argv);
    assemble();
    variables[V_PRIME_LIMIT] = FULL_PRIME_LIMIT / (uint64_t)scale;
    variables[V_COLLATZ_LIMIT] = FULL_COLLATZ_LIMIT / (uint64_t)scale;
    variables[V_SIEVE_SIZE] = SIEVE_SIZE;
    variables[V_SIEVE_ROUNDS] = FULL_SIEVE_ROUNDS / (uint64_t)scale;

    bench_kernel_start();
    uint64_t executed = run();
    bench_kernel_stop();

    uint64_t checksum = bench_hash_u64(BENCH_HASH_SEED, executed);
    for (int v = 0; v < VARIABLE_COUNT; v++)
        checksum = bench_hash_u64(checksum, variables[v]);
    return bench_report(checksum);
}
