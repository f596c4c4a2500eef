// Users, the role rules of docs/api.md, and the audit trail of mutating calls.
#include <string>

#include "integration/api_fixture.hpp"

namespace irisx::testing {
namespace {

class RolesAndAudit : public StoreSuite {};

TEST_P(RolesAndAudit, OwnerManagesUsersThroughTheirWholeLife) {
  TenantLogin owner = signup(server());
  Member dev = add_member(owner, "developer");
  auto one = server().get("/v1/users/" + dev.id, owner.access_token);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json()["role"], "developer");
  EXPECT_EQ(one.json()["tenant_id"], owner.tenant_id);
  EXPECT_EQ(server().get("/v1/users", owner.access_token).json()["data"].size(), 2u);

  auto patched = send("PATCH", "/v1/users/" + dev.id, owner.access_token,
                      {{"name", "Renamed"}, {"role", "viewer"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json()["name"], "Renamed");
  EXPECT_EQ(patched.json()["role"], "viewer");

  EXPECT_EQ(send("DELETE", "/v1/users/" + dev.id, owner.access_token).status, 204);
  expect_problem(server().get("/v1/users/" + dev.id, owner.access_token), 404, "not_found");
  EXPECT_EQ(server().get("/v1/users", owner.access_token).json()["data"].size(), 1u);
}

TEST_P(RolesAndAudit, EachRoleIsHeldToItsScopes) {
  TenantLogin owner = signup(server());
  const nlohmann::json new_user = {
      {"email", unique_email("x")}, {"name", "X"}, {"role", "viewer"}, {"password", "pw pw pw 1"}};
  const nlohmann::json new_key = {{"name", "k"}, {"scopes", {"users:read"}}};

  Member viewer = add_member(owner, "viewer");
  EXPECT_EQ(server().get("/v1/users", viewer.token).status, 200);
  expect_problem(server().post("/v1/users", new_user, viewer.token), 403, "insufficient_scope");
  expect_problem(server().get("/v1/audit-log", viewer.token), 403, "insufficient_scope");
  expect_problem(server().get("/v1/api-keys", viewer.token), 403, "insufficient_scope");

  Member agent = add_member(owner, "agent");
  EXPECT_EQ(server().get("/v1/users", agent.token).status, 200);
  expect_problem(server().post("/v1/api-keys", new_key, agent.token), 403, "insufficient_scope");

  Member developer = add_member(owner, "developer");
  EXPECT_EQ(server().post("/v1/api-keys", new_key, developer.token).status, 201);
  expect_problem(server().post("/v1/users", new_user, developer.token), 403, "insufficient_scope");
  expect_problem(server().get("/v1/audit-log", developer.token), 403, "insufficient_scope");

  Member admin = add_member(owner, "admin");
  EXPECT_EQ(server().get("/v1/audit-log", admin.token).status, 200);
  EXPECT_EQ(server().post("/v1/users", new_user, admin.token).status, 201);
}

TEST_P(RolesAndAudit, NobodyOutranksThemselvesOrTheOwner) {
  TenantLogin owner = signup(server());
  Member admin = add_member(owner, "admin");
  const nlohmann::json new_owner = {
      {"email", unique_email("o")}, {"name", "O"}, {"role", "owner"}, {"password", "pw pw pw 1"}};
  expect_problem(server().post("/v1/users", new_owner, admin.token), 403, "forbidden");
  expect_problem(send("PATCH", "/v1/users/" + owner.user_id, admin.token, {{"name", "Taken"}}), 403,
                 "forbidden");
  expect_problem(send("DELETE", "/v1/users/" + owner.user_id, admin.token), 403, "forbidden");
  expect_problem(send("PATCH", "/v1/users/" + admin.id, admin.token, {{"role", "owner"}}), 403,
                 "forbidden");
  expect_problem(
      send("PATCH", "/v1/users/" + owner.user_id, owner.access_token, {{"role", "viewer"}}), 403,
      "forbidden");
  expect_problem(send("DELETE", "/v1/users/" + owner.user_id, owner.access_token), 403,
                 "forbidden");
  EXPECT_EQ(server().get("/v1/users/" + owner.user_id, owner.access_token).json()["role"], "owner");
}

TEST_P(RolesAndAudit, ApiKeyScopesMustBeHeldByItsCreator) {
  TenantLogin owner = signup(server());
  Member developer = add_member(owner, "developer");
  auto r = server().post("/v1/api-keys", {{"name", "too much"}, {"scopes", {"audit:read"}}},
                         developer.token);
  expect_problem(r, 422, "validation_failed");
  EXPECT_NE(r.body.find("audit:read"), std::string::npos) << r.body;
}

TEST_P(RolesAndAudit, MutatingCallsAreAuditedWithActorTargetIpAndRequestId) {
  TenantLogin owner = signup(server());
  TenantLogin stranger = signup(server());
  Member member = add_member(owner, "agent");
  auto patched = send("PATCH", "/v1/users/" + member.id, owner.access_token, {{"name", "Audited"}},
                      {{"X-Request-Id", "req-audit-probe-1"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto key = server().post("/v1/api-keys", {{"name", "k"}, {"scopes", {"users:read"}}},
                           owner.access_token);
  ASSERT_EQ(key.status, 201) << key.body;
  const std::string key_id = key.json()["id"];
  EXPECT_EQ(send("DELETE", "/v1/api-keys/" + key_id, owner.access_token).status, 204);

  auto log = server().get("/v1/audit-log?limit=200", owner.access_token);
  ASSERT_EQ(log.status, 200) << log.body;
  bool saw_patch = false, saw_key_created = false, saw_key_revoked = false;
  const nlohmann::json entries = log.json()["data"];  // named: a temporary would dangle in the loop
  for (const auto& entry : entries) {
    EXPECT_EQ(entry["tenant_id"], owner.tenant_id);
    EXPECT_FALSE(entry["ip"].is_null());
    EXPECT_FALSE(entry["request_id"].is_null());
    const bool by_owner = entry["actor"]["type"] == "user" && entry["actor"]["id"] == owner.user_id;
    if (entry["request_id"] == "req-audit-probe-1") {
      saw_patch = true;
      EXPECT_TRUE(by_owner) << entry.dump();
      EXPECT_EQ(entry["target"]["id"], member.id);
      EXPECT_EQ(entry["ip"], "127.0.0.1");
    }
    if (entry["target"]["id"] == key_id) {
      EXPECT_TRUE(by_owner) << entry.dump();
      if (entry["action"] == "api_key.created") saw_key_created = true;
      if (entry["action"] == "api_key.revoked") saw_key_revoked = true;
    }
  }
  EXPECT_TRUE(saw_patch) << log.body;
  EXPECT_TRUE(saw_key_created) << log.body;
  EXPECT_TRUE(saw_key_revoked) << log.body;

  const nlohmann::json stranger_entries =
      server().get("/v1/audit-log", stranger.access_token).json()["data"];
  EXPECT_FALSE(stranger_entries.empty());
  for (const auto& entry : stranger_entries) {
    EXPECT_EQ(entry["tenant_id"], stranger.tenant_id);
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, RolesAndAudit, ::testing::Values("sqlite", "postgres"),
                         store_name);

}  // namespace
}  // namespace irisx::testing
