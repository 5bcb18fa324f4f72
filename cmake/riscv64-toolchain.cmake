# Cross toolchain for the kernel: Debian's riscv64-linux-gnu GCC, used freestanding.
# (riscv64-unknown-elf-g++ ships no C++ headers, so <atomic> would be missing.)
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv64)

set(NEURON_CROSS_PREFIX "riscv64-linux-gnu-" CACHE STRING "Prefix of the rv64 cross tools")
find_program(NEURON_CROSS_CXX "${NEURON_CROSS_PREFIX}g++")
if(NOT NEURON_CROSS_CXX)
  message(FATAL_ERROR "${NEURON_CROSS_PREFIX}g++ not found: run scripts/deps.sh "
                      "(Debian package g++-riscv64-linux-gnu)")
endif()
set(CMAKE_CXX_COMPILER "${NEURON_CROSS_CXX}")
set(CMAKE_ASM_COMPILER "${NEURON_CROSS_CXX}")
find_program(CMAKE_OBJDUMP "${NEURON_CROSS_PREFIX}objdump" REQUIRED)
find_program(CMAKE_OBJCOPY "${NEURON_CROSS_PREFIX}objcopy" REQUIRED)

# There is no libc to link a test executable against: probe the compiler with a static library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# The target's ABI and code model; the kernel's own policy (freestanding, no exceptions, ...) is
# project policy and lives in kernel-flags.cmake.
include(${CMAKE_CURRENT_LIST_DIR}/rv64-target.cmake)
list(JOIN NEURON_RV64_TARGET_FLAGS " " rv64_target_flags)
set(CMAKE_CXX_FLAGS_INIT "${rv64_target_flags}")
set(CMAKE_ASM_FLAGS_INIT "${rv64_target_flags}")
