#pragma once
// SIP signaling for the voice engine: sofia-sip's `nua` user agent running on a thread of its
// own, behind plain C++ types. Nothing of sofia leaks out of this header.
//
// Threads: every callback in SipEvents runs on the SIP thread and must return quickly (hand
// work to another executor). Every command (ring, answer, reject, hangup) may be called from
// any thread; it is queued to the SIP thread. Calls are named by a CallId that the SIP thread
// assigns; a command for a call that has already ended is ignored.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace irisx::voice::sip {

using CallId = std::uint64_t;

struct InviteRequest {
  CallId id = 0;
  std::string request_user;  // user part of the Request-URI: the dialled number or name
  std::string request_host;
  std::string from_uri;
  std::string from_user;  // user and host of the From URI: a phone's extension and SIP domain
  std::string from_host;
  std::string from_display;
  std::string to_uri;
  std::string call_id;    // the SIP Call-ID header
  std::string transport;  // "udp" or "tcp"
  std::string source_ip;  // where the request came from (Via received, else sent-by host)
  std::string sdp;        // the offer; empty for an offerless INVITE
  // The first Proxy-Authorization header's value (RFC 3261 §22.3); empty when none.
  std::string proxy_authorization;
};

// An INVITE we send: to a carrier trunk, or to a phone registered on an extension.
struct OutboundInvite {
  std::string request_uri;  // sip:+15551234567@203.0.113.10:5060;transport=tcp
  std::string to_uri;
  std::string from_uri;
  std::string from_display;
  std::string sdp;  // our offer
  // The next hop when it is not the Request-URI's host ("sip:203.0.113.7:40112;transport=udp":
  // a phone behind NAT, reached where its REGISTER came from). Empty: the Request-URI.
  std::string next_hop;
  // Digest credentials (RFC 2617) for a 401/407 challenge; empty: a challenge ends the call.
  std::string username;
  std::string password;
};

// A REGISTER (RFC 3261 §10), handed to the registrar; answered with respond_register.
struct RegisterRequest {
  std::uint64_t id = 0;
  std::string user;           // To user: the extension
  std::string domain;         // To host: the realm it authenticates in
  std::string authorization;  // the Authorization header's value; empty when none
  std::string call_id;
  std::int32_t cseq = 0;
  bool wildcard = false;                                                      // Contact: *
  std::vector<std::pair<std::string, std::optional<std::int64_t>>> contacts;  // uri, expires
  std::optional<std::int64_t> expires;                                        // the Expires header
  std::string source;  // host:port the request came from (Via received/rport)
  std::string transport;
  std::string user_agent;
};

struct RegisterResponse {
  int status = 500;                         // sent with sofia's standard reason phrase
  std::string contacts;                     // Contact value listing the bindings, for 200
  std::string www_authenticate;             // for 401
  std::optional<std::int64_t> min_expires;  // for 423
};

// Why a call's dialog ended, from the engine's point of view.
enum class Ending {
  remote_bye,  // the peer sent BYE
  local_bye,   // we hung up an answered call
  cancelled,   // the caller sent CANCEL before we answered
  rejected,    // we answered the INVITE with a final error response
  declined,    // the peer answered our INVITE with a final error response (486, 503 …)
  abandoned,   // we cancelled our INVITE before the peer answered
  failed,      // no ACK, transport error, or any other abnormal end
};

struct CallEnded {
  CallId id = 0;
  Ending ending = Ending::failed;
  int sip_status = 0;  // the final status of the INVITE (200, 404, 487 …)
};

struct SipEvents {
  std::function<void(InviteRequest)> on_invite;
  // ACK for our 200 arrived (with its SDP, the answer to an offer we made in the 200).
  std::function<void(CallId, std::string ack_sdp)> on_confirmed;
  std::function<void(CallEnded)> on_ended;  // the dialog is gone; the CallId is now unused
  // A re-INVITE with a new offer in an answered call (hold, unhold, a moved stream): answer
  // it with answer_reoffer or reject_reoffer.
  std::function<void(CallId, std::string sdp)> on_reoffer;
  // Provisional responses to an INVITE we sent (180, 183 …), with early-media SDP if any.
  std::function<void(CallId, int status, std::string sdp)> on_progress;
  // A 2xx to an INVITE we sent, with the peer's answer; the stack has already sent the ACK.
  std::function<void(CallId, std::string sdp)> on_answered;
  // REGISTER requests; without a handler they get 405 Method Not Allowed from nua.
  std::function<void(RegisterRequest)> on_register;
  // A REFER in an answered call (RFC 3515 blind transfer): the peer asks us to call
  // `refer_to` in its place. The stack has answered 202 Accepted; report the outcome with
  // notify_transfer. REFERs outside a call, before the answer or without a SIP Refer-To are
  // refused by the stack (403, 400).
  std::function<void(CallId, std::string refer_to)> on_refer;
  // How a REFER we sent is going: its response (202, or a refusal), then the status lines of
  // the peer's NOTIFYs (100, 180, 200 …). `final` for the last one.
  std::function<void(CallId, int status, bool final)> on_transfer_progress;
};

struct SipOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 5060;  // 0: pick a free port (UDP and TCP alike)
  std::string user_agent = "IRISX";
  // New INVITEs beyond this many live calls get 503 with Retry-After (RFC 3261 §21.5.4).
  std::size_t max_calls = 10000;
  int retry_after_s = 5;
};

class SipStack {
 public:
  // Binds UDP and TCP and starts the SIP thread; throws std::runtime_error if it cannot.
  SipStack(SipOptions options, SipEvents events);
  // Sends BYE to live calls (nua_shutdown), waits for the stack to finish, joins the thread.
  ~SipStack();
  SipStack(const SipStack&) = delete;
  SipStack& operator=(const SipStack&) = delete;

  // "HOST:PORT" actually bound.
  std::string address() const;
  std::uint16_t port() const;
  std::size_t live_calls() const;

  // From now on new INVITEs get 503 with Retry-After (draining before a shutdown).
  void refuse_new_calls();

  // An id for a call we are about to place: events for it may arrive as soon as invite() is
  // called, so whoever routes them learns the id first.
  CallId new_call_id();
  // Sends the INVITE; its fate arrives as on_progress, on_answered and finally on_ended.
  void invite(CallId id, OutboundInvite invite);

  void ring(CallId id);                       // 180 Ringing
  void progress(CallId id, std::string sdp);  // 183 Session Progress with early media
  void answer(CallId id, std::string sdp);    // 200 OK with our SDP answer
  void reject(CallId id, int status);         // with sofia's standard reason phrase
  // 407 Proxy Authentication Required with this Proxy-Authenticate value (RFC 3261 §22.3);
  // the call then ends as `rejected`.
  void challenge(CallId id, std::string proxy_authenticate);
  // BYE if answered; otherwise 480 to an INVITE we received, CANCEL for one we sent.
  void hangup(CallId id);
  void answer_reoffer(CallId id, std::string sdp);  // 200 OK to a re-INVITE
  void reject_reoffer(CallId id, int status);
  void respond_register(std::uint64_t id, RegisterResponse response);
  // REFER to the peer of an answered call: "call refer_to instead of me" (RFC 3515).
  void refer(CallId id, std::string refer_to);
  // The final NOTIFY for a REFER the peer sent: "SIP/2.0 <status> …" as message/sipfrag,
  // and the implicit subscription ends.
  void notify_transfer(CallId id, int status);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace irisx::voice::sip
