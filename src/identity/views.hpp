#pragma once
// JSON renderings of identity records (snake_case, RFC 3339 times, API.md shapes). They serve
// both the API's responses and the data of the events these records emit.
#include <nlohmann/json.hpp>

#include "identity/audit.hpp"
#include "identity/models.hpp"

namespace irisx::identity {

nlohmann::json to_json(const Tenant& tenant);
nlohmann::json to_json(const User& user);
nlohmann::json to_json(const ApiKey& key);
nlohmann::json to_json(const Operator& op);
nlohmann::json to_json(const OperatorSession& session);
nlohmann::json to_json(const AuditEntry& entry);
nlohmann::json to_json(const TokenPair& tokens);

}  // namespace irisx::identity
