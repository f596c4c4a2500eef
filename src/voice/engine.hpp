#pragma once
// The voice engine: SIP signaling (its own thread), RTP media and the calls' applications
// (media threads, one io_context each, calls spread over them), ports, speech. The engine answers
// each inbound INVITE by asking its router for an application; no application means 404.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "voice/calls/call.hpp"
#include "voice/calls/call_record.hpp"
#include "voice/sip/sip_stack.hpp"

namespace irisx::voice {

using Application = std::function<boost::asio::awaitable<void>(std::shared_ptr<Call>)>;
// Chooses what answers a dialled number; an empty Application rejects the call with 404.
using Router = std::function<Application(const sip::InviteRequest&)>;
// Receives every finished leg's record (on one of the media threads; must not block).
using RecordSink = std::function<void(const CallRecord&)>;

// Answers a REGISTER; `reply` may be called from any thread, once.
using RegisterHandler =
    std::function<void(sip::RegisterRequest, std::function<void(sip::RegisterResponse)> reply)>;

struct EngineOptions {
  sip::SipOptions sip;
  std::string media_address;  // empty: the SIP host
  std::uint16_t rtp_port_min = 20000;
  std::uint16_t rtp_port_max = 29999;
  std::string recordings_dir;
  std::string speech_cache_dir;
  std::size_t media_threads = 1;  // io_context threads carrying calls and their RTP
  RegisterHandler registrar;      // empty: REGISTER is not allowed (405)
};

class VoiceEngine {
 public:
  VoiceEngine(EngineOptions options, Router router, RecordSink records);
  // Ends live calls with BYE and stops both threads.
  ~VoiceEngine();
  VoiceEngine(const VoiceEngine&) = delete;
  VoiceEngine& operator=(const VoiceEngine&) = delete;

  // For a graceful stop: new calls get 503, live calls are hung up. Their records still
  // reach the sink as their dialogs end; watch live_calls() fall to zero.
  void begin_drain();

  std::string sip_address() const;
  std::size_t live_calls() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace irisx::voice
