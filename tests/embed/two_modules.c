/* Three libraries in one program: text.wat as `text`, and sum.wat twice, as `left` and `right`. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "left.h"
#include "right.h"
#include "text.h"

void text_env_emit(text_instance *instance, void *context, int32_t ptr, int32_t len) {
    (void)context;
    printf("emit %.*s\n", (int)len,
           (const char *)text_memory_at(instance, (uint32_t)ptr, (uint32_t)len));
}

int32_t left_env_weight(left_instance *instance, void *context, int32_t i) {
    (void)instance, (void)context;
    return i * i;
}

int32_t right_env_weight(right_instance *instance, void *context, int32_t i) {
    (void)instance, (void)context;
    return 100 + i;
}

int main(void) {
    wasm2native_result result;
    text_instance *text = text_new(NULL, &result);
    left_instance *left = left_new(NULL, &result);
    right_instance *right = right_new(NULL, &result);
    if (!text || !left || !right) {
        printf("new failed: %s\n", result.message);
        return 1;
    }

    const char greeting[] = "hello, wasm";
    memcpy(text_memory_at(text, 16, sizeof greeting - 1), greeting, sizeof greeting - 1);
    printf("trap %d\n", text_shout(text, 16, (int32_t)(sizeof greeting - 1)));

    int64_t left_total = 0, right_total = 0;
    printf("trap %d\n", left_sum(left, 4, &left_total));
    printf("trap %d\n", right_sum(right, 4, &right_total));
    printf("sums %" PRId64 " %" PRId64 "\n", left_total, right_total);
    printf("trap %d\n", left_sum(left, 3, &left_total));

    /* Each instance kept its own weights and its own call count. */
    int32_t left_third, right_third;
    memcpy(&left_third, left_memory_at(left, 8, 4), 4);
    memcpy(&right_third, right_memory_at(right, 8, 4), 4);
    printf("third weights %d %d\n", left_third, right_third);
    printf("calls %d %d\n", *left_calls(left), *right_calls(right));

    text_free(text);
    left_free(left);
    right_free(right);
    return 0;
}
