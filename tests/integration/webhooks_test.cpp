// Webhook endpoints and deliveries against a real irisx (both stores) and a receiver that
// checks signatures with the Standard Webhooks reference library (tests/fakes).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "integration/api_fixture.hpp"
#include "support/webhook_receiver.hpp"

namespace irisx::testing {
namespace {

using namespace std::chrono_literals;

class Webhooks : public StoreSuite {
 protected:
  std::map<std::string, std::string> extra_env() const override {
    return {{"IRISX_WEBHOOKS_ALLOW_NETWORKS", "127.0.0.0/8"},
            {"IRISX_WEBHOOKS_RETRY_SCHEDULE", "100ms,100ms,100ms"},
            {"IRISX_WEBHOOKS_TIMEOUT_MS", "2000"},
            {"IRISX_WEBHOOKS_DISABLE_AFTER_S", "2"},
            {"IRISX_WEBHOOKS_MAX_IN_FLIGHT_PER_ENDPOINT", "4"},
            {"IRISX_BUS_ACK_WAIT_MS", "5000"}};
  }

  // Creates an endpoint for `events` at the receiver's `name`, configured with its secret.
  nlohmann::json endpoint(const TenantLogin& t, const std::string& name, nlohmann::json events,
                          nlohmann::json behaviour = nlohmann::json::object()) {
    auto r = send("POST", "/v1/webhooks", t.access_token,
                  {{"url", receiver.url(name)}, {"events", events}});
    EXPECT_EQ(r.status, 201) << r.body;
    auto created = r.json();
    behaviour["secrets"] = {created.value("secret", "")};
    receiver.configure(name, behaviour);
    return created;
  }

  HttpResult make_key(const TenantLogin& t) {
    return send("POST", "/v1/api-keys", t.access_token,
                {{"name", "k"}, {"scopes", {"users:read"}}});
  }

  // Polls a delivery list until its first delivery has left `pending`.
  nlohmann::json settled_delivery(const TenantLogin& t, const std::string& webhook_id) {
    nlohmann::json d;
    for (int i = 0; i < 100; ++i) {
      auto list = send("GET", "/v1/webhooks/" + webhook_id + "/deliveries", t.access_token).json();
      if (!list["data"].empty() && list["data"][0]["status"] != "pending") return list["data"][0];
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "delivery still pending: " << d.dump();
    return d;
  }

  WebhookReceiver receiver;
};

TEST_P(Webhooks, CreateShowsTheSecretOnceAndNeverAgain) {
  auto t = signup(server());
  auto created = endpoint(t, "a", {"api_key.*"});
  EXPECT_EQ(created["object"], "webhook");
  EXPECT_TRUE(created["secret"].get<std::string>().starts_with("whsec_"));
  EXPECT_EQ(created["enabled"], true);
  auto one = send("GET", "/v1/webhooks/" + created["id"].get<std::string>(), t.access_token);
  ASSERT_EQ(one.status, 200);
  EXPECT_FALSE(one.json().contains("secret"));
  auto list = send("GET", "/v1/webhooks", t.access_token).json();
  ASSERT_EQ(list["data"].size(), 1u);
  EXPECT_EQ(list["data"][0]["id"], created["id"]);
  EXPECT_FALSE(list["data"][0].contains("secret"));
}

TEST_P(Webhooks, DeliversASignedEventThatTheReferenceLibraryVerifies) {
  auto t = signup(server());
  auto hook = endpoint(t, "a", {"api_key.*"});
  auto key = make_key(t);
  ASSERT_EQ(key.status, 201);
  ASSERT_TRUE(receiver.wait_for("a", 1, 10s)) << server().log();
  auto got = receiver.received("a")[0];
  EXPECT_TRUE(got["verified"].get<bool>()) << got.dump();
  auto body = nlohmann::json::parse(got["body"].get<std::string>());
  EXPECT_EQ(body["type"], "api_key.created");
  EXPECT_EQ(body["tenant_id"], t.tenant_id);
  EXPECT_EQ(body["data"]["id"], key.json()["id"]);
  EXPECT_FALSE(body["data"].contains("key"));  // the secret API key never travels
  EXPECT_EQ(got["webhook_id"], body["id"]);

  auto event = send("GET", "/v1/events/" + body["id"].get<std::string>(), t.access_token);
  ASSERT_EQ(event.status, 200);
  EXPECT_EQ(event.json()["type"], "api_key.created");
  auto delivery = settled_delivery(t, hook["id"]);
  EXPECT_EQ(delivery["status"], "succeeded");
  EXPECT_EQ(delivery["event_id"], body["id"]);
  ASSERT_EQ(delivery["attempts"].size(), 1u);
  EXPECT_EQ(delivery["attempts"][0]["status_code"], 200);
}

TEST_P(Webhooks, OnlySubscribedEventTypesAreDelivered) {
  auto t = signup(server());
  endpoint(t, "users", {"user.created"});
  endpoint(t, "all", {"*"});
  ASSERT_EQ(make_key(t).status, 201);
  add_member(t, "viewer");
  ASSERT_TRUE(receiver.wait_for("users", 1, 10s));
  ASSERT_TRUE(receiver.wait_for("all", 2, 10s));  // the key and the user
  std::this_thread::sleep_for(300ms);
  auto users = receiver.received("users");
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(users[0]["body"].get<std::string>())["type"], "user.created");
}

// Writes that arrive together share a commit (and on PostgreSQL one fan-out query for all their
// events): each tenant's endpoint still gets exactly its own tenant's events, once each.
TEST_P(Webhooks, EventsOfTenantsWritingAtOnceReachOnlyTheirOwnEndpoints) {
  auto a = signup(server());
  auto b = signup(server());
  endpoint(a, "tenant-a", {"api_key.created"});
  endpoint(b, "tenant-b", {"api_key.*"});
  endpoint(b, "tenant-b-users", {"user.created"});
  constexpr int kPerWriter = 15;
  std::atomic<int> created{0};
  std::vector<std::thread> writers;
  for (const TenantLogin* t : {&a, &b, &a, &b}) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerWriter; ++i) {
        if (make_key(*t).status == 201) ++created;
      }
    });
  }
  for (auto& w : writers) w.join();
  ASSERT_EQ(created.load(), 4 * kPerWriter);
  ASSERT_TRUE(receiver.wait_for("tenant-a", 2 * kPerWriter, 20s)) << server().log();
  ASSERT_TRUE(receiver.wait_for("tenant-b", 2 * kPerWriter, 20s)) << server().log();
  std::this_thread::sleep_for(300ms);  // anything extra would have arrived by now
  for (const auto& [name, tenant] : {std::pair{std::string("tenant-a"), a.tenant_id},
                                     std::pair{std::string("tenant-b"), b.tenant_id}}) {
    auto got = receiver.received(name);
    EXPECT_EQ(got.size(), static_cast<std::size_t>(2 * kPerWriter)) << name;
    std::set<std::string> events;
    for (const auto& g : got) {
      auto body = nlohmann::json::parse(g["body"].get<std::string>());
      EXPECT_EQ(body["tenant_id"], tenant) << name;
      EXPECT_EQ(body["type"], "api_key.created");
      events.insert(body["id"].get<std::string>());
    }
    EXPECT_EQ(events.size(), got.size()) << name << " got an event twice";
  }
  EXPECT_TRUE(receiver.received("tenant-b-users").empty());
}

TEST_P(Webhooks, RetriesUntilTheReceiverRecovers) {
  auto t = signup(server());
  auto hook = endpoint(t, "flaky", {"api_key.created"},
                       {{"behaviour", "fail"}, {"fail_times", 2}, {"fail_status", 503}});
  ASSERT_EQ(make_key(t).status, 201);
  auto d = settled_delivery(t, hook["id"]);
  EXPECT_EQ(d["status"], "succeeded");
  ASSERT_EQ(d["attempts"].size(), 3u);
  EXPECT_EQ(d["attempts"][0]["status_code"], 503);
  EXPECT_EQ(d["attempts"][1]["status_code"], 503);
  EXPECT_EQ(d["attempts"][2]["status_code"], 200);
  EXPECT_FALSE(d["attempts"][0]["response_body"].is_null());
  auto got = receiver.received("flaky");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0]["webhook_id"], got[2]["webhook_id"]);  // the same message, retried
}

TEST_P(Webhooks, GivesUpAfterTheScheduleAndCanBeRetriedByHand) {
  auto t = signup(server());
  auto hook = endpoint(t, "down", {"api_key.created"}, {{"behaviour", "fail"}, {"fail_times", 99}});
  ASSERT_EQ(make_key(t).status, 201);
  auto d = settled_delivery(t, hook["id"]);
  EXPECT_EQ(d["status"], "failed");
  EXPECT_EQ(d["attempts"].size(), 4u);  // the first attempt and the three retries configured
  EXPECT_EQ(d["last_error"], "HTTP 500");

  receiver.configure("down", {{"secrets", {hook["secret"]}}});
  auto retried = send("POST", "/v1/webhooks/deliveries/" + d["id"].get<std::string>() + "/retry",
                      t.access_token);
  ASSERT_EQ(retried.status, 202) << retried.body;
  EXPECT_EQ(retried.json()["status"], "pending");
  ASSERT_TRUE(receiver.wait_for("down", 1, 10s));
  auto after = settled_delivery(t, hook["id"]);
  EXPECT_EQ(after["status"], "succeeded");
  EXPECT_EQ(after["attempts"].size(), 5u);
}

TEST_P(Webhooks, GoneDisablesTheEndpointWithAnEvent) {
  auto t = signup(server());
  auto hook = endpoint(t, "gone", {"api_key.created"}, {{"behaviour", "gone"}});
  ASSERT_EQ(make_key(t).status, 201);
  auto d = settled_delivery(t, hook["id"]);
  EXPECT_EQ(d["status"], "failed");
  EXPECT_EQ(d["attempts"].size(), 1u);
  auto now = send("GET", "/v1/webhooks/" + hook["id"].get<std::string>(), t.access_token).json();
  EXPECT_EQ(now["enabled"], false);
  EXPECT_EQ(now["disabled_reason"], "the endpoint answered 410 Gone");
  auto disabled = send("GET", "/v1/events?type=webhook.disabled", t.access_token).json();
  ASSERT_EQ(disabled["data"].size(), 1u);
  EXPECT_EQ(disabled["data"][0]["data"]["id"], hook["id"]);
  // Nothing more reaches a disabled endpoint.
  ASSERT_EQ(make_key(t).status, 201);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(receiver.received("gone").size(), 1u);
  // A retry by hand says why it cannot happen instead of queueing an attempt never made.
  const std::string retry = "/v1/webhooks/deliveries/" + d["id"].get<std::string>() + "/retry";
  auto refused = send("POST", retry, t.access_token);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.json()["code"], "webhook_disabled");
  ASSERT_EQ(send("DELETE", "/v1/webhooks/" + hook["id"].get<std::string>(), t.access_token).status,
            204);
  auto deleted = send("POST", retry, t.access_token);  // its log outlives the webhook
  EXPECT_EQ(deleted.status, 409) << deleted.body;
  EXPECT_EQ(deleted.json()["code"], "webhook_deleted");
}

TEST_P(Webhooks, AnEndpointFailingWithoutABreakIsDisabled) {
  auto t = signup(server());
  auto hook =
      endpoint(t, "broken", {"api_key.created"}, {{"behaviour", "fail"}, {"fail_times", 99}});
  ASSERT_EQ(make_key(t).status, 201);
  auto d = settled_delivery(t, hook["id"]);
  ASSERT_EQ(d["status"], "failed");
  auto id = hook["id"].get<std::string>();
  EXPECT_EQ(send("GET", "/v1/webhooks/" + id, t.access_token).json()["enabled"], true);
  std::this_thread::sleep_for(2100ms);  // past webhooks.disable_after_s since the first failure
  ASSERT_EQ(send("POST", "/v1/webhooks/deliveries/" + d["id"].get<std::string>() + "/retry",
                 t.access_token)
                .status,
            202);
  nlohmann::json now;
  for (int i = 0; i < 50; ++i) {
    now = send("GET", "/v1/webhooks/" + id, t.access_token).json();
    if (now["enabled"] == false) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(now["enabled"], false);
  EXPECT_TRUE(now["disabled_reason"].get<std::string>().starts_with("deliveries failed"));
  // A change that does not name `enabled` leaves the worker's verdict alone.
  auto described = send("PATCH", "/v1/webhooks/" + id, t.access_token, {{"description", "x"}});
  ASSERT_EQ(described.status, 200) << described.body;
  EXPECT_EQ(described.json()["enabled"], false);
  EXPECT_EQ(described.json()["disabled_reason"], now["disabled_reason"]);
  EXPECT_EQ(described.json()["failing_since"], now["failing_since"]);
  EXPECT_EQ(described.json()["description"], "x");
  EXPECT_EQ(described.json()["url"], now["url"]);
  // Re-enabling forgets the streak.
  auto enabled = send("PATCH", "/v1/webhooks/" + id, t.access_token, {{"enabled", true}});
  ASSERT_EQ(enabled.status, 200);
  EXPECT_TRUE(enabled.json()["failing_since"].is_null());
  EXPECT_TRUE(enabled.json()["disabled_reason"].is_null());
}

TEST_P(Webhooks, RotationSignsWithBothSecretsForADay) {
  auto t = signup(server());
  auto hook = endpoint(t, "rot", {"api_key.created"});
  const std::string old_secret = hook["secret"];
  auto rotated = send("POST", "/v1/webhooks/" + hook["id"].get<std::string>() + "/rotate-secret",
                      t.access_token);
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string new_secret = rotated.json()["secret"];
  EXPECT_NE(new_secret, old_secret);
  EXPECT_FALSE(rotated.json()["previous_secret_expires_at"].is_null());
  receiver.configure("rot", {{"secrets", {old_secret, new_secret}}});
  ASSERT_EQ(make_key(t).status, 201);
  ASSERT_TRUE(receiver.wait_for("rot", 1, 10s));
  auto got = receiver.received("rot")[0];
  EXPECT_TRUE(got["verified"].get<bool>());
  EXPECT_EQ(got["verified_with"], nlohmann::json({0, 1}));
  const std::string signatures = got["webhook_signature"];
  EXPECT_EQ(std::count(signatures.begin(), signatures.end(), ' '), 1);
}

TEST_P(Webhooks, TestEventReachesThatEndpointOnly) {
  auto t = signup(server());
  auto a = endpoint(t, "a", {"webhook.test"});
  endpoint(t, "b", {"webhook.test"});
  auto r = send("POST", "/v1/webhooks/" + a["id"].get<std::string>() + "/test", t.access_token);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.json()["event_type"], "webhook.test");
  ASSERT_TRUE(receiver.wait_for("a", 1, 10s));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(receiver.received("b").size(), 0u);
  auto body = nlohmann::json::parse(receiver.received("a")[0]["body"].get<std::string>());
  EXPECT_EQ(body["type"], "webhook.test");
  EXPECT_EQ(body["data"]["webhook_id"], a["id"]);
}

TEST_P(Webhooks, UpdateAndDeleteEmitEventsAndStopDeliveries) {
  auto t = signup(server());
  auto hook = endpoint(t, "a", {"user.*"});
  const std::string id = hook["id"];
  auto patched = send("PATCH", "/v1/webhooks/" + id, t.access_token,
                      {{"events", {"api_key.*"}}, {"description", "keys"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json()["events"], nlohmann::json({"api_key.*"}));
  EXPECT_EQ(patched.json()["description"], "keys");
  EXPECT_EQ(send("DELETE", "/v1/webhooks/" + id, t.access_token).status, 204);
  EXPECT_EQ(send("GET", "/v1/webhooks/" + id, t.access_token).status, 404);
  ASSERT_EQ(make_key(t).status, 201);
  auto events = send("GET", "/v1/events?type=webhook.*", t.access_token).json();
  ASSERT_EQ(events["data"].size(), 3u);
  EXPECT_EQ(events["data"][0]["type"], "webhook.deleted");
  EXPECT_EQ(events["data"][1]["type"], "webhook.updated");
  EXPECT_EQ(events["data"][2]["type"], "webhook.created");
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(receiver.received("a").size(), 0u);
}

TEST_P(Webhooks, ASlowEndpointHoldsOnlyItsOwnSlotsAndNeverDelaysOthers) {
  auto t = signup(server());
  endpoint(t, "slow", {"api_key.created"}, {{"behaviour", "slow"}, {"delay_ms", 1000}});
  endpoint(t, "fast", {"api_key.created"});
  constexpr int kKeys = 40;
  for (int i = 0; i < kKeys; ++i) ASSERT_EQ(make_key(t).status, 201);
  // At 4 in flight and 1 s each, the slow endpoint needs 10 s for its 40; the fast one is not
  // queued behind it.
  ASSERT_TRUE(receiver.wait_for("fast", kKeys, 8s));
  auto slow = receiver.received("slow");
  EXPECT_LT(slow.size(), static_cast<std::size_t>(kKeys));
  // Never more than webhooks.max_in_flight_per_endpoint requests open at once.
  std::vector<std::int64_t> arrivals;
  for (const auto& r : slow) arrivals.push_back(r["received_at_ms"].get<std::int64_t>());
  for (std::int64_t at : arrivals) {
    const auto open = std::count_if(arrivals.begin(), arrivals.end(), [at](std::int64_t other) {
      return other <= at && at < other + 1000;
    });
    EXPECT_LE(open, 4) << "at " << at;
  }
}

TEST_P(Webhooks, InvalidBodiesAreRefusedWithFieldErrors) {
  auto t = signup(server());
  const std::string url = receiver.url("x");
  for (const auto& body : {nlohmann::json{{"url", url}, {"events", nlohmann::json::array()}},
                           nlohmann::json{{"url", url}, {"events", {"Message.sent"}}},
                           nlohmann::json{{"url", url}, {"events", {"*.sent"}}},
                           nlohmann::json{{"url", 42}, {"events", {"*"}}},
                           nlohmann::json{{"url", url}, {"events", "*"}},
                           nlohmann::json{{"url", url}, {"events", {"*"}}, {"enabled", "yes"}},
                           nlohmann::json{{"url", url}, {"events", {"*"}}, {"colour", "red"}},
                           nlohmann::json{{"events", {"*"}}}}) {
    expect_problem(send("POST", "/v1/webhooks", t.access_token, body), 422, "validation_failed");
  }
  expect_problem(server().request("POST", "/v1/webhooks", "{\"url\":",
                                  {{"Authorization", "Bearer " + t.access_token},
                                   {"Content-Type", "application/json"}}),
                 400, "bad_request");
}

TEST_P(Webhooks, InternalAddressesOutsideTheAllowlistAreRefused) {
  auto t = signup(server());
  for (const char* url : {"http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data",
                          "http://192.168.1.10/", "http://[::1]:8080/", "http://[fd00::1]/",
                          "ftp://127.0.0.1/", "http://user:pw@127.0.0.1/", "not a url"}) {
    auto r = send("POST", "/v1/webhooks", t.access_token, {{"url", url}, {"events", {"*"}}});
    expect_problem(r, 422, "validation_failed");
    EXPECT_EQ(r.json()["errors"][0]["field"], "url") << url;
  }
}

TEST_P(Webhooks, AnotherTenantsWebhooksDeliveriesAndEventsAreNotFound) {
  auto owner = signup(server());
  auto other = signup(server());
  auto hook = endpoint(owner, "a", {"api_key.created"});
  ASSERT_EQ(make_key(owner).status, 201);
  auto d = settled_delivery(owner, hook["id"]);
  const std::string id = hook["id"];
  const std::string event_id = d["event_id"];
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/v1/webhooks/" + id},
           {"PATCH", "/v1/webhooks/" + id},
           {"DELETE", "/v1/webhooks/" + id},
           {"POST", "/v1/webhooks/" + id + "/rotate-secret"},
           {"POST", "/v1/webhooks/" + id + "/test"},
           {"GET", "/v1/webhooks/" + id + "/deliveries"},
           {"POST", "/v1/webhooks/deliveries/" + d["id"].get<std::string>() + "/retry"},
           {"GET", "/v1/events/" + event_id}}) {
    auto body = method == "PATCH" ? nlohmann::json{{"enabled", false}} : nlohmann::json(nullptr);
    expect_problem(send(method, path, other.access_token, body), 404, "not_found");
  }
  EXPECT_EQ(send("GET", "/v1/webhooks", other.access_token).json()["data"].size(), 0u);
  for (const auto& e : send("GET", "/v1/events", other.access_token).json()["data"]) {
    EXPECT_EQ(e["tenant_id"], other.tenant_id);  // its own sign-up's, none of the owner's
  }
  EXPECT_EQ(send("GET", "/v1/webhooks/" + id, owner.access_token).json()["enabled"], true);
}

INSTANTIATE_TEST_SUITE_P(Stores, Webhooks, ::testing::Values("sqlite", "postgres", "nats"),
                         store_name);

}  // namespace
}  // namespace irisx::testing
