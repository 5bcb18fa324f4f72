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
  std::uint64_t base() const { return reinterpret_cast<std::uintptr_t>(regs_); }
  void disable() { regs_ = nullptr; }
  // False if the transmitter never said it was empty: a node that is no working 16550 (QEMU reads
  // 0 where nothing is mapped). A real one at 9600 baud frees a byte within ~1 ms, far below
  // kMaxPolls reads.
  bool putc(char c) {
    for (std::uint32_t polls = 0; (regs_[kLsr] & kLsrThrEmpty) == 0; ++polls) {
      if (polls == kMaxPolls) return false;
    }
    regs_[kThr] = static_cast<std::uint8_t>(c);
    return true;
  }

 private:
  static constexpr unsigned kThr = 0, kIer = 1, kFcr = 2, kLcr = 3, kLsr = 5;
  static constexpr std::uint8_t kLsrThrEmpty = 0x20;
  static constexpr std::uint32_t kMaxPolls = 1u << 20;
  volatile std::uint8_t* regs_ = nullptr;
};

}  // namespace neuron::arch
