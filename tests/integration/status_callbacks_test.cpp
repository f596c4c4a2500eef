// Status callbacks (a phone number's status_callback) against a real irisx on both stores and the
// receiver that checks signatures with the Standard Webhooks reference library. An ended call is
// handed over the way `irisx serve` does it (app::EndedCalls on the server's own store and
// queue); the server's worker delivers it. tests/sip covers the same path from a real SIP call.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <thread>

#include "app/bus_factory.hpp"
#include "app/database_factory.hpp"
#include "app/ended_calls.hpp"
#include "common/crypto.hpp"
#include "common/id.hpp"
#include "common/time.hpp"
#include "integration/api_fixture.hpp"
#include "support/webhook_receiver.hpp"
#include "webhooks/callbacks.hpp"

namespace irisx::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

const nlohmann::json kEcho = {{"type", "diagnostic"}, {"name", "echo"}};

// The server's store and queue, opened from the test process like a second irisx would.
class CallSide {
 public:
  CallSide(const std::string& database_url, const std::string& data_key) {
    db_ = app::open_database(database_url, io_.get_executor(), 1);
    bus_ = app::open_bus(Config{}, *db_, io_.get_executor());
    run(bus_->declare(webhooks::delivery_consumer(5000ms)));
    publisher_ = std::make_unique<events::Publisher>(*bus_);
    deliveries_ = std::make_unique<webhooks::DeliveryQueue>(*db_, *bus_);
    publisher_->set_fan_out(
        [q = deliveries_.get()](store::Session& tx, const events::Event& e) { q->fan_out(tx, e); });
    callbacks_ = std::make_unique<webhooks::CallbackService>(*db_, *deliveries_, data_key);
    ended_ = std::make_unique<app::EndedCalls>(*db_, *publisher_, *callbacks_);
  }

  // An inbound call on `number`, answered after 0.5 s, ended after 3 s; returns its id.
  std::string end_call(const std::string& tenant_id, const std::string& number,
                       const std::string& status_callback) {
    voice::CallRecord r;
    r.id = new_id("CA");
    r.tenant_id = tenant_id;
    r.direction = "inbound";
    r.from = "sip:+15550001111@127.0.0.1";
    r.to = "sip:" + number + "@127.0.0.1";
    r.started_at = now_ms() - 3000;
    r.answered_at = r.started_at + 500;
    r.ended_at = r.started_at + 3000;
    r.hangup_cause = "normal_clearing";
    r.sip_status = 200;
    r.number = number;
    r.status_callback = status_callback;
    run(ended_->save(r));
    return r.id;
  }

 private:
  void run(asio::awaitable<void> work) {
    auto done = asio::co_spawn(io_, std::move(work), asio::use_future);
    io_.restart();
    io_.run();
    done.get();
  }

  asio::io_context io_{1};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<bus::Bus> bus_;
  std::unique_ptr<events::Publisher> publisher_;
  std::unique_ptr<webhooks::DeliveryQueue> deliveries_;
  std::unique_ptr<webhooks::CallbackService> callbacks_;
  std::unique_ptr<app::EndedCalls> ended_;
};

class StatusCallbacks : public StoreSuite {
 protected:
  std::map<std::string, std::string> extra_env() const override {
    return {{"IRISX_WEBHOOKS_ALLOW_NETWORKS", "127.0.0.0/8"},
            {"IRISX_WEBHOOKS_RETRY_SCHEDULE", "100ms,100ms,100ms"},
            {"IRISX_WEBHOOKS_TIMEOUT_MS", "2000"},
            {"IRISX_BUS_ACK_WAIT_MS", "5000"}};
  }

  CallSide& calls() {
    auto& slot = calls_[GetParam()];
    if (!slot) {
      // The server's data key, derived as irisx derives it from the secret it generated.
      std::string secret;
      std::getline(std::ifstream(server().data_dir() + "/secret.key"), secret);
      slot = std::make_unique<CallSide>(GetParam() == "postgres"
                                            ? PostgresServer::shared().url()
                                            : "sqlite:" + server().data_dir() + "/irisx.db",
                                        crypto::hmac_sha256(secret, "irisx data at rest v1"));
    }
    return *slot;
  }

  nlohmann::json rotate(const TenantLogin& t) {
    auto r = send("POST", "/v1/webhooks/callback-secret", t.access_token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }

  // A number whose status callback is the receiver's `name`, which verifies with `secrets`.
  std::string number_calling_back(const TenantLogin& t, const std::string& name,
                                  nlohmann::json behaviour) {
    const std::string number = fresh_number();
    auto r = send("POST", "/v1/phone_numbers", t.access_token,
                  {{"number", number},
                   {"voice_application", kEcho},
                   {"status_callback", receiver.url(name)}});
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json()["status_callback"], receiver.url(name));
    receiver.configure(name, behaviour);
    return number;
  }

  // The callbacks' delivery log once its first delivery has left `pending`.
  nlohmann::json settled_delivery(const TenantLogin& t, const std::string& webhook_id) {
    nlohmann::json list;
    for (int i = 0; i < 100; ++i) {
      list = send("GET", "/v1/webhooks/" + webhook_id + "/deliveries", t.access_token).json();
      if (!list["data"].empty() && list["data"][0]["status"] != "pending") return list["data"][0];
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "delivery still pending: " << list.dump();
    return {};
  }

  static void TearDownTestSuite() {
    calls_.clear();
    StoreSuite::TearDownTestSuite();
  }

  WebhookReceiver receiver;
  static std::map<std::string, std::unique_ptr<CallSide>> calls_;  // per store
};

std::map<std::string, std::unique_ptr<CallSide>> StatusCallbacks::calls_;

TEST_P(StatusCallbacks, CallbackSecretIsShownOnceAndTheRotatedOutOneSignsForADay) {
  auto t = signup(server());
  auto first = rotate(t);
  EXPECT_EQ(first["object"], "callback_secret");
  EXPECT_TRUE(first["secret"].get<std::string>().starts_with("whsec_"));
  EXPECT_TRUE(first["previous_secret_expires_at"].is_null());
  auto second = rotate(t);
  EXPECT_EQ(second["webhook_id"], first["webhook_id"]);
  EXPECT_NE(second["secret"], first["secret"]);
  EXPECT_FALSE(second["previous_secret_expires_at"].is_null());
  // Hidden: not a webhook of the tenant's, yet its delivery log is readable.
  const std::string id = first["webhook_id"];
  EXPECT_EQ(send("GET", "/v1/webhooks", t.access_token).json()["data"].size(), 0u);
  expect_problem(send("GET", "/v1/webhooks/" + id, t.access_token), 404, "not_found");
  expect_problem(send("POST", "/v1/webhooks/" + id + "/rotate-secret", t.access_token), 404,
                 "not_found");
  EXPECT_EQ(send("GET", "/v1/webhooks/" + id + "/deliveries", t.access_token).status, 200);
  auto audit = send("GET", "/v1/audit-log", t.access_token).json();
  int rotations = 0;
  for (const auto& entry : audit["data"]) {
    if (entry["action"] == "webhook.callback_secret_rotated") ++rotations;
  }
  EXPECT_EQ(rotations, 2);

  const std::string number =
      number_calling_back(t, "both", {{"secrets", {first["secret"], second["secret"]}}});
  calls().end_call(t.tenant_id, number, receiver.url("both"));
  ASSERT_TRUE(receiver.wait_for("both", 1, 10s)) << server().log();
  auto got = receiver.received("both")[0];
  EXPECT_TRUE(got["verified"].get<bool>()) << got.dump();
  EXPECT_EQ(got["verified_with"], nlohmann::json({0, 1}));
}

TEST_P(StatusCallbacks, AnEndedCallReachesItsNumbersStatusCallbackSignedOnce) {
  auto t = signup(server());
  auto secret = rotate(t);
  const std::string number = number_calling_back(t, "done", {{"secrets", {secret["secret"]}}});
  const std::string call_id = calls().end_call(t.tenant_id, number, receiver.url("done"));
  ASSERT_TRUE(receiver.wait_for("done", 1, 10s)) << server().log();
  auto got = receiver.received("done")[0];
  EXPECT_TRUE(got["verified"].get<bool>()) << got.dump();
  auto body = nlohmann::json::parse(got["body"].get<std::string>());
  EXPECT_EQ(body["type"], "call.completed");
  EXPECT_EQ(body["tenant_id"], t.tenant_id);
  EXPECT_EQ(body["data"]["call_id"], call_id);
  EXPECT_EQ(body["data"]["status"], "completed");
  EXPECT_EQ(body["data"]["number"], number);
  EXPECT_EQ(body["data"]["duration_ms"], 3000);
  EXPECT_EQ(body["data"]["billable_s"], 3);

  auto d = settled_delivery(t, secret["webhook_id"]);
  EXPECT_EQ(d["status"], "succeeded");
  EXPECT_EQ(d["url"], receiver.url("done"));
  EXPECT_EQ(d["event_id"], body["id"]);
  auto event = send("GET", "/v1/events/" + body["id"].get<std::string>(), t.access_token);
  EXPECT_EQ(event.status, 200);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(receiver.received("done").size(), 1u);
}

TEST_P(StatusCallbacks, CallCompletedAlsoReachesWebhooksSubscribedToIt) {
  auto t = signup(server());
  auto hook = send("POST", "/v1/webhooks", t.access_token,
                   {{"url", receiver.url("sub")}, {"events", {"call.*"}}});
  ASSERT_EQ(hook.status, 201) << hook.body;
  receiver.configure("sub", {{"secrets", {hook.json()["secret"]}}});
  const std::string number = fresh_number();
  ASSERT_EQ(send("POST", "/v1/phone_numbers", t.access_token,
                 {{"number", number}, {"voice_application", kEcho}})
                .status,
            201);
  const std::string call_id = calls().end_call(t.tenant_id, number, "");
  ASSERT_TRUE(receiver.wait_for("sub", 1, 10s)) << server().log();
  auto body = nlohmann::json::parse(receiver.received("sub")[0]["body"].get<std::string>());
  EXPECT_EQ(body["type"], "call.completed");
  EXPECT_EQ(body["data"]["call_id"], call_id);
}

TEST_P(StatusCallbacks, ACallbackIsRetriedUntilTheReceiverRecovers) {
  auto t = signup(server());
  auto secret = rotate(t);
  const std::string number = number_calling_back(t, "flaky",
                                                 {{"secrets", {secret["secret"]}},
                                                  {"behaviour", "fail"},
                                                  {"fail_times", 2},
                                                  {"fail_status", 503}});
  calls().end_call(t.tenant_id, number, receiver.url("flaky"));
  auto d = settled_delivery(t, secret["webhook_id"]);
  EXPECT_EQ(d["status"], "succeeded");
  ASSERT_EQ(d["attempts"].size(), 3u);
  EXPECT_EQ(d["attempts"][0]["status_code"], 503);
  EXPECT_EQ(d["attempts"][2]["status_code"], 200);
  auto got = receiver.received("flaky");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0]["webhook_id"], got[2]["webhook_id"]);
}

TEST_P(StatusCallbacks, GoneFailsThatCallbackAndDisablesNothing) {
  auto t = signup(server());
  auto secret = rotate(t);
  const std::string gone =
      number_calling_back(t, "gone", {{"secrets", {secret["secret"]}}, {"behaviour", "gone"}});
  calls().end_call(t.tenant_id, gone, receiver.url("gone"));
  auto d = settled_delivery(t, secret["webhook_id"]);
  EXPECT_EQ(d["status"], "failed");
  EXPECT_EQ(d["attempts"].size(), 1u);
  EXPECT_EQ(send("GET", "/v1/events?type=webhook.disabled", t.access_token).json()["data"].size(),
            0u);
  // The next callback, to another URL, still goes out.
  const std::string fine = number_calling_back(t, "fine", {{"secrets", {secret["secret"]}}});
  calls().end_call(t.tenant_id, fine, receiver.url("fine"));
  ASSERT_TRUE(receiver.wait_for("fine", 1, 10s)) << server().log();
}

TEST_P(StatusCallbacks, ACallbackBeforeAnySecretMakesOneThatARotationReplaces) {
  auto t = signup(server());
  const std::string number = number_calling_back(
      t, "early", {{"secrets", {"whsec_bm90IHRoZSB0ZW5hbnQncyBzZWNyZXQ="}}});  // not its secret
  calls().end_call(t.tenant_id, number, receiver.url("early"));
  ASSERT_TRUE(receiver.wait_for("early", 1, 10s)) << server().log();
  EXPECT_EQ(receiver.received("early")[0]["status"], 400);  // signed with a secret nobody knows
  auto secret = rotate(t);
  EXPECT_FALSE(secret["previous_secret_expires_at"].is_null());  // it existed already
  auto log = send("GET", "/v1/webhooks/" + secret["webhook_id"].get<std::string>() + "/deliveries",
                  t.access_token);
  ASSERT_EQ(log.status, 200);
  EXPECT_EQ(log.json()["data"].size(), 1u);
}

TEST_P(StatusCallbacks, StatusCallbackMustBeAPermittedHttpUrl) {
  auto t = signup(server());
  for (const nlohmann::json& url :
       {nlohmann::json("http://10.0.0.1/cb"), nlohmann::json("http://169.254.169.254/latest"),
        nlohmann::json("ftp://127.0.0.1/"), nlohmann::json("not a url"), nlohmann::json(42)}) {
    auto r =
        send("POST", "/v1/phone_numbers", t.access_token,
             {{"number", fresh_number()}, {"voice_application", kEcho}, {"status_callback", url}});
    expect_problem(r, 422, "validation_failed");
    EXPECT_EQ(r.json()["errors"][0]["field"], "status_callback") << url;
  }
  auto created = send("POST", "/v1/phone_numbers", t.access_token,
                      {{"number", fresh_number()}, {"voice_application", kEcho}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_TRUE(created.json()["status_callback"].is_null());
  const std::string path = "/v1/phone_numbers/" + created.json()["id"].get<std::string>();
  // Allowlisted (127.0.0.0/8 here): accepted; the application stays as it was.
  auto set = send("PATCH", path, t.access_token, {{"status_callback", "http://127.0.0.1:9/cb"}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.json()["status_callback"], "http://127.0.0.1:9/cb");
  EXPECT_EQ(set.json()["voice_application"]["type"], "diagnostic");
  auto refused = send("PATCH", path, t.access_token, {{"status_callback", "http://10.1.2.3/"}});
  expect_problem(refused, 422, "validation_failed");
  auto cleared = send("PATCH", path, t.access_token, {{"status_callback", nullptr}});
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(cleared.json()["status_callback"].is_null());
  EXPECT_TRUE(send("GET", path, t.access_token).json()["status_callback"].is_null());

  auto other = signup(server());
  expect_problem(
      send("PATCH", path, other.access_token, {{"status_callback", "http://127.0.0.1:9/cb"}}), 404,
      "not_found");
}

INSTANTIATE_TEST_SUITE_P(Stores, StatusCallbacks, ::testing::Values("sqlite", "postgres"),
                         store_name);

}  // namespace
}  // namespace irisx::testing
