#include "http/router.hpp"

#include <stdexcept>

namespace irisx::http {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start < path.size()) {
    if (path[start] == '/') {
      ++start;
      continue;
    }
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end;
  }
  return parts;
}

void Router::add(std::string method, std::string pattern, Handler handler) {
  Route route{std::move(method), std::move(pattern), {}, std::move(handler)};
  for (std::string_view seg : split_path(route.pattern)) route.segments.emplace_back(seg);
  // Parameter names do not distinguish routes: /users/{id} and /users/{other} collide.
  auto shape = [](const std::vector<std::string>& segments) {
    std::vector<std::string> out;
    for (const auto& seg : segments) out.push_back(seg.front() == '{' ? "{}" : seg);
    return out;
  };
  for (const auto& existing : routes_) {
    if (existing.method == route.method && shape(existing.segments) == shape(route.segments)) {
      throw std::logic_error("duplicate route " + route.method + " " + route.pattern);
    }
  }
  routes_.push_back(std::move(route));
}

bool Router::match_path(const Route& route, const std::vector<std::string_view>& parts,
                        std::vector<std::pair<std::string, std::string>>* params) {
  if (route.segments.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& seg = route.segments[i];
    bool is_param = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
    if (!is_param && seg != parts[i]) return false;
  }
  if (params != nullptr) {
    params->clear();
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const std::string& seg = route.segments[i];
      if (seg.size() > 2 && seg.front() == '{') {
        params->emplace_back(seg.substr(1, seg.size() - 2), percent_decode(parts[i]));
      }
    }
  }
  return true;
}

Router::Match Router::match(Request& request) const {
  Match result;
  auto parts = split_path(request.path);
  // Literal segments beat parameters: prefer the route with the fewest parameters.
  const Route* best = nullptr;
  int best_params = 1 << 30;
  for (const auto& route : routes_) {
    if (!match_path(route, parts, nullptr)) continue;
    if (route.method != request.method) {
      if (result.allowed.find(route.method) == std::string::npos) {
        if (!result.allowed.empty()) result.allowed += ", ";
        result.allowed += route.method;
      }
      continue;
    }
    int params = 0;
    for (const auto& seg : route.segments) params += seg.front() == '{' ? 1 : 0;
    if (params < best_params) {
      best = &route;
      best_params = params;
    }
  }
  if (best != nullptr) {
    match_path(*best, parts, &request.path_params);
    result.handler = &best->handler;
    result.pattern = &best->pattern;
    result.allowed.clear();
  }
  return result;
}

std::vector<RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  for (const auto& r : routes_) out.push_back({r.method, r.pattern});
  return out;
}

}  // namespace irisx::http
