#pragma once
// A tenant's phone numbers (DIDs, table phone_numbers, migration 5) and the voice application
// each one runs. A number belongs to one tenant platform-wide: inbound routing looks it up by
// number alone and learns the tenant from the row. Every other query is scoped by tenant.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "store/database.hpp"
#include "store/pagination.hpp"
#include "voice/numbers/application.hpp"

namespace irisx::voice::numbers {

struct PhoneNumber {
  std::string id;  // "PN…"
  std::string tenant_id;
  std::string number;  // E.164
  VoiceApplication application;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  // Hears `call.completed` for each call that came in on the number (webhooks/callbacks.hpp).
  // The caller has checked it with the SSRF guard.
  std::optional<std::string> status_callback;
};

struct NumberChanges {
  std::optional<VoiceApplication> application;
  std::optional<std::optional<std::string>> status_callback;  // set, or cleared with nullopt
};

// The API's view: {"id","object":"phone_number","number","voice_application":{…},…}.
nlohmann::json to_json(const PhoneNumber& number);

class NumberStore {
 public:
  explicit NumberStore(store::Database& db) : db_(db) {}

  // Throws ApiError like the other services: 422 validation_failed for a number that is not
  // E.164 or an invalid application, 409 number_taken when any tenant already has the number
  // (the detail does not say which).
  // Changes are recorded through `record` (phone_number.created, .updated, .deleted), when given.
  boost::asio::awaitable<PhoneNumber> create(
      std::string tenant_id, std::string number, VoiceApplication application,
      std::optional<std::string> status_callback = std::nullopt,
      store::ChangeRecorder<PhoneNumber> record = {});

  boost::asio::awaitable<std::optional<PhoneNumber>> find(std::string tenant_id, std::string id);

  // For routing an inbound call: not scoped, the tenant comes from the row.
  boost::asio::awaitable<std::optional<PhoneNumber>> find_by_number(std::string number);

  // Newest first, keyset-paginated over (created_at, id) (store/pagination.hpp).
  boost::asio::awaitable<store::Page<PhoneNumber>> list(std::string tenant_id,
                                                        store::PageRequest page);

  // nullopt when the tenant has no such number. Throws 422 for an invalid application.
  boost::asio::awaitable<std::optional<PhoneNumber>> update_application(
      std::string tenant_id, std::string id, VoiceApplication application);
  // The changes given, in one statement; nullopt when the tenant has no such number.
  boost::asio::awaitable<std::optional<PhoneNumber>> update(
      std::string tenant_id, std::string id, NumberChanges changes,
      store::ChangeRecorder<PhoneNumber> record = {});

  // Returns whether a number was deleted.
  boost::asio::awaitable<bool> remove(std::string tenant_id, std::string id,
                                      store::ChangeRecorder<PhoneNumber> record = {});

 private:
  store::Database& db_;
};

}  // namespace irisx::voice::numbers
