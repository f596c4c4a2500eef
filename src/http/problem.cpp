#include "http/problem.hpp"

#include <nlohmann/json.hpp>

namespace irisx::http {

Response problem_response(const ApiError& error, const std::string& request_id) {
  nlohmann::json body = {
      {"type", "https://irisx.dev/errors/" + error.code()},
      {"title", status_title(error.status())},
      {"status", error.status()},
      {"code", error.code()},
      {"detail", error.detail()},
      {"request_id", request_id},
  };
  if (!error.errors().empty()) {
    auto& list = body["errors"] = nlohmann::json::array();
    for (const auto& e : error.errors())
      list.push_back({{"field", e.field}, {"message", e.message}});
  }
  Response response = Response::json(error.status(), body.dump());
  response.content_type = "application/problem+json";
  for (const auto& [name, value] : error.headers) response.set_header(name, value);
  return response;
}

}  // namespace irisx::http
