#include "sip/voice_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <thread>

namespace irisx::testing {
namespace {

std::string column_text(sqlite3_stmt* statement, int column) {
  const unsigned char* text = sqlite3_column_text(statement, column);
  return text == nullptr ? "" : reinterpret_cast<const char*>(text);
}

std::vector<CallRecordRow> read_records(const std::string& path) {
  std::vector<CallRecordRow> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return rows;
  }
  sqlite3_busy_timeout(db, 2000);
  sqlite3_stmt* statement = nullptr;
  const char* sql =
      "SELECT id, hangup_cause, sip_status, codec, transport, packets_received, packets_sent, "
      "duration_ms, billable_s, answered_at IS NOT NULL, mos, digits, recording, direction, "
      "COALESCE(tenant_id, ''), COALESCE(trunk, ''), COALESCE(extension, ''), "
      "COALESCE(parent_call_id, '') FROM call_records ORDER BY started_at, id";
  if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK) {
    while (sqlite3_step(statement) == SQLITE_ROW) {
      CallRecordRow row;
      row.id = column_text(statement, 0);
      row.hangup_cause = column_text(statement, 1);
      row.sip_status = sqlite3_column_int(statement, 2);
      row.codec = column_text(statement, 3);
      row.transport = column_text(statement, 4);
      row.packets_received = sqlite3_column_int64(statement, 5);
      row.packets_sent = sqlite3_column_int64(statement, 6);
      row.duration_ms = sqlite3_column_int64(statement, 7);
      row.billable_s = sqlite3_column_int64(statement, 8);
      row.answered = sqlite3_column_int(statement, 9) != 0;
      row.mos = sqlite3_column_double(statement, 10);
      row.digits = column_text(statement, 11);
      row.recording = column_text(statement, 12);
      row.direction = column_text(statement, 13);
      row.tenant_id = column_text(statement, 14);
      row.trunk = column_text(statement, 15);
      row.extension = column_text(statement, 16);
      row.parent_call_id = column_text(statement, 17);
      rows.push_back(row);
    }
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return rows;
}

}  // namespace

const CallRecordRow& leg(const std::vector<CallRecordRow>& rows, const std::string& direction,
                         const std::string& trunk) {
  for (const auto& row : rows) {
    if (row.direction == direction && (trunk.empty() || row.trunk == trunk)) return row;
  }
  static const CallRecordRow none;
  ADD_FAILURE() << "no " << direction << " leg " << trunk;
  return none;
}

void wait_until_bound(int port) {
  if (!wait_for_udp_bind(port)) ADD_FAILURE() << "nothing bound UDP port " << port;
}

SippRun register_contacts_run(const std::string& extension, const std::string& realm,
                              const std::string& password, int contact_a, int contact_b) {
  SippRun reg;
  reg.scenario = "uac-register-contacts.xml";
  reg.service = extension;
  reg.keys["domain"] = realm;
  reg.keys["contact_a"] = std::to_string(contact_a);
  reg.keys["contact_b"] = std::to_string(contact_b);
  reg.auth_username = extension;
  reg.auth_password = password;
  return reg;
}

void set_sip_password(const IrisxProcess& irisx, const std::string& access_token,
                      const std::string& extension, const std::string& password,
                      const std::string& realm) {
  const auto result = irisx.request(
      "PUT", "/v1/sip/credentials/" + extension,
      nlohmann::json{{"password", password}, {"realm", realm}}.dump(),
      {{"Authorization", "Bearer " + access_token}, {"Content-Type", "application/json"}});
  ASSERT_EQ(result.status, 200) << result.body;
}

void VoiceEngineTest::SetUp() {
  start();
}

void VoiceEngineTest::TearDown() {
  // The engine's log is the first thing to read when a scenario fails.
  if (HasFailure() && irisx_) std::cerr << "--- irisx log:\n" << irisx_->log() << "\n";
  irisx_.reset();
}

void VoiceEngineTest::start(std::map<std::string, std::string> extra) {
  irisx_.reset();
  const auto [rtp_min, rtp_max] = engine_rtp_ports();
  std::map<std::string, std::string> env = {
      {"IRISX_ROLES", "voice"},
      {"IRISX_VOICE_SIP_LISTEN", "127.0.0.1:0"},
      {"IRISX_VOICE_DIAGNOSTICS", "1"},
      {"IRISX_VOICE_RTP_PORTS", std::to_string(rtp_min) + "-" + std::to_string(rtp_max)},
  };
  for (auto& [k, v] : extra) env[k] = v;
  if (env.count("IRISX_VOICE_TRUNKS_FILE") == 0) {
    // SIPp on 127.0.0.1 calls in as a carrier would: unknown numbers get 404, not 403.
    const std::string path =
        ::testing::TempDir() + "loopback-trunk-" + std::to_string(getpid()) + ".toml";
    std::ofstream(path) << "[[trunk]]\nname = \"loopback\"\nhost = \"127.0.0.1\"\nport = 9\n"
                           "inbound_networks = [\"127.0.0.1/32\"]\n";
    env["IRISX_VOICE_TRUNKS_FILE"] = path;
  }
  irisx_ = std::make_unique<IrisxProcess>(env);
  ASSERT_GT(irisx_->sip_port(), 0) << irisx_->log();
}

std::string VoiceEngineTest::target() const {
  return "127.0.0.1:" + std::to_string(irisx_->sip_port());
}

SippResult VoiceEngineTest::sipp(SippRun run) {
  if (run.target.empty()) run.target = target();
  return run_sipp(std::move(run));
}

std::vector<CallRecordRow> VoiceEngineTest::records(std::size_t count) {
  const std::string path = irisx_->data_dir() + "/irisx.db";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::vector<CallRecordRow> rows;
  while (std::chrono::steady_clock::now() < deadline) {
    rows = read_records(path);
    if (rows.size() >= count) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return rows;
}

}  // namespace irisx::testing
