# Shared by the scripts: facts they must agree on, read from their one home.
# shellcheck shell=bash

NEURON_ROOT=${NEURON_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

# Harts QEMU's virt machine accepts (-smp); a QEMU fact, not the kernel's.
QEMU_VIRT_MAX_HARTS=512

# CPUs the kernel manages (config::kMaxCpus): it leaves any further harts in the firmware.
neuron_max_cpus() {
  local n
  n=$(sed -n 's/^inline constexpr std::size_t kMaxCpus = \([0-9]*\);.*/\1/p' \
    "$NEURON_ROOT/kernel/config.h")
  [[ -n "$n" ]] || { echo "cannot read kMaxCpus from kernel/config.h" >&2; return 1; }
  echo "$n"
}
