// The kernel command line (/chosen/bootargs, QEMU -append): space-separated "key=value" or bare
// "key" words. Pure string code with no kernel dependency, so the host fuzzes it as it runs here.
#pragma once

namespace neuron {

// The value of the first word `key=value` (or bare `key`, value "") in `args`, copied into `buf`
// (at most len - 1 bytes, always NUL-terminated; a longer value is cut short). Returns `buf`, or
// nullptr if `key` is absent or `len` is 0. The value runs to the next space or the end.
const char* bootargs_find(const char* args, const char* key, char* buf, unsigned len);

}  // namespace neuron
