// A flattened-device-tree reader (Devicetree Specification v0.4, chapter 5) that trusts nothing
// in the blob. The header is checked first, as libfdt's fdt_check_header does (magic, versions,
// sizes, block offsets and alignment inside totalsize), and every later read (tokens, names,
// property lengths, string offsets, cells, string lists) is bounded by its block. A malformed
// tree is an Error that says what is wrong and where; nothing half-read is returned as if whole.
//
// It keeps only what the kernel uses, so no table of "all devices" can fill up: the harts (the
// boot hart always, then the others in tree order while room remains, all of them counted), the
// timebase, the bootargs, the memory (counted, and checked against the image the caller occupies)
// and one node for each device the caller asks for: the first enabled one in document order (a
// node before its subnodes), as libfdt's compatible lookup finds it; for the console, first the
// node /chosen/stdout-path names, as the firmware (OpenSBI) takes its own console.
#pragma once

#include <cstddef>
#include <cstdint>

namespace neuron::fdt {

inline constexpr std::size_t kMaxHarts = 512;  // harts kept: as many as QEMU virt takes
inline constexpr std::size_t kMaxWanted = 4;   // devices one parse may look for

inline constexpr std::size_t kNoConsole = kMaxWanted;

// [base, base + size): memory, a reservation or the kernel's image.
struct Range {
  std::uint64_t base, size;
};

struct Request {
  std::uint64_t boot_hart;    // kept first, wherever the tree lists it
  const char* const* wanted;  // "compatible" strings of the devices to find
  std::size_t wanted_count;   // at most kMaxWanted
  // wanted[console] is the console: the node /chosen/stdout-path names is taken when it is an
  // enabled match, else the first match. kNoConsole: no device is the console.
  std::size_t console;
  // Memory the caller occupies (image, stacks, pools): it must lie inside one /memory range and
  // overlap no reservation, or the tree is refused. Size 0: no memory is asked for or checked.
  Range image;
};

struct Device {
  bool found;    // an enabled node lists the wanted string in its "compatible"
  bool has_reg;  // ... and has a "reg" (the first address is `base`)
  std::uint64_t base;
};

struct Summary {
  std::uint64_t harts[kMaxHarts];  // the boot hart, then the other harts in tree order
  std::size_t hart_count;          // kept in harts[]
  std::size_t harts_in_tree;       // enabled /cpus/cpu@N nodes
  bool boot_hart_listed;
  std::uint64_t timebase_hz;      // /cpus/timebase-frequency, 0 if absent
  const char* bootargs;           // /chosen/bootargs, "" if absent; points into the blob
  const char* stdout_path;        // /chosen/stdout-path, "" if absent; points into the blob
  bool console_from_stdout_path;  // devices[Request::console] is the node stdout-path names
  Device devices[kMaxWanted];     // in the order of Request::wanted
  std::uint64_t memory_bytes;     // the sizes of every enabled /memory range, summed
  std::size_t memory_ranges;      // reg entries of enabled device_type = "memory" nodes
  Range image_memory;             // the /memory range holding Request::image ({0, 0}: none asked)
  std::size_t reserved_ranges;    // memreserve entries and enabled /reserved-memory reg entries
};

struct Error {
  const char* what;      // nullptr: no error
  std::uint32_t offset;  // byte offset into the blob
  explicit operator bool() const { return what != nullptr; }
};

// Reads the tree at `blob`, of which at most `capacity` bytes may be read.
Error parse(const void* blob, std::size_t capacity, const Request& request, Summary& out);

}  // namespace neuron::fdt
