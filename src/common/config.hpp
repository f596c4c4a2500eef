#pragma once
// Configuration with a schema: defaults, then a TOML file, then IRISX_* environment
// variables, then command-line flags. A key that the schema does not know (in the file or as
// an IRISX_* variable) is an error at start-up, so a typo never silently means a default.
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace irisx {

struct Config {
  std::string data_dir = "./var";

  std::string listen = "127.0.0.1:8080";
  int threads = 0;  // 0: one per core
  std::int64_t body_limit = 1 << 20;
  std::int64_t read_timeout_ms = 30000;
  std::int64_t drain_timeout_ms = 10000;
  std::vector<std::string> cors_origins;
  std::string public_url;  // how clients reach us; printed at start-up

  std::string database_url;  // empty: sqlite:<data_dir>/irisx.db
  int database_pool_size = 8;

  std::string log_level = "info";
  std::string log_format = "text";
  bool access_log = true;

  std::string secret_key;  // empty: generated once into <data_dir>/secret.key
  std::int64_t access_token_ttl_s = 900;
  std::int64_t refresh_token_ttl_s = 30LL * 24 * 3600;
  std::int64_t operator_session_ttl_s = 12 * 3600;
  int login_max_failures = 5;
  std::int64_t login_window_s = 900;
  int argon2_memory_kib = 19456;  // OWASP's Argon2id floor: m=19 MiB, t=2, p=1
  int argon2_iterations = 2;
  int argon2_parallelism = 1;

  bool rate_limit_enabled = true;
  double api_key_rate_per_s = 100;
  double api_key_burst = 200;
  double tenant_rate_per_s = 200;
  double tenant_burst = 400;

  std::vector<std::string> roles = {"api", "worker"};  // of api, worker, voice

  std::string nats_url;  // empty: the embedded, store-backed bus
  std::int64_t bus_ack_wait_ms = 60000;
  std::int64_t bus_poll_interval_ms = 20;
  std::int64_t event_retention_days = 30;

  std::vector<std::string> webhook_allow_networks;  // CIDRs exempt from the SSRF guard
  std::int64_t webhook_timeout_ms = 15000;
  std::vector<std::string> webhook_retry_schedule = {"5s", "5m", "30m", "2h", "5h", "10h", "10h"};
  std::int64_t webhook_disable_after_s = 5LL * 24 * 3600;
  int webhook_max_in_flight = 256;
  int webhook_max_in_flight_per_endpoint = 64;

  std::string sip_listen = "127.0.0.1:5060";
  std::string rtp_ports = "20000-29999";
  std::string media_address;  // empty: the SIP listen host
  bool voice_diagnostics = false;
  int voice_max_calls = 10000;
  int voice_media_threads = 0;  // 0: one per core
  bool voice_registrar = true;
  std::string recordings_dir;     // empty: <data_dir>/recordings
  std::string voice_trunks_file;  // carrier trunks (src/voice/trunks); empty: none

  std::string effective_database_url() const;
  bool has_role(const std::string& role) const;
};

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Splits a HOST:PORT setting ("[::1]:5060" too); `key` names the setting in the ConfigError.
std::pair<std::string, std::uint16_t> split_host_port(const std::string& value,
                                                      const std::string& key);

struct ConfigKey {
  std::string key;  // "server.listen"
  std::string env;  // "IRISX_SERVER_LISTEN"
  std::string type;
  std::string help;
  std::string default_value;
};

// Loads configuration. `file` may be empty (no file); `environment` is usually from environ.
Config load_config(const std::string& file, const std::map<std::string, std::string>& environment,
                   const std::map<std::string, std::string>& overrides = {});
// Applies one key by its dotted name from text (used for CLI flags and env variables).
void set_config_value(Config& config, const std::string& key, const std::string& value);
std::vector<ConfigKey> config_schema();
std::map<std::string, std::string> current_environment();

}  // namespace irisx
