#include "common/id.hpp"

#include "common/crypto.hpp"

namespace irisx {

std::string new_id(std::string_view prefix) {
  std::string id(prefix);
  id += crypto::random_hex(16);
  return id;
}

bool is_id(std::string_view text, std::string_view prefix) {
  if (text.size() != prefix.size() + 32 || text.substr(0, prefix.size()) != prefix) return false;
  for (char c : text.substr(prefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace irisx
