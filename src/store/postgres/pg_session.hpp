#pragma once
// The sessions of a group-committed batch (pg_group_commit.hpp), on the batch's connection in
// pipeline mode.
#include <memory>
#include <vector>

#include "store/database.hpp"
#include "store/postgres/pg_connection.hpp"

namespace irisx::store::pg {

// What a batch's members leave for its commit: their rows, one multi-row INSERT per table, and
// their commit steps, merged by kind.
struct CommitWork {
  std::vector<RowInsert> rows;  // tables in the order their first rows came
  std::vector<std::unique_ptr<CommitStep>> steps;

  void add_rows(RowInsert more);
  void add(CommitWork more);
};

// One member's session. Its savepoint goes out with its first statement, so a member that only
// inserts rows and leaves steps costs the batch no statement of its own; what it leaves is kept
// here until the member has succeeded, then joins the batch's work.
class MemberSession final : public Session {
 public:
  explicit MemberSession(Connection& conn) : conn_(conn) {}
  boost::asio::awaitable<Result> exec(std::string sql, Params params) override {
    open_savepoint();
    co_return co_await conn_.exec(std::move(sql), std::move(params));
  }
  void defer(std::string sql, Params params) override {
    open_savepoint();
    conn_.send(std::move(sql), std::move(params));
  }
  void insert_rows(RowInsert rows) override { work_.add_rows(std::move(rows)); }
  void before_commit(std::unique_ptr<CommitStep> step) override {
    add_step(work_.steps, std::move(step));
  }

  bool sent_statements() const { return savepoint_; }
  CommitWork take_work() { return std::move(work_); }

 private:
  void open_savepoint() {
    if (savepoint_) return;
    savepoint_ = true;
    conn_.send("SAVEPOINT irisx_tx", Params());
  }

  Connection& conn_;
  bool savepoint_ = false;
  CommitWork work_;
};

// Does a batch's commit work on its connection: runs the steps (their rows join the batch's)
// and sends every row; the caller then sends COMMIT.
boost::asio::awaitable<void> finish_work(Connection& conn, CommitWork work);

}  // namespace irisx::store::pg
