#pragma once
// Events: every state change of a tenant's resource, written in the same transaction as the
// change (API.md's envelope: id, type, created_at, tenant_id, data). The Publisher records the
// event, puts it on its domain stream, and lets webhooks fan it out to subscribed endpoints —
// all on the caller's transaction, so an event exists exactly when its change was committed.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "bus/bus.hpp"
#include "store/database.hpp"
#include "store/pagination.hpp"

namespace irisx::events {

struct Event {
  std::string id;  // EV…
  std::string tenant_id;
  std::string type;  // <resource>.<past-tense verb>, e.g. "api_key.created"
  std::string data;  // JSON object text
  std::int64_t created_at = 0;
};

// The envelope delivered to webhooks and returned by GET /v1/events.
nlohmann::json to_json(const Event& event);
std::string envelope_text(const Event& event);  // to_json(event).dump(), built without a tree

// The bus subject of an event on its domain stream ("events.calls.call_answered"), or empty for
// events of resources that have no stream of their own (users, API keys, webhooks): those reach
// consumers through webhook fan-out only.
std::string domain_subject(std::string_view type);

// An event type as one subject token: "call.recording.completed" → "call_recording_completed"
// (a NATS "*" matches one token, and types have dots).
std::string subject_token(std::string_view type);

// An event type is lower-case words and underscores in two or more dot-separated parts.
bool is_event_type(std::string_view type);

// Writes the event row only: for events that reach one chosen endpoint (webhook.test).
boost::asio::awaitable<Event> insert_event(store::Session& tx, std::string tenant_id,
                                           std::string type, nlohmann::json data);

class Publisher {
 public:
  // Runs inside the recording transaction, after the event row is written.
  using FanOut = std::function<void(store::Session&, const Event&)>;

  explicit Publisher(bus::Bus& bus) : bus_(bus) {}
  void set_fan_out(FanOut fan_out) { fan_out_ = std::move(fan_out); }

  boost::asio::awaitable<Event> record(store::Session& tx, std::string tenant_id, std::string type,
                                       nlohmann::json data);

 private:
  bus::Bus& bus_;
  FanOut fan_out_;
};

struct EventQuery {
  std::string tenant_id;
  std::string type;  // empty: any; "message.*": a prefix; otherwise exact
  std::int64_t since_ms = 0;
  store::PageRequest page;
};

boost::asio::awaitable<store::Page<Event>> list_events(store::Database& db, EventQuery query);
boost::asio::awaitable<std::optional<Event>> get_event(store::Database& db, std::string tenant_id,
                                                       std::string id, std::int64_t since_ms);
// Deletes events older than `before_ms`, at most `limit` of them; returns how many went.
boost::asio::awaitable<std::int64_t> purge_events(store::Database& db, std::int64_t before_ms,
                                                  int limit);

}  // namespace irisx::events
