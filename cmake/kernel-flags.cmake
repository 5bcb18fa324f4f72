# The kernel's compile and link policy, in one place: the interface target neuron_kernel_options
# (kernel/CMakeLists.txt) applies it, and the freestanding check of sched/ (tests/host) passes the
# same list to the compiler. The optimisation level is the build type's (RelWithDebInfo: -O2 -g).
# The kernel keeps floating point out: sstatus.FS stays Off, and a post-build check fails the
# build if the compiler emitted any FP instruction (kernel/CMakeLists.txt).
# -fno-pie/-no-pie: a PIE image loads symbols through a GOT that nothing relocates; it does not boot.
set(NEURON_KERNEL_FLAGS
    -ffreestanding -fno-pie -fno-exceptions -fno-rtti -fno-asynchronous-unwind-tables
    -fno-threadsafe-statics -fno-stack-protector -nostdlib)
set(NEURON_KERNEL_LINK_FLAGS -nostdlib -static -no-pie -Wl,--build-id=none)
