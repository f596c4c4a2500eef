#include "voice/registrar/rules.hpp"

#include <gtest/gtest.h>

namespace irisx::voice::registrar {
namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;

RegisterRequest request(std::string call_id, std::int32_t cseq,
                        std::vector<ContactUpdate> contacts = {}) {
  RegisterRequest r;
  r.tenant_id = "TN1";
  r.extension = "1001";
  r.call_id = std::move(call_id);
  r.cseq = cseq;
  r.contacts = std::move(contacts);
  r.source = "192.0.2.10:5060";
  r.transport = "udp";
  r.user_agent = "phone/1.0";
  r.now_ms = kNow;
  return r;
}

ContactUpdate contact(std::string uri, std::optional<std::int64_t> expires = std::nullopt) {
  return ContactUpdate{std::move(uri), expires, ""};
}

Binding stored(std::string uri, std::string call_id, std::int32_t cseq, std::int64_t expires_at,
               std::int64_t updated_at = kNow - 1000) {
  Binding b;
  b.tenant_id = "TN1";
  b.extension = "1001";
  b.contact_uri = std::move(uri);
  b.call_id = std::move(call_id);
  b.cseq = cseq;
  b.expires_at_ms = expires_at;
  b.updated_at_ms = updated_at;
  return b;
}

TEST(RegistrarRules, NewContactUsesExpiresHeaderThenDefault) {
  auto r = request("c1", 1, {contact("sip:a@1"), contact("sip:b@2", 120)});
  r.expires = 600;
  Decision d = decide(r, {});
  ASSERT_EQ(d.outcome, Outcome::ok);
  ASSERT_EQ(d.upserts.size(), 2u);
  EXPECT_EQ(d.upserts[0].expires_at_ms, kNow + 600'000);
  EXPECT_EQ(d.upserts[1].expires_at_ms, kNow + 120'000);
  EXPECT_EQ(d.upserts[0].source, "192.0.2.10:5060");
  EXPECT_EQ(d.bindings.size(), 2u);

  Decision defaulted = decide(request("c1", 1, {contact("sip:a@1")}), {});
  EXPECT_EQ(defaulted.upserts.at(0).expires_at_ms, kNow + 3'600'000);
}

TEST(RegistrarRules, ExpiresBelowMinimumIsTooBriefAndChangesNothing) {
  Decision d = decide(request("c1", 1, {contact("sip:a@1", 3600), contact("sip:b@1", 30)}),
                      {stored("sip:old@1", "x", 1, kNow + 5000)});
  EXPECT_EQ(d.outcome, Outcome::interval_too_brief);
  EXPECT_TRUE(d.upserts.empty());
  EXPECT_TRUE(d.removals.empty());
  EXPECT_EQ(d.bindings.size(), 1u);
}

TEST(RegistrarRules, ExpiresAboveMaximumIsClamped) {
  Decision d = decide(request("c1", 1, {contact("sip:a@1", 999'999'999)}), {});
  ASSERT_EQ(d.outcome, Outcome::ok);
  EXPECT_EQ(d.upserts.at(0).expires_at_ms, kNow + 7200'000);
}

TEST(RegistrarRules, ZeroExpiresRemovesTheBinding) {
  Decision d = decide(
      request("c2", 1, {contact("sip:a@1", 0)}),
      {stored("sip:a@1", "c1", 5, kNow + 60'000), stored("sip:b@1", "c1", 5, kNow + 60'000)});
  ASSERT_EQ(d.outcome, Outcome::ok);
  EXPECT_EQ(d.removals, std::vector<std::string>{"sip:a@1"});
  ASSERT_EQ(d.bindings.size(), 1u);
  EXPECT_EQ(d.bindings[0].contact_uri, "sip:b@1");
}

TEST(RegistrarRules, SameCallIdWithoutHigherCseqIsOutOfOrder) {
  std::vector<Binding> s = {stored("sip:a@1", "c1", 5, kNow + 60'000)};
  EXPECT_EQ(decide(request("c1", 5, {contact("sip:a@1")}), s).outcome, Outcome::out_of_order);
  EXPECT_EQ(decide(request("c1", 4, {contact("sip:a@1")}), s).outcome, Outcome::out_of_order);
  Decision newer = decide(request("c1", 6, {contact("sip:a@1")}), s);
  ASSERT_EQ(newer.outcome, Outcome::ok);
  EXPECT_EQ(newer.upserts.at(0).cseq, 6);
}

TEST(RegistrarRules, DifferentCallIdReplacesRegardlessOfCseq) {
  Decision d =
      decide(request("c2", 1, {contact("sip:a@1")}), {stored("sip:a@1", "c1", 50, kNow + 60'000)});
  ASSERT_EQ(d.outcome, Outcome::ok);
  EXPECT_EQ(d.upserts.at(0).call_id, "c2");
}

TEST(RegistrarRules, ExpiredBindingIsIgnoredAndCleanedUp) {
  // An expired binding no longer exists for §10.3, so its Call-ID/CSeq cannot block.
  Decision d = decide(request("c1", 1, {contact("sip:b@1")}),
                      {stored("sip:a@1", "c1", 9, kNow), stored("sip:b@1", "c1", 9, kNow - 1)});
  ASSERT_EQ(d.outcome, Outcome::ok);
  EXPECT_EQ(d.removals, std::vector<std::string>{"sip:a@1"});
  ASSERT_EQ(d.bindings.size(), 1u);
  EXPECT_EQ(d.bindings[0].cseq, 1);
}

TEST(RegistrarRules, WildcardWithExpiresZeroRemovesAll) {
  auto r = request("c9", 1);
  r.wildcard = true;
  r.expires = 0;
  Decision d =
      decide(r, {stored("sip:a@1", "c1", 5, kNow + 1000), stored("sip:b@1", "c1", 5, kNow - 1000)});
  ASSERT_EQ(d.outcome, Outcome::ok);
  EXPECT_EQ(d.removals.size(), 2u);
  EXPECT_TRUE(d.bindings.empty());
}

TEST(RegistrarRules, WildcardNeedsExpiresZeroAndNoOtherContact) {
  auto r = request("c9", 1);
  r.wildcard = true;
  EXPECT_EQ(decide(r, {}).outcome, Outcome::invalid_request);
  r.expires = 60;
  EXPECT_EQ(decide(r, {}).outcome, Outcome::invalid_request);
  r.expires = 0;
  r.contacts = {contact("sip:a@1")};
  EXPECT_EQ(decide(r, {}).outcome, Outcome::invalid_request);
}

TEST(RegistrarRules, WildcardWithStaleCseqOnSameCallIdIsOutOfOrder) {
  auto r = request("c1", 3);
  r.wildcard = true;
  r.expires = 0;
  Decision d = decide(r, {stored("sip:a@1", "c1", 3, kNow + 1000)});
  EXPECT_EQ(d.outcome, Outcome::out_of_order);
  EXPECT_TRUE(d.removals.empty());
}

TEST(RegistrarRules, NegativeExpiresIsInvalid) {
  EXPECT_EQ(decide(request("c1", 1, {contact("sip:a@1", -1)}), {}).outcome,
            Outcome::invalid_request);
}

TEST(RegistrarRules, QueryWithoutContactsReturnsLiveBindingsUnchanged) {
  Decision d = decide(request("c1", 1), {stored("sip:a@1", "c0", 1, kNow + 1000)});
  ASSERT_EQ(d.outcome, Outcome::ok);
  EXPECT_TRUE(d.upserts.empty());
  EXPECT_TRUE(d.removals.empty());
  EXPECT_EQ(d.bindings.size(), 1u);
}

TEST(RegistrarRules, OverTheContactLimitTheLeastRecentlyRefreshedIsReplaced) {
  auto r = request("c1", 1, {contact("sip:new@1")});
  r.limits.max_contacts = 2;
  Decision d = decide(r, {stored("sip:old@1", "x", 1, kNow + 9000, kNow - 5000),
                          stored("sip:mid@1", "y", 1, kNow + 9000, kNow - 10)});
  ASSERT_EQ(d.outcome, Outcome::ok);
  EXPECT_EQ(d.removals, std::vector<std::string>{"sip:old@1"});
  ASSERT_EQ(d.bindings.size(), 2u);
  EXPECT_EQ(d.bindings[0].contact_uri, "sip:mid@1");
  EXPECT_EQ(d.bindings[1].contact_uri, "sip:new@1");
}

TEST(RegistrarRules, RequestBindingMoreThanTheLimitItselfIsRefused) {
  auto r = request("c1", 1, {contact("sip:a@1"), contact("sip:b@1"), contact("sip:c@1")});
  r.limits.max_contacts = 2;
  Decision d = decide(r, {});
  EXPECT_EQ(d.outcome, Outcome::too_many_contacts);
  EXPECT_TRUE(d.upserts.empty());
}

}  // namespace
}  // namespace irisx::voice::registrar
