#pragma once
// Rendering helpers shared by the API's resources: list envelopes over the records' own views.
#include <nlohmann/json.hpp>

#include "identity/views.hpp"
#include "store/pagination.hpp"

namespace irisx::api {

using identity::to_json;

// `render` turns one record into its view, for records whose view is not a to_json.
template <class T, class Render>
nlohmann::json list_json(const store::Page<T>& page, std::string next_cursor, Render render) {
  nlohmann::json data = nlohmann::json::array();
  for (const auto& item : page.items) data.push_back(render(item));
  return {{"data", std::move(data)},
          {"has_more", page.has_more},
          {"next_cursor", page.has_more ? nlohmann::json(next_cursor) : nlohmann::json(nullptr)}};
}

template <class T>
nlohmann::json list_json(const store::Page<T>& page, std::string next_cursor) {
  return list_json(page, std::move(next_cursor), [](const T& item) { return to_json(item); });
}

}  // namespace irisx::api
