#include "net/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "net/test_http_server.hpp"

namespace irisx::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::CannedReply;
using testing::ReceivedRequest;
using testing::TestHttpServer;

CannedReply reply(int status, std::string body,
                  std::vector<std::pair<std::string, std::string>> headers = {}) {
  CannedReply r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

CannedReply silence() {
  CannedReply r;
  r.never_answer = true;
  return r;
}

AddressPolicy loopback_allowed() {
  return AddressPolicy::from_strings({"127.0.0.0/8"});
}

// Spawns client.send(request) on `io`; the response lands in `out`.
void spawn_send(asio::io_context& io, HttpClient& client, HttpRequest request,
                std::optional<HttpResponse>& out) {
  asio::co_spawn(io, client.send(std::move(request)),
                 [&out](std::exception_ptr e, HttpResponse response) {
                   if (e) std::rethrow_exception(e);
                   out = std::move(response);
                 });
}

HttpResponse send_one(HttpClient& client, HttpRequest request) {
  asio::io_context io;
  std::optional<HttpResponse> out;
  spawn_send(io, client, std::move(request), out);
  io.run();
  return out.value();
}

HttpRequest post(std::string url, std::string body = "{}") {
  HttpRequest request;
  request.url = std::move(url);
  request.body = std::move(body);
  return request;
}

TEST(HttpClient, DeliversMethodHeadersAndBodyAndReturnsTheResponse) {
  TestHttpServer server([](const ReceivedRequest&) { return reply(200, "thanks"); });
  HttpClient client(loopback_allowed());
  auto request = post(server.url("/hooks/1"), R"({"event":"call.ended"})");
  request.headers = {{"Content-Type", "application/json"}, {"X-Irisx-Signature", "v1=abc"}};

  const auto response = send_one(client, request);

  EXPECT_EQ(response.error, "");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "thanks");
  const auto received = server.requests();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].method, "POST");
  EXPECT_EQ(received[0].target, "/hooks/1");
  EXPECT_EQ(received[0].body, R"({"event":"call.ended"})");
  EXPECT_EQ(received[0].header("Content-Type"), "application/json");
  EXPECT_EQ(received[0].header("X-Irisx-Signature"), "v1=abc");
  EXPECT_EQ(received[0].header("User-Agent"), "irisx-webhooks/0.1");
  EXPECT_EQ(received[0].header("Expect"), "");
}

TEST(HttpClient, SendsOtherMethodsAsGiven) {
  TestHttpServer server([](const ReceivedRequest&) { return reply(204, ""); });
  HttpClient client(loopback_allowed());
  HttpRequest get;
  get.method = "GET";
  get.url = server.url("/status");
  auto put = post(server.url("/item"), "new");
  put.method = "PUT";

  EXPECT_EQ(send_one(client, get).status, 204);
  EXPECT_EQ(send_one(client, put).status, 204);

  const auto received = server.requests();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].method, "GET");
  EXPECT_EQ(received[0].body, "");
  EXPECT_EQ(received[1].method, "PUT");
  EXPECT_EQ(received[1].body, "new");
}

TEST(HttpClient, ReportsAServerErrorAsACompletedExchange) {
  TestHttpServer server([](const ReceivedRequest&) { return reply(500, "boom"); });
  HttpClient client(loopback_allowed());
  const auto response = send_one(client, post(server.url()));
  EXPECT_EQ(response.error, "");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body, "boom");
}

TEST(HttpClient, DoesNotFollowRedirects) {
  TestHttpServer server([](const ReceivedRequest&) {
    return reply(302, "", {{"Location", "http://127.0.0.1:1/elsewhere"}});
  });
  HttpClient client(loopback_allowed());
  const auto response = send_one(client, post(server.url()));
  EXPECT_EQ(response.error, "");
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(HttpClient, TruncatesABodyLargerThanTheLimitWithoutAnError) {
  TestHttpServer server(
      [](const ReceivedRequest&) { return reply(200, std::string(200000, 'x')); });
  HttpClient client(loopback_allowed());
  auto request = post(server.url());
  request.max_response_bytes = 1000;
  const auto response = send_one(client, request);
  EXPECT_EQ(response.error, "");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, std::string(1000, 'x'));
}

TEST(HttpClient, TimesOutWhenTheServerNeverAnswers) {
  TestHttpServer server([](const ReceivedRequest&) { return silence(); });
  HttpClient client(loopback_allowed());
  auto request = post(server.url());
  request.timeout = 300ms;
  const auto response = send_one(client, request);
  EXPECT_EQ(response.error, "timed out");
  EXPECT_EQ(response.status, 0);
  EXPECT_GE(response.duration, 250ms);
  EXPECT_LT(response.duration, 5s);
}

TEST(HttpClient, ReportsConnectionRefusedOnAClosedPort) {
  HttpClient client(loopback_allowed());
  const auto port = testing::closed_port();
  const auto response = send_one(client, post("http://127.0.0.1:" + std::to_string(port) + "/"));
  EXPECT_EQ(response.error, "connection refused");
  EXPECT_EQ(response.status, 0);
}

TEST(HttpClient, RefusesToConnectToABlockedAddress) {
  TestHttpServer server([](const ReceivedRequest&) { return reply(200, "ok"); });
  HttpClient client{AddressPolicy()};
  const auto response = send_one(client, post(server.url()));
  EXPECT_EQ(response.error, "blocked address 127.0.0.1");
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(server.connections(), 0u);
}

TEST(HttpClient, RefusesToConnectToIpv6LoopbackOrMappedLoopback) {
  HttpClient client{AddressPolicy()};
  EXPECT_EQ(send_one(client, post("http://[::1]:9/")).error, "blocked address ::1");
  EXPECT_EQ(
      send_one(client, post("http://[::ffff:127.0.0.1]:9/")).error.rfind("blocked address", 0), 0u);
}

TEST(HttpClient, RefusesAHostNameThatResolvesToABlockedAddress) {
  TestHttpServer server([](const ReceivedRequest&) { return reply(200, "ok"); });
  HttpClient client{AddressPolicy()};
  const auto url = "http://localhost:" + std::to_string(server.port()) + "/";
  const auto response = send_one(client, post(url));
  EXPECT_EQ(response.error.rfind("blocked address ", 0), 0u) << response.error;
  EXPECT_EQ(server.connections(), 0u);
}

TEST(HttpClient, RejectsHeaderValuesThatWouldInjectLines) {
  TestHttpServer server([](const ReceivedRequest&) { return reply(200, "ok"); });
  HttpClient client(loopback_allowed());
  auto request = post(server.url());
  request.headers = {{"X-Test", "a\r\nX-Injected: 1"}};
  EXPECT_EQ(send_one(client, request).error, "invalid header X-Test");
  EXPECT_EQ(server.connections(), 0u);
}

TEST(HttpClient, ReusesTheConnectionForSequentialRequestsToOneHost) {
  TestHttpServer server([](const ReceivedRequest&) { return reply(200, "ok"); });
  HttpClient client(loopback_allowed());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(send_one(client, post(server.url())).status, 200);
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.connections(), 1u);
}

TEST(HttpClient, CompletesTwoHundredConcurrentRequests) {
  TestHttpServer server([](const ReceivedRequest& r) {
    // Holding each answer briefly makes the requests overlap on the wire.
    std::this_thread::sleep_for(20ms);
    return reply(200, r.target);
  });
  HttpClient client(loopback_allowed());
  constexpr int kRequests = 200;
  asio::io_context io;
  std::vector<std::optional<HttpResponse>> responses(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    spawn_send(io, client, post(server.url("/r/" + std::to_string(i))), responses[i]);
  }
  io.run();

  for (int i = 0; i < kRequests; ++i) {
    ASSERT_TRUE(responses[i]) << i;
    EXPECT_EQ(responses[i]->error, "") << i;
    EXPECT_EQ(responses[i]->status, 200) << i;
    EXPECT_EQ(responses[i]->body, "/r/" + std::to_string(i));
  }
  EXPECT_GT(server.connections(), 1u);
}

TEST(HttpClient, DestructionCompletesRequestsInFlightAsCancelled) {
  TestHttpServer server([](const ReceivedRequest&) { return silence(); });
  auto client = std::make_unique<HttpClient>(loopback_allowed());
  constexpr int kRequests = 5;
  asio::io_context io;
  std::vector<std::optional<HttpResponse>> responses(kRequests);
  for (auto& response : responses) spawn_send(io, *client, post(server.url()), response);
  std::thread destroyer([&] {
    server.wait_for_connections(kRequests, 10s);
    client.reset();
  });
  io.run();
  destroyer.join();

  EXPECT_EQ(server.connections(), static_cast<std::size_t>(kRequests));
  for (const auto& response : responses) {
    ASSERT_TRUE(response);
    EXPECT_EQ(response->error, "cancelled");
    EXPECT_EQ(response->status, 0);
  }
}

}  // namespace
}  // namespace irisx::net
