#include "console.h"

#include <cstdint>

#include "arch.h"
#include "irq_lock.h"
#include "klib.h"

namespace neuron {
namespace {

constexpr std::size_t kLineMax = 256;
constexpr int kEmergencyLockTries = 1 << 20;

Spinlock g_console_lock;

struct Buffer {
  char data[kLineMax];
  std::size_t len = 0;
  void put(char c) {
    if (len < kLineMax) data[len++] = c;
  }
  void puts(const char* s) {
    while (*s) put(*s++);
  }
};

void put_number(Buffer& b, std::uint64_t v, unsigned base, bool negative, int width, char pad) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  if (negative) digits[n++] = '-';
  for (int i = n; i < width; ++i) b.put(pad);
  while (n) b.put(digits[--n]);
}

void format(Buffer& b, const char* fmt, va_list ap) {
  for (; *fmt; ++fmt) {
    if (*fmt != '%') {
      b.put(*fmt);
      continue;
    }
    ++fmt;
    char pad = ' ';
    int width = 0;
    if (*fmt == '0') pad = '0', ++fmt;
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    bool is_long = false;
    while (*fmt == 'l') is_long = true, ++fmt;
    switch (*fmt) {
      case 's': {
        const char* s = va_arg(ap, const char*);
        b.puts(s ? s : "(null)");
        break;
      }
      case 'c': b.put(static_cast<char>(va_arg(ap, int))); break;
      case 'd': {
        const std::int64_t v = is_long ? va_arg(ap, long) : va_arg(ap, int);
        const std::uint64_t mag =
            v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
        put_number(b, mag, 10, v < 0, width, pad);
        break;
      }
      case 'u':
        put_number(b, is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, false, width,
                   pad);
        break;
      case 'x':
        put_number(b, is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, false, width,
                   pad);
        break;
      case 'p':
        b.puts("0x");
        put_number(b, reinterpret_cast<std::uintptr_t>(va_arg(ap, void*)), 16, false, 16, '0');
        break;
      case '%': b.put('%'); break;
      default: b.put('?'); break;
    }
  }
}

}  // namespace

void kvsnprintf(char* buf, unsigned n, const char* fmt, va_list ap) {
  if (n == 0) return;
  Buffer b;
  format(b, fmt, ap);
  const std::size_t len = b.len < n - 1 ? b.len : n - 1;
  for (std::size_t i = 0; i < len; ++i) buf[i] = b.data[i];
  buf[len] = '\0';
}

void kvprintf(const char* fmt, va_list ap) {
  Buffer b;
  format(b, fmt, ap);
  IrqSpinGuard g(g_console_lock);
  arch::console_write(b.data, b.len);
}

void kprintf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  kvprintf(fmt, ap);
  va_end(ap);
}

namespace {
// Writes without waiting for the lock: with `try_lock`, takes it if it can within a bound, and
// writes anyway. For a panic, whose lock holder may be the CPU that stopped. The analysis cannot
// follow a lock that may or may not be held.
void write_unwaited(bool try_lock, const char* fmt, va_list ap) TA_NO_ANALYSIS {
  Buffer b;
  format(b, fmt, ap);
  IrqSave irq;
  bool locked = false;
  for (int i = 0; try_lock && i < kEmergencyLockTries && !locked; ++i) {
    locked = g_console_lock.try_lock();
  }
  arch::console_write(b.data, b.len);
  if (locked) g_console_lock.unlock();
}
}  // namespace

void kprintf_unlocked(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  write_unwaited(false, fmt, ap);
  va_end(ap);
}

void kprintf_emergency(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  write_unwaited(true, fmt, ap);
  va_end(ap);
}

}  // namespace neuron
