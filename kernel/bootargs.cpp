#include "bootargs.h"

namespace neuron {
namespace {

// Does the word at `p` start with `key` followed by '=', ' ' or the end?
const char* match(const char* p, const char* key) {
  while (*key && *p == *key) ++p, ++key;
  if (*key) return nullptr;
  if (*p == '=') return p + 1;
  return *p == ' ' || *p == '\0' ? p : nullptr;
}

}  // namespace

const char* bootargs_find(const char* args, const char* key, char* buf, unsigned len) {
  if (len == 0 || !*key) return nullptr;
  for (const char* p = args; *p;) {
    while (*p == ' ') ++p;
    if (const char* v = match(p, key)) {
      unsigned n = 0;
      while (v[n] && v[n] != ' ' && n + 1 < len) buf[n] = v[n], ++n;
      buf[n] = '\0';
      return buf;
    }
    while (*p && *p != ' ') ++p;
  }
  return nullptr;
}

}  // namespace neuron
