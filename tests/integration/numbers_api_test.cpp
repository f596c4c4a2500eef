// /v1/phone_numbers against a real irisx on both stores: the lifecycle, one owner per number
// across tenants, tenant isolation, and the 400/422 answers for bodies that are wrong.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "integration/api_fixture.hpp"

namespace irisx::testing {
namespace {

const nlohmann::json kExtension = {{"type", "extension"}, {"extension", "1001"}};

class PhoneNumbers : public StoreSuite {
 protected:
  HttpResult create(const TenantLogin& t, const std::string& number,
                    const nlohmann::json& application = kExtension) {
    return send("POST", "/v1/phone_numbers", t.access_token,
                {{"number", number}, {"voice_application", application}});
  }

  // The 422's errors[] fields, in order.
  static std::vector<std::string> fields_of(const HttpResult& r) {
    std::vector<std::string> out;
    const nlohmann::json body = r.json();  // kept: a range-for over r.json()[…] would dangle
    for (const auto& e : body["errors"]) out.push_back(e.value("field", ""));
    return out;
  }
};

TEST_P(PhoneNumbers, CreateGetListPatchAndDelete) {
  auto t = signup(server());
  const std::string number = fresh_number();
  auto created = create(t, number, {{"type", "dial"}, {"number", "+442071234567"}});
  ASSERT_EQ(created.status, 201) << created.body;
  auto pn = created.json();
  const std::string id = pn["id"];
  EXPECT_EQ(id.substr(0, 2), "PN");
  EXPECT_EQ(pn["object"], "phone_number");
  EXPECT_EQ(pn["number"], number);
  // The default timeout is filled in, so what is stored is what is shown.
  EXPECT_EQ(pn["voice_application"],
            nlohmann::json({{"type", "dial"}, {"number", "+442071234567"}, {"timeout_s", 30}}));
  EXPECT_EQ(pn["created_at"], pn["updated_at"]);

  auto one = send("GET", "/v1/phone_numbers/" + id, t.access_token);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json(), pn);
  auto list = send("GET", "/v1/phone_numbers", t.access_token).json();
  ASSERT_EQ(list["data"].size(), 1u);
  EXPECT_EQ(list["data"][0], pn);
  EXPECT_EQ(list["has_more"], false);
  EXPECT_TRUE(list["next_cursor"].is_null());

  const nlohmann::json echo = {{"type", "diagnostic"}, {"name", "echo"}};
  auto patched =
      send("PATCH", "/v1/phone_numbers/" + id, t.access_token, {{"voice_application", echo}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json()["voice_application"], echo);
  EXPECT_EQ(patched.json()["number"], number);
  EXPECT_EQ(patched.json()["created_at"], pn["created_at"]);
  EXPECT_EQ(send("GET", "/v1/phone_numbers/" + id, t.access_token).json()["voice_application"],
            echo);

  auto deleted = send("DELETE", "/v1/phone_numbers/" + id, t.access_token);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  expect_problem(send("GET", "/v1/phone_numbers/" + id, t.access_token), 404, "not_found");
  expect_problem(send("DELETE", "/v1/phone_numbers/" + id, t.access_token), 404, "not_found");
  EXPECT_EQ(send("GET", "/v1/phone_numbers", t.access_token).json()["data"].size(), 0u);

  // Each change is an event (and so a webhook) and an audit entry; the failed DELETE neither.
  const nlohmann::json events =
      send("GET", "/v1/events?type=phone_number.*", t.access_token).json()["data"];
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0]["type"], "phone_number.deleted");
  EXPECT_EQ(events[1]["type"], "phone_number.updated");
  EXPECT_EQ(events[1]["data"]["voice_application"], echo);
  EXPECT_EQ(events[2]["type"], "phone_number.created");
  EXPECT_EQ(events[2]["data"], pn);
  const nlohmann::json audit = send("GET", "/v1/audit-log", t.access_token).json()["data"];
  std::vector<std::string> actions;
  for (const auto& entry : audit) {
    if (entry["target"]["id"] == id) actions.push_back(entry["action"]);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"phone_number.deleted", "phone_number.updated",
                                               "phone_number.created"}));
}

TEST_P(PhoneNumbers, ANumberAnyTenantHoldsIsTakenUntilItIsDeleted) {
  auto a = signup(server());
  auto b = signup(server());
  const std::string number = fresh_number();
  auto mine = create(a, number);
  ASSERT_EQ(mine.status, 201) << mine.body;
  auto theirs = create(b, number, {{"type", "diagnostic"}, {"name", "ring"}});
  expect_problem(theirs, 409, "number_taken");
  EXPECT_EQ(theirs.body.find(a.tenant_id), std::string::npos);  // who holds it stays private
  expect_problem(create(a, number), 409, "number_taken");
  EXPECT_EQ(send("GET", "/v1/phone_numbers", b.access_token).json()["data"].size(), 0u);

  ASSERT_EQ(
      send("DELETE", "/v1/phone_numbers/" + mine.json()["id"].get<std::string>(), a.access_token)
          .status,
      204);
  EXPECT_EQ(create(b, number).status, 201);
}

TEST_P(PhoneNumbers, AnotherTenantsNumberIsNotFound) {
  auto owner = signup(server());
  auto other = signup(server());
  auto created = create(owner, fresh_number());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string path = "/v1/phone_numbers/" + created.json()["id"].get<std::string>();
  expect_problem(send("GET", path, other.access_token), 404, "not_found");
  expect_problem(send("PATCH", path, other.access_token, {{"voice_application", kExtension}}), 404,
                 "not_found");
  expect_problem(send("DELETE", path, other.access_token), 404, "not_found");
  EXPECT_EQ(send("GET", "/v1/phone_numbers", other.access_token).json()["data"].size(), 0u);
  // Unknown and malformed ids look the same as foreign ones.
  expect_problem(
      send("GET", "/v1/phone_numbers/PN00000000000000000000000000000000", owner.access_token), 404,
      "not_found");
  expect_problem(send("GET", "/v1/phone_numbers/not-an-id", owner.access_token), 404, "not_found");
  EXPECT_EQ(send("GET", path, owner.access_token).json()["voice_application"], kExtension);
}

TEST_P(PhoneNumbers, BadNumbersAndApplicationsAreFieldErrors) {
  auto t = signup(server());
  for (const char* bad : {"15551234567", "+1 555 123 4567", "+0123456", "+1234567890123456",
                          "tel:+15551234567", ""}) {
    auto r = create(t, bad);
    expect_problem(r, 422, "validation_failed");
    EXPECT_EQ(fields_of(r), std::vector<std::string>{"number"}) << bad;
  }
  for (const nlohmann::json& bad : std::vector<nlohmann::json>{
           {{"type", "webhook"}, {"url", "https://example.com"}},
           {{"type", "extension"}, {"extension", "1"}},
           {{"type", "extension"}},
           {{"type", "dial"}, {"number", "5551234567"}},
           {{"type", "dial"}, {"number", "+15551234567"}, {"timeout_s", 4}},
           {{"type", "dial"}, {"number", "+15551234567"}, {"timeout_s", 601}},
           {{"type", "dial"}, {"number", "+15551234567"}, {"timeout_s", "30"}},
           {{"type", "dial"}, {"number", "+15551234567"}, {"timeout_s", 30.5}},
           {{"type", "diagnostic"}, {"name", "conference"}},
           {{"type", "diagnostic"}, {"name", "echo"}, {"extension", "1001"}},
           nlohmann::json::object(),
           "echo",
           42,
           nlohmann::json::array(),
           nullptr}) {
    auto r = create(t, fresh_number(), bad);
    expect_problem(r, 422, "validation_failed");
    EXPECT_EQ(fields_of(r), std::vector<std::string>{"voice_application"}) << bad.dump();
  }
  // Every problem of a body is reported at once, unknown fields included.
  auto many = send("POST", "/v1/phone_numbers", t.access_token,
                   {{"number", 15551234567LL}, {"colour", "red"}});
  expect_problem(many, 422, "validation_failed");
  EXPECT_EQ(fields_of(many), (std::vector<std::string>{"colour", "number", "voice_application"}));
  auto message =
      create(t, fresh_number(), {{"type", "dial"}, {"number", "+15551234567"}, {"timeout_s", 1}});
  EXPECT_EQ(message.json()["errors"][0]["message"], "timeout_s must be an integer from 5 to 600");
  EXPECT_EQ(send("GET", "/v1/phone_numbers", t.access_token).json()["data"].size(), 0u);
}

TEST_P(PhoneNumbers, MalformedJsonIs400AndAPatchNeedsAnApplication) {
  auto t = signup(server());
  const std::map<std::string, std::string> h = {{"Authorization", "Bearer " + t.access_token},
                                                {"Content-Type", "application/json"}};
  expect_problem(server().request("POST", "/v1/phone_numbers", R"({"number":"+1)", h), 400,
                 "bad_request");
  expect_problem(server().request("POST", "/v1/phone_numbers", R"(["+15551234567"])", h), 400,
                 "bad_request");
  auto created = create(t, fresh_number());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string path = "/v1/phone_numbers/" + created.json()["id"].get<std::string>();
  expect_problem(server().request("PATCH", path, "{", h), 400, "bad_request");
  auto empty = send("PATCH", path, t.access_token, nlohmann::json::object());
  expect_problem(empty, 422, "validation_failed");
  EXPECT_EQ(fields_of(empty), std::vector<std::string>{"voice_application"});
  auto renumber = send("PATCH", path, t.access_token,
                       {{"number", fresh_number()}, {"voice_application", kExtension}});
  expect_problem(renumber, 422, "validation_failed");
  EXPECT_EQ(fields_of(renumber), std::vector<std::string>{"number"});
}

TEST_P(PhoneNumbers, ListPagesNewestFirst) {
  auto t = signup(server());
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto r = create(t, fresh_number());
    ASSERT_EQ(r.status, 201) << r.body;
    ids.push_back(r.json()["id"]);
  }
  auto first = send("GET", "/v1/phone_numbers?limit=2", t.access_token).json();
  ASSERT_EQ(first["data"].size(), 2u);
  EXPECT_EQ(first["data"][0]["id"], ids[2]);
  EXPECT_EQ(first["data"][1]["id"], ids[1]);
  EXPECT_EQ(first["has_more"], true);
  auto second =
      send("GET", "/v1/phone_numbers?limit=2&after=" + first["next_cursor"].get<std::string>(),
           t.access_token)
          .json();
  ASSERT_EQ(second["data"].size(), 1u);
  EXPECT_EQ(second["data"][0]["id"], ids[0]);
  EXPECT_EQ(second["has_more"], false);
  expect_problem(send("GET", "/v1/phone_numbers?limit=0", t.access_token), 422,
                 "validation_failed");
}

TEST_P(PhoneNumbers, IdempotencyKeyReplaysTheCreation) {
  auto t = signup(server());
  const std::map<std::string, std::string> h = {{"Authorization", "Bearer " + t.access_token},
                                                {"Idempotency-Key", "add-number-1"}};
  const std::string body =
      nlohmann::json{{"number", fresh_number()}, {"voice_application", kExtension}}.dump();
  auto first = server().request("POST", "/v1/phone_numbers", body, h);
  auto again = server().request("POST", "/v1/phone_numbers", body, h);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(again.json()["id"], first.json()["id"]);
  const std::string other =
      nlohmann::json{{"number", fresh_number()}, {"voice_application", kExtension}}.dump();
  expect_problem(server().request("POST", "/v1/phone_numbers", other, h), 422,
                 "idempotency_key_reused");
  EXPECT_EQ(send("GET", "/v1/phone_numbers", t.access_token).json()["data"].size(), 1u);
}

TEST_P(PhoneNumbers, ReadingAndChangingNeedTheirScopes) {
  auto t = signup(server());
  auto created = create(t, fresh_number());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string reader = create_key(server(), t.access_token, {"numbers:read"});
  EXPECT_EQ(send("GET", "/v1/phone_numbers", reader).status, 200);
  EXPECT_EQ(
      send("GET", "/v1/phone_numbers/" + created.json()["id"].get<std::string>(), reader).status,
      200);
  expect_problem(send("POST", "/v1/phone_numbers", reader,
                      {{"number", fresh_number()}, {"voice_application", kExtension}}),
                 403, "insufficient_scope");
  expect_problem(
      send("DELETE", "/v1/phone_numbers/" + created.json()["id"].get<std::string>(), reader), 403,
      "insufficient_scope");
  const std::string other = create_key(server(), t.access_token, {"users:read"});
  expect_problem(send("GET", "/v1/phone_numbers", other), 403, "insufficient_scope");
}

INSTANTIATE_TEST_SUITE_P(Stores, PhoneNumbers, ::testing::Values("sqlite", "postgres"), store_name);

}  // namespace
}  // namespace irisx::testing
