#include "sip/dial_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

namespace irisx::testing {

SilentPeer::SilentPeer() {
  fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
}

SilentPeer::~SilentPeer() {
  ::close(fd);
}

std::string transfer_report(const SippResult& phone) {
  const auto type = phone.messages.find("message/sipfrag");
  if (type == std::string::npos) return {};
  const auto line = phone.messages.find("SIP/2.0 ", type);
  return line == std::string::npos ? std::string() : phone.messages.substr(line, 11);
}

void SipDial::start_with(const std::vector<Trunk>& trunks, const nlohmann::json& application,
                         const std::map<std::string, std::string>& extra) {
  const std::string path = ::testing::TempDir() + "trunks-" + std::to_string(::getpid()) + ".toml";
  std::ofstream file(path);
  // The caller (SIPp on 127.0.0.1) comes in through a trunk of its own.
  file << "[[trunk]]\nname = \"caller\"\nhost = \"127.0.0.1\"\nport = 9\n"
          "inbound_networks = [\"127.0.0.1/32\"]\n\n";
  for (const auto& t : trunks) {
    file << "[[trunk]]\nname = \"" << t.name << "\"\nhost = \"127.0.0.1\"\nport = " << t.port
         << "\ninbound_networks = []\n"
         << t.extra << "\n";
    // SIPp calls as "sipp", not an E.164 number: without a default the trunk is skipped.
    if (t.extra.find("default_caller_id") == std::string::npos)
      file << "default_caller_id = \"+15550000009\"\n";
  }
  file.close();
  std::map<std::string, std::string> env = {{"IRISX_ROLES", "api,voice"},
                                            {"IRISX_VOICE_TRUNKS_FILE", path}};
  for (const auto& [key, value] : extra) env[key] = value;
  start(env);
  tenant_ = signup(*irisx_);
  const auto created =
      irisx_->post("/v1/phone_numbers", {{"number", kDid}, {"voice_application", application}},
                   tenant_.access_token);
  ASSERT_EQ(created.status, 201) << created.body;
}

SippRun SipDial::caller(const std::string& scenario) const {
  SippRun run;
  run.scenario = scenario;
  run.service = kDid;
  return run;
}

SippRun SipDial::uas_run(const std::string& scenario, int port) const {
  SippRun run;
  run.scenario = scenario;
  run.service = "callee";
  run.local_port = port;
  return run;
}

void SipDial::register_phone(const std::string& extension, int port,
                             const std::string& contact_host, int from_port) {
  set_sip_password(*irisx_, tenant_.access_token, extension, "irisx-test-secret", kRealm);
  SippRun reg;
  reg.scenario = "uac-register-one.xml";
  reg.service = extension;
  reg.keys["domain"] = kRealm;
  reg.keys["contact"] = std::to_string(port);
  reg.keys["contact_host"] = contact_host;
  reg.local_port = from_port;
  reg.auth_username = extension;
  reg.auth_password = "irisx-test-secret";
  const SippResult registered = sipp(reg);
  ASSERT_EQ(registered.exit_code, 0) << registered.describe();
}

}  // namespace irisx::testing
