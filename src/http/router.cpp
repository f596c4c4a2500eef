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

namespace {

bool is_param(const std::string& seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

// True when `a` is more specific than `b`: at the first segment where one has a literal
// and the other a parameter, the literal wins (/a/b/{y} beats /a/{x}/c for /a/b/c).
bool more_specific(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const bool a_param = is_param(a[i]);
    if (a_param != is_param(b[i])) return !a_param;
  }
  return false;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  Route route{std::move(method), std::move(pattern), {}, std::move(handler)};
  for (std::string_view seg : split_path(route.pattern)) route.segments.emplace_back(seg);
  // Parameter names do not distinguish routes: /users/{id} and /users/{other} collide.
  auto shape = [](const std::vector<std::string>& segments) {
    std::vector<std::string> out;
    for (const auto& seg : segments) out.push_back(is_param(seg) ? "{}" : seg);
    return out;
  };
  for (const auto& existing : routes_) {
    if (existing.method == route.method && shape(existing.segments) == shape(route.segments)) {
      throw std::logic_error("duplicate route " + route.method + " " + route.pattern);
    }
  }
  routes_.push_back(std::move(route));
}

bool Router::match_path(const Route& route, const std::vector<std::string>& parts,
                        std::vector<std::pair<std::string, std::string>>* params) {
  if (route.segments.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& seg = route.segments[i];
    if (!is_param(seg) && seg != parts[i]) return false;
  }
  if (params != nullptr) {
    params->clear();
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const std::string& seg = route.segments[i];
      if (is_param(seg)) params->emplace_back(seg.substr(1, seg.size() - 2), parts[i]);
    }
  }
  return true;
}

Router::Match Router::match(Request& request) const {
  Match result;
  // request.path is the raw target: each segment is decoded exactly once, here, so an
  // encoded '/' or '%' inside a parameter survives.
  std::vector<std::string> parts;
  for (std::string_view raw : split_path(request.path)) parts.push_back(percent_decode(raw));
  const Route* best = nullptr;
  for (const auto& route : routes_) {
    if (!match_path(route, parts, nullptr)) continue;
    if (route.method != request.method) {
      if (result.allowed.find(route.method) == std::string::npos) {
        if (!result.allowed.empty()) result.allowed += ", ";
        result.allowed += route.method;
      }
      continue;
    }
    if (best == nullptr || more_specific(route.segments, best->segments)) best = &route;
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
