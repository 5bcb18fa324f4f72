#!/usr/bin/env bash
# Compiles every sched/ header for rv64 with the kernel's own flags and fails if the object
# refers to any symbol it does not define.
# Usage: check-freestanding.sh CXX SOURCE_DIR KERNEL_FLAGS...   (cmake/{rv64-target,kernel-flags}.cmake)
set -euo pipefail
cxx=$1
src=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
  for h in $(cd "$src" && find sched -name '*.h' | sort); do echo "#include \"$h\""; done
  cat <<'CPP'
#include <cstdint>
using namespace neuron::sched;
// Instantiate every operation of both variants and both owner ends, as the kernel does with Task*.
template <typename Q> void exercise(Q& q) {
  typename Q::value_type v{}, batch[4];
  (void)q.push(v); (void)q.steal(); (void)q.size();
  if constexpr (FifoRunQueue<Q>) (void)q.pop(v), (void)q.steal_batch(batch, 4);
  else (void)q.take(v);
}
LockedRingDeque<void*, 64, OwnerEnd::Fifo> g_locked;
ChaseLevDeque<void*, 64, OwnerEnd::Fifo> g_lockfree;
LockedRingDeque<void*, 64, OwnerEnd::Lifo> g_locked_lifo;
ChaseLevDeque<void*, 64, OwnerEnd::Lifo> g_lockfree_lifo;
// And both wake lists, over an intrusive node as the kernel's Task.
struct Node { Node* link; };
template <typename L> void exercise_list(L& l, Node* n) { (void)l.push(n); (void)l.take_all(); (void)l.empty(); }
LockedList<Node, &Node::link> g_locked_list;
MpscList<Node, &Node::link> g_lockfree_list;
Node g_node;
extern "C" void instantiate() {
  exercise(g_locked); exercise(g_lockfree); exercise(g_locked_lifo); exercise(g_lockfree_lifo);
  exercise_list(g_locked_list, &g_node); exercise_list(g_lockfree_list, &g_node);
}
CPP
} > "$tmp/all.cpp"
"$cxx" -std=c++20 "$@" -O2 -Wall -Wextra -Werror -I "$src" -c "$tmp/all.cpp" -o "$tmp/all.o"
undefined=$(riscv64-linux-gnu-nm -u "$tmp/all.o" || true)
if [[ -n "$undefined" ]]; then
  echo "sched/ headers need symbols a freestanding kernel does not have:"
  echo "$undefined"
  exit 1
fi
echo "sched/ headers compile freestanding for rv64 with no undefined symbols"
