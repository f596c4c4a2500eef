#pragma once
// Public resource ids: two capital letters and 32 lowercase hex digits (API.md), e.g.
// "TN3f2a…". The hex part is the creation time in milliseconds (48 bits, so ids sort by age)
// followed by 80 bits from the CSPRNG.
#include <string>
#include <string_view>

namespace irisx {

std::string new_id(std::string_view prefix);
bool is_id(std::string_view text, std::string_view prefix);

}  // namespace irisx
