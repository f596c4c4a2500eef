#pragma once
// Parsing and validating JSON request bodies. Malformed JSON or a non-object body is 400;
// missing, mistyped or unknown fields are collected and reported together as one 422.
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "http/message.hpp"

namespace irisx::api {

nlohmann::json parse_json_object(const http::Request& request);

class Fields {
 public:
  Fields(const nlohmann::json& body, std::initializer_list<std::string_view> allowed);

  std::string required_string(const std::string& name, std::size_t max_length = 1000);
  std::optional<std::string> optional_string(const std::string& name,
                                             std::size_t max_length = 1000);
  std::vector<std::string> required_string_list(const std::string& name,
                                                std::size_t max_items = 100);
  std::optional<std::vector<std::string>> optional_string_list(const std::string& name,
                                                               std::size_t max_items = 100);
  std::optional<bool> optional_bool(const std::string& name);
  // A problem found by a caller's own rules (a nested shape, a path parameter), reported in
  // the same 422 as the rest.
  void add_error(std::string field, std::string message);
  // Throws the collected 422 if anything was wrong.
  void finish();

 private:
  const nlohmann::json& body_;
  std::vector<FieldError> errors_;
};

}  // namespace irisx::api
