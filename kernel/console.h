// Kernel console: printf-style lines, each written whole under one lock so that lines from
// different CPUs never interleave.
#pragma once

#include <cstdarg>
#include <cstddef>

namespace neuron {

// Formats: %s %c %d %u %x %p, with an optional 'l' (long) and a zero-padded width (%08x).
void kprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char* fmt, va_list ap);
// Formats into buf (always NUL-terminated, truncated to n - 1 characters).
void kvsnprintf(char* buf, unsigned n, const char* fmt, va_list ap);

// For panic: write even if another CPU holds the console lock (after a bounded wait), so a
// dying kernel always gets its last words out.
void kprintf_emergency(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// For a panic's long output after kprintf_emergency: no lock at all (lines from other CPUs may
// interleave), so a lock held by a stopped CPU costs nothing per line.
void kprintf_unlocked(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace neuron
