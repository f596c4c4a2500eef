#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include "http/message.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>

#include "common/error.hpp"
#include "common/metrics.hpp"
#include "http/pipeline.hpp"
#include "http/problem.hpp"
#include "http/router.hpp"

namespace irisx::http {
namespace {

std::optional<std::string> header_of(const Response& response, const std::string& name) {
  for (const auto& [n, v] : response.headers) {
    if (n == name) return v;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- Request and Response

TEST(Request, HeaderLookupUsesLowerCaseNames) {
  Request r;
  r.headers = {{"content-type", "application/json"}, {"x-dup", "first"}, {"x-dup", "second"}};
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("x-dup"), "first");
  EXPECT_FALSE(r.header("Content-Type"));  // names are stored lower-case by the server
  EXPECT_FALSE(r.header("accept"));
}

TEST(Request, QueryParamDecodesPercentAndPlus) {
  Request r;
  r.query = "a=1&b=hello%20world&c=x+y&d=%2B1&na%6De=v&k=a=b";
  EXPECT_EQ(r.query_param("a"), "1");
  EXPECT_EQ(r.query_param("b"), "hello world");
  EXPECT_EQ(r.query_param("c"), "x y");
  EXPECT_EQ(r.query_param("d"), "+1");
  EXPECT_EQ(r.query_param("name"), "v");
  EXPECT_EQ(r.query_param("k"), "a=b");
}

TEST(Request, QueryParamMissingOrEmptyValues) {
  Request r;
  r.query = "empty=&flag&&first=1&first=2";
  EXPECT_EQ(r.query_param("empty"), "");
  EXPECT_EQ(r.query_param("flag"), "");
  EXPECT_EQ(r.query_param("first"), "1");
  EXPECT_FALSE(r.query_param("missing"));
  EXPECT_FALSE(r.query_param("fla"));
  Request none;
  EXPECT_FALSE(none.query_param("a"));
}

TEST(PercentDecode, DecodesValidEscapesOnce) {
  EXPECT_EQ(percent_decode("%41%62%4a%4A"), "AbJJ");
  EXPECT_EQ(percent_decode("%2541"), "%41");
  EXPECT_EQ(percent_decode("%00"), std::string(1, '\0'));
  EXPECT_EQ(percent_decode("%e2%82%ac"), "\xe2\x82\xac");
}

TEST(PercentDecode, LeavesInvalidEscapesAsIs) {
  EXPECT_EQ(percent_decode("%zz"), "%zz");
  EXPECT_EQ(percent_decode("%4"), "%4");
  EXPECT_EQ(percent_decode("%"), "%");
  EXPECT_EQ(percent_decode("100%"), "100%");
  EXPECT_EQ(percent_decode("a%g1b"), "a%g1b");
  EXPECT_EQ(percent_decode("%%41"), "%A");
}

TEST(PercentDecode, PlusIsASpaceOnlyWhenAsked) {
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a%2Bb", true), "a+b");
}

TEST(Response, SetHeaderReplacesOrAppends) {
  Response r;
  r.set_header("Retry-After", "5");
  r.set_header("Vary", "Origin");
  r.set_header("Retry-After", "10");
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(header_of(r, "Retry-After"), "10");
  EXPECT_EQ(r.headers[0].first, "Retry-After");  // replaced in place
}

TEST(Response, SetHeaderMatchesNamesCaseInsensitively) {
  Response r;
  r.set_header("Retry-After", "5");
  r.set_header("retry-after", "7");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].second, "7");
}

TEST(Response, JsonAndEmptyConstructors) {
  Response j = Response::json(201, R"({"ok":true})");
  EXPECT_EQ(j.status, 201);
  EXPECT_EQ(j.body, R"({"ok":true})");
  EXPECT_EQ(j.content_type, "application/json");
  Response e = Response::empty(204);
  EXPECT_EQ(e.status, 204);
  EXPECT_TRUE(e.body.empty());
  EXPECT_TRUE(e.content_type.empty());
}

// ---------------------------------------------------------------- problem+json (RFC 9457)

TEST(Problem, CarriesTypeTitleStatusCodeDetailAndRequestId) {
  Response r = problem_response(not_found("no such user"), "req_1");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/problem+json");
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["type"], "https://irisx.dev/errors/not_found");
  EXPECT_EQ(body["title"], "Not Found");
  EXPECT_EQ(body["status"], 404);
  EXPECT_EQ(body["code"], "not_found");
  EXPECT_EQ(body["detail"], "no such user");
  EXPECT_EQ(body["request_id"], "req_1");
  EXPECT_FALSE(body.contains("errors"));
  EXPECT_TRUE(r.headers.empty());
}

TEST(Problem, ListsFieldErrorsInOrder) {
  Response r = problem_response(
      validation_failed({{"email", "must be an email"}, {"name", "must not be empty"}}), "req_2");
  EXPECT_EQ(r.status, 422);
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["title"], "Unprocessable Content");
  EXPECT_EQ(body["code"], "validation_failed");
  ASSERT_TRUE(body["errors"].is_array());
  ASSERT_EQ(body["errors"].size(), 2u);
  EXPECT_EQ(body["errors"][0]["field"], "email");
  EXPECT_EQ(body["errors"][0]["message"], "must be an email");
  EXPECT_EQ(body["errors"][1]["field"], "name");
}

TEST(Problem, TooManyRequestsSetsRetryAfter) {
  Response r = problem_response(too_many_requests("slow down", 30), "req_3");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(header_of(r, "Retry-After"), "30");
  EXPECT_EQ(nlohmann::json::parse(r.body)["code"], "rate_limited");
  // Never "0" or negative: clients would retry at once.
  EXPECT_EQ(header_of(problem_response(too_many_requests("x", 0), "r"), "Retry-After"), "1");
}

TEST(Problem, DetailWithQuotesAndNewlinesIsValidJson) {
  Response r = problem_response(bad_request("bad \"x\"\nline"), "req_4");
  EXPECT_EQ(nlohmann::json::parse(r.body)["detail"], "bad \"x\"\nline");
}

TEST(Problem, UnlistedStatusesGetAGenericTitle) {
  EXPECT_STREQ(status_title(418), "Client Error");
  EXPECT_STREQ(status_title(502), "Server Error");
  EXPECT_STREQ(status_title(409), "Conflict");
}

// ---------------------------------------------------------------- Pipeline

Response run(Pipeline& pipeline, Request& request) {
  boost::asio::io_context io;
  auto result = boost::asio::co_spawn(io, pipeline.handle(request), boost::asio::use_future);
  io.run();
  return result.get();
}

Request make(std::string method, std::string path,
             std::vector<std::pair<std::string, std::string>> headers = {}) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.headers = std::move(headers);
  r.remote_ip = "127.0.0.1";
  return r;
}

bool is_generated_id(const std::string& id) {
  if (id.size() != 4 + 24 || id.rfind("req_", 0) != 0) return false;
  for (char c : id.substr(4)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

class PipelineTest : public testing::Test {
 protected:
  PipelineTest() {
    router_.add("GET", "/v1/items", [](Request&) -> boost::asio::awaitable<Response> {
      co_return Response::json(200, R"({"data":[]})");
    });
    router_.add("POST", "/v1/items", [](Request&) -> boost::asio::awaitable<Response> {
      co_return Response::json(201, "{}");
    });
    router_.add("GET", "/v1/items/{id}", [](Request& r) -> boost::asio::awaitable<Response> {
      co_return Response::json(200, "\"" + r.param("id") + "\"");
    });
    router_.add("GET", "/v1/conflict", [](Request&) -> boost::asio::awaitable<Response> {
      throw conflict("item_exists", "an item with that name exists");
      co_return Response::empty(204);
    });
    router_.add("GET", "/v1/limited", [](Request&) -> boost::asio::awaitable<Response> {
      throw too_many_requests("slow down", 7);
      co_return Response::empty(204);
    });
    router_.add("GET", "/v1/crash", [](Request&) -> boost::asio::awaitable<Response> {
      throw std::runtime_error("db password hunter2 rejected");
      co_return Response::empty(204);
    });
  }

  Response call(Request& request) {
    Pipeline pipeline(router_, metrics_, options_);
    return run(pipeline, request);
  }

  Router router_;
  metrics::Registry metrics_;
  PipelineOptions options_{{"https://app.example"}, false};
};

TEST_F(PipelineTest, HandlerResponsePassesThroughWithRoute) {
  Request r = make("GET", "/v1/items/IT%31");
  Response res = call(r);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "\"IT1\"");
  EXPECT_EQ(r.route, "/v1/items/{id}");
}

TEST_F(PipelineTest, UnknownRouteIsProblem404) {
  Request r = make("GET", "/v1/nothing");
  Response res = call(r);
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.content_type, "application/problem+json");
  auto body = nlohmann::json::parse(res.body);
  EXPECT_EQ(body["code"], "not_found");
  EXPECT_EQ(body["request_id"], r.request_id);
  EXPECT_FALSE(header_of(res, "Allow"));
  EXPECT_EQ(r.route, "unmatched");
}

TEST_F(PipelineTest, WrongMethodIsProblem405WithAllow) {
  Request r = make("DELETE", "/v1/items");
  Response res = call(r);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.content_type, "application/problem+json");
  EXPECT_EQ(header_of(res, "Allow"), "GET, POST");
  EXPECT_EQ(nlohmann::json::parse(res.body)["code"], "method_not_allowed");
}

TEST_F(PipelineTest, ApiErrorMapsToItsStatusAndHeaders) {
  Request r = make("GET", "/v1/conflict");
  Response res = call(r);
  EXPECT_EQ(res.status, 409);
  auto body = nlohmann::json::parse(res.body);
  EXPECT_EQ(body["code"], "item_exists");
  EXPECT_EQ(body["detail"], "an item with that name exists");

  Request limited = make("GET", "/v1/limited");
  Response res429 = call(limited);
  EXPECT_EQ(res429.status, 429);
  EXPECT_EQ(header_of(res429, "Retry-After"), "7");
}

TEST_F(PipelineTest, UnexpectedExceptionIs500WithoutItsText) {
  Request r = make("GET", "/v1/crash");
  Response res = call(r);
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.content_type, "application/problem+json");
  EXPECT_EQ(res.body.find("hunter2"), std::string::npos) << res.body;
  EXPECT_EQ(res.body.find("password"), std::string::npos) << res.body;
  EXPECT_EQ(nlohmann::json::parse(res.body)["code"], "internal_error");
}

TEST_F(PipelineTest, ValidIncomingRequestIdIsKept) {
  Request r = make("GET", "/v1/nothing", {{"x-request-id", "abc-123_X.y"}});
  Response res = call(r);
  EXPECT_EQ(r.request_id, "abc-123_X.y");
  EXPECT_EQ(nlohmann::json::parse(res.body)["request_id"], "abc-123_X.y");
  Request longest = make("GET", "/v1/items", {{"x-request-id", std::string(128, 'a')}});
  call(longest);
  EXPECT_EQ(longest.request_id, std::string(128, 'a'));
}

TEST_F(PipelineTest, InvalidIncomingRequestIdIsReplaced) {
  for (const std::string& bad : {std::string(129, 'a'), std::string("has space"), std::string(""),
                                 std::string("a\"b"), std::string("é")}) {
    Request r = make("GET", "/v1/items", {{"x-request-id", bad}});
    call(r);
    EXPECT_NE(r.request_id, bad);
    EXPECT_TRUE(is_generated_id(r.request_id)) << r.request_id;
  }
}

TEST_F(PipelineTest, MissingRequestIdGetsAFreshOneEachTime) {
  Request a = make("GET", "/v1/items");
  Request b = make("GET", "/v1/items");
  call(a);
  call(b);
  EXPECT_TRUE(is_generated_id(a.request_id)) << a.request_id;
  EXPECT_TRUE(is_generated_id(b.request_id)) << b.request_id;
  EXPECT_NE(a.request_id, b.request_id);
}

TEST_F(PipelineTest, AllowedOriginGetsCorsHeaders) {
  Request r = make("GET", "/v1/items", {{"origin", "https://app.example"}});
  Response res = call(r);
  EXPECT_EQ(header_of(res, "Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(header_of(res, "Vary"), "Origin");
  auto exposed = header_of(res, "Access-Control-Expose-Headers");
  ASSERT_TRUE(exposed);
  EXPECT_NE(exposed->find("X-Request-Id"), std::string::npos);
  // Error responses carry CORS headers too, or browsers hide the problem body.
  Request missing = make("GET", "/v1/nothing", {{"origin", "https://app.example"}});
  EXPECT_EQ(header_of(call(missing), "Access-Control-Allow-Origin"), "https://app.example");
}

TEST_F(PipelineTest, OtherOriginsGetNoCorsHeaders) {
  Request evil = make("GET", "/v1/items", {{"origin", "https://evil.example"}});
  Response res = call(evil);
  EXPECT_EQ(res.status, 200);
  EXPECT_FALSE(header_of(res, "Access-Control-Allow-Origin"));
  Request prefix = make("GET", "/v1/items", {{"origin", "https://app.example.evil"}});
  EXPECT_FALSE(header_of(call(prefix), "Access-Control-Allow-Origin"));
  Request none = make("GET", "/v1/items");
  EXPECT_FALSE(header_of(call(none), "Access-Control-Allow-Origin"));
}

TEST_F(PipelineTest, WildcardOriginAllowsAnyOrigin) {
  options_.cors_origins = {"*"};
  Request r = make("GET", "/v1/items", {{"origin", "https://anything.example"}});
  EXPECT_EQ(header_of(call(r), "Access-Control-Allow-Origin"), "https://anything.example");
}

TEST_F(PipelineTest, PreflightFromAllowedOriginIs204WithAllowMethods) {
  Request r = make("OPTIONS", "/v1/items",
                   {{"origin", "https://app.example"}, {"access-control-request-method", "POST"}});
  Response res = call(r);
  EXPECT_EQ(res.status, 204);
  EXPECT_TRUE(res.body.empty());
  auto methods = header_of(res, "Access-Control-Allow-Methods");
  ASSERT_TRUE(methods);
  EXPECT_NE(methods->find("POST"), std::string::npos);
  EXPECT_NE(header_of(res, "Access-Control-Allow-Headers").value_or("").find("Authorization"),
            std::string::npos);
  EXPECT_EQ(header_of(res, "Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(r.route, "preflight");
}

TEST_F(PipelineTest, PreflightFromOtherOriginGetsNoCorsHeaders) {
  Request r = make("OPTIONS", "/v1/items",
                   {{"origin", "https://evil.example"}, {"access-control-request-method", "POST"}});
  Response res = call(r);
  EXPECT_EQ(res.status, 204);
  EXPECT_FALSE(header_of(res, "Access-Control-Allow-Methods"));
  EXPECT_FALSE(header_of(res, "Access-Control-Allow-Origin"));
}

TEST_F(PipelineTest, OptionsWithoutRequestMethodIsRouted) {
  Request r = make("OPTIONS", "/v1/items", {{"origin", "https://app.example"}});
  Response res = call(r);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(header_of(res, "Allow"), "GET, POST");
}

TEST_F(PipelineTest, RequestsAreCountedByMethodRouteAndStatus) {
  Request ok = make("GET", "/v1/items/IT1");
  call(ok);
  Request missing = make("GET", "/v1/nothing");
  call(missing);
  std::string text = metrics_.render();
  EXPECT_NE(
      text.find(R"(irisx_http_requests_total{method="GET",route="/v1/items/{id}",status="200"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(R"(irisx_http_requests_total{method="GET",route="unmatched",status="404"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(
          R"(irisx_http_request_duration_seconds_count{method="GET",route="/v1/items/{id}",status="200"} 1)"),
      std::string::npos)
      << text;
}

TEST_F(PipelineTest, RecordCountsEarlyFailuresAsUnmatched) {
  Pipeline pipeline(router_, metrics_, options_);
  Request r = make("POST", "/v1/items");
  pipeline.record(r, Response::json(413, "{}"), 0.001);
  EXPECT_NE(metrics_.render().find(
                R"(irisx_http_requests_total{method="POST",route="unmatched",status="413"} 1)"),
            std::string::npos);
}

}  // namespace
}  // namespace irisx::http
