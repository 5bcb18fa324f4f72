#include "klib.h"

#include <cstdint>

extern "C" {

void* memcpy(void* dst, const void* src, std::size_t n) {
  auto d = static_cast<unsigned char*>(dst);
  auto s = static_cast<const unsigned char*>(src);
  while (n--) *d++ = *s++;
  return dst;
}

void* memmove(void* dst, const void* src, std::size_t n) {
  auto d = static_cast<unsigned char*>(dst);
  auto s = static_cast<const unsigned char*>(src);
  if (d < s) {
    while (n--) *d++ = *s++;
  } else {
    while (n--) d[n] = s[n];
  }
  return dst;
}

void* memset(void* dst, int c, std::size_t n) {
  auto d = static_cast<unsigned char*>(dst);
  while (n--) *d++ = static_cast<unsigned char>(c);
  return dst;
}

int memcmp(const void* a, const void* b, std::size_t n) {
  auto x = static_cast<const unsigned char*>(a);
  auto y = static_cast<const unsigned char*>(b);
  for (; n; --n, ++x, ++y)
    if (*x != *y) return *x < *y ? -1 : 1;
  return 0;
}

// The kernel never returns, so static destructors never run: registering them is a no-op.
void* __dso_handle = nullptr;
int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }

}  // extern "C"

namespace neuron {

std::size_t kstrlen(const char* s) {
  std::size_t n = 0;
  while (s[n]) ++n;
  return n;
}

int kstrncmp(const char* a, const char* b, std::size_t n) {
  for (; n; --n, ++a, ++b) {
    if (*a != *b) return static_cast<unsigned char>(*a) < static_cast<unsigned char>(*b) ? -1 : 1;
    if (*a == '\0') return 0;
  }
  return 0;
}

int kstrcmp(const char* a, const char* b) { return kstrncmp(a, b, SIZE_MAX); }

bool kparse_u32(const char* s, std::uint32_t& out) {
  if (!*s) return false;
  std::uint64_t v = 0;
  for (; *s; ++s) {
    if (*s < '0' || *s > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(*s - '0');
    if (v > UINT32_MAX) return false;
  }
  out = static_cast<std::uint32_t>(v);
  return true;
}

}  // namespace neuron
