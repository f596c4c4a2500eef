#include "voice/numbers/number_store.hpp"

#include "common/error.hpp"
#include "common/id.hpp"
#include "common/time.hpp"

namespace irisx::voice::numbers {
namespace {

constexpr const char* kColumns =
    "id, tenant_id, number, voice_application, created_at, updated_at, status_callback";

PhoneNumber number_from_row(const store::Row& row) {
  PhoneNumber n;
  n.id = row.text(0);
  n.tenant_id = row.text(1);
  n.number = row.text(2);
  auto application = parse_voice_application(row.text(3));
  // Only this class writes the column, always through to_json: a row that does not parse is
  // a schema bug, reported like a column of the wrong type (a 500, logged).
  if (auto* problem = std::get_if<std::string>(&application)) {
    throw store::StoreError(store::ErrorKind::other,
                            "phone_numbers.voice_application of " + n.id + ": " + *problem);
  }
  n.application = std::get<VoiceApplication>(std::move(application));
  n.created_at_ms = row.int64(4);
  n.updated_at_ms = row.int64(5);
  n.status_callback = row.opt_text(6);
  return n;
}

// Applications built in code get the same rules as those parsed from a request.
void check_application(const VoiceApplication& application) {
  auto checked = parse_voice_application(to_json(application));
  if (auto* problem = std::get_if<std::string>(&checked)) {
    throw validation_failed("voice_application", *problem);
  }
}

}  // namespace

nlohmann::json to_json(const PhoneNumber& n) {
  nlohmann::json out(nlohmann::json::value_t::object);
  out["id"] = n.id;
  out["object"] = "phone_number";
  out["number"] = n.number;
  out["voice_application"] = nlohmann::json::parse(to_json(n.application));
  out["created_at"] = rfc3339(n.created_at_ms);
  out["updated_at"] = rfc3339(n.updated_at_ms);
  out["status_callback"] = n.status_callback ? nlohmann::json(*n.status_callback) : nullptr;
  return out;
}

boost::asio::awaitable<PhoneNumber> NumberStore::create(std::string tenant_id, std::string number,
                                                        VoiceApplication application,
                                                        std::optional<std::string> status_callback,
                                                        store::ChangeRecorder<PhoneNumber> record) {
  if (!is_e164(number)) {
    throw validation_failed("number", "must be an E.164 number such as +15551234567");
  }
  check_application(application);
  const std::int64_t now = now_ms();
  PhoneNumber out{
      new_id("PN"), std::move(tenant_id),      std::move(number), std::move(application), now,
      now,          std::move(status_callback)};
  auto params = store::args(out.id, out.tenant_id, out.number, to_json(out.application), now,
                            out.status_callback);
  try {
    co_await db_.transaction([&](store::Session& tx) -> boost::asio::awaitable<void> {
      co_await tx.exec(
          "INSERT INTO phone_numbers (id, tenant_id, number, voice_application, created_at, "
          "updated_at, status_callback) VALUES ($1, $2, $3, $4, $5, $5, $6)",
          params);
      if (record) co_await record(tx, "phone_number.created", out);
    });
  } catch (const store::StoreError& e) {
    if (e.kind() == store::ErrorKind::unique_violation) {
      throw conflict("number_taken", "this phone number is already in use");
    }
    throw;
  }
  co_return out;
}

boost::asio::awaitable<std::optional<PhoneNumber>> NumberStore::find(std::string tenant_id,
                                                                     std::string id) {
  auto params = store::args(id, tenant_id);
  store::Result r = co_await db_.exec(
      std::string("SELECT ") + kColumns + " FROM phone_numbers WHERE id = $1 AND tenant_id = $2",
      std::move(params));
  if (r.empty()) co_return std::nullopt;
  co_return number_from_row(r.front());
}

boost::asio::awaitable<std::optional<PhoneNumber>> NumberStore::find_by_number(std::string number) {
  auto params = store::args(number);
  store::Result r =
      co_await db_.exec(std::string("SELECT ") + kColumns + " FROM phone_numbers WHERE number = $1",
                        std::move(params));
  if (r.empty()) co_return std::nullopt;
  co_return number_from_row(r.front());
}

boost::asio::awaitable<store::Page<PhoneNumber>> NumberStore::list(std::string tenant_id,
                                                                   store::PageRequest page) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM phone_numbers WHERE tenant_id = $1";
  store::Params params = store::args(tenant_id);
  store::append_page_clause(sql, params, page);
  store::Result r = co_await db_.exec(std::move(sql), std::move(params));
  std::vector<PhoneNumber> rows;
  for (const auto& row : r.rows) rows.push_back(number_from_row(row));
  co_return store::to_page(std::move(rows), page.limit);
}

boost::asio::awaitable<std::optional<PhoneNumber>> NumberStore::update_application(
    std::string tenant_id, std::string id, VoiceApplication application) {
  NumberChanges changes;  // named: g++ 12 destroys braced temporaries in a co_await twice
  changes.application = std::move(application);
  co_return co_await update(std::move(tenant_id), std::move(id), std::move(changes));
}

boost::asio::awaitable<std::optional<PhoneNumber>> NumberStore::update(
    std::string tenant_id, std::string id, NumberChanges changes,
    store::ChangeRecorder<PhoneNumber> record) {
  if (changes.application) check_application(*changes.application);
  // A column not being changed is written back as itself (COALESCE of NULL): one statement,
  // and no read-then-write race between two PATCHes.
  const std::optional<std::string> application =
      changes.application ? std::optional<std::string>(to_json(*changes.application))
                          : std::nullopt;
  const bool set_callback = changes.status_callback.has_value();
  const std::optional<std::string> callback =
      set_callback ? *changes.status_callback : std::nullopt;
  auto params = store::args(id, tenant_id, application, now_ms(), set_callback ? 1 : 0, callback);
  std::optional<PhoneNumber> updated;
  co_await db_.transaction([&](store::Session& tx) -> boost::asio::awaitable<void> {
    store::Result r = co_await tx.exec(
        std::string("UPDATE phone_numbers SET voice_application = COALESCE($3, voice_application), "
                    "updated_at = $4, status_callback = CASE WHEN $5 = 1 THEN $6 ELSE "
                    "status_callback END WHERE id = $1 AND tenant_id = $2 RETURNING ") +
            kColumns,
        params);
    if (r.empty()) co_return;
    updated = number_from_row(r.front());
    if (record) co_await record(tx, "phone_number.updated", *updated);
  });
  co_return updated;
}

boost::asio::awaitable<bool> NumberStore::remove(std::string tenant_id, std::string id,
                                                 store::ChangeRecorder<PhoneNumber> record) {
  auto params = store::args(id, tenant_id);
  bool removed = false;
  co_await db_.transaction([&](store::Session& tx) -> boost::asio::awaitable<void> {
    store::Result r = co_await tx.exec(
        std::string("DELETE FROM phone_numbers WHERE id = $1 AND tenant_id = $2 RETURNING ") +
            kColumns,
        params);
    if (r.empty()) co_return;
    removed = true;
    const PhoneNumber gone = number_from_row(r.front());
    if (record) co_await record(tx, "phone_number.deleted", gone);
  });
  co_return removed;
}

}  // namespace irisx::voice::numbers
