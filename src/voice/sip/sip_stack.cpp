#include "voice/sip/sip_stack.hpp"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "common/log.hpp"
#include "voice/sip/free_port.hpp"
#include "voice/sip/sofia.hpp"

namespace irisx::voice::sip {
namespace {

// One call's dialog, owned by the SIP thread; bound to its nua handle as the handle magic.
struct Leg {
  CallId id = 0;
  nua_handle_t* handle = nullptr;
  bool answered = false;
  std::optional<Ending> ending;
  std::string answer_sdp;  // our current SDP; resent to a re-INVITE without an offer
  bool reoffer_pending = false;
  bool outbound = false;  // we sent the INVITE
  int final_status = 0;   // the final response to our INVITE
  std::string username;   // digest credentials for our INVITE
  std::string password;
  bool challenged = false;   // we answered one challenge already; a second means bad credentials
  bool provisional = false;  // the peer sent a 1xx to our INVITE
  bool reported = false;     // on_ended went out already; nua is still finishing the dialog
};

// sofia-sip's own diagnostics ("received garbage from …") go to our "sip" logger at debug
// level instead of stderr: garbage from the network must not flood the log.
void sofia_logger(void* stream, char const* format, va_list ap) {
  (void)stream;
  char line[512];
  const int n = std::vsnprintf(line, sizeof line, format, ap);
  if (n <= 0) return;
  std::string text(line, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof line - 1));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (!text.empty()) log::get("sip")->debug("{}", text);
}

std::string url_text(const url_t* url) {
  if (url == nullptr) return {};
  char buffer[512];
  const isize_t n = url_e(buffer, sizeof buffer, url);
  if (n <= 0 || static_cast<std::size_t>(n) >= sizeof buffer) return {};
  return std::string(buffer, static_cast<std::size_t>(n));
}

std::string transport_of(const sip_t* sip) {
  if (sip->sip_via == nullptr || sip->sip_via->v_protocol == nullptr) return "udp";
  std::string protocol = sip->sip_via->v_protocol;  // "SIP/2.0/UDP"
  const auto slash = protocol.rfind('/');
  std::string name = slash == std::string::npos ? protocol : protocol.substr(slash + 1);
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::string payload_of(const sip_t* sip) {
  if (sip == nullptr || sip->sip_payload == nullptr || sip->sip_payload->pl_data == nullptr)
    return {};
  return std::string(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
}

bool is_out_of_dialog_request(nua_event_t event) {
  switch (event) {
    case nua_i_options:
    case nua_i_publish:
    case nua_i_info:
    case nua_i_update:
    case nua_i_message:
    case nua_i_subscribe:
    case nua_i_method:
      return true;
    default:
      return false;
  }
}

// nua keeps the reason phrase by pointer until the stack sends the response, after our command
// (and its strings) are gone; tags are copied, the phrase is not. So responses carry sofia's
// static phrase for the status.
const char* static_phrase(int status) {
  const char* phrase = sip_status_phrase(status);
  return phrase != nullptr ? phrase : "";
}

std::string host_for_url(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// Where a request came from: RFC 3261 §18.2.1 puts the source address in Via's received
// parameter when it differs from the sent-by host (and RFC 3581 the port in rport).
std::pair<std::string, std::string> source_of(const sip_t* sip) {
  if (sip->sip_via == nullptr) return {};
  const sip_via_t* via = sip->sip_via;
  const char* host = via->v_received != nullptr ? via->v_received : via->v_host;
  const char* port = via->v_rport != nullptr && *via->v_rport ? via->v_rport : via->v_port;
  return {host != nullptr ? host : "", port != nullptr ? port : "5060"};
}

// "Display Name" <uri>, with the display quoted (RFC 3261 §25.1 quoted-string).
std::string name_addr(const std::string& display, const std::string& uri) {
  if (display.empty()) return "<" + uri + ">";
  std::string quoted = "\"";
  for (const char c : display) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    if (c != '\r' && c != '\n') quoted.push_back(c);
  }
  return quoted + "\" <" + uri + ">";
}

// A header's value as it was on the wire (sofia re-encodes it); empty when absent or too long.
std::string header_value(const void* header) {
  if (header == nullptr) return {};
  char value[4096];
  const issize_t n =
      msg_header_field_e(value, sizeof value, static_cast<const msg_header_t*>(header), 0);
  if (n <= 0 || static_cast<std::size_t>(n) >= sizeof value) return {};
  return std::string(value, static_cast<std::size_t>(n));
}

// The realm of a 401/407 challenge, quotes included, as nua_authenticate wants it.
std::string challenge_realm(const sip_t* sip) {
  const msg_auth_t* auth = sip->sip_proxy_authenticate != nullptr ? sip->sip_proxy_authenticate
                                                                  : sip->sip_www_authenticate;
  if (auth == nullptr || auth->au_scheme == nullptr) return {};
  const char* realm = msg_params_find(auth->au_params, "realm=");
  return realm != nullptr ? realm : "";
}

}  // namespace

struct SipStack::Impl {
  SipOptions options;
  SipEvents events;
  std::thread thread;
  su_root_t* root = nullptr;
  nua_t* nua = nullptr;
  std::uint16_t port = 0;
  std::atomic<std::size_t> live{0};
  std::atomic<bool> accepting_commands{false};

  // SIP thread only.
  std::unordered_map<CallId, Leg*> legs;
  // REGISTERs awaiting respond_register. nua needs the saved event to know which request a
  // later response answers (NUTAG_WITH_SAVED).
  struct PendingRegister {
    nua_handle_t* handle = nullptr;
    nua_saved_event_t saved[1];
  };
  std::unordered_map<std::uint64_t, std::unique_ptr<PendingRegister>> registers;
  std::atomic<CallId> next_id{1};
  bool shutting_down = false;
  std::string allowed_in_call;  // the Allow of a call's dialog
  // Legs already reported ended whose INVITE transaction nua is still finishing (a CANCEL
  // waiting for the peer's first response); freed at their terminated state.
  std::unordered_set<Leg*> finishing;

  static void on_nua_event(nua_event_t event, int status, char const* phrase, nua_t* nua,
                           nua_magic_t* magic, nua_handle_t* nh, nua_hmagic_t* hmagic,
                           sip_t const* sip, tagi_t tags[]) {
    (void)phrase;
    (void)nua;
    static_cast<Impl*>(magic)->handle(event, status, nh, static_cast<Leg*>(hmagic), sip, tags);
  }

  // Runs a closure on the SIP thread: su_msg is sofia's thread-safe mailbox into a root.
  struct Command {
    std::function<void(Impl&)> run;
    Impl* impl;
  };
  static void run_command(su_root_magic_t*, su_msg_r msg, su_msg_arg_t* arg) {
    (void)msg;
    Command* command = *static_cast<Command**>(static_cast<void*>(arg));
    command->run(*command->impl);
    delete command;
  }
  void post(std::function<void(Impl&)> fn) {
    if (!accepting_commands) return;
    su_msg_r msg = SU_MSG_R_INIT;
    if (su_msg_create(msg, su_root_task(root), su_task_null, &Impl::run_command,
                      sizeof(Command*)) != 0) {
      return;
    }
    *static_cast<Command**>(static_cast<void*>(su_msg_data(msg))) =
        new Command{std::move(fn), this};
    if (su_msg_send(msg) != 0) su_msg_destroy(msg);
  }

  void start() {
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

  bool bind_stack(std::uint16_t candidate) {
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
        TAG_IF(events.on_refer != nullptr, NUTAG_APPL_METHOD("REFER")),
        SIPTAG_SUPPORTED_STR("timer"), NUTAG_ENABLEMESSAGE(0), NUTAG_SESSION_TIMER(0),
        NUTAG_SESSION_REFRESHER(nua_remote_refresher),
        SIPTAG_USER_AGENT_STR(options.user_agent.c_str()), TAG_NULL());
    if (nua == nullptr) return false;
    port = candidate;
    return true;
  }

  void run(std::promise<void>& started) {
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

  Leg* find(CallId id) {
    auto it = legs.find(id);
    return it == legs.end() ? nullptr : it->second;
  }

  void handle(nua_event_t event, int status, nua_handle_t* nh, Leg* leg, const sip_t* sip,
              tagi_t tags[]) {
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

  void on_new_invite(nua_handle_t* nh, const sip_t* sip) {
    if (shutting_down || live.load() >= options.max_calls) {
      const std::string retry = std::to_string(options.retry_after_s);
      nua_respond(nh, SIP_503_SERVICE_UNAVAILABLE, SIPTAG_RETRY_AFTER_STR(retry.c_str()),
                  TAG_END());
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

  void on_register(nua_handle_t* nh, const sip_t* sip) {
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
  void on_refer(nua_handle_t* nh, Leg* leg, const sip_t* sip) {
    if (!events.on_refer) {  // nua answered it (REFER is not even allowed then)
      if (leg == nullptr && nh != nullptr) nua_handle_destroy(nh);
      return;
    }
    const sip_refer_to_t* refer_to = sip != nullptr ? sip->sip_refer_to : nullptr;
    if (leg == nullptr || !leg->answered || leg->ending) {
      nua_respond(nh, SIP_403_FORBIDDEN, NUTAG_WITH_THIS(nua), TAG_END());
      // Destroyed once the 403 is out: nua made an implicit subscription for the REFER, and
      // destroying the handle before the response ends that with a NOTIFY instead.
      if (leg == nullptr) post([nh](Impl&) { nua_handle_destroy(nh); });
      return;
    }
    const std::string target = refer_to != nullptr ? url_text(refer_to->r_url) : std::string();
    if (target.rfind("sip:", 0) != 0 && target.rfind("sips:", 0) != 0) {
      nua_respond(nh, SIP_400_BAD_REQUEST, NUTAG_WITH_THIS(nua), TAG_END());
      return;
    }
    nua_respond(nh, SIP_202_ACCEPTED, NUTAG_WITH_THIS(nua), TAG_END());
    if (events.on_refer) events.on_refer(leg->id, target);
  }

  // A NOTIFY for a REFER we sent: its body is a status line (RFC 3515 §2.4.4).
  void on_notify(Leg& leg, const sip_t* sip, tagi_t tags[]) {
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

  void on_reinvite(Leg& leg, const sip_t* sip) {
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

  void place_call(CallId id, const OutboundInvite& invite) {
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

  void on_invite_response(nua_handle_t* nh, Leg& leg, int status, const sip_t* sip) {
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
  void report_end(Leg& leg, int status) {
    if (leg.reported) return;
    leg.reported = true;
    if (leg.final_status != 0) status = leg.final_status;
    const CallEnded ended{leg.id, leg.ending.value_or(Ending::failed), status};
    legs.erase(leg.id);
    --live;
    if (events.on_ended) events.on_ended(ended);
  }

  void on_terminated(nua_handle_t* nh, Leg* leg, int status) {
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

  void reject_leg(Leg& leg, int status) {
    if (leg.answered || leg.outbound) return;
    leg.ending = Ending::rejected;
    nua_respond(leg.handle, status, static_phrase(status), TAG_END());
  }
};

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
