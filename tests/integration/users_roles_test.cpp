// Users and roles beyond roles_audit_test.cpp: the user shape, lock-out of deleted users,
// live role changes, peer and self rules, API keys acting with admin rank, idempotent replays
// across callers, and the audit trail of each user action, per tenant and for operators.
#include <array>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "integration/api_fixture.hpp"

namespace irisx::testing {
namespace {

class UsersRoles : public StoreSuite {
 protected:
  // The tenant's audit entries (newest first, up to 200), asserting the call succeeds.
  nlohmann::json audit_of(const std::string& token) {
    auto r = server().get("/v1/audit-log?limit=200", token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["data"];
  }

  static nlohmann::json new_user(const std::string& role) {
    return {{"email", unique_email(role)},
            {"name", "New " + role},
            {"role", role},
            {"password", "new user password"}};
  }
};

// The one entry with this request id; fails the test when there is not exactly one.
nlohmann::json entry_for(const nlohmann::json& entries, const std::string& request_id) {
  nlohmann::json found;
  int count = 0;
  for (const auto& e : entries) {
    if (e["request_id"] == request_id) {
      found = e;
      ++count;
    }
  }
  EXPECT_EQ(count, 1) << request_id << " in " << entries.dump();
  return found;
}

std::set<std::string> ids_of(const nlohmann::json& list) {
  std::set<std::string> out;
  for (const auto& item : list) out.insert(item["id"].get<std::string>());
  return out;
}

TEST_P(UsersRoles, CreatedUserHasTheUserShapeLogsInAndIsListed) {
  TenantLogin owner = signup(server());
  const std::string email = "Mixed" + unique_email("case");
  auto created = server().post(
      "/v1/users",
      {{"email", email}, {"name", "Ada"}, {"role", "agent"}, {"password", "ada secret pw"}},
      owner.access_token);
  ASSERT_EQ(created.status, 201) << created.body;
  const nlohmann::json user = created.json();
  const std::string id = user["id"];
  EXPECT_TRUE(std::regex_match(id, std::regex("US[0-9a-f]{32}"))) << id;
  EXPECT_EQ(user["object"], "user");
  EXPECT_EQ(user["tenant_id"], owner.tenant_id);
  EXPECT_EQ(user["email"], "mixed" + email.substr(5));  // stored lower-case
  EXPECT_EQ(user["name"], "Ada");
  EXPECT_EQ(user["role"], "agent");
  EXPECT_TRUE(user["created_at"].is_string());
  EXPECT_TRUE(user["updated_at"].is_string());
  EXPECT_TRUE(user["last_login_at"].is_null());
  EXPECT_FALSE(user.contains("password") || user.contains("password_hash")) << created.body;
  EXPECT_EQ(created.body.find("ada secret pw"), std::string::npos);

  auto login = server().post("/v1/auth/login", {{"email", email}, {"password", "ada secret pw"}});
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json()["user"]["id"], id);
  auto me = server().get("/v1/me", login.json()["access_token"]);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json()["user"]["role"], "agent");
  EXPECT_FALSE(
      server().get("/v1/users/" + id, owner.access_token).json()["last_login_at"].is_null());

  auto list = server().get("/v1/users", owner.access_token);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(ids_of(list.json()["data"]), (std::set<std::string>{owner.user_id, id}));
  EXPECT_EQ(list.json()["has_more"], false);

  auto again = server().post(
      "/v1/users",
      {{"email", email}, {"name", "Twin"}, {"role", "viewer"}, {"password", "another password"}},
      owner.access_token);
  expect_problem(again, 409, "email_taken");
  nlohmann::json bad_role = new_user("viewer");
  bad_role["role"] = "superuser";
  auto refused = server().post("/v1/users", bad_role, owner.access_token);
  expect_problem(refused, 422, "validation_failed");
  EXPECT_EQ(refused.json()["errors"][0]["field"], "role");
}

TEST_P(UsersRoles, DeletedUserIsLockedOutAtOnce) {
  TenantLogin owner = signup(server());
  Member gone = add_member(owner, "developer");
  ASSERT_EQ(server().get("/v1/me", gone.token).status, 200);

  EXPECT_EQ(send("DELETE", "/v1/users/" + gone.id, owner.access_token).status, 204);
  expect_problem(send("DELETE", "/v1/users/" + gone.id, owner.access_token), 404, "not_found");
  expect_problem(server().get("/v1/users/" + gone.id, owner.access_token), 404, "not_found");
  EXPECT_EQ(ids_of(server().get("/v1/users", owner.access_token).json()["data"]),
            std::set<std::string>{owner.user_id});
  // No waiting for the auth cache: deletion evicts the user at once on this node.
  expect_problem(server().get("/v1/me", gone.token), 401, "unauthorized");
  expect_problem(server().get("/v1/users", gone.token), 401, "unauthorized");
  expect_problem(server().post("/v1/auth/refresh", {{"refresh_token", gone.refresh_token}}), 401,
                 "unauthorized");
  expect_problem(
      server().post("/v1/auth/login", {{"email", gone.email}, {"password", "member password 1"}}),
      401, "unauthorized");
}

TEST_P(UsersRoles, RoleChangesApplyToLiveSessionsAtOnce) {
  TenantLogin owner = signup(server());
  Member admin = add_member(owner, "admin");
  ASSERT_EQ(server().post("/v1/users", new_user("agent"), admin.token).status, 201);
  ASSERT_EQ(send("PATCH", "/v1/users/" + admin.id, owner.access_token, {{"role", "viewer"}}).status,
            200);
  expect_problem(server().post("/v1/users", new_user("agent"), admin.token), 403,
                 "insufficient_scope");
  expect_problem(server().get("/v1/audit-log", admin.token), 403, "insufficient_scope");
  EXPECT_EQ(server().get("/v1/users", admin.token).status, 200);
  EXPECT_EQ(server().get("/v1/me", admin.token).json()["user"]["role"], "viewer");

  Member viewer = add_member(owner, "viewer");
  const nlohmann::json key = {{"name", "k"}, {"scopes", {"users:read"}}};
  expect_problem(server().post("/v1/api-keys", key, viewer.token), 403, "insufficient_scope");
  ASSERT_EQ(
      send("PATCH", "/v1/users/" + viewer.id, owner.access_token, {{"role", "developer"}}).status,
      200);
  EXPECT_EQ(server().post("/v1/api-keys", key, viewer.token).status, 201);
}

TEST_P(UsersRoles, AdminsManagePeersButNeverThemselvesOwnersOrPromotionsToOwner) {
  TenantLogin owner = signup(server());
  Member admin = add_member(owner, "admin");
  Member peer = add_member(owner, "admin");
  Member dev = add_member(owner, "developer");

  expect_problem(send("PATCH", "/v1/users/" + dev.id, admin.token, {{"role", "owner"}}), 403,
                 "forbidden");
  EXPECT_EQ(server().get("/v1/users/" + dev.id, owner.access_token).json()["role"], "developer");
  expect_problem(send("PATCH", "/v1/users/" + admin.id, admin.token, {{"role", "viewer"}}), 403,
                 "forbidden");
  expect_problem(send("DELETE", "/v1/users/" + admin.id, admin.token), 403, "forbidden");
  auto renamed = send("PATCH", "/v1/users/" + admin.id, admin.token, {{"name", "Me, renamed"}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.json()["role"], "admin");

  // "Ranked above them" is strict: an admin may manage another admin.
  auto demoted = send("PATCH", "/v1/users/" + peer.id, admin.token, {{"role", "agent"}});
  ASSERT_EQ(demoted.status, 200) << demoted.body;
  EXPECT_EQ(demoted.json()["role"], "agent");
  EXPECT_EQ(send("DELETE", "/v1/users/" + peer.id, admin.token).status, 204);

  // An owner may add another owner, whom an admin then cannot touch.
  auto second = server().post("/v1/users", new_user("owner"), owner.access_token);
  ASSERT_EQ(second.status, 201) << second.body;
  const std::string second_id = second.json()["id"];
  expect_problem(send("PATCH", "/v1/users/" + second_id, admin.token, {{"name", "x"}}), 403,
                 "forbidden");
  expect_problem(send("DELETE", "/v1/users/" + second_id, admin.token), 403, "forbidden");

  expect_problem(send("PATCH", "/v1/users/" + dev.id, dev.token, {{"name", "x"}}), 403,
                 "insufficient_scope");
  expect_problem(send("DELETE", "/v1/users/" + admin.id, dev.token), 403, "insufficient_scope");
}

TEST_P(UsersRoles, ApiKeyWithUsersWriteActsWithAdminRank) {
  TenantLogin owner = signup(server());
  auto made = server().post("/v1/api-keys", {{"name", "hr"}, {"scopes", {"users:write"}}},
                            owner.access_token);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string key = made.json()["key"], key_id = made.json()["id"];

  auto admin = send("POST", "/v1/users", key, new_user("admin"), {{"X-Request-Id", "by-key-1"}});
  ASSERT_EQ(admin.status, 201) << admin.body;
  expect_problem(server().post("/v1/users", new_user("owner"), key), 403, "forbidden");
  expect_problem(send("PATCH", "/v1/users/" + owner.user_id, key, {{"name", "x"}}), 403,
                 "forbidden");
  expect_problem(send("DELETE", "/v1/users/" + owner.user_id, key), 403, "forbidden");
  // The key holds users:write alone, so it cannot even list users.
  expect_problem(server().get("/v1/users", key), 403, "insufficient_scope");

  nlohmann::json entry = entry_for(audit_of(owner.access_token), "by-key-1");
  EXPECT_EQ(entry["action"], "user.created");
  EXPECT_EQ(entry["actor"], (nlohmann::json{{"type", "api_key"}, {"id", key_id}}));
  EXPECT_EQ(entry["target"]["id"], admin.json()["id"]);
}

TEST_P(UsersRoles, ApiKeyScopesAreASubsetOfTheCreatorsAndAreEnforced) {
  TenantLogin owner = signup(server());
  Member dev = add_member(owner, "developer");
  auto refused = server().post(
      "/v1/api-keys", {{"name", "k"}, {"scopes", {"users:read", "users:write", "users:delete"}}},
      dev.token);
  expect_problem(refused, 422, "validation_failed");
  EXPECT_NE(refused.body.find("you do not hold the scope users:write"), std::string::npos);
  EXPECT_NE(refused.body.find("unknown scope users:delete"), std::string::npos);

  auto made = server().post(
      "/v1/api-keys", {{"name", "k"}, {"scopes", {"users:read", "api_keys:read", "users:read"}}},
      dev.token);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json()["scopes"], (nlohmann::json{"api_keys:read", "users:read"}));
  EXPECT_EQ(made.json()["created_by"], dev.id);
  const std::string key = made.json()["key"];
  EXPECT_EQ(server().get("/v1/users", key).status, 200);
  expect_problem(server().post("/v1/users", new_user("viewer"), key), 403, "insufficient_scope");
  expect_problem(server().post("/v1/api-keys", {{"name", "k2"}, {"scopes", {"users:read"}}}, key),
                 403, "insufficient_scope");
}

// Idempotency keys are remembered per tenant, not per caller: a developer repeating the owner's
// request gets the owner's key secret, scopes the developer does not hold included.
TEST_P(UsersRoles, IdempotentReplayNeverHandsACallerAKeyBeyondTheirScopes) {
  TenantLogin owner = signup(server());
  Member dev = add_member(owner, "developer");
  const std::string body = R"({"name":"auditor","scopes":["audit:read"]})";
  auto first = server().request("POST", "/v1/api-keys", body,
                                {{"Authorization", "Bearer " + owner.access_token},
                                 {"Idempotency-Key", "nightly-audit-export"}});
  ASSERT_EQ(first.status, 201) << first.body;

  auto replay = server().request(
      "POST", "/v1/api-keys", body,
      {{"Authorization", "Bearer " + dev.token}, {"Idempotency-Key", "nightly-audit-export"}});
  EXPECT_NE(replay.status, 201) << "developer was handed the owner's key: " << replay.body;
  EXPECT_EQ(replay.body.find(first.json()["key"].get<std::string>()), std::string::npos);
  const std::string leaked = replay.status == 201 ? replay.json().value("key", "") : "";
  if (!leaked.empty()) {
    EXPECT_NE(server().get("/v1/audit-log", leaked).status, 200)
        << "the developer now reads the audit log";
  }
}

TEST_P(UsersRoles, EveryUserAndKeyActionIsAuditedWithActorTargetIpAndRequestId) {
  TenantLogin owner = signup(server());
  auto created = send("POST", "/v1/users", owner.access_token, new_user("agent"),
                      {{"X-Request-Id", "u-create"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string user_id = created.json()["id"];
  ASSERT_EQ(send("PATCH", "/v1/users/" + user_id, owner.access_token, {{"role", "viewer"}},
                 {{"X-Request-Id", "u-patch"}})
                .status,
            200);
  auto key = send("POST", "/v1/api-keys", owner.access_token,
                  {{"name", "k"}, {"scopes", {"users:read"}}}, {{"X-Request-Id", "k-create"}});
  ASSERT_EQ(key.status, 201) << key.body;
  const std::string key_id = key.json()["id"];
  ASSERT_EQ(send("DELETE", "/v1/api-keys/" + key_id, owner.access_token, nullptr,
                 {{"X-Request-Id", "k-revoke"}})
                .status,
            204);
  // A request id we may not keep is replaced, and the audit entry carries the replacement.
  auto deleted = send("DELETE", "/v1/users/" + user_id, owner.access_token, nullptr,
                      {{"X-Request-Id", "not allowed!"}});
  ASSERT_EQ(deleted.status, 204);
  const std::string generated = deleted.header("x-request-id");
  EXPECT_FALSE(generated.empty());
  EXPECT_NE(generated, "not allowed!");

  const nlohmann::json entries = audit_of(owner.access_token);
  const std::map<std::string, std::array<std::string, 3>> expected{
      {"u-create", {"user.created", "user", user_id}},
      {"u-patch", {"user.updated", "user", user_id}},
      {"k-create", {"api_key.created", "api_key", key_id}},
      {"k-revoke", {"api_key.revoked", "api_key", key_id}},
      {generated, {"user.deleted", "user", user_id}}};
  for (const auto& [request_id, what] : expected) {
    SCOPED_TRACE(request_id);
    nlohmann::json e = entry_for(entries, request_id);
    EXPECT_TRUE(std::regex_match(e.value("id", ""), std::regex("AU[0-9a-f]{32}"))) << e.dump();
    EXPECT_EQ(e["object"], "audit_entry");
    EXPECT_EQ(e["tenant_id"], owner.tenant_id);
    EXPECT_EQ(e["actor"], (nlohmann::json{{"type", "user"}, {"id", owner.user_id}}));
    EXPECT_EQ(e["action"], what[0]);
    EXPECT_EQ(e["target"], (nlohmann::json{{"type", what[1]}, {"id", what[2]}}));
    EXPECT_EQ(e["ip"], "127.0.0.1");
    EXPECT_TRUE(e["created_at"].is_string());
  }
}

TEST_P(UsersRoles, TenantAuditLogsNeverShowAnotherTenantsEntries) {
  TenantLogin a = signup(server(), "Alpha");
  TenantLogin b = signup(server(), "Beta");
  Member a_user = add_member(a, "agent");
  Member b_user = add_member(b, "agent");
  ASSERT_EQ(send("PATCH", "/v1/users/" + b_user.id, b.access_token, {{"name", "b only"}},
                 {{"X-Request-Id", "shared-request-id"}})
                .status,
            200);
  ASSERT_EQ(send("PATCH", "/v1/users/" + a_user.id, a.access_token, {{"name", "a only"}},
                 {{"X-Request-Id", "shared-request-id"}})
                .status,
            200);

  const nlohmann::json a_log = audit_of(a.access_token), b_log = audit_of(b.access_token);
  ASSERT_FALSE(a_log.empty());
  ASSERT_FALSE(b_log.empty());
  const std::set<std::string> b_ids = ids_of(b_log);
  for (const auto& e : a_log) {
    EXPECT_EQ(e["tenant_id"], a.tenant_id) << e.dump();
    EXPECT_FALSE(b_ids.count(e["id"].get<std::string>())) << e.dump();
    for (const std::string& foreign : {b.user_id, b_user.id}) {
      EXPECT_NE(e["actor"]["id"], foreign) << e.dump();
      EXPECT_NE(e["target"]["id"], foreign) << e.dump();
    }
  }
  for (const auto& e : b_log) EXPECT_EQ(e["tenant_id"], b.tenant_id) << e.dump();
  EXPECT_EQ(entry_for(a_log, "shared-request-id")["target"]["id"], a_user.id);
  EXPECT_EQ(entry_for(b_log, "shared-request-id")["target"]["id"], b_user.id);
  EXPECT_EQ(server().get("/v1/audit-log?tenant_id=" + b.tenant_id, a.access_token).json()["data"],
            a_log);
}

TEST_P(UsersRoles, OperatorAuditLogShowsSuspensionsByTheOperator) {
  const std::string op = operator_token();
  const std::string op_id = server().get("/admin/v1/me", op).json().value("id", "");
  TenantLogin t = signup(server());
  TenantLogin other = signup(server());
  ASSERT_EQ(send("POST", "/admin/v1/tenants/" + t.tenant_id + "/suspend", op, {{"reason", "spam"}},
                 {{"X-Request-Id", "op-suspend"}})
                .status,
            200);
  ASSERT_EQ(send("POST", "/admin/v1/tenants/" + t.tenant_id + "/reactivate", op,
                 nlohmann::json::object(), {{"X-Request-Id", "op-reactivate"}})
                .status,
            200);

  auto log = server().get("/admin/v1/audit-log?limit=200&tenant_id=" + t.tenant_id, op);
  ASSERT_EQ(log.status, 200) << log.body;
  const nlohmann::json entries = log.json()["data"];
  for (const auto& [request_id, action] : std::map<std::string, std::string>{
           {"op-suspend", "tenant.suspended"}, {"op-reactivate", "tenant.reactivated"}}) {
    SCOPED_TRACE(request_id);
    nlohmann::json e = entry_for(entries, request_id);
    EXPECT_EQ(e["action"], action);
    EXPECT_EQ(e["actor"], (nlohmann::json{{"type", "operator"}, {"id", op_id}}));
    EXPECT_EQ(e["target"], (nlohmann::json{{"type", "tenant"}, {"id", t.tenant_id}}));
    EXPECT_EQ(e["tenant_id"], t.tenant_id);
    EXPECT_EQ(e["ip"], "127.0.0.1");
  }
  for (const auto& e : entries) EXPECT_EQ(e["tenant_id"], t.tenant_id) << e.dump();
  EXPECT_EQ(server().get("/admin/v1/audit-log", t.access_token).status, 401);
  expect_problem(server().get("/admin/v1/audit-log?tenant_id=" + other.user_id, op), 422,
                 "validation_failed");
}

INSTANTIATE_TEST_SUITE_P(Stores, UsersRoles, ::testing::Values("sqlite", "postgres"), store_name);

}  // namespace
}  // namespace irisx::testing
