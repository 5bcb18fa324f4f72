#!/usr/bin/env bash
# The kernel is built with GCC, which ignores the lock annotations (sched/thread_annotations.h).
# This runs clang's -Wthread-safety analysis over every kernel and rv64 arch source, for both
# runqueue variants, and fails on any warning. Usage: check-thread-safety.sh CLANGXX SOURCE_DIR
set -euo pipefail
clangxx=$1
src=$2
cd "$src"
flags=(--target=riscv64-linux-gnu -march=rv64gc -mabi=lp64d -std=c++20 -ffreestanding
       -fno-exceptions -fno-rtti -fsyntax-only -Wthread-safety -Werror -I . -I arch/riscv64/include)
files=(kernel/*.cpp arch/riscv64/*.cpp)
for variant in -UNEURON_RUNQUEUE_LOCKFREE -DNEURON_RUNQUEUE_LOCKFREE; do  # locked, lockfree
  for f in "${files[@]}"; do
    "$clangxx" "${flags[@]}" "$variant" "$f"
  done
done
echo "thread-safety analysis: ${#files[@]} files x 2 variants, no warnings"
