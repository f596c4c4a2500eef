#include "api/json_body.hpp"

#include <algorithm>

namespace irisx::api {

nlohmann::json parse_json_object(const http::Request& request) {
  auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (auto type = request.header("content-type")) {
    std::string_view t = *type;
    bool json_type =
        t.substr(0, 16) == "application/json" || t.find("+json") != std::string_view::npos;
    // `curl -d` labels JSON as a form; accept that when the body really is JSON.
    bool form_with_json =
        t.substr(0, 33) == "application/x-www-form-urlencoded" && !body.is_discarded();
    if (!json_type && !form_with_json) {
      throw ApiError(415, "unsupported_media_type", "send the body as application/json");
    }
  }
  if (body.is_discarded()) throw bad_request("the request body is not valid JSON");
  if (!body.is_object()) throw bad_request("the request body must be a JSON object");
  return body;
}

Fields::Fields(const nlohmann::json& body, std::initializer_list<std::string_view> allowed)
    : body_(body) {
  for (const auto& [key, value] : body.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      errors_.push_back({key, "is not a known field"});
    }
  }
}

std::string Fields::required_string(const std::string& name, std::size_t max_length) {
  auto value = optional_string(name, max_length);
  if (!value && body_.find(name) == body_.end()) errors_.push_back({name, "is required"});
  return value.value_or("");
}

std::optional<std::string> Fields::optional_string(const std::string& name,
                                                   std::size_t max_length) {
  auto it = body_.find(name);
  if (it == body_.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    errors_.push_back({name, "must be a string"});
    return std::nullopt;
  }
  std::string value = it->get<std::string>();
  if (value.size() > max_length) {
    errors_.push_back({name, "must be at most " + std::to_string(max_length) + " characters"});
    return std::nullopt;
  }
  return value;
}

std::vector<std::string> Fields::required_string_list(const std::string& name,
                                                      std::size_t max_items) {
  if (body_.find(name) == body_.end()) {
    errors_.push_back({name, "is required"});
    return {};
  }
  return optional_string_list(name, max_items).value_or(std::vector<std::string>{});
}

std::optional<std::vector<std::string>> Fields::optional_string_list(const std::string& name,
                                                                     std::size_t max_items) {
  auto it = body_.find(name);
  if (it == body_.end() || it->is_null()) return std::nullopt;
  if (!it->is_array() || it->size() > max_items) {
    errors_.push_back(
        {name, "must be an array of at most " + std::to_string(max_items) + " strings"});
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : *it) {
    if (!item.is_string()) {
      errors_.push_back({name, "must contain only strings"});
      return std::nullopt;
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<bool> Fields::optional_bool(const std::string& name) {
  auto it = body_.find(name);
  if (it == body_.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) {
    errors_.push_back({name, "must be true or false"});
    return std::nullopt;
  }
  return it->get<bool>();
}

void Fields::add_error(std::string field, std::string message) {
  errors_.push_back({std::move(field), std::move(message)});
}

void Fields::finish() {
  if (!errors_.empty()) throw validation_failed(std::move(errors_));
}

}  // namespace irisx::api
