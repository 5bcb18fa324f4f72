# Shared by the scripts: facts they must agree on, read from their one home, and the few helpers
# every script needs. A script sets NEURON_PROG (its name in messages) before it sources this.
# shellcheck shell=bash

NEURON_ROOT=${NEURON_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
NEURON_PROG=${NEURON_PROG:-$(basename "$0" .sh)}

# Harts QEMU's virt machine accepts (-smp); a QEMU fact, not the kernel's.
QEMU_VIRT_MAX_HARTS=512

# The exact-time lane: QEMU -icount with this shift, so each guest instruction takes 2^shift ns of
# guest time (8 ns: a 125 MIPS machine, fast enough for the selftests' 10 ms tick).
ICOUNT_SHIFT=3
ICOUNT_NS=$((1 << ICOUNT_SHIFT))

# The runqueue variants: the values of the CMake cache variable NEURON_RUNQUEUE, which lists them
# in NEURON_RUNQUEUE_VARIANTS (CMakeLists.txt).
mapfile -t NEURON_VARIANTS < <(sed -n 's/^set(NEURON_RUNQUEUE_VARIANTS \(.*\))$/\1/p' \
  "$NEURON_ROOT/CMakeLists.txt" | tr ' ' '\n')

# Bad input: one sentence on stderr and exit status 2, before anything runs.
die() {
  echo "${NEURON_PROG}: $*" >&2
  exit 2
}

# need_value OPTION ARGC: an option that takes a value was given none.
need_value() { [[ $2 -ge 2 ]] || die "$1 needs a value"; }

check_variant() {  # VARIANT
  local v
  for v in "${NEURON_VARIANTS[@]}"; do [[ "$1" == "$v" ]] && return 0; done
  die "unknown runqueue variant '$1' (allowed: ${NEURON_VARIANTS[*]})"
}

check_smp() {  # COUNT: 1..QEMU_VIRT_MAX_HARTS, printed without leading zeros
  [[ "$1" =~ ^[0-9]+$ ]] && (( 10#$1 >= 1 && 10#$1 <= QEMU_VIRT_MAX_HARTS )) ||
    die "SMP must be an integer from 1 to ${QEMU_VIRT_MAX_HARTS} (got '$1')"
}

# CPUs the kernel manages (config::kMaxCpus): it parks any further harts.
neuron_max_cpus() {
  local n
  n=$(sed -n 's/^inline constexpr std::size_t kMaxCpus = \([0-9]*\);.*/\1/p' \
    "$NEURON_ROOT/kernel/config.h")
  [[ -n "$n" ]] || { echo "cannot read kMaxCpus from kernel/config.h" >&2; return 1; }
  echo "$n"
}

# The kernel image of a variant (one per variant, whatever the hart count), and its presets.
kernel_preset() { echo "qemu-$1${2:+-$2}"; }  # VARIANT [bench]
kernel_image() { echo "$NEURON_ROOT/build/$(kernel_preset "$@")/kernel/neuron.elf"; }

# build_preset PRESET: configure once, then build (a no-op when nothing changed). Output goes to
# stderr; exit status 1 with a sentence if either step fails.
build_preset() {
  (cd "$NEURON_ROOT" && { [[ -f "build/$1/CMakeCache.txt" ]] || cmake --preset "$1" >&2; } &&
    cmake --build --preset "$1" >&2) || { echo "${NEURON_PROG}: build of $1 failed" >&2; exit 1; }
}
