#include "fdt.h"

#include <cstddef>

namespace neuron::fdt {
namespace {

constexpr std::uint32_t kMagic = 0xd00dfeed;
constexpr std::uint32_t kBeginNode = 1, kEndNode = 2, kProp = 3, kNop = 4, kEnd = 9;
constexpr std::uint32_t kVersion = 17;  // the version this reader reads (size_dt_struct is v17)
constexpr int kMaxDepth = 16;
constexpr std::size_t kMaxPropertyName = 31;  // Devicetree Specification v0.4, 2.2.4
constexpr char kAbsent[] = "";  // a string property the tree does not give (not an empty one)

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

// [base, end) with the end clamped to 2^64 - 1: a range that would wrap reaches the top.
std::uint64_t end_of(const Range& r) {
  const std::uint64_t end = r.base + r.size;
  return end < r.base ? ~std::uint64_t{0} : end;
}

bool overlap(const Range& a, const Range& b) {
  return a.size != 0 && b.size != 0 && a.base < end_of(b) && b.base < end_of(a);
}

bool contains(const Range& outer, const Range& inner) {
  return outer.base <= inner.base && end_of(inner) <= end_of(outer);
}

// Does node name `name` answer path component [c, c + n)? As libfdt's path lookup: the whole
// name, or the name before its unit address when the component gives none.
bool name_matches(const char* name, const char* c, std::size_t n) {
  bool has_unit = false;
  for (std::size_t i = 0; i < n; ++i) {
    if (name[i] != c[i]) return false;  // stops at name's NUL too: c[i] is never NUL here
    has_unit |= c[i] == '@';
  }
  return name[n] == 0 || (!has_unit && name[n] == '@');
}

// Is `name` the node a top-level path component `base` (no unit address) finds?
bool named(const char* name, const char* base) {
  std::size_t n = 0;
  while (base[n] != 0) ++n;
  return name_matches(name, base, n);
}

enum class Kind : std::uint8_t { Other, Cpu, Memory };  // from device_type

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
  Kind kind;
  bool disabled;
  bool has_child;           // a subnode began: libfdt sees no property after it
  std::uint32_t read_seen;  // bit i: kReadProperties[i] was given (the second is refused)
  bool on_path;             // a lookup's path names this node or one of its subnodes
  std::uint32_t path_next;  // ... and its next component starts here (at the NUL: this node)
  bool path_child_taken;    // ... and a subnode answered that component (later ones do not)
};

// A second walk looks one thing up by path, once the first walk has found the path: a node (is
// it an enabled console?) or one of its string properties (an alias).
struct Lookup {
  const char* path;      // absolute, NUL-terminated
  const char* property;  // nullptr: the node itself
  const char* value;     // the property's value (a string in the blob), nullptr if not found
  bool node_found;
  Device console;  // the node, if it is an enabled match for the console's compatible
};

// The properties the reader reads. libfdt (and so the firmware) takes the first of a repeated
// name; rather than guess which one the firmware used, a repeated one is refused.
constexpr const char* kReadProperties[] = {
    "#address-cells", "#size-cells",        "compatible", "reg",        "device_type",
    "status",         "timebase-frequency", "bootargs",   "stdout-path"};

// The top-level nodes the kernel, like the firmware, finds by path.
struct ByPath {
  const char* name;
  const char* second;  // the error for a second node of that name
};
constexpr ByPath kByPath[] = {{"cpus", "a second /cpus node"},
                              {"chosen", "a second /chosen node"},
                              {"aliases", "a second /aliases node"},
                              {"reserved-memory", "a second /reserved-memory node"}};
constexpr std::uint32_t kByPathCount = sizeof kByPath / sizeof kByPath[0];

class Walker {
 public:
  // With a lookup, the walk only answers it: the summary is not touched.
  Walker(const std::uint8_t* blob, const Header& h, const Request& req, Summary& out,
         Lookup* lookup = nullptr)
      : b_(blob), h_(h), req_(req), out_(out), lookup_(lookup) {}

  Error run();

 private:
  Error begin_node(std::uint32_t& at);
  Error property(std::uint32_t& at);
  Error end_node(std::uint32_t at);
  Error finish();
  Error settle();
  Error settle_memory(const Frame& node);
  void settle_lookup(const Frame& node);
  Error first_address(const Frame& node, std::uint64_t& address) const;
  Error reg_entries(const Frame& node, std::uint32_t& n) const;
  Range reg_entry(const Frame& node, std::uint32_t i) const;
  Error add_hart(std::uint64_t hart, std::uint32_t at);
  void follow_path(Frame& node);
  bool is_target(const Frame& node) const {
    return lookup_ && node.on_path && lookup_->path[node.path_next] == 0;
  }

  std::uint32_t struct_end() const { return h_.off_dt_struct + h_.size_dt_struct; }
  bool in_cpus() const { return depth_ == 3 && named(stack_[2].name, "cpus"); }

  const std::uint8_t* b_;
  const Header& h_;
  const Request& req_;
  Summary& out_;
  Lookup* const lookup_;
  Frame stack_[kMaxDepth + 1] = {};  // stack_[depth_] is the open node; [0] the root's parent
  int depth_ = 0;
  std::size_t others_kept_ = 0;  // harts other than the boot hart, kept from harts[1] on
  std::uint32_t cpus_offset_ = 0;
  bool root_seen_ = false;
  std::uint32_t by_path_seen_ = 0;     // bit i: a node kByPath[i] names was seen
  std::uint64_t cpu_timebase_hz_ = 0;  // from a cpu@N node, if /cpus has none
  bool cpus_timebase_seen_ = false, cpu_timebase_seen_ = false;
  std::uint32_t memory_offset_ = 0;  // of the first memory node
};

Error Walker::run() {
  stack_[0] =
      Frame{"", 0, 2, 1, nullptr, 0, nullptr, 0, Kind::Other, false, false, 0, false, 0, false};
  std::uint32_t at = h_.off_dt_struct;
  // libfdt finds every node from offset 0 of the block: anything before the root hides them all.
  if (struct_end() - at >= 4 && be32(b_ + at) != kBeginNode) {
    return {"the structure block does not begin with the root node", at};
  }
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
  return lookup_ ? Error{} : finish();
}

Error Walker::finish() {
  if (req_.image.size != 0 && out_.image_memory.size == 0) {
    return {out_.memory_ranges == 0 ? "no /memory range"
                                    : "the kernel's image lies in no single /memory range",
            memory_offset_};
  }
  if (out_.harts_in_tree == 0) return {"no enabled harts under /cpus", cpus_offset_};
  if (!cpus_timebase_seen_) out_.timebase_hz = cpu_timebase_hz_;  // the binding allows either
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
  // libfdt's path lookup finds the first of two nodes a path names ("cpus@1" answers "/cpus"
  // too): a second of those the kernel finds by path is refused.
  for (std::uint32_t i = 0; depth_ == 2 && i < kByPathCount; ++i) {
    if (!named(name, kByPath[i].name)) continue;
    if (by_path_seen_ & 1u << i) return {kByPath[i].second, token_at};
    by_path_seen_ |= 1u << i;
  }
  stack_[depth_] = Frame{name,        token_at, 2,     1, nullptr, 0, nullptr, 0,
                         Kind::Other, false,    false, 0, false,   0, false};
  if (depth_ == 2 && named(name, "cpus")) cpus_offset_ = token_at;
  if (lookup_) follow_path(stack_[depth_]);
  return {};
}

// Is the new node the next step along the lookup's path? The root always is; below it, the
// first subnode whose name answers the component, as libfdt's fdt_subnode_offset finds it.
void Walker::follow_path(Frame& node) {
  const char* path = lookup_->path;
  std::uint32_t next;
  if (depth_ == 1) {
    next = 0;
  } else {
    Frame& parent = stack_[depth_ - 1];
    if (!parent.on_path || parent.path_child_taken || path[parent.path_next] == 0) return;
    std::uint32_t end = parent.path_next;
    while (path[end] != 0 && path[end] != '/') ++end;
    if (!name_matches(node.name, path + parent.path_next, end - parent.path_next)) return;
    parent.path_child_taken = true;
    next = end;
  }
  while (path[next] == '/') ++next;
  node.on_path = true;
  node.path_next = next;
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
    f.kind = equal(str, "cpu") ? Kind::Cpu : equal(str, "memory") ? Kind::Memory : Kind::Other;
  } else if (equal(name, "status")) {
    if (!is_string) return {"status is not a string", token_at};
    f.disabled = !equal(str, "okay") && !equal(str, "ok");
  }
  if (lookup_) {
    if (lookup_->property && is_target(f) && !lookup_->value && equal(name, lookup_->property)) {
      if (!is_string) return {"an alias is not a string", token_at};
      lookup_->value = str;
    }
    return {};
  }
  if (equal(name, "timebase-frequency") && ((depth_ == 2 && named(f.name, "cpus")) || in_cpus())) {
    // The binding allows 2 cells, but OpenSBI 1.1 reads only the first (a 4.3 GHz value is 1 Hz
    // to it): a 2-cell value would give the kernel and the firmware two clocks. Refused.
    if (len == 8)
      return {"timebase-frequency in 2 cells (the firmware reads only the first)", token_at};
    if (len != 4) return {"timebase-frequency is not one cell", token_at};
    if (depth_ == 2) {
      cpus_timebase_seen_ = true;
      out_.timebase_hz = be32(value);
    } else if (!cpu_timebase_seen_) {  // the first /cpus child that gives one
      cpu_timebase_seen_ = true;
      cpu_timebase_hz_ = be32(value);
    }
  } else if (depth_ == 2 && named(f.name, "chosen") && equal(name, "bootargs")) {
    if (!is_string) return {"bootargs is not a string", token_at};
    out_.bootargs = str;
  } else if (depth_ == 2 && named(f.name, "chosen") && equal(name, "stdout-path")) {
    if (!is_string) return {"stdout-path is not a string", token_at};
    out_.stdout_path = str;
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

// A node's "reg" as address ranges, 1 or 2 cells each, as memory ranges need: the count, and
// entry i of n.
Error Walker::reg_entries(const Frame& node, std::uint32_t& n) const {
  const Frame& parent = stack_[depth_ - 1];
  const std::uint32_t ac = parent.address_cells, sc = parent.size_cells;
  if (ac == 0 || ac > 2 || sc == 0 || sc > 2) {
    return {"#address-cells or #size-cells other than 1 or 2 above a memory range", node.offset};
  }
  n = node.reg_len / (4 * (ac + sc));
  return {};
}

Range Walker::reg_entry(const Frame& node, std::uint32_t i) const {
  const std::uint32_t ac = stack_[depth_ - 1].address_cells, sc = stack_[depth_ - 1].size_cells;
  const std::uint8_t* p = node.reg + 4 * (ac + sc) * i;
  const std::uint8_t* q = p + 4 * ac;
  return {ac == 2 ? (std::uint64_t{be32(p)} << 32) | be32(p + 4) : be32(p),
          sc == 2 ? (std::uint64_t{be32(q)} << 32) | be32(q + 4) : be32(q)};
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

// What the open node, its properties all read, adds to the summary: a hart, memory, a
// reservation or a wanted device (or, in a lookup, the answer).
Error Walker::settle() {
  const Frame& node = stack_[depth_];
  if (lookup_) {
    if (is_target(node) && !lookup_->property && !lookup_->node_found) {
      lookup_->node_found = true;
      if (!node.disabled && node.compatible &&
          list_holds(node.compatible, node.compatible_len, req_.wanted[req_.console])) {
        lookup_->console.found = true;
        if (node.reg) {
          if (const Error e = first_address(node, lookup_->console.base)) return e;
          lookup_->console.has_reg = true;
        }
      }
    }
    return {};
  }
  if (const Error e = settle_memory(node)) return e;
  if (!node.disabled && in_cpus() && node.kind == Kind::Cpu) {
    if (!node.reg) return {"a cpu node without reg", node.offset};
    std::uint64_t hart = 0;
    if (const Error e = first_address(node, hart)) return e;
    if (const Error e = add_hart(hart, node.offset)) return e;
  }
  if (!node.disabled && node.compatible) {
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

// A /memory node's ranges, or a /reserved-memory region (whose overlap with the image is refused).
Error Walker::settle_memory(const Frame& node) {
  const bool memory = depth_ == 2 && node.kind == Kind::Memory;
  const bool reserved = depth_ == 3 && named(stack_[2].name, "reserved-memory");
  if (node.disabled || !node.reg || !(memory || reserved)) return {};
  if (memory && out_.memory_ranges == 0) memory_offset_ = node.offset;
  std::uint32_t n = 0;
  if (const Error e = reg_entries(node, n)) return e;
  for (std::uint32_t i = 0; i < n; ++i) {
    const Range r = reg_entry(node, i);
    if (reserved) {
      ++out_.reserved_ranges;
      if (overlap(r, req_.image))
        return {"a /reserved-memory region overlaps the kernel's image", node.offset};
      continue;
    }
    ++out_.memory_ranges;
    const std::uint64_t sum = out_.memory_bytes + r.size;
    out_.memory_bytes = sum < r.size ? ~std::uint64_t{0} : sum;
    if (req_.image.size != 0 && out_.image_memory.size == 0 && contains(r, req_.image)) {
      out_.image_memory = r;
    }
  }
  return {};
}

// The memory reservation block (specification 5.3): (address, size) pairs up to one of size 0,
// as libfdt counts them, each inside the blob.
Error read_reservations(const std::uint8_t* b, const Header& h, const Request& req, Summary& out) {
  for (std::uint64_t at = h.off_mem_rsvmap;; at += 16) {
    if (h.totalsize - at < 16) {
      return {"the memory reservation block runs past the blob", static_cast<std::uint32_t>(at)};
    }
    const Range r{(std::uint64_t{be32(b + at)} << 32) | be32(b + at + 4),
                  (std::uint64_t{be32(b + at + 8)} << 32) | be32(b + at + 12)};
    if (r.size == 0) return {};
    ++out.reserved_ranges;
    if (overlap(r, req.image)) {
      return {"a memory reservation overlaps the kernel's image", static_cast<std::uint32_t>(at)};
    }
  }
}

// /chosen/stdout-path names the console as a path or an alias, with options after a ':'; the
// node it names is the console if it is an enabled match (else the first match stays), as
// OpenSBI 1.1 picks its own console. Paths are resolved as libfdt's fdt_path_offset does.
Error find_stdout(const std::uint8_t* b, const Header& h, const Request& req, Summary& out) {
  constexpr std::size_t kMaxPath = 255;
  const char* sp = out.stdout_path;
  if (sp == kAbsent || req.console >= req.wanted_count) return {};
  std::size_t len = 0;
  while (sp[len] != 0 && sp[len] != ':') ++len;
  char path[kMaxPath + 1];
  std::size_t at = 0;
  std::size_t rest = 0;  // where the part after an alias starts in sp
  // Not a path: an alias, up to the first '/' (an empty one too, as libfdt looks it up).
  if (sp[0] != '/') {
    char alias[kMaxPath + 1];
    while (rest < len && sp[rest] != '/') ++rest;
    if (rest > kMaxPath) return {"a stdout-path alias longer than 255 characters", 0};
    for (std::size_t i = 0; i < rest; ++i) alias[i] = sp[i];
    alias[rest] = 0;
    Lookup l{"/aliases", alias, nullptr, false, {}};
    if (const Error e = Walker(b, h, req, out, &l).run()) return e;
    if (!l.value) return {};  // no such alias: the first match stays the console
    // libfdt would follow an alias to another alias (an empty one to the alias named ""), and
    // recurse for ever on a loop: refused.
    if (l.value[0] != '/') return {"stdout-path's alias is not an absolute path", 0};
    for (; l.value[at] != 0; ++at) {
      if (at == kMaxPath) return {"stdout-path longer than 255 characters as resolved", 0};
      path[at] = l.value[at];
    }
  }
  for (std::size_t i = rest; i < len; ++i, ++at) {
    if (at == kMaxPath) return {"stdout-path longer than 255 characters as resolved", 0};
    path[at] = sp[i];
  }
  path[at] = 0;
  Lookup l{path, nullptr, nullptr, false, {}};
  if (const Error e = Walker(b, h, req, out, &l).run()) return e;
  if (l.console.found) {
    out.devices[req.console] = l.console;
    out.console_from_stdout_path = true;
  }
  return {};
}

Error read(const std::uint8_t* b, const Header& h, const Request& request, Summary& out) {
  if (const Error e = read_reservations(b, h, request, out)) return e;
  if (const Error e = Walker(b, h, request, out).run()) return e;
  return find_stdout(b, h, request, out);
}

}  // namespace

Error parse(const void* blob, std::size_t capacity, const Request& request, Summary& out) {
  out = Summary{};
  out.bootargs = kAbsent;
  out.stdout_path = kAbsent;
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
  if (const Error e = read(b, h, request, out)) {
    out = Summary{};  // nothing half-read is used
    out.bootargs = kAbsent;
    out.stdout_path = kAbsent;
    return e;
  }
  return {};
}

}  // namespace neuron::fdt
