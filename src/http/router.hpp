#pragma once
// Method + path-pattern routing. Patterns are literal segments and `{name}` parameters,
// e.g. "/v1/users/{id}". A path that matches with another method yields 405 with Allow.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace irisx::http {

using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;

struct RouteInfo {
  std::string method;
  std::string pattern;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;      // set when method and path matched
    const std::string* pattern = nullptr;  // matched pattern, for metrics
    std::string allowed;                   // for 405: "GET, POST"
  };
  // Fills request.path_params on success.
  Match match(Request& request) const;

  std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{x}" marks a parameter
    Handler handler;
  };
  static bool match_path(const Route& route, const std::vector<std::string>& parts,
                         std::vector<std::pair<std::string, std::string>>* params);
  std::vector<Route> routes_;
};

std::vector<std::string_view> split_path(std::string_view path);

}  // namespace irisx::http
