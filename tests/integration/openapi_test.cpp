// The OpenAPI document describes exactly the routes the router serves, no more, no less.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "api/openapi.hpp"
#include "app/platform.hpp"

namespace irisx {
namespace {

TEST(OpenApi, DocumentListsExactlyTheRoutesTheRouterServes) {
  std::string dir =
      (std::filesystem::temp_directory_path() / ("irisx-openapi-" + std::to_string(::getpid())))
          .string();
  Config config;
  config.data_dir = dir;
  config.argon2_memory_kib = 8192;
  config.argon2_iterations = 1;
  app::Platform platform(config);

  std::set<std::string> served;
  for (const auto& route : platform.router().routes()) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    served.insert(method + " " + route.pattern);
  }
  auto doc = nlohmann::json::parse(api::openapi_document());
  ASSERT_EQ(doc["openapi"].get<std::string>().substr(0, 3), "3.1");
  std::set<std::string> documented;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      if (method == "parameters" || method == "summary" || method == "description") continue;
      documented.insert(method + " " + path);
      EXPECT_TRUE(op.contains("operationId")) << method << " " << path;
    }
  }
  for (const auto& r : served)
    EXPECT_TRUE(documented.count(r)) << "served but not documented: " << r;
  for (const auto& d : documented)
    EXPECT_TRUE(served.count(d)) << "documented but not served: " << d;
  EXPECT_GT(served.size(), 20u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace irisx
