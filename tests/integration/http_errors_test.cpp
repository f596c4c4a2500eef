// Bad input gets a clear RFC 9457 answer and never hurts the server.
#include <set>

#include "integration/api_fixture.hpp"

namespace irisx::testing {
namespace {

class HttpErrors : public StoreSuite {};

TEST_P(HttpErrors, MalformedJsonIs400) {
  expect_problem(server().request("POST", "/v1/auth/login", "{\"email\":"), 400, "bad_request");
  expect_problem(server().request("POST", "/v1/auth/login", "[1,2]"), 400, "bad_request");
}

TEST_P(HttpErrors, WrongTypesMissingAndUnknownFieldsAre422WithEachField) {
  auto r = server().post("/v1/auth/signup",
                         {{"company_name", 5}, {"email", "x@example.com"}, {"colour", "red"}});
  expect_problem(r, 422, "validation_failed");
  std::set<std::string> fields;
  const nlohmann::json body = r.json();
  for (const auto& e : body["errors"]) fields.insert(e["field"].get<std::string>());
  for (const char* f : {"company_name", "name", "password", "colour"})
    EXPECT_TRUE(fields.count(f)) << f;
}

TEST_P(HttpErrors, NonJsonContentTypeIs415) {
  expect_problem(
      server().request("POST", "/v1/auth/login", "email=a", {{"Content-Type", "text/plain"}}), 415,
      "unsupported_media_type");
}

TEST_P(HttpErrors, TwoMebibyteBodyIs413) {
  expect_problem(server().request("POST", "/v1/auth/login", std::string(2 << 20, 'a')), 413,
                 "payload_too_large");
  EXPECT_EQ(server().get("/healthz").status, 200);
}

TEST_P(HttpErrors, UnknownRouteIs404AndWrongMethodIs405WithAllow) {
  expect_problem(server().get("/v1/nothing-here"), 404, "not_found");
  auto r = server().request("DELETE", "/v1/me");
  expect_problem(r, 405, "method_not_allowed");
  EXPECT_EQ(r.header("allow"), "GET");
}

TEST_P(HttpErrors, GarbageHttpGets400AndServerKeepsServing) {
  std::string answer = raw_exchange(server().host(), server().port(), "GARBAGE\r\n\r\n");
  EXPECT_NE(answer.find("400"), std::string::npos) << answer;
  EXPECT_EQ(server().get("/healthz").status, 200);
}

TEST_P(HttpErrors, HealthReadinessAndMetricsAnswer) {
  EXPECT_EQ(server().get("/healthz").status, 200);
  auto ready = server().get("/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.json()["checks"]["store"], "ok");
  auto metrics = server().get("/metrics");
  EXPECT_NE(metrics.body.find("irisx_http_requests_total{"), std::string::npos);
  EXPECT_NE(metrics.body.find("process_resident_memory_bytes"), std::string::npos);
}

TEST_P(HttpErrors, IdempotencyKeyReplaysTheFirstResponseAndRejectsAnotherBody) {
  TenantLogin t = signup(server());
  std::map<std::string, std::string> h{{"Authorization", "Bearer " + t.access_token},
                                       {"Idempotency-Key", "k-1"}};
  std::string body = R"({"name":"ci","scopes":["users:read"]})";
  auto first = server().request("POST", "/v1/api-keys", body, h);
  auto again = server().request("POST", "/v1/api-keys", body, h);
  ASSERT_EQ(first.status, 201);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(again.json()["id"], first.json()["id"]);
  EXPECT_EQ(again.json()["key"], first.json()["key"]);
  expect_problem(
      server().request("POST", "/v1/api-keys", R"({"name":"other","scopes":["users:read"]})", h),
      422, "idempotency_key_reused");
}

TEST_P(HttpErrors, ForeignTenantIdsAre404) {
  TenantLogin a = signup(server());
  TenantLogin b = signup(server());
  auto other_key =
      server()
          .post("/v1/api-keys", {{"name", "b"}, {"scopes", {"users:read"}}}, b.access_token)
          .json();
  std::map<std::string, std::string> auth{{"Authorization", "Bearer " + a.access_token}};
  expect_problem(server().get("/v1/users/" + b.user_id, a.access_token), 404, "not_found");
  expect_problem(server().request("PATCH", "/v1/users/" + b.user_id, R"({"name":"x"})", auth), 404,
                 "not_found");
  expect_problem(server().request("DELETE", "/v1/users/" + b.user_id, "", auth), 404, "not_found");
  expect_problem(server().get("/v1/api-keys/" + other_key["id"].get<std::string>(), a.access_token),
                 404, "not_found");
  expect_problem(
      server().request("DELETE", "/v1/api-keys/" + other_key["id"].get<std::string>(), "", auth),
      404, "not_found");
  expect_problem(server().get("/v1/users/not-an-id", a.access_token), 404, "not_found");
  EXPECT_EQ(server().get("/v1/users/" + b.user_id, b.access_token).json()["name"], "Owner");
  EXPECT_EQ(server().get("/v1/me", other_key["key"]).status, 200);
}

TEST_P(HttpErrors, RateLimitedKeyGets429WithHeaders) {
  IrisxProcess limited(store_env(GetParam(), {{"IRISX_RATE_LIMIT_API_KEY_PER_SECOND", "0.5"},
                                              {"IRISX_RATE_LIMIT_API_KEY_BURST", "3"}}));
  TenantLogin t = signup(limited);
  std::string key = create_key(limited, t.access_token, {"users:read"});
  for (int i = 0; i < 3; ++i) {
    auto ok = limited.get("/v1/me", key);
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(ok.header("x-ratelimit-limit"), "3");
    EXPECT_FALSE(ok.header("x-ratelimit-reset").empty());
  }
  auto refused = limited.get("/v1/me", key);
  expect_problem(refused, 429, "rate_limited");
  EXPECT_EQ(refused.header("x-ratelimit-remaining"), "0");
  EXPECT_GE(std::atoi(refused.header("retry-after").c_str()), 1);
}

TEST_P(HttpErrors, SigtermExitsCleanly) {
  IrisxProcess doomed(store_env(GetParam()));
  EXPECT_EQ(doomed.get("/healthz").status, 200);
  EXPECT_EQ(doomed.terminate(), 0);
}

INSTANTIATE_TEST_SUITE_P(Stores, HttpErrors, ::testing::Values("sqlite", "postgres"), store_name);

}  // namespace
}  // namespace irisx::testing
