// /v1/sip/credentials against a real irisx on both stores: a password goes in and never comes
// back out, the default realm is the tenant's own, and tenants never see each other's.
#include <cctype>
#include <string>
#include <vector>

#include "integration/api_fixture.hpp"

namespace irisx::testing {
namespace {

const std::string kPassword = "correct-horse-9";

class SipCredentials : public StoreSuite {
 protected:
  HttpResult put(const TenantLogin& t, const std::string& extension, nlohmann::json body) {
    return send("PUT", "/v1/sip/credentials/" + extension, t.access_token, body);
  }

  static std::vector<std::string> fields_of(const HttpResult& r) {
    std::vector<std::string> out;
    const nlohmann::json body = r.json();  // kept: a range-for over r.json()[…] would dangle
    for (const auto& e : body["errors"]) out.push_back(e.value("field", ""));
    return out;
  }

  static std::string own_realm(const TenantLogin& t) {
    std::string realm = t.tenant_id;
    for (char& c : realm) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return realm + ".sip.irisx.local";
  }
};

// Nothing that could be the password or its digest: exactly these keys.
void expect_credential_view(const nlohmann::json& c) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : c.items()) keys.push_back(key);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"created_at", "extension", "object", "realm", "updated_at"}));
  EXPECT_EQ(c["object"], "sip_credential");
}

TEST_P(SipCredentials, PutSetsAPasswordThatIsNeverEchoed) {
  auto t = signup(server());
  auto r = put(t, "1001", {{"password", kPassword}});
  ASSERT_EQ(r.status, 200) << r.body;
  expect_credential_view(r.json());
  EXPECT_EQ(r.json()["extension"], "1001");
  EXPECT_EQ(r.body.find(kPassword), std::string::npos);

  auto list = send("GET", "/v1/sip/credentials", t.access_token);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json()["data"].size(), 1u);
  expect_credential_view(list.json()["data"][0]);
  EXPECT_EQ(list.json()["data"][0], r.json());
  EXPECT_EQ(list.body.find(kPassword), std::string::npos);

  // Setting it again replaces it: the same credential, updated.
  auto again = put(t, "1001", {{"password", "another-password-2"}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()["created_at"], r.json()["created_at"]);
  EXPECT_EQ(send("GET", "/v1/sip/credentials", t.access_token).json()["data"].size(), 1u);

  // Both changes are events and audit entries, with the public view as the event's data.
  const nlohmann::json events =
      send("GET", "/v1/events?type=sip_credential.*", t.access_token).json()["data"];
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["type"], "sip_credential.updated");
  EXPECT_EQ(events[1]["type"], "sip_credential.created");
  expect_credential_view(events[1]["data"]);
  EXPECT_EQ(events[1]["data"]["extension"], "1001");
  const std::string audit = send("GET", "/v1/audit-log", t.access_token).body;
  EXPECT_NE(audit.find("sip_credential.created"), std::string::npos);
  EXPECT_NE(audit.find("sip_credential.updated"), std::string::npos);

  // Nor does the event log or the audit trail hold it.
  EXPECT_EQ(send("GET", "/v1/events", t.access_token).body.find(kPassword), std::string::npos);
  EXPECT_EQ(send("GET", "/v1/audit-log", t.access_token).body.find(kPassword), std::string::npos);
}

TEST_P(SipCredentials, TheDefaultRealmIsTheTenantsOwnAndOthersUnderItAreRefused) {
  auto a = signup(server());
  auto b = signup(server());
  auto r = put(a, "1001", {{"password", kPassword}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["realm"], own_realm(a));
  EXPECT_EQ(put(a, "1002", {{"password", kPassword}, {"realm", own_realm(a)}}).status, 200);

  auto custom = put(a, "1003", {{"password", kPassword}, {"realm", "PBX.Example.com"}});
  ASSERT_EQ(custom.status, 200) << custom.body;
  EXPECT_EQ(custom.json()["realm"], "pbx.example.com");  // host names compare without case

  for (const std::string& realm :
       {own_realm(b), std::string("sip.irisx.local"), std::string("x.sip.irisx.local")}) {
    auto taken = put(a, "1004", {{"password", kPassword}, {"realm", realm}});
    expect_problem(taken, 422, "validation_failed");
    EXPECT_EQ(fields_of(taken), std::vector<std::string>{"realm"}) << realm;
  }
  for (const char* realm : {"", "pbx example.com", "-pbx.example.com", "pbx..example.com",
                            "pbx.example.com.", "\"pbx\"", "pbx.example.com:5060"}) {
    auto bad = put(a, "1004", {{"password", kPassword}, {"realm", realm}});
    expect_problem(bad, 422, "validation_failed");
    EXPECT_EQ(fields_of(bad), std::vector<std::string>{"realm"}) << realm;
  }
}

TEST_P(SipCredentials, PasswordExtensionAndTypesAreFieldErrors) {
  auto t = signup(server());
  auto short_password = put(t, "1001", {{"password", "elevenchars"}});
  expect_problem(short_password, 422, "validation_failed");
  EXPECT_EQ(fields_of(short_password), std::vector<std::string>{"password"});
  EXPECT_EQ(short_password.json()["errors"][0]["message"], "must be at least 12 characters");
  EXPECT_EQ(put(t, "1001", {{"password", std::string(128, 'x')}}).status, 200);
  EXPECT_EQ(fields_of(put(t, "1001", {{"password", std::string(129, 'x')}})),
            std::vector<std::string>{"password"});
  EXPECT_EQ(fields_of(put(t, "1001", {{"password", 123456789012345LL}})),
            std::vector<std::string>{"password"});
  EXPECT_EQ(fields_of(put(t, "1001", {{"password", kPassword}, {"realm", 7}})),
            std::vector<std::string>{"realm"});
  EXPECT_EQ(fields_of(put(t, "1001", nlohmann::json::object())),
            std::vector<std::string>{"password"});
  EXPECT_EQ(fields_of(put(t, "1001", {{"password", kPassword}, {"ha1", "x"}})),
            std::vector<std::string>{"ha1"});

  for (const char* extension :
       {"1", "a%20b", "1001%40example.com", "123456789012345678901234567890123", "%C3%A9t%C3%A9"}) {
    auto bad = put(t, extension, {{"password", kPassword}});
    expect_problem(bad, 422, "validation_failed");
    EXPECT_EQ(fields_of(bad), std::vector<std::string>{"extension"}) << extension;
  }
  EXPECT_EQ(put(t, "Sales-Desk_2.a", {{"password", kPassword}}).status, 200);

  const std::map<std::string, std::string> h = {{"Authorization", "Bearer " + t.access_token},
                                                {"Content-Type", "application/json"}};
  expect_problem(server().request("PUT", "/v1/sip/credentials/1001", R"({"password":)", h), 400,
                 "bad_request");
  expect_problem(server().request("PUT", "/v1/sip/credentials/1001", R"("a-password-here")", h),
                 400, "bad_request");
}

TEST_P(SipCredentials, DeleteRemovesTheCredentialOnce) {
  auto t = signup(server());
  ASSERT_EQ(put(t, "1001", {{"password", kPassword}}).status, 200);
  auto deleted = send("DELETE", "/v1/sip/credentials/1001", t.access_token);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  expect_problem(send("DELETE", "/v1/sip/credentials/1001", t.access_token), 404, "not_found");
  expect_problem(send("DELETE", "/v1/sip/credentials/9999", t.access_token), 404, "not_found");
  expect_problem(send("DELETE", "/v1/sip/credentials/x", t.access_token), 404, "not_found");
  EXPECT_EQ(send("GET", "/v1/sip/credentials", t.access_token).json()["data"].size(), 0u);
  const nlohmann::json deletions =
      send("GET", "/v1/events?type=sip_credential.deleted", t.access_token).json()["data"];
  ASSERT_EQ(deletions.size(), 1u);  // the 404s changed nothing
  EXPECT_EQ(deletions[0]["data"]["extension"], "1001");
}

TEST_P(SipCredentials, TenantsNeverSeeOrTouchEachOthersCredentials) {
  auto a = signup(server());
  auto b = signup(server());
  ASSERT_EQ(put(a, "1001", {{"password", kPassword}}).status, 200);
  EXPECT_EQ(send("GET", "/v1/sip/credentials", b.access_token).json()["data"].size(), 0u);
  expect_problem(send("DELETE", "/v1/sip/credentials/1001", b.access_token), 404, "not_found");
  // The same extension in another tenant is that tenant's own, in its own realm.
  auto theirs = put(b, "1001", {{"password", "their-own-password"}});
  ASSERT_EQ(theirs.status, 200) << theirs.body;
  EXPECT_EQ(theirs.json()["realm"], own_realm(b));
  auto mine = send("GET", "/v1/sip/credentials", a.access_token).json()["data"];
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["realm"], own_realm(a));
}

TEST_P(SipCredentials, ListPagesNewestFirstAndNeedsNumbersRead) {
  auto t = signup(server());
  for (const char* ext : {"1001", "1002", "1003"}) {
    ASSERT_EQ(put(t, ext, {{"password", kPassword}}).status, 200);
  }
  auto first = send("GET", "/v1/sip/credentials?limit=2", t.access_token).json();
  ASSERT_EQ(first["data"].size(), 2u);
  EXPECT_EQ(first["data"][0]["extension"], "1003");
  EXPECT_EQ(first["has_more"], true);
  auto second =
      send("GET", "/v1/sip/credentials?limit=2&after=" + first["next_cursor"].get<std::string>(),
           t.access_token)
          .json();
  ASSERT_EQ(second["data"].size(), 1u);
  EXPECT_EQ(second["data"][0]["extension"], "1001");

  const std::string reader = create_key(server(), t.access_token, {"numbers:read"});
  EXPECT_EQ(send("GET", "/v1/sip/credentials", reader).status, 200);
  expect_problem(send("PUT", "/v1/sip/credentials/1004", reader, {{"password", kPassword}}), 403,
                 "insufficient_scope");
  expect_problem(send("DELETE", "/v1/sip/credentials/1001", reader), 403, "insufficient_scope");
  const std::string other = create_key(server(), t.access_token, {"users:read"});
  expect_problem(send("GET", "/v1/sip/credentials", other), 403, "insufficient_scope");
}

INSTANTIATE_TEST_SUITE_P(Stores, SipCredentials, ::testing::Values("sqlite", "postgres"),
                         store_name);

}  // namespace
}  // namespace irisx::testing
