#pragma once
// Group commit for PostgreSQL: transactions that arrive while others run join an open batch,
// one PostgreSQL transaction on one connection. A batch's members run one after the other,
// each behind its own savepoint, and one COMMIT covers them; no member returns before that
// COMMIT. A member that fails is rolled back to its savepoint and fails alone. Under load this
// turns a commit (and its WAL flush) per request into one per batch.
//
// What members leave for the commit (Session::insert_rows, Session::before_commit) is done once
// for the batch just before its COMMIT: each table's rows as one multi-row INSERT, each kind of
// commit step once. PostgreSQL's cost is mostly per statement, not per row, so a write whose
// rows all go that way (an API key with its audit entry and event) costs the batch no statement
// of its own; the price is that a failure there fails every member of the batch.
//
// Up to `lanes` batches run at once, on as many connections; while all are busy the open batch
// grows until one is free. A member waits for the round trips of the members ahead of it in its
// batch, so a newcomer joins a batch nobody waits in, else opens one on a free lane. Members of
// batches side by side can wait on each other's row locks like any concurrent transactions;
// PostgreSQL's deadlock detector then fails one statement, and with it that member only.
#include <utility>  // must precede asio headers under g++ 12

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <deque>
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
  // The open batch to join (none: the caller opens one): one nobody waits in, else a new one
  // while a lane is free, else the one with the fewest members waiting.
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
  // transaction has more than 64 of them. Members that only insert rows take none; their
  // number bounds a batch's wait for its COMMIT.
  static constexpr int kMaxSavepoints = 32;
  static constexpr int kMaxMembers = 64;

  Pool& pool_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  std::size_t lanes_;
  std::atomic<int> queued_{0};                // handed to the strand, not yet a member
  std::vector<std::shared_ptr<Batch>> open_;  // the batches new members may join
  std::size_t batches_ = 0;                   // opened, not yet settled
  std::size_t started_ = 0;                   // of those, the ones holding a lane
  std::deque<std::shared_ptr<boost::asio::steady_timer>> lane_waiters_;  // openers, in order
};

}  // namespace irisx::store::pg
