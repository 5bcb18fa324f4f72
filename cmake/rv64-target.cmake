# The rv64 target the kernel is built for: the ABI and code model. Read by the cross toolchain
# file and by the host test that compiles sched/ the kernel's way (tests/host).
# rv64gc/lp64d because Debian's cross headers only know lp64d (gnu/stubs-lp64.h is absent); the
# kernel still keeps floating point out (kernel-flags.cmake). medany: the image runs at 0x80200000.
set(NEURON_RV64_TARGET_FLAGS -march=rv64gc -mabi=lp64d -mcmodel=medany)
