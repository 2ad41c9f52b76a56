/* The launch options of a compiled executable: word splitting, flags, and the environment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"

typedef struct word_list {
    char **words;
    size_t count;
} word_list;

static int push_word(word_list *list, char *word) {
    char **grown = realloc(list->words, (list->count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    list->words = grown;
    list->words[list->count++] = word;
    return 0;
}

/* Splits `text` into words as a POSIX shell would, without expansions. */
static int split_words(const char *text, word_list *list, char *error, size_t error_size) {
    char *word = malloc(strlen(text) + 1);
    if (!word)
        return snprintf(error, error_size, "out of memory"), -1;
    size_t length = 0;
    int in_word = 0;
    for (const char *at = text;; at++) {
        char c = *at;
        if (c == '\0' || c == ' ' || c == '\t' || c == '\n') {
            if (in_word) {
                word[length] = '\0';
                char *copy = strdup(word);
                if (!copy || push_word(list, copy) != 0) {
                    free(copy);
                    free(word);
                    return snprintf(error, error_size, "out of memory"), -1;
                }
                length = 0;
                in_word = 0;
            }
            if (c == '\0')
                break;
            continue;
        }
        in_word = 1;
        if (c == '\'' || c == '"') {
            const char quote = c;
            for (at++; *at && *at != quote; at++) {
                if (quote == '"' && *at == '\\' && at[1] && strchr("\"\\$`", at[1]))
                    at++;
                word[length++] = *at;
            }
            if (!*at) {
                free(word);
                return snprintf(error, error_size, "unterminated %c quote", quote), -1;
            }
        } else if (c == '\\' && at[1]) {
            word[length++] = *++at;
        } else {
            word[length++] = c;
        }
    }
    free(word);
    return 0;
}

/*
 * Adds the grant HOST[::GUEST][:readonly] (`spec`, split in place). Returns 0, -1 when out of
 * memory, or 1 when the spec names no host directory.
 */
static int add_dir(w2n_launch_options *options, char *spec) {
    size_t length = strlen(spec), suffix = strlen(W2N_READ_ONLY_SUFFIX);
    int read_only = length >= suffix && strcmp(spec + length - suffix, W2N_READ_ONLY_SUFFIX) == 0;
    if (length == (read_only ? suffix : 0) || strncmp(spec, "::", 2) == 0)
        return 1;
    if (read_only)
        spec[length - suffix] = '\0';
    uint32_t flags = read_only ? W2N_WASI_DIR_READ_ONLY : 0;
    char *separator = strstr(spec, "::");
    w2n_granted_dir *grown = realloc(options->dirs, (options->dir_count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    options->dirs = grown;
    w2n_granted_dir *dir = &options->dirs[options->dir_count++];
    dir->host = spec;
    dir->guest = spec;
    dir->flags = flags;
    if (separator) {
        *separator = '\0';
        dir->guest = separator + 2;
    }
    return 0;
}

static int add_env(w2n_launch_options *options, char *entry) {
    char **grown = realloc(options->env, (options->env_count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    options->env = grown;
    options->env[options->env_count++] = entry;
    return 0;
}

/* Applies the flag at list->words[*at] (and its value), advancing *at past what it used. */
static int apply_flag(const word_list *list, size_t *at, const char *origin,
                      w2n_launch_options *options, char *error, size_t error_size) {
    const char *flag = list->words[*at];
    if (strcmp(flag, "--inherit-env") == 0) {
        options->inherit_env = 1;
        return 0;
    }
    if (strcmp(flag, "--dir") != 0 && strcmp(flag, "--env") != 0 && strcmp(flag, "--invoke") != 0) {
        snprintf(error, error_size,
                 "%s: unknown option '%s' (known: --dir HOST[::GUEST]"
                 "[" W2N_READ_ONLY_SUFFIX "], --env NAME=VALUE, --inherit-env, --invoke NAME)",
                 origin, flag);
        return -1;
    }
    if (*at + 1 == list->count) {
        snprintf(error, error_size, "%s: %s needs a value", origin, flag);
        return -1;
    }
    char *value = list->words[++*at];
    int failed = 0;
    if (strcmp(flag, "--dir") == 0) {
        failed = add_dir(options, value);
        if (failed > 0) {
            snprintf(error, error_size, "%s: --dir '%s' names no host directory", origin, value);
            return -1;
        }
    } else if (strcmp(flag, "--env") == 0) {
        if (value[0] == '=' || !strchr(value, '=')) {
            snprintf(error, error_size, "%s: --env '%s' is not NAME=VALUE", origin, value);
            return -1;
        }
        failed = add_env(options, value);
    } else {
        options->invoke = value;
    }
    if (failed)
        snprintf(error, error_size, "out of memory");
    return failed ? -1 : 0;
}

int w2n_parse_launch_options(const char *text, const char *origin, w2n_launch_options *options,
                             char *error, size_t error_size) {
    word_list list = {NULL, 0};
    char reason[160];
    if (split_words(text, &list, reason, sizeof reason) != 0) {
        snprintf(error, error_size, "%s: %s", origin, reason);
        return -1;
    }
    int status = 0;
    for (size_t i = 0; i < list.count && status == 0; i++) {
        size_t flag = i;
        status = apply_flag(&list, &i, origin, options, error, error_size);
        free(list.words[flag]); /* values stay: `options` points into them */
    }
    free(list.words);
    return status;
}

static size_t name_length(const char *entry) {
    const char *equals = strchr(entry, '=');
    return equals ? (size_t)(equals - entry) : strlen(entry);
}

/* Sets NAME=VALUE in `env` (count `*count`), replacing an entry of the same NAME. */
static void set_entry(char **env, size_t *count, char *entry) {
    size_t length = name_length(entry);
    for (size_t i = 0; i < *count; i++) {
        if (name_length(env[i]) == length && strncmp(env[i], entry, length) == 0) {
            env[i] = entry;
            return;
        }
    }
    env[(*count)++] = entry;
}

char **w2n_program_environment(const w2n_launch_options *options, char **host_environment) {
    size_t host_count = 0;
    while (options->inherit_env && host_environment && host_environment[host_count])
        host_count++;
    char **env = calloc(host_count + options->env_count + 1, sizeof *env);
    if (!env)
        return NULL;
    size_t count = 0;
    const size_t own_length = strlen(W2N_OPTIONS_VARIABLE);
    for (size_t i = 0; i < host_count; i++) {
        char *entry = host_environment[i];
        if (name_length(entry) == own_length &&
            strncmp(entry, W2N_OPTIONS_VARIABLE, own_length) == 0)
            continue;
        set_entry(env, &count, entry);
    }
    for (size_t i = 0; i < options->env_count; i++)
        set_entry(env, &count, options->env[i]);
    env[count] = NULL;
    return env;
}
