// NS16550A UART, transmit side only, polled (QEMU virt's console).
#pragma once

#include <cstdint>

namespace neuron::arch {

class Uart16550 {
 public:
  void init(std::uint64_t base) {
    regs_ = reinterpret_cast<volatile std::uint8_t*>(base);
    regs_[kIer] = 0x00;  // no UART interrupts: the console is polled
    regs_[kLcr] = 0x03;  // 8 data bits, no parity, 1 stop bit
    regs_[kFcr] = 0x07;  // enable and clear the FIFOs
  }
  bool ready() const { return regs_ != nullptr; }
  void putc(char c) {
    while ((regs_[kLsr] & kLsrThrEmpty) == 0) {
    }
    regs_[kThr] = static_cast<std::uint8_t>(c);
  }

 private:
  static constexpr unsigned kThr = 0, kIer = 1, kFcr = 2, kLcr = 3, kLsr = 5;
  static constexpr std::uint8_t kLsrThrEmpty = 0x20;
  volatile std::uint8_t* regs_ = nullptr;
};

}  // namespace neuron::arch
