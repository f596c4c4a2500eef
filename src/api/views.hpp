#pragma once
// JSON renderings of identity records (snake_case, RFC 3339 times, API.md shapes).
#include <nlohmann/json.hpp>

#include "identity/audit.hpp"
#include "identity/models.hpp"

namespace irisx::api {

nlohmann::json to_json(const identity::Tenant& tenant);
nlohmann::json to_json(const identity::User& user);
nlohmann::json to_json(const identity::ApiKey& key);
nlohmann::json to_json(const identity::Operator& op);
nlohmann::json to_json(const identity::OperatorSession& session);
nlohmann::json to_json(const identity::AuditEntry& entry);
nlohmann::json to_json(const identity::TokenPair& tokens);

template <class T>
nlohmann::json list_json(const identity::Page<T>& page, std::string next_cursor) {
  nlohmann::json data = nlohmann::json::array();
  for (const auto& item : page.items) data.push_back(to_json(item));
  return {{"data", std::move(data)},
          {"has_more", page.has_more},
          {"next_cursor", page.has_more ? nlohmann::json(next_cursor) : nlohmann::json(nullptr)}};
}

}  // namespace irisx::api
