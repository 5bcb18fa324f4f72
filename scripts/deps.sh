#!/usr/bin/env bash
# Installs the Debian packages NEURON SMP needs, only those missing. Idempotent: a second run
# installs nothing. Usage: scripts/deps.sh [--check] [GROUP...]   (default: every group)
set -euo pipefail
NEURON_PROG=deps
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

declare -A GROUPS_PKGS=(
  [build]="cmake ninja-build g++ git"
  [kernel]="g++-riscv64-linux-gnu binutils-riscv64-linux-gnu qemu-system-misc qemu-system-data"
  [host]="clang clang-format libclang-rt-14-dev libgtest-dev libgmock-dev libbenchmark-dev spin libfdt-dev"
  [trace]="gnuplot-nox python3"
  [bench]="libxenium-dev libtbb-dev libconcurrentqueue-dev libboost-dev gnuplot-nox python3 valgrind cargo librust-crossbeam-deque-dev"
)
ALL_GROUPS="build kernel host trace bench"

usage() {
  cat <<USAGE
usage: scripts/deps.sh [--check] [GROUP...]
Installs the missing Debian packages of each GROUP (default: all of: ${ALL_GROUPS}).
  --check   only report what is missing; exit 1 if anything is
Groups:
$(for g in ${ALL_GROUPS}; do printf '  %-8s %s\n' "$g" "${GROUPS_PKGS[$g]}"; done)
USAGE
}

check_only=0
groups=()
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    --check) check_only=1 ;;
    -*) die "unknown option '$arg' (see --help)" ;;
    *)
      [[ -n "${GROUPS_PKGS[$arg]+x}" ]] || die "unknown group '$arg'; groups: ${ALL_GROUPS}"
      groups+=("$arg") ;;
  esac
done
[[ ${#groups[@]} -gt 0 ]] || read -r -a groups <<< "${ALL_GROUPS}"

missing=()
for g in "${groups[@]}"; do
  for p in ${GROUPS_PKGS[$g]}; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "deps: all packages present (${groups[*]})"
  exit 0
fi
if [[ $check_only -eq 1 ]]; then
  echo "deps: missing: ${missing[*]}" >&2
  exit 1
fi

if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "deps: missing packages: ${missing[*]}" >&2
  echo "deps: not root and no password-less sudo; install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get update -qq; then
  echo "deps: apt-get update failed (no network or no Debian mirror?); missing: ${missing[*]}" >&2
  exit 1
fi
if ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  echo "deps: apt-get install failed for: ${missing[*]}" >&2
  exit 1
fi
echo "deps: installed ${missing[*]}"
