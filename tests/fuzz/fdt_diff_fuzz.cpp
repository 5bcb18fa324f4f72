// libFuzzer target: the kernel's device-tree reader against libfdt (Debian's libfdt-dev), the
// library the firmware (OpenSBI) reads the same tree with. For every input libfdt's full check
// accepts, the kernel's reader either refuses it by one of its documented rules (docs/fuzzing.md)
// or reads what libfdt reads, field by field: the harts, the timebase, the bootargs, the console
// (stdout-path first) and the exit device, the memory and the reservations. A refusal that only
// a malformed structure earns, or a field read differently, aborts the run with the input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include <libfdt.h>
}

#include "kernel/fdt.h"

namespace {

using neuron::fdt::Range;
namespace kfdt = neuron::fdt;

constexpr const char* kWanted[] = {"ns16550a", "sifive,test0"};
constexpr std::size_t kConsole = 0;
constexpr Range kImage{0x80200000, 0x200000};  // the kernel's place on QEMU virt

// The kernel's refusals of a structure libfdt's full check refuses too: on a tree libfdt accepts,
// each would be a disagreement. Every other refusal is a documented rule (docs/fuzzing.md).
constexpr const char* kStructural[] = {
    "room for less than a header",
    "bad magic",
    "totalsize out of range",
    "strings block outside the blob",
    "the memory reservation block runs past the blob",
    "the structure block ends without FDT_END",
    "FDT_END inside an open node",
    "a second root node",
    "the root node has a name",
    "a node name runs past the structure block",
    "FDT_END_NODE without a node",
    "a property header runs past the structure block",
    "a property value runs past the structure block",
    "a property name outside the strings block",
    "a property name runs past the strings block",
};

struct Counts {
  unsigned long inputs = 0, libfdt_accepted = 0, refused_by_rule = 0, compared = 0;
};
Counts g_counts;
bool g_must_accept = false;

void report() {
  std::fprintf(stderr,
               "fdt_diff: %lu inputs, %lu accepted by libfdt: %lu compared field by field, "
               "%lu refused by a documented rule, 0 disagreements\n",
               g_counts.inputs, g_counts.libfdt_accepted, g_counts.compared,
               g_counts.refused_by_rule);
}

[[noreturn]] void disagree(const char* what) {
  std::fprintf(stderr, "fdt_diff: DISAGREEMENT: %s\n", what);
  std::abort();
}

void require(bool ok, const char* what) {
  if (!ok) disagree(what);
}

// libfdt 1.6.1 steps over a property with 32-bit int arithmetic: a length of 2^31 or more sends
// its next offset backwards (or, within 8 of 2^32, back inside the property), and its full check
// then reads on from there, or loops for ever. The kernel refuses such a length as running past
// the block. Such trees are not handed to libfdt: a libfdt defect, not a disagreement
// (docs/fuzzing.md). The walk is libfdt's up to that property, with arithmetic that cannot wrap.
bool libfdt_steps_back(const std::uint8_t* data, std::size_t size) {
  const auto be32 = [&](std::uint64_t at) {
    return fdt32_ld(reinterpret_cast<const fdt32_t*>(data + at));
  };
  const std::uint64_t start = be32(8), len = be32(36);  // off_dt_struct, size_dt_struct
  const std::uint64_t end = start + len < size ? start + len : size;
  for (std::uint64_t at = start; at + 4 <= end;) {
    const std::uint32_t tag = be32(at);
    if (tag == FDT_BEGIN_NODE) {
      at += 4;
      while (at < end && data[at] != 0) ++at;
      at = (at + 1 + 3) & ~std::uint64_t{3};
    } else if (tag == FDT_PROP) {
      if (at + 12 > end) return false;
      const std::uint32_t n = be32(at + 4);
      if (n >= 0x80000000u) return true;
      at = (at + 12 + n + 3) & ~std::uint64_t{3};
    } else if (tag == FDT_END_NODE || tag == FDT_NOP) {
      at += 4;
    } else {
      return false;  // FDT_END, or a token libfdt reads as the end
    }
  }
  return false;
}

// --- What libfdt reads ---------------------------------------------------------------------

const char* string_prop(const void* fdt, int node, const char* name) {
  int len = 0;
  const auto* v = static_cast<const char*>(fdt_getprop(fdt, node, name, &len));
  return v && len > 0 && v[len - 1] == 0 ? v : nullptr;
}

bool enabled(const void* fdt, int node) {
  const char* s = string_prop(fdt, node, "status");
  return !s || std::strcmp(s, "okay") == 0 || std::strcmp(s, "ok") == 0;
}

bool has_type(const void* fdt, int node, const char* type) {
  const char* s = string_prop(fdt, node, "device_type");
  return s && std::strcmp(s, type) == 0;
}

std::uint32_t cells(const void* fdt, int node, const char* name, std::uint32_t absent) {
  int len = 0;
  const void* v = node >= 0 ? fdt_getprop(fdt, node, name, &len) : nullptr;
  return v ? fdt32_ld(static_cast<const fdt32_t*>(v)) : absent;
}

std::uint64_t read_cells(const std::uint8_t* p, std::uint32_t n) {
  std::uint64_t v = 0;
  for (std::uint32_t i = 0; i < n; ++i)
    v = v << 32 | fdt32_ld(reinterpret_cast<const fdt32_t*>(p + 4 * i));
  return v;
}

// A node's reg entries, in its parent's cells (the root's parent: 2 and 1, as the reader says).
// Cells other than 1 or 2 give none (the reader refuses them where it reads ranges).
std::vector<Range> reg_ranges(const void* fdt, int node) {
  const int parent = node == 0 ? -1 : fdt_parent_offset(fdt, node);
  const std::uint32_t ac = cells(fdt, parent, "#address-cells", 2);
  const std::uint32_t sc = cells(fdt, parent, "#size-cells", 1);
  int len = 0;
  const auto* reg = static_cast<const std::uint8_t*>(fdt_getprop(fdt, node, "reg", &len));
  std::vector<Range> out;
  if (ac < 1 || ac > 2 || sc < 1 || sc > 2) return out;
  for (int at = 0; reg && at + 4 * static_cast<int>(ac + sc) <= len; at += 4 * (ac + sc)) {
    out.push_back({read_cells(reg + at, ac), read_cells(reg + at + 4 * ac, sc)});
  }
  return out;
}

std::uint64_t first_address(const void* fdt, int node) {
  const int parent = node == 0 ? -1 : fdt_parent_offset(fdt, node);
  int len = 0;
  const auto* reg = static_cast<const std::uint8_t*>(fdt_getprop(fdt, node, "reg", &len));
  return read_cells(reg, cells(fdt, parent, "#address-cells", 2));
}

kfdt::Device device_at(const void* fdt, int node) {
  kfdt::Device d{true, fdt_getprop(fdt, node, "reg", nullptr) != nullptr, 0};
  if (d.has_reg) d.base = first_address(fdt, node);
  return d;
}

bool is_console(const void* fdt, int node) {
  return node >= 0 && enabled(fdt, node) &&
         fdt_node_check_compatible(fdt, node, kWanted[kConsole]) == 0;
}

// The node stdout-path names, found as OpenSBI 1.1 finds it: the part before a ':' through
// fdt_path_offset_namelen. An alias to a relative or empty path would make libfdt recurse (for
// ever on a loop); the reader refuses it, so one reaching this point is a disagreement.
int stdout_node(const void* fdt, const char* sp) {
  std::size_t len = 0;
  while (sp[len] != 0 && sp[len] != ':') ++len;
  if (sp[0] != '/') {
    std::size_t alias_len = 0;
    while (alias_len < len && sp[alias_len] != '/') ++alias_len;
    const char* v = fdt_get_alias_namelen(fdt, sp, static_cast<int>(alias_len));
    require(!v || v[0] == '/', "an alias to a relative or empty path accepted");
  }
  return fdt_path_offset_namelen(fdt, sp, static_cast<int>(len));
}

Range end_clamped(Range r) {  // as the reader's end_of: a range that would wrap reaches the top
  const std::uint64_t end = r.base + r.size;
  return {r.base, end < r.base ? ~std::uint64_t{0} - r.base : r.size};
}

bool overlaps(Range a, Range b) {
  a = end_clamped(a);
  b = end_clamped(b);
  return a.size && b.size && a.base < b.base + b.size && b.base < a.base + a.size;
}

// What libfdt reads of the memory: enabled device_type = "memory" children of the root, and the
// reservations (the block's entries, the enabled /reserved-memory children's reg entries).
struct Memory {
  std::uint64_t bytes = 0;
  std::size_t ranges = 0;
  Range holder{0, 0};  // the first range holding the image
  std::size_t reserved = 0;
  bool block_overlap = false, node_overlap = false;  // a reservation over the image
};

Memory read_memory(const void* fdt, const kfdt::Request& req) {
  Memory m;
  int node = 0;
  fdt_for_each_subnode(node, fdt, 0) {
    if (!has_type(fdt, node, "memory") || !enabled(fdt, node)) continue;
    for (const Range& r : reg_ranges(fdt, node)) {
      ++m.ranges;
      m.bytes = m.bytes + r.size < m.bytes ? ~std::uint64_t{0} : m.bytes + r.size;
      const Range c = end_clamped(r);
      if (req.image.size && !m.holder.size && c.base <= req.image.base &&
          req.image.base + req.image.size <= c.base + c.size) {
        m.holder = r;
      }
    }
  }
  const int n = fdt_num_mem_rsv(fdt);
  for (int i = 0; i < n; ++i) {
    std::uint64_t base = 0, size = 0;
    fdt_get_mem_rsv(fdt, i, &base, &size);
    ++m.reserved;
    m.block_overlap |= overlaps({base, size}, req.image);
  }
  const int resv = fdt_path_offset(fdt, "/reserved-memory");
  fdt_for_each_subnode(node, fdt, resv) {
    if (!enabled(fdt, node)) continue;
    for (const Range& r : reg_ranges(fdt, node)) {
      ++m.reserved;
      m.node_overlap |= overlaps(r, req.image);
    }
  }
  return m;
}

// What libfdt reads of the harts: enabled device_type = "cpu" children of /cpus, the boot hart
// first, and the timebase (/cpus' own, else the first child's).
struct Harts {
  std::vector<std::uint64_t> kept;
  std::size_t in_tree = 0;
  bool boot_listed = false;
  std::uint64_t timebase = 0;
};

Harts read_harts(const void* fdt, const kfdt::Request& req) {
  Harts h;
  const int cpus = fdt_path_offset(fdt, "/cpus");
  std::vector<std::uint64_t> others;
  bool child_timebase = false;
  int node = 0;
  fdt_for_each_subnode(node, fdt, cpus) {
    const void* tb = fdt_getprop(fdt, node, "timebase-frequency", nullptr);
    if (tb && !child_timebase) {
      child_timebase = true;
      h.timebase = fdt32_ld(static_cast<const fdt32_t*>(tb));
    }
    if (!has_type(fdt, node, "cpu") || !enabled(fdt, node)) continue;
    const std::uint64_t hart = first_address(fdt, node);
    ++h.in_tree;
    if (hart == req.boot_hart) {
      h.boot_listed = true;
    } else if (others.size() + 1 < kfdt::kMaxHarts) {
      others.push_back(hart);
    }
  }
  if (const void* tb =
          cpus >= 0 ? fdt_getprop(fdt, cpus, "timebase-frequency", nullptr) : nullptr) {
    h.timebase = fdt32_ld(static_cast<const fdt32_t*>(tb));
  }
  if (h.boot_listed) h.kept.push_back(req.boot_hart);
  h.kept.insert(h.kept.end(), others.begin(), others.end());
  return h;
}

// --- The comparison ------------------------------------------------------------------------

void compare(const void* fdt, const kfdt::Request& req, const kfdt::Summary& k) {
  const Harts h = read_harts(fdt, req);
  require(k.harts_in_tree == h.in_tree, "harts in the tree");
  require(k.boot_hart_listed == h.boot_listed, "boot hart listed");
  require(k.hart_count == h.kept.size(), "harts kept");
  for (std::size_t i = 0; i < h.kept.size(); ++i) require(k.harts[i] == h.kept[i], "hart order");
  require(k.timebase_hz == h.timebase, "timebase-frequency");

  // /chosen: the strings are the very bytes libfdt points at.
  const int chosen = fdt_path_offset(fdt, "/chosen");
  const char* bootargs = chosen >= 0 ? string_prop(fdt, chosen, "bootargs") : nullptr;
  const char* stdout_path = chosen >= 0 ? string_prop(fdt, chosen, "stdout-path") : nullptr;
  require(bootargs ? k.bootargs == bootargs : *k.bootargs == 0, "bootargs");
  require(stdout_path ? k.stdout_path == stdout_path : *k.stdout_path == 0, "stdout-path");

  // Devices: the first enabled match in document order; the console from stdout-path first.
  for (std::size_t i = 0; i < req.wanted_count; ++i) {
    kfdt::Device want{};
    for (int n = fdt_node_offset_by_compatible(fdt, -1, kWanted[i]); n >= 0;
         n = fdt_node_offset_by_compatible(fdt, n, kWanted[i])) {
      if (enabled(fdt, n)) {
        want = device_at(fdt, n);
        break;
      }
    }
    const int out = i == kConsole && stdout_path ? stdout_node(fdt, stdout_path) : -1;
    if (is_console(fdt, out)) want = device_at(fdt, out);
    if (i == kConsole)
      require(k.console_from_stdout_path == is_console(fdt, out), "console source");
    const kfdt::Device& got = k.devices[i];
    require(got.found == want.found && got.has_reg == want.has_reg && got.base == want.base,
            i == kConsole ? "console" : "exit device");
  }

  // Memory: accepted only with the image inside a range and under no reservation.
  const Memory m = read_memory(fdt, req);
  require(k.memory_bytes == m.bytes && k.memory_ranges == m.ranges, "memory ranges");
  require(k.image_memory.base == m.holder.base && k.image_memory.size == m.holder.size,
          "the range holding the image");
  require(!req.image.size || m.holder.size, "accepted with the image in no memory range");
  require(!m.block_overlap && !m.node_overlap, "accepted with a reservation over the image");
  require(k.reserved_ranges == m.reserved, "reservations");
}

// A refusal by a rule libfdt can check too must be one libfdt sees apply.
void justify(const void* fdt, const kfdt::Request& req, const kfdt::Error& e) {
  const auto is = [&e](const char* what) { return std::strcmp(e.what, what) == 0; };
  if (is("no enabled harts under /cpus")) {
    require(read_harts(fdt, req).in_tree == 0, "refused for no harts, libfdt finds some");
  } else if (is("no /memory range")) {
    require(read_memory(fdt, req).ranges == 0, "refused for no memory, libfdt finds some");
  } else if (is("the kernel's image lies in no single /memory range")) {
    const Memory m = read_memory(fdt, req);
    require(m.ranges > 0 && !m.holder.size, "refused for the image, libfdt finds it held");
  } else if (is("a memory reservation overlaps the kernel's image")) {
    require(read_memory(fdt, req).block_overlap, "refused for a reservation libfdt does not see");
  } else if (is("a /reserved-memory region overlaps the kernel's image")) {
    require(read_memory(fdt, req).node_overlap, "refused for a region libfdt does not see");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* accept = std::getenv("NEURON_FDT_DIFF_ACCEPT");
  g_must_accept = accept && std::strcmp(accept, "1") == 0;
  std::atexit(report);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ++g_counts.inputs;
  // libfdt 1.6.1's full check crashes on some trees of the versions before 16 (node names as
  // paths), which the kernel refuses anyway: those are not handed to it.
  if (size < sizeof(fdt_header) || fdt_version(data) < 16) return 0;
  if (libfdt_steps_back(data, size)) return 0;
  if (fdt_check_full(data, size) != 0) return 0;  // libfdt refuses it: nothing to compare
  ++g_counts.libfdt_accepted;
  // The last byte picks the boot hart (listed or not) and whether the image is checked.
  const std::uint8_t knob = data[size - 1];
  const kfdt::Request req{knob % 4u, kWanted, 2, kConsole, knob & 4 ? kImage : Range{0, 0}};
  static kfdt::Summary out;
  if (const kfdt::Error e = kfdt::parse(data, size, req, out)) {
    for (const char* s : kStructural) {
      // libfdt read a structure the kernel refused as malformed.
      if (std::strcmp(e.what, s) == 0) disagree(e.what);
    }
    justify(data, req, e);
    // NEURON_FDT_DIFF_ACCEPT=1 (the suite's replay of the valid trees): no refusal at all.
    if (g_must_accept) disagree(e.what);
    ++g_counts.refused_by_rule;
    return 0;
  }
  compare(data, req, out);
  ++g_counts.compared;
  return 0;
}
