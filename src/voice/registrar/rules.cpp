#include "voice/registrar/rules.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace irisx::voice::registrar {
namespace {

using ByUri = std::map<std::string, Binding>;

std::vector<Binding> values(const ByUri& m) {
  std::vector<Binding> out;
  out.reserve(m.size());
  for (const auto& [uri, b] : m) out.push_back(b);
  return out;
}

// §10.3 steps 6 and 7: within one Call-ID a REGISTER must carry a higher CSeq than the one
// that last touched the binding, or it is a reordered or replayed request.
bool is_out_of_order(const Binding& stored, const RegisterRequest& r) {
  return stored.call_id == r.call_id && r.cseq <= stored.cseq;
}

}  // namespace

Decision decide(const RegisterRequest& request, const std::vector<Binding>& stored) {
  const Limits& limits = request.limits;
  ByUri live;
  for (const Binding& b : stored) {
    if (b.expires_at_ms > request.now_ms) live[b.contact_uri] = b;
  }
  auto refuse = [&live](Outcome outcome) {
    Decision d;
    d.outcome = outcome;
    d.bindings = values(live);
    return d;
  };

  if (request.wildcard) {
    // §10.3 step 6: `*` only alone and only with Expires: 0 (§10.2.2).
    if (!request.contacts.empty() || !request.expires || *request.expires != 0) {
      return refuse(Outcome::invalid_request);
    }
    for (const auto& [uri, b] : live) {
      if (is_out_of_order(b, request)) return refuse(Outcome::out_of_order);
    }
    Decision d;
    for (const Binding& b : stored) d.removals.push_back(b.contact_uri);
    return d;
  }

  // §10.3 step 5: the Contact's expires parameter, else the Expires header, else the local
  // default. Validate every contact before changing anything: the request is all or nothing.
  std::vector<std::int64_t> expires;
  expires.reserve(request.contacts.size());
  for (const ContactUpdate& c : request.contacts) {
    std::int64_t e = c.expires ? *c.expires : request.expires.value_or(limits.default_expires_s);
    if (e < 0 || c.uri.empty()) return refuse(Outcome::invalid_request);
    if (e > 0 && e < limits.min_expires_s) return refuse(Outcome::interval_too_brief);
    expires.push_back(std::min(e, limits.max_expires_s));  // §10.3 step 5: MAY shorten
  }

  ByUri result = live;
  ByUri upserts;
  std::set<std::string> touched;
  for (std::size_t i = 0; i < request.contacts.size(); ++i) {
    const ContactUpdate& c = request.contacts[i];
    // Compared with what was stored, not with an earlier Contact of this same request.
    auto old = live.find(c.uri);
    if (old != live.end() && is_out_of_order(old->second, request)) {
      return refuse(Outcome::out_of_order);
    }
    touched.insert(c.uri);
    if (expires[i] == 0) {  // §10.3 step 7: an expiration of zero removes the binding
      result.erase(c.uri);
      upserts.erase(c.uri);
      continue;
    }
    Binding b;
    b.tenant_id = request.tenant_id;
    b.extension = request.extension;
    b.contact_uri = c.uri;
    b.source = request.source;
    b.transport = request.transport;
    b.user_agent = request.user_agent;
    b.call_id = request.call_id;
    b.cseq = request.cseq;
    b.expires_at_ms = request.now_ms + expires[i] * 1000;
    b.instance = c.instance;
    b.updated_at_ms = request.now_ms;
    result[c.uri] = b;
    upserts[c.uri] = std::move(b);
  }

  if (result.size() > limits.max_contacts) {
    // Make room by dropping the least recently refreshed bindings this request left alone: a
    // phone that rebooted behind NAT re-registers from a new port without removing the old
    // contact, and refusing it would lock the agent out until the stale one expires.
    std::vector<const Binding*> idle;
    for (const auto& [uri, b] : result) {
      if (!touched.count(uri)) idle.push_back(&b);
    }
    std::sort(idle.begin(), idle.end(), [](const Binding* a, const Binding* b) {
      if (a->updated_at_ms != b->updated_at_ms) return a->updated_at_ms < b->updated_at_ms;
      return a->contact_uri < b->contact_uri;
    });
    std::vector<std::string> evict;
    for (std::size_t i = 0; i < idle.size() && result.size() - evict.size() > limits.max_contacts;
         ++i) {
      evict.push_back(idle[i]->contact_uri);
    }
    if (result.size() - evict.size() > limits.max_contacts) {
      return refuse(Outcome::too_many_contacts);
    }
    for (const std::string& uri : evict) result.erase(uri);
  }

  Decision d;
  for (const Binding& b : stored) {
    if (!result.count(b.contact_uri)) d.removals.push_back(b.contact_uri);
  }
  d.upserts = values(upserts);
  d.bindings = values(result);
  return d;
}

}  // namespace irisx::voice::registrar
