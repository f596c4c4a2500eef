// The C++ engine interface driven by an application of the test's own (as call control will
// drive it), in process: verbs in order, events as they happen, and the leg's record.
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <thread>

#include "sip/engine_options.hpp"
#include "support/sipp.hpp"
#include "support/temp_dir.hpp"
#include "voice/engine.hpp"

namespace irisx::testing {
namespace {

namespace asio = boost::asio;
using voice::CallEvent;

struct Observed {
  std::mutex mutex;
  std::vector<CallEvent> events;
  std::vector<voice::CallRecord> records;
  std::string gathered;
  std::optional<voice::TransferResult> transfer;
};

// The in-process engine these tests drive, on two media threads.
voice::EngineOptions engine_options(const std::string& dir) {
  voice::EngineOptions options = loopback_engine_options(dir);
  options.media_threads = 2;
  return options;
}

asio::awaitable<void> collect_digits(std::shared_ptr<voice::Call> call, Observed* seen) {
  call->set_listener([seen](const CallEvent& event) {
    std::lock_guard lock(seen->mutex);
    seen->events.push_back(event);
  });
  co_await call->ring();
  const bool answered = co_await call->answer();
  if (!answered) co_return;
  voice::GatherOptions options;
  options.max_digits = 10;
  options.finish_on_key = '#';
  const std::string digits = co_await call->gather(options);
  {
    std::lock_guard lock(seen->mutex);
    seen->gathered = digits;
  }
  co_await call->pause(std::chrono::milliseconds(2000));  // SIPp finishes its own pauses
  co_await call->hangup();
}

TEST(EngineInterface, AnApplicationSeesRingingAnsweredEachDigitAndTheHangup) {
  const std::string dir = make_temp_dir("irisx-engine");
  Observed seen;
  const voice::EngineOptions options = engine_options(dir);
  {
    voice::VoiceEngine engine(
        options,
        [&seen](const voice::sip::InviteRequest& request) -> voice::Application {
          if (request.request_user != "collect") return {};
          return [&seen](std::shared_ptr<voice::Call> call) {
            return collect_digits(std::move(call), &seen);
          };
        },
        [&seen](const voice::CallRecord& record) {
          std::lock_guard lock(seen.mutex);
          seen.records.push_back(record);
        });
    SippRun run;
    run.scenario = "uac-ivr-dtmf-and-record.xml";  // digits 1, 2, 3, # over RFC 4733
    run.service = "collect";
    run.target = engine.sip_address();
    const SippResult result = run_sipp(run);
    EXPECT_EQ(result.exit_code, 0) << result.describe();
    for (int i = 0; i < 200 && engine.live_calls() > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard lock(seen.mutex);
  EXPECT_EQ(seen.gathered, "123");
  std::string digits;
  std::vector<CallEvent::Type> kinds;
  for (const auto& event : seen.events) {
    if (event.type == CallEvent::Type::dtmf) {
      digits.push_back(event.digit);
    } else {
      kinds.push_back(event.type);
    }
  }
  EXPECT_EQ(digits, "123#");
  const std::vector<CallEvent::Type> expected = {
      CallEvent::Type::ringing, CallEvent::Type::answered, CallEvent::Type::hangup};
  EXPECT_EQ(kinds, expected);
  ASSERT_FALSE(seen.events.empty());
  EXPECT_EQ(seen.events.back().cause, "normal_clearing");
  ASSERT_EQ(seen.records.size(), 1u);
  EXPECT_EQ(seen.records[0].digits, "123#");
  EXPECT_TRUE(seen.records[0].answered_at.has_value());
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

asio::awaitable<void> transfer_caller(std::shared_ptr<voice::Call> call, Observed* seen) {
  const bool answered = co_await call->answer();
  if (!answered) co_return;
  const auto result = co_await call->transfer("sip:target@example.test", std::chrono::seconds(10));
  {
    std::lock_guard lock(seen->mutex);
    seen->transfer = result;
  }
  co_await call->hangup();  // after a failed transfer the application decides
}

struct ReferCase {
  std::string frag;  // the status line the caller's NOTIFY reports
  voice::TransferResult::Outcome outcome;
  int sip_status;
  std::string cause;
};

void PrintTo(const ReferCase& c, std::ostream* out) {
  *out << c.frag;
}

class EngineTransfer : public ::testing::TestWithParam<ReferCase> {};

TEST_P(EngineTransfer, TransferSendsReferAndReportsTheCallersNotify) {
  const ReferCase& c = GetParam();
  const std::string dir = make_temp_dir("irisx-engine");
  Observed seen;
  {
    voice::VoiceEngine engine(
        engine_options(dir),
        [&seen](const voice::sip::InviteRequest&) -> voice::Application {
          return [&seen](std::shared_ptr<voice::Call> call) {
            return transfer_caller(std::move(call), &seen);
          };
        },
        [&seen](const voice::CallRecord& record) {
          std::lock_guard lock(seen.mutex);
          seen.records.push_back(record);
        });
    SippRun run;
    run.scenario = "uac-accept-refer.xml";
    run.service = "refer";
    run.target = engine.sip_address();
    run.keys["frag"] = c.frag;
    const SippResult result = run_sipp(run);
    EXPECT_EQ(result.exit_code, 0) << result.describe();
    for (int i = 0; i < 200 && engine.live_calls() > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard lock(seen.mutex);
  ASSERT_TRUE(seen.transfer.has_value());
  EXPECT_EQ(seen.transfer->outcome, c.outcome);
  EXPECT_EQ(seen.transfer->sip_status, c.sip_status);
  ASSERT_EQ(seen.records.size(), 1u);
  EXPECT_EQ(seen.records[0].hangup_cause, c.cause);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

INSTANTIATE_TEST_SUITE_P(
    Outcomes, EngineTransfer,
    ::testing::Values(
        ReferCase{"200 OK", voice::TransferResult::Outcome::completed, 200, "blind_transfer"},
        ReferCase{"486 Busy Here", voice::TransferResult::Outcome::failed, 486, "normal_clearing"}),
    [](const ::testing::TestParamInfo<ReferCase>& param_info) {
      return param_info.param.sip_status == 200 ? std::string("Completed") : std::string("Failed");
    });

}  // namespace
}  // namespace irisx::testing
