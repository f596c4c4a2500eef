#include "common/config.hpp"

#include <toml.hpp>

#include <algorithm>
#include <charconv>
#include <functional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

extern char** environ;

namespace irisx {
namespace {

using Parsed = std::variant<std::string, std::int64_t, bool, double, std::vector<std::string>>;
enum class Kind { text, integer, boolean, number, list };

struct Field {
  const char* key;
  Kind kind;
  const char* help;
  std::function<void(Config&, const Parsed&)> set;
  std::function<std::string(const Config&)> show;
};

template <class T>
std::function<void(Config&, const Parsed&)> setter(const char* key, T Config::*member) {
  return [key, member](Config& c, const Parsed& v) {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      const std::int64_t n = std::get<std::int64_t>(v);
      // Every integer setting is a count, size or duration: none may be negative.
      if (n < 0 || !std::in_range<T>(n)) {
        throw ConfigError("config " + std::string(key) + ": " + std::to_string(n) +
                          " is out of range");
      }
      c.*member = static_cast<T>(n);
    } else {
      (void)key;  // only integers report a range error
      c.*member = std::get<T>(v);
    }
  };
}

template <class T>
std::function<std::string(const Config&)> shower(T Config::*member) {
  return [member](const Config& c) -> std::string {
    const T& v = c.*member;
    if constexpr (std::is_same_v<T, std::string>) {
      return v;
    } else if constexpr (std::is_same_v<T, bool>) {
      return v ? "true" : "false";
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      std::string out;
      for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
      return out;
    } else {
      return std::to_string(v);
    }
  };
}

#define IRISX_FIELD(key, kind, member, help)                               \
  Field {                                                                  \
    key, kind, help, setter(key, &Config::member), shower(&Config::member) \
  }

const std::vector<Field>& fields() {
  static const std::vector<Field> all = {
      IRISX_FIELD("data_dir", Kind::text, data_dir,
                  "directory for the SQLite database and local files"),
      IRISX_FIELD("server.listen", Kind::text, listen,
                  "HOST:PORT to serve HTTP on (port 0 picks one)"),
      IRISX_FIELD("server.threads", Kind::integer, threads, "I/O threads; 0 means one per core"),
      IRISX_FIELD("server.body_limit", Kind::integer, body_limit, "largest request body in bytes"),
      IRISX_FIELD("server.read_timeout_ms", Kind::integer, read_timeout_ms,
                  "time to read a request, and keep-alive idle time"),
      IRISX_FIELD("server.drain_timeout_ms", Kind::integer, drain_timeout_ms,
                  "how long SIGTERM waits for in-flight requests"),
      IRISX_FIELD("server.cors_origins", Kind::list, cors_origins,
                  "origins allowed by CORS (comma-separated in env)"),
      IRISX_FIELD("server.public_url", Kind::text, public_url,
                  "external base URL, shown at start-up"),
      IRISX_FIELD("database.url", Kind::text, database_url,
                  "sqlite:PATH or postgres://user@host:port/db"),
      IRISX_FIELD("database.pool_size", Kind::integer, database_pool_size,
                  "connections in the pool"),
      IRISX_FIELD("log.level", Kind::text, log_level, "trace, debug, info, warn, error"),
      IRISX_FIELD("log.format", Kind::text, log_format, "text or json"),
      IRISX_FIELD("log.access", Kind::boolean, access_log, "write one access-log line per request"),
      IRISX_FIELD("auth.secret_key", Kind::text, secret_key,
                  "master secret (token signing, encryption at rest); generated into data_dir when "
                  "empty; all nodes of a cluster share it"),
      IRISX_FIELD("auth.access_token_ttl_s", Kind::integer, access_token_ttl_s,
                  "access token lifetime"),
      IRISX_FIELD("auth.refresh_token_ttl_s", Kind::integer, refresh_token_ttl_s,
                  "refresh token lifetime"),
      IRISX_FIELD("auth.operator_session_ttl_s", Kind::integer, operator_session_ttl_s,
                  "operator session lifetime"),
      IRISX_FIELD("auth.login_max_failures", Kind::integer, login_max_failures,
                  "failed logins per account before 429"),
      IRISX_FIELD("auth.login_window_s", Kind::integer, login_window_s,
                  "window for counting failed logins"),
      IRISX_FIELD("auth.argon2_memory_kib", Kind::integer, argon2_memory_kib,
                  "Argon2id memory cost"),
      IRISX_FIELD("auth.argon2_iterations", Kind::integer, argon2_iterations, "Argon2id time cost"),
      IRISX_FIELD("auth.argon2_parallelism", Kind::integer, argon2_parallelism, "Argon2id lanes"),
      IRISX_FIELD("rate_limit.enabled", Kind::boolean, rate_limit_enabled,
                  "enforce request rate limits"),
      IRISX_FIELD("rate_limit.api_key_per_second", Kind::number, api_key_rate_per_s,
                  "sustained requests per second per API key"),
      IRISX_FIELD("rate_limit.api_key_burst", Kind::number, api_key_burst,
                  "burst size per API key"),
      IRISX_FIELD("rate_limit.tenant_per_second", Kind::number, tenant_rate_per_s,
                  "sustained requests per second per tenant"),
      IRISX_FIELD("rate_limit.tenant_burst", Kind::number, tenant_burst, "burst size per tenant"),
      IRISX_FIELD("roles", Kind::list, roles,
                  "what this process runs: api, worker, voice (default api,worker)"),
      IRISX_FIELD("nats.url", Kind::text, nats_url,
                  "NATS JetStream server (nats://host:4222); empty: the embedded store-backed bus"),
      IRISX_FIELD("bus.ack_wait_ms", Kind::integer, bus_ack_wait_ms,
                  "how long a worker may hold a job before it is handed out again"),
      IRISX_FIELD("bus.poll_interval_ms", Kind::integer, bus_poll_interval_ms,
                  "how often idle consumers and the outbox relay look for work"),
      IRISX_FIELD("events.retention_days", Kind::integer, event_retention_days,
                  "how long events are kept and listed"),
      IRISX_FIELD("webhooks.allow_networks", Kind::list, webhook_allow_networks,
                  "CIDRs webhooks may reach although internal (e.g. 127.0.0.0/8)"),
      IRISX_FIELD("webhooks.timeout_ms", Kind::integer, webhook_timeout_ms,
                  "time allowed for one delivery attempt"),
      IRISX_FIELD("webhooks.retry_schedule", Kind::list, webhook_retry_schedule,
                  "waits before each retry (250ms, 5s, 5m, 2h …)"),
      IRISX_FIELD("webhooks.disable_after_s", Kind::integer, webhook_disable_after_s,
                  "an endpoint failing this long without a success is disabled"),
      IRISX_FIELD("webhooks.max_in_flight", Kind::integer, webhook_max_in_flight,
                  "delivery attempts in flight per worker process"),
      IRISX_FIELD("webhooks.max_in_flight_per_endpoint", Kind::integer,
                  webhook_max_in_flight_per_endpoint,
                  "delivery attempts in flight to one endpoint per worker process"),
      IRISX_FIELD("voice.sip_listen", Kind::text, sip_listen,
                  "HOST:PORT for SIP over UDP and TCP (port 0 picks one)"),
      IRISX_FIELD("voice.rtp_ports", Kind::text, rtp_ports, "LO-HI UDP port range for RTP/RTCP"),
      IRISX_FIELD("voice.media_address", Kind::text, media_address,
                  "IP address RTP binds to and SDP advertises; empty: the SIP host"),
      IRISX_FIELD("voice.diagnostics", Kind::boolean, voice_diagnostics,
                  "answer the diagnostic numbers echo, prompt, ivr-test and ring"),
      IRISX_FIELD("voice.max_calls", Kind::integer, voice_max_calls,
                  "live calls before new INVITEs get 503 with Retry-After"),
      IRISX_FIELD("voice.media_threads", Kind::integer, voice_media_threads,
                  "threads carrying calls and their RTP; 0 means one per core"),
      IRISX_FIELD("voice.registrar", Kind::boolean, voice_registrar,
                  "answer REGISTER for agent extensions (digest against stored credentials)"),
      IRISX_FIELD("voice.trunks_file", Kind::text, voice_trunks_file,
                  "TOML file of carrier trunks ([[trunk]] tables); empty: none"),
      IRISX_FIELD("voice.recordings_dir", Kind::text, recordings_dir,
                  "where call recordings are written; empty: <data_dir>/recordings"),
  };
  return all;
}
#undef IRISX_FIELD

std::string env_name(const std::string& key) {
  std::string out = "IRISX_";
  for (char c : key)
    out += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

const Field* find_field(const std::string& key) {
  for (const auto& f : fields()) {
    if (key == f.key) return &f;
  }
  return nullptr;
}

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::text:
      return "string";
    case Kind::integer:
      return "integer";
    case Kind::boolean:
      return "boolean";
    case Kind::number:
      return "number";
    case Kind::list:
      return "list of strings";
  }
  return "?";
}

Parsed parse_text(const Field& f, const std::string& value) {
  auto bad = [&] {
    return ConfigError("config " + std::string(f.key) + ": expected " + kind_name(f.kind) +
                       ", got '" + value + "'");
  };
  switch (f.kind) {
    case Kind::text:
      return value;
    case Kind::integer: {
      std::int64_t n = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || ptr != value.data() + value.size()) throw bad();
      return n;
    }
    case Kind::number: {
      try {
        std::size_t used = 0;
        double d = std::stod(value, &used);
        if (used != value.size()) throw bad();
        return d;
      } catch (const std::logic_error&) {
        throw bad();
      }
    }
    case Kind::boolean:
      if (value == "1" || value == "true" || value == "yes" || value == "on") return true;
      if (value == "0" || value == "false" || value == "no" || value == "off") return false;
      throw bad();
    case Kind::list: {
      std::vector<std::string> items;
      std::size_t start = 0;
      while (start <= value.size() && !value.empty()) {
        std::size_t comma = value.find(',', start);
        std::string item =
            value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        const auto first = item.find_first_not_of(" \t");
        const auto last = item.find_last_not_of(" \t");
        if (first != std::string::npos) items.push_back(item.substr(first, last - first + 1));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      return items;
    }
  }
  throw bad();
}

Parsed parse_toml(const Field& f, const toml::value& v) {
  try {
    switch (f.kind) {
      case Kind::text:
        return toml::get<std::string>(v);
      case Kind::integer:
        return static_cast<std::int64_t>(toml::get<toml::integer>(v));
      case Kind::boolean:
        return toml::get<bool>(v);
      case Kind::number:
        if (v.is_integer()) return static_cast<double>(v.as_integer());
        return toml::get<double>(v);
      case Kind::list:
        return toml::get<std::vector<std::string>>(v);
    }
  } catch (const toml::type_error&) {
  }
  throw ConfigError("config file: " + std::string(f.key) + " must be a " + kind_name(f.kind));
}

// A table is a known section when some field's key lies under it.
bool is_section(const std::string& prefix) {
  for (const auto& f : fields()) {
    if (std::string_view(f.key).rfind(prefix + ".", 0) == 0) return true;
  }
  return false;
}

void apply_table(Config& config, const toml::value& table, const std::string& prefix) {
  for (const auto& [name, value] : table.as_table()) {
    std::string key = prefix.empty() ? name : prefix + "." + name;
    if (const Field* f = find_field(key)) {
      f->set(config, parse_toml(*f, value));
    } else if (value.is_table() && is_section(key)) {
      apply_table(config, value, key);
    } else {
      throw ConfigError("config file: unknown key '" + key + "'");
    }
  }
}

}  // namespace

std::pair<std::string, std::uint16_t> split_host_port(const std::string& value,
                                                      const std::string& key) {
  const std::size_t colon = value.rfind(':');
  if (colon == std::string::npos) throw ConfigError(key + " must be HOST:PORT, got " + value);
  std::string host = value.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  int port = -1;
  try {
    port = std::stoi(value.substr(colon + 1));
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) throw ConfigError(key + " has a bad port: " + value);
  return {host, static_cast<std::uint16_t>(port)};
}

std::string Config::effective_database_url() const {
  if (!database_url.empty()) return database_url;
  return "sqlite:" + data_dir + "/irisx.db";
}

bool Config::has_role(const std::string& role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

void set_config_value(Config& config, const std::string& key, const std::string& value) {
  const Field* f = find_field(key);
  if (f == nullptr) throw ConfigError("unknown config key '" + key + "'");
  f->set(config, parse_text(*f, value));
}

Config load_config(const std::string& file, const std::map<std::string, std::string>& environment,
                   const std::map<std::string, std::string>& overrides) {
  Config config;
  if (!file.empty()) {
    toml::value root;
    try {
      root = toml::parse(file);
    } catch (const std::exception& e) {
      throw ConfigError("cannot read config file " + file + ": " + e.what());
    }
    apply_table(config, root, "");
  }
  for (const auto& [name, value] : environment) {
    if (name.rfind("IRISX_", 0) != 0) continue;
    const Field* match = nullptr;
    for (const auto& f : fields()) {
      if (env_name(f.key) == name) match = &f;
    }
    if (match == nullptr) throw ConfigError("unknown environment variable " + name);
    match->set(config, parse_text(*match, value));
  }
  for (const auto& [key, value] : overrides) set_config_value(config, key, value);
  return config;
}

std::vector<ConfigKey> config_schema() {
  std::vector<ConfigKey> out;
  Config defaults;
  for (const auto& f : fields()) {
    out.push_back({f.key, env_name(f.key), kind_name(f.kind), f.help, f.show(defaults)});
  }
  return out;
}

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    std::size_t eq = entry.find('=');
    if (eq != std::string::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

}  // namespace irisx
