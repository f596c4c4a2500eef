#pragma once
// Runs the fake webhook receiver (tests/fakes/webhook-receiver/server.js on Node.js) for tests:
// it checks signatures with the Standard Webhooks reference library, not with IRISX's code.
// Started on an ephemeral port, stopped with SIGTERM on destruction. Needs `node` on PATH and
// the fake's node_modules (scripts/install-deps.sh test).
#include <chrono>
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace irisx::testing {

class WebhookReceiver {
 public:
  WebhookReceiver();  // throws when the server does not come up
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  // http://127.0.0.1:PORT/hooks/NAME — where deliveries for endpoint `name` go.
  std::string url(const std::string& name) const;
  // settings: {"secrets":["whsec_…"], "behaviour":"ok|fail|gone|slow", "fail_times":N,
  // "fail_status":S, "delay_ms":M}. (Re)creates the endpoint, clearing what it received.
  // Throws on a setting the receiver rejects.
  void configure(const std::string& name, const nlohmann::json& settings);
  // Every request the endpoint received, in order (see the fake's README.md for the fields).
  nlohmann::json received(const std::string& name) const;
  // {"<name>": {"received": n, "verified": n, "distinct_ids": n}, …}
  nlohmann::json stats() const;
  // Polls until the endpoint has received at least `count` requests; false on timeout.
  bool wait_for(const std::string& name, std::size_t count,
                std::chrono::milliseconds timeout) const;

  int port() const { return port_; }
  std::string log() const;  // what node wrote to stdout and stderr

 private:
  nlohmann::json get_json(const std::string& target) const;
  [[noreturn]] void fail_start(const std::string& what);

  int pid_ = -1;
  int port_ = 0;
  std::string dir_;
};

}  // namespace irisx::testing
