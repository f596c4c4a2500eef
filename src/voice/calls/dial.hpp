#pragma once
// What Call::dial needs and returns: the legs to ring (a fork per group, failover between
// groups) and how it went, in Twilio's DialCallStatus words.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "voice/calls/recording.hpp"
#include "voice/sip/sip_stack.hpp"

namespace irisx::voice {

struct DialTarget {
  sip::OutboundInvite invite;
  std::string trunk;      // for the leg's record: the carrier trunk, or
  std::string extension;  // the extension whose contact this is
  // No response this long: this target failed (a trunk's failover timer). 0: none.
  std::chrono::milliseconds setup_timeout{0};
};

// Every target of a group rings at once and the first to answer wins (an extension's
// contacts); when a whole group fails on 5xx or a setup timeout the next group is tried
// (carrier trunks in failover order). Busy, no answer and other refusals end the dial.
using DialPlan = std::vector<std::vector<DialTarget>>;

struct DialOptions {
  std::chrono::milliseconds timeout{30000};  // ringing this long without an answer: no-answer
  // From the callee's answer until the bridge ends, into the recordings dir (recording.hpp).
  RecordMode record = RecordMode::none;
};

class Call;

// A peer asked, with REFER, that the other party of its call be connected elsewhere (blind
// transfer): `transferor` sent it and waits for finish_transfer, `transferee` is still up.
struct Transfer {
  std::shared_ptr<Call> transferor;
  std::shared_ptr<Call> transferee;
  std::string target;  // the Refer-To URI
};

struct DialResult {
  enum class Status { completed, busy, no_answer, failed, canceled };
  Status status = Status::failed;
  int sip_status = 0;        // the last final status a callee sent, 0 when none
  std::string answered_leg;  // CA… of the leg that answered
  std::string answered_trunk;
  // Set when the bridge ended because one side transferred the other (status completed).
  std::optional<Transfer> transfer;
  Recording recording;  // when DialOptions::record asked for one and a callee answered
};

// What a final response to an INVITE says about the callee, for hangup causes and dial
// outcomes alike.
enum class Refusal { busy, no_answer, unallocated, temporary_failure, rejected };
Refusal refusal_of(int status);

const char* status_name(DialResult::Status status);  // "completed", "no-answer" …

// The final response for a caller that was never answered, after a dial that did not connect.
int caller_status_after(const DialResult& result);

}  // namespace irisx::voice
