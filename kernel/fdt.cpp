#include "fdt.h"

#include "klib.h"

namespace neuron::fdt {
namespace {

constexpr std::uint32_t kMagic = 0xd00dfeed;
constexpr std::uint32_t kBeginNode = 1, kEndNode = 2, kProp = 3, kNop = 4, kEnd = 9;
constexpr int kMaxDepth = 16;

std::uint32_t be32(const void* p) {
  auto b = static_cast<const std::uint8_t*>(p);
  return (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) | (std::uint32_t(b[2]) << 8) |
         b[3];
}

std::uint64_t read_cells(const std::uint8_t* p, std::uint32_t cells) {
  std::uint64_t v = 0;
  for (std::uint32_t i = 0; i < cells; ++i) v = (v << 32) | be32(p + 4 * i);
  return v;
}

// Per-depth state while walking: what a node's children need from it, and what the node itself
// has collected so far.
struct Frame {
  const char* name;
  std::uint32_t address_cells;  // for this node's children ("#address-cells", default 2)
  std::uint32_t size_cells;
  const char* compatible;
  std::size_t compatible_len;
  const std::uint8_t* reg;
  std::size_t reg_len;
  const char* device_type;
  bool disabled;
};

bool starts_with(const char* s, const char* prefix) {
  return kstrncmp(s, prefix, kstrlen(prefix)) == 0;
}

void finish_node(const Frame& node, const Frame& parent, int depth, Summary& out) {
  const std::uint32_t acells = parent.address_cells;
  const bool has_reg = node.reg && node.reg_len >= 4 * acells && acells > 0;
  const std::uint64_t base = has_reg ? read_cells(node.reg, acells) : 0;
  const bool is_cpu = depth == 3 && starts_with(parent.name, "cpus") && node.device_type &&
                      kstrcmp(node.device_type, "cpu") == 0;
  if (is_cpu) {
    if (node.disabled || !has_reg) return;
    if (out.hart_count == kMaxHarts) {
      out.hart_list_truncated = true;
      return;
    }
    out.harts[out.hart_count++] = base;
    return;
  }
  if (node.compatible && !node.disabled && out.device_count < kMaxDevices) {
    out.devices[out.device_count++] = {node.compatible, node.compatible_len, base, has_reg};
  }
}

}  // namespace

const char* error_name(Error e) {
  switch (e) {
    case Error::None: return "none";
    case Error::BadMagic: return "bad magic";
    case Error::BadVersion: return "unsupported version";
    case Error::BadStructure: return "malformed structure block";
  }
  return "unknown";
}

Error parse(const void* blob, Summary& out) {
  out = Summary{};
  out.bootargs = "";
  auto base = static_cast<const std::uint8_t*>(blob);
  if (be32(base) != kMagic) return Error::BadMagic;
  if (be32(base + 20) < 16) return Error::BadVersion;  // last_comp_version
  const std::uint32_t total = be32(base + 4);
  const std::uint8_t* p = base + be32(base + 8);  // off_dt_struct
  const std::uint8_t* end = p + be32(base + 36);  // size_dt_struct
  const char* strings = reinterpret_cast<const char*>(base + be32(base + 12));
  if (be32(base + 8) >= total) return Error::BadStructure;

  Frame stack[kMaxDepth + 1] = {};
  int depth = 0;  // stack[depth] is the open node; stack[0] a virtual parent of the root
  stack[0] = Frame{"", 2, 1, nullptr, 0, nullptr, 0, nullptr, false};

  while (p + 4 <= end) {
    const std::uint32_t token = be32(p);
    p += 4;
    if (token == kBeginNode) {
      if (depth == kMaxDepth) return Error::BadStructure;
      const char* name = reinterpret_cast<const char*>(p);
      p += (kstrlen(name) + 1 + 3) & ~std::size_t{3};
      ++depth;
      stack[depth] = Frame{name, 2, 1, nullptr, 0, nullptr, 0, nullptr, false};
    } else if (token == kProp) {
      if (depth == 0) return Error::BadStructure;
      const std::uint32_t len = be32(p);
      const char* pname = strings + be32(p + 4);
      const std::uint8_t* val = p + 8;
      p = val + ((len + 3) & ~std::uint32_t{3});
      Frame& f = stack[depth];
      const auto str = reinterpret_cast<const char*>(val);
      if (kstrcmp(pname, "#address-cells") == 0 && len == 4)
        f.address_cells = be32(val);
      else if (kstrcmp(pname, "#size-cells") == 0 && len == 4)
        f.size_cells = be32(val);
      else if (kstrcmp(pname, "compatible") == 0)
        f.compatible = str, f.compatible_len = len;
      else if (kstrcmp(pname, "reg") == 0)
        f.reg = val, f.reg_len = len;
      else if (kstrcmp(pname, "device_type") == 0)
        f.device_type = str;
      else if (kstrcmp(pname, "status") == 0)
        f.disabled = kstrcmp(str, "disabled") == 0;
      else if (kstrcmp(pname, "timebase-frequency") == 0 && starts_with(f.name, "cpus"))
        out.timebase_hz = len == 8 ? read_cells(val, 2) : be32(val);
      else if (kstrcmp(pname, "bootargs") == 0 && starts_with(f.name, "chosen"))
        out.bootargs = str;
    } else if (token == kEndNode) {
      if (depth == 0) return Error::BadStructure;
      finish_node(stack[depth], stack[depth - 1], depth, out);
      --depth;
    } else if (token == kEnd) {
      return depth == 0 ? Error::None : Error::BadStructure;
    } else if (token != kNop) {
      return Error::BadStructure;
    }
  }
  return Error::BadStructure;
}

const Device* find_compatible(const Summary& s, const char* compat) {
  for (std::size_t i = 0; i < s.device_count; ++i) {
    const Device& d = s.devices[i];
    for (std::size_t off = 0; off < d.compatible_len;) {
      const char* entry = d.compatible + off;
      if (kstrcmp(entry, compat) == 0) return &d;
      off += kstrlen(entry) + 1;
    }
  }
  return nullptr;
}

}  // namespace neuron::fdt
