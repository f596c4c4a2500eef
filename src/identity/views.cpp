#include "identity/views.hpp"

#include "common/json_view.hpp"
#include "common/time.hpp"

namespace irisx::identity {
// Hot views assign member by member: nlohmann's brace form builds a temporary array per pair,
// which was the largest cost of GET /v1/me.
nlohmann::json to_json(const Tenant& t) {
  nlohmann::json out(nlohmann::json::value_t::object);
  out["id"] = t.id;
  out["object"] = "tenant";
  out["name"] = t.name;
  out["status"] = t.status;
  out["created_at"] = rfc3339(t.created_at);
  out["updated_at"] = rfc3339(t.updated_at);
  out["suspended_at"] = time_or_null(t.suspended_at);
  out["suspended_reason"] = json_or_null(t.suspended_reason);
  return out;
}

nlohmann::json to_json(const User& u) {
  nlohmann::json out(nlohmann::json::value_t::object);
  out["id"] = u.id;
  out["object"] = "user";
  out["tenant_id"] = u.tenant_id;
  out["email"] = u.email;
  out["name"] = u.name;
  out["role"] = u.role;
  out["created_at"] = rfc3339(u.created_at);
  out["updated_at"] = rfc3339(u.updated_at);
  out["last_login_at"] = time_or_null(u.last_login_at);
  return out;
}

nlohmann::json to_json(const ApiKey& k) {
  nlohmann::json out(nlohmann::json::value_t::object);
  out["id"] = k.id;
  out["object"] = "api_key";
  out["name"] = k.name;
  out["mode"] = k.mode;
  out["masked_key"] = "irisx_" + k.mode + "_..." + k.last_four;
  out["scopes"] = k.scopes;
  out["created_by"] = json_or_null(k.created_by);
  out["created_at"] = rfc3339(k.created_at);
  out["last_used_at"] = time_or_null(k.last_used_at);
  return out;
}

nlohmann::json to_json(const Operator& o) {
  return {{"id", o.id},
          {"object", "operator"},
          {"email", o.email},
          {"name", o.name},
          {"created_at", rfc3339(o.created_at)},
          {"last_login_at", time_or_null(o.last_login_at)}};
}

nlohmann::json to_json(const OperatorSession& s) {
  return {{"id", s.id},
          {"object", "operator_session"},
          {"ip", json_or_null(s.ip)},
          {"created_at", rfc3339(s.created_at)},
          {"expires_at", rfc3339(s.expires_at)}};
}

nlohmann::json to_json(const AuditEntry& e) {
  nlohmann::json out(nlohmann::json::value_t::object);
  out["id"] = e.id;
  out["object"] = "audit_entry";
  out["tenant_id"] = json_or_null(e.tenant_id);
  out["actor"]["type"] = e.actor_type;
  out["actor"]["id"] = e.actor_id;
  out["action"] = e.action;
  out["target"]["type"] = json_or_null(e.target_type);
  out["target"]["id"] = json_or_null(e.target_id);
  out["ip"] = json_or_null(e.ip);
  out["request_id"] = json_or_null(e.request_id);
  out["created_at"] = rfc3339(e.created_at);
  return out;
}

nlohmann::json to_json(const TokenPair& t) {
  return {{"access_token", t.access_token},
          {"refresh_token", t.refresh_token},
          {"token_type", "Bearer"},
          {"expires_in", t.expires_in}};
}

}  // namespace irisx::identity
