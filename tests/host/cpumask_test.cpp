// kernel/cpumask.h on the host: the de Bruijn bit scan against the compiler's, the word-by-word
// scans and rounds against std::bitset, and take() deciding exactly one winner among racing CPUs.
#include "kernel/cpumask.h"

#include <gtest/gtest.h>

#include <atomic>
#include <bitset>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

namespace neuron {
namespace {

TEST(CpuMaskTest, LowestBitMatchesCtz) {
  for (unsigned b = 0; b < 64; ++b) EXPECT_EQ(lowest_bit(std::uint64_t{1} << b), b);
  std::mt19937_64 rng(1);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t w = rng() | std::uint64_t{1} << (rng() % 64);  // never zero
    ASSERT_EQ(lowest_bit(w), static_cast<unsigned>(__builtin_ctzll(w))) << std::hex << w;
  }
}

template <std::size_t Bits>
void check_scans_against_bitset(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 200; ++round) {
    BitMask<Bits> m;
    AtomicBitMask<Bits> a;  // the same set, shared: its round is what the scheduler scans
    std::bitset<Bits> ref;
    const int density = static_cast<int>(rng() % 8);  // from empty-ish to full-ish
    for (std::uint32_t id = 0; id < Bits; ++id) {
      if (static_cast<int>(rng() % 8) < density) {
        m.set(id);
        a.set(id, std::memory_order_relaxed);
        ref.set(id);
      }
    }
    if (rng() % 2) {  // take one again
      const std::uint32_t id = static_cast<std::uint32_t>(rng() % Bits);
      ASSERT_EQ(a.take(id, std::memory_order_relaxed), ref.test(id));
      ref.reset(id);
      m.reset();
      for (std::uint32_t i = 0; i < Bits; ++i) {
        if (ref.test(i)) m.set(i);
      }
    }
    ASSERT_EQ(m.next(0) != BitMask<Bits>::kNone, ref.any());
    std::vector<std::uint32_t> seen;
    m.for_each([&](std::uint32_t id) { seen.push_back(id); });
    std::vector<std::uint32_t> want;
    for (std::uint32_t id = 0; id < Bits; ++id) {
      ASSERT_EQ(m.test(id), ref.test(id)) << id;
      if (ref.test(id)) want.push_back(id);
    }
    ASSERT_EQ(seen, want);
    EXPECT_FALSE(m.test(Bits)) << "an id out of range is never in the set";
    // find_round(start, limit): start..limit-1, then 0..start-1, in order, stopping at true.
    for (std::uint32_t start : {std::uint32_t{0}, std::uint32_t{1}, std::uint32_t{Bits / 2},
                                std::uint32_t{Bits - 1}, std::uint32_t{Bits}}) {
      const std::uint32_t limit = Bits - static_cast<std::uint32_t>(rng() % 3);
      std::vector<std::uint32_t> round, expect;
      for (std::uint32_t id = start; id < limit; ++id) {
        if (ref.test(id)) expect.push_back(id);
      }
      for (std::uint32_t id = 0; id < start && id < limit; ++id) {
        if (ref.test(id)) expect.push_back(id);
      }
      EXPECT_FALSE(a.find_round(start, limit, std::memory_order_relaxed, [&](std::uint32_t id) {
        round.push_back(id);
        return false;
      }));
      ASSERT_EQ(round, expect) << "start " << start << " limit " << limit;
      if (!expect.empty()) {  // stops at the first true
        std::uint32_t calls = 0;
        EXPECT_TRUE(a.find_round(start, limit, std::memory_order_relaxed, [&](std::uint32_t id) {
          ++calls;
          return id == expect.back();
        }));
        EXPECT_EQ(calls, expect.size());
      }
    }
    // next(from, limit) for every from and a few limits, against a linear walk.
    for (std::uint32_t limit : {std::uint32_t{0}, std::uint32_t{1}, std::uint32_t{Bits / 2},
                                std::uint32_t{Bits - 1}, std::uint32_t{Bits}}) {
      for (std::uint32_t from = 0; from <= Bits; ++from) {
        std::uint32_t expect = BitMask<Bits>::kNone;
        for (std::uint32_t id = from; id < limit; ++id) {
          if (ref.test(id)) {
            expect = id;
            break;
          }
        }
        ASSERT_EQ(m.next(from, limit), expect) << "from " << from << " limit " << limit;
      }
    }
  }
}

TEST(CpuMaskTest, ScansMatchBitset64) { check_scans_against_bitset<64>(2); }
TEST(CpuMaskTest, ScansMatchBitset65) { check_scans_against_bitset<65>(3); }
TEST(CpuMaskTest, ScansMatchBitset512) { check_scans_against_bitset<512>(4); }

TEST(CpuMaskTest, AtomicSnapshotAndTest) {
  AtomicBitMask<512> m;
  for (std::uint32_t id : {0u, 63u, 64u, 200u, 511u}) m.set(id, std::memory_order_relaxed);
  const BitMask<512> s = m.snapshot(std::memory_order_relaxed);
  std::vector<std::uint32_t> seen;
  s.for_each([&](std::uint32_t id) { seen.push_back(id); });
  EXPECT_EQ(seen, (std::vector<std::uint32_t>{0, 63, 64, 200, 511}));
  EXPECT_TRUE(m.take(200, std::memory_order_relaxed));
  EXPECT_FALSE(m.take(200, std::memory_order_relaxed)) << "a bit is taken once";
  EXPECT_FALSE(m.test(200, std::memory_order_relaxed));
  EXPECT_TRUE(m.test(511, std::memory_order_relaxed));
  EXPECT_FALSE(m.test(512, std::memory_order_relaxed));
  // The round on the shared words, and a snapshot that stops at a limit.
  std::vector<std::uint32_t> round;
  EXPECT_FALSE(m.find_round(100, 512, std::memory_order_relaxed, [&](std::uint32_t id) {
    round.push_back(id);
    return false;
  }));
  EXPECT_EQ(round, (std::vector<std::uint32_t>{511, 0, 63, 64}));
  BitMask<512> r = s;
  r.reset(512);
  EXPECT_EQ(r.next(0), BitMask<512>::kNone);
}

// The kick protocol's claim: CPUs racing to take one idle CPU's bit, while its neighbours in the
// same word come and go, find exactly one winner per round.
TEST(CpuMaskTest, TakeHasOneWinnerUnderRaces) {
  constexpr int kThreads = 3, kRounds = 20000;
  AtomicBitMask<512> m;
  std::atomic<int> round{-1}, winners{0}, arrived{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        while (round.load(std::memory_order_acquire) < r) std::this_thread::yield();
        m.set(65 + static_cast<std::uint32_t>(t), std::memory_order_relaxed);  // same word
        if (m.take(64, std::memory_order_acq_rel)) winners.fetch_add(1, std::memory_order_relaxed);
        m.take(65 + static_cast<std::uint32_t>(t), std::memory_order_relaxed);
        arrived.fetch_add(1, std::memory_order_acq_rel);
      }
    });
  }
  for (int r = 0; r < kRounds; ++r) {
    m.set(64, std::memory_order_relaxed);
    round.store(r, std::memory_order_release);
    while (arrived.load(std::memory_order_acquire) < (r + 1) * kThreads) std::this_thread::yield();
    ASSERT_EQ(winners.load(std::memory_order_relaxed), r + 1) << "round " << r;
  }
  for (auto& t : ts) t.join();
}

}  // namespace
}  // namespace neuron
