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

# rv64gc/lp64d because Debian's cross headers only know lp64d (gnu/stubs-lp64.h is absent).
# The kernel still keeps floating point out: sstatus.FS stays Off and a post-build check fails
# the build if the compiler emitted any FP instruction (see kernel/CMakeLists.txt).
# -fno-pie/-no-pie: a PIE image loads symbols through a GOT that nothing relocates; it does not boot.
set(NEURON_KERNEL_FLAGS
    -march=rv64gc -mabi=lp64d -mcmodel=medany -ffreestanding -fno-pie -fno-exceptions -fno-rtti
    -fno-asynchronous-unwind-tables -fno-threadsafe-statics -fno-stack-protector -nostdlib)
set(NEURON_KERNEL_LINK_FLAGS -nostdlib -static -no-pie -Wl,--build-id=none)
