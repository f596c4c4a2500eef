// Media verbs driven by applications of the test's own, in process, against SIPp peers: WAV
// files at 16 and 44.1 kHz, digits sent as RFC 4733 events or tones, recordings of a bridged
// call (two channels and one), and digits a bridge relays to a callee without telephone-event.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "sip/engine_options.hpp"
#include "sip/rtp_sink.hpp"
#include "sip/wav_file.hpp"
#include "support/sipp.hpp"
#include "support/temp_dir.hpp"
#include "voice/audio/dtmf_detector.hpp"
#include "voice/audio/test_signals.hpp"
#include "voice/audio/wav.hpp"
#include "voice/engine.hpp"
#include "voice/media/g711.hpp"
#include "voice/media/telephone_event.hpp"

namespace irisx::testing {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using voice::audio::testing::goertzel_amplitude;
using voice::audio::testing::rms;

// What the applications saw, written on the media thread and read by the test afterwards.
struct Outcome {
  std::mutex mutex;
  std::vector<bool> verbs;  // each verb's result, in order
  voice::DialResult dial;
};

void note(Outcome* out, bool result) {
  std::lock_guard lock(out->mutex);
  out->verbs.push_back(result);
}

asio::awaitable<void> play_files(std::shared_ptr<voice::Call> call, std::vector<std::string> paths,
                                 Outcome* out) {
  const bool answered = co_await call->answer();
  if (!answered) co_return;
  for (auto& path : paths) {
    const bool played = co_await call->play_file(path);
    note(out, played);
  }
  co_await call->hangup();
}

asio::awaitable<void> send_digits(std::shared_ptr<voice::Call> call, std::string digits,
                                  Outcome* out) {
  const bool answered = co_await call->answer();
  if (!answered) co_return;
  co_await call->pause(milliseconds(200));
  const bool sent = co_await call->send_digits(digits);
  note(out, sent);
  co_await call->pause(milliseconds(200));
  co_await call->hangup();
}

asio::awaitable<void> dial_callee(std::shared_ptr<voice::Call> call, int port,
                                  voice::RecordMode record, Outcome* out) {
  voice::DialTarget target;
  target.invite.request_uri = "sip:callee@127.0.0.1:" + std::to_string(port);
  target.invite.to_uri = target.invite.request_uri;
  target.invite.from_uri = call->request().from_uri;
  voice::DialPlan plan;
  plan.push_back({target});
  voice::DialOptions options;
  options.record = record;
  voice::DialResult result = co_await call->dial(std::move(plan), options);
  std::lock_guard lock(out->mutex);
  out->dial = result;
}

// The PCM a capture carried, decoded from the packets of payload type `pt`.
voice::audio::Samples decode(const std::vector<ReceivedRtp>& packets, std::uint8_t pt,
                             voice::Codec codec) {
  voice::audio::Samples out;
  for (const auto& p : packets) {
    if (p.payload_type != pt) continue;
    voice::audio::Samples pcm(p.payload.size());
    voice::media::decode(codec, p.payload, pcm);
    out.insert(out.end(), pcm.begin(), pcm.end());
  }
  return out;
}

std::string inband_digits(const voice::audio::Samples& audio) {
  voice::audio::DtmfDetector detector;
  detector.feed(audio);
  std::string digits;
  while (auto digit = detector.next_digit()) digits.push_back(*digit);
  return digits;
}

void write_tone_wav(const std::string& path, double hz, int rate, int channels, double seconds) {
  const auto tone =
      voice::audio::testing::sine(hz, 8000, static_cast<std::size_t>(rate * seconds), rate);
  auto opened = voice::audio::WavWriter::open(path, channels, rate);
  ASSERT_TRUE(std::holds_alternative<voice::audio::WavWriter>(opened));
  auto& writer = std::get<voice::audio::WavWriter>(opened);
  ASSERT_TRUE(channels == 1 ? writer.write(tone)
                            : writer.write(voice::audio::interleave(tone, tone)));
  ASSERT_TRUE(writer.close());
}

// A voice engine in this process whose numbers run the test's applications.
class MediaVerbs : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = make_temp_dir("irisx-media-verbs"); }
  void TearDown() override {
    engine_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void start(std::map<std::string, voice::Application> applications) {
    applications_ = std::move(applications);
    const voice::EngineOptions options = loopback_engine_options(dir_);
    engine_ = std::make_unique<voice::VoiceEngine>(
        options,
        [this](const voice::sip::InviteRequest& request) -> voice::Application {
          auto it = applications_.find(request.request_user);
          return it == applications_.end() ? voice::Application{} : it->second;
        },
        [this](const voice::CallRecord& record) {
          std::lock_guard lock(mutex_);
          records_.push_back(record);
        });
  }

  SippResult call(SippRun run) {
    run.target = engine_->sip_address();
    return run_sipp(std::move(run));
  }

  // One SIPp call of `scenario` to `service`, its media going to `sink`.
  SippResult call_service(std::string scenario, std::string service, const RtpSink& sink) {
    SippRun run;
    run.scenario = std::move(scenario);
    run.service = std::move(service);
    run.keys["rtpport"] = std::to_string(sink.port());
    return call(std::move(run));
  }

  // Waits for every leg to end; returns their records.
  std::vector<voice::CallRecord> records() {
    for (int i = 0; i < 500 && engine_->live_calls() > 0; ++i)
      std::this_thread::sleep_for(milliseconds(10));
    std::lock_guard lock(mutex_);
    return records_;
  }

  std::string dir_;
  std::map<std::string, voice::Application> applications_;
  std::mutex mutex_;
  std::vector<voice::CallRecord> records_;
  std::unique_ptr<voice::VoiceEngine> engine_;
};

TEST_F(MediaVerbs, WavFilesAt16And44kHzArriveAt8kHzWithTheirToneAndAMissingFileIsSkipped) {
  const std::string wideband = dir_ + "/1000hz-16k-mono.wav";
  const std::string cd = dir_ + "/600hz-44k-stereo.wav";
  write_tone_wav(wideband, 1000, 16000, 1, 1.0);
  write_tone_wav(cd, 600, 44100, 2, 1.5);
  Outcome outcome;
  const std::vector<std::string> paths = {dir_ + "/missing.wav", wideband, cd};
  start({{"files", [&](std::shared_ptr<voice::Call> c) {
            return play_files(std::move(c), paths, &outcome);
          }}});
  RtpSink sink;
  const SippResult result = call_service("uac-prompt-engine-hangs-up.xml", "files", sink);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  records();
  {
    std::lock_guard lock(outcome.mutex);
    EXPECT_EQ(outcome.verbs, (std::vector<bool>{false, true, true}))
        << "the missing file fails alone; the call carries on";
  }
  // Each play starts a talkspurt (marker bit): split the capture there.
  const auto packets = sink.packets();
  ASSERT_FALSE(packets.empty());
  std::size_t second = 0;
  for (std::size_t i = 1; i < packets.size(); ++i) {
    if (packets[i].marker) second = i;
  }
  ASSERT_GT(second, 0u) << "two plays, two talkspurts";
  const std::vector<ReceivedRtp> first_file(packets.begin(), packets.begin() + second);
  const std::vector<ReceivedRtp> second_file(packets.begin() + second, packets.end());
  EXPECT_NEAR(static_cast<double>(first_file.size()), 1000 / 20, 2) << "1 s in 20 ms packets";
  EXPECT_NEAR(static_cast<double>(second_file.size()), 1500 / 20, 2) << "1.5 s";
  const auto a = decode(first_file, 0, voice::Codec::pcmu);
  const auto b = decode(second_file, 0, voice::Codec::pcmu);
  EXPECT_GT(goertzel_amplitude(a, 1000, 8000), 4000);
  EXPECT_LT(goertzel_amplitude(a, 600, 8000), 400);
  EXPECT_GT(goertzel_amplitude(b, 600, 8000), 4000) << "stereo averaged, not doubled or lost";
  EXPECT_LT(goertzel_amplitude(b, 1000, 8000), 400);
}

TEST_F(MediaVerbs, SendDigitsGoesOutAsRfc4733EventsOneTimestampPerKeyAndWPausesHalfASecond) {
  Outcome outcome;
  start({{"digits", [&](std::shared_ptr<voice::Call> c) {
            return send_digits(std::move(c), "15w9#", &outcome);
          }}});
  RtpSink sink;
  // The scenario offers PCMU and telephone-event 101.
  const SippResult result = call_service("uac-prompt-engine-hangs-up.xml", "digits", sink);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  records();
  {
    std::lock_guard lock(outcome.mutex);
    EXPECT_EQ(outcome.verbs, (std::vector<bool>{true}));
  }
  // Group the events by timestamp (RFC 4733 §2.5.1.3: one per key press).
  std::vector<std::vector<voice::media::TelephoneEventPacket>> presses;
  voice::media::DtmfReceiver receiver;
  std::string digits;
  for (const auto& p : sink.packets()) {
    ASSERT_EQ(p.payload_type, 101) << "nothing but events was sent";
    const auto event = voice::media::parse_telephone_event(p.payload);
    ASSERT_TRUE(event.has_value());
    if (presses.empty() || presses.back().front().timestamp != p.timestamp) presses.emplace_back();
    presses.back().push_back({p.marker, p.timestamp, *event});
    voice::media::RtpHeader header{p.marker, p.payload_type, p.sequence, p.timestamp, 1};
    if (auto digit = receiver.on_packet(header, p.payload)) digits.push_back(*digit);
  }
  EXPECT_EQ(digits, "159#");
  ASSERT_EQ(presses.size(), 4u);
  const std::vector<int> events = {1, 5, 9, 11};
  for (std::size_t k = 0; k < presses.size(); ++k) {
    const auto& press = presses[k];
    ASSERT_GE(press.size(), 4u);
    EXPECT_TRUE(press.front().marker) << "press " << k;
    for (std::size_t i = 0; i < press.size(); ++i) {
      EXPECT_EQ(press[i].event.event, events[k]);
      if (i == 0) continue;
      EXPECT_FALSE(press[i].marker);
      if (!press[i].event.end) {
        EXPECT_GT(press[i].event.duration, press[i - 1].event.duration);
      }
    }
    for (std::size_t i = press.size() - 3; i < press.size(); ++i) {
      EXPECT_TRUE(press[i].event.end) << "three end packets (§2.5.1.4)";
      EXPECT_EQ(press[i].event.duration, 800) << "100 ms at 8 kHz";
    }
    EXPECT_FALSE(press[press.size() - 4].event.end);
  }
  // The timestamp line follows the clock: 200 ms per key, plus the 500 ms 'w' (a late timer on
  // a busy machine stretches a gap, hence the room).
  const auto gap = [&](std::size_t k) {
    return static_cast<double>(presses[k + 1].front().timestamp - presses[k].front().timestamp);
  };
  EXPECT_NEAR(gap(0), 1600, 480);
  EXPECT_NEAR(gap(1), 5600, 480);
  EXPECT_NEAR(gap(2), 1600, 480);
}

TEST_F(MediaVerbs, SendDigitsToAPeerWithoutTelephoneEventSoundsThemAsTones) {
  Outcome outcome;
  start({{"digits", [&](std::shared_ptr<voice::Call> c) {
            return send_digits(std::move(c), "159#", &outcome);
          }}});
  RtpSink sink;
  const SippResult result = call_service("uac-pcmu-only-engine-hangs-up.xml", "digits", sink);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  records();
  {
    std::lock_guard lock(outcome.mutex);
    EXPECT_EQ(outcome.verbs, (std::vector<bool>{true}));
  }
  const auto packets = sink.packets();
  for (const auto& p : packets) ASSERT_EQ(p.payload_type, 0) << "no events to this peer";
  EXPECT_NEAR(static_cast<double>(packets.size()), 4 * 200 / 20, 2);
  EXPECT_EQ(inband_digits(decode(packets, 0, voice::Codec::pcmu)), "159#");
}

// The caller (SIPp) plays g711a.pcap for about 7.1 s and hangs up at 7.5 s; the callee (SIPp)
// plays the same file from its answer.
class BridgeRecording : public MediaVerbs {
 protected:
  void record(voice::RecordMode mode, int channels) {
    Outcome outcome;
    const int callee = free_udp_port();
    start({{"bridge", [&](std::shared_ptr<voice::Call> c) {
              return dial_callee(std::move(c), callee, mode, &outcome);
            }}});
    SippRun answering;
    answering.scenario = "uas-answer-play.xml";
    answering.service = "callee";
    answering.local_port = callee;
    Sipp phone(answering);
    ASSERT_TRUE(wait_for_udp_bind(callee));
    SippRun caller;
    caller.scenario = "uac-echo-caller-hangs-up.xml";  // PCMA, the callee answers PCMA too
    caller.service = "bridge";
    const SippResult result = call(caller);
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    const SippResult phone_side = phone.wait();
    EXPECT_EQ(phone_side.exit_code, 0) << phone_side.describe();
    const auto legs = records();
    ASSERT_EQ(legs.size(), 2u);
    voice::Recording recording;
    {
      std::lock_guard lock(outcome.mutex);
      EXPECT_EQ(outcome.dial.status, voice::DialResult::Status::completed);
      recording = outcome.dial.recording;
    }
    ASSERT_FALSE(recording.path.empty());
    const voice::CallRecord& in = legs[0].direction == "inbound" ? legs[0] : legs[1];
    EXPECT_EQ(in.recording, recording.path) << "the caller's record names the recording";
    ASSERT_TRUE(in.answered_at && in.ended_at);
    const auto bridged_ms = *in.ended_at - *in.answered_at;
    EXPECT_NEAR(static_cast<double>(recording.duration_ms), static_cast<double>(bridged_ms), 300);
    EXPECT_NEAR(static_cast<double>(recording.duration_ms), 7500, 700);

    const auto wav = read_wav(recording.path);
    ASSERT_TRUE(wav.has_value()) << recording.path;
    EXPECT_EQ(wav->channels, channels);
    EXPECT_EQ(wav->rate, 8000);
    EXPECT_EQ(wav->samples, recording.duration_ms * 8) << "the file is as long as it says";
    for (int c = 0; c < channels; ++c)
      EXPECT_GT(rms(wav->channel[static_cast<std::size_t>(c)]), 100) << "channel " << c;
  }
};

TEST_F(BridgeRecording, DualRecordingHasTwoChannelsOfTheBridgedTimeWithBothPartiesHeard) {
  record(voice::RecordMode::dual, 2);
}

TEST_F(BridgeRecording, MonoRecordingMixesBothPartiesIntoOneChannelOfTheBridgedTime) {
  record(voice::RecordMode::mono, 1);
}

TEST_F(MediaVerbs, Rfc4733DigitsRelayedToACalleeWithoutTelephoneEventAreSoundedAsTones) {
  Outcome outcome;
  const int callee = free_udp_port();
  start({{"bridge", [&](std::shared_ptr<voice::Call> c) {
            return dial_callee(std::move(c), callee, voice::RecordMode::none, &outcome);
          }}});
  RtpSink sink;
  SippRun answering;
  answering.scenario = "uas-answer-pcmu-listen.xml";
  answering.service = "callee";
  answering.local_port = callee;
  answering.keys["rtpport"] = std::to_string(sink.port());
  Sipp phone(answering);
  ASSERT_TRUE(wait_for_udp_bind(callee));
  SippRun caller;
  caller.scenario = "uac-rfc4733-digits-caller-hangs-up.xml";  // 1, 5, 9, # as RFC 4733
  caller.service = "bridge";
  const SippResult result = call(caller);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const SippResult phone_side = phone.wait();
  EXPECT_EQ(phone_side.exit_code, 0) << phone_side.describe();
  const auto legs = records();
  ASSERT_EQ(legs.size(), 2u);
  const voice::CallRecord& in = legs[0].direction == "inbound" ? legs[0] : legs[1];
  EXPECT_EQ(in.digits, "159#") << "the caller's leg heard them as events";
  const auto packets = sink.packets();
  for (const auto& p : packets) ASSERT_EQ(p.payload_type, 0) << "no events to this callee";
  EXPECT_EQ(inband_digits(decode(packets, 0, voice::Codec::pcmu)), "159#");
}

}  // namespace
}  // namespace irisx::testing
