// libFuzzer target: the kernel's bootargs parser. The input is "key\0args" with the buffer size
// in its first byte; the result must be nullptr or the buffer, NUL-terminated within its size.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "kernel/bootargs.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const unsigned len = data[0] % 40;  // 0 included: nothing may be written then
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t split = rest.find('\0');
  const std::string key = rest.substr(0, split);
  const std::string args = split == std::string::npos ? "" : rest.substr(split + 1);
  char* buf = static_cast<char*>(std::malloc(len ? len : 1));  // exact size: ASan sees overruns
  const char* got = neuron::bootargs_find(args.c_str(), key.c_str(), buf, len);
  if (got) {
    if (got != buf || len == 0 || std::memchr(buf, 0, len) == nullptr) std::abort();
    // What it returns is a word's value in the arguments, cut at the buffer.
    if (args.find(buf) == std::string::npos) std::abort();
  }
  std::free(buf);
  return 0;
}
