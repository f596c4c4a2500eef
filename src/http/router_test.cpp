#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include "http/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace irisx::http {
namespace {

Handler noop() {
  return [](Request&) -> boost::asio::awaitable<Response> { co_return Response::empty(204); };
}

Request req(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

// The pattern that `method path` routes to, or "" for none.
std::string routed(const Router& router, std::string method, std::string path) {
  Request r = req(std::move(method), std::move(path));
  Router::Match m = router.match(r);
  return m.handler != nullptr ? *m.pattern : std::string();
}

TEST(Router, LiteralRouteMatchesWithoutParameters) {
  Router router;
  router.add("GET", "/v1/me", noop());
  Request r = req("GET", "/v1/me");
  Router::Match m = router.match(r);
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(*m.pattern, "/v1/me");
  EXPECT_TRUE(m.allowed.empty());
  EXPECT_TRUE(r.path_params.empty());
}

TEST(Router, ParameterIsCapturedAndPercentDecoded) {
  Router router;
  router.add("GET", "/v1/users/{id}", noop());
  Request r = req("GET", "/v1/users/US%41b%20c");
  Router::Match m = router.match(r);
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(*m.pattern, "/v1/users/{id}");
  EXPECT_EQ(r.param("id"), "USAb c");
}

TEST(Router, ParameterIsDecodedExactlyOnce) {
  Router router;
  router.add("GET", "/v1/users/{id}", noop());
  // The server hands the router the raw target path.
  Request r = req("GET", "/v1/users/%2541");
  ASSERT_NE(router.match(r).handler, nullptr);
  EXPECT_EQ(r.param("id"), "%41");
}

TEST(Router, EncodedSlashStaysInsideItsParameter) {
  Router router;
  router.add("GET", "/v1/users/{id}", noop());
  Request r = req("GET", "/v1/users/a%2Fb");
  ASSERT_NE(router.match(r).handler, nullptr);
  EXPECT_EQ(r.param("id"), "a/b");
}

TEST(Router, EarlierLiteralSegmentWinsATie) {
  Router router;
  router.add("GET", "/a/{x}/c", noop());
  router.add("GET", "/a/b/{y}", noop());
  Request r = req("GET", "/a/b/c");
  Router::Match m = router.match(r);
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(*m.pattern, "/a/b/{y}");
}

TEST(Router, SeveralParametersAreCapturedInOrder) {
  Router router;
  router.add("DELETE", "/v1/tenants/{tenant}/users/{user}", noop());
  Request r = req("DELETE", "/v1/tenants/TN1/users/US2");
  ASSERT_NE(router.match(r).handler, nullptr);
  ASSERT_EQ(r.path_params.size(), 2u);
  EXPECT_EQ(r.path_params[0], (std::pair<std::string, std::string>{"tenant", "TN1"}));
  EXPECT_EQ(r.path_params[1], (std::pair<std::string, std::string>{"user", "US2"}));
  EXPECT_THROW(r.param("nope"), std::logic_error);
}

TEST(Router, LiteralSegmentBeatsParameter) {
  Router router;
  router.add("GET", "/v1/users/{id}", noop());
  router.add("GET", "/v1/users/me", noop());
  EXPECT_EQ(routed(router, "GET", "/v1/users/me"), "/v1/users/me");
  EXPECT_EQ(routed(router, "GET", "/v1/users/US1"), "/v1/users/{id}");
}

TEST(Router, LiteralSegmentBeatsParameterWhicheverIsAddedFirst) {
  Router router;
  router.add("GET", "/v1/users/me", noop());
  router.add("GET", "/v1/users/{id}", noop());
  EXPECT_EQ(routed(router, "GET", "/v1/users/me"), "/v1/users/me");
  EXPECT_EQ(routed(router, "GET", "/v1/users/you"), "/v1/users/{id}");
}

TEST(Router, WrongMethodListsAllowedMethods) {
  Router router;
  router.add("GET", "/v1/me", noop());
  router.add("PATCH", "/v1/me", noop());
  Request r = req("DELETE", "/v1/me");
  Router::Match m = router.match(r);
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_EQ(m.pattern, nullptr);
  EXPECT_EQ(m.allowed, "GET, PATCH");
}

TEST(Router, AllowedListsEachMethodOnce) {
  Router router;
  router.add("GET", "/v1/users/{id}", noop());
  router.add("GET", "/v1/users/me", noop());
  router.add("PATCH", "/v1/users/{id}", noop());
  Request r = req("DELETE", "/v1/users/me");
  EXPECT_EQ(router.match(r).allowed, "GET, PATCH");
}

TEST(Router, UnknownPathHasNoHandlerAndNoAllow) {
  Router router;
  router.add("GET", "/v1/me", noop());
  for (const char* path : {"/v1/you", "/v1/me/extra", "/v1", "/", "/V1/ME"}) {
    Request r = req("GET", path);
    Router::Match m = router.match(r);
    EXPECT_EQ(m.handler, nullptr) << path;
    EXPECT_TRUE(m.allowed.empty()) << path;
  }
}

TEST(Router, DuplicateRouteIsRejected) {
  Router router;
  router.add("GET", "/v1/users/{id}", noop());
  EXPECT_THROW(router.add("GET", "/v1/users/{id}", noop()), std::logic_error);
  // Parameter names do not distinguish routes.
  EXPECT_THROW(router.add("GET", "/v1/users/{other}", noop()), std::logic_error);
  // Empty segments do not either.
  EXPECT_THROW(router.add("GET", "/v1/users/{id}/", noop()), std::logic_error);
}

TEST(Router, SamePatternWithAnotherMethodOrLiteralIsNotDuplicate) {
  Router router;
  router.add("GET", "/v1/users/{id}", noop());
  EXPECT_NO_THROW(router.add("DELETE", "/v1/users/{id}", noop()));
  EXPECT_NO_THROW(router.add("GET", "/v1/users/me", noop()));
}

// split_path skips empty segments, so trailing and repeated slashes do not matter.
TEST(Router, TrailingAndRepeatedSlashesAreIgnored) {
  Router router;
  router.add("GET", "/v1/users/{id}", noop());
  EXPECT_EQ(routed(router, "GET", "/v1/users/US1/"), "/v1/users/{id}");
  EXPECT_EQ(routed(router, "GET", "//v1//users///US1"), "/v1/users/{id}");
  EXPECT_EQ(routed(router, "GET", "v1/users/US1"), "/v1/users/{id}");
  // An empty segment never fills a parameter.
  EXPECT_EQ(routed(router, "GET", "/v1/users//"), "");
}

TEST(Router, SplitPathDropsEmptySegments) {
  EXPECT_EQ(split_path("/a/b"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(split_path("//a///b/"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_TRUE(split_path("").empty());
  EXPECT_TRUE(split_path("/").empty());
  EXPECT_TRUE(split_path("///").empty());
}

TEST(Router, RootPatternMatchesSlashAndEmptyPath) {
  Router router;
  router.add("GET", "/", noop());
  EXPECT_EQ(routed(router, "GET", "/"), "/");
  EXPECT_EQ(routed(router, "GET", ""), "/");
  EXPECT_EQ(routed(router, "GET", "/x"), "");
}

TEST(Router, RoutesListsEveryRouteInRegistrationOrder) {
  Router router;
  router.add("GET", "/v1/me", noop());
  router.add("POST", "/v1/users", noop());
  router.add("GET", "/v1/users/{id}", noop());
  auto routes = router.routes();
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0].method, "GET");
  EXPECT_EQ(routes[0].pattern, "/v1/me");
  EXPECT_EQ(routes[1].method, "POST");
  EXPECT_EQ(routes[1].pattern, "/v1/users");
  EXPECT_EQ(routes[2].method, "GET");
  EXPECT_EQ(routes[2].pattern, "/v1/users/{id}");
}

}  // namespace
}  // namespace irisx::http
