#include "voice/routing/diagnostics.hpp"

namespace irisx::voice {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

asio::awaitable<void> echo(std::shared_ptr<Call> call) {
  const bool answered = co_await call->answer();
  if (!answered) co_return;
  co_await call->echo();
}

asio::awaitable<void> prompt(std::shared_ptr<Call> call) {
  co_await call->ring();
  const bool answered = co_await call->answer();
  if (!answered) co_return;
  co_await call->say("This is the IRISX voice engine. Your call works. Goodbye.");
  co_await call->hangup();
}

asio::awaitable<void> ivr_test(std::shared_ptr<Call> call) {
  const bool answered = co_await call->answer();
  if (!answered) co_return;
  co_await call->say("Please enter some digits, then press the pound key.", "en", true);
  GatherOptions gather;
  gather.max_digits = 10;
  gather.timeout = milliseconds(5000);
  gather.finish_on_key = '#';
  co_await call->gather(gather);
  co_await call->say("Please speak after the beep.");
  RecordOptions record;
  record.max_duration = milliseconds(3000);
  record.beep = true;
  co_await call->record_audio(record);
  co_await call->say("Thank you. Goodbye.");
  co_await call->hangup();
}

// ITU-T O.6-style test tone ("digital milliwatt"): 1004 Hz at 0 dBm0 until the caller hangs
// up. With the caller echoing it back it is also the engine's media load test.
asio::awaitable<void> milliwatt(std::shared_ptr<Call> call) {
  const bool answered = co_await call->answer();
  if (!answered) co_return;
  audio::TonePlan tone;
  tone.segments.push_back(audio::ToneSegment{{1004.0}, 0.0, 1000, 0});
  tone.repeat = true;
  co_await call->play_tone(tone, std::chrono::hours(24));
}

asio::awaitable<void> ring(std::shared_ptr<Call> call) {
  co_await call->ring();
  co_await call->wait_until_ended(milliseconds(60000));
  if (call->active()) co_await call->reject(480);
}

}  // namespace

Application diagnostic_application(std::string_view number) {
  if (number == "echo") return echo;
  if (number == "prompt") return prompt;
  if (number == "ivr-test") return ivr_test;
  if (number == "ring") return ring;
  if (number == "milliwatt") return milliwatt;
  return {};
}

}  // namespace irisx::voice
