// Sets of CPUs by logical id, up to config::kMaxCpus: words of 64 bits, scanned a word at a time.
// CpuMask is a value (owned by one CPU, or a snapshot); AtomicCpuMask is shared, each word an
// atomic, each operation on one CPU's bit a single read-modify-write of its word.
// Every scan takes a limit, the CPUs that exist (cpu_count()), and reads only the words below
// it: one word up to 64 CPUs, however large config::kMaxCpus is.
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

namespace cpumask_detail {

// Calls f(id) for each id in [from, to) whose bit word(i) holds, lowest first, until f returns
// true. Reads only the words that hold ids of the range. Inline: the scheduler's scans are short
// (one word up to 64 CPUs), and a call would cost more than the scan.
template <class Word, class F>
[[gnu::always_inline]] inline bool scan(Word word, std::uint32_t from, std::uint32_t to, F& f) {
  for (std::uint32_t i = from / 64; i * 64 < to; ++i) {
    std::uint64_t w = word(i);
    if (i == from / 64) w &= ~std::uint64_t{0} << (from % 64);
    if (to - i * 64 < 64) w &= (std::uint64_t{1} << (to - i * 64)) - 1;
    for (; w != 0; w &= w - 1) {
      if (f(i * 64 + lowest_bit(w))) return true;
    }
  }
  return false;
}

// A round over [0, limit) that begins at `start`: [start, limit), then [0, start).
template <class Word, class F>
[[gnu::always_inline]] inline bool round(Word word, std::uint32_t start, std::uint32_t limit,
                                         F& f) {
  if (limit <= 64) {  // one word, loaded once: the ids from start, then those below it
    std::uint64_t w = word(0);
    if (limit < 64) w &= (std::uint64_t{1} << limit) - 1;
    const std::uint64_t from_start = start < 64 ? ~std::uint64_t{0} << start : 0;
    for (std::uint64_t part : {w & from_start, w & ~from_start}) {
      for (; part != 0; part &= part - 1) {
        if (f(lowest_bit(part))) return true;
      }
    }
    return false;
  }
  return scan(word, start, limit, f) || scan(word, 0, start < limit ? start : limit, f);
}

}  // namespace cpumask_detail

template <std::size_t Bits>
class BitMask {
 public:
  static constexpr std::size_t kWords = (Bits + 63) / 64;
  static constexpr std::uint32_t kNone = ~0u;

  void set(std::uint32_t id) { words_[id / 64] |= bit(id); }
  bool test(std::uint32_t id) const { return id < Bits && (words_[id / 64] & bit(id)) != 0; }
  void set_word(std::size_t i, std::uint64_t w) { words_[i] = w; }
  // Empties the set, which holds no id at or past `limit`.
  void reset(std::uint32_t limit = Bits) {
    for (std::size_t i = 0; i * 64 < limit; ++i) words_[i] = 0;
  }

  // The first id in the set at or after `from`, below `limit` (<= Bits); kNone if there is none.
  std::uint32_t next(std::uint32_t from, std::uint32_t limit = Bits) const {
    std::uint32_t found = kNone;
    auto first = [&](std::uint32_t id) {
      found = id;
      return true;
    };
    cpumask_detail::scan(word(), from, limit, first);
    return found;
  }
  // Calls f(id) for the ids in the set below `limit`, lowest first.
  template <class F>
  void for_each(F f, std::uint32_t limit = Bits) const {
    auto all = [&](std::uint32_t id) {
      f(id);
      return false;
    };
    cpumask_detail::scan(word(), 0, limit, all);
  }

 private:
  static constexpr std::uint64_t bit(std::uint32_t id) { return std::uint64_t{1} << (id % 64); }
  auto word() const {
    return [this](std::uint32_t i) { return words_[i]; };
  }
  std::uint64_t words_[kWords] = {};
};

// Shared: on cache lines of its own, so that its writers do not slow the readers of what
// happens to sit beside it.
template <std::size_t Bits>
class alignas(64) AtomicBitMask {
 public:
  static constexpr std::size_t kWords = BitMask<Bits>::kWords;

  void set(std::uint32_t id, std::memory_order order) { words_[id / 64].fetch_or(bit(id), order); }
  // Clears the bit; true if this call found it set (the one caller that takes it).
  bool take(std::uint32_t id, std::memory_order order) {
    return (words_[id / 64].fetch_and(~bit(id), order) & bit(id)) != 0;
  }
  bool test(std::uint32_t id, std::memory_order order) const {
    return id < Bits && (words_[id / 64].load(order) & bit(id)) != 0;
  }
  // Each word loaded with `order`: a set changed meanwhile may be seen half old, half new.
  BitMask<Bits> snapshot(std::memory_order order) const {
    BitMask<Bits> m;
    for (std::size_t i = 0; i < kWords; ++i) m.set_word(i, words_[i].load(order));
    return m;
  }
  std::uint64_t word(std::size_t i, std::memory_order order) const { return words_[i].load(order); }
  // Calls f(id) for the ids in the set from `start` up to `limit` - 1, then from 0 up to
  // `start` - 1 (a round that begins at `start`), until f returns true. True if one did. Each
  // word is loaded with `order` when the round reaches it.
  template <class F>
  [[gnu::always_inline]] bool find_round(std::uint32_t start, std::uint32_t limit,
                                         std::memory_order order, F f) const {
    return cpumask_detail::round([&](std::uint32_t i) { return words_[i].load(order); }, start,
                                 limit, f);
  }

 private:
  static constexpr std::uint64_t bit(std::uint32_t id) { return std::uint64_t{1} << (id % 64); }
  std::atomic<std::uint64_t> words_[kWords] = {};
};

using CpuMask = BitMask<config::kMaxCpus>;
using AtomicCpuMask = AtomicBitMask<config::kMaxCpus>;

}  // namespace neuron
