#include "events/events.hpp"

#include "common/id.hpp"
#include "common/time.hpp"

namespace irisx::events {
namespace {

const char* const kColumns = "id, tenant_id, type, data, created_at";

Event event_from_row(const store::Row& r) {
  return {r.text(0), r.text(1), r.text(2), r.text(3), r.int64(4)};
}

}  // namespace

nlohmann::json to_json(const Event& e) {
  nlohmann::json out(nlohmann::json::value_t::object);
  out["id"] = e.id;
  out["object"] = "event";
  out["type"] = e.type;
  out["created_at"] = rfc3339(e.created_at);
  out["tenant_id"] = e.tenant_id;
  out["data"] = nlohmann::json::parse(e.data, nullptr, false);
  return out;
}

std::string envelope_text(const Event& e) {
  // `data` is already JSON text; splice it in rather than parse and print it again.
  nlohmann::json head(nlohmann::json::value_t::object);
  head["id"] = e.id;
  head["type"] = e.type;
  head["created_at"] = rfc3339(e.created_at);
  head["tenant_id"] = e.tenant_id;
  std::string text = head.dump();
  text.pop_back();
  text += ",\"data\":";
  text += e.data;
  text += '}';
  return text;
}

std::string domain_subject(std::string_view type) {
  const std::size_t dot = type.find('.');
  const std::string_view resource = type.substr(0, dot);
  const char* stream = nullptr;
  if (resource == "call") stream = "calls";
  if (resource == "message") stream = "sms";
  if (resource == "email") stream = "emails";
  if (stream == nullptr) return "";
  return std::string("events.") + stream + "." + subject_token(type);
}

std::string subject_token(std::string_view type) {
  std::string token(type);
  for (char& c : token) {
    if (c == '.') c = '_';
  }
  return token;
}

bool is_event_type(std::string_view type) {
  if (type.empty() || type.size() > 100 || type.front() == '.' || type.back() == '.') return false;
  bool dotted = false;
  char previous = 0;
  for (char c : type) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (c == '.') {
      if (previous == '.') return false;
      dotted = true;
    } else if (!word) {
      return false;
    }
    previous = c;
  }
  return dotted;
}

boost::asio::awaitable<Event> insert_event(store::Session& tx, std::string tenant_id,
                                           std::string type, nlohmann::json data) {
  Event event{new_id("EV"), std::move(tenant_id), std::move(type), data.dump(), now_ms()};
  store::insert_rows(
      tx, "INSERT INTO events (id, tenant_id, type, data, created_at) VALUES ",
      "($1, $2, $3, $4, $5)", 5,
      store::args(event.id, event.tenant_id, event.type, event.data, event.created_at));
  co_return event;
}

boost::asio::awaitable<Event> Publisher::record(store::Session& tx, std::string tenant_id,
                                                std::string type, nlohmann::json data) {
  Event event = co_await insert_event(tx, std::move(tenant_id), std::move(type), std::move(data));
  if (std::string subject = domain_subject(event.type); !subject.empty()) {
    // Built before the co_await: g++ 12 destroys braced temporaries inside one twice.
    bus::Message message{event.id, std::move(subject), envelope_text(event)};
    co_await bus_.publish(tx, std::move(message));
  }
  if (fan_out_) fan_out_(tx, event);
  co_return event;
}

boost::asio::awaitable<store::Page<Event>> list_events(store::Database& db, EventQuery query) {
  std::string sql =
      std::string("SELECT ") + kColumns + " FROM events WHERE tenant_id = $1 AND created_at >= $2";
  store::Params params = store::args(query.tenant_id, query.since_ms);
  if (query.type.size() > 2 && query.type.ends_with(".*")) {
    // Prefix match on "message." without LIKE, whose wildcards ('_') appear in type names.
    const std::string prefix = query.type.substr(0, query.type.size() - 1);
    sql += " AND type >= $3 AND type < $4";
    params.emplace_back(prefix);
    params.emplace_back(prefix.substr(0, prefix.size() - 1) + '/');  // '/' follows '.'
  } else if (!query.type.empty()) {
    sql += " AND type = $3";
    params.emplace_back(query.type);
  }
  store::append_page_clause(sql, params, query.page);
  store::Result result = co_await db.exec(sql, params);
  std::vector<Event> rows;
  rows.reserve(result.rows.size());
  for (const auto& row : result.rows) rows.push_back(event_from_row(row));
  co_return store::to_page(std::move(rows), query.page.limit);
}

boost::asio::awaitable<std::optional<Event>> get_event(store::Database& db, std::string tenant_id,
                                                       std::string id, std::int64_t since_ms) {
  store::Result r =
      co_await db.exec(std::string("SELECT ") + kColumns +
                           " FROM events WHERE id = $1 AND tenant_id = $2 AND created_at >= $3",
                       store::args(id, tenant_id, since_ms));
  if (r.empty()) co_return std::nullopt;
  co_return event_from_row(r.front());
}

boost::asio::awaitable<std::int64_t> purge_events(store::Database& db, std::int64_t before_ms,
                                                  int limit) {
  co_return co_await store::purge_created_before(db, "events", before_ms, limit);
}

}  // namespace irisx::events
