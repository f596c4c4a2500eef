#include "common/config.hpp"

#include "common/time.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace irisx {
namespace {

// A TOML file in the test's temporary directory, removed when the test ends.
class TempToml {
 public:
  explicit TempToml(const std::string& text) {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    path_ = testing::TempDir() + "irisx-config-" + info->name() + "-" + std::to_string(::getpid()) +
            ".toml";
    std::ofstream(path_) << text;
  }
  ~TempToml() { std::remove(path_.c_str()); }
  TempToml(const TempToml&) = delete;
  TempToml& operator=(const TempToml&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The ConfigError message from loading, or "" when loading succeeded.
std::string load_error(const std::string& file, const std::map<std::string, std::string>& env,
                       const std::map<std::string, std::string>& overrides = {}) {
  try {
    load_config(file, env, overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Config, DefaultsWithoutFileOrEnvironment) {
  Config c = load_config("", {});
  EXPECT_EQ(c.data_dir, "./var");
  EXPECT_EQ(c.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.threads, 0);
  EXPECT_EQ(c.body_limit, 1 << 20);
  EXPECT_TRUE(c.cors_origins.empty());
  EXPECT_TRUE(c.database_url.empty());
  EXPECT_EQ(c.log_level, "info");
  EXPECT_TRUE(c.access_log);
  EXPECT_TRUE(c.rate_limit_enabled);
  EXPECT_DOUBLE_EQ(c.api_key_rate_per_s, 100.0);
  EXPECT_EQ(c.argon2_memory_kib, 19456);
}

TEST(Config, FileSetsNestedKeysOfEveryType) {
  TempToml file(R"(data_dir = "/srv/irisx"
[server]
listen = "0.0.0.0:9000"
threads = 3
cors_origins = ["https://app.example", "https://admin.example"]
[log]
access = false
[rate_limit]
api_key_per_second = 5
api_key_burst = 2.5
)");
  Config c = load_config(file.path(), {});
  EXPECT_EQ(c.data_dir, "/srv/irisx");
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.threads, 3);
  EXPECT_EQ(c.cors_origins,
            (std::vector<std::string>{"https://app.example", "https://admin.example"}));
  EXPECT_FALSE(c.access_log);
  EXPECT_DOUBLE_EQ(c.api_key_rate_per_s, 5.0);  // a TOML integer where a number is expected
  EXPECT_DOUBLE_EQ(c.api_key_burst, 2.5);
  EXPECT_EQ(c.log_level, "info");  // untouched keys keep their defaults
}

TEST(Config, FileAcceptsDottedKeys) {
  TempToml file("server.listen = \"10.0.0.1:80\"\nrate_limit.api_key_per_second = 7.5\n");
  Config c = load_config(file.path(), {});
  EXPECT_EQ(c.listen, "10.0.0.1:80");
  EXPECT_DOUBLE_EQ(c.api_key_rate_per_s, 7.5);
}

TEST(Config, UnknownKeyInFileNamesTheKey) {
  TempToml typo("[server]\nlisen = \"x\"\n");
  EXPECT_TRUE(contains(load_error(typo.path(), {}), "server.lisen"));
}

TEST(Config, UnknownTopLevelKeyOrTableInFileFails) {
  TempToml key("colour = \"blue\"\n");
  EXPECT_TRUE(contains(load_error(key.path(), {}), "colour"));
  TempToml table("[sever]\nlisten = \"x\"\n");
  EXPECT_TRUE(contains(load_error(table.path(), {}), "'sever'"));
}

TEST(Config, WrongTypeInFileFailsNamingTheKey) {
  const char* cases[] = {
      "[server]\nlisten = 8080\n",         "[server]\nthreads = \"four\"\n",
      "[server]\nthreads = 1.5\n",         "[server]\ncors_origins = \"https://a\"\n",
      "[server]\ncors_origins = [1, 2]\n", "[log]\naccess = \"yes\"\n",
      "[rate_limit]\nenabled = 1\n",       "[rate_limit]\napi_key_burst = \"lots\"\n",
  };
  for (const char* text : cases) {
    TempToml file(text);
    std::string error = load_error(file.path(), {});
    EXPECT_FALSE(error.empty()) << text;
    EXPECT_TRUE(contains(error, "must be a")) << text << " -> " << error;
  }
  TempToml listen("[server]\nlisten = 8080\n");
  EXPECT_TRUE(contains(load_error(listen.path(), {}), "server.listen"));
}

TEST(Config, UnreadableOrMalformedFileFails) {
  EXPECT_THROW(load_config(testing::TempDir() + "irisx-no-such-file.toml", {}), ConfigError);
  TempToml broken("[server\nlisten = \n");
  EXPECT_THROW(load_config(broken.path(), {}), ConfigError);
}

TEST(Config, EnvironmentOverridesFile) {
  TempToml file("[server]\nlisten = \"0.0.0.0:9000\"\nthreads = 3\n");
  Config c = load_config(file.path(), {{"IRISX_SERVER_LISTEN", "127.0.0.1:7000"}});
  EXPECT_EQ(c.listen, "127.0.0.1:7000");
  EXPECT_EQ(c.threads, 3);
}

TEST(Config, EnvironmentSetsEveryType) {
  Config c =
      load_config("", {{"IRISX_SERVER_THREADS", "4"},
                       {"IRISX_LOG_ACCESS", "false"},
                       {"IRISX_RATE_LIMIT_ENABLED", "off"},
                       {"IRISX_RATE_LIMIT_API_KEY_PER_SECOND", "2.5"},
                       {"IRISX_SERVER_CORS_ORIGINS", "https://a.example,,https://b.example,"}});
  EXPECT_EQ(c.threads, 4);
  EXPECT_FALSE(c.access_log);
  EXPECT_FALSE(c.rate_limit_enabled);
  EXPECT_DOUBLE_EQ(c.api_key_rate_per_s, 2.5);
  // Empty items between or after commas are dropped.
  EXPECT_EQ(c.cors_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
}

TEST(Config, EnvironmentBooleanSpellings) {
  for (const char* yes : {"1", "true", "yes", "on"}) {
    EXPECT_TRUE(load_config("", {{"IRISX_LOG_ACCESS", yes}}).access_log) << yes;
  }
  for (const char* no : {"0", "false", "no", "off"}) {
    EXPECT_FALSE(load_config("", {{"IRISX_LOG_ACCESS", no}}).access_log) << no;
  }
}

TEST(Config, UnknownIrisxEnvironmentVariableFailsNamingIt) {
  EXPECT_TRUE(contains(load_error("", {{"IRISX_FOO", "1"}}), "IRISX_FOO"));
  EXPECT_TRUE(contains(load_error("", {{"IRISX_SERVER_LISEN", "x"}}), "IRISX_SERVER_LISEN"));
}

TEST(Config, NonIrisxEnvironmentVariablesAreIgnored) {
  Config c = load_config("", {{"PATH", "/bin"},
                              {"HOME", "/root"},
                              {"XIRISX_FOO", "1"},
                              {"irisx_server_listen", "1.2.3.4:5"},
                              {"IRISXSERVER_LISTEN", "1.2.3.4:5"}});
  EXPECT_EQ(c.listen, "127.0.0.1:8080");
}

TEST(Config, BadIntegerInEnvironmentFails) {
  for (const char* bad : {"many", "12abc", "", "1.5", " 4", "99999999999999999999"}) {
    std::string error = load_error("", {{"IRISX_SERVER_THREADS", bad}});
    EXPECT_TRUE(contains(error, "server.threads")) << "'" << bad << "' -> " << error;
  }
}

TEST(Config, IntegerOutOfRangeForFieldFails) {
  EXPECT_THROW(load_config("", {{"IRISX_SERVER_THREADS", "4294967297"}}), ConfigError);
  TempToml file("[database]\npool_size = 4294967304\n");
  EXPECT_THROW(load_config(file.path(), {}), ConfigError);
}

TEST(Config, NegativeIntegerFails) {
  EXPECT_THROW(load_config("", {{"IRISX_SERVER_BODY_LIMIT", "-1"}}), ConfigError);
  TempToml file("[database]\npool_size = -2\n");
  EXPECT_THROW(load_config(file.path(), {}), ConfigError);
}

TEST(Config, UnknownEmptyTableInFileFails) {
  TempToml file("[serverr]\n");
  EXPECT_THROW(load_config(file.path(), {}), ConfigError);
}

TEST(Config, ListItemsFromEnvironmentAreTrimmed) {
  Config c =
      load_config("", {{"IRISX_SERVER_CORS_ORIGINS", " https://a.example , https://b.example"}});
  EXPECT_EQ(c.cors_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
}

TEST(Config, BadBooleanOrNumberInEnvironmentFails) {
  EXPECT_TRUE(contains(load_error("", {{"IRISX_LOG_ACCESS", "maybe"}}), "log.access"));
  EXPECT_TRUE(contains(load_error("", {{"IRISX_LOG_ACCESS", ""}}), "log.access"));
  EXPECT_THROW(load_config("", {{"IRISX_RATE_LIMIT_API_KEY_BURST", "fast"}}), ConfigError);
  EXPECT_THROW(load_config("", {{"IRISX_RATE_LIMIT_API_KEY_BURST", "1.5x"}}), ConfigError);
}

TEST(Config, OverridesBeatEnvironmentAndFile) {
  TempToml file("[server]\nlisten = \"0.0.0.0:9000\"\n");
  Config c = load_config(file.path(), {{"IRISX_SERVER_LISTEN", "127.0.0.1:7000"}},
                         {{"server.listen", "1.2.3.4:1"}});
  EXPECT_EQ(c.listen, "1.2.3.4:1");
}

TEST(Config, UnknownOverrideFails) {
  EXPECT_TRUE(contains(load_error("", {}, {{"server.lisen", "x"}}), "server.lisen"));
}

TEST(Config, SetConfigValueParsesByKeyType) {
  Config c;
  set_config_value(c, "server.body_limit", "2048");
  set_config_value(c, "rate_limit.tenant_burst", "12.5");
  set_config_value(c, "server.cors_origins", "https://x.example");
  EXPECT_EQ(c.body_limit, 2048);
  EXPECT_DOUBLE_EQ(c.tenant_burst, 12.5);
  EXPECT_EQ(c.cors_origins, (std::vector<std::string>{"https://x.example"}));
  EXPECT_THROW(set_config_value(c, "server.body_limit", "big"), ConfigError);
  EXPECT_THROW(set_config_value(c, "nope", "1"), ConfigError);
}

TEST(Config, DefaultDatabaseIsSqliteInTheDataDirectory) {
  EXPECT_EQ(load_config("", {}).effective_database_url(), "sqlite:./var/irisx.db");
  Config c = load_config("", {{"IRISX_DATA_DIR", "/srv/irisx"}});
  EXPECT_EQ(c.effective_database_url(), "sqlite:/srv/irisx/irisx.db");
  c.database_url = "postgres://irisx@db:5432/irisx";
  EXPECT_EQ(c.effective_database_url(), "postgres://irisx@db:5432/irisx");
}

TEST(ConfigSchema, ListsEveryKeyWithItsEnvironmentName) {
  const std::set<std::string> expected = {
      "data_dir",
      "server.listen",
      "server.threads",
      "server.body_limit",
      "server.read_timeout_ms",
      "server.drain_timeout_ms",
      "server.cors_origins",
      "server.public_url",
      "database.url",
      "database.pool_size",
      "log.level",
      "log.format",
      "log.access",
      "auth.secret_key",
      "auth.access_token_ttl_s",
      "auth.refresh_token_ttl_s",
      "auth.operator_session_ttl_s",
      "auth.login_max_failures",
      "auth.login_window_s",
      "auth.argon2_memory_kib",
      "auth.argon2_iterations",
      "auth.argon2_parallelism",
      "rate_limit.enabled",
      "rate_limit.api_key_per_second",
      "rate_limit.api_key_burst",
      "rate_limit.tenant_per_second",
      "rate_limit.tenant_burst",
      "roles",
      "nats.url",
      "bus.ack_wait_ms",
      "bus.poll_interval_ms",
      "events.retention_days",
      "webhooks.allow_networks",
      "webhooks.timeout_ms",
      "webhooks.retry_schedule",
      "webhooks.disable_after_s",
      "webhooks.max_in_flight",
      "webhooks.max_in_flight_per_endpoint",
      "voice.sip_listen",
      "voice.rtp_ports",
      "voice.media_address",
      "voice.diagnostics",
      "voice.max_calls",
      "voice.media_threads",
      "voice.registrar",
      "voice.recordings_dir",
      "voice.trunks_file",
  };
  std::set<std::string> keys, envs;
  for (const ConfigKey& k : config_schema()) {
    std::string env = "IRISX_";
    for (char c : k.key)
      env += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(k.env, env) << k.key;
    EXPECT_FALSE(k.help.empty()) << k.key;
    EXPECT_FALSE(k.type.empty()) << k.key;
    keys.insert(k.key);
    envs.insert(k.env);
  }
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(envs.size(), expected.size());  // no two keys share an environment name
}

TEST(ConfigSchema, DescribesTypesAndDefaults) {
  bool saw_listen = false, saw_rate = false, saw_cors = false;
  for (const ConfigKey& k : config_schema()) {
    if (k.key == "server.listen") {
      saw_listen = true;
      EXPECT_EQ(k.env, "IRISX_SERVER_LISTEN");
      EXPECT_EQ(k.type, "string");
      EXPECT_EQ(k.default_value, "127.0.0.1:8080");
    } else if (k.key == "rate_limit.api_key_per_second") {
      saw_rate = true;
      EXPECT_EQ(k.type, "number");
    } else if (k.key == "server.cors_origins") {
      saw_cors = true;
      EXPECT_EQ(k.type, "list of strings");
      EXPECT_EQ(k.default_value, "");
    }
  }
  EXPECT_TRUE(saw_listen && saw_rate && saw_cors);
}

TEST(ConfigSchema, EveryEnvironmentNameIsAcceptedWithItsDefault) {
  for (const ConfigKey& k : config_schema()) {
    EXPECT_NO_THROW(load_config("", {{k.env, k.default_value}})) << k.env;
  }
}

// The delivery rules promised to tenants (docs/webhooks.md): a 15 s timeout, retries after
// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, and disabling after 5 days of failures.
TEST(Config, DefaultsAreTheDocumentedWebhookDeliveryRules) {
  const Config config;
  std::vector<std::int64_t> waits;
  for (const auto& text : config.webhook_retry_schedule) waits.push_back(*parse_duration_ms(text));
  constexpr std::int64_t s = 1000, min = 60 * s, h = 60 * min;
  EXPECT_EQ(waits,
            (std::vector<std::int64_t>{5 * s, 5 * min, 30 * min, 2 * h, 5 * h, 10 * h, 10 * h}));
  EXPECT_EQ(config.webhook_timeout_ms, 15 * s);
  EXPECT_EQ(config.webhook_disable_after_s, 5 * 24 * 3600);
}

}  // namespace
}  // namespace irisx
