// The few string helpers the kernel needs; there is no libc. memcpy/memset/memmove/memcmp are
// provided with C linkage in klib.cpp because the compiler emits calls to them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace neuron {

std::size_t kstrlen(const char* s);
int kstrcmp(const char* a, const char* b);
int kstrncmp(const char* a, const char* b, std::size_t n);
// Parses a whole decimal string ("12"); false for anything else or on overflow.
bool kparse_u32(const char* s, std::uint32_t& out);

}  // namespace neuron
