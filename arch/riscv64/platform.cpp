#include <cstdint>

#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/panic.h"
#include "sbi.h"
#include "uart16550.h"

extern "C" char __kernel_start[], __kernel_end[];  // kernel.ld: the image, BSS and all

namespace neuron::arch {
namespace {

// What platform_devices() asks the device tree for, in this order.
enum Wanted { kConsole, kExitDevice, kWantedCount };
constexpr const char* kWanted[kWantedCount] = {"ns16550a", "sifive,test0"};

Uart16550 g_uart;
volatile std::uint32_t* g_test_device = nullptr;  // QEMU "sifive,test0": a write ends the machine

struct NamedExtension {
  sbi::Eid eid;
  const char* name;
};
constexpr NamedExtension kExtensions[] = {
    {sbi::Eid::Base, "base"},     {sbi::Eid::Time, "time"}, {sbi::Eid::Ipi, "ipi"},
    {sbi::Eid::Rfence, "rfence"}, {sbi::Eid::Hsm, "hsm"},   {sbi::Eid::Srst, "srst"},
    {sbi::Eid::Pmu, "pmu"},       {sbi::Eid::Dbcn, "dbcn"},
};

const char* implementation_name(long id) {
  switch (id) {
    case 0: return "BBL";
    case 1: return "OpenSBI";
    case 2: return "Xvisor";
    case 3: return "KVM";
    case 4: return "RustSBI";
    case 5: return "Diosix";
    default: return "unknown SBI";
  }
}

struct Appender {
  char* buf;
  unsigned len;
  unsigned pos = 0;
  void put(char c) {
    if (pos + 1 < len) buf[pos++] = c;
    buf[pos] = '\0';
  }
  void puts(const char* s) {
    while (*s) put(*s++);
  }
  void putu(unsigned long v) {
    if (v >= 10) putu(v / 10);
    put(static_cast<char>('0' + v % 10));
  }
};

}  // namespace

PlatformDevices platform_devices() { return {kWanted, kWantedCount, kConsole}; }

fdt::Range kernel_image() {
  const auto start = reinterpret_cast<std::uint64_t>(__kernel_start);
  return {start, reinterpret_cast<std::uint64_t>(__kernel_end) - start};
}

void platform_init(const fdt::Summary& tree) {
  if (const fdt::Device& d = tree.devices[kConsole]; d.has_reg) g_uart.init(d.base);
  if (const fdt::Device& d = tree.devices[kExitDevice]; d.has_reg) {
    g_test_device = reinterpret_cast<volatile std::uint32_t*>(d.base);
  }
}

void describe_firmware(char* buf, unsigned len) {
  Appender a{buf, len};
  const long impl_version = sbi::base::impl_version();
  const long spec = sbi::base::spec_version();
  // OpenSBI encodes its version as major << 16 | minor; the SBI spec as major << 24 | minor.
  a.puts(implementation_name(sbi::base::impl_id()));
  a.put(' ');
  a.putu(static_cast<unsigned long>(impl_version) >> 16);
  a.put('.');
  a.putu(static_cast<unsigned long>(impl_version) & 0xffff);
  a.puts(", SBI ");
  a.putu((static_cast<unsigned long>(spec) >> 24) & 0x7f);
  a.put('.');
  a.putu(static_cast<unsigned long>(spec) & 0xffffff);
  a.put(':');
  for (const NamedExtension& e : kExtensions) {
    if (!sbi::base::probe(e.eid)) continue;
    a.put(' ');
    a.puts(e.name);
  }
}

void console_write(const char* s, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (s[i] == '\n') console_write("\r", 1);
    if (!g_uart.ready()) {
      sbi::legacy_putchar(s[i]);
    } else if (!g_uart.putc(s[i])) {
      // Never a silent hang: say so through the firmware's console, and stop with a failure.
      const std::uint64_t base = g_uart.base();
      g_uart.disable();
      panic("console UART at 0x%lx never became ready to transmit", base);
    }
  }
}

void machine_exit(bool success, std::uint32_t code) {
  // QEMU's test device: 0x5555 = pass (exit 0); (code << 16) | 0x3333 = fail with status code.
  constexpr std::uint32_t kPass = 0x5555, kFail = 0x3333;
  if (g_test_device) {
    *g_test_device = success ? kPass : ((code & 0xffff) << 16) | kFail;
  }
  // No test device (or it did not stop us: a node that is none): SRST. OpenSBI 1.1 exits QEMU
  // with 0 even for a failure reason, so the test scripts also read the console for the verdict.
  const sbi::Result r = sbi::srst::system_reset(
      sbi::srst::ResetType::Shutdown,
      success ? sbi::srst::ResetReason::None : sbi::srst::ResetReason::SystemFailure);
  // Nothing is left that can stop the machine: say so rather than stop without a word.
  kprintf_emergency("KPANIC: the machine did not stop: exit device %s, SBI SRST %s\n",
                    g_test_device ? "did not answer" : "not found", sbi::error_name(r.error));
  halt_this_cpu();
}

}  // namespace neuron::arch
