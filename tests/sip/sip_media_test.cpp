// Calls that carry media: what the engine plays, echoes, hears (RFC 4733 digits) and records.
#include <gtest/gtest.h>

#include "sip/rtp_pcap.hpp"
#include "sip/rtp_sink.hpp"
#include "sip/voice_fixture.hpp"
#include "sip/wav_file.hpp"

namespace irisx::testing {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

TEST_F(VoiceEngineTest, PromptArrivesAsOnePacedStreamAndTheEngineHangsUp) {
  RtpSink sink;
  SippRun run;
  run.scenario = "uac-prompt-engine-hangs-up.xml";
  run.service = "prompt";
  run.keys["rtpport"] = std::to_string(sink.port());
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto packets = sink.packets();
  ASSERT_GT(packets.size(), 50u) << "the sentence lasts well over a second";
  EXPECT_TRUE(packets.front().marker);
  for (std::size_t i = 1; i < packets.size(); ++i) {
    ASSERT_EQ(packets[i].payload_type, 0) << "PCMU was offered first";
    ASSERT_EQ(packets[i].payload_size, 160u);
    ASSERT_EQ(static_cast<std::uint16_t>(packets[i].sequence - packets[i - 1].sequence), 1)
        << "packet " << i;
    ASSERT_EQ(packets[i].timestamp - packets[i - 1].timestamp, 160u) << "packet " << i;
  }
  // Paced in real time (20 ms a packet), not sent in a burst: packets ≈ duration / 20 ms.
  const auto span =
      duration_cast<milliseconds>(packets.back().arrival - packets.front().arrival).count();
  const double expected = static_cast<double>(span) / 20.0 + 1;
  EXPECT_NEAR(static_cast<double>(packets.size()), expected, expected * 0.1);
  const auto rows = records(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].hangup_cause, "normal_clearing");
  EXPECT_EQ(rows[0].sip_status, 200);
  EXPECT_EQ(rows[0].codec, "PCMU");
  EXPECT_TRUE(rows[0].answered);
  EXPECT_EQ(rows[0].packets_sent, static_cast<std::int64_t>(packets.size()));
  EXPECT_GE(rows[0].billable_s, 1);
}

TEST_F(VoiceEngineTest, EchoSendsTheCallersAudioBackUntilTheCallerHangsUp) {
  SippRun run;
  run.scenario = "uac-echo-caller-hangs-up.xml";
  run.service = "echo";
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto rows = records(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].hangup_cause, "normal_clearing");
  EXPECT_EQ(rows[0].codec, "PCMA") << "the offer carried PCMA only";
  // g711a.pcap holds 236 packets; all of them come back.
  EXPECT_EQ(rows[0].packets_received, 236);
  EXPECT_EQ(rows[0].packets_sent, rows[0].packets_received);
  EXPECT_GT(rows[0].mos, 4.0) << "loopback: no loss, no jitter";
}

TEST_F(VoiceEngineTest, IvrTestCollectsRfc4733DigitsAndRecordsThreeSeconds) {
  SippRun run;
  run.scenario = "uac-ivr-dtmf-and-record.xml";
  run.service = "ivr-test";
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto rows = records(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].digits, "123#");
  EXPECT_EQ(rows[0].hangup_cause, "normal_clearing");
  ASSERT_FALSE(rows[0].recording.empty());
  const auto wav = read_wav(rows[0].recording);
  ASSERT_TRUE(wav.has_value()) << rows[0].recording;
  EXPECT_EQ(wav->channels, 1);
  EXPECT_EQ(wav->rate, 8000);
  EXPECT_EQ(wav->samples, 3 * 8000) << "3 s at 8 kHz";
  EXPECT_GT(wav->nonzero, 8000) << "the caller's audio reached the recording";
}

TEST_F(VoiceEngineTest, DigitsSentAsTonesAreHeardWhenTelephoneEventWasNotNegotiated) {
  SippRun run;
  run.scenario = "uac-inband-dtmf.xml";
  run.service = "ivr-test";
  run.files["inband-dtmf.pcap"] = pcmu_pcap(dtmf_tones("45#"));
  const SippResult result = sipp(run);
  ASSERT_EQ(result.exit_code, 0) << result.describe();
  const auto rows = records(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].codec, "PCMU");
  EXPECT_EQ(rows[0].digits, "45#");
}

}  // namespace
}  // namespace irisx::testing
