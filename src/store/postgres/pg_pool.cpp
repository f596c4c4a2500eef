#include "store/postgres/pg_pool.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace irisx::store::pg {

namespace asio = boost::asio;

Pool::Pool(asio::any_io_executor executor, std::string conninfo, std::size_t size)
    : executor_(executor),
      strand_(asio::make_strand(executor)),
      conninfo_(std::move(conninfo)),
      size_(size) {}

std::unique_ptr<Connection> Pool::take_idle(bool& may_open) {
  may_open = false;
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return conn;
  }
  if (open_ < size_) {
    ++open_;
    may_open = true;
  }
  return nullptr;
}

asio::awaitable<std::unique_ptr<Connection>> Pool::acquire() {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  for (;;) {
    bool may_open = false;
    {
      std::lock_guard lock(mutex_);
      if (auto conn = take_idle(may_open)) co_return conn;
    }
    if (may_open) co_return co_await connect();
    if (Clock::now() >= deadline)
      throw StoreError(ErrorKind::unavailable, "no PostgreSQL connection free within 10 s");
    co_await asio::co_spawn(strand_, wait_for_release(deadline), asio::use_awaitable);
  }
}

asio::awaitable<void> Pool::wait_for_release(Clock::time_point deadline) {
  auto waiter = std::make_shared<asio::steady_timer>(strand_, deadline);
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty() || open_ < size_) co_return;  // released since acquire() looked
    waiters_.push_back(waiter);
  }
  boost::system::error_code ignored;  // cancelled by a release, or the deadline passed
  co_await waiter->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  std::lock_guard lock(mutex_);
  std::erase(waiters_, waiter);  // still queued when the deadline, not a release, woke it
}

void Pool::release(std::unique_ptr<Connection> conn) {
  std::shared_ptr<asio::steady_timer> wake;
  {
    std::lock_guard lock(mutex_);
    if (conn->broken() || conn->in_pipeline()) {
      --open_;  // dropped; a later acquire opens a fresh one
    } else {
      idle_.push_back(std::move(conn));
    }
    if (!waiters_.empty()) {
      wake = waiters_.front();
      waiters_.pop_front();
    }
  }
  if (wake) asio::post(strand_, [wake] { wake->cancel(); });
}

asio::awaitable<std::unique_ptr<Connection>> Pool::connect() {
  try {
    co_return std::make_unique<Connection>(executor_, conninfo_);
  } catch (...) {
    std::lock_guard lock(mutex_);
    --open_;
    throw;
  }
}

}  // namespace irisx::store::pg
