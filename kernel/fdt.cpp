#include "fdt.h"

#include <cstddef>

namespace neuron::fdt {
namespace {

constexpr std::uint32_t kMagic = 0xd00dfeed;
constexpr std::uint32_t kBeginNode = 1, kEndNode = 2, kProp = 3, kNop = 4, kEnd = 9;
constexpr std::uint32_t kVersion = 17;  // the version this reader reads (size_dt_struct is v17)
constexpr int kMaxDepth = 16;
constexpr std::size_t kMaxPropertyName = 31;  // Devicetree Specification v0.4, 2.2.4

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
         p[3];
}

// The header (specification 5.2): ten big-endian words in this order, read only once the blob
// holds them. An error in a field gives that field's offset in the blob.
struct Header {
  std::uint32_t magic, totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap, version,
      last_comp_version, boot_cpuid_phys, size_dt_strings, size_dt_struct;
};
constexpr std::uint32_t kHeaderSize = sizeof(Header);
static_assert(kHeaderSize == 40);

Header read_header(const std::uint8_t* b) {
  std::uint32_t w[kHeaderSize / 4];
  for (std::uint32_t i = 0; i < kHeaderSize / 4; ++i) w[i] = be32(b + 4 * i);
  return {w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9]};
}

// Bytes before the first NUL in [p, p + max), or max if there is none.
std::size_t bounded_len(const std::uint8_t* p, std::size_t max) {
  std::size_t n = 0;
  while (n < max && p[n] != 0) ++n;
  return n;
}

bool equal(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

// Does the NUL-separated, NUL-terminated list [list, list + len) hold `s`?
bool list_holds(const char* list, std::size_t len, const char* s) {
  for (std::size_t off = 0; off < len;) {
    const char* entry = list + off;
    if (equal(entry, s)) return true;
    off += bounded_len(reinterpret_cast<const std::uint8_t*>(entry), len - off) + 1;
  }
  return false;
}

// Per-depth state while walking: what a node's children need from it, and what the node itself
// has collected so far. Strings were checked to end inside their block.
struct Frame {
  const char* name;
  std::uint32_t offset;         // of its BEGIN_NODE token
  std::uint32_t address_cells;  // for its children ("#address-cells", default 2)
  std::uint32_t size_cells;     // for its children ("#size-cells", default 1)
  const char* compatible;
  std::uint32_t compatible_len;
  const std::uint8_t* reg;
  std::uint32_t reg_len;
  bool is_cpu;  // device_type = "cpu"
  bool disabled;
  bool has_child;           // a subnode began: libfdt sees no property after it
  std::uint32_t read_seen;  // bit i: kReadProperties[i] was given (the second is refused)
};

// The properties the reader reads. libfdt (and so the firmware) takes the first of a repeated
// name; rather than guess which one the firmware used, a repeated one is refused.
constexpr const char* kReadProperties[] = {
    "#address-cells", "#size-cells", "compatible",         "reg",
    "device_type",    "status",      "timebase-frequency", "bootargs"};

class Walker {
 public:
  Walker(const std::uint8_t* blob, const Header& h, const Request& req, Summary& out)
      : b_(blob), h_(h), req_(req), out_(out) {}

  Error run();

 private:
  Error begin_node(std::uint32_t& at);
  Error property(std::uint32_t& at);
  Error end_node(std::uint32_t at);
  Error settle();
  Error first_address(const Frame& node, std::uint64_t& address) const;
  Error add_hart(std::uint64_t hart, std::uint32_t at);

  std::uint32_t struct_end() const { return h_.off_dt_struct + h_.size_dt_struct; }
  bool in_cpus() const { return depth_ == 3 && equal(stack_[2].name, "cpus"); }

  const std::uint8_t* b_;
  const Header& h_;
  const Request& req_;
  Summary& out_;
  Frame stack_[kMaxDepth + 1] = {};  // stack_[depth_] is the open node; [0] the root's parent
  int depth_ = 0;
  std::size_t others_kept_ = 0;  // harts other than the boot hart, kept from harts[1] on
  std::uint32_t cpus_offset_ = 0;
  bool root_seen_ = false;
  bool cpus_seen_ = false, chosen_seen_ = false;
  std::uint64_t cpu_timebase_hz_ = 0;  // from a cpu@N node, if /cpus has none
};

Error Walker::run() {
  stack_[0] = Frame{"", 0, 2, 1, nullptr, 0, nullptr, 0, false, false, false, 0};
  std::uint32_t at = h_.off_dt_struct;
  for (;;) {
    if (struct_end() - at < 4) return {"the structure block ends without FDT_END", at};
    const std::uint32_t token = be32(b_ + at);
    Error e{};
    if (token == kBeginNode) {
      e = begin_node(at);
    } else if (token == kProp) {
      e = property(at);
    } else if (token == kEndNode) {
      e = end_node(at);
      at += 4;
    } else if (token == kNop) {
      at += 4;
    } else if (token == kEnd) {
      if (depth_ != 0) return {"FDT_END inside an open node", at};
      break;
    } else {
      return {"unknown structure token", at};
    }
    if (e) return e;
  }
  if (out_.harts_in_tree == 0) return {"no enabled harts under /cpus", cpus_offset_};
  if (out_.timebase_hz == 0) out_.timebase_hz = cpu_timebase_hz_;  // the binding allows either
  // harts[0] was kept for the boot hart; without it, the others move down.
  if (out_.boot_hart_listed) {
    out_.harts[0] = req_.boot_hart;
    out_.hart_count = others_kept_ + 1;
  } else {
    for (std::size_t i = 0; i < others_kept_; ++i) out_.harts[i] = out_.harts[i + 1];
    out_.hart_count = others_kept_;
  }
  return {};
}

Error Walker::begin_node(std::uint32_t& at) {
  const std::uint32_t token_at = at;
  if (depth_ == kMaxDepth) return {"nodes nested deeper than 16", token_at};
  if (depth_ == 0 && root_seen_) return {"a second root node", token_at};
  const std::uint32_t name_at = at + 4;
  const std::size_t room = struct_end() - name_at;
  const std::size_t len = bounded_len(b_ + name_at, room);
  if (len == room) return {"a node name runs past the structure block", name_at};
  at = name_at + ((static_cast<std::uint32_t>(len) + 1 + 3) & ~std::uint32_t{3});  // as below
  if (depth_ == 0 && len != 0) return {"the root node has a name", token_at};
  root_seen_ = true;
  // The open node's properties are complete (none may follow a subnode): settle it now, so that
  // a node is matched before its subnodes, in document order.
  if (depth_ > 0) {
    if (!stack_[depth_].has_child) {
      if (const Error e = settle()) return e;
    }
    stack_[depth_].has_child = true;
  }
  ++depth_;
  const auto name = reinterpret_cast<const char*>(b_ + name_at);
  // libfdt's path lookup finds the first of two same-named nodes: a second is refused.
  if (depth_ == 2 && (equal(name, "cpus") || equal(name, "chosen"))) {
    bool& seen = name[1] == 'p' ? cpus_seen_ : chosen_seen_;
    if (seen) return {name[1] == 'p' ? "a second /cpus node" : "a second /chosen node", token_at};
    seen = true;
  }
  stack_[depth_] = Frame{name, token_at, 2, 1, nullptr, 0, nullptr, 0, false, false, false, 0};
  if (depth_ == 2 && equal(name, "cpus")) cpus_offset_ = token_at;
  return {};
}

Error Walker::property(std::uint32_t& at) {
  const std::uint32_t token_at = at;
  if (depth_ == 0) return {"a property outside any node", token_at};
  if (struct_end() - at < 12) return {"a property header runs past the structure block", at};
  const std::uint32_t len = be32(b_ + at + 4);
  const std::uint32_t name_off = be32(b_ + at + 8);
  const std::uint32_t value_at = at + 12;
  if (len > struct_end() - value_at) return {"a property value runs past the structure block", at};
  if (name_off >= h_.size_dt_strings) return {"a property name outside the strings block", at};
  const std::uint8_t* pname = b_ + h_.off_dt_strings + name_off;
  // Scanned no further than the specification's longest name (31 characters, section 2.2.4):
  // an unbounded scan of a crafted strings block made each property cost its whole length.
  const std::size_t name_room = h_.size_dt_strings - name_off;
  const std::size_t scan = name_room < kMaxPropertyName + 1 ? name_room : kMaxPropertyName + 1;
  const std::size_t name_len = bounded_len(pname, scan);
  if (name_len == name_room) return {"a property name runs past the strings block", at};
  if (name_len > kMaxPropertyName) return {"a property name longer than 31 characters", at};
  at = value_at + ((len + 3) & ~std::uint32_t{3});  // in bounds: the block is 4-byte aligned
  const char* name = reinterpret_cast<const char*>(pname);
  Frame& f = stack_[depth_];
  if (f.has_child) return {"a property after a subnode (libfdt does not see it)", token_at};
  for (std::uint32_t i = 0; i < sizeof kReadProperties / sizeof kReadProperties[0]; ++i) {
    if (!equal(name, kReadProperties[i])) continue;
    if (f.read_seen & 1u << i) return {"a property given twice in one node", token_at};
    f.read_seen |= 1u << i;
  }
  const std::uint8_t* value = b_ + value_at;
  const auto str = reinterpret_cast<const char*>(value);
  const bool is_string = len > 0 && value[len - 1] == 0;
  if (equal(name, "#address-cells") || equal(name, "#size-cells")) {
    if (len != 4) return {"#address-cells or #size-cells is not one cell", token_at};
    (name[1] == 'a' ? f.address_cells : f.size_cells) = be32(value);
  } else if (equal(name, "compatible")) {
    if (!is_string) return {"a compatible list without its final NUL", token_at};
    f.compatible = str;
    f.compatible_len = len;
  } else if (equal(name, "reg")) {
    // A whole number of (address, size) entries, in the parent's cells, wherever it is used.
    const Frame& parent = stack_[depth_ - 1];
    const std::uint64_t entry = 4 * (std::uint64_t{parent.address_cells} + parent.size_cells);
    if (entry == 0 ? len != 0 : len % entry != 0) {
      return {"reg is not a whole number of #address-cells + #size-cells entries", token_at};
    }
    f.reg = value;
    f.reg_len = len;
  } else if (equal(name, "device_type")) {
    if (!is_string) return {"device_type is not a string", token_at};
    f.is_cpu = equal(str, "cpu");
  } else if (equal(name, "status")) {
    if (!is_string) return {"status is not a string", token_at};
    f.disabled = !equal(str, "okay") && !equal(str, "ok");
  } else if (equal(name, "timebase-frequency") &&
             ((depth_ == 2 && equal(f.name, "cpus")) || in_cpus())) {
    // The binding allows 2 cells, but OpenSBI 1.1 reads only the first (a 4.3 GHz value is 1 Hz
    // to it): a 2-cell value would give the kernel and the firmware two clocks. Refused.
    if (len == 8)
      return {"timebase-frequency in 2 cells (the firmware reads only the first)", token_at};
    if (len != 4) return {"timebase-frequency is not one cell", token_at};
    (depth_ == 2 ? out_.timebase_hz : cpu_timebase_hz_) = be32(value);
  } else if (depth_ == 2 && equal(f.name, "chosen") && equal(name, "bootargs")) {
    if (!is_string) return {"bootargs is not a string", token_at};
    out_.bootargs = str;
  }
  return {};
}

// The node's first "reg" address, in its parent's #address-cells.
Error Walker::first_address(const Frame& node, std::uint64_t& address) const {
  const std::uint32_t cells = stack_[depth_ - 1].address_cells;
  if (cells == 0 || cells > 2)
    return {"#address-cells other than 1 or 2 above a node in use", node.offset};
  if (node.reg_len < 4 * cells) return {"reg shorter than #address-cells demands", node.offset};
  address =
      cells == 2 ? (std::uint64_t{be32(node.reg)} << 32) | be32(node.reg + 4) : be32(node.reg);
  return {};
}

Error Walker::add_hart(std::uint64_t hart, std::uint32_t at) {
  if (hart == req_.boot_hart && out_.boot_hart_listed) return {"a hart listed twice", at};
  for (std::size_t i = 0; i < others_kept_; ++i) {
    if (out_.harts[1 + i] == hart) return {"a hart listed twice", at};
  }
  ++out_.harts_in_tree;
  if (hart == req_.boot_hart && !out_.boot_hart_listed) {
    out_.boot_hart_listed = true;
  } else if (others_kept_ + 1 < kMaxHarts) {
    out_.harts[1 + others_kept_++] = hart;  // harts[0] stays free for the boot hart
  }
  return {};
}

Error Walker::end_node(std::uint32_t at) {
  if (depth_ == 0) return {"FDT_END_NODE without a node", at};
  if (!stack_[depth_].has_child) {
    if (const Error e = settle()) return e;
  }
  --depth_;
  return {};
}

// What the open node, its properties all read, adds to the summary: a hart, or a wanted device.
Error Walker::settle() {
  const Frame& node = stack_[depth_];
  if (!node.disabled && in_cpus() && node.is_cpu) {
    if (!node.reg) return {"a cpu node without reg", node.offset};
    std::uint64_t hart = 0;
    if (const Error e = first_address(node, hart)) return e;
    if (const Error e = add_hart(hart, node.offset)) return e;
  } else if (!node.disabled && node.compatible) {
    for (std::size_t i = 0; i < req_.wanted_count; ++i) {
      Device& d = out_.devices[i];
      if (d.found || !list_holds(node.compatible, node.compatible_len, req_.wanted[i])) continue;
      d.found = true;
      if (node.reg) {
        if (const Error e = first_address(node, d.base)) return e;
        d.has_reg = true;
      }
    }
  }
  return {};
}

}  // namespace

Error parse(const void* blob, std::size_t capacity, const Request& request, Summary& out) {
  out = Summary{};
  out.bootargs = "";
  if (request.wanted_count > kMaxWanted) return {"more devices asked for than kMaxWanted", 0};
  const auto b = static_cast<const std::uint8_t*>(blob);
  if (!b) return {"no device tree", 0};
  if (capacity < kHeaderSize) return {"room for less than a header", 0};
  const Header h = read_header(b);
  if (h.magic != kMagic) return {"bad magic", 0};
  if (h.version < kVersion || h.last_comp_version > kVersion) {
    return {"unsupported version", offsetof(Header, version)};
  }
  if (h.totalsize < kHeaderSize || h.totalsize > capacity) {
    return {"totalsize out of range", offsetof(Header, totalsize)};
  }
  // 64-bit sums: a huge offset plus a huge size must not wrap around into range.
  const std::uint64_t total = h.totalsize;
  if (h.off_dt_struct < kHeaderSize || h.off_dt_struct % 4 != 0 ||
      std::uint64_t{h.off_dt_struct} + h.size_dt_struct > total || h.size_dt_struct % 4 != 0) {
    return {"structure block outside the blob or misaligned", offsetof(Header, off_dt_struct)};
  }
  if (h.off_dt_strings < kHeaderSize ||
      std::uint64_t{h.off_dt_strings} + h.size_dt_strings > total) {
    return {"strings block outside the blob", offsetof(Header, off_dt_strings)};
  }
  if (h.off_mem_rsvmap < kHeaderSize || h.off_mem_rsvmap % 8 != 0 || h.off_mem_rsvmap >= total) {
    return {"memory reservation block outside the blob or misaligned",
            offsetof(Header, off_mem_rsvmap)};
  }
  Walker w(b, h, request, out);
  if (const Error e = w.run()) {
    out = Summary{};  // nothing half-read is used
    out.bootargs = "";
    return e;
  }
  return {};
}

}  // namespace neuron::fdt
