// Clang thread-safety attributes (-Wthread-safety). They compile to nothing under GCC, so lock
// rules are written on the data for every build and checked by the clang presets.
#pragma once

#if defined(__clang__)
#define NEURON_TA(x) __attribute__((x))
#else
#define NEURON_TA(x)
#endif

#define TA_CAPABILITY(name) NEURON_TA(capability(name))
#define TA_SCOPED_CAPABILITY NEURON_TA(scoped_lockable)
#define TA_GUARDED(lock) NEURON_TA(guarded_by(lock))
#define TA_REQ(...) NEURON_TA(requires_capability(__VA_ARGS__))
#define TA_ACQ(...) NEURON_TA(acquire_capability(__VA_ARGS__))
#define TA_REL(...) NEURON_TA(release_capability(__VA_ARGS__))
#define TA_TRY_ACQ(...) NEURON_TA(try_acquire_capability(__VA_ARGS__))
#define TA_EXCL(...) NEURON_TA(locks_excluded(__VA_ARGS__))
#define TA_NO_ANALYSIS NEURON_TA(no_thread_safety_analysis)
