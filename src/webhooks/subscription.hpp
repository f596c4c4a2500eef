#pragma once
// Which events an endpoint subscribes to: exact types ("message.delivered"), a resource's
// events ("message.*", "call.recording.*"), or everything ("*").
#include <string>
#include <string_view>
#include <vector>

namespace irisx::webhooks {

bool is_event_pattern(std::string_view pattern);
bool pattern_matches(std::string_view pattern, std::string_view type);
bool subscribed(const std::vector<std::string>& patterns, std::string_view type);

}  // namespace irisx::webhooks
