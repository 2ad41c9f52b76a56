#!/bin/sh
# Builds the C runtime with the unit test beside this script and runs it, then again under
# AddressSanitizer and UndefinedBehaviorSanitizer. Usage: tests/runtime/run.sh
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cc=${CC:-cc}
sources=$(ls "$root"/runtime-lib/src/*.c | grep -v '/main[^/]*\.c$')
flags="-std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -I$root/runtime-lib/include"
# shellcheck disable=SC2086
$cc $flags -o "$out/runtime_test" "$root"/tests/runtime/*_test.c $sources -lpthread
"$out/runtime_test"
# shellcheck disable=SC2086
$cc $flags -fsanitize=address,undefined -fno-sanitize-recover=all -o "$out/runtime_test_asan" \
    "$root"/tests/runtime/*_test.c $sources -lpthread
# The test leaks on purpose (failed instances, host memories); the fault handler needs its own
# alternate stack, not the sanitizer's.
ASAN_OPTIONS=detect_leaks=0:use_sigaltstack=0 "$out/runtime_test_asan"
