// The few string helpers the kernel needs; there is no libc. memcpy/memset/memmove/memcmp are
// provided with C linkage in klib.cpp because the compiler emits calls to them.
#pragma once

#include <cstddef>

namespace neuron {

std::size_t kstrlen(const char* s);
int kstrcmp(const char* a, const char* b);
int kstrncmp(const char* a, const char* b, std::size_t n);
// Does the space-separated word list `words` contain `word`?
bool kword_in(const char* words, const char* word);

}  // namespace neuron
