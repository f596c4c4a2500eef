#include "http/router.hpp"

#include <gtest/gtest.h>

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

TEST(Router, ParameterIsCapturedAndDecoded) {
  Router router;
  router.add("GET", "/v1/users/{id}", noop());
  Request r = req("GET", "/v1/users/US%41b");
  Router::Match m = router.match(r);
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(*m.pattern, "/v1/users/{id}");
  EXPECT_EQ(r.param("id"), "USAb");
}

TEST(Router, LiteralSegmentBeatsParameter) {
  Router router;
  router.add("GET", "/v1/users/{id}", noop());
  router.add("GET", "/v1/users/me", noop());
  Request r = req("GET", "/v1/users/me");
  EXPECT_EQ(*router.match(r).pattern, "/v1/users/me");
}

TEST(Router, WrongMethodListsAllowedMethods) {
  Router router;
  router.add("GET", "/v1/me", noop());
  router.add("PATCH", "/v1/me", noop());
  Request r = req("DELETE", "/v1/me");
  Router::Match m = router.match(r);
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_EQ(m.allowed, "GET, PATCH");
}

TEST(Router, UnknownPathHasNoHandlerAndNoAllow) {
  Router router;
  router.add("GET", "/v1/me", noop());
  Request r = req("GET", "/v1/you");
  Router::Match m = router.match(r);
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_TRUE(m.allowed.empty());
}

TEST(Router, DuplicateRouteIsRejected) {
  Router router;
  router.add("GET", "/v1/users/{id}", noop());
  EXPECT_THROW(router.add("GET", "/v1/users/{other}", noop()), std::logic_error);
}

}  // namespace
}  // namespace irisx::http
