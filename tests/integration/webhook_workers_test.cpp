// Several worker processes over one store (and, with NATS, one JetStream): work is shared with
// no attempt made twice, and a worker killed with SIGKILL mid-run loses no event.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "integration/api_fixture.hpp"
#include "support/nats_server.hpp"
#include "support/webhook_receiver.hpp"

namespace irisx::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kEvents = 200;

class WebhookWorkers : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("irisx-workers-" + std::to_string(::getpid()) + "-" + GetParam());
    std::filesystem::create_directories(dir_);
    env_ = {
        {"IRISX_AUTH_SECRET_KEY", std::string(48, 'k')},    {"IRISX_RATE_LIMIT_ENABLED", "false"},
        {"IRISX_WEBHOOKS_ALLOW_NETWORKS", "127.0.0.0/8"},   {"IRISX_WEBHOOKS_TIMEOUT_MS", "1000"},
        {"IRISX_WEBHOOKS_MAX_IN_FLIGHT_PER_ENDPOINT", "8"}, {"IRISX_BUS_ACK_WAIT_MS", "3000"}};
    env_ = store_env(GetParam(), env_);
    if (GetParam() == "sqlite")
      env_["IRISX_DATABASE_URL"] = "sqlite:" + (dir_ / "irisx.db").string();
    api_ = start("api");
  }
  void TearDown() override {
    workers_.clear();
    api_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<IrisxProcess> start(const std::string& roles) {
    auto env = env_;
    env["IRISX_ROLES"] = roles;
    return std::make_unique<IrisxProcess>(env);
  }

  // A tenant whose endpoint "load" hears of every API key created; returns the owner's token.
  std::string tenant_with_endpoint(int delay_ms) {
    auto t = signup(*api_);
    auto r = api_->post("/v1/webhooks",
                        {{"url", receiver_.url("load")}, {"events", {"api_key.created"}}},
                        t.access_token);
    EXPECT_EQ(r.status, 201) << r.body;
    receiver_.configure(
        "load", {{"secrets", {r.json()["secret"]}}, {"behaviour", "slow"}, {"delay_ms", delay_ms}});
    webhook_id_ = r.json()["id"];
    return t.access_token;
  }

  void create_keys(const std::string& token, int count) {
    for (int i = 0; i < count; ++i) {
      auto r = api_->post("/v1/api-keys", {{"name", "k"}, {"scopes", {"users:read"}}}, token);
      ASSERT_EQ(r.status, 201) << r.body;
    }
  }

  std::size_t distinct_received() const {
    auto stats = receiver_.stats();
    return stats.contains("load") ? stats["load"]["distinct_ids"].get<std::size_t>() : 0;
  }

  bool wait_distinct(std::size_t n, std::chrono::seconds timeout) const {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (distinct_received() < n && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(100ms);
    }
    return distinct_received() >= n;
  }

  // The successful attempts a process made, from its /metrics.
  static std::int64_t attempts_made(const IrisxProcess& process) {
    auto r = process.get("/metrics");
    EXPECT_EQ(r.status, 200);
    const std::string sample = "irisx_webhook_attempts_total{result=\"succeeded\"} ";
    auto at = r.body.find(sample);
    if (at == std::string::npos) return 0;
    return std::stoll(r.body.substr(at + sample.size()));
  }

  // Every delivery of the endpoint, from its log.
  nlohmann::json deliveries(const std::string& token) {
    auto r = api_->get("/v1/webhooks/" + webhook_id_ + "/deliveries?limit=200", token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["data"];
  }

  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<IrisxProcess> api_;
  std::vector<std::unique_ptr<IrisxProcess>> workers_;
  WebhookReceiver receiver_;
  std::string webhook_id_;
};

TEST_P(WebhookWorkers, TwoWorkersShareTheWorkWithoutRepeatingAnAttempt) {
  const std::string token = tenant_with_endpoint(5);
  workers_.push_back(start("worker"));
  workers_.push_back(start("worker"));
  create_keys(token, kEvents);
  ASSERT_TRUE(wait_distinct(kEvents, 60s)) << distinct_received();
  std::this_thread::sleep_for(500ms);
  auto stats = receiver_.stats()["load"];
  EXPECT_EQ(stats["received"], kEvents);  // no request was sent twice
  EXPECT_EQ(stats["verified"], kEvents);
  auto list = deliveries(token);
  ASSERT_EQ(list.size(), static_cast<std::size_t>(kEvents));
  for (const auto& d : list) {
    EXPECT_EQ(d["status"], "succeeded");
    EXPECT_EQ(d["attempt_count"], 1);
  }
  // Shared: each worker made some of the attempts, and together exactly one per event.
  std::int64_t total = 0;
  for (auto& w : workers_) {
    const std::int64_t made = attempts_made(*w);
    EXPECT_GT(made, 0);
    total += made;
  }
  EXPECT_EQ(total, kEvents);
  for (auto& w : workers_) EXPECT_EQ(w->terminate(), 0);
}

TEST_P(WebhookWorkers, AWorkerKilledMidRunLosesNothing) {
  // 8 in flight × 200 ms per worker: the run lasts seconds, so the kill lands mid-run.
  const std::string token = tenant_with_endpoint(200);
  workers_.push_back(start("worker"));
  create_keys(token, kEvents);
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (distinct_received() < kEvents / 4 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_LT(distinct_received(), static_cast<std::size_t>(kEvents)) << "the run ended too soon";
  // A second worker joins, and the first, which is certainly mid-attempt, is killed.
  workers_.push_back(start("worker"));
  workers_.front()->kill9();
  ASSERT_TRUE(wait_distinct(kEvents, 90s)) << distinct_received() << "\n" << workers_.back()->log();
  // What the dead worker had in flight was sent but never recorded: those deliveries come back
  // once their lease and ack wait lapse, and are attempted again (at least once, never lost).
  auto settled = [&] {
    auto list = deliveries(token);
    return list.size() == static_cast<std::size_t>(kEvents) &&
           std::all_of(list.begin(), list.end(),
                       [](const nlohmann::json& d) { return d["status"] == "succeeded"; });
  };
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!settled() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(200ms);
  ASSERT_TRUE(settled()) << workers_.back()->log();
  int repeated = 0;
  for (const auto& d : deliveries(token)) repeated += d["attempt_count"].get<int>() > 1 ? 1 : 0;
  EXPECT_GT(repeated, 0) << "the killed worker had nothing in flight";
  auto stats = receiver_.stats()["load"];
  EXPECT_EQ(stats["distinct_ids"], kEvents);
  EXPECT_EQ(stats["verified"], stats["received"]);
}

TEST_P(WebhookWorkers, EventsAcceptedWithNoWorkerRunningAreDeliveredLater) {
  const std::string token = tenant_with_endpoint(0);
  create_keys(token, 20);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(distinct_received(), 0u);  // the api role alone does not deliver
  workers_.push_back(start("worker"));
  ASSERT_TRUE(wait_distinct(20, 30s));
}

TEST_P(WebhookWorkers, SigtermLetsTheAttemptsInFlightFinish) {
  const std::string token = tenant_with_endpoint(700);
  workers_.push_back(start("worker"));
  create_keys(token, 5);
  ASSERT_TRUE(receiver_.wait_for("load", 1, 10s));
  EXPECT_EQ(workers_.front()->terminate(), 0);
  // Whatever reached the receiver was answered and recorded before the worker exited; nothing
  // is left half-done (attempted but still pending).
  const std::size_t sent = distinct_received();
  std::size_t succeeded = 0;
  for (const auto& d : deliveries(token)) {
    if (d["status"] == "succeeded") ++succeeded;
    if (d["status"] == "pending") {
      EXPECT_EQ(d["attempt_count"], 0) << d.dump();
    }
  }
  EXPECT_EQ(succeeded, sent);
  // A new worker delivers the rest.
  workers_.push_back(start("worker"));
  ASSERT_TRUE(wait_distinct(5, 30s));
}

INSTANTIATE_TEST_SUITE_P(Stores, WebhookWorkers, ::testing::Values("sqlite", "postgres", "nats"),
                         store_name);

}  // namespace
}  // namespace irisx::testing
