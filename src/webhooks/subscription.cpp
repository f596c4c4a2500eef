#include "webhooks/subscription.hpp"

#include <algorithm>

#include "events/events.hpp"

namespace irisx::webhooks {

bool is_event_pattern(std::string_view pattern) {
  if (pattern == "*") return true;
  if (pattern.ends_with(".*")) {
    // "message.*" names a resource: its stem must be a type name's first part(s).
    std::string stem(pattern.substr(0, pattern.size() - 2));
    return events::is_event_type(stem + ".x");
  }
  return events::is_event_type(pattern);
}

bool pattern_matches(std::string_view pattern, std::string_view type) {
  if (pattern == "*") return true;
  if (pattern.ends_with(".*")) return type.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == type;
}

bool subscribed(const std::vector<std::string>& patterns, std::string_view type) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [type](const std::string& p) { return pattern_matches(p, type); });
}

}  // namespace irisx::webhooks
