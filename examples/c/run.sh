#!/usr/bin/env bash
# Builds the C examples against the shared and the static library, runs them, and runs
# them under valgrind (no leaks, no errors). Run from anywhere; used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --lib --no-default-features   # the C library alone, as the README builds it
out=target/c
mkdir -p "$out"
CFLAGS=(-std=c11 -O1 -g -Wall -Wextra -Werror -pedantic -Iinclude)
for prog in score threads small_stack outcome; do
  gcc "${CFLAGS[@]}" "examples/c/$prog.c" -Ltarget/release -lscorecard -lpthread -o "$out/${prog}_shared"
  gcc "${CFLAGS[@]}" "examples/c/$prog.c" target/release/libscorecard.a -lpthread -ldl -lm -o "$out/${prog}_static"
done
export LD_LIBRARY_PATH="$PWD/target/release${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if ! command -v valgrind >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq valgrind) >/dev/null
fi
for bin in score_shared score_static threads_shared threads_static small_stack_shared small_stack_static; do
  echo "== $bin"
  "$out/$bin"
  valgrind --quiet --error-exitcode=99 --leak-check=full --suppressions=examples/c/valgrind.supp --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible "$out/$bin" > /dev/null
  echo "   valgrind: no errors, no leaks"
done
