#pragma once
// Blocking libnats wrapper: one connection and JetStream context, stream and consumer setup,
// batch publication and pull fetches. Every call may wait on the network; NatsBus runs them
// on its own threads.
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bus/bus.hpp"

struct __natsConnection;
struct __natsSubscription;
struct __natsMsg;
struct __jsCtx;

namespace irisx::bus::nats {

struct MsgDeleter {
  void operator()(__natsMsg* msg) const;
};
using MsgPtr = std::unique_ptr<__natsMsg, MsgDeleter>;

// A durable pull consumer's subscription. Fetches on it are serialised: libnats keeps one
// pull request in flight per subscription.
class PullSubscription {
 public:
  explicit PullSubscription(__natsSubscription* sub) : sub_(sub) {}
  ~PullSubscription();
  PullSubscription(const PullSubscription&) = delete;
  PullSubscription& operator=(const PullSubscription&) = delete;

  // Empty on timeout, and also on a connection error after waiting out `wait`, so callers
  // polling in a loop do not spin while NATS is away.
  std::vector<MsgPtr> fetch(int max, std::chrono::milliseconds wait);
  // Wakes a blocked fetch and makes later ones return empty.
  void close();

 private:
  __natsSubscription* sub_;
  std::mutex fetch_mutex_;
};

// What the bus reads off a fetched message.
struct MsgView {
  std::string id;
  std::string subject;
  std::string payload;
  int attempt = 1;
};
MsgView view(__natsMsg* msg);

enum class Settlement { ack, nak, term };
// Ack, Nak and Term are fire-and-forget publishes into the connection's buffer (no reply is
// awaited), so they need no thread of their own. A failure is logged, not thrown: JetStream
// hands the message out again after ack_wait.
void settle(__natsMsg* msg, Settlement how, std::chrono::milliseconds delay = {});

class NatsClient {
 public:
  // Throws std::runtime_error when the server cannot be reached.
  explicit NatsClient(const std::string& url);
  ~NatsClient();
  NatsClient(const NatsClient&) = delete;
  NatsClient& operator=(const NatsClient&) = delete;

  void ensure_stream(const std::string& name, const std::string& subjects,
                     std::chrono::nanoseconds max_age, std::chrono::nanoseconds duplicates);
  std::unique_ptr<PullSubscription> ensure_consumer(const ConsumerSpec& spec);

  // Publishes asynchronously, waits up to `wait` for the acks and returns the ids JetStream
  // acknowledged (stored or recognised as duplicates). One batch at a time.
  std::vector<std::string> publish_batch(const std::vector<Message>& batch,
                                         std::chrono::milliseconds wait);
  bool connected() const;
  // Called by libnats' ack thread for every positive publish ack.
  void record_ack(std::string id);

 private:
  __natsConnection* conn_ = nullptr;
  __jsCtx* js_ = nullptr;
  std::mutex acked_mutex_;
  std::vector<std::string> acked_;
};

}  // namespace irisx::bus::nats
