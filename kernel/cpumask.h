// Sets of CPUs by logical id, up to config::kMaxCpus: words of 64 bits, scanned a word at a time.
// CpuMask is a value (owned by one CPU, or a snapshot); AtomicCpuMask is shared, each word an
// atomic, each operation on one CPU's bit a single read-modify-write of its word.
// Freestanding, with no kernel dependency but config.h: host tests build it as it is.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "config.h"

namespace neuron {

// Index of the lowest set bit of a non-zero word. rv64gc has no count-trailing-zeros instruction
// and the kernel no libgcc to call: isolate the bit, multiply by a de Bruijn sequence (every 6-bit
// window of it distinct), and the top 6 bits of the product name the bit.
constexpr unsigned lowest_bit(std::uint64_t w) {
  constexpr std::uint64_t kDeBruijn = 0x03f79d71b4cb0a89ull;
  constexpr std::uint8_t kIndex[64] = {
      0,  1,  48, 2,  57, 49, 28, 3,  61, 58, 50, 42, 38, 29, 17, 4,  62, 55, 59, 36, 53, 51,
      43, 22, 45, 39, 33, 30, 24, 18, 12, 5,  63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21,
      44, 32, 23, 11, 46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,  13, 8,  7,  6};
  return kIndex[((w & (~w + 1)) * kDeBruijn) >> 58];
}

template <std::size_t Bits>
class BitMask {
 public:
  static constexpr std::size_t kWords = (Bits + 63) / 64;
  static constexpr std::uint32_t kNone = ~0u;

  void set(std::uint32_t id) { words_[id / 64] |= bit(id); }
  void clear(std::uint32_t id) { words_[id / 64] &= ~bit(id); }
  bool test(std::uint32_t id) const { return id < Bits && (words_[id / 64] & bit(id)) != 0; }
  bool any() const {
    for (std::uint64_t w : words_) {
      if (w != 0) return true;
    }
    return false;
  }
  std::uint64_t word(std::size_t i) const { return words_[i]; }
  void set_word(std::size_t i, std::uint64_t w) { words_[i] = w; }

  // The first id in the set at or after `from`, below `limit` (<= Bits); kNone if there is none.
  std::uint32_t next(std::uint32_t from, std::uint32_t limit = Bits) const {
    for (std::uint32_t i = from / 64; i * 64 < limit; ++i) {
      std::uint64_t w = words_[i];
      if (i == from / 64) w &= ~std::uint64_t{0} << (from % 64);
      if (w == 0) continue;
      const std::uint32_t id = i * 64 + lowest_bit(w);
      return id < limit ? id : kNone;
    }
    return kNone;
  }

  // Calls f(id) for every id in the set, lowest first.
  template <class F>
  void for_each(F f) const {
    for (std::size_t i = 0; i < kWords; ++i) {
      for (std::uint64_t w = words_[i]; w != 0; w &= w - 1) {
        f(static_cast<std::uint32_t>(i * 64 + lowest_bit(w)));
      }
    }
  }

 private:
  static constexpr std::uint64_t bit(std::uint32_t id) { return std::uint64_t{1} << (id % 64); }
  std::uint64_t words_[kWords] = {};
};

template <std::size_t Bits>
class AtomicBitMask {
 public:
  static constexpr std::size_t kWords = BitMask<Bits>::kWords;

  void set(std::uint32_t id, std::memory_order order) {
    words_[id / 64].fetch_or(bit(id), order);
  }
  // Clears the bit; true if this call found it set (the one caller that takes it).
  bool take(std::uint32_t id, std::memory_order order) {
    return (words_[id / 64].fetch_and(~bit(id), order) & bit(id)) != 0;
  }
  bool test(std::uint32_t id, std::memory_order order) const {
    return id < Bits && (words_[id / 64].load(order) & bit(id)) != 0;
  }
  // Word by word: a set changed meanwhile may be seen half old, half new.
  BitMask<Bits> snapshot(std::memory_order order) const {
    BitMask<Bits> m;
    for (std::size_t i = 0; i < kWords; ++i) m.set_word(i, words_[i].load(order));
    return m;
  }
  std::uint64_t word(std::size_t i, std::memory_order order) const { return words_[i].load(order); }

 private:
  static constexpr std::uint64_t bit(std::uint32_t id) { return std::uint64_t{1} << (id % 64); }
  std::atomic<std::uint64_t> words_[kWords] = {};
};

using CpuMask = BitMask<config::kMaxCpus>;
using AtomicCpuMask = AtomicBitMask<config::kMaxCpus>;

}  // namespace neuron
