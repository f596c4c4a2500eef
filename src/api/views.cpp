#include "api/views.hpp"

#include "common/time.hpp"

namespace irisx::api {
namespace {

template <class T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json opt_time(const std::optional<std::int64_t>& v) {
  return v ? nlohmann::json(rfc3339(*v)) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json to_json(const identity::Tenant& t) {
  return {{"id", t.id},
          {"object", "tenant"},
          {"name", t.name},
          {"status", t.status},
          {"created_at", rfc3339(t.created_at)},
          {"updated_at", rfc3339(t.updated_at)},
          {"suspended_at", opt_time(t.suspended_at)},
          {"suspended_reason", opt(t.suspended_reason)}};
}

nlohmann::json to_json(const identity::User& u) {
  return {{"id", u.id},
          {"object", "user"},
          {"tenant_id", u.tenant_id},
          {"email", u.email},
          {"name", u.name},
          {"role", u.role},
          {"created_at", rfc3339(u.created_at)},
          {"updated_at", rfc3339(u.updated_at)},
          {"last_login_at", opt_time(u.last_login_at)}};
}

nlohmann::json to_json(const identity::ApiKey& k) {
  return {{"id", k.id},
          {"object", "api_key"},
          {"name", k.name},
          {"mode", k.mode},
          {"masked_key", "irisx_" + k.mode + "_..." + k.last_four},
          {"scopes", k.scopes},
          {"created_by", opt(k.created_by)},
          {"created_at", rfc3339(k.created_at)},
          {"last_used_at", opt_time(k.last_used_at)}};
}

nlohmann::json to_json(const identity::Operator& o) {
  return {{"id", o.id},
          {"object", "operator"},
          {"email", o.email},
          {"name", o.name},
          {"created_at", rfc3339(o.created_at)},
          {"last_login_at", opt_time(o.last_login_at)}};
}

nlohmann::json to_json(const identity::OperatorSession& s) {
  return {{"id", s.id},
          {"object", "operator_session"},
          {"ip", opt(s.ip)},
          {"created_at", rfc3339(s.created_at)},
          {"expires_at", rfc3339(s.expires_at)}};
}

nlohmann::json to_json(const identity::AuditEntry& e) {
  return {{"id", e.id},
          {"object", "audit_entry"},
          {"tenant_id", opt(e.tenant_id)},
          {"actor", {{"type", e.actor_type}, {"id", e.actor_id}}},
          {"action", e.action},
          {"target", {{"type", opt(e.target_type)}, {"id", opt(e.target_id)}}},
          {"ip", opt(e.ip)},
          {"request_id", opt(e.request_id)},
          {"created_at", rfc3339(e.created_at)}};
}

nlohmann::json to_json(const identity::TokenPair& t) {
  return {{"access_token", t.access_token},
          {"refresh_token", t.refresh_token},
          {"token_type", "Bearer"},
          {"expires_in", t.expires_in}};
}

}  // namespace irisx::api
