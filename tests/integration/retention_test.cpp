// Retention against real SQLite and PostgreSQL: events past the window are neither listed nor
// found and are purged; finished webhook deliveries older than the cutoff go with their
// attempts, pending and newer ones stay; dead letters past the cutoff go too.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "bus/bus.hpp"
#include "events/events.hpp"
#include "integration/store_urls.hpp"
#include "webhooks/deliveries.hpp"

namespace irisx::webhooks {
namespace {

class Retention : public irisx::testing::MigratedStoreTest {
 protected:
  Retention() : MigratedStoreTest("retention") {}

  // A delivery with two attempts.
  void delivery(const std::string& id, const std::string& status, std::int64_t created_at) {
    run(db_->exec(
        "INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, status, attempts, "
        "created_at, updated_at) VALUES ($1, 'TN1', 'WH1', $1, $2, 2, $3, $3)",
        store::args(id, status, created_at)));
    for (int attempt : {1, 2}) {
      run(db_->exec(
          "INSERT INTO webhook_attempts (id, delivery_id, tenant_id, attempt, duration_ms, "
          "created_at) VALUES ($1, $2, 'TN1', $3, 5, $4)",
          store::args(id + "-" + std::to_string(attempt), id, attempt, created_at)));
    }
  }

  void event(const std::string& id, std::int64_t created_at) {
    run(
        db_->exec("INSERT INTO events (id, tenant_id, type, data, created_at) VALUES ($1, 'TN1', "
                  "'user.created', '{}', $2)",
                  store::args(id, created_at)));
  }

  std::int64_t count(const std::string& sql) { return run(db_->exec(sql)).front().int64(0); }
};

TEST_P(Retention, FinishedDeliveriesPastTheCutoffGoWithTheirAttempts) {
  delivery("old-succeeded", "succeeded", 100);
  delivery("old-failed", "failed", 200);
  delivery("old-failed-2", "failed", 300);
  delivery("old-pending", "pending", 100);
  delivery("new-succeeded", "succeeded", 5000);

  // In batches of two, as the worker's purge loop takes them until none is left.
  EXPECT_EQ(run(purge_deliveries(*db_, 1000, 2)), 2);
  EXPECT_EQ(run(purge_deliveries(*db_, 1000, 2)), 1);
  EXPECT_EQ(run(purge_deliveries(*db_, 1000, 2)), 0);

  auto left = run(db_->exec("SELECT id FROM webhook_deliveries ORDER BY id"));
  ASSERT_EQ(left.rows.size(), 2u);
  EXPECT_EQ(left.rows[0].text(0), "new-succeeded");
  EXPECT_EQ(left.rows[1].text(0), "old-pending");
  EXPECT_EQ(count("SELECT COUNT(*) FROM webhook_attempts"), 4);
  EXPECT_EQ(count("SELECT COUNT(*) FROM webhook_attempts WHERE delivery_id LIKE 'old-%' AND "
                  "delivery_id <> 'old-pending'"),
            0);
}

TEST_P(Retention, EventsPastTheWindowAreHiddenThenPurged) {
  event("EV_old", 100);
  event("EV_edge", 1000);
  event("EV_new", 5000);
  events::EventQuery query{"TN1", "", 1000, store::PageRequest{}};
  auto page = run(events::list_events(*db_, query));
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].id, "EV_new");
  EXPECT_EQ(page.items[1].id, "EV_edge");
  EXPECT_FALSE(run(events::get_event(*db_, "TN1", "EV_old", 1000)).has_value());
  EXPECT_TRUE(run(events::get_event(*db_, "TN1", "EV_edge", 1000)).has_value());
  EXPECT_FALSE(run(events::get_event(*db_, "TN2", "EV_new", 1000)).has_value());

  EXPECT_EQ(run(events::purge_events(*db_, 1000, 10)), 1);
  EXPECT_EQ(run(events::purge_events(*db_, 1000, 10)), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events"), 2);
}

TEST_P(Retention, DeadLettersPastTheCutoffArePurgedNewerOnesStay) {
  for (const auto& [id, created_at] : {std::pair{"DL_old", 100}, std::pair{"DL_new", 5000}}) {
    run(db_->exec(
        "INSERT INTO bus_dead_letters (id, consumer, msg_id, subject, payload, attempts, reason, "
        "created_at) VALUES ($1, 'webhooks', $1, 'events.webhooks.x', '{}', 3, 'gave up', $2)",
        store::args(id, created_at)));
  }
  EXPECT_EQ(run(bus::purge_dead_letters(*db_, 1000, 10)), 1);
  EXPECT_EQ(run(bus::purge_dead_letters(*db_, 1000, 10)), 0);
  auto left = run(db_->exec("SELECT id FROM bus_dead_letters"));
  ASSERT_EQ(left.rows.size(), 1u);
  EXPECT_EQ(left.rows[0].text(0), "DL_new");
}

std::string store_kind(const ::testing::TestParamInfo<std::string>& param) {
  return param.param;
}

INSTANTIATE_TEST_SUITE_P(Stores, Retention, ::testing::Values("sqlite", "postgres"), store_kind);

}  // namespace
}  // namespace irisx::webhooks
