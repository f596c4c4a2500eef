// The phone number store (src/voice/numbers: NumberStore) against real SQLite and PostgreSQL,
// with the migrations applied the way `irisx migrate` applies them.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/id.hpp"
#include "integration/store_urls.hpp"
#include "voice/numbers/number_store.hpp"

namespace irisx::voice::numbers {
namespace {

using Type = VoiceApplication::Type;

VoiceApplication extension(std::string ext) {
  return {Type::extension, std::move(ext), 30};
}

class NumberStoreTest : public irisx::testing::MigratedStoreTest {
 protected:
  NumberStoreTest() : MigratedStoreTest("numbers") {}
  void SetUp() override {
    MigratedStoreTest::SetUp();
    add_tenants({"TN_A", "TN_B"});
    numbers_ = std::make_unique<NumberStore>(*db_);
  }

  PhoneNumber create(std::string tenant, std::string number, VoiceApplication app) {
    return run(numbers_->create(std::move(tenant), std::move(number), std::move(app)));
  }

  // The ApiError a call throws, or a failure when it succeeds.
  template <class F>
  ApiError error_of(F call) {
    try {
      call();
    } catch (const ApiError& e) {
      return e;
    }
    ADD_FAILURE() << "no ApiError";
    return ApiError(0, "", "");
  }

  std::unique_ptr<NumberStore> numbers_;
};

TEST_P(NumberStoreTest, CreatedNumberIsFoundByIdInItsTenantAndByNumberForRouting) {
  PhoneNumber created = create("TN_A", "+15551234567", {Type::dial, "+442071234567", 45});
  EXPECT_TRUE(is_id(created.id, "PN"));
  EXPECT_EQ(created.tenant_id, "TN_A");
  EXPECT_GT(created.created_at_ms, 0);
  EXPECT_EQ(created.updated_at_ms, created.created_at_ms);

  auto found = run(numbers_->find("TN_A", created.id));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->number, "+15551234567");
  EXPECT_EQ(found->application, (VoiceApplication{Type::dial, "+442071234567", 45}));
  EXPECT_EQ(found->created_at_ms, created.created_at_ms);

  auto routed = run(numbers_->find_by_number("+15551234567"));
  ASSERT_TRUE(routed);
  EXPECT_EQ(routed->id, created.id);
  EXPECT_EQ(routed->tenant_id, "TN_A");
  EXPECT_FALSE(run(numbers_->find_by_number("+15550000000")));
}

TEST_P(NumberStoreTest, EachApplicationTypeIsStoredAndReadBack) {
  const std::vector<VoiceApplication> apps = {
      extension("1001"), {Type::dial, "+15557654321", 30}, {Type::diagnostic, "milliwatt", 30}};
  for (std::size_t i = 0; i < apps.size(); ++i) {
    PhoneNumber created = create("TN_A", "+1555000000" + std::to_string(i), apps[i]);
    EXPECT_EQ(run(numbers_->find("TN_A", created.id))->application, apps[i]);
  }
}

TEST_P(NumberStoreTest, ANumberBelongsToOneTenantPlatformWide) {
  create("TN_A", "+15551234567", extension("1001"));
  ApiError taken = error_of([&] { create("TN_B", "+15551234567", extension("2002")); });
  EXPECT_EQ(taken.status(), 409);
  EXPECT_EQ(taken.code(), "number_taken");
  EXPECT_EQ(taken.detail().find("TN_A"), std::string::npos);  // nothing about the owner
  EXPECT_EQ(error_of([&] { create("TN_A", "+15551234567", extension("1002")); }).status(), 409);
  EXPECT_EQ(run(numbers_->find_by_number("+15551234567"))->tenant_id, "TN_A");
}

TEST_P(NumberStoreTest, AnotherTenantCanNeitherSeeNorChangeNorRemoveANumber) {
  PhoneNumber mine = create("TN_A", "+15551234567", extension("1001"));
  EXPECT_FALSE(run(numbers_->find("TN_B", mine.id)));
  EXPECT_FALSE(run(numbers_->update_application("TN_B", mine.id, extension("6666"))));
  EXPECT_FALSE(run(numbers_->remove("TN_B", mine.id)));
  EXPECT_TRUE(run(numbers_->list("TN_B", {})).items.empty());
  EXPECT_EQ(run(numbers_->find("TN_A", mine.id))->application, extension("1001"));
}

TEST_P(NumberStoreTest, ListIsNewestFirstAndPagesWithACursor) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(create("TN_A", "+1555100000" + std::to_string(i), extension("1001")).id);
  }
  create("TN_B", "+15552000000", extension("1001"));

  store::PageRequest page;
  page.limit = 2;
  auto first = run(numbers_->list("TN_A", page));
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_TRUE(first.has_more);
  EXPECT_EQ(first.items[0].id, ids[2]);
  EXPECT_EQ(first.items[1].id, ids[1]);

  page.after = store::Cursor{first.items.back().created_at_ms, first.items.back().id};
  auto second = run(numbers_->list("TN_A", page));
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_FALSE(second.has_more);
  EXPECT_EQ(second.items[0].id, ids[0]);
}

TEST_P(NumberStoreTest, UpdateReplacesTheApplicationThatRoutingSees) {
  PhoneNumber created = create("TN_A", "+15551234567", extension("1001"));
  auto updated =
      run(numbers_->update_application("TN_A", created.id, {Type::diagnostic, "echo", 30}));
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->application, (VoiceApplication{Type::diagnostic, "echo", 30}));
  EXPECT_EQ(updated->number, "+15551234567");
  EXPECT_EQ(updated->created_at_ms, created.created_at_ms);
  EXPECT_GE(updated->updated_at_ms, created.updated_at_ms);
  EXPECT_EQ(run(numbers_->find_by_number("+15551234567"))->application, updated->application);
}

TEST_P(NumberStoreTest, ARemovedNumberIsFreeForAnyTenant) {
  PhoneNumber created = create("TN_A", "+15551234567", extension("1001"));
  EXPECT_TRUE(run(numbers_->remove("TN_A", created.id)));
  EXPECT_FALSE(run(numbers_->remove("TN_A", created.id)));
  EXPECT_FALSE(run(numbers_->find("TN_A", created.id)));
  EXPECT_FALSE(run(numbers_->find_by_number("+15551234567")));
  EXPECT_EQ(create("TN_B", "+15551234567", extension("2002")).tenant_id, "TN_B");
}

TEST_P(NumberStoreTest, InvalidNumbersAndApplicationsNeverReachTheTable) {
  ApiError number = error_of([&] { create("TN_A", "5551234567", extension("1001")); });
  EXPECT_EQ(number.status(), 422);
  ASSERT_EQ(number.errors().size(), 1u);
  EXPECT_EQ(number.errors()[0].field, "number");

  ApiError app = error_of([&] { create("TN_A", "+15551234567", {Type::dial, "0800", 30}); });
  EXPECT_EQ(app.status(), 422);
  ASSERT_EQ(app.errors().size(), 1u);
  EXPECT_EQ(app.errors()[0].field, "voice_application");

  PhoneNumber created = create("TN_A", "+15551234567", extension("1001"));
  ApiError update = error_of([&] {
    run(numbers_->update_application("TN_A", created.id, {Type::dial, "+15557654321", 1}));
  });
  EXPECT_EQ(update.status(), 422);
  EXPECT_EQ(run(numbers_->find("TN_A", created.id))->application, extension("1001"));
  EXPECT_EQ(run(db_->exec("SELECT id FROM phone_numbers")).rows.size(), 1u);
}

std::string kind_name(const ::testing::TestParamInfo<std::string>& param) {
  return param.param;
}

INSTANTIATE_TEST_SUITE_P(Stores, NumberStoreTest, ::testing::Values("sqlite", "postgres"),
                         kind_name);

}  // namespace
}  // namespace irisx::voice::numbers
