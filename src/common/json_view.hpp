#pragma once
// Small pieces every JSON view needs: optional fields render as null (API.md shapes keep every
// key), times as RFC 3339.
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "common/time.hpp"

namespace irisx {

template <class T>
nlohmann::json json_or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

inline nlohmann::json time_or_null(const std::optional<std::int64_t>& v) {
  return v ? nlohmann::json(rfc3339(*v)) : nlohmann::json(nullptr);
}

}  // namespace irisx
