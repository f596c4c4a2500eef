#pragma once
// Rendering helpers shared by the API's resources: list envelopes over the records' own views.
#include <nlohmann/json.hpp>

#include "identity/views.hpp"
#include "store/pagination.hpp"

namespace irisx::api {

using identity::to_json;

template <class T>
nlohmann::json list_json(const store::Page<T>& page, std::string next_cursor) {
  nlohmann::json data = nlohmann::json::array();
  for (const auto& item : page.items) data.push_back(to_json(item));
  return {{"data", std::move(data)},
          {"has_more", page.has_more},
          {"next_cursor", page.has_more ? nlohmann::json(next_cursor) : nlohmann::json(nullptr)}};
}

}  // namespace irisx::api
