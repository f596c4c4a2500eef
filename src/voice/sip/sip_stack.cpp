// SipStack: sofia-sip's nua on a thread of its own, the dispatch of its events, and the
// commands other threads post to it.
#include "voice/sip/sip_stack_impl.hpp"

#include <stdexcept>

#include "voice/sip/free_port.hpp"
#include "voice/sip/sofia_text.hpp"

namespace irisx::voice::sip {

namespace {
constexpr unsigned kUdpReceiveBuffer = 4u << 20;
}  // namespace

void SipStack::Impl::start() {
  std::promise<void> started;
  auto ready = started.get_future();
  thread = std::thread([this, &started] { run(started); });
  try {
    ready.get();
  } catch (...) {
    thread.join();
    throw;
  }
}

bool SipStack::Impl::bind_stack(std::uint16_t candidate) {
  const std::string url = "sip:" + host_for_url(options.host) + ":" + std::to_string(candidate);
  std::string allowed = "INVITE, ACK, BYE, CANCEL, OPTIONS";
  if (events.on_register) allowed += ", REGISTER";
  allowed_in_call = allowed;
  // Only within a call (set per call handle): outside one, nua would subscribe the sender
  // to a REFER's outcome (and NOTIFY it) before we could refuse. NOTIFY carries the outcome
  // of a REFER we sent.
  if (events.on_refer) allowed_in_call += ", REFER, NOTIFY";
  nua = nua_create(
      root, &Impl::on_nua_event, this, NUTAG_URL(url.c_str()), NUTAG_MEDIA_ENABLE(0),
      NUTAG_AUTOANSWER(0), NUTAG_AUTOACK(1),
      // Exactly what we handle: nua's defaults also announce PRACK, MESSAGE,
      // SUBSCRIBE, NOTIFY, REFER, UPDATE and 100rel. Session timers (RFC 4028)
      // only when the caller asks, with the caller refreshing by preference.
      SIPTAG_ALLOW_STR(allowed.c_str()),
      // The application answers REGISTER (the registrar) and REFER (only in a call) itself.
      TAG_IF(events.on_register != nullptr, NUTAG_APPL_METHOD("REGISTER")),
      TAG_IF(events.on_register != nullptr, NUTAG_ALLOW("REGISTER")),
      TAG_IF(events.on_refer != nullptr, NUTAG_APPL_METHOD("REFER")), SIPTAG_SUPPORTED_STR("timer"),
      NUTAG_ENABLEMESSAGE(0), NUTAG_SESSION_TIMER(0), NUTAG_SESSION_REFRESHER(nua_remote_refresher),
      SIPTAG_USER_AGENT_STR(options.user_agent.c_str()),
      // A burst of datagrams (a registration storm, a flood) overflows the kernel's default
      // 208 KiB receive buffer and the kernel drops what does not fit; the kernel caps this at
      // net.core.rmem_max (README, Deployment).
      TPTAG_UDP_RMEM(kUdpReceiveBuffer), TAG_NULL());
  if (nua == nullptr) return false;
  port = candidate;
  return true;
}

void SipStack::Impl::run(std::promise<void>& started) {
  su_init();
  su_log_redirect(nullptr, &sofia_logger, nullptr);
  root = su_root_create(nullptr);
  if (root == nullptr) {
    su_deinit();
    started.set_exception(std::make_exception_ptr(std::runtime_error("su_root_create failed")));
    return;
  }
  bool bound = false;
  for (int attempt = 0; attempt < 20 && !bound; ++attempt) {
    std::uint16_t candidate = options.port;
    if (candidate == 0) candidate = pick_free_port(options.host);
    bound = candidate != 0 && bind_stack(candidate);
    if (options.port != 0) break;
  }
  if (!bound) {
    su_root_destroy(root);
    su_deinit();
    started.set_exception(std::make_exception_ptr(std::runtime_error(
        "cannot listen for SIP on " + options.host + ":" + std::to_string(options.port))));
    return;
  }
  accepting_commands = true;
  started.set_value();
  su_root_run(root);
  accepting_commands = false;
  for (auto& [id, leg] : legs) {
    nua_handle_bind(leg->handle, nullptr);
    nua_handle_destroy(leg->handle);
    delete leg;
  }
  legs.clear();
  for (Leg* leg : finishing) {
    nua_handle_bind(leg->handle, nullptr);
    nua_handle_destroy(leg->handle);
    delete leg;
  }
  finishing.clear();
  for (auto& [id, pending] : registers) {
    nua_destroy_event(pending->saved);
    nua_handle_destroy(pending->handle);
  }
  registers.clear();
  nua_destroy(nua);
  su_root_destroy(root);
  su_deinit();
}

void SipStack::Impl::handle(nua_event_t event, int status, nua_handle_t* nh, Leg* leg,
                            const sip_t* sip, tagi_t tags[]) {
  switch (event) {
    case nua_i_invite:
      if (leg != nullptr) {
        on_reinvite(*leg, sip);
      } else {
        on_new_invite(nh, sip);
      }
      return;
    case nua_r_invite:
      if (leg != nullptr && leg->outbound) on_invite_response(nh, *leg, status, sip);
      return;
    case nua_i_ack:
      if (leg != nullptr && events.on_confirmed) events.on_confirmed(leg->id, payload_of(sip));
      return;
    case nua_i_bye:
      if (leg != nullptr && !leg->ending) leg->ending = Ending::remote_bye;
      return;
    case nua_i_cancel:
      if (leg != nullptr && !leg->ending) leg->ending = Ending::cancelled;
      return;
    case nua_i_state: {
      int state = nua_callstate_init;
      tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
      if (state == nua_callstate_terminated) on_terminated(nh, leg, status);
      return;
    }
    case nua_i_register:
      if (leg == nullptr && nh != nullptr && events.on_register) {
        on_register(nh, sip);
        return;
      }
      if (leg == nullptr && nh != nullptr) nua_handle_destroy(nh);
      return;
    case nua_i_refer:
      on_refer(nh, leg, sip);
      return;
    case nua_r_refer:
      if (leg != nullptr && status >= 200 && events.on_transfer_progress)
        events.on_transfer_progress(leg->id, status, status >= 300);
      return;
    case nua_i_notify:
      if (leg != nullptr) {
        on_notify(*leg, sip, tags);
      } else if (nh != nullptr) {
        nua_handle_destroy(nh);
      }
      return;
    case nua_r_shutdown:
      if (status >= 200) su_root_break(root);
      return;
    default:
      // Out-of-dialog requests nua answered itself (OPTIONS and the like) leave a handle
      // that nobody else will free: destroy it, or memory grows per request.
      if (leg == nullptr && nh != nullptr && is_out_of_dialog_request(event)) {
        nua_handle_destroy(nh);
      }
      return;
  }
}

SipStack::SipStack(SipOptions options, SipEvents events) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->events = std::move(events);
  impl_->start();
}

SipStack::~SipStack() {
  impl_->post([](Impl& s) {
    s.shutting_down = true;
    nua_shutdown(s.nua);
  });
  impl_->thread.join();
}

std::string SipStack::address() const {
  return host_for_url(impl_->options.host) + ":" + std::to_string(impl_->port);
}

std::uint16_t SipStack::port() const {
  return impl_->port;
}

std::size_t SipStack::live_calls() const {
  return impl_->live.load();
}

void SipStack::refuse_new_calls() {
  impl_->post([](Impl& s) { s.shutting_down = true; });
}

CallId SipStack::new_call_id() {
  return impl_->next_id++;
}

void SipStack::invite(CallId id, OutboundInvite invite) {
  if (!impl_->accepting_commands) return;
  impl_->post([id, invite = std::move(invite)](Impl& s) { s.place_call(id, invite); });
}

void SipStack::progress(CallId id, std::string sdp) {
  impl_->post([id, sdp = std::move(sdp)](Impl& s) {
    Leg* leg = s.find(id);
    if (leg == nullptr || leg->outbound || leg->answered || leg->ending) return;
    leg->answer_sdp = sdp;
    nua_respond(leg->handle, SIP_183_SESSION_PROGRESS, SIPTAG_CONTENT_TYPE_STR("application/sdp"),
                SIPTAG_PAYLOAD_STR(leg->answer_sdp.c_str()), TAG_END());
  });
}

void SipStack::ring(CallId id) {
  impl_->post([id](Impl& s) {
    if (Leg* leg = s.find(id); leg != nullptr && !leg->answered && !leg->outbound)
      nua_respond(leg->handle, SIP_180_RINGING, TAG_END());
  });
}

void SipStack::answer(CallId id, std::string sdp) {
  impl_->post([id, sdp = std::move(sdp)](Impl& s) {
    Leg* leg = s.find(id);
    if (leg == nullptr || leg->answered || leg->ending || leg->outbound) return;
    leg->answered = true;
    leg->answer_sdp = sdp;
    nua_respond(leg->handle, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR("application/sdp"),
                SIPTAG_PAYLOAD_STR(leg->answer_sdp.c_str()), TAG_END());
  });
}

void SipStack::reject(CallId id, int status) {
  impl_->post([id, status](Impl& s) {
    if (Leg* leg = s.find(id); leg != nullptr && !leg->ending) s.reject_leg(*leg, status);
  });
}

void SipStack::challenge(CallId id, std::string proxy_authenticate) {
  impl_->post([id, value = std::move(proxy_authenticate)](Impl& s) {
    Leg* leg = s.find(id);
    if (leg == nullptr || leg->ending || leg->answered || leg->outbound) return;
    leg->ending = Ending::rejected;
    nua_respond(leg->handle, SIP_407_PROXY_AUTH_REQUIRED,
                SIPTAG_PROXY_AUTHENTICATE_STR(value.c_str()), TAG_END());
  });
}

void SipStack::answer_reoffer(CallId id, std::string sdp) {
  impl_->post([id, sdp = std::move(sdp)](Impl& s) {
    Leg* leg = s.find(id);
    if (leg == nullptr || !leg->reoffer_pending) return;
    leg->reoffer_pending = false;
    leg->answer_sdp = sdp;
    nua_respond(leg->handle, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR("application/sdp"),
                SIPTAG_PAYLOAD_STR(leg->answer_sdp.c_str()), TAG_END());
  });
}

void SipStack::reject_reoffer(CallId id, int status) {
  impl_->post([id, status](Impl& s) {
    Leg* leg = s.find(id);
    if (leg == nullptr || !leg->reoffer_pending) return;
    leg->reoffer_pending = false;
    nua_respond(leg->handle, status, static_phrase(status), TAG_END());
  });
}

void SipStack::respond_register(std::uint64_t id, RegisterResponse response) {
  impl_->post([id, response = std::move(response)](Impl& s) {
    auto it = s.registers.find(id);
    if (it == s.registers.end()) return;
    std::unique_ptr<Impl::PendingRegister> pending = std::move(it->second);
    s.registers.erase(it);
    nua_handle_t* nh = pending->handle;
    const std::string min_expires =
        response.min_expires ? std::to_string(*response.min_expires) : std::string();
    nua_respond(
        nh, response.status, static_phrase(response.status), NUTAG_WITH_SAVED(pending->saved),
        TAG_IF(!response.contacts.empty(), SIPTAG_CONTACT_STR(response.contacts.c_str())),
        TAG_IF(!response.www_authenticate.empty(),
               SIPTAG_WWW_AUTHENTICATE_STR(response.www_authenticate.c_str())),
        TAG_IF(!min_expires.empty(), SIPTAG_MIN_EXPIRES_STR(min_expires.c_str())), TAG_END());
    nua_destroy_event(pending->saved);
    nua_handle_destroy(nh);
  });
}

void SipStack::refer(CallId id, std::string refer_to) {
  impl_->post([id, refer_to = std::move(refer_to)](Impl& s) {
    Leg* leg = s.find(id);
    if (leg == nullptr || !leg->answered || leg->ending) {
      if (s.events.on_transfer_progress) s.events.on_transfer_progress(id, 481, true);
      return;
    }
    const std::string value = "<" + refer_to + ">";
    nua_refer(leg->handle, SIPTAG_REFER_TO_STR(value.c_str()), TAG_END());
  });
}

void SipStack::notify_transfer(CallId id, int status) {
  impl_->post([id, status](Impl& s) {
    Leg* leg = s.find(id);
    if (leg == nullptr || leg->ending) return;
    const std::string frag = "SIP/2.0 " + std::to_string(status) + " " + static_phrase(status);
    nua_notify(leg->handle, NUTAG_SUBSTATE(nua_substate_terminated),
               SIPTAG_CONTENT_TYPE_STR("message/sipfrag;version=2.0"),
               SIPTAG_PAYLOAD_STR(frag.c_str()), TAG_END());
  });
}

void SipStack::hangup(CallId id) {
  impl_->post([id](Impl& s) {
    Leg* leg = s.find(id);
    if (leg == nullptr || leg->ending) return;
    if (!leg->answered && leg->outbound) {
      leg->ending = Ending::abandoned;
      // nta holds the CANCEL until the peer's first response, even a 100 (RFC 3261 §9.1), so
      // a late 1xx still gets it and a late 200 gets BYE (on_invite_response).
      nua_cancel(leg->handle, TAG_END());
      if (!leg->provisional) {
        // Nothing we report came back (a dead trunk, or only 100 Trying): the call is over for
        // the engine now, not after timer B (32 s); nua finishes the transaction alone.
        s.report_end(*leg, 408);
        s.finishing.insert(leg);
      }
      return;
    }
    if (!leg->answered) {
      s.reject_leg(*leg, 480);
      return;
    }
    leg->ending = Ending::local_bye;
    nua_bye(leg->handle, TAG_END());
  });
}

}  // namespace irisx::voice::sip
