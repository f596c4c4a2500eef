#pragma once
// RFC 3261 §10.3 as a pure function: given a REGISTER and the bindings stored for its
// address-of-record, decide what to add, refresh and remove. No store, no clock: the caller
// passes `now_ms`, so every rule is unit-testable and the store layer only executes the plan.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace irisx::voice::registrar {

// One contact bound to an extension (an address-of-record within a tenant).
struct Binding {
  std::string tenant_id;
  std::string extension;
  std::string contact_uri;
  std::string source;     // ip:port the REGISTER came from (for NAT traversal later)
  std::string transport;  // "udp", "tcp", "tls"
  std::string user_agent;
  std::string call_id;
  std::int32_t cseq = 0;
  std::int64_t expires_at_ms = 0;
  std::string instance;  // +sip.instance (RFC 5626 §4.1), stored only; see registrar docs
  std::int64_t updated_at_ms = 0;  // last add or refresh: the eviction order
};

// One Contact header value of the REGISTER.
struct ContactUpdate {
  std::string uri;  // compared byte for byte: normalise before (RFC 3261 §19.1.4 is not done here)
  std::optional<std::int64_t> expires;  // the Contact's expires parameter, seconds
  std::string instance;
};

struct Limits {
  std::int64_t default_expires_s = 3600;  // when neither Contact nor Expires says (§10.3 step 5)
  std::int64_t min_expires_s = 60;        // below this (and not 0): 423 Interval Too Brief
  std::int64_t max_expires_s = 7200;      // above this: shortened to it
  std::size_t max_contacts = 10;          // per extension
};

struct RegisterRequest {
  std::string tenant_id;
  std::string extension;
  std::string call_id;
  std::int32_t cseq = 0;
  bool wildcard = false;  // `Contact: *` (§10.3 step 6); then `contacts` must be empty
  std::vector<ContactUpdate> contacts;  // empty and no wildcard: a query (§10.2.3)
  std::optional<std::int64_t> expires;  // the Expires header, seconds
  std::string source;
  std::string transport;
  std::string user_agent;
  std::int64_t now_ms = 0;
  Limits limits;
};

enum class Outcome {
  ok,                  // 200 with the current bindings (§10.3 step 8)
  invalid_request,     // 400: `*` with contacts or Expires other than 0, negative expires
  interval_too_brief,  // 423 with Min-Expires: min_expires_s (§10.3 step 7)
  out_of_order,        // same Call-ID, CSeq not higher (§10.3 steps 6-7): 500 per the RFC
  too_many_contacts,   // the request alone binds more than max_contacts: suggest 403
};

struct Decision {
  Outcome outcome = Outcome::ok;
  std::vector<Binding> upserts;       // bindings to insert or overwrite, by contact_uri
  std::vector<std::string> removals;  // contact_uris to delete (includes expired ones)
  std::vector<Binding> bindings;      // the live set after the change, by contact_uri
};

// `stored`: every row kept for (tenant_id, extension), expired ones included. When the
// outcome is not ok nothing changes: upserts and removals are empty and `bindings` is the live
// stored set. When the request would leave more than max_contacts live bindings, the least
// recently refreshed ones this request does not mention are removed to make room.
Decision decide(const RegisterRequest& request, const std::vector<Binding>& stored);

}  // namespace irisx::voice::registrar
