// Requests peers send: new INVITEs, REGISTER, REFER and NOTIFY, re-INVITEs.
#include "voice/sip/sip_stack_impl.hpp"

#include <cstdlib>

#include "voice/sip/sofia_text.hpp"

namespace irisx::voice::sip {

void SipStack::Impl::on_new_invite(nua_handle_t* nh, const sip_t* sip) {
  if (shutting_down || live.load() >= options.max_calls) {
    const std::string retry = std::to_string(options.retry_after_s);
    nua_respond(nh, SIP_503_SERVICE_UNAVAILABLE, SIPTAG_RETRY_AFTER_STR(retry.c_str()), TAG_END());
    nua_handle_destroy(nh);
    return;
  }
  auto* leg = new Leg;
  leg->id = next_id++;
  leg->handle = nh;
  nua_handle_bind(nh, leg);
  nua_set_hparams(nh, SIPTAG_ALLOW_STR(allowed_in_call.c_str()), TAG_END());
  legs.emplace(leg->id, leg);
  ++live;

  InviteRequest request;
  request.id = leg->id;
  if (sip->sip_request != nullptr) {
    const url_t* uri = sip->sip_request->rq_url;
    if (uri->url_user != nullptr) request.request_user = uri->url_user;
    if (uri->url_host != nullptr) request.request_host = uri->url_host;
  }
  request.source_ip = source_of(sip).first;
  if (sip->sip_from != nullptr) {
    const url_t* from = sip->sip_from->a_url;
    request.from_uri = url_text(from);
    if (from->url_user != nullptr) request.from_user = from->url_user;
    if (from->url_host != nullptr) request.from_host = from->url_host;
    if (sip->sip_from->a_display != nullptr) request.from_display = sip->sip_from->a_display;
  }
  request.proxy_authorization = header_value(sip->sip_proxy_authorization);
  if (sip->sip_to != nullptr) request.to_uri = url_text(sip->sip_to->a_url);
  if (sip->sip_call_id != nullptr && sip->sip_call_id->i_id != nullptr)
    request.call_id = sip->sip_call_id->i_id;
  request.transport = transport_of(sip);
  request.sdp = payload_of(sip);
  if (events.on_invite) {
    events.on_invite(std::move(request));
  } else {
    reject_leg(*leg, 480);
  }
}

void SipStack::Impl::on_register(nua_handle_t* nh, const sip_t* sip) {
  RegisterRequest request;
  request.id = next_id++;
  if (sip->sip_to != nullptr) {
    if (sip->sip_to->a_url->url_user != nullptr) request.user = sip->sip_to->a_url->url_user;
    if (sip->sip_to->a_url->url_host != nullptr) request.domain = sip->sip_to->a_url->url_host;
  }
  request.authorization = header_value(sip->sip_authorization);
  if (sip->sip_call_id != nullptr && sip->sip_call_id->i_id != nullptr)
    request.call_id = sip->sip_call_id->i_id;
  if (sip->sip_cseq != nullptr) request.cseq = static_cast<std::int32_t>(sip->sip_cseq->cs_seq);
  for (const sip_contact_t* m = sip->sip_contact; m != nullptr; m = m->m_next) {
    if (m->m_url->url_type == url_any) {
      request.wildcard = true;
      continue;
    }
    std::optional<std::int64_t> expires;
    if (m->m_expires != nullptr) expires = std::strtoll(m->m_expires, nullptr, 10);
    request.contacts.emplace_back(url_text(m->m_url), expires);
  }
  if (sip->sip_expires != nullptr)
    request.expires = static_cast<std::int64_t>(sip->sip_expires->ex_delta);
  if (sip->sip_via != nullptr) {
    const auto [host, via_port] = source_of(sip);
    request.source = host + ":" + via_port;
  }
  request.transport = transport_of(sip);
  if (sip->sip_user_agent != nullptr && sip->sip_user_agent->g_string != nullptr)
    request.user_agent = sip->sip_user_agent->g_string;
  auto pending = std::make_unique<PendingRegister>();
  pending->handle = nh;
  nua_save_event(nua, pending->saved);
  registers.emplace(request.id, std::move(pending));
  events.on_register(std::move(request));
}

// REFER is an application method here, so nua waits for our response: 202 only within an
// answered call we can transfer, with a SIP URI to go to.
void SipStack::Impl::on_refer(nua_handle_t* nh, Leg* leg, const sip_t* sip) {
  // REFER is in Allow only within a call's dialog (sip_stack.cpp), so nua answers any other
  // with 405 itself; should one still arrive here, its handle must not leak.
  if (leg == nullptr || !events.on_refer) {
    if (leg == nullptr && nh != nullptr) nua_handle_destroy(nh);
    return;
  }
  if (!leg->answered || leg->ending) {
    nua_respond(nh, SIP_403_FORBIDDEN, NUTAG_WITH_THIS(nua), TAG_END());
    return;
  }
  const sip_refer_to_t* refer_to = sip != nullptr ? sip->sip_refer_to : nullptr;
  const std::string target = refer_to != nullptr ? url_text(refer_to->r_url) : std::string();
  if (target.rfind("sip:", 0) != 0 && target.rfind("sips:", 0) != 0) {
    nua_respond(nh, SIP_400_BAD_REQUEST, NUTAG_WITH_THIS(nua), TAG_END());
    return;
  }
  nua_respond(nh, SIP_202_ACCEPTED, NUTAG_WITH_THIS(nua), TAG_END());
  events.on_refer(leg->id, target);
}

// A NOTIFY for a REFER we sent: its body is a status line (RFC 3515 §2.4.4).
void SipStack::Impl::on_notify(Leg& leg, const sip_t* sip, tagi_t tags[]) {
  int substate = nua_substate_active;
  tl_gets(tags, NUTAG_SUBSTATE_REF(substate), TAG_END());
  const std::string frag = payload_of(sip);
  int status = 0;
  if (frag.rfind("SIP/2.0 ", 0) == 0) status = std::atoi(frag.c_str() + 8);
  if (status < 100 || status > 699) status = 0;
  const bool final = status >= 200 || substate == nua_substate_terminated;
  if ((status != 0 || final) && events.on_transfer_progress)
    events.on_transfer_progress(leg.id, status, final);
}

void SipStack::Impl::on_reinvite(Leg& leg, const sip_t* sip) {
  std::string offer = payload_of(sip);
  if (!leg.answered || leg.answer_sdp.empty()) {
    nua_respond(leg.handle, SIP_491_REQUEST_PENDING, TAG_END());  // RFC 3261 §14.2
    return;
  }
  if (offer.empty() || !events.on_reoffer) {
    // A refresh without an offer: our current SDP is the offer, the ACK brings the answer.
    nua_respond(leg.handle, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR("application/sdp"),
                SIPTAG_PAYLOAD_STR(leg.answer_sdp.c_str()), TAG_END());
    return;
  }
  leg.reoffer_pending = true;
  events.on_reoffer(leg.id, std::move(offer));
}

void SipStack::Impl::reject_leg(Leg& leg, int status) {
  if (leg.answered || leg.outbound) return;
  leg.ending = Ending::rejected;
  nua_respond(leg.handle, status, static_phrase(status), TAG_END());
}

}  // namespace irisx::voice::sip
