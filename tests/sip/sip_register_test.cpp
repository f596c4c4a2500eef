// REGISTER with digest against credentials stored as HA1, into the location service.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include "integration/api_fixture.hpp"
#include "sip/voice_fixture.hpp"
#include "voice/registrar/digest.hpp"

namespace irisx::testing {
namespace {

constexpr const char* kRealm = "example.test";

// Stores extension 1001's credential the way the registrar expects it (HA1 only); there is no
// API for SIP credentials yet.
void store_credential(const std::string& db_path, const std::string& tenant_id,
                      const std::string& password) {
  using voice::registrar::Algorithm;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  const std::string sql =
      "INSERT INTO sip_credentials (id, tenant_id, extension, realm, ha1_md5, ha1_sha256, "
      "created_at, updated_at) VALUES ('SCtest', '" +
      tenant_id + "', '1001', '" + kRealm + "', '" +
      voice::registrar::ha1("1001", kRealm, password, Algorithm::md5) + "', '" +
      voice::registrar::ha1("1001", kRealm, password, Algorithm::sha256) + "', 0, 0)";
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

std::vector<std::string> bound_contacts(const std::string& db_path) {
  std::vector<std::string> contacts;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT contact_uri FROM sip_bindings WHERE extension = '1001' "
                       "ORDER BY contact_uri",
                       -1, &statement, nullptr);
    while (statement != nullptr && sqlite3_step(statement) == SQLITE_ROW) {
      contacts.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return contacts;
}

class SipRegister : public VoiceEngineTest {
 protected:
  void SetUp() override {
    start({{"IRISX_ROLES", "api,voice"}});
    const TenantLogin tenant = signup(*irisx_);
    db_ = irisx_->data_dir() + "/irisx.db";
    store_credential(db_, tenant.tenant_id, "irisx-test-secret");
  }
  std::string db_;
};

TEST_F(SipRegister, DigestRegistrationBindsTheContact) {
  SippRun run;
  run.scenario = "uac-register-digest.xml";
  run.service = "1001";
  run.keys["domain"] = kRealm;
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto contacts = bound_contacts(db_);
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].rfind("sip:1001@127.0.0.1:", 0), 0u) << contacts[0];
}

TEST_F(SipRegister, DigestRegistrationOverTcpBindsTheContact) {
  SippRun run;
  run.scenario = "uac-register-digest.xml";
  run.service = "1001";
  run.transport = "t1";
  run.keys["domain"] = kRealm;
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_EQ(bound_contacts(db_).size(), 1u);
}

TEST_F(SipRegister, AWrongPasswordIsForbiddenAndBindsNothing) {
  SippRun run;
  run.scenario = "uac-register-wrong-password.xml";
  run.service = "1001";
  run.keys["domain"] = kRealm;
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  EXPECT_TRUE(bound_contacts(db_).empty());
}

TEST_F(SipRegister, AnUnknownExtensionIsForbidden) {
  SippRun run;
  run.scenario = "uac-register-wrong-password.xml";  // 401, then 403
  run.service = "2002";
  run.keys["domain"] = kRealm;
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
}

}  // namespace
}  // namespace irisx::testing
