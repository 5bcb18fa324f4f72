// libFuzzer target: the kernel's device-tree reader on arbitrary bytes. Built with AddressSanitizer
// and UBSan, so any read outside the input, any overflow the sanitizers see, fails the run. On
// success the summary must point into the input and hold what the reader promises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

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
  // The boot hart is one the tree may or may not list.
  const fdt::Request request{size > 0 ? data[size - 1] % 4u : 0u, kWanted, 2};
  if (fdt::parse(data, size, request, out)) return 0;
  require(out.hart_count <= fdt::kMaxHarts && out.hart_count <= out.harts_in_tree);
  require(out.harts_in_tree > 0);
  require(!out.boot_hart_listed || out.harts[0] == request.boot_hart);
  // Strings the kernel will read point into the blob and end inside it (or are the empty default).
  const auto* args = reinterpret_cast<const std::uint8_t*>(out.bootargs);
  if (*out.bootargs) {
    require(args >= data && args < data + size);
    require(std::memchr(args, 0, static_cast<std::size_t>(data + size - args)) != nullptr);
  }
  return 0;
}
