// INVITEs we send (with their digest challenge), and how any leg's end reaches the engine.
#include "voice/sip/sip_stack_impl.hpp"

#include "voice/sip/sofia_text.hpp"

namespace irisx::voice::sip {

void SipStack::Impl::place_call(CallId id, const OutboundInvite& invite) {
  if (shutting_down) {
    if (events.on_ended) events.on_ended(CallEnded{id, Ending::failed, 503});
    return;
  }
  auto* leg = new Leg;
  leg->id = id;
  leg->outbound = true;
  leg->answer_sdp = invite.sdp;
  leg->username = invite.username;
  leg->password = invite.password;
  const std::string to = name_addr({}, invite.to_uri);
  const std::string from = name_addr(invite.from_display, invite.from_uri);
  leg->handle =
      nua_handle(nua, leg, SIPTAG_TO_STR(to.c_str()), SIPTAG_FROM_STR(from.c_str()), TAG_END());
  if (leg->handle == nullptr) {
    delete leg;
    if (events.on_ended) events.on_ended(CallEnded{id, Ending::failed, 500});
    return;
  }
  legs.emplace(id, leg);
  ++live;
  nua_set_hparams(leg->handle, SIPTAG_ALLOW_STR(allowed_in_call.c_str()),
                  TAG_IF(!invite.next_hop.empty(), NUTAG_PROXY(invite.next_hop.c_str())),
                  TAG_END());
  nua_invite(leg->handle, NUTAG_URL(invite.request_uri.c_str()),
             SIPTAG_CONTENT_TYPE_STR("application/sdp"),
             SIPTAG_PAYLOAD_STR(leg->answer_sdp.c_str()), TAG_END());
}

void SipStack::Impl::on_invite_response(nua_handle_t* nh, Leg& leg, int status, const sip_t* sip) {
  if (status < 200) {
    leg.provisional = true;
    if (status > 100 && events.on_progress) events.on_progress(leg.id, status, payload_of(sip));
    return;
  }
  if (status < 300) {
    if (leg.ending == Ending::abandoned) {
      nua_bye(nh, TAG_END());  // the 200 crossed our CANCEL (RFC 3261 §9.1)
      return;
    }
    if (!leg.answered) {
      leg.answered = true;
      if (events.on_answered) events.on_answered(leg.id, payload_of(sip));
    }
    return;
  }
  leg.final_status = status;
  if (!leg.ending) leg.ending = Ending::declined;
  if ((status == 401 || status == 407) && sip != nullptr) {
    // nua waits for credentials instead of ending the call: answer the challenge once, or
    // end the call ourselves (no terminated state will come).
    const std::string realm = challenge_realm(sip);
    if (!leg.challenged && !leg.username.empty() && !realm.empty() &&
        leg.ending == Ending::declined) {
      leg.challenged = true;
      leg.ending.reset();
      const std::string credentials = "Digest:" + realm + ":" + leg.username + ":" + leg.password;
      nua_authenticate(nh, NUTAG_AUTH(credentials.c_str()), TAG_END());
      return;
    }
    on_terminated(nh, &leg, status);
  }
}

// Tells the engine the call is over; its CallId is free from now on.
void SipStack::Impl::report_end(Leg& leg, int status) {
  if (leg.reported) return;
  leg.reported = true;
  if (leg.final_status != 0) status = leg.final_status;
  const CallEnded ended{leg.id, leg.ending.value_or(Ending::failed), status};
  legs.erase(leg.id);
  --live;
  if (events.on_ended) events.on_ended(ended);
}

void SipStack::Impl::on_terminated(nua_handle_t* nh, Leg* leg, int status) {
  if (leg == nullptr) {
    nua_handle_destroy(nh);
    return;
  }
  report_end(*leg, status);
  finishing.erase(leg);
  nua_handle_bind(nh, nullptr);
  nua_handle_destroy(nh);
  delete leg;
}

}  // namespace irisx::voice::sip
