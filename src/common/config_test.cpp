#include "common/config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace irisx {
namespace {

std::string write_temp(const std::string& text) {
  std::string path = testing::TempDir() + "irisx-config-" + std::to_string(::getpid()) + ".toml";
  std::ofstream(path) << text;
  return path;
}

TEST(Config, FileThenEnvironmentThenOverrides) {
  std::string path = write_temp("[server]\nlisten = \"0.0.0.0:9000\"\nthreads = 3\n[rate_limit]\napi_key_per_second = 5\n");
  Config c = load_config(path, {{"IRISX_SERVER_THREADS", "4"}, {"PATH", "/bin"}}, {{"server.listen", "1.2.3.4:1"}});
  EXPECT_EQ(c.listen, "1.2.3.4:1");
  EXPECT_EQ(c.threads, 4);
  EXPECT_DOUBLE_EQ(c.api_key_rate_per_s, 5.0);
}

TEST(Config, UnknownKeyInFileFails) {
  std::string path = write_temp("[server]\nlisen = \"x\"\n");
  try {
    load_config(path, {});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("server.lisen"), std::string::npos);
  }
}

TEST(Config, UnknownOrMalformedEnvironmentFails) {
  EXPECT_THROW(load_config("", {{"IRISX_SERVER_LISEN", "x"}}), ConfigError);
  EXPECT_THROW(load_config("", {{"IRISX_SERVER_THREADS", "many"}}), ConfigError);
  EXPECT_THROW(load_config("", {{"IRISX_LOG_ACCESS", "maybe"}}), ConfigError);
}

TEST(Config, DefaultDatabaseIsSqliteInTheDataDirectory) {
  Config c = load_config("", {{"IRISX_DATA_DIR", "/srv/irisx"}});
  EXPECT_EQ(c.effective_database_url(), "sqlite:/srv/irisx/irisx.db");
}

TEST(Config, SchemaNamesEveryEnvironmentVariable) {
  for (const auto& key : config_schema()) {
    EXPECT_EQ(key.env.rfind("IRISX_", 0), 0u) << key.key;
    EXPECT_FALSE(key.help.empty()) << key.key;
  }
}

}  // namespace
}  // namespace irisx
