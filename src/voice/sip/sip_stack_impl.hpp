#pragma once
// The SIP thread's state behind SipStack, shared by the files that implement it:
// sip_stack.cpp (the thread, event dispatch and the commands), sip_inbound.cpp (requests the
// peers send) and sip_outbound.cpp (INVITEs we send, and how every leg ends).
#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "voice/sip/sip_stack.hpp"
#include "voice/sip/sofia.hpp"

namespace irisx::voice::sip {

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

  void start();

  bool bind_stack(std::uint16_t candidate);

  void run(std::promise<void>& started);

  Leg* find(CallId id) {
    auto it = legs.find(id);
    return it == legs.end() ? nullptr : it->second;
  }

  void handle(nua_event_t event, int status, nua_handle_t* nh, Leg* leg, const sip_t* sip,
              tagi_t tags[]);

  void on_new_invite(nua_handle_t* nh, const sip_t* sip);

  void on_register(nua_handle_t* nh, const sip_t* sip);

  // REFER is an application method here, so nua waits for our response: 202 only within an
  // answered call we can transfer, with a SIP URI to go to.
  void on_refer(nua_handle_t* nh, Leg* leg, const sip_t* sip);

  // A NOTIFY for a REFER we sent: its body is a status line (RFC 3515 §2.4.4).
  void on_notify(Leg& leg, const sip_t* sip, tagi_t tags[]);

  void on_reinvite(Leg& leg, const sip_t* sip);

  void place_call(CallId id, const OutboundInvite& invite);

  void on_invite_response(nua_handle_t* nh, Leg& leg, int status, const sip_t* sip);

  // Tells the engine the call is over; its CallId is free from now on.
  void report_end(Leg& leg, int status);

  void on_terminated(nua_handle_t* nh, Leg* leg, int status);

  void reject_leg(Leg& leg, int status);
};

}  // namespace irisx::voice::sip
