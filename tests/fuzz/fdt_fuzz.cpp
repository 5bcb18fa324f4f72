// libFuzzer target: the kernel's device-tree reader on arbitrary bytes. Built with AddressSanitizer
// and UBSan, so any read outside the input, any overflow the sanitizers see, fails the run. On
// success the summary must point into the input and hold what the reader promises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "kernel/fdt.h"

namespace {

constexpr const char* kWanted[] = {"ns16550a", "sifive,test0"};

void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace neuron;
  static fdt::Summary out;
  // The last byte picks the boot hart (one the tree may or may not list) and whether the image
  // QEMU virt loads the kernel to is checked against the memory.
  const std::uint8_t knob = size > 0 ? data[size - 1] : 0;
  const fdt::Request request{knob % 4u, kWanted, 2, 0,
                             knob & 4 ? fdt::Range{0x80200000, 0x200000} : fdt::Range{0, 0}};
  if (fdt::parse(data, size, request, out)) return 0;
  require(out.hart_count <= fdt::kMaxHarts && out.hart_count <= out.harts_in_tree);
  require(out.harts_in_tree > 0);
  require(!out.boot_hart_listed || out.harts[0] == request.boot_hart);
  // Strings the kernel will read point into the blob and end inside it (or are the empty default).
  for (const char* s : {out.bootargs, out.stdout_path}) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(s);
    if (!*s) continue;
    require(p >= data && p < data + size);
    require(std::memchr(p, 0, static_cast<std::size_t>(data + size - p)) != nullptr);
  }
  // The image, when asked for, lies inside the range reported to hold it.
  if (request.image.size) {
    const fdt::Range& m = out.image_memory;
    require(m.base <= request.image.base && request.image.base - m.base <= m.size &&
            request.image.size <= m.size - (request.image.base - m.base));
  }
  require(out.memory_ranges > 0 || out.memory_bytes == 0);
  return 0;
}
