#pragma once
// The location service (RFC 3261 §10.3): contacts bound to tenant extensions, in the store
// (table sip_bindings, migration 4), so every voice node sees every registration.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "store/database.hpp"
#include "voice/registrar/rules.hpp"

namespace irisx::voice::registrar {

struct UpdateResult {
  Outcome outcome = Outcome::ok;
  std::int64_t min_expires_s = 0;  // for 423's Min-Expires header
  std::vector<Binding> bindings;   // the live bindings after the request, for the 200's Contacts
};

class Bindings {
 public:
  explicit Bindings(store::Database& db) : db_(db) {}

  // Applies one REGISTER in one transaction: reads the extension's rows, runs decide() and
  // writes the plan. Concurrent REGISTERs for one extension are serialised by the row locks on
  // PostgreSQL and by the write lock on SQLite.
  boost::asio::awaitable<UpdateResult> apply(RegisterRequest request);

  // Live bindings of an extension (expires_at > now_ms), by contact_uri: whom to ring.
  boost::asio::awaitable<std::vector<Binding>> lookup(std::string tenant_id, std::string extension,
                                                      std::int64_t now_ms);

  // Deletes bindings that expired at or before now_ms across all tenants (a housekeeping
  // sweep, like events' purge); returns how many.
  boost::asio::awaitable<int> purge_expired(std::int64_t now_ms);

 private:
  store::Database& db_;
};

}  // namespace irisx::voice::registrar
