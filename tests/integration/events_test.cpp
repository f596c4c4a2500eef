// GET /v1/events: every state change of the spine's resources is an event, listed per tenant.
#include "integration/api_fixture.hpp"

namespace irisx::testing {
namespace {

class Events : public StoreSuite {};

std::vector<std::string> types_of(const nlohmann::json& list) {
  std::vector<std::string> out;
  for (const auto& e : list["data"]) out.push_back(e["type"]);
  return out;
}

TEST_P(Events, UserAndApiKeyChangesAreRecordedNewestFirst) {
  auto t = signup(server());
  auto member = add_member(t, "viewer");
  ASSERT_EQ(send("PATCH", "/v1/users/" + member.id, t.access_token, {{"name", "Renamed"}}).status,
            200);
  auto key =
      send("POST", "/v1/api-keys", t.access_token, {{"name", "k"}, {"scopes", {"users:read"}}});
  ASSERT_EQ(key.status, 201);
  const std::string key_id = key.json()["id"];
  ASSERT_EQ(send("DELETE", "/v1/api-keys/" + key_id, t.access_token).status, 204);
  ASSERT_EQ(send("DELETE", "/v1/users/" + member.id, t.access_token).status, 204);

  auto list = send("GET", "/v1/events", t.access_token);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(
      types_of(list.json()),
      (std::vector<std::string>{"user.deleted", "api_key.revoked", "api_key.created",
                                "user.updated", "user.created", "user.created", "tenant.created"}));
  auto first = list.json()["data"][4];
  EXPECT_EQ(first["object"], "event");
  EXPECT_EQ(first["tenant_id"], t.tenant_id);
  EXPECT_EQ(first["data"]["id"], member.id);
  EXPECT_TRUE(first["id"].get<std::string>().starts_with("EV"));
  EXPECT_EQ(list.json()["data"][1]["data"]["id"], key_id);
  EXPECT_EQ(list.json()["data"][3]["data"]["name"], "Renamed");
  // Sign-up: the tenant, then its owner.
  EXPECT_EQ(list.json()["data"][5]["data"]["id"], t.user_id);
  EXPECT_EQ(list.json()["data"][5]["data"]["role"], "owner");
  EXPECT_EQ(list.json()["data"][6]["data"]["id"], t.tenant_id);
}

TEST_P(Events, FiltersByTypeOrResourceAndPages) {
  auto t = signup(server());
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(
        send("POST", "/v1/api-keys", t.access_token, {{"name", "k"}, {"scopes", {"users:read"}}})
            .status,
        201);
  }
  add_member(t, "agent");
  EXPECT_EQ(types_of(send("GET", "/v1/events?type=user.created", t.access_token).json()),
            (std::vector<std::string>{"user.created", "user.created"}));  // the owner's too
  EXPECT_EQ(send("GET", "/v1/events?type=api_key.*", t.access_token).json()["data"].size(), 3u);
  EXPECT_EQ(send("GET", "/v1/events?type=api.*", t.access_token).json()["data"].size(), 0u);

  // Six in all: the three keys, the member, and sign-up's tenant and owner.
  auto page1 = send("GET", "/v1/events?limit=3", t.access_token).json();
  ASSERT_EQ(page1["data"].size(), 3u);
  EXPECT_TRUE(page1["has_more"].get<bool>());
  auto page2 = send("GET", "/v1/events?limit=3&after=" + page1["next_cursor"].get<std::string>(),
                    t.access_token)
                   .json();
  ASSERT_EQ(page2["data"].size(), 3u);
  EXPECT_FALSE(page2["has_more"].get<bool>());
  EXPECT_NE(page1["data"][1]["id"], page2["data"][0]["id"]);
}

TEST_P(Events, BadQueriesAndUnknownIdsAreClientErrors) {
  auto t = signup(server());
  expect_problem(send("GET", "/v1/events?type=not%20a%20type", t.access_token), 422,
                 "validation_failed");
  expect_problem(send("GET", "/v1/events?limit=0", t.access_token), 422, "validation_failed");
  expect_problem(send("GET", "/v1/events?after=%%%", t.access_token), 422, "validation_failed");
  expect_problem(send("GET", "/v1/events/EV" + std::string(32, '0'), t.access_token), 404,
                 "not_found");
  expect_problem(send("GET", "/v1/events/nonsense", t.access_token), 404, "not_found");
}

TEST_P(Events, ReadingEventsNeedsTheEventsScope) {
  auto t = signup(server());
  const std::string without = create_key(server(), t.access_token, {"users:read"});
  const std::string with = create_key(server(), t.access_token, {"events:read"});
  expect_problem(server().get("/v1/events", without), 403, "insufficient_scope");
  auto r = server().get("/v1/events", with);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(types_of(r.json()), (std::vector<std::string>{"api_key.created", "api_key.created",
                                                          "user.created", "tenant.created"}));
  auto agent = add_member(t, "agent");
  expect_problem(send("GET", "/v1/events", agent.token), 403, "insufficient_scope");
}

INSTANTIATE_TEST_SUITE_P(Stores, Events, ::testing::Values("sqlite", "postgres", "nats"),
                         store_name);

}  // namespace
}  // namespace irisx::testing
