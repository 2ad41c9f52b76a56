/* Binary trees, as in the Computer Language Benchmarks Game: build perfect binary trees of many
 * depths node by node with malloc, walk them to count their nodes, and free them, while one
 * long-lived tree stays allocated throughout. Stresses the allocator (millions of small
 * malloc/free pairs), pointer chasing and shallow recursion (depth at most FULL_DEPTH + 1). */
#include "bench.h"

#define MIN_DEPTH 4
#define FULL_DEPTH 18

typedef struct Node {
    struct Node *left;
    struct Node *right;
} Node;

static Node *create_tree(int depth) {
    Node *node = malloc(sizeof *node);
    if (!node) {
        fprintf(stderr, "binarytrees: out of memory\n");
        exit(1);
    }
    if (depth > 0) {
        node->left = create_tree(depth - 1);
        node->right = create_tree(depth - 1);
    } else {
        node->left = node->right = NULL;
    }
    return node;
}

static uint64_t count_nodes(const Node *node) {
    if (!node->left)
        return 1;
    return 1 + count_nodes(node->left) + count_nodes(node->right);
}

static void free_tree(Node *node) {
    if (node->left) {
        free_tree(node->left);
        free_tree(node->right);
    }
    free(node);
}

int main(int argc, char **argv) {
    int scale = bench_begin(argc, argv);
    /* Each level down halves the work, so the quick run drops about log2(scale) levels. */
    int max_depth = FULL_DEPTH;
    for (int s = scale; s > 1; s /= 2)
        max_depth--;

    bench_kernel_start();
    uint64_t checksum = BENCH_HASH_SEED;
    Node *stretch = create_tree(max_depth + 1);
    checksum = bench_hash_u64(checksum, count_nodes(stretch));
    free_tree(stretch);

    Node *long_lived = create_tree(max_depth);
    for (int depth = MIN_DEPTH; depth <= max_depth; depth += 2) {
        uint64_t iterations = (uint64_t)1 << (max_depth - depth + MIN_DEPTH);
        uint64_t nodes = 0;
        for (uint64_t i = 0; i < iterations; i++) {
            Node *tree = create_tree(depth);
            nodes += count_nodes(tree);
            free_tree(tree);
        }
        checksum = bench_hash_u64(checksum, iterations);
        checksum = bench_hash_u64(checksum, nodes);
    }
    checksum = bench_hash_u64(checksum, count_nodes(long_lived));
    free_tree(long_lived);
    bench_kernel_stop();

    return bench_report(checksum);
}
