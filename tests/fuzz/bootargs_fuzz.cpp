// libFuzzer target: the kernel's bootargs parser. The input is "key\0args" with the buffer size
// in its first byte. A found value is NUL-terminated within the buffer and is a whole word's value
// in the arguments (never cut); too long and repeated leave the buffer empty; len 0 writes nothing.
// The unknown-key scan names a word of the arguments, cut to its buffer.
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
  // What the parser sees: the arguments up to their first NUL.
  const std::string args = split == std::string::npos ? "" : rest.substr(split + 1).c_str();
  char* buf = static_cast<char*>(std::malloc(len ? len : 1));  // exact size: ASan sees overruns
  using neuron::ArgLookup;
  const ArgLookup got = neuron::bootargs_find(args.c_str(), key.c_str(), buf, len);
  if (got != ArgLookup::Absent) {
    if (len == 0 || std::memchr(buf, 0, len) == nullptr) std::abort();
    if (got == ArgLookup::Found) {
      // The whole value: "key=value" or a bare "key", followed by a space or the end.
      const std::string word = std::strlen(buf) ? key + "=" + buf : key;
      const std::string padded = " " + args + " ";
      if (padded.find(" " + word + " ") == std::string::npos &&
          padded.find(" " + key + "= ") == std::string::npos) {
        std::abort();
      }
    } else if (buf[0] != '\0') {
      std::abort();
    }
  }
  const char* known[] = {key.c_str()};
  if (const char* w = neuron::bootargs_unknown(args.c_str(), "neuron.", known, 1, buf, len)) {
    const std::size_t shown = std::strlen(buf);  // the prefix, as far as the buffer holds it
    if (w != buf || shown >= len || std::strncmp(buf, "neuron.", shown < 7 ? shown : 7) != 0)
      std::abort();
    if (shown >= 7 && args.find(buf) == std::string::npos) std::abort();
  }
  std::free(buf);
  return 0;
}
