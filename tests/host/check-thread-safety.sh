#!/usr/bin/env bash
# The kernel is built with GCC, which ignores the lock annotations (sched/thread_annotations.h).
# This runs clang's -Wthread-safety analysis over every kernel and rv64 arch source, for both
# runqueue variants, and fails on any warning.
# Usage: check-thread-safety.sh CLANGXX SOURCE_DIR KERNEL_FLAGS...   (as check-freestanding.sh)
set -euo pipefail
clangxx=$1
src=$2
shift 2
cd "$src"
flags=(--target=riscv64-linux-gnu "$@" -std=c++20 -fsyntax-only -Wthread-safety -Werror
       -Wno-unused-command-line-argument -I . -I arch/riscv64/include)
files=(kernel/*.cpp kernel/tests/*.cpp arch/riscv64/*.cpp)
for variant in -UNEURON_RUNQUEUE_LOCKFREE -DNEURON_RUNQUEUE_LOCKFREE; do  # locked, lockfree
  for f in "${files[@]}"; do
    "$clangxx" "${flags[@]}" "$variant" "$f"
  done
done
echo "thread-safety analysis: ${#files[@]} files x 2 variants, no warnings"
