#pragma once
// One real irisx per test suite and store ("sqlite" or "postgres"), plus helpers that sign up
// fresh tenants so tests never share state.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "support/irisx_process.hpp"
#include "support/nats_server.hpp"
#include "support/postgres_server.hpp"

namespace irisx::testing {

inline std::map<std::string, std::string> store_env(const std::string& store,
                                                    std::map<std::string, std::string> extra = {}) {
  // "nats": the cluster shape, PostgreSQL for state and NATS JetStream for the queues.
  if (store == "postgres" || store == "nats") {
    extra["IRISX_DATABASE_URL"] = PostgresServer::shared().url();
  }
  if (store == "nats") extra["IRISX_NATS_URL"] = NatsServer::shared().url();
  return extra;
}

struct TenantLogin {
  std::string tenant_id;
  std::string user_id;
  std::string email;
  std::string password;
  std::string access_token;
  std::string refresh_token;
};

inline std::string unique_email(const std::string& tag) {
  static int counter = 0;
  return tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000) +
         "@example.com";
}

// Phone numbers are unique across the platform and suites share a store, so each test takes
// fresh ones: +1999, six digits of the pid, a four-digit counter (one for every suite).
inline std::string fresh_number() {
  static int counter = 0;
  char text[20];
  std::snprintf(text, sizeof text, "+1999%06d%04d", static_cast<int>(::getpid() % 1000000),
                ++counter % 10000);
  return text;
}

inline TenantLogin signup(const IrisxProcess& server, const std::string& company = "Acme") {
  TenantLogin t;
  t.email = unique_email("owner");
  t.password = "correct horse battery";
  auto r = server.post(
      "/v1/auth/signup",
      {{"company_name", company}, {"name", "Owner"}, {"email", t.email}, {"password", t.password}});
  EXPECT_EQ(r.status, 201) << r.body;
  auto j = r.json();
  t.tenant_id = j["tenant"]["id"];
  t.user_id = j["user"]["id"];
  t.access_token = j["access_token"];
  t.refresh_token = j["refresh_token"];
  return t;
}

// Creates an API key with the given scopes; returns the secret.
inline std::string create_key(const IrisxProcess& server, const std::string& token,
                              const nlohmann::json& scopes) {
  auto r = server.post("/v1/api-keys", {{"name", "test key"}, {"scopes", scopes}}, token);
  EXPECT_EQ(r.status, 201) << r.body;
  return r.json().value("key", "");
}

// Asserts an RFC 9457 body of our shape, with no internals leaked.
inline void expect_problem(const HttpResult& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_FALSE(r.header("x-request-id").empty());
  auto j = r.json();
  EXPECT_EQ(j["status"], status);
  EXPECT_EQ(j["code"], code);
  EXPECT_EQ(j["type"], "https://irisx.dev/errors/" + code);
  EXPECT_EQ(j["request_id"], r.header("x-request-id"));
  for (const char* leak : {"SQL", "sqlite", "postgres", "/work/", ".cpp"}) {
    EXPECT_EQ(r.body.find(leak), std::string::npos) << leak << " leaked in " << r.body;
  }
}

// A user added to a tenant by its owner, logged in.
struct Member {
  std::string id;
  std::string token;
  std::string email;
  std::string refresh_token;
};

class StoreSuite : public ::testing::TestWithParam<std::string> {
 protected:
  // Settings a suite's server needs beyond the store (IRISX_* variables).
  virtual std::map<std::string, std::string> extra_env() const { return {}; }

  const IrisxProcess& server() {
    auto& slot = servers()[GetParam()];
    if (!slot) slot = std::make_unique<IrisxProcess>(store_env(GetParam(), extra_env()));
    return *slot;
  }

  // The owner adds a user with `role`; the user logs in.
  Member add_member(const TenantLogin& owner, const std::string& role) {
    const std::string email = unique_email(role);
    auto created = server().post("/v1/users",
                                 {{"email", email},
                                  {"name", "A " + role},
                                  {"role", role},
                                  {"password", "member password 1"}},
                                 owner.access_token);
    EXPECT_EQ(created.status, 201) << created.body;
    auto login =
        server().post("/v1/auth/login", {{"email", email}, {"password", "member password 1"}});
    EXPECT_EQ(login.status, 200) << login.body;
    return {created.json().value("id", ""), login.json().value("access_token", ""), email,
            login.json().value("refresh_token", "")};
  }

  // Any method with a bearer token, an optional JSON body and extra headers.
  HttpResult send(const std::string& method, const std::string& target, const std::string& token,
                  const nlohmann::json& body = nullptr,
                  std::map<std::string, std::string> headers = {}) {
    headers["Authorization"] = "Bearer " + token;
    if (!body.is_null()) headers["Content-Type"] = "application/json";
    return server().request(method, target, body.is_null() ? "" : body.dump(), headers);
  }

  // Creates an operator with the real CLI against the server's store; returns its token.
  std::string operator_token() {
    const std::string email = unique_email("op");
    const std::string password = "operator password";
    std::string db = GetParam() == "postgres"
                         ? "IRISX_DATABASE_URL='" + PostgresServer::shared().url() + "' "
                         : "";
    std::string cmd = "env " + db + "IRISX_OPERATOR_PASSWORD='" + password + "' " + irisx_binary() +
                      " admin create-operator --email " + email + " --data-dir " +
                      server().data_dir() + " >/dev/null";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    auto login = server().post("/admin/v1/auth/login", {{"email", email}, {"password", password}});
    EXPECT_EQ(login.status, 200) << login.body;
    EXPECT_EQ(server()
                  .post("/admin/v1/auth/login", {{"email", email}, {"password", "wrong password"}})
                  .status,
              401);
    return login.json().value("token", "");
  }
  static void TearDownTestSuite() { servers().clear(); }

 private:
  static std::map<std::string, std::unique_ptr<IrisxProcess>>& servers() {
    static std::map<std::string, std::unique_ptr<IrisxProcess>> s;
    return s;
  }
};

inline std::string store_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

}  // namespace irisx::testing
