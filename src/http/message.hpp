#pragma once
// Request and response as the rest of IRISX sees them. Deliberately free of Beast so that only
// server.cpp compiles the HTTP parser.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace irisx::http {

using Headers = std::vector<std::pair<std::string, std::string>>;  // names lower-case

struct Request {
  std::string method;  // upper-case: GET, POST, …
  std::string path;    // percent-decoded, without the query
  std::string query;   // raw query string (after '?')
  Headers headers;
  std::string body;
  std::string remote_ip;
  std::string request_id;
  std::vector<std::pair<std::string, std::string>> path_params;  // filled by the router
  std::string route;                                             // matched pattern, for metrics

  std::optional<std::string_view> header(std::string_view lower_name) const;
  std::optional<std::string> query_param(std::string_view name) const;
  const std::string& param(std::string_view name) const;  // a path parameter; must exist
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  std::string content_type = "application/json";

  void set_header(std::string name, std::string value);
  static Response json(int status, std::string body);
  static Response empty(int status);  // e.g. 204
};

// '+' means a space only in query strings (application/x-www-form-urlencoded).
std::string percent_decode(std::string_view text, bool plus_is_space = false);

}  // namespace irisx::http
