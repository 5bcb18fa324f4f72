// In-kernel benchmarks (builds with NEURON_KBENCH): run after the selftests, each prints one line
//   KBENCH: <name> <variant> smp=<n> value=<x> unit=<u>
// QEMU is an emulator: its absolute times mean little. Compare the variants by instruction counts
// (boot with -icount shift=0, where rdinstret counts guest instructions) and by ratios.
#pragma once

namespace neuron {

void kbench_run();
// Instructions per scheduler path (kbench_paths.cpp): local paths at one hart, the remote wake in
// the exact lane at two or more. Called by kbench_run.
void kbench_paths_run();
// Wake-to-run latency distributions, schbench-style (kbench_latency.cpp), at two harts or more.
// Called by kbench_run.
void kbench_latency_run();

}  // namespace neuron
