#include "bus/bus.hpp"

namespace irisx::bus {

// NATS subject matching: tokens split on '.', "*" matches exactly one token, ">" (last token
// only) matches one or more remaining tokens.
bool subject_matches(std::string_view filter, std::string_view subject) {
  while (true) {
    const std::size_t fdot = filter.find('.');
    const std::size_t sdot = subject.find('.');
    const std::string_view ftok = filter.substr(0, fdot);
    const std::string_view stok = subject.substr(0, sdot);
    if (ftok == ">") return fdot == std::string_view::npos && !stok.empty();
    if (stok.empty() || (ftok != "*" && ftok != stok)) return false;
    if (fdot == std::string_view::npos || sdot == std::string_view::npos) {
      return fdot == std::string_view::npos && sdot == std::string_view::npos;
    }
    filter.remove_prefix(fdot + 1);
    subject.remove_prefix(sdot + 1);
  }
}

}  // namespace irisx::bus
