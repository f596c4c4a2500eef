#include "store/postgres/pg_group_commit.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <deque>
#include <string>

#include "store/postgres/pg_session.hpp"

namespace irisx::store::pg {

namespace asio = boost::asio;

struct GroupCommit::Batch {
  explicit Batch(const asio::strand<asio::any_io_executor>& strand)
      : settled(strand, asio::steady_timer::time_point::max()) {}
  std::unique_ptr<Connection> conn;
  int members = 0;
  int savepoints = 0;    // members that sent statements of their own
  bool started = false;  // holds a lane
  std::deque<std::shared_ptr<asio::steady_timer>> turns;  // members waiting, in arrival order
  asio::steady_timer settled;  // cancelled once the batch committed or failed
  bool done = false;
  std::string error;  // why the batch failed; every member still in it reports this
  CommitWork work;    // what its members left for its commit
};

GroupCommit::GroupCommit(Pool& pool, asio::any_io_executor executor, std::size_t lanes)
    : pool_(pool), strand_(asio::make_strand(executor)), lanes_(lanes == 0 ? 1 : lanes) {}

std::shared_ptr<GroupCommit::Batch> GroupCommit::pick() const {
  std::shared_ptr<Batch> shortest;
  for (const auto& batch : open_) {
    if (!shortest || batch->turns.size() < shortest->turns.size()) shortest = batch;
  }
  // A batch nobody waits in costs a newcomer at most the round trips left to the member whose
  // turn it is, and members that only insert rows have none: they all share one batch, one
  // COMMIT. Where members queue up behind round trips, a free lane serves them sooner.
  if (shortest && (shortest->turns.empty() || batches_ >= lanes_)) return shortest;
  return nullptr;
}

bool GroupCommit::is_open(const Batch& batch) const {
  return std::any_of(open_.begin(), open_.end(), [&](const auto& b) { return b.get() == &batch; });
}

void GroupCommit::close(const Batch& batch) {
  std::erase_if(open_, [&](const auto& b) { return b.get() == &batch; });
}

asio::awaitable<void> GroupCommit::run(Database::TransactionBody body) {
  ++queued_;
  co_await asio::co_spawn(strand_, member(std::move(body)), asio::use_awaitable);
}

asio::awaitable<void> GroupCommit::member(Database::TransactionBody body) {
  --queued_;
  std::shared_ptr<Batch> batch = pick();
  const bool opener = !batch;
  if (opener) {
    batch = std::make_shared<Batch>(strand_);
    open_.push_back(batch);
    ++batches_;
  }
  if (++batch->members >= kMaxMembers) close(*batch);  // full
  if (opener) {
    co_await open(*batch);
  } else {
    co_await wait_turn(*batch);
  }
  if (!batch->error.empty()) throw StoreError(ErrorKind::unavailable, batch->error);

  std::exception_ptr failure = co_await run_body(*batch, body);
  co_await pass_turn_or_commit(batch);
  if (!batch->done) {
    boost::system::error_code ignored;  // settle() cancels the wait
    co_await batch->settled.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  if (failure) std::rethrow_exception(failure);
  if (!batch->error.empty()) throw StoreError(ErrorKind::unavailable, batch->error);
}

asio::awaitable<void> GroupCommit::open(Batch& batch) {
  // While every lane is busy the batch stays open and grows; it starts once one is free.
  while (started_ >= lanes_) {
    auto lane =
        std::make_shared<asio::steady_timer>(strand_, asio::steady_timer::time_point::max());
    lane_waiters_.push_back(lane);
    boost::system::error_code ignored;  // cancelled when a lane frees up
    co_await lane->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  ++started_;
  batch.started = true;
  std::string error;
  try {
    batch.conn = co_await pool_.acquire();
    batch.conn->begin_pipeline();
    batch.conn->send("BEGIN", Params());
  } catch (const StoreError& e) {
    error = e.what();
  }
  if (!error.empty()) fail(batch, error);
}

// A batch's connection is in use from its opening to its commit, by one member at a time.
asio::awaitable<void> GroupCommit::wait_turn(Batch& batch) {
  if (!batch.error.empty()) co_return;
  auto turn = std::make_shared<asio::steady_timer>(strand_, asio::steady_timer::time_point::max());
  batch.turns.push_back(turn);
  boost::system::error_code ignored;  // cancelled when the turn is handed over or the batch fails
  co_await turn->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

asio::awaitable<std::exception_ptr> GroupCommit::run_body(Batch& batch,
                                                          Database::TransactionBody& body) {
  Connection& conn = *batch.conn;
  MemberSession session(conn);
  std::exception_ptr failure;
  bool alone = false;
  try {
    co_await body(session);
    alone = batch.members == 1 && batch.turns.empty() && queued_.load() == 0;
    if (alone) {
      // Nobody is waiting to join: commit in the sync that ends the pipeline, so a transaction
      // on its own costs the round trips it did before batching.
      close(batch);
      if (session.sent_statements()) conn.send("RELEASE SAVEPOINT irisx_tx", Params());
      batch.work.add(session.take_work());
      co_await finish_work(conn, std::move(batch.work));
      conn.send("COMMIT", Params());
      co_await conn.end_pipeline();
    } else {
      // Awaited, so the body's deferred statements are read here and a failure among them is
      // this member's, not the next one's.
      if (session.sent_statements()) {
        co_await conn.exec("RELEASE SAVEPOINT irisx_tx", Params());
        if (++batch.savepoints >= kMaxSavepoints) close(batch);
      }
      batch.work.add(session.take_work());
    }
  } catch (...) {
    failure = std::current_exception();
  }
  if (alone) {
    co_await finish_alone(batch, failure != nullptr);
  } else if (failure && session.sent_statements()) {
    co_await undo(batch);
  }
  co_return failure;
}

asio::awaitable<void> GroupCommit::finish_alone(Batch& batch, bool failed) {
  Connection& conn = *batch.conn;
  if (failed && !conn.broken()) {
    try {
      if (conn.in_pipeline()) co_await conn.end_pipeline();
      co_await conn.exec("ROLLBACK", Params());  // the failed statement left it aborted
    } catch (const StoreError&) {
      conn.discard();
    }
  }
  pool_.release(std::move(batch.conn));
  settle(batch);
}

// After a failed statement PostgreSQL skips the rest of the pipeline up to a sync, and the
// transaction stays aborted until rolled back to the member's savepoint.
asio::awaitable<void> GroupCommit::undo(Batch& batch) {
  Connection& conn = *batch.conn;
  bool undone = false;
  try {
    try {
      if (conn.in_pipeline()) co_await conn.end_pipeline();
    } catch (const StoreError&) {
      // The member's failure, or a statement skipped after it: already being reported.
    }
    if (!conn.broken()) {
      co_await conn.exec("ROLLBACK TO SAVEPOINT irisx_tx", Params());
      co_await conn.exec("RELEASE SAVEPOINT irisx_tx", Params());
      conn.begin_pipeline();
      undone = true;
    }
  } catch (const StoreError&) {
    // Handled below: the batch cannot go on.
  }
  if (!undone) fail(batch, "the write transaction was aborted");
}

asio::awaitable<void> GroupCommit::pass_turn_or_commit(std::shared_ptr<Batch> batch) {
  if (batch->done) co_return;  // committed on its own
  for (;;) {
    if (!batch->error.empty()) co_return;  // fail() has woken and settled everyone
    if (!batch->turns.empty()) {
      auto next = std::move(batch->turns.front());
      batch->turns.pop_front();
      next->cancel();  // the next member's turn
      co_return;
    }
    // Nobody is waiting, but transactions already handed to the strand would join this batch:
    // let them in first, so that under load a batch grows with the queue.
    if (!is_open(*batch) || queued_.load() == 0) break;
    co_await asio::post(strand_, asio::use_awaitable);
  }
  close(*batch);
  co_await commit(*batch);
}

asio::awaitable<void> GroupCommit::commit(Batch& batch) {
  Connection& conn = *batch.conn;
  try {
    co_await finish_work(conn, std::move(batch.work));
    conn.send("COMMIT", Params());
    co_await conn.end_pipeline();
  } catch (const std::exception& e) {  // a commit step may throw more than StoreError
    batch.error = e.what();
  }
  if (!batch.error.empty() && !conn.broken()) {
    try {
      // A step that failed left the pipeline open; a failed COMMIT has rolled back already.
      if (conn.in_pipeline()) co_await conn.end_pipeline();
      co_await conn.exec("ROLLBACK", Params());
    } catch (const StoreError&) {
      conn.discard();
    }
  }
  pool_.release(std::move(batch.conn));
  settle(batch);
}

void GroupCommit::fail(Batch& batch, const std::string& why) {
  if (batch.error.empty()) batch.error = why;
  close(batch);
  for (auto& turn : batch.turns) turn->cancel();
  batch.turns.clear();
  if (batch.conn) {
    batch.conn->discard();  // its transaction may still be open
    pool_.release(std::move(batch.conn));
  }
  settle(batch);
}

void GroupCommit::settle(Batch& batch) {
  if (batch.done) return;
  batch.done = true;
  batch.settled.cancel();
  --batches_;
  if (batch.started) {
    batch.started = false;
    --started_;
    if (!lane_waiters_.empty()) {
      lane_waiters_.front()->cancel();
      lane_waiters_.pop_front();
    }
  }
}

}  // namespace irisx::store::pg
