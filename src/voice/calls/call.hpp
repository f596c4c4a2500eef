#pragma once
// One call leg as the engine's applications see it: awaitable verbs (answer, play, say,
// gather, record, echo, hangup) on the voice io_context. Call control (TwiML, IVR flows) and
// the diagnostic numbers drive calls only through this interface.
//
// Every verb returns once the call has ended, so an application written as a straight line
// of verbs never hangs on a caller who went away; `active()` tells whether it is still up.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "voice/audio/dtmf_detector.hpp"
#include "voice/audio/pcm.hpp"
#include "voice/audio/tones.hpp"
#include "voice/calls/call_record.hpp"
#include "voice/media/jitter_buffer.hpp"
#include "voice/media/rtp_session.hpp"
#include "voice/media/telephone_event.hpp"
#include "voice/sdp/negotiation.hpp"
#include "voice/sip/sip_stack.hpp"

namespace irisx::voice::tts {
class SpeechSynthesizer;
}

namespace irisx::voice {

struct CallResources {
  boost::asio::any_io_executor executor;
  sip::SipStack& sip;
  media::PortPool& ports;
  tts::SpeechSynthesizer& speech;
  std::string media_address;   // where our RTP sockets bind, and what SDP advertises
  std::string recordings_dir;  // recordings land here as <call id>-<n>.wav
};

struct GatherOptions {
  std::size_t max_digits = 1;
  std::chrono::milliseconds timeout{5000};  // for the first digit, then between digits
  char finish_on_key = '#';                 // '\0': none
};

struct RecordOptions {
  std::chrono::milliseconds max_duration{3000};
  char finish_on_key = '\0';
  bool beep = false;
};

struct Recording {
  std::string path;  // empty when nothing was recorded
  std::int64_t duration_ms = 0;
};

// What happened to a call, for whoever drives it (call control, webhooks, the diagnostics).
struct CallEvent {
  enum class Type { ringing, answered, dtmf, hangup };
  Type type = Type::ringing;
  char digit = '\0';   // dtmf
  std::string cause;   // hangup: the record's hangup_cause
  int sip_status = 0;  // hangup: the final status of the INVITE
};

class Call : public std::enable_shared_from_this<Call> {
 public:
  using Listener = std::function<void(const CallEvent&)>;
  Call(CallResources& resources, sip::InviteRequest request);
  ~Call();
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  const sip::InviteRequest& request() const { return request_; }
  // Receives the call's events on its media thread; set it before the first verb.
  void set_listener(Listener listener) { listener_ = std::move(listener); }
  const CallRecord& record() const { return record_; }
  bool active() const { return !ended_; }
  bool answered() const { return confirmed_; }

  boost::asio::awaitable<void> ring();
  // Negotiates media and sends 200 OK; true once the caller's ACK arrived. A failed
  // negotiation rejects the call (488 no common codec, 400 unreadable SDP) and returns false.
  boost::asio::awaitable<bool> answer();
  boost::asio::awaitable<void> reject(int status);
  boost::asio::awaitable<void> hangup();
  boost::asio::awaitable<void> wait_until_ended(std::chrono::milliseconds limit);
  boost::asio::awaitable<void> pause(std::chrono::milliseconds duration);

  // Plays 8 kHz PCM; false when interrupted by a digit (if asked) or by the call ending.
  boost::asio::awaitable<bool> play(std::shared_ptr<const audio::Samples> audio,
                                    bool interrupt_on_digit = false);
  // Plays a tone plan for at most `limit`; false if the call ended meanwhile.
  boost::asio::awaitable<bool> play_tone(audio::TonePlan plan, std::chrono::milliseconds limit);
  boost::asio::awaitable<bool> say(std::string text, std::string voice = "en",
                                   bool interrupt_on_digit = false);
  boost::asio::awaitable<std::string> gather(GatherOptions options);
  boost::asio::awaitable<Recording> record_audio(RecordOptions options);
  // Sends the caller's audio and digits straight back until the call ends.
  boost::asio::awaitable<void> echo();

  // Engine side: SIP events for this leg, delivered on the executor.
  // The ACK arrived; it carries the caller's answer when the INVITE had no offer.
  void on_confirmed(const std::string& ack_sdp);
  void on_ended(const sip::CallEnded& ended);
  // A re-INVITE's offer: hold, unhold or a moved stream (RFC 3264 §8).
  void on_reoffer(const std::string& offer);

 private:
  void on_packet(const media::RtpPacketView& packet);
  void on_digit(char digit);
  // Sends to where `negotiated` says, starting the receive loops the first time.
  void use_media(const sdp::Negotiated& negotiated);
  void notify();
  boost::asio::awaitable<void> wait(std::chrono::steady_clock::time_point deadline);
  boost::asio::awaitable<void> wait_frame();
  std::uint32_t start_talkspurt();
  bool remote_listens() const { return media_ && !media_->on_hold(); }
  // Fills one 20 ms frame (zeroed beforehand); false when the source is exhausted.
  using FrameSource = std::function<bool(std::span<std::int16_t, kFrameSamples>)>;
  boost::asio::awaitable<bool> play_frames(FrameSource next, bool interrupt_on_digit);
  void send_frame(std::span<const std::int16_t, kFrameSamples> frame, std::uint32_t timestamp,
                  bool marker);
  void finish_media();

  void emit(CallEvent event) {
    if (listener_) listener_(event);
  }

  CallResources& resources_;
  Listener listener_;
  sip::InviteRequest request_;
  CallRecord record_;
  boost::asio::steady_timer wake_;
  boost::asio::steady_timer frame_timer_;
  std::chrono::steady_clock::time_point next_frame_;
  std::shared_ptr<media::RtpSession> rtp_;
  std::optional<sdp::Negotiated> media_;
  sdp::LocalMedia local_;
  media::DtmfReceiver dtmf_;
  // Digits as tones in the audio, for peers that did not negotiate RFC 4733.
  std::unique_ptr<audio::DtmfDetector> inband_;
  std::unique_ptr<media::JitterBuffer> inbound_;  // only while something consumes audio
  std::string digits_;
  bool echoing_ = false;
  bool confirmed_ = false;
  bool ended_ = false;
  bool answer_sent_ = false;
  bool awaiting_answer_ = false;  // we offered in the 200 OK; the answer comes in the ACK
  std::uint32_t timestamp_ = 0;
  std::chrono::steady_clock::time_point last_sent_{};
  int recordings_ = 0;
};

}  // namespace irisx::voice
