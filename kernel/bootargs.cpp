#include "bootargs.h"

namespace neuron {
namespace {

// Does the word at `p` start with `key` followed by '=', ' ' or the end? Returns its value.
const char* match(const char* p, const char* key) {
  while (*key && *p == *key) ++p, ++key;
  if (*key) return nullptr;
  if (*p == '=') return p + 1;
  return *p == ' ' || *p == '\0' ? p : nullptr;
}

// The next word at or after `p`, past leading spaces; *p == '\0' at the end.
const char* next_word(const char* p) {
  while (*p && *p != ' ') ++p;
  while (*p == ' ') ++p;
  return p;
}

const char* skip_spaces(const char* p) {
  while (*p == ' ') ++p;
  return p;
}

bool starts_with(const char* s, const char* prefix) {
  while (*prefix && *s == *prefix) ++s, ++prefix;
  return *prefix == '\0';
}

// Copies the word at `v` (to a space or the end) into buf; false if it does not fit.
bool copy_word(const char* v, char* buf, unsigned len) {
  unsigned n = 0;
  while (v[n] && v[n] != ' ') {
    if (n + 1 >= len) {
      buf[0] = '\0';
      return false;
    }
    buf[n] = v[n];
    ++n;
  }
  buf[n] = '\0';
  return true;
}

}  // namespace

ArgLookup bootargs_find(const char* args, const char* key, char* buf, unsigned len) {
  if (len == 0 || !*key) return ArgLookup::Absent;
  const char* value = nullptr;
  for (const char* p = skip_spaces(args); *p; p = next_word(p)) {
    if (const char* v = match(p, key)) {
      if (value) {
        buf[0] = '\0';
        return ArgLookup::Repeated;
      }
      value = v;
    }
  }
  if (!value) return ArgLookup::Absent;
  return copy_word(value, buf, len) ? ArgLookup::Found : ArgLookup::TooLong;
}

const char* bootargs_unknown(const char* args, const char* prefix, const char* const* known,
                             unsigned n, char* buf, unsigned len) {
  if (len == 0) return nullptr;
  for (const char* p = skip_spaces(args); *p; p = next_word(p)) {
    if (!starts_with(p, prefix)) continue;
    bool listed = false;
    for (unsigned i = 0; i < n && !listed; ++i) listed = match(p, known[i]) != nullptr;
    if (listed) continue;
    unsigned k = 0;
    while (p[k] && p[k] != ' ' && p[k] != '=' && k + 1 < len) buf[k] = p[k], ++k;
    buf[k] = '\0';
    return buf;
  }
  return nullptr;
}

}  // namespace neuron
