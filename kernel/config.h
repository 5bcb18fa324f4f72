// Compile-time limits of the kernel. Each one is a fixed array somewhere; none allocates.
#pragma once

#include <cstddef>
#include <cstdint>

namespace neuron::config {

inline constexpr std::size_t kMaxCpus = 512;                // QEMU virt's limit (cpumask.h sets)
inline constexpr std::size_t kMaxDeviceTreeSize = 1 << 20;  // bytes the boot CPU may read there
inline constexpr std::size_t kBootStackSize = 16384;        // per CPU: its boot and idle context
inline constexpr std::size_t kMaxTasks = 512;
inline constexpr std::size_t kTaskStackSize = 8192;
// Per CPU and QoS class; tasks beyond it wait in the CPU's backlog.
inline constexpr std::size_t kRunQueueCapacity = 64;
// Tasks one steal may take (steal.cpp): up to half a victim's runqueue of one class, so at most
// half a full one, 32 here (Linux moves at most 32 tasks per balancing pass). Derived, because
// the half rule is what binds; it sizes the thief's buffer.
inline constexpr std::size_t kStealBatch = kRunQueueCapacity / 2;
inline constexpr std::uint64_t kTickHz = 100;  // 10 ms tick
// Timebases the kernel's arithmetic is sound for (milliseconds to ticks, 30 s deadlines).
inline constexpr std::uint64_t kMinTimebaseHz = 1'000;
inline constexpr std::uint64_t kMaxTimebaseHz = 100'000'000'000;
inline constexpr std::uint32_t kSliceTicks = 5;  // 50 ms time slice

}  // namespace neuron::config
