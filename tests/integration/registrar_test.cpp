// The registrar's store side (src/voice/registrar: Bindings, CredentialStore) against real
// SQLite and PostgreSQL, with migration 4 applied the way `irisx migrate` applies it.
#include <gtest/gtest.h>

#include <unistd.h>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "integration/store_urls.hpp"
#include "voice/registrar/bindings.hpp"
#include "voice/registrar/credentials.hpp"

namespace irisx::voice::registrar {
namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;

RegisterRequest request(std::string tenant, std::string call_id, std::int32_t cseq,
                        std::vector<ContactUpdate> contacts) {
  RegisterRequest r;
  r.tenant_id = std::move(tenant);
  r.extension = "1001";
  r.call_id = std::move(call_id);
  r.cseq = cseq;
  r.contacts = std::move(contacts);
  r.source = "198.51.100.7:5060";
  r.transport = "udp";
  r.user_agent = "desk-phone/2.1";
  r.now_ms = kNow;
  return r;
}

ContactUpdate contact(std::string uri, std::optional<std::int64_t> expires = std::nullopt) {
  return ContactUpdate{std::move(uri), expires, "<urn:uuid:00000000-0000-0000-0000-000000000001>"};
}

std::vector<std::string> uris(const std::vector<Binding>& bindings) {
  std::vector<std::string> out;
  for (const Binding& b : bindings) out.push_back(b.contact_uri);
  return out;
}

class RegistrarStoreTest : public irisx::testing::MigratedStoreTest {
 protected:
  RegistrarStoreTest() : MigratedStoreTest("registrar") {}
  void SetUp() override {
    MigratedStoreTest::SetUp();
    add_tenants({"TN_A", "TN_B"});
    bindings_ = std::make_unique<Bindings>(*db_);
    credentials_ = std::make_unique<CredentialStore>(*db_);
  }

  UpdateResult apply(RegisterRequest r) { return run(bindings_->apply(std::move(r))); }
  std::vector<Binding> lookup(std::string tenant, std::int64_t now) {
    return run(bindings_->lookup(std::move(tenant), "1001", now));
  }

  std::unique_ptr<Bindings> bindings_;
  std::unique_ptr<CredentialStore> credentials_;
};

TEST_P(RegistrarStoreTest, RegisteredContactsAreFoundUntilTheyExpire) {
  UpdateResult r =
      apply(request("TN_A", "c1", 1, {contact("sip:1001@10.0.0.5", 60), contact("sip:1001@b")}));
  ASSERT_EQ(r.outcome, Outcome::ok);
  EXPECT_EQ(r.bindings.size(), 2u);

  auto live = lookup("TN_A", kNow + 1);
  ASSERT_EQ(live.size(), 2u);
  EXPECT_EQ(live[0].contact_uri, "sip:1001@10.0.0.5");
  EXPECT_EQ(live[0].source, "198.51.100.7:5060");
  EXPECT_EQ(live[0].transport, "udp");
  EXPECT_EQ(live[0].user_agent, "desk-phone/2.1");
  EXPECT_EQ(live[0].call_id, "c1");
  EXPECT_EQ(live[0].cseq, 1);
  EXPECT_EQ(live[0].expires_at_ms, kNow + 60'000);
  EXPECT_EQ(live[0].instance, "<urn:uuid:00000000-0000-0000-0000-000000000001>");
  EXPECT_EQ(uris(lookup("TN_A", kNow + 60'000)), std::vector<std::string>{"sip:1001@b"});
}

TEST_P(RegistrarStoreTest, RefreshNeedsAHigherCseqWithinOneCallId) {
  apply(request("TN_A", "c1", 5, {contact("sip:a", 60)}));
  auto replay = request("TN_A", "c1", 5, {contact("sip:a", 3600)});
  replay.now_ms = kNow + 1000;
  EXPECT_EQ(apply(replay).outcome, Outcome::out_of_order);
  EXPECT_EQ(lookup("TN_A", kNow).at(0).expires_at_ms, kNow + 60'000);

  auto refresh = request("TN_A", "c1", 6, {contact("sip:a", 3600)});
  refresh.now_ms = kNow + 1000;
  ASSERT_EQ(apply(refresh).outcome, Outcome::ok);
  auto live = lookup("TN_A", kNow);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].cseq, 6);
  EXPECT_EQ(live[0].expires_at_ms, kNow + 1000 + 3'600'000);
}

TEST_P(RegistrarStoreTest, ZeroExpiresAndWildcardRemoveBindings) {
  apply(request("TN_A", "c1", 1, {contact("sip:a"), contact("sip:b"), contact("sip:c")}));
  ASSERT_EQ(apply(request("TN_A", "c1", 2, {contact("sip:b", 0)})).outcome, Outcome::ok);
  EXPECT_EQ(uris(lookup("TN_A", kNow)), (std::vector<std::string>{"sip:a", "sip:c"}));

  auto all = request("TN_A", "c1", 3, {});
  all.wildcard = true;
  all.expires = 0;
  UpdateResult r = apply(all);
  ASSERT_EQ(r.outcome, Outcome::ok);
  EXPECT_TRUE(r.bindings.empty());
  EXPECT_TRUE(lookup("TN_A", kNow).empty());
}

TEST_P(RegistrarStoreTest, TooBriefIntervalChangesNothingAndNamesTheMinimum) {
  UpdateResult r = apply(request("TN_A", "c1", 1, {contact("sip:a", 10)}));
  EXPECT_EQ(r.outcome, Outcome::interval_too_brief);
  EXPECT_EQ(r.min_expires_s, 60);
  EXPECT_TRUE(lookup("TN_A", kNow).empty());
}

TEST_P(RegistrarStoreTest, ContactLimitReplacesTheLeastRecentlyRefreshed) {
  for (int i = 0; i < 3; ++i) {
    auto r = request("TN_A", "c" + std::to_string(i), 1, {contact("sip:p" + std::to_string(i))});
    r.now_ms = kNow + i;
    r.limits.max_contacts = 3;
    ASSERT_EQ(apply(r).outcome, Outcome::ok);
  }
  auto r = request("TN_A", "c9", 1, {contact("sip:p9")});
  r.now_ms = kNow + 10;
  r.limits.max_contacts = 3;
  UpdateResult out = apply(r);
  ASSERT_EQ(out.outcome, Outcome::ok);
  EXPECT_EQ(uris(out.bindings), (std::vector<std::string>{"sip:p1", "sip:p2", "sip:p9"}));
  EXPECT_EQ(uris(lookup("TN_A", kNow + 10)), uris(out.bindings));
}

TEST_P(RegistrarStoreTest, BindingsAreScopedByTenant) {
  apply(request("TN_A", "c1", 1, {contact("sip:a")}));
  apply(request("TN_B", "c1", 1, {contact("sip:b")}));
  EXPECT_EQ(uris(lookup("TN_A", kNow)), std::vector<std::string>{"sip:a"});
  EXPECT_EQ(uris(lookup("TN_B", kNow)), std::vector<std::string>{"sip:b"});
  // The same Call-ID and CSeq in another tenant is no replay of this one.
  auto wildcard = request("TN_B", "c2", 1, {});
  wildcard.wildcard = true;
  wildcard.expires = 0;
  apply(wildcard);
  EXPECT_EQ(uris(lookup("TN_A", kNow)), std::vector<std::string>{"sip:a"});
}

TEST_P(RegistrarStoreTest, PurgeDeletesOnlyExpiredBindings) {
  apply(request("TN_A", "c1", 1, {contact("sip:short", 60), contact("sip:long", 3600)}));
  apply(request("TN_B", "c1", 1, {contact("sip:short", 60)}));
  EXPECT_EQ(run(bindings_->purge_expired(kNow + 60'000)), 2);
  EXPECT_EQ(run(bindings_->purge_expired(kNow + 60'000)), 0);
  EXPECT_EQ(uris(lookup("TN_A", kNow)), std::vector<std::string>{"sip:long"});
}

TEST_P(RegistrarStoreTest, CredentialsKeepHa1OnlyAndVerifyADigest) {
  run(credentials_->set_password("TN_A", "1001", "a.example", "hunter2-long"));
  auto found = run(credentials_->find("TN_A", "1001"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->tenant_id, "TN_A");
  EXPECT_EQ(found->realm, "a.example");
  EXPECT_EQ(found->ha1_md5, ha1("1001", "a.example", "hunter2-long", Algorithm::md5));
  EXPECT_EQ(found->ha1_sha256, ha1("1001", "a.example", "hunter2-long", Algorithm::sha256));

  store::Result row = run(db_->exec("SELECT * FROM sip_credentials"));
  for (std::size_t i = 0; i < row.front().size(); ++i) {
    if (const auto* text = std::get_if<std::string>(&row.front().at(i))) {
      EXPECT_EQ(text->find("hunter2"), std::string::npos);
    }
  }

  Credentials c;
  c.username = "1001";
  c.realm = "a.example";
  c.nonce = "n";
  c.uri = "sip:a.example";
  c.algorithm = "SHA-256";
  c.qop = "auth";
  c.nc = "00000001";
  c.cnonce = "cn";
  c.response = expected_response(found->ha1(Algorithm::sha256), "REGISTER", c.uri, c.nonce, c.nc,
                                 c.cnonce, c.qop, Algorithm::sha256);
  EXPECT_TRUE(verify(c, "REGISTER", found->ha1(Algorithm::sha256), Algorithm::sha256));
}

TEST_P(RegistrarStoreTest, SettingThePasswordAgainReplacesTheHa1) {
  run(credentials_->set_password("TN_A", "1001", "a.example", "first-password"));
  auto first = run(credentials_->find("TN_A", "1001"));
  run(credentials_->set_password("TN_A", "1001", "a.example", "second-password"));
  auto second = run(credentials_->find("TN_A", "1001"));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->id, second->id);
  EXPECT_EQ(second->ha1_md5, ha1("1001", "a.example", "second-password", Algorithm::md5));
  EXPECT_FALSE(run(credentials_->find("TN_B", "1001")));
}

TEST_P(RegistrarStoreTest, FindByRealmRefusesToGuessBetweenTenants) {
  run(credentials_->set_password("TN_A", "1001", "a.example", "pw-a-long-enough"));
  auto by_realm = run(credentials_->find_by_realm("a.example", "1001"));
  ASSERT_TRUE(by_realm);
  EXPECT_EQ(by_realm->tenant_id, "TN_A");
  EXPECT_FALSE(run(credentials_->find_by_realm("b.example", "1001")));

  run(credentials_->set_password("TN_B", "1001", "a.example", "pw-b-long-enough"));
  EXPECT_FALSE(run(credentials_->find_by_realm("a.example", "1001")));
}

TEST_P(RegistrarStoreTest, CredentialsListNewestFirstWithinTheTenant) {
  for (const char* ext : {"1001", "1002", "1003"}) {
    run(credentials_->set_password("TN_A", ext, "a.example", "pw-long-enough"));
  }
  run(credentials_->set_password("TN_B", "2001", "b.example", "pw-long-enough"));
  store::PageRequest page;
  page.limit = 2;
  auto first = run(credentials_->list("TN_A", page));
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_TRUE(first.has_more);
  EXPECT_EQ(first.items[0].extension, "1003");
  EXPECT_EQ(first.items[1].extension, "1002");
  page.after = store::Cursor{first.items.back().created_at_ms, first.items.back().id};
  auto second = run(credentials_->list("TN_A", page));
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_FALSE(second.has_more);
  EXPECT_EQ(second.items[0].extension, "1001");
  auto other = run(credentials_->list("TN_B", {}));
  ASSERT_EQ(other.items.size(), 1u);
  EXPECT_EQ(other.items[0].tenant_id, "TN_B");
}

TEST_P(RegistrarStoreTest, RemovedCredentialIsGone) {
  run(credentials_->set_password("TN_A", "1001", "a.example", "pw"));
  EXPECT_TRUE(run(credentials_->remove("TN_A", "1001")));
  EXPECT_FALSE(run(credentials_->remove("TN_A", "1001")));
  EXPECT_FALSE(run(credentials_->find("TN_A", "1001")));
}

std::string kind_name(const ::testing::TestParamInfo<std::string>& param) {
  return param.param;
}

INSTANTIATE_TEST_SUITE_P(Stores, RegistrarStoreTest, ::testing::Values("sqlite", "postgres"),
                         kind_name);

}  // namespace
}  // namespace irisx::voice::registrar
