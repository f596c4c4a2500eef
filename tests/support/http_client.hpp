#pragma once
// The one small blocking HTTP/1.1 client of test support: a connection per request
// (Connection: close), Content-Length framed answers. Used for irisx and for the fakes.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace irisx::testing {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  nlohmann::json json() const;
  std::string header(const std::string& lower_name) const;
};

// A JSON Content-Type is added when there is a body and `headers` names none.
HttpResult http_request(const std::string& host, int port, const std::string& method,
                        const std::string& target, const std::string& body = "",
                        const std::map<std::string, std::string>& headers = {});

// Raw bytes to a server, for malformed HTTP; returns whatever it answers.
std::string raw_exchange(const std::string& host, int port, const std::string& bytes);

}  // namespace irisx::testing
