// Operators: CLI creation, login, tenants, suspension and reactivation, separation from
// tenant credentials, session revocation — against a real irisx on each store.
#include "integration/api_fixture.hpp"

namespace irisx::testing {
namespace {

class Admin : public StoreSuite {};

TEST_P(Admin, OperatorSeesTenantsWithStats) {
  std::string op = operator_token();
  TenantLogin t = signup(server(), "Initech");
  auto list = server().get("/admin/v1/tenants?limit=200", op);
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find(t.tenant_id), std::string::npos);
  auto one = server().get("/admin/v1/tenants/" + t.tenant_id, op).json();
  EXPECT_EQ(one["name"], "Initech");
  EXPECT_EQ(one["stats"]["users"], 1);
  EXPECT_EQ(server().get("/admin/v1/tenants/TN" + std::string(32, '0'), op).status, 404);
}

TEST_P(Admin, SuspendedTenantIsRefusedEverywhereUntilReactivated) {
  std::string op = operator_token();
  TenantLogin t = signup(server());
  std::string key = create_key(server(), t.access_token, {"users:read"});
  auto suspended =
      server().post("/admin/v1/tenants/" + t.tenant_id + "/suspend", {{"reason", "unpaid"}}, op);
  ASSERT_EQ(suspended.status, 200) << suspended.body;
  EXPECT_EQ(suspended.json()["status"], "suspended");
  for (const std::string& cred : {t.access_token, key}) {
    auto r = server().get("/v1/me", cred);
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.json()["code"], "tenant_suspended");
  }
  auto login = server().post("/v1/auth/login", {{"email", t.email}, {"password", t.password}});
  EXPECT_EQ(login.status, 403);
  EXPECT_EQ(
      server()
          .post("/admin/v1/tenants/" + t.tenant_id + "/reactivate", nlohmann::json::object(), op)
          .status,
      200);
  EXPECT_EQ(server().get("/v1/me", t.access_token).status, 200);
  EXPECT_EQ(server().get("/v1/me", key).status, 200);
  auto audit = server().get("/admin/v1/audit-log?tenant_id=" + t.tenant_id, op);
  EXPECT_NE(audit.body.find("tenant.suspended"), std::string::npos);
  EXPECT_NE(audit.body.find("tenant.reactivated"), std::string::npos);
  // The tenant hears of both, as events (and so webhooks).
  auto events = server().get("/v1/events?type=tenant.*", t.access_token);
  ASSERT_EQ(events.status, 200) << events.body;
  const nlohmann::json data = events.json()["data"];
  ASSERT_EQ(data.size(), 3u);
  EXPECT_EQ(data[0]["type"], "tenant.reactivated");
  EXPECT_EQ(data[0]["data"]["status"], "active");
  EXPECT_EQ(data[1]["type"], "tenant.suspended");
  EXPECT_EQ(data[1]["data"]["status"], "suspended");
  EXPECT_EQ(data[2]["type"], "tenant.created");
  EXPECT_EQ(data[2]["data"]["id"], t.tenant_id);
}

TEST_P(Admin, OperatorAndTenantCredentialsDoNotCross) {
  std::string op = operator_token();
  TenantLogin t = signup(server());
  EXPECT_EQ(server().get("/v1/me", op).status, 401);
  EXPECT_EQ(server().get("/admin/v1/tenants", t.access_token).status, 401);
  EXPECT_EQ(server().get("/admin/v1/tenants").status, 401);
}

TEST_P(Admin, LogoutAndSessionRevocationEndOperatorSessions) {
  std::string first = operator_token();
  auto me = server().get("/admin/v1/me", first);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(server().post("/admin/v1/auth/logout", nlohmann::json::object(), first).status, 204);
  EXPECT_EQ(server().get("/admin/v1/me", first).status, 401);
  std::string second = operator_token();
  auto sessions = server().get("/admin/v1/sessions", second).json();
  ASSERT_FALSE(sessions["data"].empty());
  std::string id = sessions["data"][0]["id"];
  EXPECT_EQ(server()
                .request("DELETE", "/admin/v1/sessions/" + id, "",
                         {{"Authorization", "Bearer " + second}})
                .status,
            204);
  EXPECT_EQ(server().get("/admin/v1/me", second).status, 401);
}

INSTANTIATE_TEST_SUITE_P(Stores, Admin, ::testing::Values("sqlite", "postgres"), store_name);

}  // namespace
}  // namespace irisx::testing
