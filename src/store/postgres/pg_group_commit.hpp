#pragma once
// Group commit for PostgreSQL: transactions that arrive while others run join an open batch,
// one PostgreSQL transaction on one connection. A batch's members run one after the other,
// each behind its own savepoint, and one COMMIT covers them; no member returns before that
// COMMIT. A member that fails is rolled back to its savepoint and fails alone. Under load this
// turns a commit (and its WAL flush) per request into one per batch.
//
// Up to `lanes` batches are open at once, on as many connections: a member waits for the
// round trips of the members ahead of it in its batch, so one batch alone would cap writes at
// one member per two round trips. Members of batches open side by side can wait on each
// other's row locks like any concurrent transactions; PostgreSQL's deadlock detector then fails
// one statement, and with it that member only.
#include <utility>  // must precede asio headers under g++ 12

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <exception>
#include <memory>
#include <vector>

#include "store/database.hpp"
#include "store/postgres/pg_pool.hpp"

namespace irisx::store::pg {

class GroupCommit {
 public:
  GroupCommit(Pool& pool, boost::asio::any_io_executor executor, std::size_t lanes);

  // Any thread: runs `body` as a member of the open batch (opening one if there is none).
  boost::asio::awaitable<void> run(Database::TransactionBody body);

 private:
  struct Batch;
  // Everything below runs on strand_, so batches need no locks.
  boost::asio::awaitable<void> member(Database::TransactionBody body);
  // The open batch to join: none while a lane is free (the caller opens one there), else the
  // one with the fewest members waiting.
  std::shared_ptr<Batch> pick() const;
  bool is_open(const Batch& batch) const;
  void close(const Batch& batch);
  boost::asio::awaitable<void> open(Batch& batch);
  boost::asio::awaitable<void> wait_turn(Batch& batch);
  boost::asio::awaitable<std::exception_ptr> run_body(Batch& batch,
                                                      Database::TransactionBody& body);
  boost::asio::awaitable<void> undo(Batch& batch);
  // Settles a batch whose one member committed (or failed) on its own.
  boost::asio::awaitable<void> finish_alone(Batch& batch, bool failed);
  boost::asio::awaitable<void> pass_turn_or_commit(std::shared_ptr<Batch> batch);
  boost::asio::awaitable<void> commit(Batch& batch);
  void fail(Batch& batch, const std::string& why);
  void settle(Batch& batch);

  // Savepoints take subtransaction ids, and PostgreSQL slows every snapshot down once a
  // transaction has more than 64 of them.
  static constexpr int kMaxMembers = 32;

  Pool& pool_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  std::size_t lanes_;
  std::atomic<int> queued_{0};                // handed to the strand, not yet a member
  std::vector<std::shared_ptr<Batch>> open_;  // the batches new members may join
};

}  // namespace irisx::store::pg
