// Blind transfer both ways (RFC 3515): a REFER we send to the peer, and the REFER a peer sends
// to have the other party of its bridge connected elsewhere.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "voice/calls/call.hpp"

namespace irisx::voice {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

asio::awaitable<std::optional<Transfer>> Call::talk(std::shared_ptr<Call> other) {
  co_await bridge(other);
  auto self = shared_from_this();
  if (!ended_ && other->active()) {
    std::optional<Transfer> transfer;
    if (other->transfer_request_) {
      transfer = Transfer{other, self, *std::exchange(other->transfer_request_, std::nullopt)};
    } else if (transfer_request_) {
      transfer = Transfer{self, other, *std::exchange(transfer_request_, std::nullopt)};
    }
    if (transfer) {
      // Both sides asked at once: the first one wins and the other is declined, so its stale
      // request cannot break the next bridge.
      if (transfer->transferee->transfer_request_) {
        transfer->transferee->transfer_request_.reset();
        transfer->transferee->finish_transfer(603);
      }
      co_return transfer;
    }
  }
  if (other->active()) co_await other->hangup();
  co_return std::nullopt;
}

asio::awaitable<TransferResult> Call::transfer(std::string target_uri,
                                               std::chrono::milliseconds timeout) {
  TransferResult result;
  if (ended_ || !confirmed_) co_return result;
  refer_status_ = 0;
  refer_final_ = false;
  resources_.sip.refer(request_.id, std::move(target_uri));
  const auto deadline = Clock::now() + timeout;
  while (!ended_ && !refer_final_ && Clock::now() < deadline) co_await wait(deadline);
  result.sip_status = refer_status_;
  if (!refer_final_) {
    result.outcome = TransferResult::Outcome::no_result;
    co_return result;
  }
  const bool reached = refer_status_ >= 200 && refer_status_ < 300;
  result.outcome = reached ? TransferResult::Outcome::completed : TransferResult::Outcome::failed;
  if (reached && !ended_) {
    abandon_cause_ = "blind_transfer";
    co_await hangup();
  }
  co_return result;
}

void Call::finish_transfer(int status) {
  resources_.sip.notify_transfer(request_.id, status);
  if (status >= 200 && status < 300 && !ended_) {
    abandon_cause_ = "blind_transfer";
    resources_.sip.hangup(request_.id);
  }
}

void Call::on_refer(const std::string& target) {
  auto peer = bridged_.lock();
  // Only a bridged leg has someone to transfer; a second REFER waits for nothing.
  if (ended_ || !peer || transfer_request_) {
    resources_.sip.notify_transfer(request_.id, 603);
    return;
  }
  transfer_request_ = target;
  emit(CallEvent{CallEvent::Type::transfer_requested, '\0', target, 0});
  notify();
  peer->notify();
}

void Call::on_transfer_progress(int status, bool final) {
  if (status != 0) refer_status_ = status;
  if (final) refer_final_ = true;
  notify();
}

}  // namespace irisx::voice
