// The kernel command line (/chosen/bootargs, QEMU -append): space-separated "key=value" or bare
// "key" words. Pure string code with no kernel dependency, so the host fuzzes it as it runs here.
#pragma once

namespace neuron {

enum class ArgLookup {
  Absent,    // no word `key` or `key=...`
  Found,     // the value (or "" for a bare key) is in the buffer
  TooLong,   // the value does not fit the buffer (len - 1 characters); the buffer holds ""
  Repeated,  // the key is given more than once; the buffer holds ""
};

// Looks up `key` in `args` and copies its value (the word after '=', to the next space or the
// end) into `buf` of `len` bytes, NUL-terminated. Nothing is ever cut or chosen silently: a value
// that does not fit and a key given twice are reported, never half-read. len 0 or an empty key:
// Absent, nothing written.
ArgLookup bootargs_find(const char* args, const char* key, char* buf, unsigned len);

// The first word in `args` whose key starts with `prefix` but is none of the `n` keys in `known`,
// copied like a value into `buf` (cut to fit: it is only named in an error); nullptr if none.
const char* bootargs_unknown(const char* args, const char* prefix, const char* const* known,
                             unsigned n, char* buf, unsigned len);

}  // namespace neuron
