#include "voice/trunks/syntax.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <string>

namespace irisx::voice::trunks {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// RFC 1123 §2.1: letters, digits and hyphens, 1..63 characters, no hyphen at either end.
bool is_label(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

bool is_hostname(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::string_view last;
  for (std::size_t start = 0;;) {
    const auto dot = host.find('.', start);
    last = host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!is_label(last)) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return !is_digits(last);
}

}  // namespace

HostKind host_kind(std::string_view host) {
  const std::string text(host);
  std::array<unsigned char, 16> bytes{};
  if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) return HostKind::ipv4;
  if (inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) return HostKind::ipv6;
  return is_hostname(host) ? HostKind::hostname : HostKind::invalid;
}

bool is_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), is_digit);
}

bool is_number(std::string_view text, std::size_t min_digits, std::size_t max_digits) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  return text.size() >= min_digits && text.size() <= max_digits && is_digits(text);
}

}  // namespace irisx::voice::trunks
