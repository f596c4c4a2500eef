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
#include "voice/calls/dial.hpp"
#include "voice/calls/prompt_cache.hpp"
#include "voice/media/digit_sequence.hpp"
#include "voice/media/jitter_buffer.hpp"
#include "voice/media/rtp_session.hpp"
#include "voice/media/telephone_event.hpp"
#include "voice/sdp/negotiation.hpp"
#include "voice/sip/sip_stack.hpp"

namespace irisx::voice::tts {
class SpeechSynthesizer;
}

namespace irisx::voice {

class Call;
class BridgeRecorder;

struct CallResources {
  boost::asio::any_io_executor executor;
  // Makes an outbound leg on this executor, known to the engine so its SIP events reach it;
  // the INVITE goes out with Call::place.
  std::function<std::shared_ptr<Call>(sip::OutboundInvite)> originate;
  sip::SipStack& sip;
  media::PortPool& ports;
  tts::SpeechSynthesizer& speech;
  std::string media_address;   // where our RTP sockets bind, and what SDP advertises
  std::string recordings_dir;  // recordings land here as <call id>-<n>.wav
  PromptCache prompts{};       // play_file's decoded WAVs, this media thread's own
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

// What happened to a call, for whoever drives it (call control, webhooks, the diagnostics).
struct CallEvent {
  enum class Type { ringing, answered, dtmf, hangup, transfer_requested };
  Type type = Type::ringing;
  char digit = '\0';   // dtmf
  std::string cause;   // hangup: the record's hangup_cause; transfer_requested: the target
  int sip_status = 0;  // hangup: the final status of the INVITE
};

// How a REFER we sent went (Twilio's <Refer>): the peer's response, then its NOTIFYs.
struct TransferResult {
  enum class Outcome {
    completed,  // the peer reached the target (a 2xx in its NOTIFY); this leg is hung up
    failed,     // the REFER was refused, or the peer's call to the target failed
    no_result,  // accepted, but no final NOTIFY before the call ended or the time ran out
  };
  Outcome outcome = Outcome::failed;
  int sip_status = 0;  // the refusal, or the final status the peer reported
};

// How an INVITE we sent ended up.
struct PlaceResult {
  enum class Outcome { answered, busy, no_answer, setup_timeout, declined, cancelled, failed };
  Outcome outcome = Outcome::failed;
  int sip_status = 0;  // the peer's final status, 0 when none came
};

struct PlaceOptions {
  // No provisional or final response this long: give up (a trunk's failover timer). 0: none.
  std::chrono::milliseconds setup_timeout{0};
  std::chrono::milliseconds answer_timeout{30000};  // ringing this long: no answer
};

class Call : public std::enable_shared_from_this<Call> {
 public:
  using Listener = std::function<void(const CallEvent&)>;
  // An inbound leg: the INVITE has arrived.
  Call(CallResources& resources, sip::InviteRequest request);
  // An outbound leg, not yet sent (place()).
  Call(CallResources& resources, sip::CallId id, sip::OutboundInvite invite);
  ~Call();
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  const sip::InviteRequest& request() const { return request_; }
  // Receives the call's events on its media thread; set it before the first verb.
  void set_listener(Listener listener) { listener_ = std::move(listener); }
  const CallRecord& record() const { return record_; }
  // The carrier trunk or extension this leg goes to or comes from, for its record.
  void set_labels(std::string tenant_id, std::string trunk, std::string extension);
  void set_parent(const std::string& parent_call_id) { record_.parent_call_id = parent_call_id; }
  // The tenant number an inbound leg came in on and where its status callback goes.
  void set_number(std::string number, std::string status_callback) {
    record_.number = std::move(number);
    record_.status_callback = std::move(status_callback);
  }
  sip::CallId sip_id() const { return request_.id; }
  bool active() const { return !ended_; }
  bool answered() const { return confirmed_; }
  bool outbound() const { return outbound_; }

  boost::asio::awaitable<void> ring();
  // Negotiates media and sends 200 OK; true once the caller's ACK arrived. A failed
  // negotiation rejects the call (488 no common codec, 400 unreadable SDP) and returns false.
  boost::asio::awaitable<bool> answer();
  // 183 Session Progress with our SDP: media flows before the answer (a callee's ringback or
  // announcement relayed to the caller). false when it cannot be done (offerless INVITE,
  // failed negotiation: the call is rejected as answer() would).
  boost::asio::awaitable<bool> early_media();
  // Outbound legs: sends the INVITE with our offer and waits for its fate. On a timeout the
  // INVITE is cancelled. Media flows once answered (or earlier with a 183's SDP).
  boost::asio::awaitable<PlaceResult> place(PlaceOptions options);
  // Cancels an unanswered outbound leg, recording why (e.g. another fork answered first).
  void abandon(std::string cause);
  bool ringing() const { return progress_status_ >= 180; }
  bool has_early_media() const { return early_media_; }
  // Relays media both ways between this leg and `other` (transcoding PCMU and PCMA when they
  // differ; RFC 4733 digits when both sides do them) until either leg ends.
  boost::asio::awaitable<void> bridge(std::shared_ptr<Call> other);
  // Links or unlinks the media of two legs without waiting (bridge() uses this too).
  static void connect(const std::shared_ptr<Call>& a, const std::shared_ptr<Call>& b);
  static void disconnect(const std::shared_ptr<Call>& a, const std::shared_ptr<Call>& b);
  // Rings the plan's targets (see DialPlan) and bridges this call to the first that answers,
  // until either side hangs up; then the callee is hung up and this call carries on. The
  // caller hears the callee's early media or, once answered, ringback; a caller not yet
  // answered gets 180 when a callee rings and is answered when the callee answers.
  boost::asio::awaitable<DialResult> dial(DialPlan plan, DialOptions options);
  // Bridges until either leg hangs up or asks (REFER) for the other to be transferred; then
  // the transfer, with both legs still up. Otherwise `other` is hung up.
  boost::asio::awaitable<std::optional<Transfer>> talk(std::shared_ptr<Call> other);
  // Blind transfer of the peer (RFC 3515 REFER out): asks it to call `target_uri` itself and
  // waits for how that went; on success this leg is hung up (cause blind_transfer).
  boost::asio::awaitable<TransferResult> transfer(std::string target_uri,
                                                  std::chrono::milliseconds timeout);
  // For a REFER this leg's peer sent: tells it how the transfer went (NOTIFY). On success the
  // peer's part is over and this leg is hung up; otherwise it stays.
  void finish_transfer(int status);
  // Ends whatever play/play_tone/say is running (e.g. ringback once the callee answers).
  void stop_playback();
  boost::asio::awaitable<void> reject(int status);
  // 407 with a digest challenge (RFC 3261 §22.3). The caller answers it with a new INVITE,
  // which is a call of its own, so this attempt leaves no record: like Twilio and FreeSWITCH,
  // which neither bill nor list challenged attempts.
  boost::asio::awaitable<void> challenge(std::string proxy_authenticate);
  // False for an attempt that was only challenged: the engine drops its record.
  bool keeps_record() const { return !challenged_; }
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
  // Media verbs (call_media_verbs.cpp).
  // Plays a WAV file at any common rate, mono or stereo (audio::load_prompt). A file that
  // cannot be read is logged and the verb returns false; the call carries on (Twilio's <Play>).
  boost::asio::awaitable<bool> play_file(std::string path, bool interrupt_on_digit = false);
  // Sends DTMF keys ('0'-'9', '*', '#', 'A'-'D'; 'w' waits 0.5 s, 'W' 1 s) as RFC 4733
  // events, or as tones in the audio when the peer did not negotiate telephone-event. Audio
  // being played or relayed meanwhile is held back. false (nothing sent) for any other
  // character, or when the call ended.
  boost::asio::awaitable<bool> send_digits(std::string digits);
  // Sends the caller's audio and digits straight back until the call ends.
  boost::asio::awaitable<void> echo();

  // Engine side: SIP events for this leg, delivered on the executor.
  // The ACK arrived; it carries the caller's answer when the INVITE had no offer.
  void on_confirmed(const std::string& ack_sdp);
  void on_ended(const sip::CallEnded& ended);
  // A re-INVITE's offer: hold, unhold or a moved stream (RFC 3264 §8).
  void on_reoffer(const std::string& offer);
  // Outbound legs: a provisional response (with early-media SDP or not), the 2xx answer.
  void on_progress(int status, const std::string& sdp);
  void on_answered(const std::string& sdp);
  // The peer's REFER (accepted by the stack), and the progress of one we sent.
  void on_refer(const std::string& target);
  void on_transfer_progress(int status, bool final);

 private:
  // Opens RTP and works out our SDP for the INVITE's offer (or our offer for an offerless
  // one); rejects the call and returns nullopt when that fails.
  boost::asio::awaitable<std::optional<std::string>> prepare_answer();
  bool open_rtp();
  void relay(const media::RtpPacketView& packet, Codec from, bool is_event);

  // One group of a dial plan in flight: its legs and, as they finish, how each went.
  struct Fork {
    std::vector<std::shared_ptr<Call>> legs;
    std::vector<std::optional<PlaceResult>> results;
  };
  static boost::asio::awaitable<void> place_for(std::shared_ptr<Fork> fork, std::size_t index,
                                                PlaceOptions options, std::shared_ptr<Call> caller);
  std::shared_ptr<Fork> start_fork(std::vector<DialTarget>& group,
                                   std::chrono::milliseconds remaining);
  // Cancels (or hangs up) every leg but the winner.
  void end_fork(Fork& fork, const std::shared_ptr<Call>& winner, const std::string& cause);
  boost::asio::awaitable<void> relay_progress(Fork& fork);
  boost::asio::awaitable<std::shared_ptr<Call>> await_fork(
      Fork& fork, std::chrono::steady_clock::time_point deadline, bool& timed_out);
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
  // Media verbs' internals (call_media_verbs.cpp, call_recording.cpp).
  boost::asio::awaitable<void> send_events(const std::vector<media::DigitStep>& steps);
  std::string next_recording_path();
  void start_bridge_recording(RecordMode mode);
  Recording stop_bridge_recording();
  // A bridged leg's audio for the recording: the caller's own (side 0) or the other leg's.
  void record_bridged(std::size_t side, Codec codec, std::span<const std::uint8_t> payload);
  // A digit relayed to a leg without telephone-event, sounded as tones instead.
  void regenerate_digit(char digit);
  void sound_regenerated_digits();  // starts the player unless tones already go out
  static boost::asio::awaitable<void> play_regenerated_digits(std::shared_ptr<Call> self);

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
  bool challenged_ = false;
  bool early_media_ = false;
  bool rang_ = false;
  bool outbound_ = false;
  sip::OutboundInvite invite_;  // outbound legs, until sent
  int progress_status_ = 0;
  std::string abandon_cause_;  // the record's cause when we end the call ourselves
  std::optional<std::string> transfer_request_;  // the peer's REFER target, until handled
  int refer_status_ = 0;                         // our REFER: the latest status heard
  bool refer_final_ = false;
  std::uint64_t playback_generation_ = 0;
  std::weak_ptr<Call> bridged_;
  // Relayed packets keep the source's timing, moved onto our timestamp line (RFC 3550 §5.1).
  std::optional<std::uint32_t> relay_offset_;
  std::optional<std::string> prepared_sdp_;
  bool awaiting_answer_ = false;  // we offered in the 200 OK; the answer comes in the ACK
  std::uint32_t timestamp_ = 0;
  std::chrono::steady_clock::time_point last_sent_{};
  int recordings_ = 0;
  // Media verbs.
  bool sending_events_ = false;  // audio held back while our RFC 4733 events go out
  std::shared_ptr<BridgeRecorder> bridge_recorder_;
  media::DtmfReceiver relayed_events_;  // the other leg's digits, when we must sound them
  std::string regenerated_;             // digits waiting to be sounded
  bool tones_out_ = false;              // our DTMF tones go out: relayed audio held back
};

}  // namespace irisx::voice
