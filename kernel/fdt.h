// A minimal flattened-device-tree reader (Devicetree Specification v0.4, chapter 5): enough to
// find the harts, the timebase and the devices the kernel drives, so that nothing board-specific
// is a constant in the code.
#pragma once

#include <cstddef>
#include <cstdint>

namespace neuron::fdt {

inline constexpr std::size_t kMaxHarts = 64;
inline constexpr std::size_t kMaxDevices = 48;

struct Device {
  const char* compatible;      // the whole "compatible" list: NUL-separated strings
  std::size_t compatible_len;  // bytes in that list
  std::uint64_t base;          // first address of "reg"
  bool has_reg;
};

struct Summary {
  std::uint64_t
      harts[kMaxHarts];  // hart ids of /cpus/cpu@N nodes that are not disabled, in tree order
  std::size_t hart_count;
  bool hart_list_truncated;
  std::uint64_t timebase_hz;  // /cpus/timebase-frequency
  const char* bootargs;       // /chosen/bootargs, "" if absent
  Device devices[kMaxDevices];
  std::size_t device_count;
};

enum class Error { None, BadMagic, BadVersion, BadStructure };
const char* error_name(Error e);

// Parse the blob at `blob` into `out`. Strings in `out` point into the blob.
Error parse(const void* blob, Summary& out);

// The first device whose compatible list holds `compat`, or nullptr.
const Device* find_compatible(const Summary& s, const char* compat);

}  // namespace neuron::fdt
