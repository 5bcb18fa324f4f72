// The few string helpers the kernel needs; there is no libc. memcpy/memset/memmove/memcmp are
// provided with C linkage in klib.cpp because the compiler emits calls to them.
#pragma once

#include <cstddef>
#include <cstdint>

// Static memory that boot does not clear (the linker script's .noinit): for buffers that are
// written before they are read, such as stacks filled with their pattern before first use.
#define NEURON_NOINIT __attribute__((section(".bss.neuron_noinit")))

namespace neuron {

std::size_t kstrlen(const char* s);
int kstrcmp(const char* a, const char* b);
int kstrncmp(const char* a, const char* b, std::size_t n);
// Parses a whole decimal string ("12"); false for anything else or on overflow.
bool kparse_u32(const char* s, std::uint32_t& out);

}  // namespace neuron
