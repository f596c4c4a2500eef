// Call::dial: forking to an extension's contacts, failover across carrier trunks, and what the
// caller hears and is told meanwhile.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "voice/audio/tones.hpp"
#include "voice/calls/call.hpp"

namespace irisx::voice {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// A group's failure moves on to the next group only when it is the carrier's trouble (RFC 3261
// §21.5: 5xx), or nobody answered at all in time (a dead trunk). A local transport failure has
// no status.
bool fails_over(const PlaceResult& r) {
  return r.outcome == PlaceResult::Outcome::setup_timeout ||
         refusal_of(r.sip_status) == Refusal::temporary_failure ||
         (r.outcome == PlaceResult::Outcome::failed && r.sip_status == 0);
}

// One result for a group whose every leg failed: someone ringing beats someone busy beats a
// refusal.
DialResult summarize(const std::vector<std::optional<PlaceResult>>& results) {
  DialResult out;
  int rank = -1;
  for (const auto& r : results) {
    if (!r) continue;
    int this_rank = 0;
    DialResult::Status status = DialResult::Status::failed;
    if (r->outcome == PlaceResult::Outcome::no_answer) {
      this_rank = 3;
      status = DialResult::Status::no_answer;
    } else if (r->outcome == PlaceResult::Outcome::busy) {
      this_rank = 2;
      status = DialResult::Status::busy;
    } else if (r->outcome == PlaceResult::Outcome::declined) {
      this_rank = 1;
    }
    if (this_rank > rank) {
      rank = this_rank;
      out.status = status;
      out.sip_status = r->sip_status;
    }
  }
  return out;
}

}  // namespace

Refusal refusal_of(int status) {
  if (status == 486 || status == 600) return Refusal::busy;
  if (status == 408 || status == 480) return Refusal::no_answer;
  if (status == 404 || status == 484 || status == 604) return Refusal::unallocated;
  if (status >= 500 && status < 600) return Refusal::temporary_failure;
  return Refusal::rejected;
}

const char* status_name(DialResult::Status status) {
  switch (status) {
    case DialResult::Status::completed:
      return "completed";
    case DialResult::Status::busy:
      return "busy";
    case DialResult::Status::no_answer:
      return "no-answer";
    case DialResult::Status::canceled:
      return "canceled";
    case DialResult::Status::failed:
      break;
  }
  return "failed";
}

int caller_status_after(const DialResult& result) {
  switch (result.status) {
    case DialResult::Status::busy:
      return 486;
    case DialResult::Status::no_answer:
      return 480;
    case DialResult::Status::canceled:
      return 487;
    default:
      break;
  }
  const int s = result.sip_status;
  // A carrier's challenge is not the caller's to answer, and its 5xx is our gateway's failure.
  if (s == 401 || s == 407 || s == 0 || (s >= 500 && s < 600)) return 502;
  return s >= 400 ? s : 502;
}

asio::awaitable<void> Call::place_for(std::shared_ptr<Fork> fork, std::size_t index,
                                      PlaceOptions options, std::shared_ptr<Call> caller) {
  PlaceResult result = co_await fork->legs[index]->place(options);
  fork->results[index] = result;
  caller->notify();
}

std::shared_ptr<Call::Fork> Call::start_fork(std::vector<DialTarget>& group,
                                             std::chrono::milliseconds remaining) {
  auto fork = std::make_shared<Fork>();
  std::weak_ptr<Call> weak = weak_from_this();
  for (auto& target : group) {
    auto leg = resources_.originate(std::move(target.invite));
    leg->set_labels(record_.tenant_id, target.trunk, target.extension);
    leg->set_parent(record_.id);
    std::weak_ptr<Call> weak_leg = leg;
    leg->set_listener([weak, weak_leg](const CallEvent& event) {
      auto caller = weak.lock();
      if (!caller) return;
      // Bridge in the same handler that made the leg's media live, so not even the callee's
      // first packet (queued since its 200 OK) goes unrelayed.
      auto bridged = caller->bridged_.lock();
      if (event.type == CallEvent::Type::answered && (!bridged || !bridged->answered())) {
        if (auto answered_leg = weak_leg.lock()) connect(caller, answered_leg);
      }
      caller->notify();
    });
    fork->legs.push_back(leg);
    fork->results.emplace_back();
    PlaceOptions options;
    options.setup_timeout = target.setup_timeout;
    options.answer_timeout = remaining;
    asio::co_spawn(resources_.executor,
                   place_for(fork, fork->legs.size() - 1, options, shared_from_this()),
                   asio::detached);
  }
  return fork;
}

void Call::end_fork(Fork& fork, const std::shared_ptr<Call>& winner, const std::string& cause) {
  auto self = shared_from_this();
  for (auto& leg : fork.legs) {
    if (leg == winner) continue;
    disconnect(self, leg);
    leg->abandon(cause);
    if (leg->answered()) asio::co_spawn(resources_.executor, leg->hangup(), asio::detached);
  }
}

// Passes the callees' progress on to a caller who has not been answered yet.
asio::awaitable<void> Call::relay_progress(Fork& fork) {
  if (confirmed_ || answer_sent_ || ended_) co_return;
  for (auto& leg : fork.legs) {
    if (leg->has_early_media() && !early_media_) {
      const bool early = co_await early_media();
      if (early) connect(shared_from_this(), leg);
    }
    if (leg->ringing() && !early_media_ && !rang_) {
      rang_ = true;
      co_await ring();
    }
  }
}

asio::awaitable<std::shared_ptr<Call>> Call::await_fork(Fork& fork, Clock::time_point deadline,
                                                        bool& timed_out) {
  while (true) {
    if (ended_) {
      end_fork(fork, nullptr, "originator_cancel");
      co_return nullptr;
    }
    std::size_t finished = 0;
    for (std::size_t i = 0; i < fork.legs.size(); ++i) {
      if (!fork.results[i]) continue;
      ++finished;
      if (fork.results[i]->outcome == PlaceResult::Outcome::answered) {
        end_fork(fork, fork.legs[i], "lose_race");
        co_return fork.legs[i];
      }
    }
    if (finished == fork.legs.size()) co_return nullptr;
    if (Clock::now() >= deadline) {
      timed_out = true;
      end_fork(fork, nullptr, "no_answer");
      co_return nullptr;
    }
    co_await relay_progress(fork);
    co_await wait(deadline);
  }
}

asio::awaitable<DialResult> Call::dial(DialPlan plan, DialOptions options) {
  DialResult result;
  if (!outbound_ && !answer_sent_ && !ended_) {
    // Negotiate the caller's media first: a caller we cannot carry (488) rings nobody, and the
    // callee's first packets can be relayed the moment it answers.
    std::optional<std::string> ours = co_await prepare_answer();
    if (!ours) co_return result;
  }
  const auto deadline = Clock::now() + options.timeout;
  if (confirmed_ && !ended_) {
    // An answered caller hears ringback until a callee answers (connect() stops it).
    const auto limit = options.timeout;
    asio::co_spawn(resources_.executor, play_tone(audio::ringback_us(), limit), asio::detached);
  }
  std::shared_ptr<Call> winner;
  for (auto& group : plan) {
    if (ended_ || group.empty()) continue;
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (remaining.count() <= 0) break;
    auto fork = start_fork(group, remaining);
    bool timed_out = false;
    winner = co_await await_fork(*fork, deadline, timed_out);
    if (winner || ended_) break;
    if (timed_out) {
      result.status = DialResult::Status::no_answer;
      break;
    }
    result = summarize(fork->results);
    bool all_fail_over = true;
    for (const auto& r : fork->results) all_fail_over = all_fail_over && r && fails_over(*r);
    if (!all_fail_over) break;
  }
  stop_playback();
  if (ended_) {
    result.status = DialResult::Status::canceled;
    co_return result;
  }
  if (!winner) co_return result;
  result.answered_leg = winner->record().id;
  result.answered_trunk = winner->record().trunk;
  connect(shared_from_this(), winner);     // the callee's first words are not clipped
  start_bridge_recording(options.record);  // record-from-answer: the callee's answer
  const bool answered = co_await answer();
  if (!answered) {
    result.recording = stop_bridge_recording();
    co_await winner->hangup();
    result.status = DialResult::Status::canceled;
    co_return result;
  }
  result.transfer = co_await talk(winner);
  result.recording = stop_bridge_recording();
  result.status = DialResult::Status::completed;
  result.sip_status = 200;
  co_return result;
}

}  // namespace irisx::voice
